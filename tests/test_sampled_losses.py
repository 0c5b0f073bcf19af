"""Candidate samplers (their probabilities and expected counts by TensorFlow's formulas, distinct draws, seeds)
and the sampled losses nce_loss / sampled_softmax_loss against a NumPy transcription of their definitions, their
gradients against central differences, and a word-embedding model trained with them."""
import numpy as np
import pytest

import neuroflow as tf


@pytest.fixture(autouse=True)
def _fresh_graph():
    tf.reset_default_graph()


def _log_uniform_p(k, range_max):
    return (np.log(k + 2.0) - np.log(k + 1.0)) / np.log(range_max + 1.0)


def test_non_unique_expected_counts_are_probability_times_num_sampled():
    labels = tf.constant([[0], [3], [9]], tf.int64)
    log_s = tf.nn.log_uniform_candidate_sampler(labels, 1, 6, False, 10, seed=5)
    uni_s = tf.nn.uniform_candidate_sampler(labels, 1, 6, False, 10, seed=5)
    with tf.Session() as sess:
        (sampled, true_count, sampled_count), (u_sampled, u_true, u_count) = sess.run([log_s, uni_s])
    assert sampled.dtype == np.int64 and sampled.shape == (6,) and true_count.shape == (3, 1)
    assert true_count.dtype == np.float32
    np.testing.assert_allclose(true_count[:, 0], 6 * _log_uniform_p(np.array([0, 3, 9]), 10), rtol=1e-6)
    np.testing.assert_allclose(sampled_count, 6 * _log_uniform_p(sampled, 10), rtol=1e-6)
    np.testing.assert_allclose(u_true, np.full((3, 1), 0.6), rtol=1e-6)
    np.testing.assert_allclose(u_count, np.full(6, 0.6), rtol=1e-6)
    assert ((0 <= u_sampled) & (u_sampled < 10)).all()


def test_unique_draws_are_distinct_and_counts_follow_one_number_of_tries():
    labels = tf.constant([[1, 2]], tf.int64)
    sampler = tf.nn.log_uniform_candidate_sampler(labels, 2, 8, True, 20, seed=7)
    with tf.Session() as sess:
        for _ in range(5):
            sampled, true_count, sampled_count = sess.run(sampler)
            assert len(set(sampled.tolist())) == 8 and ((0 <= sampled) & (sampled < 20)).all()
            # TF's count for a distinct draw: 1 - (1 - p)^tries, the same `tries` for every class.
            p = _log_uniform_p(sampled, 20)
            tries = np.log1p(-sampled_count.astype(np.float64)) / np.log1p(-p)
            assert tries.min() >= 8 - 1e-3 and np.ptp(tries) < 1e-2 * tries.max()
            expected_true = -np.expm1(tries.mean() * np.log1p(-_log_uniform_p(np.array([1, 2]), 20)))
            np.testing.assert_allclose(true_count[0], expected_true, rtol=1e-3)


def test_seeded_samplers_repeat_across_sessions_and_follow_the_distribution():
    labels = tf.constant([[0]], tf.int64)
    sampler = tf.nn.log_uniform_candidate_sampler(labels, 1, 20000, False, 10, seed=11)
    with tf.Session() as sess:
        first = sess.run(sampler[0])
    with tf.Session() as sess:
        again = sess.run(sampler[0])
    np.testing.assert_array_equal(first, again)
    freq = np.bincount(first, minlength=10) / 20000
    p = _log_uniform_p(np.arange(10), 10)
    assert np.all(np.abs(freq - p) < 5 * np.sqrt(p * (1 - p) / 20000))  # five standard errors


def test_sampler_argument_errors():
    with pytest.raises(TypeError, match="true_classes.*int32 that does not match expected type of int64"):
        tf.nn.uniform_candidate_sampler(tf.constant([[1]]), 1, 2, True, 5)
    with pytest.raises(ValueError, match="Sampler's range is too small"):
        tf.nn.uniform_candidate_sampler([[1]], 1, 6, True, 5)


def _sampled_logits_ref(w, b, labels, x, sampled, true_count, sampled_count, remove_hits):
    """TensorFlow's _compute_sampled_logits, transcribed with NumPy."""
    num_true = labels.shape[1]
    true_logits = np.einsum("bd,btd->bt", x, w[labels]) + b[labels] - np.log(true_count)
    sampled_logits = x @ w[sampled].T + b[sampled] - np.log(sampled_count)
    if remove_hits:
        hits = (labels[:, :, None] == sampled[None, None, :]).any(1)
        sampled_logits = sampled_logits + np.where(hits, -np.finfo(np.float32).max, 0.0)
    logits = np.concatenate([true_logits, sampled_logits], 1)
    targets = np.concatenate([np.full(true_logits.shape, 1.0 / num_true), np.zeros(sampled_logits.shape)], 1)
    return logits, targets


def _problem(num_true=2):
    rng = np.random.default_rng(3)
    w, b, x = rng.standard_normal((12, 4)), rng.standard_normal(12), rng.standard_normal((3, 4))
    labels = np.array([[1, 5], [2, 2], [7, 0]])[:, :num_true]
    sampled = np.array([5, 9, 3, 0])
    true_count = rng.uniform(0.1, 0.9, labels.shape)
    sampled_count = rng.uniform(0.1, 0.9, 4)
    return w, b, labels, x, sampled, true_count, sampled_count


def _nce_ref(*args):
    logits, targets = _sampled_logits_ref(*args, remove_hits=False)
    per = np.maximum(logits, 0) - logits * targets + np.log1p(np.exp(-np.abs(logits)))
    return per.sum(1)


def _softmax_ref(*args):
    logits, targets = _sampled_logits_ref(*args, remove_hits=True)
    shifted = logits - logits.max(1, keepdims=True)
    log_softmax = shifted - np.log(np.exp(shifted).sum(1, keepdims=True))
    return -(targets * log_softmax).sum(1)


@pytest.mark.parametrize("num_true", [1, 2])
def test_nce_and_sampled_softmax_losses_against_numpy(num_true):
    w, b, labels, x, sampled, true_count, sampled_count = _problem(num_true)
    values = (tf.constant(sampled, tf.int64), tf.constant(true_count), tf.constant(sampled_count))
    nce = tf.nn.nce_loss(w, b, labels, x, 4, 12, num_true=num_true, sampled_values=values)
    softmax = tf.nn.sampled_softmax_loss(w, b, labels, x, 4, 12, num_true=num_true, sampled_values=values)
    assert nce.shape.as_list() == [3] and softmax.shape.as_list() == [3]
    with tf.Session() as sess:
        got_nce, got_softmax = sess.run([nce, softmax])
    args = (w, b, labels, x, sampled, true_count, sampled_count)
    np.testing.assert_allclose(got_nce, _nce_ref(*args), rtol=1e-10)
    np.testing.assert_allclose(got_softmax, _softmax_ref(*args), rtol=1e-10)


@pytest.mark.parametrize("loss_fn, ref", [(tf.nn.nce_loss, _nce_ref), (tf.nn.sampled_softmax_loss, _softmax_ref)],
                         ids=["nce", "sampled_softmax"])
def test_sampled_loss_gradients_match_central_differences(loss_fn, ref):
    w, b, labels, x, sampled, true_count, sampled_count = _problem()
    wt, bt, xt = tf.placeholder(tf.float64, w.shape), tf.placeholder(tf.float64, b.shape), tf.placeholder(
        tf.float64, x.shape)
    values = (tf.constant(sampled, tf.int64), tf.constant(true_count), tf.constant(sampled_count))
    loss = tf.reduce_sum(loss_fn(wt, bt, labels, xt, 4, 12, num_true=2, sampled_values=values))
    grads = [tf.convert_to_tensor(g) for g in tf.gradients(loss, [wt, bt, xt])]
    with tf.Session() as sess:
        analytic = sess.run(grads, {wt: w, bt: b, xt: x})
    rng = np.random.default_rng(0)
    for i, (arg, g) in enumerate(zip((w, b, x), analytic)):
        d = rng.standard_normal(arg.shape)
        moved = lambda eps: [a + eps * d if j == i else a for j, a in enumerate((w, b, x))]  # noqa: E731
        numeric = (ref(*moved(1e-6)[:2], labels, moved(1e-6)[2], sampled, true_count, sampled_count).sum() -
                   ref(*moved(-1e-6)[:2], labels, moved(-1e-6)[2], sampled, true_count, sampled_count).sum()) / 2e-6
        assert float(np.sum(g * d)) == pytest.approx(numeric, rel=1e-5, abs=1e-7)


def test_word_embeddings_train_with_nce_loss():
    tf.set_random_seed(1)
    vocabulary, dim, batch = 40, 8, 16
    embeddings = tf.Variable(tf.random_uniform([vocabulary, dim], -1.0, 1.0))
    nce_w = tf.Variable(tf.truncated_normal([vocabulary, dim], stddev=0.3))
    nce_b = tf.Variable(tf.zeros([vocabulary]))
    inputs = tf.placeholder(tf.int32, [batch])
    labels = tf.placeholder(tf.int32, [batch, 1])
    embed = tf.nn.embedding_lookup(embeddings, inputs)
    loss = tf.reduce_mean(tf.nn.nce_loss(nce_w, nce_b, labels, embed, 8, vocabulary))
    grad_w, = tf.gradients(loss, nce_w)
    assert isinstance(grad_w, tf.IndexedSlices)
    train = tf.train.GradientDescentOptimizer(1.0).minimize(loss)
    ids = np.random.default_rng(0).integers(0, vocabulary, batch)
    feed = {inputs: ids, labels: ((ids * 7) % vocabulary).reshape(batch, 1)}
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        first = np.mean([sess.run(loss, feed) for _ in range(5)])
        for _ in range(150):
            sess.run(train, feed)
        last = np.mean([sess.run(loss, feed) for _ in range(5)])
    assert last < 0.2 * first
