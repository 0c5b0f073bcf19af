"""tf.keras.layers: every public layer class through `layer_test` (tests/keras_layer_testing.py, a coverage test
checks); output shapes (static and run), weight names and counts, forward values against NumPy with set weights,
the training flag (learning phase), get/set_weights and Keras's argument handling and messages."""
import json

import numpy as np
import pytest

import neuroflow as tf
from keras_layer_testing import layer_test
from statistical_bounds import frequency_tolerance

K = tf.keras
L = tf.keras.layers


def run(fetches, feeds=None):
    return K.backend.get_session().run(fetches, feeds)


def names(layer):
    return [w.name for w in layer.weights]


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def hard_sigmoid(x):
    return np.clip(0.2 * x + 0.5, 0, 1)


# --- core ---------------------------------------------------------------------------------------------------------
def test_dense_shape_names_and_value(rng):
    x = tf.placeholder(tf.float32, [None, 5])
    layer = L.Dense(3, activation="relu")
    y = layer(x)
    assert y.shape.as_list() == [None, 3] and y.name == "dense/Relu:0"
    assert names(layer) == ["dense/kernel:0", "dense/bias:0"] and layer.count_params() == 18
    w, b = rng.standard_normal((5, 3)), rng.standard_normal(3)
    layer.set_weights([w, b])
    xv = rng.standard_normal((4, 5)).astype(np.float32)
    out = run(y, {x: xv})
    assert out.shape == (4, 3)
    np.testing.assert_allclose(out, np.maximum(xv @ w + b, 0), rtol=1e-5, atol=1e-6)
    second = L.Dense(2, use_bias=False, kernel_initializer="zeros")
    assert second.name == "dense_1" and names(second) == []
    second(y)
    assert names(second) == ["dense_1/kernel:0"] and (second.get_weights()[0] == 0).all()


def test_dense_defaults_and_keras_argument_errors():
    layer = L.Dense(4, input_dim=3)
    assert layer._batch_input_shape == (None, 3) and layer.activation is K.activations.linear
    x = tf.placeholder(tf.float32, [None, 3])
    layer(x)
    kernel, bias = layer.get_weights()
    assert np.abs(kernel).max() <= np.sqrt(6 / 7) and (bias == 0).all()   # glorot_uniform and zeros
    with pytest.raises(TypeError, match="Keyword argument not understood"):
        L.Dense(3, units_typo=2)
    with pytest.raises(ValueError, match="Unknown activation function"):
        L.Dense(3, activation="nope")
    with pytest.raises(ValueError, match="expected min_ndim=2, found ndim=1"):
        L.Dense(3)(tf.placeholder(tf.float32, [5]))
    with pytest.raises(ValueError, match="last dimension of the inputs to `Dense` should be defined"):
        L.Dense(3)(tf.placeholder(tf.float32, [None, None]))


def test_activation_lambda_reshape_flatten_permute_repeat(rng):
    x = tf.placeholder(tf.float32, [None, 2, 3, 4])
    xv = rng.standard_normal((2, 2, 3, 4)).astype(np.float32)
    flat = L.Flatten()(x)
    reshaped = L.Reshape((4, -1))(x)
    permuted = L.Permute((3, 1, 2))(x)
    act = L.Activation("tanh")(x)
    soft = L.Activation("softmax")(flat)
    lam = L.Lambda(lambda t, k: t * k, arguments={"k": 3.0})(x)
    rep = L.RepeatVector(2)(flat)
    assert flat.shape.as_list() == [None, 24] and reshaped.shape.as_list() == [None, 4, 6]
    assert permuted.shape.as_list() == [None, 4, 2, 3] and rep.shape.as_list() == [None, 2, 24]
    got = run([flat, reshaped, permuted, act, soft, lam, rep], {x: xv})
    e = np.exp(xv.reshape(2, -1) - xv.reshape(2, -1).max(1, keepdims=True))
    expected = [xv.reshape(2, 24), xv.reshape(2, 4, 6), xv.transpose(0, 3, 1, 2), np.tanh(xv),
                e / e.sum(1, keepdims=True), 3 * xv, np.repeat(xv.reshape(2, 1, 24), 2, 1)]
    for g, want in zip(got, expected):
        np.testing.assert_allclose(g, want, rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="total size of new array must be unchanged"):
        L.Reshape((5,))(x)


def test_dropout_follows_learning_phase_and_training_argument():
    x = tf.placeholder(tf.float32, [None, 1000])
    layer = L.Dropout(0.5, seed=1)
    y = layer(x)
    y_train = layer(x, training=True)
    y_test = layer(x, training=False)
    ones = np.ones((4, 1000), np.float32)
    np.testing.assert_array_equal(run(y, {x: ones}), ones)           # learning phase defaults to 0 (test)
    np.testing.assert_array_equal(run(y_test, {x: ones}), ones)
    for out in (run(y, {x: ones, K.backend.learning_phase(): True}), run(y_train, {x: ones})):
        assert set(np.unique(out)) <= {0.0, 2.0} and abs((out == 0).mean() - 0.5) < frequency_tolerance(out.size, 0.5)
    assert K.backend.learning_phase().name == "keras_learning_phase:0"


# --- convolution and pooling -----------------------------------------------------------------------------------------
def conv2d_ref(x, w, b, stride=1):
    kh, kw = w.shape[:2]
    out_h, out_w = (x.shape[1] - kh) // stride + 1, (x.shape[2] - kw) // stride + 1
    out = np.zeros((x.shape[0], out_h, out_w, w.shape[3]))
    for i in range(out_h):
        for j in range(out_w):
            patch = x[:, i * stride:i * stride + kh, j * stride:j * stride + kw, :]
            out[:, i, j] = np.tensordot(patch, w, axes=([1, 2, 3], [0, 1, 2]))
    return out + b


def test_conv2d_shapes_names_and_value(rng):
    x = tf.placeholder(tf.float32, [None, 7, 6, 2])
    layer = L.Conv2D(3, (3, 2), strides=2, activation="relu")
    y = layer(x)
    same = L.Conv2D(4, 3, padding="same")(x)
    assert y.shape.as_list() == [None, 3, 3, 3] and same.shape.as_list() == [None, 7, 6, 4]
    assert names(layer) == ["conv2d/kernel:0", "conv2d/bias:0"] and layer.count_params() == 3 * 2 * 2 * 3 + 3
    w, b = rng.standard_normal((3, 2, 2, 3)), rng.standard_normal(3)
    layer.set_weights([w, b])
    xv = rng.standard_normal((2, 7, 6, 2)).astype(np.float32)
    out, out_same = run([y, same], {x: xv})
    assert out_same.shape == (2, 7, 6, 4)
    np.testing.assert_allclose(out, np.maximum(conv2d_ref(xv, w, b, 2), 0), rtol=1e-4, atol=1e-5)


def test_conv1d_causal(rng):
    x = tf.placeholder(tf.float32, [None, 6, 2])
    layer = L.Conv1D(2, 3, padding="causal")
    y = layer(x)
    assert y.shape.as_list() == [None, 6, 2] and names(layer) == ["conv1d/kernel:0", "conv1d/bias:0"]
    w, b = rng.standard_normal((3, 2, 2)), rng.standard_normal(2)
    layer.set_weights([w, b])
    xv = rng.standard_normal((1, 6, 2)).astype(np.float32)
    padded = np.concatenate([np.zeros((1, 2, 2)), xv], 1)
    expected = np.stack([np.tensordot(padded[:, t:t + 3], w, ([1, 2], [0, 1])) for t in range(6)], 1) + b
    np.testing.assert_allclose(run(y, {x: xv}), expected, rtol=1e-4, atol=1e-5)


def test_pooling_layers(rng):
    x = tf.placeholder(tf.float32, [None, 4, 6, 3])
    xv = rng.standard_normal((2, 4, 6, 3)).astype(np.float32)
    mx, avg, gap, gmp = L.MaxPooling2D()(x), L.AveragePooling2D((2, 3))(x), L.GlobalAveragePooling2D()(x), \
        L.GlobalMaxPooling2D()(x)
    assert mx.shape.as_list() == [None, 2, 3, 3] and avg.shape.as_list() == [None, 2, 2, 3]
    assert gap.shape.as_list() == [None, 3] and gmp.shape.as_list() == [None, 3]
    got = run([mx, avg, gap, gmp], {x: xv})
    blocks = xv.reshape(2, 2, 2, 3, 2, 3)
    np.testing.assert_allclose(got[0], blocks.max(axis=(2, 4)), rtol=1e-6)
    np.testing.assert_allclose(got[1], xv.reshape(2, 2, 2, 2, 3, 3).mean(axis=(2, 4)), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got[2], xv.mean(axis=(1, 2)), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got[3], xv.max(axis=(1, 2)), rtol=1e-6)
    seq = tf.placeholder(tf.float32, [None, 6, 2])
    assert L.MaxPooling1D()(seq).shape.as_list() == [None, 3, 2]
    assert L.GlobalAveragePooling1D()(seq).shape.as_list() == [None, 2]
    assert L.MaxPooling2D().name == "max_pooling2d_1"


# --- batch normalization --------------------------------------------------------------------------------------------
def test_batch_normalization_modes_and_updates(rng):
    x = tf.placeholder(tf.float32, [None, 3])
    layer = L.BatchNormalization(momentum=0.9)
    y_infer = layer(x)
    y_train = layer(x, training=True)
    assert names(layer) == ["batch_normalization/gamma:0", "batch_normalization/beta:0",
                            "batch_normalization/moving_mean:0", "batch_normalization/moving_variance:0"]
    assert [w.name for w in layer.trainable_weights] == names(layer)[:2] and len(layer.non_trainable_weights) == 2
    assert len(tf.trainable_variables()) == 2
    gamma, beta, mean, var = rng.random(3) + 0.5, rng.standard_normal(3), rng.standard_normal(3), rng.random(3) + 1
    layer.set_weights([gamma, beta, mean, var])
    xv = rng.standard_normal((8, 3)).astype(np.float32)
    np.testing.assert_allclose(run(y_infer, {x: xv}), (xv - mean) / np.sqrt(var + 1e-3) * gamma + beta, rtol=1e-4,
                               atol=1e-5)
    bm, bv = xv.mean(0), xv.var(0)
    np.testing.assert_allclose(run(y_train, {x: xv}), (xv - bm) / np.sqrt(bv + 1e-3) * gamma + beta, rtol=1e-4,
                               atol=1e-4)
    updates = layer.get_updates_for(x)
    assert len(updates) == 4 and layer.updates == [u for u, _ in layer._updates]
    assert tf.get_collection(tf.GraphKeys.UPDATE_OPS) == []    # Keras layers keep their updates to themselves
    run(layer.updates[2:], {x: xv})                            # the updates of the training call
    new_mean, new_var = layer.get_weights()[2:]
    np.testing.assert_allclose(new_mean, 0.9 * mean + 0.1 * bm, rtol=1e-5)
    np.testing.assert_allclose(new_var, 0.9 * var + 0.1 * bv, rtol=1e-5)


def test_batch_normalization_on_images_uses_channels(rng):
    x = tf.placeholder(tf.float32, [None, 4, 4, 2])
    layer = L.BatchNormalization()
    y = layer(x, training=True)
    assert y.shape.as_list() == [None, 4, 4, 2] and layer.count_params() == 8
    xv = rng.standard_normal((3, 4, 4, 2)).astype(np.float32)
    expected = (xv - xv.mean((0, 1, 2))) / np.sqrt(xv.var((0, 1, 2)) + 1e-3)
    np.testing.assert_allclose(run(y, {x: xv}), expected, rtol=1e-3, atol=1e-3)


# --- embedding and recurrent layers -----------------------------------------------------------------------------------
def test_embedding(rng):
    ids = tf.placeholder(tf.int32, [None, 5])
    layer = L.Embedding(10, 4)
    y = layer(ids)
    assert y.shape.as_list() == [None, 5, 4] and y.dtype == tf.float32 and names(layer) == ["embedding/embeddings:0"]
    table = layer.get_weights()[0]
    assert table.shape == (10, 4) and np.abs(table).max() <= 0.05     # "uniform": [-0.05, 0.05]
    iv = rng.integers(0, 10, (2, 5))
    np.testing.assert_array_equal(run(y, {ids: iv}), table[iv])
    assert L.Embedding(10, 4, input_length=5)._batch_input_shape == (None, 5)
    with pytest.raises(NotImplementedError, match="mask_zero"):
        L.Embedding(10, 4, mask_zero=True)


def lstm_ref(x, w, u, b, gate, backwards=False):
    h = c = np.zeros((x.shape[0], u.shape[0]))
    n, hs = u.shape[0], []
    for t in (range(x.shape[1] - 1, -1, -1) if backwards else range(x.shape[1])):
        z = x[:, t] @ w + h @ u + b
        i, f, g, o = gate(z[:, :n]), gate(z[:, n:2 * n]), np.tanh(z[:, 2 * n:3 * n]), gate(z[:, 3 * n:])
        c = f * c + i * g
        h = o * np.tanh(c)
        hs.append(h)
    return np.stack(hs, 1), h, c


def gru_ref(x, w, u, b, reset_after=False):
    n = u.shape[0]
    h, hs = np.zeros((x.shape[0], n)), []
    for t in range(x.shape[1]):
        xb = x[:, t] @ w + (b[0] if reset_after else b)
        if reset_after:
            rec = h @ u + b[1]
            z, r = hard_sigmoid(xb[:, :n] + rec[:, :n]), hard_sigmoid(xb[:, n:2 * n] + rec[:, n:2 * n])
            hh = np.tanh(xb[:, 2 * n:] + r * rec[:, 2 * n:])
        else:
            z = hard_sigmoid(xb[:, :n] + h @ u[:, :n])
            r = hard_sigmoid(xb[:, n:2 * n] + h @ u[:, n:2 * n])
            hh = np.tanh(xb[:, 2 * n:] + (r * h) @ u[:, 2 * n:])
        h = z * h + (1 - z) * hh
        hs.append(h)
    return np.stack(hs, 1)


@pytest.mark.parametrize("gate", ["hard_sigmoid", "sigmoid"])   # composed steps / one fused BlockLSTM op
@pytest.mark.parametrize("backwards", [False, True])
def test_lstm_matches_keras_equations(rng, gate, backwards):
    x = tf.placeholder(tf.float64, [None, 5, 3])
    layer = L.LSTM(4, recurrent_activation=gate, return_sequences=True, return_state=True, go_backwards=backwards,
                   dtype="float64")
    seq, h, c = layer(x)
    assert seq.shape.as_list() == [None, 5, 4] and h.shape.as_list() == [None, 4] and c.shape.as_list() == [None, 4]
    assert names(layer) == ["lstm/kernel:0", "lstm/recurrent_kernel:0", "lstm/bias:0"]
    assert [w.shape for w in layer.get_weights()] == [(3, 16), (4, 16), (16,)]
    w, u, b = rng.standard_normal((3, 16)), rng.standard_normal((4, 16)), rng.standard_normal(16)
    layer.set_weights([w, u, b])
    xv = rng.standard_normal((2, 5, 3))
    for got, want in zip(run([seq, h, c], {x: xv}),
                         lstm_ref(xv, w, u, b, hard_sigmoid if gate == "hard_sigmoid" else sigmoid, backwards)):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)


def test_lstm_initial_weights_and_last_output():
    layer = L.LSTM(3)
    y = layer(tf.placeholder(tf.float32, [None, 4, 2]))
    assert y.shape.as_list() == [None, 3]
    kernel, recurrent, bias = layer.get_weights()
    np.testing.assert_array_equal(bias, [0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0])   # unit_forget_bias
    np.testing.assert_allclose(recurrent @ recurrent.T, np.eye(3), atol=1e-5)   # orthogonal rows
    assert layer.recurrent_activation is K.activations.hard_sigmoid           # TF 1.x Keras default
    with pytest.raises(ValueError, match="number of time steps"):
        L.LSTM(2)(tf.placeholder(tf.float32, [None, None, 2]))


@pytest.mark.parametrize("reset_after", [False, True])
def test_gru_matches_keras_equations(rng, reset_after):
    x = tf.placeholder(tf.float64, [None, 4, 3])
    layer = L.GRU(5, return_sequences=True, reset_after=reset_after, dtype="float64")
    y = layer(x)
    assert names(layer) == ["gru/kernel:0", "gru/recurrent_kernel:0", "gru/bias:0"]
    shapes = [(3, 15), (5, 15), (2, 15) if reset_after else (15,)]
    assert [w.shape for w in layer.get_weights()] == shapes
    weights = [rng.standard_normal(s) for s in shapes]
    layer.set_weights(weights)
    xv = rng.standard_normal((2, 4, 3))
    np.testing.assert_allclose(run(y, {x: xv}), gru_ref(xv, *weights, reset_after=reset_after), rtol=1e-10,
                               atol=1e-12)


def test_simple_rnn_and_return_state(rng):
    x = tf.placeholder(tf.float64, [None, 3, 2])
    layer = L.SimpleRNN(4, activation="relu", return_state=True, dtype="float64")
    out, state = layer(x)
    assert names(layer) == ["simple_rnn/kernel:0", "simple_rnn/recurrent_kernel:0", "simple_rnn/bias:0"]
    w, u, b = rng.standard_normal((2, 4)), rng.standard_normal((4, 4)), rng.standard_normal(4)
    layer.set_weights([w, u, b])
    xv = rng.standard_normal((2, 3, 2))
    h = np.zeros((2, 4))
    for t in range(3):
        h = np.maximum(xv[:, t] @ w + h @ u + b, 0)
    got_out, got_state = run([out, state], {x: xv})
    np.testing.assert_allclose(got_out, h, rtol=1e-10)
    np.testing.assert_allclose(got_state, h, rtol=1e-10)


def test_rnn_initial_state_and_dropout(rng):
    x = tf.placeholder(tf.float64, [None, 3, 2])
    h0 = tf.placeholder(tf.float64, [None, 4])
    layer = L.SimpleRNN(4, dropout=0.5, recurrent_dropout=0.5, dtype="float64")
    y = layer(x, initial_state=h0)
    w, u, b = rng.standard_normal((2, 4)), rng.standard_normal((4, 4)), rng.standard_normal(4)
    layer.set_weights([w, u, b])
    xv, hv = rng.standard_normal((2, 3, 2)), rng.standard_normal((2, 4))
    h = hv
    for t in range(3):
        h = np.tanh(xv[:, t] @ w + h @ u + b)
    np.testing.assert_allclose(run(y, {x: xv, h0: hv}), h, rtol=1e-10)      # no dropout outside training
    a = run(y, {x: xv, h0: hv, K.backend.learning_phase(): True})
    assert not np.allclose(a, h)


def test_bidirectional(rng):
    x = tf.placeholder(tf.float64, [None, 4, 3])
    template = L.LSTM(2, return_sequences=True, recurrent_activation="sigmoid", dtype="float64")
    layer = L.Bidirectional(template)
    y = layer(x)
    assert y.shape.as_list() == [None, 4, 4]
    assert names(layer) == [f"bidirectional/forward_lstm/{n}:0" for n in ("kernel", "recurrent_kernel", "bias")] + \
        [f"bidirectional/backward_lstm/{n}:0" for n in ("kernel", "recurrent_kernel", "bias")]
    assert layer.backward_layer.go_backwards and not layer.forward_layer.go_backwards
    fw = [rng.standard_normal(s) for s in [(3, 8), (2, 8), (8,)]]
    bw = [rng.standard_normal(s) for s in [(3, 8), (2, 8), (8,)]]
    layer.set_weights(fw + bw)
    xv = rng.standard_normal((2, 4, 3))
    expected = np.concatenate([lstm_ref(xv, *fw, sigmoid)[0], lstm_ref(xv, *bw, sigmoid, backwards=True)[0][:, ::-1]],
                              -1)
    np.testing.assert_allclose(run(y, {x: xv}), expected, rtol=1e-10, atol=1e-12)
    summed = L.Bidirectional(L.GRU(3), merge_mode="sum")(x)
    assert summed.shape.as_list() == [None, 3]
    with pytest.raises(ValueError, match="Invalid merge mode"):
        L.Bidirectional(L.GRU(3), merge_mode="max")


def test_time_distributed(rng):
    x = tf.placeholder(tf.float32, [None, 5, 3])
    layer = L.TimeDistributed(L.Dense(2))
    y = layer(x)
    assert y.shape.as_list() == [None, 5, 2] and names(layer) == ["time_distributed/kernel:0",
                                                                   "time_distributed/bias:0"]
    w, b = layer.get_weights()
    xv = rng.standard_normal((2, 5, 3)).astype(np.float32)
    np.testing.assert_allclose(run(y, {x: xv}), xv @ w + b, rtol=1e-5, atol=1e-6)


# --- merge layers -----------------------------------------------------------------------------------------------------
def test_merge_layers(rng):
    a, b = tf.placeholder(tf.float32, [None, 3]), tf.placeholder(tf.float32, [None, 3])
    av, bv = rng.standard_normal((2, 3)).astype(np.float32), rng.standard_normal((2, 3)).astype(np.float32)
    outs = [L.Add()([a, b]), L.Subtract()([a, b]), L.Multiply()([a, b]), L.Average()([a, b]), L.Maximum()([a, b]),
            L.Concatenate()([a, b]), L.concatenate([a, b], axis=0), L.add([a, b, a])]
    want = [av + bv, av - bv, av * bv, (av + bv) / 2, np.maximum(av, bv), np.concatenate([av, bv], 1),
            np.concatenate([av, bv], 0), 2 * av + bv]
    for got, w in zip(run(outs, {a: av, b: bv}), want):
        np.testing.assert_allclose(got, w, rtol=1e-6)
    with pytest.raises(ValueError, match="should be called on a list of inputs"):
        L.Add()(a)
    with pytest.raises(ValueError, match="at least 2 inputs"):
        L.Add()([a])
    with pytest.raises(ValueError, match="requires inputs with matching shapes except for the concat axis"):
        L.Concatenate()([a, tf.placeholder(tf.float32, [None, 2, 2])])


# --- weights ----------------------------------------------------------------------------------------------------------
def test_get_set_weights_round_trip_and_errors(rng):
    layer = L.Dense(3)
    layer(tf.placeholder(tf.float32, [None, 2]))
    values = [rng.standard_normal((2, 3)).astype(np.float32), rng.standard_normal(3).astype(np.float32)]
    layer.set_weights(values)
    for got, want in zip(layer.get_weights(), values):
        np.testing.assert_array_equal(got, want)
    with pytest.raises(ValueError, match="with a  weight list of length 1, but the layer was expecting 2 weights"):
        layer.set_weights(values[:1])
    with pytest.raises(ValueError, match=r"Layer weight shape \(2, 3\) not compatible with provided weight shape "
                                         r"\(3, 2\)"):
        layer.set_weights([values[0].T, values[1]])
    unbuilt = L.Dense(2)
    assert unbuilt.weights == [] and unbuilt.get_weights() == []
    with pytest.raises(ValueError, match="isn't built"):
        unbuilt.count_params()


def test_initial_weights_argument_and_regularizers(rng):
    table = rng.standard_normal((6, 2)).astype(np.float32)
    emb = L.Embedding(6, 2, weights=[table])
    emb(tf.placeholder(tf.int32, [None, 3]))
    np.testing.assert_array_equal(emb.get_weights()[0], table)
    dense = L.Dense(2, kernel_regularizer=K.regularizers.l2(0.1), bias_regularizer="l1",
                    activity_regularizer=K.regularizers.l1(0.5))
    x = tf.placeholder(tf.float32, [None, 3])
    y = dense(x)
    assert len(dense.losses) == 3 and tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES) == []
    kernel, bias = dense.get_weights()
    xv = np.ones((2, 3), np.float32)
    l2, l1, act = run(dense.losses, {x: xv})
    np.testing.assert_allclose(l2, 0.1 * (kernel ** 2).sum(), rtol=1e-5)
    np.testing.assert_allclose(l1, 0.01 * np.abs(bias).sum(), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(act, 0.5 * np.abs(run(y, {x: xv})).sum(), rtol=1e-5)


def test_initializers():
    x = tf.placeholder(tf.float32, [None, 40])
    ortho = L.Dense(60, kernel_initializer="orthogonal", bias_initializer=K.initializers.Constant(2.0))
    square = L.Dense(40, kernel_initializer=K.initializers.Orthogonal(gain=2.0))
    ident = L.Dense(40, kernel_initializer="identity")
    for layer in (ortho, square, ident):
        layer(x)
    k, b = ortho.get_weights()
    np.testing.assert_allclose(k @ k.T, np.eye(40), atol=1e-5)
    np.testing.assert_array_equal(b, 2.0)
    s = square.get_weights()[0]
    np.testing.assert_allclose(s.T @ s, 4 * np.eye(40), atol=1e-4)
    np.testing.assert_array_equal(ident.get_weights()[0], np.eye(40))
    with pytest.raises(ValueError, match="Unknown initializer"):
        L.Dense(2, kernel_initializer="nope")


class Scale(L.Layer):
    """A custom layer: one trainable scale per feature and one non-trainable counter."""

    def build(self, input_shape):
        self.s = self.add_weight("s", shape=[int(input_shape[-1])], initializer="ones")
        self.c = self.add_weight("count", shape=[], initializer="zeros", trainable=False)
        super().build(input_shape)

    def call(self, inputs):
        return inputs * self.s


def test_custom_layer_with_add_weight(rng):
    layer = Scale()
    x = tf.placeholder(tf.float32, [None, 3])
    y = layer(x)
    assert layer.name == "scale" and names(layer) == ["scale/s:0", "scale/count:0"]
    assert [w.name for w in layer.trainable_weights] == ["scale/s:0"]
    layer.set_weights([np.array([1, 2, 3], np.float32), np.float32(5)])
    np.testing.assert_allclose(run(y, {x: np.ones((1, 3))}), [[1, 2, 3]])
    layer.trainable = False
    assert layer.trainable_weights == [] and len(layer.non_trainable_weights) == 2


def test_layer_trains_with_a_tf_optimizer(rng):
    x = tf.placeholder(tf.float32, [None, 4])
    target = tf.placeholder(tf.float32, [None, 1])
    h = L.Dense(8, activation="tanh")(x)
    h = L.BatchNormalization()(h)
    y = L.Dense(1)(L.Dropout(0.1)(h))
    loss = tf.reduce_mean(tf.square(y - target))
    step = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    xv = rng.standard_normal((32, 4)).astype(np.float32)
    tv = xv.sum(1, keepdims=True)
    sess = K.backend.get_session()
    feeds = {x: xv, target: tv, K.backend.learning_phase(): True}
    before = sess.run(loss, feeds)
    for _ in range(5):
        sess.run(step, feeds)
    assert sess.run(loss, feeds) < before


# --- layer_test: every public layer class ------------------------------------------------------------------------
def case(layer_cls, kwargs, input_shape, **checks):
    return pytest.param(layer_cls, kwargs, input_shape, checks, id=layer_cls.__name__)


def negate(x):
    return -x


SEQ = (None, 4, 2)   # (batch, time, features)
LAYER_CASES = [
    case(L.Dense, dict(units=3), (None, 5), expected_output_shape=[None, 3], expected_trainable=2),
    case(L.Dense, dict(units=3, activation="softmax", use_bias=False, kernel_regularizer="l2"), (None, 2, 5),
         expected_output_shape=[None, 2, 3], expected_trainable=1),
    case(L.Activation, dict(activation="tanh"), (None, 4), expected_output_shape=[None, 4]),
    case(L.Dropout, dict(rate=0.5), (None, 4), expected_output_shape=[None, 4]),
    case(L.Dropout, dict(rate=0.5, seed=3), (None, 4), call_kwargs=dict(training=True), deterministic=False),
    case(L.Flatten, {}, (None, 2, 3), expected_output_shape=[None, 6]),
    case(L.Reshape, dict(target_shape=(3, -1)), (None, 6), expected_output_shape=[None, 3, 2]),
    case(L.Permute, dict(dims=(2, 1)), (None, 2, 3), expected_output_shape=[None, 3, 2]),
    case(L.RepeatVector, dict(n=3), (None, 4), expected_output_shape=[None, 3, 4]),
    case(L.Lambda, dict(function=negate), (None, 4), expected_output_shape=[None, 4], json_config=False),
    case(L.Conv2D, dict(filters=2, kernel_size=3, padding="same"), (None, 5, 5, 3),
         expected_output_shape=[None, 5, 5, 2], expected_trainable=2),
    case(L.Conv2D, dict(filters=2, kernel_size=(2, 3), strides=2, activation="relu", use_bias=False),
         (None, 6, 7, 3), expected_output_shape=[None, 3, 3, 2], expected_trainable=1),
    case(L.Conv1D, dict(filters=2, kernel_size=2), (None, 5, 3), expected_output_shape=[None, 4, 2],
         expected_trainable=2),
    case(L.Conv1D, dict(filters=2, kernel_size=3, padding="causal", dilation_rate=2), (None, 6, 3),
         expected_output_shape=[None, 6, 2], expected_trainable=2),
    case(L.MaxPooling2D, {}, (None, 4, 4, 2), expected_output_shape=[None, 2, 2, 2]),
    case(L.AveragePooling2D, dict(pool_size=3, strides=1, padding="same"), (None, 4, 4, 2),
         expected_output_shape=[None, 4, 4, 2]),
    case(L.MaxPooling1D, {}, (None, 4, 2), expected_output_shape=[None, 2, 2]),
    case(L.AveragePooling1D, dict(pool_size=3), (None, 6, 2), expected_output_shape=[None, 2, 2]),
    case(L.GlobalMaxPooling1D, {}, (None, 4, 2), expected_output_shape=[None, 2]),
    case(L.GlobalAveragePooling1D, {}, (None, 4, 2), expected_output_shape=[None, 2]),
    case(L.GlobalMaxPooling2D, {}, (None, 4, 4, 2), expected_output_shape=[None, 2]),
    case(L.GlobalAveragePooling2D, {}, (None, 4, 4, 2), expected_output_shape=[None, 2]),
    case(L.BatchNormalization, {}, (None, 4), expected_trainable=2, expected_non_trainable=2),
    case(L.BatchNormalization, dict(momentum=0.9, center=False), (None, 3, 3, 2), call_kwargs=dict(training=True),
         expected_trainable=1, expected_non_trainable=2),
    case(L.Embedding, dict(input_dim=5, output_dim=3, input_length=4), (None, 4), input_dtype="int32",
         expected_output_dtype="float32", expected_output_shape=[None, 4, 3], expected_trainable=1),
    case(L.SimpleRNN, dict(units=3), SEQ, expected_output_shape=[None, 3], expected_trainable=3),
    case(L.SimpleRNN, dict(units=3, return_sequences=True, dropout=0.5), SEQ, expected_output_shape=[None, 4, 3],
         expected_trainable=3),
    case(L.GRU, dict(units=3), SEQ, expected_output_shape=[None, 3], expected_trainable=3),
    case(L.GRU, dict(units=3, reset_after=True, return_sequences=True, go_backwards=True), SEQ,
         expected_output_shape=[None, 4, 3], expected_trainable=3),
    case(L.LSTM, dict(units=3, return_sequences=True), SEQ, expected_output_shape=[None, 4, 3], expected_trainable=3),
    case(L.LSTM, dict(units=3, return_state=True), SEQ, expected_output_shape=[[None, 3]] * 3, expected_trainable=3),
    case(L.Bidirectional, dict(layer=L.LSTM(3)), SEQ, expected_output_shape=[None, 6], expected_trainable=6),
    case(L.Bidirectional, dict(layer=L.GRU(3, return_sequences=True), merge_mode="sum"), SEQ,
          expected_output_shape=[None, 4, 3], expected_trainable=6),
    case(L.TimeDistributed, dict(layer=L.Dense(3)), SEQ, expected_output_shape=[None, 4, 3], expected_trainable=2),
    case(L.Add, {}, [(None, 3), (None, 3)], expected_output_shape=[None, 3]),
    case(L.Subtract, {}, [(None, 3), (None, 3)], expected_output_shape=[None, 3]),
    case(L.Multiply, {}, [(None, 3), (None, 3), (None, 3)], expected_output_shape=[None, 3]),
    case(L.Average, {}, [(None, 3), (None, 3)], expected_output_shape=[None, 3]),
    case(L.Maximum, {}, [(None, 3), (None, 3)], expected_output_shape=[None, 3]),
    case(L.Minimum, {}, [(None, 3), (None, 3)], expected_output_shape=[None, 3]),
    case(L.Concatenate, dict(axis=1), [(None, 2, 3), (None, 4, 3)], expected_output_shape=[None, 6, 3]),
    case(L.Add, {}, [(None, 1, 3), (None, 4, 1)], expected_output_shape=[None, 4, 3]),
    case(L.Concatenate, {}, [(None, 2, 3), (None, 2, 5)], expected_output_shape=[None, 2, 8]),
    case(L.Lambda, dict(function=negate, output_shape=(4,)), (None, 4), expected_output_shape=[None, 4],
         json_config=False),
    case(L.Bidirectional, dict(layer=L.LSTM(3, return_state=True)), SEQ,
         expected_output_shape=[[None, 6]] + [[None, 3]] * 4, expected_trainable=6),
    case(L.TimeDistributed, dict(layer=L.Conv1D(2, 2)), (None, 3, 5, 4), expected_output_shape=[None, 3, 4, 2],
         expected_trainable=2),
    # TensorFlow 1's base Layer is the identity and raises NotImplementedError for compute_output_shape in graphs.
    case(L.Layer, {}, (None, 3), expected_output_shape=[None, 3], has_output_shape=False),
]
# Public classes that layer_test does not fit, with the test that covers them instead.
NOT_LAYER_TESTED = {
    L.InputLayer: "not called on tensors: it makes the model's input (test_input_layer_config_round_trip)",
    L.Wrapper: "abstract base of Bidirectional and TimeDistributed, which have cases",
}


@pytest.mark.parametrize("layer_cls, kwargs, input_shape, checks", LAYER_CASES)
def test_layer(layer_cls, kwargs, input_shape, checks):
    # Wrapped layers are built per case: a layer object is used by one case only.
    kwargs = {k: (type(v).from_config(v.get_config()) if isinstance(v, L.Layer) else v) for k, v in kwargs.items()}
    layer_test(layer_cls, kwargs, input_shape, **checks)


def test_every_public_layer_class_has_a_layer_test_case():
    public = {obj for name, obj in vars(L).items()
              if not name.startswith("_") and isinstance(obj, type) and issubclass(obj, L.Layer)}
    tested = {p.values[0] for p in LAYER_CASES}
    untested = public - tested - set(NOT_LAYER_TESTED)
    assert not untested, f"public Keras layers without a layer_test case: {sorted(c.__name__ for c in untested)}"
    assert set(NOT_LAYER_TESTED) <= public and not set(NOT_LAYER_TESTED) & tested


def test_layer_test_values_with_given_weights(rng):
    xv = rng.standard_normal((2, 5)).astype(np.float32)
    w, b = rng.standard_normal((5, 3)).astype(np.float32), rng.standard_normal(3).astype(np.float32)
    layer_test(L.Dense, dict(units=3, activation="relu"), (None, 5), input_data=xv, weights=[w, b],
               expected_output=np.maximum(xv @ w + b, 0), expected_output_shape=[None, 3], expected_trainable=2)


def test_layer_test_on_a_custom_layer():
    layer_test(Scale, {}, (None, 3), expected_output_shape=[None, 3], expected_trainable=1,
               expected_non_trainable=1, has_output_shape=False)


def test_input_layer_config_round_trip():
    layer = L.InputLayer(input_shape=(3,), name="features")
    twin = L.InputLayer.from_config(layer.get_config())
    config, twin_config = (json.loads(json.dumps(c)) for c in (layer.get_config(), twin.get_config()))
    assert config == twin_config and config["batch_input_shape"] == [None, 3]
    assert layer.weights == [] and twin.weights == [] and twin.output.shape.as_list() == [None, 3]
