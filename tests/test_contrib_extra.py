"""tf.contrib leftovers tutorials use: seq2seq.sequence_loss against NumPy for every averaging/summing choice and
TF's errors; contrib.layers conv2d / max_pool2d / avg_pool2d (variable names, values against NumPy) and a small
tutorial CNN built from contrib layers (xavier_initializer, l2_regularizer, batch_norm, dropout) that trains."""
import numpy as np
import pytest

import neuroflow as tf


@pytest.fixture(autouse=True)
def _fresh_graph():
    tf.reset_default_graph()


def _crossent(logits, targets):
    shifted = logits - logits.max(-1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(-1, keepdims=True))
    return -np.take_along_axis(log_p, targets[..., None], -1)[..., 0]


RNG = np.random.default_rng(2)
LOGITS = RNG.standard_normal((3, 4, 5))
TARGETS = RNG.integers(0, 5, (3, 4))
WEIGHTS = np.array([[1, 1, 1, 0], [1, 1, 0, 0], [1, 1, 1, 1]], np.float64)


@pytest.mark.parametrize("flags, reference", [
    ({}, lambda c, w: (c * w).sum() / w.sum()),
    ({"average_across_timesteps": False}, lambda c, w: (c * w).sum(0) / w.sum(0)),  # [time]
    ({"average_across_batch": False}, lambda c, w: (c * w).sum(1) / w.sum(1)),  # [batch]
    ({"average_across_timesteps": False, "average_across_batch": False}, lambda c, w: c * w),
    ({"average_across_timesteps": False, "average_across_batch": False, "sum_over_timesteps": True,
      "sum_over_batch": True}, lambda c, w: (c * w).sum() / np.count_nonzero(w)),
    ({"average_across_timesteps": False, "average_across_batch": False, "sum_over_timesteps": True},
     lambda c, w: (c * w).sum(1) / np.count_nonzero(w, 1)),
], ids=["average_all", "per_step", "per_example", "unreduced", "sum_all", "sum_over_time"])
def test_sequence_loss_against_numpy(flags, reference):
    loss = tf.contrib.seq2seq.sequence_loss(tf.constant(LOGITS), tf.constant(TARGETS), tf.constant(WEIGHTS),
                                            **flags)
    with tf.Session() as sess:
        got = sess.run(loss)
    np.testing.assert_allclose(got, reference(_crossent(LOGITS, TARGETS), WEIGHTS), rtol=1e-10)
    assert loss.shape.is_compatible_with(np.shape(got))


def test_sequence_loss_errors_and_zero_weights():
    with pytest.raises(ValueError, match=r"Logits must be a \[batch_size x sequence_length x logits\] tensor"):
        tf.contrib.seq2seq.sequence_loss(tf.ones([2, 3]), tf.ones([2, 3], tf.int32), tf.ones([2, 3]))
    with pytest.raises(ValueError, match="average_across_timesteps and sum_over_timesteps cannot be set to True"):
        tf.contrib.seq2seq.sequence_loss(tf.ones([2, 3, 4]), tf.ones([2, 3], tf.int32), tf.ones([2, 3]),
                                         sum_over_timesteps=True)
    zero = tf.contrib.seq2seq.sequence_loss(tf.ones([2, 3, 4]), tf.ones([2, 3], tf.int32), tf.zeros([2, 3]))
    with tf.Session() as sess:
        assert sess.run(zero) == 0.0  # div_no_nan: no weight, no loss


def _conv_valid(x, w, stride):
    kh, kw = w.shape[:2]
    rows = (x.shape[1] - kh) // stride + 1
    cols = (x.shape[2] - kw) // stride + 1
    out = np.zeros((x.shape[0], rows, cols, w.shape[3]))
    for i in range(rows):
        for j in range(cols):
            patch = x[:, i * stride:i * stride + kh, j * stride:j * stride + kw, :]
            out[:, i, j] = np.tensordot(patch, w, axes=([1, 2, 3], [0, 1, 2]))
    return out


def test_conv2d_variables_and_values():
    x = RNG.standard_normal((2, 6, 7, 3))
    out = tf.contrib.layers.conv2d(tf.constant(x), 4, [3, 2], stride=2, padding="VALID", activation_fn=None,
                                   biases_initializer=tf.constant_initializer(0.5))
    same = tf.contrib.layers.conv2d(tf.constant(x), 5, 3)
    names = [v.name for v in tf.global_variables()]
    assert names == ["Conv/weights:0", "Conv/biases:0", "Conv_1/weights:0", "Conv_1/biases:0"]
    assert tf.get_collection(tf.GraphKeys.MODEL_VARIABLES)[0].name == "Conv/weights:0"
    assert out.shape.as_list() == [2, 2, 3, 4] and same.shape.as_list() == [2, 6, 7, 5]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        got, w, got_same = sess.run([out, tf.global_variables()[0], same])
    np.testing.assert_allclose(got, _conv_valid(x, w, 2) + 0.5, rtol=1e-10)
    assert (got_same >= 0).all()  # relu by default


def test_pooling_defaults_are_stride_two_valid():
    x = RNG.standard_normal((1, 5, 4, 2))
    mx = tf.contrib.layers.max_pool2d(tf.constant(x), [2, 2])
    av = tf.contrib.layers.avg_pool2d(tf.constant(x), 2)
    assert mx.op.name == "MaxPool2D/MaxPool" and mx.shape.as_list() == [1, 2, 2, 2]
    with tf.Session() as sess:
        got_max, got_avg = sess.run([mx, av])
    windows = x[:, :4, :4].reshape(1, 2, 2, 2, 2, 2).transpose(0, 1, 3, 2, 4, 5).reshape(1, 2, 2, 4, 2)
    np.testing.assert_allclose(got_max, windows.max(3))
    np.testing.assert_allclose(got_avg, windows.mean(3))


def test_tutorial_cnn_from_contrib_layers_trains():
    tf.set_random_seed(0)
    images = tf.placeholder(tf.float32, [None, 8, 8, 1])
    labels = tf.placeholder(tf.int64, [None])
    training = tf.placeholder_with_default(True, [])
    regularizer = tf.contrib.layers.l2_regularizer(1e-4)
    net = tf.contrib.layers.conv2d(images, 4, [3, 3], weights_initializer=tf.contrib.layers.xavier_initializer(),
                                   weights_regularizer=regularizer, normalizer_fn=tf.contrib.layers.batch_norm,
                                   normalizer_params={"is_training": training})
    net = tf.contrib.layers.max_pool2d(net, [2, 2])
    net = tf.contrib.layers.dropout(tf.contrib.layers.flatten(net), keep_prob=0.9, is_training=training)
    logits = tf.contrib.layers.fully_connected(net, 2, activation_fn=None)
    assert logits.shape.as_list() == [None, 2]
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)) + \
        tf.add_n(tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES))
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        train = tf.train.AdamOptimizer(0.05).minimize(loss)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((32, 8, 8, 1)).astype(np.float32)
    y = (x[:, :4].mean((1, 2, 3)) > x[:, 4:].mean((1, 2, 3))).astype(np.int64)  # top half brighter
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        before = sess.run(loss, {images: x, labels: y, training: False})
        for _ in range(40):
            sess.run(train, {images: x, labels: y})
        after = sess.run(loss, {images: x, labels: y, training: False})
    assert after < 0.5 * before


# --- seq2seq decoding -----------------------------------------------------------------------------------------
def _decoder_problem(lengths, impute_finished, batch=3, steps=5, depth=4, units=6, vocab=7):
    x = tf.constant(np.random.default_rng(0).standard_normal((batch, steps, depth)), tf.float64)
    cell = tf.nn.rnn_cell.BasicLSTMCell(units)
    projection = tf.layers.Dense(vocab, use_bias=False)
    helper = tf.contrib.seq2seq.TrainingHelper(x, tf.constant(lengths))
    decoder = tf.contrib.seq2seq.BasicDecoder(cell, helper, cell.zero_state(batch, tf.float64),
                                              output_layer=projection)
    outputs, state, out_lengths = tf.contrib.seq2seq.dynamic_decode(decoder, impute_finished=impute_finished)
    return x, cell, projection, outputs, state, out_lengths


def test_training_helper_decoding_is_dynamic_rnn_with_sequence_length():
    x, cell, projection, outputs, state, lengths = _decoder_problem([5, 3, 2], impute_finished=True)
    assert [v.name for v in tf.trainable_variables()] == ["decoder/basic_lstm_cell/kernel:0",
                                                          "decoder/basic_lstm_cell/bias:0", "decoder/dense/kernel:0"]
    assert outputs.rnn_output.shape.as_list() == [3, None, 7] and outputs.sample_id.dtype == tf.int32
    with tf.variable_scope("decoder", reuse=True):
        ref_out, ref_state = tf.nn.dynamic_rnn(cell, x, sequence_length=[5, 3, 2], dtype=tf.float64)
    # Finished rows emit zeros (impute_finished), so their projections are zero as the masked RNN outputs are.
    ref_logits = projection(ref_out)
    loss, ref_loss = tf.reduce_sum(outputs.rnn_output ** 2), tf.reduce_sum(ref_logits ** 2)
    grads = tf.gradients(loss, tf.trainable_variables())
    ref_grads = tf.gradients(ref_loss, tf.trainable_variables())
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        got, got_state, got_lengths, want, want_state, g, rg = sess.run(
            [outputs, state, lengths, ref_logits, ref_state, grads, ref_grads])
    np.testing.assert_array_equal(got_lengths, [5, 3, 2])
    np.testing.assert_allclose(got.rnn_output, want, atol=1e-12)
    np.testing.assert_array_equal(got.sample_id, np.argmax(got.rnn_output, -1))
    np.testing.assert_allclose(got_state.h, want_state.h, atol=1e-12)
    np.testing.assert_allclose(got_state.c, want_state.c, atol=1e-12)
    for a, b in zip(g, rg):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)


def test_decoding_without_imputing_runs_every_row_to_the_longest_length():
    x, cell, projection, outputs, _, lengths = _decoder_problem([3, 2, 1], impute_finished=False)
    with tf.variable_scope("decoder", reuse=True):
        ref_out, _ = tf.nn.dynamic_rnn(cell, x, dtype=tf.float64)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        got, got_lengths, want = sess.run([outputs.rnn_output, lengths, projection(ref_out)])
    np.testing.assert_array_equal(got_lengths, [3, 2, 1])
    np.testing.assert_allclose(got, want[:, :3], atol=1e-12)  # the inputs keep coming after a row's length


def test_greedy_embedding_decoding_feeds_back_its_argmax():
    batch, vocab, units, steps = 4, 6, 5, 6
    embeddings = tf.constant(np.random.default_rng(1).standard_normal((vocab, 3)))
    cell = tf.nn.rnn_cell.GRUCell(units)
    projection = tf.layers.Dense(vocab)
    end_token = 2
    helper = tf.contrib.seq2seq.GreedyEmbeddingHelper(embeddings, tf.fill([batch], 0), end_token)
    initial = tf.constant(np.random.default_rng(2).standard_normal((batch, units)))
    decoder = tf.contrib.seq2seq.BasicDecoder(cell, helper, initial, output_layer=projection)
    outputs, _, lengths = tf.contrib.seq2seq.dynamic_decode(decoder, maximum_iterations=steps)
    # The same greedy loop unrolled by hand with the decoder's variables.
    with tf.variable_scope("decoder", reuse=True):
        state, inputs, unrolled = initial, tf.nn.embedding_lookup(embeddings, tf.zeros([batch], tf.int32)), []
        for _ in range(steps):
            out, state = cell(inputs, state)
            ids = tf.argmax(projection(out), -1, output_type=tf.int32)
            unrolled.append(ids)
            inputs = tf.nn.embedding_lookup(embeddings, ids)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        got_ids, got_lengths, want = sess.run([outputs.sample_id, lengths, tf.stack(unrolled, 1)])
    for row in range(batch):
        ended = np.flatnonzero(want[row] == end_token)
        expected_length = ended[0] + 1 if ended.size else steps
        assert got_lengths[row] == expected_length
        np.testing.assert_array_equal(got_ids[row, :expected_length], want[row, :expected_length])
    assert got_ids.shape[1] == got_lengths.max()


def test_decoder_argument_errors():
    with pytest.raises(TypeError, match="Expected decoder to be type Decoder"):
        tf.contrib.seq2seq.dynamic_decode(object())
    with pytest.raises(ValueError, match="Expected sequence_length to be a vector"):
        tf.contrib.seq2seq.TrainingHelper(tf.ones([2, 3, 4]), 3)


def test_seq2seq_training_with_sequence_loss_learns_to_copy():
    """TrainingHelper feeding each step's token embedding; the decoder learns to emit that token."""
    tf.set_random_seed(3)
    batch, steps, vocab = 8, 6, 5
    tokens = np.random.default_rng(4).integers(1, vocab, (batch, steps))
    lengths = np.array([6, 5, 6, 4, 6, 3, 6, 5], np.int32)  # int32 like the step counter, as TF needs
    embeddings = tf.get_variable("embeddings", [vocab, 8])
    inputs = tf.nn.embedding_lookup(embeddings, tokens)
    cell = tf.nn.rnn_cell.BasicLSTMCell(16)
    helper = tf.contrib.seq2seq.TrainingHelper(inputs, lengths)
    decoder = tf.contrib.seq2seq.BasicDecoder(cell, helper, cell.zero_state(batch, tf.float32),
                                              output_layer=tf.layers.Dense(vocab))
    outputs, _, _ = tf.contrib.seq2seq.dynamic_decode(decoder, impute_finished=True)
    mask = tf.sequence_mask(lengths, steps, dtype=tf.float32)
    loss = tf.contrib.seq2seq.sequence_loss(outputs.rnn_output, tokens, mask)
    train = tf.train.AdamOptimizer(0.05).minimize(loss)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        first = sess.run(loss)
        for _ in range(60):
            sess.run(train)
        last = sess.run(loss)
    assert last < 0.2 * first


# --- more contrib.layers ----------------------------------------------------------------------------------------
def test_layer_norm_against_numpy():
    x = RNG.standard_normal((2, 3, 4))
    out = tf.contrib.layers.layer_norm(tf.constant(x), begin_norm_axis=1, begin_params_axis=-1)
    assert [v.name for v in tf.global_variables()] == ["LayerNorm/beta:0", "LayerNorm/gamma:0"]
    assert tf.global_variables()[0].shape.as_list() == [4]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        got = sess.run(out)
    mean, var = x.mean((1, 2), keepdims=True), x.var((1, 2), keepdims=True)
    np.testing.assert_allclose(got, (x - mean) / np.sqrt(var + 1e-12), rtol=1e-10)
    with pytest.raises(ValueError, match="must be < rank"):
        tf.contrib.layers.layer_norm(tf.constant(x), begin_norm_axis=3)


def test_embed_sequence_and_one_hot_encoding():
    ids = tf.constant([[1, 2, 0], [3, 3, 1]])
    embedded = tf.contrib.layers.embed_sequence(ids, vocab_size=5, embed_dim=4)
    onehot = tf.contrib.layers.one_hot_encoding(tf.constant([2, 0]), 3)
    assert tf.global_variables()[0].name == "EmbedSequence/embeddings:0"
    assert embedded.shape.as_list() == [2, 3, 4]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        got, table, hot = sess.run([embedded, tf.global_variables()[0], onehot])
    np.testing.assert_allclose(got, table[[[1, 2, 0], [3, 3, 1]]])
    np.testing.assert_array_equal(hot, [[0, 0, 1], [1, 0, 0]])
    with pytest.raises(ValueError, match="Must specify vocab size and embedding dimension"):
        tf.contrib.layers.embed_sequence(ids, vocab_size=5)


@pytest.mark.parametrize("padding, size", [("VALID", 7), ("SAME", 6)])
def test_conv2d_transpose_is_the_adjoint_of_conv2d(padding, size):
    """<conv2d_transpose(x, w), y> = <x, conv2d(y, w)> for a stride-2 3x3 kernel (VALID: the NumPy convolution)."""
    x = RNG.standard_normal((2, 3, 3, 4))
    out = tf.contrib.layers.conv2d_transpose(tf.constant(x), 5, 3, stride=2, padding=padding, activation_fn=None,
                                             biases_initializer=None)
    assert tf.global_variables()[0].name == "Conv2d_transpose/weights:0"
    assert tf.global_variables()[0].shape.as_list() == [3, 3, 5, 4]
    assert out.shape.as_list() == [2, size, size, 5]
    y = RNG.standard_normal((2, size, size, 5))
    back = tf.nn.conv2d(tf.constant(y), tf.global_variables()[0], [1, 2, 2, 1], padding)  # [kh, kw, 5, 4]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        got, w, conv_y = sess.run([out, tf.global_variables()[0], back])
    if padding == "VALID":
        conv_y = _conv_valid(y, w, 2)
    np.testing.assert_allclose(np.sum(got * y), np.sum(x * conv_y), rtol=1e-10)


# --- attention ------------------------------------------------------------------------------------------------
def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def _attention_reference(weights, x, memory, memory_lengths, kind):
    """The attention decoder of test_attention_decoder_against_numpy, step by step in NumPy."""
    batch, steps, _ = x.shape
    mask = np.arange(memory.shape[1])[None, :] < np.array(memory_lengths)[:, None]
    values = memory * mask[:, :, None]
    keys = values @ weights["memory_layer/kernel"]
    units = weights["attention_layer/kernel"].shape[1]
    hidden = weights["basic_lstm_cell/bias"].shape[0] // 4
    c, h, attention = np.zeros((batch, hidden)), np.zeros((batch, hidden)), np.zeros((batch, units))
    logits = []
    for t in range(steps):
        z = np.concatenate([x[:, t], attention, h], 1) @ weights["basic_lstm_cell/kernel"] + \
            weights["basic_lstm_cell/bias"]
        i, j, f, o = np.split(z, 4, axis=1)
        c = c * _sigmoid(f + 1.0) + _sigmoid(i) * np.tanh(j)
        h = np.tanh(c) * _sigmoid(o)
        if kind == "bahdanau":
            query = h @ weights["query_layer/kernel"]
            score = (weights["attention_v"] * np.tanh(keys + query[:, None])).sum(2)
        else:
            score = np.einsum("bu,btu->bt", h, keys)
        score = np.where(mask, score, -np.inf)
        align = np.exp(score - score.max(1, keepdims=True))
        align /= align.sum(1, keepdims=True)
        context = np.einsum("bt,btd->bd", align, values)
        attention = np.concatenate([h, context], 1) @ weights["attention_layer/kernel"]
        logits.append(attention @ weights["dense/kernel"] + weights["dense/bias"])
    return np.stack(logits, 1)


@pytest.mark.parametrize("kind", ["bahdanau", "luong"])
def test_attention_decoder_against_numpy(kind):
    rng = np.random.default_rng(5)
    batch, hidden, depth, vocab = 2, 5, 3, 6
    memory = rng.standard_normal((batch, 4, depth))
    x = rng.standard_normal((batch, 3, depth))
    lengths = [4, 2]
    if kind == "bahdanau":
        mechanism = tf.contrib.seq2seq.BahdanauAttention(7, tf.constant(memory), memory_sequence_length=lengths)
    else:
        mechanism = tf.contrib.seq2seq.LuongAttention(hidden, tf.constant(memory), memory_sequence_length=lengths)
    cell = tf.contrib.seq2seq.AttentionWrapper(tf.nn.rnn_cell.BasicLSTMCell(hidden), mechanism,
                                               attention_layer_size=4)
    decoder = tf.contrib.seq2seq.BasicDecoder(cell, tf.contrib.seq2seq.TrainingHelper(tf.constant(x), [3, 3]),
                                              cell.zero_state(batch, tf.float64), output_layer=tf.layers.Dense(vocab))
    outputs, state, _ = tf.contrib.seq2seq.dynamic_decode(decoder)
    names = [v.name for v in tf.global_variables()]
    attention_vars = ["decoder/attention_wrapper/bahdanau_attention/query_layer/kernel:0",
                      "decoder/attention_wrapper/bahdanau_attention/attention_v:0"] if kind == "bahdanau" else []
    assert names == ["memory_layer/kernel:0", "decoder/attention_wrapper/basic_lstm_cell/kernel:0",
                     "decoder/attention_wrapper/basic_lstm_cell/bias:0"] + attention_vars + [
                     "decoder/attention_wrapper/attention_layer/kernel:0", "decoder/dense/kernel:0",
                     "decoder/dense/bias:0"]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        got, alignments, values = sess.run([outputs.rnn_output, state.alignments, tf.global_variables()])
    weights = {n.replace("decoder/", "").replace("attention_wrapper/", "").replace("bahdanau_attention/", "")
               .replace(":0", ""): v for n, v in zip(names, values)}
    np.testing.assert_allclose(got, _attention_reference(weights, x, memory, lengths, kind), rtol=1e-9, atol=1e-12)
    assert (alignments[1, 2:] == 0).all()  # memory past row 1's length gets no attention


def test_tile_batch_repeats_rows_in_place():
    with tf.Session() as sess:
        got = sess.run(tf.contrib.seq2seq.tile_batch(tf.constant([[1, 2], [3, 4]]), 3))
    np.testing.assert_array_equal(got, [[1, 2]] * 3 + [[3, 4]] * 3)


def test_attention_decoder_gradients_match_central_differences_of_the_numpy_reference():
    rng = np.random.default_rng(6)
    memory, x, lengths = rng.standard_normal((2, 4, 3)), rng.standard_normal((2, 3, 3)), [3, 4]
    mechanism = tf.contrib.seq2seq.BahdanauAttention(7, tf.constant(memory), memory_sequence_length=lengths)
    cell = tf.contrib.seq2seq.AttentionWrapper(tf.nn.rnn_cell.BasicLSTMCell(5), mechanism, attention_layer_size=4)
    decoder = tf.contrib.seq2seq.BasicDecoder(cell, tf.contrib.seq2seq.TrainingHelper(tf.constant(x), [3, 3]),
                                              cell.zero_state(2, tf.float64), output_layer=tf.layers.Dense(6))
    outputs, _, _ = tf.contrib.seq2seq.dynamic_decode(decoder)
    readout = rng.standard_normal((2, 3, 6))
    variables = tf.global_variables()
    grads = tf.gradients(tf.reduce_sum(outputs.rnn_output * readout), variables)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        values, analytic = sess.run([variables, grads])
    keys = [v.name.replace("decoder/", "").replace("attention_wrapper/", "").replace("bahdanau_attention/", "")
            .replace(":0", "") for v in variables]

    def loss(ws):
        return np.sum(_attention_reference(dict(zip(keys, ws)), x, memory, lengths, "bahdanau") * readout)
    directions = [rng.standard_normal(v.shape) for v in values]
    numeric = (loss([v + 1e-6 * d for v, d in zip(values, directions)]) -
               loss([v - 1e-6 * d for v, d in zip(values, directions)])) / 2e-6
    projected = sum(np.sum(g * d) for g, d in zip(analytic, directions))
    assert projected == pytest.approx(numeric, rel=1e-6)
