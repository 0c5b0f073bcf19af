"""dynamic_rnn and bidirectional_dynamic_rnn over a time dimension known only at run time ([None, None, depth]
inputs): each run-time length against the graph built for that length statically (the unrolled equivalent) and
against NumPy, outputs, final states and gradients; sequence_length semantics (zeros past each length, the
state at its last valid step); float64 central differences."""

import numpy as np
import pytest

import neuroflow as tf

from op_table_rnn import lstm_step_ref

LENGTHS = (5, 1, 3)   # run-time time dimensions fed to the same graph, in this order


def _cells():
    return {"lstm": lambda: tf.nn.rnn_cell.LSTMCell(4),
            "lstm_peep_clip": lambda: tf.nn.rnn_cell.LSTMCell(4, use_peepholes=True, cell_clip=0.4),
            "basic_lstm_concat": lambda: tf.nn.rnn_cell.BasicLSTMCell(4, state_is_tuple=False),
            "lstm_block": lambda: tf.contrib.rnn.LSTMBlockCell(4)}


def _flat(s):
    return [y for x in s for y in _flat(x)] if isinstance(s, (tuple, list)) else [s]


def _randomize(sess, rng, scale=0.5):
    values = {}
    for v in tf.global_variables():
        values[v.op.name] = (rng.standard_normal(v.shape.as_list()) * scale).astype(v.dtype.as_numpy_dtype)
        v.load(values[v.op.name], sess)
    return values


def _lstm_ref(xs, kernel, bias, lengths):
    """TF's LSTMCell (no peepholes) over batch-major xs with sequence_length: (outputs, c, h)."""
    batch, steps, _ = xs.shape
    units = bias.shape[0] // 4
    c, h = np.zeros((batch, units)), np.zeros((batch, units))
    outputs = np.zeros((batch, steps, units))
    for t in range(steps):
        c_new, h_new = lstm_step_ref(xs[:, t], c, h, kernel, bias)
        live = (t < lengths)[:, None]
        c, h = np.where(live, c_new, c), np.where(live, h_new, h)
        outputs[:, t] = np.where(live, h_new, 0)
    return outputs, c, h


@pytest.mark.parametrize("kind", list(_cells()))
@pytest.mark.parametrize("time_major", [False, True], ids=["batch_major", "time_major"])
@pytest.mark.parametrize("with_lengths", [False, True], ids=["full", "sequence_length"])
def test_runtime_length_matches_the_static_length_graph(kind, time_major, with_lengths, sess, rng):
    """One graph over [None, None, 2] fed sequences of several lengths gives what a graph built for each length
    gives (outputs, final state, gradients of every input and weight)."""
    cell = _cells()[kind]()
    x = tf.placeholder(tf.float64, [None, None, 2])
    seq = tf.placeholder(tf.int32, [None]) if with_lengths else None
    out, state = tf.nn.dynamic_rnn(cell, x, sequence_length=seq, dtype=tf.float64, time_major=time_major)
    assert out.shape.as_list() == [None, None, 4]
    statics = {}
    for steps in LENGTHS:   # the same cell (the same variables) over an input whose length the graph knows
        shape = [steps, None, 2] if time_major else [None, steps, 2]
        xs_ = tf.placeholder(tf.float64, shape)
        statics[steps] = (xs_,) + tf.nn.dynamic_rnn(cell, xs_, sequence_length=seq, dtype=tf.float64,
                                                    time_major=time_major)
    assert len(tf.global_variables()) == len(cell.weights)

    def loss_and_grads(inp, o, s):
        loss = tf.reduce_sum(tf.sin(o)) + tf.reduce_sum(tf.square(_flat(s)[0]))
        return [o] + _flat(s) + tf.gradients(loss, [inp] + cell.weights)
    dynamic = loss_and_grads(x, out, state)
    sess.run(tf.global_variables_initializer())
    _randomize(sess, rng)
    for steps in LENGTHS:
        xs = rng.standard_normal((3, steps, 2))
        if time_major:
            xs = xs.transpose(1, 0, 2)
        lengths = np.minimum([steps, 0, 2], steps)
        feed_lengths = {seq: lengths} if with_lengths else {}
        x_static, out_static, state_static = statics[steps]
        got = sess.run(dynamic, {x: xs, **feed_lengths})
        want = sess.run(loss_and_grads(x_static, out_static, state_static), {x_static: xs, **feed_lengths})
        for g, w in zip(got, want):
            assert g.shape == w.shape
            np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-12)


def test_runtime_length_against_numpy_with_sequence_length(sess, rng):
    """Zeros past each sequence's length, the state of its last valid step (the initial state for length 0)."""
    cell = tf.nn.rnn_cell.LSTMCell(3)
    x = tf.placeholder(tf.float64, [None, None, 2])
    seq = tf.placeholder(tf.int64, [None])
    out, state = tf.nn.dynamic_rnn(cell, x, sequence_length=seq, dtype=tf.float64)
    sess.run(tf.global_variables_initializer())
    w = _randomize(sess, rng)
    for steps, lengths in ((6, [6, 2, 0, 4]), (2, [1, 2, 2, 0]), (9, [3, 3, 1, 2])):
        xs = rng.standard_normal((4, steps, 2))
        lengths = np.array(lengths)
        got_out, got_c, got_h = sess.run([out, state.c, state.h], {x: xs, seq: lengths})
        ref_out, ref_c, ref_h = _lstm_ref(xs, w["rnn/lstm_cell/kernel"], w["rnn/lstm_cell/bias"], lengths)
        np.testing.assert_allclose(got_out, ref_out, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(got_c, ref_c, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(got_h, ref_h, rtol=1e-10, atol=1e-12)
        for b, n in enumerate(lengths):
            assert not got_out[b, n:].any()


def test_gradients_by_central_differences(sess, rng):
    cell = tf.nn.rnn_cell.LSTMCell(3, use_peepholes=True)
    x = tf.placeholder(tf.float64, [None, None, 2])
    seq = tf.placeholder(tf.int32, [None])
    out, state = tf.nn.dynamic_rnn(cell, x, sequence_length=seq, dtype=tf.float64)
    loss = tf.reduce_sum(tf.sin(out)) + tf.reduce_sum(tf.square(state.c)) + tf.reduce_sum(state.h)
    params = [x] + cell.weights
    grads = tf.gradients(loss, params)
    sess.run(tf.global_variables_initializer())
    _randomize(sess, rng)
    xs, lengths = rng.standard_normal((3, 4, 2)), np.array([4, 1, 2])
    feed = {x: xs, seq: lengths}
    base = sess.run(params, feed)
    analytic = sess.run(grads, feed)

    def at(values):
        for p, v in zip(params[1:], values[1:]):
            p.load(v, sess)
        return sess.run(loss, {x: values[0], seq: lengths})
    eps = 1e-6
    for _ in range(2):
        d = [rng.standard_normal(np.shape(v)) for v in base]
        numeric = (at([v + eps * e for v, e in zip(base, d)]) - at([v - eps * e for v, e in zip(base, d)])) / (2 * eps)
        at(base)
        projected = sum(float(np.sum(g * e)) for g, e in zip(analytic, d))
        assert projected == pytest.approx(numeric, rel=1e-6, abs=1e-8)
        # nothing flows into the padding past each length
        assert not analytic[0][1, 1:].any() and not analytic[0][2, 2:].any()


@pytest.mark.parametrize("time_major", [False, True], ids=["batch_major", "time_major"])
def test_bidirectional_over_runtime_lengths(time_major, sess, rng):
    fw, bw = tf.nn.rnn_cell.LSTMCell(3), tf.nn.rnn_cell.LSTMCell(2)
    x = tf.placeholder(tf.float64, [None, None, 2])
    seq = tf.placeholder(tf.int32, [None])
    (out_fw, out_bw), (st_fw, st_bw) = tf.nn.bidirectional_dynamic_rnn(
        fw, bw, x, sequence_length=seq, dtype=tf.float64, time_major=time_major)
    sess.run(tf.global_variables_initializer())
    w = _randomize(sess, rng)
    p = "bidirectional_rnn/%s/lstm_cell/"
    for steps, lengths in ((5, [5, 1, 3]), (2, [2, 0, 1])):
        xs, lengths = rng.standard_normal((3, steps, 2)), np.array(lengths)
        feed = {x: xs.transpose(1, 0, 2) if time_major else xs, seq: lengths}
        got_fw, got_bw, got_st_fw, got_st_bw = sess.run([out_fw, out_bw, st_fw, st_bw], feed)
        if time_major:
            got_fw, got_bw = got_fw.transpose(1, 0, 2), got_bw.transpose(1, 0, 2)
        ref_fw, c_fw, h_fw = _lstm_ref(xs, w[p % "fw" + "kernel"], w[p % "fw" + "bias"], lengths)
        reversed_xs = np.stack([np.concatenate([xs[b, :n][::-1], xs[b, n:]]) for b, n in enumerate(lengths)])
        ref_bw, c_bw, h_bw = _lstm_ref(reversed_xs, w[p % "bw" + "kernel"], w[p % "bw" + "bias"], lengths)
        ref_bw = np.stack([np.concatenate([ref_bw[b, :n][::-1], ref_bw[b, n:]]) for b, n in enumerate(lengths)])
        np.testing.assert_allclose(got_fw, ref_fw, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(got_bw, ref_bw, rtol=1e-10, atol=1e-12)
        for got, ref in ((got_st_fw, (c_fw, h_fw)), (got_st_bw, (c_bw, h_bw))):
            np.testing.assert_allclose(got.c, ref[0], rtol=1e-10, atol=1e-12)
            np.testing.assert_allclose(got.h, ref[1], rtol=1e-10, atol=1e-12)


def test_steps_past_the_longest_sequence_are_not_computed(sess, rng):
    """With sequence_length, the fused op runs only up to the longest sequence: its seq_len_max input is the
    lengths' maximum (the padding of a batch costs nothing), and the results are unchanged."""
    cell = tf.nn.rnn_cell.LSTMCell(3)
    x = tf.placeholder(tf.float32, [None, None, 2])
    seq = tf.placeholder(tf.int32, [None])
    out, state = tf.nn.dynamic_rnn(cell, x, sequence_length=seq, dtype=tf.float32)
    block = next(op for op in tf.get_default_graph().get_operations() if op.type == "BlockLSTM")
    sess.run(tf.global_variables_initializer())
    xs = rng.standard_normal((2, 7, 2)).astype(np.float32)
    seq_len_max, h_all = sess.run([block.inputs[0], block.outputs[6]], {x: xs, seq: [3, 2]})
    assert seq_len_max == 3 and not h_all[3:].any()
    short, short_state = sess.run([out, state.h], {x: xs[:, :3], seq: [3, 2]})
    long, long_state = sess.run([out, state.h], {x: xs, seq: [3, 2]})
    np.testing.assert_allclose(long[:, :3], short, rtol=1e-6)
    np.testing.assert_allclose(long_state, short_state, rtol=1e-6)
    assert not long[:, 3:].any()
