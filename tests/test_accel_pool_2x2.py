"""The 2x2 stride-2 max-pooling kernels (runtime/accel/pool_2x2.py) are bitwise the general compiled kernels, on
values with ties (+0 against -0 too), NaNs and infinities, with and without the ReLU mask of the gradient; the pool
equals the NumPy reference (a maximum of tied zeros may differ in sign there: np.maximum's vector loops return the
second of equal operands, its scalar loop the first). They run only where 2x2 windows tile the input."""
import numpy as np
import pytest

import neuroflow as tf
from neuroflow.runtime import accel

pytest.importorskip("numba")
from neuroflow.runtime.accel import conv as fast_conv, pool_2x2  # noqa: E402


def _input(shape, dtype, seed):
    rng = np.random.default_rng(seed)
    x = rng.choice(np.array([-0.0, 0.0, 1.0, -1.0, 2.0, np.nan, np.inf, -np.inf]), size=shape,
                   p=[0.2, 0.2, 0.2, 0.2, 0.1, 0.04, 0.03, 0.03])
    return x.astype(dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(3, 4, 6, 32), (2, 8, 2, 5), (1, 2, 2, 1)])
def test_2x2_kernel_is_bitwise_the_general_kernel(dtype, shape):
    x = _input(shape, dtype, seed=sum(shape))
    out_shape = (shape[0], shape[1] // 2, shape[2] // 2, shape[3])
    fast, general = np.empty(out_shape, dtype), np.empty(out_shape, dtype)
    rows = out_shape[0] * out_shape[1]
    pool_2x2.kernels()["max_pool"](x, fast, 0, rows)
    fast_conv._compiled()["max_pool"](x, general, 2, 2, 2, 2, 0, 0, 0, rows)
    bits = f"u{x.itemsize}"
    np.testing.assert_array_equal(fast.view(bits), general.view(bits))
    windows = x.reshape(out_shape[0], out_shape[1], 2, out_shape[2], 2, shape[3])
    assert (np.isnan(fast) == np.isnan(windows).any(axis=(2, 4))).all()  # a NaN anywhere wins, as np.maximum


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(3, 4, 6, 32), (2, 8, 2, 5), (1, 2, 2, 1)])
@pytest.mark.parametrize("relu", [False, True])
def test_2x2_gradient_is_bitwise_the_general_kernel(dtype, shape, relu):
    x = _input(shape, dtype, seed=sum(shape) + 1)
    out_shape = (shape[0], shape[1] // 2, shape[2] // 2, shape[3])
    m = np.empty(out_shape, dtype)
    fast_conv._compiled()["max_pool"](x, m, 2, 2, 2, 2, 0, 0, 0, out_shape[0] * out_shape[1])
    g = _input(out_shape, dtype, seed=3)  # inf * 0 gives NaN at the window's other positions; -0 * 1 stays -0
    fast, general = np.full(shape, 7, dtype), np.full(shape, 7, dtype)
    pool_2x2.kernels()["max_pool_grad"](x, m, g, fast, dtype(1), relu, np.zeros(0), 0, shape[0])
    fast_conv._compiled()["max_pool_grad"](x, m, g, general, 2, 2, 2, 2, 0, 0, dtype(-np.inf), relu, 0, shape[0])
    bits = f"u{x.itemsize}"
    np.testing.assert_array_equal(fast.view(bits), general.view(bits))


@pytest.mark.parametrize("shape, padding, tiled", [((2, 8, 6, 16), "VALID", True), ((2, 8, 6, 16), "SAME", True),
                                                   ((2, 7, 6, 16), "VALID", False), ((2, 7, 6, 16), "SAME", False)])
def test_graph_max_pool_takes_the_2x2_kernel_where_windows_tile(monkeypatch, shape, padding, tiled):
    monkeypatch.setattr(fast_conv, "MIN_POOL_ELEMENTS", 0)
    used = []
    kernels = pool_2x2.kernels
    monkeypatch.setattr(pool_2x2, "kernels", lambda: used.append(1) or kernels())
    x = _input(shape, np.float32, seed=7)

    def run(use_numba):
        tf.reset_default_graph()
        a = tf.placeholder(tf.float32, shape)
        y = tf.nn.max_pool(a, 2, 2, padding)
        saved = accel._available[0]
        accel._available[0] = use_numba
        try:
            with tf.Session() as sess:
                return sess.run(y, {a: x})
        finally:
            accel._available[0] = saved
    fast, plain = run(True), run(False)
    assert bool(used) == tiled
    np.testing.assert_array_equal(fast, plain)  # NaN matches NaN, -0 matches +0
