"""tf.nn.ctc_loss against a brute-force sum over every frame labelling (small T and C), its gradient against
central differences of that sum, TF's options (collapse, merge, ignore longer outputs) and errors; and
tf.nn.ctc_greedy_decoder against a NumPy transcription of best-path decoding."""
import itertools

import numpy as np
import pytest

import neuroflow as tf


@pytest.fixture(autouse=True)
def _fresh_graph():
    tf.reset_default_graph()


def _collapse(path, blank, merge_repeated=True):
    out, previous = [], None
    for k in path:
        if k != blank and not (merge_repeated and k == previous):
            out.append(k)
        previous = k
    return out


def _brute_force_loss(logits, labels, merge_repeated=True):
    """-log of the summed probability of every path over the frames that collapses to `labels`."""
    steps, classes = logits.shape
    probs = np.exp(logits - logits.max(1, keepdims=True))
    probs /= probs.sum(1, keepdims=True)
    total = sum(np.prod(probs[np.arange(steps), path]) for path in itertools.product(range(classes), repeat=steps)
                if _collapse(path, classes - 1, merge_repeated) == list(labels))
    return -np.log(total)


def _sparse(rows):
    indices = [[b, i] for b, row in enumerate(rows) for i in range(len(row))]
    values = [v for row in rows for v in row]
    return tf.SparseTensorValue(np.array(indices, np.int64).reshape(-1, 2), np.array(values, np.int32),
                                np.array([len(rows), max(map(len, rows))], np.int64))


LOGITS = np.random.default_rng(0).standard_normal((5, 3, 4))  # [time, batch, classes]; blank = 3
LABELS = [[0, 1], [2, 2], [1]]
LENGTHS = [5, 4, 3]


@pytest.mark.parametrize("merge_repeated", [True, False])
def test_ctc_loss_is_the_brute_force_sum_over_paths(merge_repeated):
    labels = tf.sparse_placeholder(tf.int32)
    logits = tf.placeholder(tf.float64, [5, 3, 4])
    loss = tf.nn.ctc_loss(labels, logits, LENGTHS, ctc_merge_repeated=merge_repeated)
    with tf.Session() as sess:
        got = sess.run(loss, {labels: _sparse(LABELS), logits: LOGITS})
    want = [_brute_force_loss(LOGITS[:n, b], LABELS[b], merge_repeated) for b, n in enumerate(LENGTHS)]
    np.testing.assert_allclose(got, want, rtol=1e-10)


def test_ctc_loss_gradient_matches_central_differences():
    labels = tf.sparse_placeholder(tf.int32)
    logits = tf.placeholder(tf.float64, [5, 3, 4])
    weights = np.array([1.0, -0.5, 2.0])
    loss = tf.reduce_sum(tf.nn.ctc_loss(labels, logits, LENGTHS) * weights)
    grad, = tf.gradients(loss, logits)
    with tf.Session() as sess:
        got = sess.run(grad, {labels: _sparse(LABELS), logits: LOGITS})
    direction = np.random.default_rng(1).standard_normal(LOGITS.shape)

    def f(x):
        return sum(w * _brute_force_loss(x[:n, b], LABELS[b]) for b, (n, w) in enumerate(zip(LENGTHS, weights)))
    numeric = (f(LOGITS + 1e-6 * direction) - f(LOGITS - 1e-6 * direction)) / 2e-6
    assert np.sum(got * direction) == pytest.approx(numeric, rel=1e-6)
    assert not got[4, 1].any() and not got[3:, 2].any()  # frames past a row's length


def test_ctc_loss_batch_major_collapse_and_errors():
    labels = tf.sparse_placeholder(tf.int32)
    batch_major = tf.placeholder(tf.float64, [3, 5, 4])
    loss = tf.nn.ctc_loss(labels, batch_major, LENGTHS, time_major=False, preprocess_collapse_repeated=True)
    strict = tf.nn.ctc_loss(labels, batch_major, [5, 1, 3], time_major=False)
    lenient = tf.nn.ctc_loss(labels, batch_major, [5, 1, 3], time_major=False,
                             ignore_longer_outputs_than_inputs=True)
    feed = {labels: _sparse(LABELS), batch_major: LOGITS.transpose(1, 0, 2)}
    with tf.Session() as sess:
        got = sess.run(loss, feed)
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match=r"Not enough time for target transition sequence \(required: 3, available: 1\)"):
            sess.run(strict, feed)
        skipped = sess.run(lenient, feed)
    collapsed = [[0, 1], [2], [1]]  # [2, 2] collapses to [2] before the loss
    want = [_brute_force_loss(LOGITS[:n, b], collapsed[b]) for b, n in enumerate(LENGTHS)]
    np.testing.assert_allclose(got, want, rtol=1e-10)
    assert skipped[1] == 0.0 and skipped[0] > 0
    with pytest.raises(TypeError, match="Expected labels .* to be a SparseTensor"):
        tf.nn.ctc_loss(tf.constant([[1]]), batch_major, LENGTHS)


@pytest.mark.parametrize("merge_repeated", [True, False])
def test_ctc_greedy_decoder_against_numpy(merge_repeated):
    logits = tf.constant(LOGITS)
    (decoded,), neg_sum = tf.nn.ctc_greedy_decoder(logits, LENGTHS, merge_repeated=merge_repeated)
    with tf.Session() as sess:
        got, got_sum = sess.run([decoded, neg_sum])
    rows = [_collapse(LOGITS[:n, b].argmax(1), 3, merge_repeated) for b, n in enumerate(LENGTHS)]
    np.testing.assert_array_equal(got.indices, [[b, i] for b, row in enumerate(rows) for i in range(len(row))])
    np.testing.assert_array_equal(got.values, [k for row in rows for k in row])
    np.testing.assert_array_equal(got.dense_shape, [3, max(map(len, rows))])
    np.testing.assert_allclose(got_sum[:, 0], [-LOGITS[:n, b].max(1).sum() for b, n in enumerate(LENGTHS)])


def test_ctc_trains_a_tiny_recognizer():
    tf.set_random_seed(0)
    frames = np.random.default_rng(2).standard_normal((6, 2, 3)).astype(np.float32)
    labels = _sparse([[0, 1, 0], [1, 1]])
    weights = tf.Variable(tf.random_normal([3, 3], stddev=0.1))
    logits = tf.reshape(tf.matmul(tf.reshape(tf.constant(frames), [-1, 3]), weights), [6, 2, 3]) + \
        tf.Variable(tf.zeros([6, 1, 3]))
    loss = tf.reduce_mean(tf.nn.ctc_loss(tf.SparseTensor(*labels), logits, [6, 6]))
    train = tf.train.AdamOptimizer(0.1).minimize(loss)
    (decoded,), _ = tf.nn.ctc_greedy_decoder(logits, [6, 6])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        first = sess.run(loss)
        for _ in range(150):
            sess.run(train)
        assert sess.run(loss) < 0.2 * first
        best = sess.run(decoded)
    np.testing.assert_array_equal(best.values, [0, 1, 0, 1, 1])


def _labelling_log_probs(logits):
    """{labelling: log of its total probability} over every frame labelling (brute force), blank = last class."""
    steps, classes = logits.shape
    probs = np.exp(logits - logits.max(1, keepdims=True))
    probs /= probs.sum(1, keepdims=True)
    totals = {}
    for path in itertools.product(range(classes), repeat=steps):
        key = tuple(_collapse(path, classes - 1))
        totals[key] = totals.get(key, 0.0) + np.prod(probs[np.arange(steps), path])
    return {k: np.log(v) for k, v in totals.items()}


def test_ctc_beam_search_with_a_wide_beam_finds_the_most_probable_labellings():
    logits = tf.constant(LOGITS)
    decoded, log_probs = tf.nn.ctc_beam_search_decoder(logits, LENGTHS, beam_width=500, top_paths=3,
                                                       merge_repeated=False)
    assert len(decoded) == 3 and log_probs.shape.as_list() == [3, 3]
    with tf.Session() as sess:
        paths, scores = sess.run([decoded, log_probs])
    for b, n in enumerate(LENGTHS):
        ranked = sorted(_labelling_log_probs(LOGITS[:n, b]).items(), key=lambda kv: -kv[1])[:3]
        for k, (labelling, log_p) in enumerate(ranked):
            rows = paths[k].indices[:, 0] == b
            assert tuple(paths[k].values[rows]) == labelling
            assert scores[b, k] == pytest.approx(log_p, rel=1e-9)


def test_ctc_beam_search_merge_repeated_collapses_the_output_and_greedy_agrees_on_a_clear_case():
    # Frames that clearly read "a, blank, a": the labelling (0, 0); merge_repeated emits it as (0,).
    clear = np.full((3, 1, 3), -5.0)
    clear[0, 0, 0] = clear[1, 0, 2] = clear[2, 0, 0] = 5.0
    merged, _ = tf.nn.ctc_beam_search_decoder(tf.constant(clear), [3], beam_width=4)
    kept, _ = tf.nn.ctc_beam_search_decoder(tf.constant(clear), [3], beam_width=4, merge_repeated=False)
    (greedy,), _ = tf.nn.ctc_greedy_decoder(tf.constant(clear), [3])
    with tf.Session() as sess:
        got_merged, got_kept, got_greedy = sess.run([merged[0], kept[0], greedy])
    assert got_merged.values.tolist() == [0]
    assert got_kept.values.tolist() == [0, 0] == got_greedy.values.tolist()
    with pytest.raises(ValueError, match="top_paths must be <= beam_width"):
        tf.nn.ctc_beam_search_decoder(tf.constant(clear), [3], beam_width=2, top_paths=3)
