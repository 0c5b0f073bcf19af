"""A 2x2 stride-2 MaxPool reading a convolution's result (with or without its absorbed BiasAdd and Relu) is pooled
in the convolution's epilogue, two output rows at a time (compiler pass `absorb_consumers`'s reader phase, kernels
in runtime/accel/conv.py): the same comparisons as the 2x2 pooling kernel, so the pooled values and the
convolution's own result are bitwise those of the unfused plan, on NaN, infinities and signed zeros too. Where
the windows do not tile the result, or a chunk of rows would split a pair, the pool's own kernel runs after."""
import numpy as np
import pytest

import neuroflow as tf
from fusion_helpers import run_traced

pytest.importorskip("numba")
from neuroflow.runtime.accel import conv as fast_conv, pool_2x2  # noqa: E402

wide = pytest.mark.skipif(not fast_conv.wide_vectors(), reason="no AVX-512: convolutions stay with BLAS")


@pytest.fixture
def compiled(monkeypatch):
    """Every size takes the compiled path; records the calls for a separate 2x2 pooling pass."""
    monkeypatch.setenv("NEUROFLOW_NUMBA", "1")
    monkeypatch.setattr(fast_conv, "MIN_MACS", 0)
    monkeypatch.setattr(fast_conv, "MIN_POOL_ELEMENTS", 0)
    separate = []
    kernels = pool_2x2.kernels
    monkeypatch.setattr(pool_2x2, "kernels", lambda: separate.append(1) or kernels())
    return separate


def _run(build, x, readers=True, use_numba=True):
    """(values of build(placeholder), names of the nodes a traced run executed)."""
    return run_traced(build, [x], readers, use_numba)


def _bitwise(a, b):
    a, b = np.asarray(a), np.asarray(b)
    assert a.shape == b.shape and a.dtype == b.dtype
    np.testing.assert_array_equal(a.view(np.uint32), b.view(np.uint32))


def _layer(w, b, relu, padding="SAME"):
    """(the convolution's result after its bias and ReLU, that max-pooled 2x2)."""
    def build(x):
        y = tf.nn.conv2d(x, tf.constant(w), 1, "SAME")
        if b is not None:
            y = tf.nn.bias_add(y, tf.constant(b))
        if relu:
            y = tf.nn.relu(y)
        return [y, tf.nn.max_pool(y, 2, 2, padding)]
    return build


# Bias values giving NaN, infinities, signed zeros and ties in the pooled windows.
_ODD_BIAS = np.array([np.nan, np.inf, -np.inf, -0.0, 0.0, -1e30, 1e30] + [0.5] * 25, np.float32)


@wide
@pytest.mark.parametrize("bias, relu", [(_ODD_BIAS, True), (_ODD_BIAS, False), (None, True), (None, False)],
                         ids=["bias_relu", "bias_only", "relu_only", "plain"])
def test_pool_in_the_convolution_epilogue_is_bitwise_the_pool_kernel(compiled, bias, relu):
    x, w = np.random.default_rng(0).standard_normal((4, 8, 6, 5)).astype(np.float32), \
        np.random.default_rng(1).standard_normal((3, 3, 5, 32)).astype(np.float32)
    x[0, :2, :2, :] = 0.0  # ties of +0 (and, with a -0 bias, -0) in the first windows
    build = _layer(w, bias, relu)
    (y, pooled), ran = _run(build, x)
    assert "MaxPool" not in ran and not compiled  # pooled in the epilogue, no separate pass
    (y_apart, pooled_apart), ran = _run(build, x, readers=False)
    assert "MaxPool" in ran and compiled
    _bitwise(y, y_apart)
    _bitwise(pooled, pooled_apart)
    if bias is not None:
        assert np.isnan(pooled[..., 0]).all() and (pooled[..., 1] == np.inf).all()
    _, pooled_numpy = _run(build, x, use_numba=False)[0]
    np.testing.assert_allclose(pooled, pooled_numpy, rtol=2e-5, atol=2e-4)


@wide
@pytest.mark.parametrize("shape, padding", [((1, 10, 6, 5), "VALID"), ((2, 7, 6, 5), "VALID"),
                                            ((2, 7, 6, 5), "SAME")], ids=["odd-chunks", "untiled", "same-padded"])
def test_pool_runs_after_the_convolution_where_pairs_do_not_fit(compiled, shape, padding):
    """1 x 10 rows: chunks of 1 row would split pairs; 7 rows: the windows do not tile the result."""
    x = np.random.default_rng(2).standard_normal(shape).astype(np.float32)
    w = np.random.default_rng(3).standard_normal((3, 3, 5, 16)).astype(np.float32)
    build = _layer(w, np.linspace(-1, 1, 16).astype(np.float32), True, padding)
    (y, pooled), ran = _run(build, x)
    assert "MaxPool" not in ran
    assert bool(compiled) == (shape[1] == 10)  # the separate 2x2 kernel ran where windows tile (else the general)
    (y_apart, pooled_apart), _ = _run(build, x, readers=False)
    _bitwise(y, y_apart)
    _bitwise(pooled, pooled_apart)


@wide
def test_pool_after_a_convolution_off_the_compiled_path(compiled):
    """A filter with an inf sends the convolution to NumPy: the pool then runs on its result, as unfused."""
    x = np.random.default_rng(4).standard_normal((2, 8, 8, 4)).astype(np.float32)
    w = np.random.default_rng(5).standard_normal((3, 3, 4, 16)).astype(np.float32)
    w[0, 0, 0, :3] = np.inf
    build = _layer(w, np.ones(16, np.float32), True)
    (y, pooled), ran = _run(build, x)
    assert "MaxPool" not in ran
    (y_apart, pooled_apart), _ = _run(build, x, readers=False)
    _bitwise(y, y_apart)
    _bitwise(pooled, pooled_apart)


@wide
def test_a_pool_of_other_windows_is_not_absorbed(compiled):
    x = np.random.default_rng(6).standard_normal((2, 9, 9, 4)).astype(np.float32)
    w = np.random.default_rng(7).standard_normal((3, 3, 4, 16)).astype(np.float32)

    def build(a):
        y = tf.nn.relu(tf.nn.conv2d(a, tf.constant(w), 1, "SAME"))
        return [tf.nn.max_pool(y, 3, 3, "VALID"), tf.nn.max_pool(y, 2, 1, "VALID")]
    _, ran = _run(build, x)
    assert sum(name.startswith("MaxPool") for name in ran) == 2
