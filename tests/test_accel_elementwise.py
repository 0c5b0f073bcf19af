"""runtime/accel/elementwise.py: Relu, ReluGrad and BiasAdd split over the thread pool give bitwise the plain
kernels' results (NaN, infinities and signed zeros included), and fall back to them for what they do not take.
They are plain NumPy: they need the pool, not numba."""
import numpy as np
import pytest

import neuroflow as tf
from neuroflow.ops import nn_ops
from neuroflow.runtime import accel, blas_threads


@pytest.fixture(scope="module", autouse=True)
def pool():
    blas_threads.configure()
    if blas_threads.threads() < 2:
        pytest.skip("one core, BLAS not OpenBLAS, or NEUROFLOW_BLAS_THREADS=0: the pool is off")


def _values(shape, dtype, seed=0):
    x = np.random.default_rng(seed).standard_normal(shape).astype(dtype)
    flat = x.reshape(-1)
    flat[:6] = [np.nan, np.inf, -np.inf, -0.0, 0.0, -np.nan]
    return x


def _run(build, *arrays):
    """The fetched result of build(*placeholders), with the fast kernels on and off (numba off throughout)."""
    results = []
    for factories in (accel._FACTORIES, {}):
        tf.reset_default_graph()
        phs = [tf.placeholder(tf.as_dtype(a.dtype), a.shape) for a in arrays]
        out = build(*phs)
        saved = accel._available[0], accel._FACTORIES
        accel._available[0], accel._FACTORIES = False, factories
        try:
            with tf.Session() as sess:
                results.append(sess.run(out, dict(zip(phs, arrays))))
        finally:
            accel._available[0], accel._FACTORIES = saved
    return results


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(64, 28, 28, 32), (3, 300001)])  # uneven halves, odd row sizes
def test_split_kernels_equal_the_plain_ones(dtype, shape, monkeypatch):
    splits = []
    real_split = blas_threads.split_work
    monkeypatch.setattr(blas_threads, "split_work", lambda n, work, grain=1: (splits.append(n),
                                                                            real_split(n, work, grain)))
    x, g = _values(shape, dtype, 0), _values(shape, dtype, 1)
    bias = np.random.default_rng(2).standard_normal(shape[-1]).astype(dtype)
    fast, plain = _run(lambda a: tf.nn.relu(a), x)
    np.testing.assert_array_equal(fast, plain)
    assert np.array_equal(np.signbit(fast), np.signbit(plain))
    np.testing.assert_array_equal(fast, np.maximum(x, 0))
    fast, plain = _run(lambda a, b: nn_ops.apply_op(nn_ops.ReluGrad, [a, b]), g, x)
    np.testing.assert_array_equal(fast, plain)
    assert np.array_equal(np.signbit(fast), np.signbit(plain))
    fast, plain = _run(lambda a, b: tf.nn.bias_add(a, b), x, bias)
    np.testing.assert_array_equal(fast, plain)
    assert splits.count(shape[0]) == 3  # each of the three fast kernels really split its rows


def test_small_noncontiguous_and_bad_inputs_take_the_plain_path():
    x = _values((64, 28, 28, 32), np.float32)
    fast, plain = _run(lambda a: tf.nn.relu(tf.transpose(a, [3, 1, 2, 0])), x)  # may arrive as a strided view
    np.testing.assert_array_equal(fast, plain)
    small = _values((4, 5), np.float32)
    fast, plain = _run(lambda a: tf.nn.relu(a), small)
    np.testing.assert_array_equal(fast, plain)
    bias = tf.placeholder(tf.float32, [None])
    data = tf.placeholder(tf.float32, [64, 28, 28, 32])
    out = tf.nn.bias_add(data, bias)
    with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError):
        sess.run(out, {data: x, bias: np.ones(5, np.float32)})


def test_bound_only_in_plans_compiled_while_the_pool_is_on(monkeypatch):
    """Without the pool a plan gets the plain kernel itself (no wrapper on the warm path); numba plays no part."""
    monkeypatch.setattr(accel, "_available", [False])
    relu = tf.nn.relu(tf.placeholder(tf.float32, [None, 8])).op
    ctx = type("Ctx", (), {"xp": np})()
    factory, needs_numba = accel._FACTORIES[nn_ops.Relu]
    assert not needs_numba and accel.fast_kernel_opdefs()[nn_ops.Relu] is False
    assert callable(accel.fast_kernel(relu, ctx))
    monkeypatch.setitem(blas_threads._state, "threads", 1)
    assert accel.fast_kernel(relu, ctx) is None
