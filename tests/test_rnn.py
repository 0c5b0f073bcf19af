"""RNN cells and runners (tf.nn.rnn_cell, dynamic_rnn, static_rnn, bidirectional, tf.contrib.rnn) against NumPy
implementations of TensorFlow's equations written here; TF's variable names; sequence_length semantics; float64
gradient checks (first and second order); a small LSTM learning a sequence task; the fused LSTM op rows."""

import numpy as np
import pytest

import neuroflow as tf
from neuroflow.ops import rnn_ops

import op_table_rnn
from op_table_rnn import lstm_step_ref
from statistical_bounds import frequency_tolerance


# --- NumPy references of TensorFlow's cell equations --------------------------------------------------------------
def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def lstm_ref(xs, c, h, kernel, bias, forget_bias=1.0, peepholes=None, cell_clip=None, proj=None, proj_clip=None):
    """TF LSTMCell over xs [time, batch, depth]: returns (outputs [time, batch, out], c, h)."""
    outs = []
    for x in xs:
        c, m = lstm_step_ref(x, c, h, kernel, bias, forget_bias, peepholes, cell_clip)
        if proj is not None:
            m = m @ proj
            if proj_clip is not None:
                m = np.clip(m, -proj_clip, proj_clip)
        h = m
        outs.append(h)
    return np.stack(outs), c, h


def gru_ref(xs, h, gate_kernel, gate_bias, cand_kernel, cand_bias):
    outs = []
    for x in xs:
        r, u = np.split(_sigmoid(np.concatenate([x, h], 1) @ gate_kernel + gate_bias), 2, axis=1)
        c = np.tanh(np.concatenate([x, r * h], 1) @ cand_kernel + cand_bias)
        h = u * h + (1 - u) * c
        outs.append(h)
    return np.stack(outs), h


def rnn_ref(xs, h, kernel, bias):
    outs = []
    for x in xs:
        h = np.tanh(np.concatenate([x, h], 1) @ kernel + bias)
        outs.append(h)
    return np.stack(outs), h


def _randomize(sess, rng, scale=0.5):
    """Loads random values into every variable (so biases are not all zero); returns them by name."""
    values = {}
    for v in tf.global_variables():
        values[v.op.name] = (rng.standard_normal(v.shape.as_list()) * scale).astype(v.dtype.as_numpy_dtype)
        v.load(values[v.op.name], sess)
    return values


def _names(prefix=""):
    return [(v.name, v.shape.as_list()) for v in tf.global_variables() if v.name.startswith(prefix)]


# --- variable names, shapes, initial values --------------------------------------------------------------------
def test_tensorflow_variable_names_and_shapes():
    x = tf.placeholder(tf.float32, [None, 4, 3])
    tf.nn.dynamic_rnn(tf.nn.rnn_cell.BasicLSTMCell(5), x, dtype=tf.float32)
    assert _names() == [("rnn/basic_lstm_cell/kernel:0", [8, 20]), ("rnn/basic_lstm_cell/bias:0", [20])]
    tf.reset_default_graph()
    x = tf.placeholder(tf.float32, [None, 4, 3])
    tf.nn.dynamic_rnn(tf.nn.rnn_cell.LSTMCell(5, use_peepholes=True, num_proj=2), x, dtype=tf.float32)
    assert _names() == [("rnn/lstm_cell/kernel:0", [5, 20]), ("rnn/lstm_cell/bias:0", [20]),
                        ("rnn/lstm_cell/w_f_diag:0", [5]), ("rnn/lstm_cell/w_i_diag:0", [5]),
                        ("rnn/lstm_cell/w_o_diag:0", [5]), ("rnn/lstm_cell/projection/kernel:0", [5, 2])]
    tf.reset_default_graph()
    x = tf.placeholder(tf.float32, [None, 4, 3])
    tf.nn.dynamic_rnn(tf.nn.rnn_cell.GRUCell(5), x, dtype=tf.float32)
    assert _names() == [("rnn/gru_cell/gates/kernel:0", [8, 10]), ("rnn/gru_cell/gates/bias:0", [10]),
                        ("rnn/gru_cell/candidate/kernel:0", [8, 5]), ("rnn/gru_cell/candidate/bias:0", [5])]
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    gk, gb, ck, cb = sess.run(tf.global_variables())
    assert (gb == 1).all() and (cb == 0).all() and np.abs(gk).max() <= np.sqrt(6 / 18)  # Glorot uniform
    tf.reset_default_graph()
    x = tf.placeholder(tf.float32, [None, 4, 3])
    cells = [tf.nn.rnn_cell.BasicLSTMCell(5), tf.nn.rnn_cell.BasicRNNCell(2)]
    tf.nn.dynamic_rnn(tf.nn.rnn_cell.MultiRNNCell(cells), x, dtype=tf.float32)
    assert _names() == [("rnn/multi_rnn_cell/cell_0/basic_lstm_cell/kernel:0", [8, 20]),
                        ("rnn/multi_rnn_cell/cell_0/basic_lstm_cell/bias:0", [20]),
                        ("rnn/multi_rnn_cell/cell_1/basic_rnn_cell/kernel:0", [7, 2]),
                        ("rnn/multi_rnn_cell/cell_1/basic_rnn_cell/bias:0", [2])]
    tf.reset_default_graph()
    x = tf.placeholder(tf.float32, [None, 4, 3])
    tf.nn.bidirectional_dynamic_rnn(tf.nn.rnn_cell.LSTMCell(5), tf.nn.rnn_cell.GRUCell(2), x, dtype=tf.float32)
    assert [n for n, _ in _names()] == [
        "bidirectional_rnn/fw/lstm_cell/kernel:0", "bidirectional_rnn/fw/lstm_cell/bias:0",
        "bidirectional_rnn/bw/gru_cell/gates/kernel:0", "bidirectional_rnn/bw/gru_cell/gates/bias:0",
        "bidirectional_rnn/bw/gru_cell/candidate/kernel:0", "bidirectional_rnn/bw/gru_cell/candidate/bias:0"]


def test_scopes_names_and_reuse():
    x = tf.placeholder(tf.float32, [None, 4, 3])
    cell = tf.nn.rnn_cell.LSTMCell(5, name="enc")
    tf.nn.dynamic_rnn(cell, x, dtype=tf.float32, scope="encoder")
    tf.nn.dynamic_rnn(cell, x, dtype=tf.float32, scope="again")  # a built cell keeps its variables
    assert [n for n, _ in _names()] == ["encoder/enc/kernel:0", "encoder/enc/bias:0"]
    with tf.variable_scope("model"):
        tf.nn.static_rnn(tf.nn.rnn_cell.BasicRNNCell(2), tf.unstack(x, axis=1), dtype=tf.float32)
    assert [n for n, _ in _names("model")] == ["model/rnn/basic_rnn_cell/kernel:0", "model/rnn/basic_rnn_cell/bias:0"]
    out, _ = tf.nn.rnn_cell.GRUCell(3)(x[:, 0], tf.zeros([2, 3]), scope="direct")
    assert [n for n, _ in _names("direct")] == ["direct/gates/kernel:0", "direct/gates/bias:0",
                                                "direct/candidate/kernel:0", "direct/candidate/bias:0"]
    from neuroflow.contrib import rnn
    assert rnn.BasicLSTMCell is tf.nn.rnn_cell.BasicLSTMCell and rnn.static_rnn is tf.nn.static_rnn
    assert tf.contrib.rnn.LSTMStateTuple is tf.nn.rnn_cell.LSTMStateTuple
    assert tf.contrib.rnn.static_bidirectional_rnn is tf.nn.static_bidirectional_rnn


def test_contrib_lstm_block_cell_and_stacked_bidirectional(sess, rng):
    x = tf.placeholder(tf.float64, [None, 3, 2])
    out, states_fw, states_bw = tf.contrib.rnn.stack_bidirectional_dynamic_rnn(
        [tf.contrib.rnn.LSTMBlockCell(3, use_peephole=True), tf.nn.rnn_cell.GRUCell(2)],
        [tf.nn.rnn_cell.LSTMCell(2), tf.nn.rnn_cell.GRUCell(1)], x, dtype=tf.float64)
    assert out.shape.as_list() == [None, 3, 3] and len(states_fw) == len(states_bw) == 2
    names = [n for n, _ in _names()]
    assert names[:5] == ["stack_bidirectional_rnn/cell_0/bidirectional_rnn/fw/lstm_cell/kernel:0",
                         "stack_bidirectional_rnn/cell_0/bidirectional_rnn/fw/lstm_cell/bias:0",
                         "stack_bidirectional_rnn/cell_0/bidirectional_rnn/fw/lstm_cell/w_f_diag:0",
                         "stack_bidirectional_rnn/cell_0/bidirectional_rnn/fw/lstm_cell/w_i_diag:0",
                         "stack_bidirectional_rnn/cell_0/bidirectional_rnn/fw/lstm_cell/w_o_diag:0"]
    assert names[-1] == "stack_bidirectional_rnn/cell_1/bidirectional_rnn/bw/gru_cell/candidate/bias:0"
    sess.run(tf.global_variables_initializer())
    assert sess.run(out, {x: rng.standard_normal((2, 3, 2))}).shape == (2, 3, 3)
    with pytest.raises(ValueError, match="same depth"):
        tf.contrib.rnn.stack_bidirectional_dynamic_rnn([tf.nn.rnn_cell.GRUCell(2)] * 2, [tf.nn.rnn_cell.GRUCell(2)], x,
                                                       dtype=tf.float64)


def test_a_subclass_that_changes_call_is_run_step_by_step(sess):
    class Doubled(tf.nn.rnn_cell.LSTMCell):
        def call(self, inputs, state):
            out, new_state = super().call(inputs, state)
            return 2 * out, new_state
    x = tf.placeholder(tf.float32, [None, 3, 2])
    out, state = tf.nn.dynamic_rnn(Doubled(4), x, dtype=tf.float32)
    assert "BlockLSTM" not in {op.type for op in tf.get_default_graph().get_operations()}
    sess.run(tf.global_variables_initializer())
    o, h = sess.run([out, state.h], {x: np.ones((1, 3, 2), np.float32)})
    np.testing.assert_allclose(o[:, -1], 2 * h, rtol=1e-6)


def test_sharing_an_rnn_by_reentering_its_scope_with_reuse():
    x = tf.placeholder(tf.float32, [None, 5, 3])
    with tf.variable_scope("model"):
        tf.nn.dynamic_rnn(tf.nn.rnn_cell.LSTMCell(4), x, dtype=tf.float32)
    with tf.variable_scope("model", reuse=True):
        tf.nn.dynamic_rnn(tf.nn.rnn_cell.LSTMCell(4), x, dtype=tf.float32)
    assert [n for n, _ in _names()] == ["model/rnn/lstm_cell/kernel:0", "model/rnn/lstm_cell/bias:0"]


def test_state_structures_and_zero_state(sess):
    lstm = tf.nn.rnn_cell.LSTMCell(4, num_proj=3)
    assert lstm.state_size == (4, 3) and lstm.output_size == 3
    multi = tf.nn.rnn_cell.MultiRNNCell([tf.nn.rnn_cell.BasicLSTMCell(2), tf.nn.rnn_cell.GRUCell(3)])
    assert multi.state_size == ((2, 2), 3) and multi.output_size == 3
    batch = tf.placeholder(tf.int32, [])
    state = multi.zero_state(batch, tf.float32)
    assert isinstance(state, tuple) and isinstance(state[0], tf.nn.rnn_cell.LSTMStateTuple)
    assert state[0].c.shape.as_list() == [None, 2] and state[1].shape.as_list() == [None, 3]
    c, gru = sess.run([state[0].c, state[1]], {batch: 5})
    assert c.shape == (5, 2) and gru.shape == (5, 3) and not c.any()
    x = tf.placeholder(tf.float32, [None, 6, 2])
    out, final = tf.nn.dynamic_rnn(multi, x, dtype=tf.float32)
    assert out.shape.as_list() == [None, 6, 3]
    assert isinstance(final[0], tf.nn.rnn_cell.LSTMStateTuple) and final[0].h.shape.as_list() == [None, 2]
    assert multi.trainable_variables == multi.weights == tf.trainable_variables() and len(multi.weights) == 6
    wrapped = tf.nn.rnn_cell.DropoutWrapper(multi)
    assert wrapped.trainable_variables == multi.weights and wrapped.state_size == multi.state_size
    tuple_off = tf.nn.rnn_cell.BasicLSTMCell(4, state_is_tuple=False)
    assert tuple_off.state_size == 8 and tuple_off.zero_state(3, tf.float32).shape.as_list() == [3, 8]


# --- each cell against NumPy, two steps by hand ----------------------------------------------------------------
@pytest.mark.parametrize("kind", ["basic_rnn", "basic_lstm", "lstm", "lstm_peep_clip_proj", "lstm_relu",
                                  "basic_lstm_concat_state", "gru"])
def test_cell_two_steps_match_numpy(kind, sess, rng):
    xs = rng.standard_normal((2, 3, 4)).astype(np.float32)
    x = tf.placeholder(tf.float32, [2, None, 4])
    cell = {"basic_rnn": lambda: tf.nn.rnn_cell.BasicRNNCell(5),
            "basic_lstm": lambda: tf.nn.rnn_cell.BasicLSTMCell(5, forget_bias=0.5),
            "lstm": lambda: tf.nn.rnn_cell.LSTMCell(5),
            "lstm_peep_clip_proj": lambda: tf.nn.rnn_cell.LSTMCell(5, use_peepholes=True, cell_clip=0.3, num_proj=2,
                                                                  proj_clip=0.4),
            "lstm_relu": lambda: tf.nn.rnn_cell.LSTMCell(5, activation=tf.nn.relu),
            "basic_lstm_concat_state": lambda: tf.nn.rnn_cell.BasicLSTMCell(5, state_is_tuple=False),
            "gru": lambda: tf.nn.rnn_cell.GRUCell(5)}[kind]()
    state = cell.zero_state(3, tf.float32)
    outputs = []
    for t in range(2):
        out, state = cell(x[t], state)
        outputs.append(out)
    sess.run(tf.global_variables_initializer())
    w = _randomize(sess, rng)
    got_out, got_state = sess.run([outputs, state], {x: xs})
    prefix = cell.name
    z5 = np.zeros((3, 5), np.float32)
    if kind == "basic_rnn":
        ref, h = rnn_ref(xs, z5, w[prefix + "/kernel"], w[prefix + "/bias"])
        expected_state = h
    elif kind == "gru":
        ref, h = gru_ref(xs, z5, w[prefix + "/gates/kernel"], w[prefix + "/gates/bias"],
                         w[prefix + "/candidate/kernel"], w[prefix + "/candidate/bias"])
        expected_state = h
    elif kind == "lstm_peep_clip_proj":
        peep = (w[prefix + "/w_i_diag"], w[prefix + "/w_f_diag"], w[prefix + "/w_o_diag"])
        ref, c, h = lstm_ref(xs, z5, np.zeros((3, 2), np.float32), w[prefix + "/kernel"], w[prefix + "/bias"],
                             peepholes=peep, cell_clip=0.3, proj=w[prefix + "/projection/kernel"], proj_clip=0.4)
        expected_state = (c, h)
        assert np.abs(c).max() == pytest.approx(0.3)  # the clip is active in this sample
    else:
        act = (lambda v: np.maximum(v, 0)) if kind == "lstm_relu" else np.tanh
        fb = 0.5 if kind == "basic_lstm" else 1.0
        outs, c, h = [], z5, z5
        for xt in xs:
            c, h = lstm_step_ref(xt, c, h, w[prefix + "/kernel"], w[prefix + "/bias"], fb, activation=act)
            outs.append(h)
        ref = np.stack(outs)
        expected_state = np.concatenate([c, h], 1) if kind == "basic_lstm_concat_state" else (c, h)
    np.testing.assert_allclose(np.stack(got_out), ref, rtol=1e-5, atol=1e-6)
    if isinstance(expected_state, tuple):
        assert isinstance(got_state, tf.nn.rnn_cell.LSTMStateTuple)
        np.testing.assert_allclose(got_state.c, expected_state[0], rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(got_state.h, expected_state[1], rtol=1e-5, atol=1e-6)
    else:
        np.testing.assert_allclose(got_state, expected_state, rtol=1e-5, atol=1e-6)


# --- runners ---------------------------------------------------------------------------------------------------------
def _lstm_variants():
    return {"lstm": lambda: tf.nn.rnn_cell.LSTMCell(4),
            "lstm_peep_clip": lambda: tf.nn.rnn_cell.LSTMCell(4, use_peepholes=True, cell_clip=0.4),
            "lstm_proj": lambda: tf.nn.rnn_cell.LSTMCell(4, num_proj=3),
            "basic_lstm_concat": lambda: tf.nn.rnn_cell.BasicLSTMCell(4, state_is_tuple=False),
            "gru": lambda: tf.nn.rnn_cell.GRUCell(4),
            "multi": lambda: tf.nn.rnn_cell.MultiRNNCell([tf.nn.rnn_cell.LSTMCell(3), tf.nn.rnn_cell.GRUCell(4)])}


@pytest.mark.parametrize("kind", list(_lstm_variants()))
@pytest.mark.parametrize("time_major", [False, True])
def test_dynamic_rnn_matches_static_rnn(kind, time_major, sess, rng):
    xs = rng.standard_normal((3, 5, 2))  # [batch, time, depth]
    shape = [5, None, 2] if time_major else [None, 5, 2]
    x = tf.placeholder(tf.float64, shape)
    cell = _lstm_variants()[kind]()
    dyn_out, dyn_state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float64, time_major=time_major)
    steps = tf.unstack(x, axis=0 if time_major else 1)
    st_out, st_state = tf.nn.static_rnn(cell, steps, dtype=tf.float64)  # same cell: the same variables
    assert len(tf.global_variables()) == len(cell.weights)
    sess.run(tf.global_variables_initializer())
    _randomize(sess, rng)
    feed = {x: xs.transpose(1, 0, 2) if time_major else xs}
    a, sa, b, sb = sess.run([dyn_out, dyn_state, st_out, st_state], feed)
    stacked = np.stack(b, axis=0 if time_major else 1)
    np.testing.assert_allclose(a, stacked, rtol=1e-10, atol=1e-12)
    for u, v in zip(_flat(sa), _flat(sb)):
        np.testing.assert_allclose(u, v, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(np.take(a, -1, axis=0 if time_major else 1), b[-1], rtol=1e-10)


def _flat(s):
    return [y for x in s for y in _flat(x)] if isinstance(s, (tuple, list)) else [s]


def test_fused_paths_match_the_composition(sess, rng):
    """The whole-sequence BlockLSTM (dynamic_rnn), the per-step LSTMBlockCell (static_rnn) and the composition
    of elementary ops (an activation that is not the tanh function object) agree, outputs and gradients."""
    xs = rng.standard_normal((3, 6, 2))
    x = tf.placeholder(tf.float64, [None, 6, 2])
    cell = tf.nn.rnn_cell.LSTMCell(4, use_peepholes=True, cell_clip=0.5)
    composed = tf.nn.rnn_cell.LSTMCell(4, use_peepholes=True, cell_clip=0.5, activation=lambda v: tf.tanh(v))
    fused, _ = tf.nn.dynamic_rnn(cell, x, dtype=tf.float64)
    step, _ = tf.nn.static_rnn(cell, tf.unstack(x, axis=1), dtype=tf.float64)
    comp, _ = tf.nn.dynamic_rnn(composed, x, dtype=tf.float64, scope="comp")
    types = {op.type for op in tf.get_default_graph().get_operations()}
    assert {"BlockLSTM", "LSTMBlockCell", "Sigmoid"} <= types
    weights = np.linspace(-1, 1, 6 * 4).reshape(6, 4)
    step = tf.stack(step, 1)
    losses = [tf.reduce_sum(tf.sin(o) * weights) for o in (fused, step, comp)]
    sess.run(tf.global_variables_initializer())
    values = _randomize(sess, rng)
    for var in composed.weights:  # the composed cell gets the same weights
        var.load(values[var.op.name.replace("comp/", "rnn/")], sess)
    grads = [tf.gradients(loss, [x] + cell.weights if i < 2 else [x] + composed.weights)
             for i, loss in enumerate(losses)]
    outs = sess.run([fused, step, comp] + grads, {x: xs})
    np.testing.assert_allclose(outs[0], outs[1], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(outs[0], outs[2], rtol=1e-10, atol=1e-12)
    for g_fused, g_step, g_comp in zip(*outs[3:]):
        np.testing.assert_allclose(g_fused, g_comp, rtol=1e-9, atol=1e-11)
        np.testing.assert_allclose(g_step, g_comp, rtol=1e-9, atol=1e-11)


@pytest.mark.parametrize("kind", ["lstm", "gru", "basic_lstm_concat"])
def test_sequence_length_masks_outputs_and_keeps_last_valid_state(kind, sess, rng):
    xs = rng.standard_normal((4, 5, 3))
    lengths = np.array([5, 2, 0, 3])
    x = tf.placeholder(tf.float64, [None, 5, 3])
    seq = tf.placeholder(tf.int32, [None])
    cell = _lstm_variants()[kind]()
    init = _add(cell.zero_state(4, tf.float64), 0.25)
    out, state = tf.nn.dynamic_rnn(cell, x, sequence_length=seq, initial_state=init)
    full_out, _ = tf.nn.dynamic_rnn(cell, x, initial_state=init, scope="unmasked")
    # Each sequence alone, cut to its length: its final state is the reference.
    cut = [tf.nn.dynamic_rnn(cell, tf.constant(xs[b:b + 1, :n]), initial_state=_slice(init, b))[1] if n else None
           for b, n in enumerate(lengths)]
    sess.run(tf.global_variables_initializer())
    _randomize(sess, rng)
    got, got_state, ref_out, init_values = sess.run([out, _flat(state), full_out, _flat(init)], {x: xs, seq: lengths})
    for b, n in enumerate(lengths):
        np.testing.assert_allclose(got[b, :n], ref_out[b, :n], rtol=1e-12)   # the same inside the length
        assert not got[b, n:].any()                                          # zeros past it
        refs = [v[b:b + 1] for v in init_values] if n == 0 else sess.run(_flat(cut[b]))
        for got_s, ref_s in zip(got_state, refs):
            np.testing.assert_allclose(got_s[b], ref_s[0], rtol=1e-10, atol=1e-12)


def _add(state, value):
    if isinstance(state, tf.nn.rnn_cell.LSTMStateTuple):
        return tf.nn.rnn_cell.LSTMStateTuple(state.c + value, state.h + value)
    return state + value


def _slice(state, b):
    if isinstance(state, tf.nn.rnn_cell.LSTMStateTuple):
        return tf.nn.rnn_cell.LSTMStateTuple(state.c[b:b + 1], state.h[b:b + 1])
    return state[b:b + 1]


@pytest.mark.parametrize("time_major", [False, True])
def test_bidirectional_dynamic_rnn_reverses_within_length(time_major, sess, rng):
    xs = rng.standard_normal((3, 4, 2))
    lengths = np.array([4, 1, 3])
    x = tf.placeholder(tf.float64, [4, None, 2] if time_major else [None, 4, 2])
    seq = tf.placeholder(tf.int64, [None])
    fw, bw = tf.nn.rnn_cell.LSTMCell(3), tf.nn.rnn_cell.BasicRNNCell(2)
    (out_fw, out_bw), (st_fw, st_bw) = tf.nn.bidirectional_dynamic_rnn(
        fw, bw, x, sequence_length=seq, dtype=tf.float64, time_major=time_major)
    sess.run(tf.global_variables_initializer())
    w = _randomize(sess, rng)
    feed = {x: xs.transpose(1, 0, 2) if time_major else xs, seq: lengths}
    got_fw, got_bw, got_st_bw = sess.run([out_fw, out_bw, st_bw], feed)
    if time_major:
        got_fw, got_bw = got_fw.transpose(1, 0, 2), got_bw.transpose(1, 0, 2)
    for b, n in enumerate(lengths):
        seq_b = xs[b:b + 1, :n].transpose(1, 0, 2)
        ref_fw, _, _ = lstm_ref(seq_b, np.zeros((1, 3)), np.zeros((1, 3)), w["bidirectional_rnn/fw/lstm_cell/kernel"],
                                w["bidirectional_rnn/fw/lstm_cell/bias"])
        ref_bw, h = rnn_ref(seq_b[::-1], np.zeros((1, 2)), w["bidirectional_rnn/bw/basic_rnn_cell/kernel"],
                            w["bidirectional_rnn/bw/basic_rnn_cell/bias"])
        np.testing.assert_allclose(got_fw[b, :n], ref_fw[:, 0], rtol=1e-10)
        np.testing.assert_allclose(got_bw[b, :n], ref_bw[::-1, 0], rtol=1e-10)  # aligned with the inputs
        assert not got_fw[b, n:].any() and not got_bw[b, n:].any()
        np.testing.assert_allclose(got_st_bw[b], h[0], rtol=1e-10)


def test_static_bidirectional_rnn_and_reverse_sequence(sess, rng):
    xs = rng.standard_normal((3, 4, 2))
    x = tf.placeholder(tf.float64, [None, 4, 2])
    outputs, st_fw, st_bw = tf.nn.static_bidirectional_rnn(tf.nn.rnn_cell.GRUCell(2), tf.nn.rnn_cell.GRUCell(3),
                                                           tf.unstack(x, axis=1), dtype=tf.float64)
    assert len(outputs) == 4 and outputs[0].shape.as_list() == [None, 5]
    sess.run(tf.global_variables_initializer())
    w = _randomize(sess, rng)
    got = np.stack(sess.run(outputs, {x: xs}), 1)
    p = "bidirectional_rnn/%s/gru_cell/"
    ref_fw, _ = gru_ref(xs.transpose(1, 0, 2), np.zeros((3, 2)), *[w[p % "fw" + n] for n in
                        ("gates/kernel", "gates/bias", "candidate/kernel", "candidate/bias")])
    ref_bw, _ = gru_ref(xs.transpose(1, 0, 2)[::-1], np.zeros((3, 3)), *[w[p % "bw" + n] for n in
                        ("gates/kernel", "gates/bias", "candidate/kernel", "candidate/bias")])
    np.testing.assert_allclose(got, np.concatenate([ref_fw, ref_bw[::-1]], 2).transpose(1, 0, 2), rtol=1e-10)
    v = tf.constant([[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]])
    assert sess.run(tf.nn.reverse_sequence(v, [2, 4, 0], seq_axis=1)).tolist() == [
        [2, 1, 3, 4], [8, 7, 6, 5], [9, 10, 11, 12]]
    assert sess.run(tf.nn.reverse_sequence(tf.transpose(v), [2, 4, 0], seq_axis=0, batch_axis=1)).T.tolist() == [
        [2, 1, 3, 4], [8, 7, 6, 5], [9, 10, 11, 12]]


# --- gradients by central differences ------------------------------------------------------------------------------
def _check_gradients(sess, loss, params, feed, rng, eps=1e-6, directions=2):
    """tf.gradients of `loss` along random directions against central differences, for placeholders (fed) and
    variables (loaded)."""
    grads = [g if g is not None else tf.zeros_like(p) for g, p in zip(tf.gradients(loss, params), params)]
    analytic = sess.run(grads, feed)
    base = {p: feed[p] if p in feed else sess.run(p) for p in params}

    def at(values):
        for p, v in values.items():
            if p not in feed:
                p.load(v, sess)
        return sess.run(loss, {**feed, **{p: v for p, v in values.items() if p in feed}})
    for _ in range(directions):
        d = {p: rng.standard_normal(np.shape(base[p])) for p in params}
        numeric = (at({p: base[p] + eps * d[p] for p in params}) - at({p: base[p] - eps * d[p] for p in params})) \
            / (2 * eps)
        at(base)
        projected = sum(float(np.sum(g * d[p])) for p, g in zip(params, analytic))
        assert projected == pytest.approx(numeric, rel=1e-6, abs=1e-8)


@pytest.mark.parametrize("kind", ["lstm", "lstm_peep_clip", "lstm_proj", "gru", "multi"])
@pytest.mark.parametrize("runner", ["dynamic", "static"])
def test_gradients_by_central_differences(kind, runner, sess, rng):
    xs = rng.standard_normal((2, 3, 2))
    x = tf.placeholder(tf.float64, [None, 3, 2])
    cell = _lstm_variants()[kind]()
    c0 = tf.placeholder(tf.float64, [None, cell.output_size])
    if runner == "dynamic":
        out, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float64)
    else:
        outs, state = tf.nn.static_rnn(cell, tf.unstack(x, axis=1), dtype=tf.float64)
        out = tf.stack(outs, 1)
    loss = tf.reduce_sum(out * np.cos(np.arange(out.shape[-1].value))) + tf.reduce_sum(
        tf.square(_flat(state)[0])) + tf.reduce_sum(c0 * out[:, -1])
    sess.run(tf.global_variables_initializer())
    _randomize(sess, rng)
    _check_gradients(sess, loss, [x, c0] + cell.weights, {x: xs, c0: rng.standard_normal((2, cell.output_size))},
                     rng)


@pytest.mark.parametrize("runner", ["dynamic", "static"])
def test_second_order_through_fused_lstm(runner, sess, rng):
    """A Hessian-vector product (the gradient of <gradient, v>) against central differences of the gradient:
    exercises LSTMBlockCellGrad / BlockLSTMGrad's own gradients (through their composed twins)."""
    xs = rng.standard_normal((2, 3, 2))
    x = tf.placeholder(tf.float64, [None, 3, 2])
    cell = tf.nn.rnn_cell.LSTMCell(2, use_peepholes=True)
    if runner == "dynamic":
        out, _ = tf.nn.dynamic_rnn(cell, x, dtype=tf.float64)
    else:
        out = tf.stack(tf.nn.static_rnn(cell, tf.unstack(x, axis=1), dtype=tf.float64)[0], 1)
    loss = tf.reduce_sum(tf.sin(out))
    kernel = cell.weights[0]
    g = tf.gradients(loss, kernel)[0]
    v = rng.standard_normal(kernel.shape.as_list())
    hv = tf.gradients(tf.reduce_sum(g * v), [kernel, x])
    sess.run(tf.global_variables_initializer())
    _randomize(sess, rng)
    k0 = sess.run(kernel)
    got = sess.run(hv, {x: xs})
    eps = 1e-5
    kernel.load(k0 + eps * v, sess)
    g_plus = sess.run(g, {x: xs})
    kernel.load(k0 - eps * v, sess)
    g_minus = sess.run(g, {x: xs})
    np.testing.assert_allclose(got[0], (g_plus - g_minus) / (2 * eps), rtol=1e-5, atol=1e-7)
    assert got[1].shape == xs.shape and np.abs(got[1]).sum() > 0


# --- training --------------------------------------------------------------------------------------------------------
def test_lstm_learns_the_sign_of_a_sum():
    """Sequences of +-1: is their sum positive? An LSTM must count; it gets them all right."""
    rng = np.random.default_rng(0)

    def batch(n):
        xs = rng.choice([-1.0, 1.0], size=(n, 9, 1)).astype(np.float32)
        return xs, (xs.sum(axis=(1, 2)) > 0).astype(np.int64)
    tf.set_random_seed(1)
    x = tf.placeholder(tf.float32, [None, 9, 1])
    y = tf.placeholder(tf.int64, [None])
    out, state = tf.nn.dynamic_rnn(tf.nn.rnn_cell.LSTMCell(16), x, dtype=tf.float32)
    logits = tf.layers.dense(state.h, 2)
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
    accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1), y), tf.float32))
    train = tf.train.AdamOptimizer(0.02).minimize(loss)
    test_x, test_y = batch(500)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        first = sess.run(loss, {x: test_x, y: test_y})
        for _ in range(300):
            xb, yb = batch(64)
            sess.run(train, {x: xb, y: yb})
        final, acc = sess.run([loss, accuracy], {x: test_x, y: test_y})
    assert final < 1e-3 < first and acc > 0.98, (first, final, acc)  # the seeded run: loss 1.8e-4, accuracy 1.0


# --- dropout ---------------------------------------------------------------------------------------------------------
def test_dropout_wrapper(sess):
    x = tf.placeholder(tf.float32, [None, 3, 200])
    keep = tf.placeholder_with_default(1.0, [])
    inner = tf.nn.rnn_cell.BasicRNNCell(200, activation=tf.identity)
    cell = tf.nn.rnn_cell.DropoutWrapper(inner, output_keep_prob=keep, seed=3)
    out, _ = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)
    assert [n for n, _ in _names()] == ["rnn/basic_rnn_cell/kernel:0", "rnn/basic_rnn_cell/bias:0"]
    sess.run(tf.global_variables_initializer())
    ones = np.ones((50, 3, 200), np.float32)
    full = sess.run(out, {x: ones})
    dropped = sess.run(out, {x: ones, keep: 0.5})
    kept = dropped != 0
    assert abs(kept.mean() - 0.5) < frequency_tolerance(kept.size, 0.5)
    np.testing.assert_allclose(dropped[kept], 2 * full[kept], rtol=1e-5)
    differ = kept[:, 0] != kept[:, 1]  # a mask of its own at each step: two masks differ half the time
    assert abs(differ.mean() - 0.5) < frequency_tolerance(differ.size, 0.5)
    plain = tf.nn.rnn_cell.DropoutWrapper(tf.nn.rnn_cell.GRUCell(2))  # keep_prob 1.0: no random op at all
    tf.nn.dynamic_rnn(plain, x[:, :, :2], dtype=tf.float32, scope="plain")
    assert not any(op.type == "RandomUniform" for op in tf.get_default_graph().get_operations()
                   if op.name.startswith("plain") and "Initializer" not in op.name)
    with pytest.raises(ValueError, match="must be between 0 and 1"):
        tf.nn.rnn_cell.DropoutWrapper(inner, input_keep_prob=1.5)


def test_dropout_wrapper_state_and_variational(sess):
    x = tf.placeholder(tf.float32, [None, 4, 100])
    lstm = tf.nn.rnn_cell.DropoutWrapper(tf.nn.rnn_cell.LSTMCell(100), state_keep_prob=0.5, seed=1)
    _, state = tf.nn.dynamic_rnn(lstm, x, dtype=tf.float32)
    var = tf.nn.rnn_cell.DropoutWrapper(tf.nn.rnn_cell.BasicRNNCell(100, activation=tf.identity),
                                        input_keep_prob=0.5, output_keep_prob=0.5, variational_recurrent=True,
                                        input_size=100, dtype=tf.float32, seed=2)
    out, _ = tf.nn.dynamic_rnn(var, x, dtype=tf.float32, scope="var")
    sess.run(tf.global_variables_initializer())
    c, h, o = sess.run([state.c, state.h, out], {x: np.ones((8, 4, 100), np.float32)})
    assert (c != 0).all() and abs((h == 0).mean() - 0.5) < frequency_tolerance(h.size, 0.5)  # h alone dropped
    zero = o == 0
    assert (zero == zero[:1, :1]).all()  # one mask for every step and every batch entry (as TensorFlow)
    with pytest.raises(ValueError, match="input_size must be provided"):
        tf.nn.rnn_cell.DropoutWrapper(tf.nn.rnn_cell.GRUCell(2), input_keep_prob=0.5, variational_recurrent=True,
                                      dtype=tf.float32)


def test_residual_wrapper(sess):
    x = tf.placeholder(tf.float32, [None, 2, 3])
    out, _ = tf.nn.dynamic_rnn(tf.nn.rnn_cell.ResidualWrapper(tf.nn.rnn_cell.GRUCell(3)), x, dtype=tf.float32)
    plain, _ = tf.nn.dynamic_rnn(tf.nn.rnn_cell.GRUCell(3), x, dtype=tf.float32, scope="rnn_1")
    sess.run(tf.global_variables_initializer())
    gru_vars = [v for v in tf.global_variables() if v.op.name.startswith("rnn/")]
    for v, w in zip(gru_vars, [v for v in tf.global_variables() if v.op.name.startswith("rnn_1/")]):
        w.load(sess.run(v), sess)
    xb = np.ones((2, 2, 3), np.float32)
    a, b = sess.run([out, plain], {x: xb})
    np.testing.assert_allclose(a[:, 0], b[:, 0] + 1, rtol=1e-6)


# --- errors ----------------------------------------------------------------------------------------------------------
def test_errors():
    with pytest.raises(ValueError, match="If there is no initial_state, you must give a dtype"):
        tf.nn.dynamic_rnn(tf.nn.rnn_cell.LSTMCell(3), tf.placeholder(tf.float32, [None, 4, 2]))
    with pytest.raises(TypeError, match="cell must be an instance of RNNCell"):
        tf.nn.dynamic_rnn(object(), tf.placeholder(tf.float32, [None, 4, 2]), dtype=tf.float32)
    with pytest.raises(ValueError, match="must have rank at least 3"):
        tf.nn.dynamic_rnn(tf.nn.rnn_cell.GRUCell(3), tf.placeholder(tf.float32, [None, 4]), dtype=tf.float32)
    with pytest.raises(ValueError, match="Input size \\(depth of inputs\\) must be accessible via shape inference"):
        tf.nn.dynamic_rnn(tf.nn.rnn_cell.GRUCell(3), tf.placeholder(tf.float32, [None, 4, None]), dtype=tf.float32)
    with pytest.raises(ValueError, match="Expected inputs.shape\\[-1\\] to be known"):
        tf.nn.rnn_cell.GRUCell(3)(tf.placeholder(tf.float32, [None, None]), tf.zeros([2, 3]))
    with pytest.raises(ValueError, match="sequence_length must be a vector"):
        tf.nn.dynamic_rnn(tf.nn.rnn_cell.GRUCell(3), tf.placeholder(tf.float32, [None, 4, 2]), dtype=tf.float32,
                          sequence_length=tf.placeholder(tf.int32, [None, 1]), scope="s")
    with pytest.raises(TypeError, match="inputs must be a sequence"):
        tf.nn.static_rnn(tf.nn.rnn_cell.GRUCell(3), tf.placeholder(tf.float32, [None, 2]), dtype=tf.float32)
    with pytest.raises(ValueError, match="Must specify at least one cell"):
        tf.nn.rnn_cell.MultiRNNCell([])


# --- the fused ops' op-table rows, run here too (forward against NumPy; gradients by central differences) --------
@pytest.mark.parametrize("row", op_table_rnn.ROWS, ids=[r.name for r in op_table_rnn.ROWS])
@pytest.mark.parametrize("unknown", [False, True], ids=["known", "unknown"])
def test_fused_op_rows(row, unknown):
    for sample in row.samples:
        tf.reset_default_graph()
        placeholders = [tf.placeholder(tf.as_dtype(a.dtype), [None] * a.ndim if unknown else a.shape)
                        for a in sample]
        out = row.fn(*placeholders)
        feed = dict(zip(placeholders, sample))
        with tf.Session() as s:
            got = s.run(out, feed)
            expected = row.ref(*sample)
            assert got.dtype == expected.dtype and out.shape.is_compatible_with(got.shape)
            np.testing.assert_allclose(got, expected, rtol=row.rtol, atol=row.atol)
            if sample[0].dtype != np.float64:
                continue
            rng = np.random.default_rng(0)
            weights = rng.standard_normal(got.shape)
            loss = tf.reduce_sum(out * weights)
            _check_gradients(s, loss, placeholders, feed, rng, directions=1)


def test_block_lstm_seq_len_max_zeroes_later_steps(sess, rng):
    from neuroflow.framework.apply import apply_op
    x = tf.constant(rng.standard_normal((4, 2, 3)).astype(np.float32))
    w = tf.constant(rng.standard_normal((5, 8)).astype(np.float32))
    zeros = tf.zeros([2])

    def block(n):
        return apply_op(rnn_ops.BlockLSTM, [tf.constant(n, tf.int64), x, tf.zeros([2, 2]), tf.zeros([2, 2]), w,
                                            zeros, zeros, zeros, tf.zeros([8])], {})
    for full, cut in zip(*sess.run([list(block(4)), list(block(2))])):
        np.testing.assert_allclose(cut[:2], full[:2], rtol=1e-6)
        assert not cut[2:].any()
