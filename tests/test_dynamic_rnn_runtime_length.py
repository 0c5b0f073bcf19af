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


def test_a_static_time_dimension_with_sequence_length_still_exports_to_onnx(sess, rng):
    """Only a run-time time dimension makes the fused op's step count a run-time value: with a static one it stays
    a constant, which ONNX export needs (the exported model runs in onnxruntime)."""
    ort = pytest.importorskip("onnxruntime")
    x = tf.placeholder(tf.float32, [None, 6, 4], name="x")
    seq = tf.placeholder(tf.int32, [None], name="seq")
    out, state = tf.nn.dynamic_rnn(tf.nn.rnn_cell.LSTMCell(5), x, sequence_length=seq, dtype=tf.float32)
    sess.run(tf.global_variables_initializer())
    _randomize(sess, rng)
    model = tf.onnx.export(sess, [x, seq], [out, state.h])
    feed = {"x": rng.standard_normal((3, 6, 4)).astype(np.float32), "seq": np.array([6, 2, 0], np.int32)}
    got = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"]).run(None, feed)
    for g, w in zip(got, sess.run([out, state.h], {x: feed["x"], seq: feed["seq"]})):
        np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-6)


def test_second_order_and_gate_gradients_through_the_fused_op(sess, rng):
    """A Hessian-vector product through BlockLSTM, and gradients of its gate outputs (both recompute the LSTM
    from elementary ops: in a while loop when the number of steps is known only at run time) equal those of the
    graph that knows the number of steps (test_rnn checks that one against central differences)."""
    from neuroflow.framework.apply import apply_op
    from neuroflow.ops import rnn_ops
    cell = tf.nn.rnn_cell.LSTMCell(2, use_peepholes=True, cell_clip=0.8)
    x = tf.placeholder(tf.float64, [None, None, 2])
    x3 = tf.placeholder(tf.float64, [None, 3, 2])
    v = rng.standard_normal((4, 8))

    def hessian_vector_and_gate_grads(inp):
        out, _ = tf.nn.dynamic_rnn(cell, inp, dtype=tf.float64)
        kernel = cell.weights[0]
        g = tf.gradients(tf.reduce_sum(tf.sin(out)), kernel)[0]
        hv = tf.gradients(tf.reduce_sum(g * v), [kernel, inp])
        time_major = tf.transpose(inp, [1, 0, 2])
        zeros = tf.zeros([2, 2], tf.float64)
        n = tf.cast(tf.shape(inp)[1], tf.int64) - 1        # the last step is cut
        bias, w_f_diag, w_i_diag, w_o_diag = cell.weights[1:]
        gates = apply_op(rnn_ops.BlockLSTM, [n, time_major, zeros, zeros, kernel, w_i_diag, w_f_diag, w_o_diag,
                                             bias], {"use_peephole": True})
        gate_loss = sum(tf.reduce_sum(tf.sin(o)) for o in gates)
        return hv + tf.gradients(gate_loss, [inp] + cell.weights)
    got, want = hessian_vector_and_gate_grads(x), hessian_vector_and_gate_grads(x3)
    sess.run(tf.global_variables_initializer())
    _randomize(sess, rng)
    xs = rng.standard_normal((2, 3, 2))
    for a, b in zip(sess.run(got, {x: xs}), sess.run(want, {x3: xs})):
        assert a.shape == b.shape
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


# --- cells without a fused kernel: a while loop over time ----------------------------------------------------------
def _loop_cells():
    return {"gru": lambda: tf.nn.rnn_cell.GRUCell(4),
            "basic_rnn": lambda: tf.nn.rnn_cell.BasicRNNCell(4),
            "lstm_proj": lambda: tf.nn.rnn_cell.LSTMCell(5, num_proj=4),
            "multi": lambda: tf.nn.rnn_cell.MultiRNNCell([tf.nn.rnn_cell.LSTMCell(3), tf.nn.rnn_cell.GRUCell(4)]),
            "residual_dropout": lambda: tf.nn.rnn_cell.ResidualWrapper(tf.nn.rnn_cell.DropoutWrapper(
                tf.nn.rnn_cell.GRUCell(2), input_keep_prob=1.0, output_keep_prob=1.0))}


@pytest.mark.parametrize("kind", list(_loop_cells()))
@pytest.mark.parametrize("time_major", [False, True], ids=["batch_major", "time_major"])
@pytest.mark.parametrize("with_lengths", [False, True], ids=["full", "sequence_length"])
def test_loop_matches_the_unrolled_graph(kind, time_major, with_lengths, sess, rng):
    """A cell with no fused kernel runs in a while loop over a run-time number of steps; each length gives
    what the graph unrolled for that length gives (outputs, final state, gradients of inputs and weights)."""
    cell = _loop_cells()[kind]()
    depth = 2
    x = tf.placeholder(tf.float64, [None, None, depth])
    seq = tf.placeholder(tf.int32, [None]) if with_lengths else None
    out, state = tf.nn.dynamic_rnn(cell, x, sequence_length=seq, dtype=tf.float64, time_major=time_major)
    assert out.shape.as_list() == [None, None, cell.output_size]
    assert {"While", "StatelessWhile"} & {op.type for op in tf.get_default_graph().get_operations()}
    unrolled = {}
    for steps in LENGTHS:
        shape = [steps, None, depth] if time_major else [None, steps, depth]
        xs_ = tf.placeholder(tf.float64, shape)
        unrolled[steps] = (xs_,) + tf.nn.dynamic_rnn(cell, xs_, sequence_length=seq, dtype=tf.float64,
                                                     time_major=time_major)
    assert len(tf.global_variables()) == len(cell.weights)

    def loss_and_grads(inp, o, s):
        loss = tf.reduce_sum(tf.sin(o)) + tf.reduce_sum(tf.square(_flat(s)[0]))
        return [o] + _flat(s) + tf.gradients(loss, [inp] + cell.weights)
    looped = loss_and_grads(x, out, state)
    sess.run(tf.global_variables_initializer())
    _randomize(sess, rng)
    for steps in LENGTHS:
        xs = rng.standard_normal((3, steps, depth))
        if time_major:
            xs = xs.transpose(1, 0, 2)
        feed_lengths = {seq: np.minimum([steps, 0, 2], steps)} if with_lengths else {}
        x_static, out_static, state_static = unrolled[steps]
        got = sess.run(looped, {x: xs, **feed_lengths})
        want = sess.run(loss_and_grads(x_static, out_static, state_static), {x_static: xs, **feed_lengths})
        for g, w in zip(got, want):
            assert g.shape == w.shape
            np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-12)


class _PlainCell:
    """A cell that is no Layer: an Elman step making its weight with tf.get_variable on every call."""
    output_size = state_size = 3

    def zero_state(self, batch_size, dtype):
        return tf.zeros(tf.stack([batch_size, 3]), dtype)

    def __call__(self, inputs, state):
        w = tf.get_variable("w", [inputs.shape[-1].value + 3, 3], tf.float64)
        out = tf.tanh(tf.matmul(tf.concat([inputs, state], 1), w))
        return out, out


def test_a_cell_that_is_no_layer_shares_its_variable(sess, rng):
    cell = _PlainCell()
    x = tf.placeholder(tf.float64, [None, None, 2])
    out, _ = tf.nn.dynamic_rnn(cell, x, dtype=tf.float64)
    assert [v.op.name for v in tf.global_variables()] == ["rnn/w"]
    sess.run(tf.global_variables_initializer())
    w = sess.run(tf.global_variables()[0])
    xs = rng.standard_normal((2, 4, 2))
    h, want = np.zeros((2, 3)), []
    for t in range(4):
        h = np.tanh(np.concatenate([xs[:, t], h], 1) @ w)
        want.append(h)
    np.testing.assert_allclose(sess.run(out, {x: xs}), np.stack(want, 1), rtol=1e-12)


def test_loop_gradients_by_central_differences(sess, rng):
    cell = tf.nn.rnn_cell.GRUCell(3)
    x = tf.placeholder(tf.float64, [None, None, 2])
    seq = tf.placeholder(tf.int32, [None])
    out, state = tf.nn.dynamic_rnn(cell, x, sequence_length=seq, dtype=tf.float64)
    loss = tf.reduce_sum(tf.sin(out)) + tf.reduce_sum(tf.square(state))
    params = [x] + cell.weights
    grads = tf.gradients(loss, params)
    sess.run(tf.global_variables_initializer())
    _randomize(sess, rng)
    xs, lengths = rng.standard_normal((3, 4, 2)), np.array([4, 1, 2])
    base = sess.run(params, {x: xs})
    analytic = sess.run(grads, {x: xs, seq: lengths})

    def at(values):
        for p, v in zip(params[1:], values[1:]):
            p.load(v, sess)
        return sess.run(loss, {x: values[0], seq: lengths})
    eps = 1e-6
    d = [rng.standard_normal(np.shape(v)) for v in base]
    numeric = (at([v + eps * e for v, e in zip(base, d)]) - at([v - eps * e for v, e in zip(base, d)])) / (2 * eps)
    at(base)
    assert sum(float(np.sum(g * e)) for g, e in zip(analytic, d)) == pytest.approx(numeric, rel=1e-6, abs=1e-8)
    assert not analytic[0][1, 1:].any() and not analytic[0][2, 2:].any()


def test_bidirectional_loop_cells_over_runtime_lengths(sess, rng):
    fw, bw = tf.nn.rnn_cell.GRUCell(3), tf.nn.rnn_cell.BasicRNNCell(2)
    x = tf.placeholder(tf.float64, [None, None, 2])
    seq = tf.placeholder(tf.int32, [None])
    (out_fw, out_bw), (st_fw, st_bw) = tf.nn.bidirectional_dynamic_rnn(fw, bw, x, sequence_length=seq,
                                                                       dtype=tf.float64)
    x4 = tf.placeholder(tf.float64, [None, 4, 2])
    (ref_fw, ref_bw), (ref_st_fw, ref_st_bw) = tf.nn.bidirectional_dynamic_rnn(fw, bw, x4, sequence_length=seq,
                                                                               dtype=tf.float64)
    sess.run(tf.global_variables_initializer())
    _randomize(sess, rng)
    xs, lengths = rng.standard_normal((3, 4, 2)), np.array([4, 1, 3])
    got = sess.run([out_fw, out_bw, st_fw, st_bw], {x: xs, seq: lengths})
    want = sess.run([ref_fw, ref_bw, ref_st_fw, ref_st_bw], {x4: xs, seq: lengths})
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-12)


# --- raw_rnn ----------------------------------------------------------------------------------------------------------
def _raw_rnn_of(cell, inputs, lengths, batch, depth):
    """TensorFlow's raw_rnn documentation example: dynamic_rnn written with raw_rnn (time-major inputs)."""
    inputs_ta = tf.TensorArray(tf.float64, size=tf.shape(inputs)[0]).unstack(inputs)

    def loop_fn(time, cell_output, cell_state, loop_state):
        emit_output = cell_output   # None at time 0: emit cell.output_size
        next_state = cell.zero_state(batch, tf.float64) if cell_output is None else cell_state
        finished = time >= lengths
        next_input = tf.cond(tf.reduce_all(finished), lambda: tf.zeros([batch, depth], dtype=tf.float64),
                             lambda: inputs_ta.read(time))
        return finished, next_input, next_state, emit_output, None
    return tf.nn.raw_rnn(cell, loop_fn)


def test_raw_rnn_is_dynamic_rnn_written_by_hand(sess, rng):
    cell = tf.nn.rnn_cell.GRUCell(3)
    x = tf.placeholder(tf.float64, [None, 3, 2])      # time-major; batch 3
    seq = tf.placeholder(tf.int32, [3])
    outputs_ta, final_state, final_loop_state = _raw_rnn_of(cell, x, seq, 3, 2)
    assert final_loop_state is None
    outputs = outputs_ta.stack()
    ref_out, ref_state = tf.nn.dynamic_rnn(cell, x, sequence_length=seq, dtype=tf.float64, time_major=True)
    g_raw = tf.gradients(tf.reduce_sum(tf.sin(outputs)) + tf.reduce_sum(final_state), [x] + cell.weights)
    g_ref = tf.gradients(tf.reduce_sum(tf.sin(ref_out)) + tf.reduce_sum(ref_state), [x] + cell.weights)
    sess.run(tf.global_variables_initializer())
    _randomize(sess, rng)
    for steps, lengths in ((3, [3, 1, 2]), (5, [2, 5, 1])):
        feed = {x: rng.standard_normal((steps, 3, 2)), seq: lengths}
        got, got_state, want, want_state = sess.run([outputs, final_state, ref_out, ref_state], feed)
        longest = max(lengths)
        assert got.shape == (longest, 3, 3)           # raw_rnn stops when every entry is finished
        np.testing.assert_allclose(got, want[:longest], rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(got_state, want_state, rtol=1e-10, atol=1e-12)
        for a, b in zip(*sess.run([g_raw, g_ref], feed)):
            np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def test_raw_rnn_loop_state_and_emit_structure(sess, rng):
    """A loop_state (here counting steps) comes back; an emit structure other than the cell's output (here
    the output doubled and its sum) fills TensorArrays of that structure; finished entries emit zeros."""
    cell = tf.nn.rnn_cell.BasicRNNCell(2)
    x = tf.placeholder(tf.float64, [4, 2, 1])
    lengths = tf.constant([4, 2])

    def loop_fn(time, cell_output, cell_state, loop_state):
        if cell_output is None:
            emit = (tf.zeros([2], tf.float64), tf.zeros([], tf.float64))
            return time >= lengths, x[0], cell.zero_state(2, tf.float64), emit, tf.constant(0)
        emit = (cell_output * 2, tf.reduce_sum(cell_output, 1))
        next_input = tf.gather(x, tf.minimum(time, 3))
        return time >= lengths, next_input, cell_state, emit, loop_state + 1
    (doubled_ta, sums_ta), state, steps = tf.nn.raw_rnn(cell, loop_fn)
    reference, _ = tf.nn.dynamic_rnn(cell, x, sequence_length=lengths, dtype=tf.float64, time_major=True)
    sess.run(tf.global_variables_initializer())
    xs = rng.standard_normal((4, 2, 1))
    doubled, sums, n, ref = sess.run([doubled_ta.stack(), sums_ta.stack(), steps, reference], {x: xs})
    assert n == 4
    np.testing.assert_allclose(doubled, 2 * ref, rtol=1e-12)
    np.testing.assert_allclose(sums, ref.sum(2), rtol=1e-12)
    assert not doubled[2:, 1].any()


# --- training --------------------------------------------------------------------------------------------------------
def test_gru_learns_the_first_token_over_runtime_lengths():
    """A GRU (the while-loop path) reads sequences of +-1 of lengths 2..12, each batch padded with noise to its own
    longest sequence, and must tell the first token from its final state: it has to carry it through the whole
    sequence and stop at each sequence's length."""
    rng = np.random.default_rng(0)

    def batch(size):
        lengths = rng.integers(2, rng.integers(2, 13, endpoint=True), size, endpoint=True)
        xs = rng.choice([-1.0, 1.0], (size, lengths.max(), 1)).astype(np.float32)
        labels = (xs[:, 0, 0] > 0).astype(np.int64)
        return xs, lengths, labels
    tf.set_random_seed(1)
    x = tf.placeholder(tf.float32, [None, None, 1])
    seq = tf.placeholder(tf.int32, [None])
    y = tf.placeholder(tf.int64, [None])
    _, state = tf.nn.dynamic_rnn(tf.nn.rnn_cell.GRUCell(16), x, sequence_length=seq, dtype=tf.float32)
    logits = tf.layers.dense(state, 2)
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
    accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1), y), tf.float32))
    train = tf.train.AdamOptimizer(0.02).minimize(loss)
    test_x, test_n, test_y = batch(500)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        first = sess.run(loss, {x: test_x, seq: test_n, y: test_y})
        for _ in range(150):
            xb, nb, yb = batch(32)
            sess.run(train, {x: xb, seq: nb, y: yb})
        final, acc = sess.run([loss, accuracy], {x: test_x, seq: test_n, y: test_y})
    assert final < 0.05 < first and acc > 0.98, (first, final, acc)  # the seeded run: loss 1.5e-4, accuracy 1.0


def test_dropout_inside_the_loop_uses_one_mask_for_outputs_and_gradients(sess, rng):
    """Input dropout drawn in the loop body: the gradient is zero exactly where an input was dropped, and the
    outputs fetched in the same run are NumPy's RNN over the inputs masked where the gradient says."""
    cell = tf.nn.rnn_cell.DropoutWrapper(tf.nn.rnn_cell.BasicRNNCell(3), input_keep_prob=0.5)
    x = tf.placeholder(tf.float64, [None, None, 4])
    out, _ = tf.nn.dynamic_rnn(cell, x, dtype=tf.float64)
    grad_x = tf.gradients(tf.reduce_sum(out), x)[0]
    sess.run(tf.global_variables_initializer())
    w = _randomize(sess, rng)
    xs = rng.standard_normal((5, 6, 4))
    got, g = sess.run([out, grad_x], {x: xs})
    kept = g != 0
    assert 0.3 < kept.mean() < 0.7
    h, want = np.zeros((5, 3)), []
    for t in range(6):
        h = np.tanh(np.concatenate([xs[:, t] * kept[:, t] / 0.5, h], 1) @ w["rnn/basic_rnn_cell/kernel"]
                    + w["rnn/basic_rnn_cell/bias"])
        want.append(h)
    np.testing.assert_allclose(got, np.stack(want, 1), rtol=1e-10, atol=1e-12)


def test_raw_rnn_eagerly_matches_dynamic_rnn_with_the_tapes_gradients(rng):
    with tf.eager_mode():
        cell = tf.nn.rnn_cell.GRUCell(3)
        x = tf.constant(rng.standard_normal((4, 2, 2)))
        lengths = tf.constant([4, 2])
        gradients = []
        for runner in ("raw_rnn", "dynamic_rnn"):
            with tf.GradientTape() as tape:
                tape.watch(x)
                if runner == "raw_rnn":
                    outputs_ta, state, _ = _raw_rnn_of(cell, x, lengths, 2, 2)
                    out = outputs_ta.stack()
                else:
                    out, state = tf.nn.dynamic_rnn(cell, x, sequence_length=lengths, dtype=tf.float64,
                                                   time_major=True)
                loss = tf.reduce_sum(tf.sin(out)) + tf.reduce_sum(state)
            gradients.append([out, state] + tape.gradient(loss, [x] + cell.trainable_variables))
        for a, b in zip(*gradients):
            np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-10, atol=1e-12)


def test_raw_rnn_errors():
    cell = tf.nn.rnn_cell.GRUCell(3)
    with pytest.raises(TypeError, match="loop_fn must be a callable"):
        tf.nn.raw_rnn(cell, None)
    with pytest.raises(TypeError, match="cell must be an instance of RNNCell"):
        tf.nn.raw_rnn(object(), lambda *args: None)

    def wrong_state(time, cell_output, cell_state, loop_state):
        return tf.constant([False]), tf.zeros([1, 2]), (tf.zeros([1, 3]), tf.zeros([1, 3])), None, None
    with pytest.raises(ValueError, match="don't have the same nested structure"):
        tf.nn.raw_rnn(cell, wrong_state)


def test_the_loop_over_runtime_lengths_exports_to_onnx(sess, rng):
    """dynamic_rnn's while loop (a GRU over [None, None, 2] with sequence_length) exports as an ONNX Loop that
    runs in onnxruntime for lengths the graph never saw."""
    ort = pytest.importorskip("onnxruntime")
    x = tf.placeholder(tf.float32, [None, None, 2], name="x")
    seq = tf.placeholder(tf.int32, [None], name="seq")
    out, state = tf.nn.dynamic_rnn(tf.nn.rnn_cell.GRUCell(3), x, sequence_length=seq, dtype=tf.float32)
    sess.run(tf.global_variables_initializer())
    _randomize(sess, rng)
    model = tf.onnx.export(sess, [x, seq], [out, state])
    assert "Loop" in [node.op_type for node in model.graph.node]
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    for steps, lengths in ((5, [5, 2, 0]), (2, [1, 2, 2])):
        feed = {"x": rng.standard_normal((3, steps, 2)).astype(np.float32), "seq": np.array(lengths, np.int32)}
        for g, w in zip(session.run(None, feed), sess.run([out, state], {x: feed["x"], seq: feed["seq"]})):
            np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-6)
