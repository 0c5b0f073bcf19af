"""BiasAddGrad summed inside the max-pool gradient that produces its input (compiler pass `absorb_consumers`'s
reader phase, kernels in runtime/accel/conv.py and pool_2x2.py): the pooled gradient stays bitwise the unfused
one; the bias gradient is its channel sums (per column and range of images, then added in a fixed order in float64),
so it equals a float64 reference to float32 rounding, does not depend on the thread count, and matches float64
finite differences through a whole conv/bias/relu/pool layer."""
import numpy as np
import pytest

import neuroflow as tf
from fusion_helpers import run_traced
from neuroflow.framework.apply import apply_op
from neuroflow.ops import nn_ops

pytest.importorskip("numba")
from neuroflow.runtime.accel import conv as fast_conv  # noqa: E402


@pytest.fixture
def compiled(monkeypatch):
    """Every size takes the compiled path."""
    monkeypatch.setenv("NEUROFLOW_NUMBA", "1")
    monkeypatch.setattr(fast_conv, "MIN_MACS", 0)
    monkeypatch.setattr(fast_conv, "MIN_POOL_ELEMENTS", 0)


def _pool_gradients(ksize, padding, relu):
    """(dx, dbias): the gradient of a max pool (of a ReLU when `relu`) for its input and its bias, g given."""
    def build(a, g):
        pooled_input = tf.nn.relu(a) if relu else a
        m = tf.nn.max_pool(pooled_input, ksize, ksize, padding)
        dx = tf.gradients(m, a, grad_ys=g)[0]
        return [dx, _bias_grad(dx, "NHWC")]
    return build


def _bias_grad(value, data_format):
    return apply_op(nn_ops.BiasAddGrad, [value], {"data_format": data_format}, name="BiasAddGrad")


def _inputs(shape, dtype, ksize, padding="VALID", special=False, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape).astype(dtype)
    side = (lambda n: -(-n // ksize)) if padding == "SAME" else (lambda n: n // ksize)
    out = (shape[0], side(shape[1]), side(shape[2]), shape[3])
    g = rng.standard_normal(out).astype(dtype)
    if special:  # non-finite gradients: a channel with +inf, one with +inf and -inf (NaN), one with a NaN
        g[0, 0, 0, 0] = np.inf
        g[0, 0, 0, 1], g[-1, -1, -1, 1] = np.inf, -np.inf
        g[1, 0, 0, 2] = np.nan
        x[..., :3] = np.abs(x[..., :3]) + 1  # positive: the ReLU mask keeps them
    return x, g


def _bitwise(a, b):
    assert a.shape == b.shape and a.dtype == b.dtype
    np.testing.assert_array_equal(a.view(f"u{a.itemsize}"), b.view(f"u{b.itemsize}"))


def _check_sums(db, dx):
    """db equals dx's float64 channel sums to float32 rounding (of the sum of magnitudes); non-finite alike."""
    exact = dx.astype(np.float64).sum(axis=(0, 1, 2))
    finite = np.isfinite(exact)
    np.testing.assert_array_equal(np.isfinite(db), finite)
    np.testing.assert_array_equal(db[~finite], exact[~finite].astype(db.dtype))
    scale = np.abs(dx.astype(np.float64)).sum(axis=(0, 1, 2))[finite]
    eps = np.finfo(db.dtype).eps
    assert (np.abs(db[finite] - exact[finite]) <= eps * (scale + 1e-30)).all()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("relu", [True, False])
@pytest.mark.parametrize("shape, ksize, padding", [((5, 8, 6, 32), 2, "VALID"), ((3, 7, 7, 16), 2, "VALID"),
                                                   ((3, 9, 9, 16), 3, "SAME")], ids=["2x2", "2x2-untiled", "3x3"])
@pytest.mark.parametrize("special", [False, True], ids=["finite", "non-finite"])
def test_bias_gradient_inside_the_pool_gradient(compiled, dtype, relu, shape, ksize, padding, special):
    x, g = _inputs(shape, dtype, ksize, padding, special)
    build = _pool_gradients(ksize, padding, relu)
    (dx, db), ran = run_traced(build, [x, g])
    assert "BiasAddGrad" not in ran and "MaxPoolGrad" in ran and "ReluGrad" not in ran
    (dx_apart, db_apart), ran = run_traced(build, [x, g], readers=False)
    assert "BiasAddGrad" in ran
    _bitwise(dx, dx_apart)  # the pooled gradient itself is unchanged
    _check_sums(db, dx)
    _check_sums(db_apart, dx)  # (BiasAddGrad's own kernel meets the same bound)
    (dx_numpy, db_numpy), _ = run_traced(build, [x, g], use_numba=False)
    _bitwise(dx, dx_numpy)
    if special:
        assert not np.isfinite(db[:3]).any() and np.isfinite(db[3:]).all()  # (inf * 0 off the maxima: NaN)


def test_bias_sums_do_not_depend_on_the_thread_count(compiled, monkeypatch):
    x, g = _inputs((33, 8, 8, 16), np.float32, 2, seed=3)
    build = _pool_gradients(2, "VALID", True)
    results = []
    for threads in (1, 2, 3):
        monkeypatch.setattr(fast_conv, "_threads", lambda n=threads: n)
        results.append(run_traced(build, [x, g])[0][1])
    for other in results[1:]:
        _bitwise(results[0], other)


def test_a_bias_gradient_of_another_value_or_layout_is_not_absorbed(compiled):
    x, g = _inputs((2, 8, 8, 16), np.float32, 2)

    def build(a, b):
        dx = tf.gradients(tf.nn.max_pool(a, 2, 2, "VALID"), a, grad_ys=b)[0]
        return [_bias_grad(dx, "NCHW"), _bias_grad(dx * 2.0, "NHWC")]
    (nchw, doubled), ran = run_traced(build, [x, g])
    assert sum(name.startswith("BiasAddGrad") for name in ran) == 2
    dx = run_traced(_pool_gradients(2, "VALID", False), [x, g])[0][0]
    _check_sums(nchw, np.moveaxis(dx, 1, -1))  # NCHW: the channels of axis 1
    _check_sums(doubled, dx * 2)


def test_bias_gradient_of_a_layer_matches_finite_differences(compiled):
    """float64: conv, bias, relu, 2x2 pool; the fused step's bias gradient against central differences."""
    rng = np.random.default_rng(5)
    x = rng.standard_normal((2, 8, 8, 3))
    w = rng.standard_normal((3, 3, 3, 16)) * 0.3
    bias0 = rng.standard_normal(16) * 0.3
    direction = rng.standard_normal(16)
    tf.reset_default_graph()
    b = tf.placeholder(tf.float64, [16])
    h = tf.nn.max_pool(tf.nn.relu(tf.nn.bias_add(tf.nn.conv2d(tf.constant(x), tf.constant(w), 1, "SAME"), b)),
                       2, 2, "VALID")
    loss = tf.reduce_sum(h * h)
    grad = tf.gradients(loss, b)[0]
    with tf.Session() as sess:
        meta = tf.RunMetadata()
        analytic = sess.run(grad, {b: bias0}, options=tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE),
                            run_metadata=meta)
        assert "BiasAddGrad" not in [ns.node_name.split("/")[-1] for d in meta.step_stats.dev_stats
                                     for ns in d.node_stats]
        step = 1e-6
        numeric = (sess.run(loss, {b: bias0 + step * direction}) -
                   sess.run(loss, {b: bias0 - step * direction})) / (2 * step)
    np.testing.assert_allclose(analytic @ direction, numeric, rtol=1e-6)
