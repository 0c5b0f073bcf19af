"""Large elementwise kernels on the thread pool of runtime/blas_threads.py: Relu, ReluGrad and BiasAdd (NHWC)
split by rows over it (where the pool is off and numba is there, the same ops get runtime/accel/activations.py's
compiled kernels instead). Plain NumPy (no numba): NumPy's ufuncs release the GIL on large arrays, so each part runs
NumPy's own loop; rows are independent, so results are bitwise those of the plain kernels. Bound only in plans
compiled while the pool is on (a plan with compiled convolutions turns it on and sets OpenBLAS to one thread, so
the second core is otherwise idle between products); elsewhere, and for small or non-contiguous arrays, the
plain kernel runs, with no wrapper in between.

Measured on the cnn workload's activations (64 x 28 x 28 x 32 float32): ReluGrad 0.9 -> ~0.5 ms, Relu 0.85 ->
~0.45, BiasAdd 0.56 -> ~0.3.
"""
import numpy as np

from .. import blas_threads
from ...ops import nn_ops
from . import activations, numba_available, register_fast_kernel

__all__ = []


def _split(x):
    """Whether to split work on `x`: a C-contiguous float array large enough, with the pool on."""
    return (blas_threads.threads() > 1 and x.__class__ is np.ndarray and x.ndim >= 2 and x.flags.c_contiguous
            and x.size >= blas_threads.MIN_SPLIT_ELEMENTS)


def _rows(x, ufunc_rows):
    """out = a fresh array like x, filled by ufunc_rows(lo, hi, out) for row ranges over the pool."""
    out = np.empty_like(x)
    blas_threads.split_work(x.shape[0], lambda lo, hi: ufunc_rows(lo, hi, out), grain=x[0].size)
    return out


def _eligible(op):
    """Float outputs, in a plan compiled while the pool is on (it never turns off again in this process)."""
    return blas_threads.threads() > 1 and op.outputs[0].dtype.base_dtype.name in ("float32", "float64")


def _compiled_instead(op):
    """Whether `op` gets runtime/accel/activations.py's compiled kernel: float outputs in a plan compiled while
    the pool is off (OpenBLAS's own threads), numba available."""
    return (blas_threads.threads() == 1 and numba_available() and
            op.outputs[0].dtype.base_dtype.name in ("float32", "float64"))


@register_fast_kernel(nn_ops.Relu, needs_numba=False)
def _relu(op, ctx):
    if not _eligible(op):
        return activations.relu(op.opdef.kernel(op, ctx)) if _compiled_instead(op) else None
    plain = op.opdef.kernel(op, ctx)

    def relu(x):
        if not _split(x):
            return plain(x)
        return _rows(x, lambda lo, hi, out: np.maximum(x[lo:hi], 0, out=out[lo:hi]))
    return relu


@register_fast_kernel(nn_ops.ReluGrad, needs_numba=False)
def _relu_grad(op, ctx):
    if not _eligible(op):
        return activations.relu_grad(op.opdef.kernel(op, ctx)) if _compiled_instead(op) else None
    plain = op.opdef.kernel(op, ctx)

    def relu_grad(g, x):
        if not (_split(g) and x.__class__ is np.ndarray and x.shape == g.shape and x.dtype == g.dtype):
            return plain(g, x)
        return _rows(g, lambda lo, hi, out: np.multiply(g[lo:hi], x[lo:hi] > 0, out=out[lo:hi]))
    return relu_grad


@register_fast_kernel(nn_ops.BiasAdd, needs_numba=False)
def _bias_add(op, ctx):
    if op.get_attr("data_format") != "NHWC":
        return None
    if not _eligible(op):
        return activations.bias_add(op.opdef.kernel(op, ctx), ctx) if _compiled_instead(op) else None
    plain = op.opdef.kernel(op, ctx)

    def bias_add(value, bias):
        if not (_split(value) and bias.__class__ is np.ndarray and bias.ndim == 1 and
                bias.shape[0] == value.shape[-1] and bias.dtype == value.dtype):
            return plain(value, bias)  # also raises TensorFlow's errors
        return _rows(value, lambda lo, hi, out: np.add(value[lo:hi], bias, out=out[lo:hi]))
    return bias_add
