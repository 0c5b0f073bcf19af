"""The compiled BlockLSTM / BlockLSTMGrad kernels (runtime/accel/rnn.py) agree with the NumPy kernels they
replace: outputs and gradients with the fast-kernel registry on and off, with and without peepholes, cell clip,
a cut sequence (seq_len_max), a cs gradient, float32 and float64; and either forward's outputs feed either
backward."""
import numpy as np
import pytest

import neuroflow as tf
from neuroflow.framework.apply import apply_op
from neuroflow.ops import rnn_ops
from neuroflow.runtime import accel

pytest.importorskip("numba")
from neuroflow.runtime.accel import rnn as accel_rnn  # noqa: E402

UNITS = 8


@pytest.fixture(autouse=True)
def small_units(monkeypatch):
    monkeypatch.setattr(accel_rnn, "MIN_UNITS", UNITS)  # small shapes keep the tests fast


def _block(steps, batch, depth, dtype, attrs, n=None, cs_loss=False):
    """A BlockLSTM node on placeholders, a loss on its h and cs outputs, and the gradients of the loss."""
    tf_dt = tf.as_dtype(dtype)
    x = tf.placeholder(tf_dt, [steps, batch, depth])
    c0, h0 = tf.placeholder(tf_dt, [batch, UNITS]), tf.placeholder(tf_dt, [batch, UNITS])
    w = tf.placeholder(tf_dt, [depth + UNITS, 4 * UNITS])
    b = tf.placeholder(tf_dt, [4 * UNITS])
    peeps = [tf.placeholder(tf_dt, [UNITS]) for _ in range(3)]
    seq_len_max = tf.constant(steps if n is None else n, tf.int64)
    outs = apply_op(rnn_ops.BlockLSTM, [seq_len_max, x, c0, h0, w] + peeps + [b], dict(attrs), name="BlockLSTM")
    loss = tf.reduce_sum(tf.sin(outs[6]))
    if cs_loss:
        loss += tf.reduce_sum(tf.cos(outs[1]))
    wrt = [x, c0, h0, w, b] + (peeps if attrs.get("use_peephole") else [])
    return [x, c0, h0, w, b] + peeps, list(outs), tf.gradients(loss, wrt)


def _feeds(placeholders, rng, dtype):
    return {p: (rng.standard_normal(p.shape.as_list()) * 0.5).astype(dtype) for p in placeholders}


def _run(fetches, feeds, fast):
    saved = accel._available[0]
    accel._available[0] = fast
    try:
        with tf.Session() as sess:
            values = sess.run(fetches, feeds)
            plan = list(sess._plans.values())[-1]
            used = {s.opdef.type_name for s in plan.program.steps
                    if getattr(s.kernel, "__module__", "").endswith("accel.rnn")}
        return values, used
    finally:
        accel._available[0] = saved


CASES = {
    "plain": {},
    "forget_bias": {"forget_bias": 0.3},
    "peephole": {"use_peephole": True},
    "clip": {"cell_clip": 0.4},
    "peephole_clip_cs": {"use_peephole": True, "cell_clip": 0.4, "forget_bias": 0.7, "cs_loss": True},
}


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_fast_block_lstm_matches_numpy(case, dtype, rng):
    attrs = {"forget_bias": 1.0, "cell_clip": -1.0, "use_peephole": False}
    attrs.update(CASES[case])
    cs_loss = attrs.pop("cs_loss", False)
    placeholders, outs, grads = _block(5, 3, 4, dtype, attrs, cs_loss=cs_loss)
    feeds = _feeds(placeholders, rng, dtype)
    fast, used_fast = _run([outs, grads], feeds, True)
    plain, used_plain = _run([outs, grads], feeds, False)
    assert used_fast == {"BlockLSTM", "BlockLSTMGrad"} and not used_plain
    # float32: the fast kernels' products sum in another order (see accel/rnn.py); float64: to rounding.
    tol = {"rtol": 2e-5, "atol": 2e-6} if dtype == np.float32 else {"rtol": 1e-12, "atol": 1e-13}
    for a, b in zip(fast[0] + fast[1], plain[0] + plain[1]):
        assert a.dtype == b.dtype and a.shape == b.shape
        np.testing.assert_allclose(a, b, **tol)


def test_fast_block_lstm_cut_sequence(rng):
    """seq_len_max below the number of steps: later steps output zeros and pass no gradient back."""
    attrs = {"forget_bias": 1.0, "cell_clip": -1.0, "use_peephole": False}
    placeholders, outs, grads = _block(6, 2, 3, np.float32, attrs, n=4)
    feeds = _feeds(placeholders, rng, np.float32)
    fast, used = _run([outs, grads], feeds, True)
    plain, _ = _run([outs, grads], feeds, False)
    assert used == {"BlockLSTM", "BlockLSTMGrad"}
    for a, b in zip(fast[0] + fast[1], plain[0] + plain[1]):
        np.testing.assert_allclose(a, b, rtol=2e-5, atol=2e-6)
    assert not any(o[4:].any() for o in fast[0])
    assert not fast[1][0][4:].any()                       # x_grad of the cut steps


def test_fast_block_lstm_zero_steps_falls_back(rng):
    attrs = {"forget_bias": 1.0, "cell_clip": -1.0, "use_peephole": False}
    placeholders, outs, grads = _block(3, 2, 3, np.float32, attrs, n=0)
    feeds = _feeds(placeholders, rng, np.float32)
    fast, _ = _run([outs, grads], feeds, True)
    plain, _ = _run([outs, grads], feeds, False)
    for a, b in zip(fast[0] + fast[1], plain[0] + plain[1]):
        np.testing.assert_array_equal(a, b)


def test_forward_is_the_numpy_kernels_arithmetic(rng):
    """Without peepholes and clip the fast forward computes exactly what the NumPy kernel does, up to the
    order in which the pre-activation product sums (float64 makes that difference negligible)."""
    steps, batch, depth = 4, 3, 5
    x = rng.standard_normal((batch, steps, depth)).transpose(1, 0, 2)   # non-contiguous, as dynamic_rnn's
    c0, h0 = rng.standard_normal((2, batch, UNITS))
    w, b = rng.standard_normal((depth + UNITS, 4 * UNITS)), rng.standard_normal(4 * UNITS)
    p = np.zeros(UNITS)
    args = (np.int64(steps), x, c0, h0, w, p, p, p, b)
    plain = rnn_ops.BlockLSTM.compute(np, rnn_ops._Scratch(), *args)
    fast = accel_rnn._forward(accel_rnn._compiled(), rnn_ops._Scratch(), steps, *args[1:], forget_bias=1.0,
                              cell_clip=-1.0, use_peephole=False)
    for a, b_ in zip(fast, plain):
        np.testing.assert_allclose(a, b_, rtol=1e-13, atol=1e-14)


@pytest.mark.parametrize("peephole", [False, True])
def test_either_forward_feeds_either_backward(peephole, rng):
    """The backward kernels read the forward outputs through their strides: the fast backward on the NumPy
    forward's outputs (and on copies of them) and the NumPy backward on the fast forward's agree."""
    steps, batch, depth = 5, 3, 4
    dt = np.float32
    x = rng.standard_normal((steps, batch, depth)).astype(dt)
    c0, h0 = rng.standard_normal((2, batch, UNITS)).astype(dt)
    w = (rng.standard_normal((depth + UNITS, 4 * UNITS)) * 0.5).astype(dt)
    b = rng.standard_normal(4 * UNITS).astype(dt)
    peeps = [rng.standard_normal(UNITS).astype(dt) for _ in range(3)]
    attrs = {"forget_bias": 0.8, "cell_clip": 0.5, "use_peephole": peephole}
    fns = accel_rnn._compiled()
    inputs = (x, c0, h0, w, *peeps, b)
    plain_out = rnn_ops.BlockLSTM.compute(np, rnn_ops._Scratch(), np.int64(steps), *inputs, **attrs)
    fast_out = accel_rnn._forward(fns, rnn_ops._Scratch(), steps, *inputs, **attrs)
    gh = rng.standard_normal((batch, steps, UNITS)).astype(dt).transpose(1, 0, 2)
    gcs = rng.standard_normal((steps, batch, UNITS)).astype(dt)

    def fast_grad(outs):
        return accel_rnn._backward(fns, rnn_ops._Scratch(), steps, x, c0, h0, w, *peeps, *outs, gcs, gh,
                                   peephole, attrs["cell_clip"])

    def plain_grad(outs):
        return rnn_ops.BlockLSTMGrad.compute(np, rnn_ops._Scratch(), np.int64(steps), *inputs, *outs, gcs, gh,
                                             use_peephole=peephole, cell_clip=attrs["cell_clip"])

    reference = plain_grad(plain_out)
    copies = [np.array(a, order="C") for a in plain_out]
    for grads in (fast_grad(plain_out), fast_grad(fast_out), fast_grad(copies), plain_grad(fast_out)):
        for a, b_ in zip(grads, reference):
            assert a.shape == b_.shape and a.dtype == b_.dtype
            np.testing.assert_allclose(a, b_, rtol=2e-5, atol=2e-6)


def test_dynamic_rnn_lstm_trains_the_same(rng):
    """A dynamic_rnn LSTM (batch-major input, sequence_length, last output -> dense) trained a few Adam steps
    with the registry on and off ends with the same variables."""
    def train(fast):
        tf.reset_default_graph()
        tf.set_random_seed(3)
        x = tf.placeholder(tf.float32, [None, 6, 5])
        t = tf.placeholder(tf.int64, [None])
        lengths = tf.placeholder(tf.int32, [None])
        out, state = tf.nn.dynamic_rnn(tf.nn.rnn_cell.LSTMCell(UNITS), x, sequence_length=lengths,
                                       dtype=tf.float32)
        logits = tf.layers.dense(state.h + out[:, -1], 3)
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=t, logits=logits))
        train_op = tf.train.AdamOptimizer(0.05).minimize(loss)
        feeds = {x: rng_x, t: rng_t, lengths: rng_len}
        saved = accel._available[0]
        accel._available[0] = fast
        try:
            with tf.Session() as sess:
                sess.run(tf.global_variables_initializer())
                losses = [sess.run([loss, train_op], feeds)[0] for _ in range(4)]
                plan = [p for p in sess._plans.values() if any(s.op.type == "BlockLSTMGrad" for s in p.program.steps)]
                used = {s.op.type for s in plan[0].program.steps
                        if getattr(s.kernel, "__module__", "").endswith("accel.rnn")}
                return losses, sess.run(tf.trainable_variables()), used
        finally:
            accel._available[0] = saved

    rng_x = rng.standard_normal((4, 6, 5)).astype(np.float32)
    rng_t = rng.integers(0, 3, 4)
    rng_len = np.array([6, 3, 5, 1], np.int32)
    fast_losses, fast_vars, used = train(True)
    plain_losses, plain_vars, _ = train(False)
    assert used == {"BlockLSTM", "BlockLSTMGrad"}
    np.testing.assert_allclose(fast_losses, plain_losses, rtol=1e-5)
    assert fast_losses[-1] < fast_losses[0]
    for a, b in zip(fast_vars, plain_vars):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


def test_drop_outputs_skips_only_the_dropped(rng):
    """`kernel.drop_outputs` (for a plan compiler that knows which outputs nothing reads) returns None for the
    dropped x_grad / h_prev_grad and the same values as the full kernel for the rest."""
    from neuroflow.runtime.context import RunContext
    steps, batch, depth = 4, 3, 5
    attrs = {"forget_bias": 1.0, "cell_clip": -1.0, "use_peephole": False}
    placeholders, outs, _ = _block(steps, batch, depth, np.float32, attrs)
    grad_op = next(op for op in tf.get_default_graph().get_operations() if op.type == "BlockLSTMGrad")
    feeds = _feeds(placeholders, rng, np.float32)
    x, c0, h0, w, b = (feeds[p] for p in placeholders[:5])
    peeps = [feeds[p] for p in placeholders[5:]]
    fwd = accel_rnn._forward(accel_rnn._compiled(), rnn_ops._Scratch(), steps, x, c0, h0, w, *peeps, b, **attrs)
    h_grad = rng.standard_normal((steps, batch, UNITS)).astype(np.float32)
    args = (np.int64(steps), x, c0, h0, w, *peeps, b, *fwd, np.float32(0), h_grad)
    full = accel_rnn._block_lstm_grad(grad_op, RunContext())
    lean = full.drop_outputs({0, 2})
    expected, got = full(*args), lean(*args)
    assert got[0] is None and got[2] is None
    for k in (1, 3, 4, 5, 6, 7):
        np.testing.assert_array_equal(got[k], expected[k])
    cut = full.drop_outputs({0})(np.int64(0), *args[1:])     # zero steps: the NumPy kernel, then dropped
    assert cut[0] is None and cut[2] is not None


def test_backward_uses_its_own_inputs(rng):
    """A hand-built BlockLSTMGrad whose x and h_prev differ from those its forward outputs came from: the fast
    backward (which reuses the forward's stacked [x; h; 1] array) uses its own inputs, as the NumPy one does."""
    steps, batch, depth = 4, 3, 5
    dt = np.float32
    x, x2 = rng.standard_normal((2, steps, batch, depth)).astype(dt)
    c0, h0, h0_2 = rng.standard_normal((3, batch, UNITS)).astype(dt)
    w = rng.standard_normal((depth + UNITS, 4 * UNITS)).astype(dt)
    b, p = rng.standard_normal(4 * UNITS).astype(dt), np.zeros(UNITS, dt)
    attrs = {"forget_bias": 1.0, "cell_clip": -1.0, "use_peephole": False}
    outs = accel_rnn._forward(accel_rnn._compiled(), rnn_ops._Scratch(), steps, x, c0, h0, w, p, p, p, b, **attrs)
    gh = rng.standard_normal((steps, batch, UNITS)).astype(dt)
    for xs, h0s in ((x2, h0_2), (x, h0), (x2, h0)):          # other inputs, then the forward's own again
        fast = accel_rnn._backward(accel_rnn._compiled(), rnn_ops._Scratch(), steps, xs, c0, h0s, w, p, p, p,
                                   *outs, np.float32(0), gh, False, -1.0)
        plain = rnn_ops.BlockLSTMGrad.compute(np, rnn_ops._Scratch(), np.int64(steps), xs, c0, h0s, w, p, p, p, b,
                                              *outs, np.float32(0), gh)
        for a, b_ in zip(fast, plain):
            np.testing.assert_allclose(a, b_, rtol=2e-5, atol=2e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("units,batch", [(8, 3), (9, 5), (33, 17)])
@pytest.mark.parametrize("with_cs", [False, True])
def test_plain_step_back_is_the_general_one(dtype, units, batch, with_cs, rng):
    """Without peepholes and clip the backward runs add_grads then step_back_plain (a loop LLVM vectorizes):
    bitwise what the general step_back computes, with and without output gradients, at odd sizes."""
    fns = accel_rnn._compiled()
    steps, t = 4, 2
    g = rng.random((4 * units, batch)).astype(dtype)
    co, c_prev = rng.standard_normal((2, units, batch)).astype(dtype)
    gcs = rng.standard_normal((units, steps, batch)).astype(dtype) if with_cs else np.zeros((0, steps, batch), dtype)
    gh = rng.standard_normal((units, steps, batch)).astype(dtype)
    dcs0, dh0 = rng.standard_normal((2, units, batch)).astype(dtype)
    p = np.zeros(units, dtype)
    one = dtype(1)
    results = []
    for general in (True, False):
        dcs, dh, dz = dcs0.copy(), dh0.copy(), np.zeros((4 * units, steps, batch), dtype)
        if general:
            fns["step_back"](g, co, c_prev, dcs, dh, gcs, gh, one, dtype(-1), False, p, p, p, dz, t)
        else:
            fns["add_grads"](dcs, dh, gcs, gh, t)
            fns["step_back_plain"](g, co, c_prev, dcs, dh, one, dz, t)
        results.append((dcs, dh, dz))
    for a, b_ in zip(*results):
        np.testing.assert_array_equal(a, b_)


@pytest.mark.parametrize("units,batch", [(9, 5), (33, 1)])
def test_fast_backward_odd_sizes(units, batch, monkeypatch, rng):
    """The fast forward and backward at odd unit counts and batch sizes, with both output gradients, agree with
    the NumPy kernels."""
    monkeypatch.setattr(accel_rnn, "MIN_UNITS", 1)
    steps, depth = 5, 3
    dt = np.float32
    x = rng.standard_normal((steps, batch, depth)).astype(dt)
    c0, h0 = rng.standard_normal((2, batch, units)).astype(dt)
    w = (rng.standard_normal((depth + units, 4 * units)) * 0.5).astype(dt)
    b = rng.standard_normal(4 * units).astype(dt)
    p = np.zeros(units, dt)
    attrs = {"forget_bias": 1.0, "cell_clip": -1.0, "use_peephole": False}
    inputs = (x, c0, h0, w, p, p, p, b)
    fns = accel_rnn._compiled()
    plain_out = rnn_ops.BlockLSTM.compute(np, rnn_ops._Scratch(), np.int64(steps), *inputs, **attrs)
    fast_out = accel_rnn._forward(fns, rnn_ops._Scratch(), steps, *inputs, **attrs)
    for a, b_ in zip(fast_out, plain_out):
        np.testing.assert_allclose(a, b_, rtol=2e-5, atol=2e-6)
    gcs, gh = rng.standard_normal((2, steps, batch, units)).astype(dt)
    fast = accel_rnn._backward(fns, rnn_ops._Scratch(), steps, x, c0, h0, w, p, p, p, *fast_out, gcs, gh, False, -1.0)
    plain = rnn_ops.BlockLSTMGrad.compute(np, rnn_ops._Scratch(), np.int64(steps), *inputs, *plain_out, gcs, gh,
                                          use_peephole=False, cell_clip=-1.0)
    for a, b_ in zip(fast, plain):
        assert a.shape == b_.shape and a.dtype == b_.dtype
        np.testing.assert_allclose(a, b_, rtol=2e-5, atol=2e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_gradient_copy_skipping_zero_steps_is_the_plain_copy(dtype, rng):
    """The backward's feature-major copy of an incoming output gradient zero-fills all-(+0.0) steps instead of
    transposing them: the same bits as the plain copy, for zero steps, -0.0 and NaN steps (copied as values),
    dense steps, and a batch-major array seen time-major (as dynamic_rnn hands it over)."""
    fns = accel_rnn._compiled()
    steps, batch, units = 7, 5, 9
    batch_major = np.zeros((batch, steps, units), dtype)
    batch_major[:, 6] = rng.standard_normal((batch, units))  # the last step: what outputs[:, -1] sends back
    batch_major[:, 2] = rng.standard_normal((batch, units))
    batch_major[1, 3, 4] = -0.0
    batch_major[0, 4, 0] = np.nan
    for grad in (batch_major.transpose(1, 0, 2), np.ascontiguousarray(batch_major.transpose(1, 0, 2))):
        plain = np.full((units + 3, steps + 2, batch), 7, dtype)
        skipping = plain.copy()
        fns["to_feature_major"](grad, plain, 0, 0)
        accel_rnn._gradient_to_feature_major(fns, grad, skipping)
        assert plain.tobytes() == skipping.tobytes()
        assert np.signbit(skipping[4, 3, 1]) and np.isnan(skipping[0, 4, 0])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_last_output_only_gradients_match_numpy(dtype, rng):
    """A loss on the last step's output alone (a classifier on an LSTM): the incoming h gradient is zero at
    every other step, the case the zero-skipping copy serves."""
    attrs = {"forget_bias": 1.0, "cell_clip": -1.0, "use_peephole": False}
    steps, batch, depth = 6, 3, 4
    placeholders, outs, _ = _block(steps, batch, depth, dtype, attrs)
    x, c0, h0, w, b = placeholders[:5]
    grads = tf.gradients(tf.reduce_sum(tf.sin(outs[6][-1])), [x, c0, h0, w, b])
    feeds = _feeds(placeholders, rng, dtype)
    fast, used = _run(grads, feeds, True)
    plain, _ = _run(grads, feeds, False)
    assert used == {"BlockLSTM", "BlockLSTMGrad"}
    tol = {"rtol": 2e-5, "atol": 2e-6} if dtype == np.float32 else {"rtol": 1e-12, "atol": 1e-13}
    for a, b in zip(fast, plain):
        np.testing.assert_allclose(a, b, **tol)
