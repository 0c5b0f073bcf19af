"""Compiled Relu, ReluGrad and BiasAdd (NHWC) for plans on OpenBLAS's own threads (the BLAS pool off: the dense
networks' case), and BiasAdd taking in the Relu that reads it (the plan compiler's `absorb`, compiler/passes.py):
one pass over a dense layer's output instead of two. runtime/accel/elementwise.py picks these or its pooled ones.

Measured on the mlp's hidden layer (128 x 512 float32, one thread): BiasAdd then Relu 57 us in NumPy, 8 us fused;
Relu 39 -> 7 us (NumPy's maximum with a scalar is slow); ReluGrad 27 -> 11 us.

Bitwise NumPy's results: a sum or product in the dtype per element, as NumPy's loops; Relu is NumPy's maximum(x, 0)
(-0.0 gives +0.0, a NaN passes through); ReluGrad is g * (x > 0) (g, or g times zero: -0.0 for a negative g, NaN
for an infinite one). numba is imported at the first call on an array large enough (MIN_ELEMENTS), never for
smaller ones.
"""
import numpy as np

__all__ = ["MIN_ELEMENTS", "relu", "relu_grad", "bias_add"]

MIN_ELEMENTS = 1 << 14  # below, NumPy's call costs little next to numba's dispatch
_JIT_OPTIONS = {"cache": True, "error_model": "numpy", "nogil": True}
_jit = {}


def _compiled():
    """The jitted loops, compiled (or loaded from numba's on-disk cache) on first use."""
    if not _jit:
        import numba

        @numba.njit(**_JIT_OPTIONS)
        def relu_loop(x, out):
            for i in range(x.size):
                v = x[i]
                out[i] = v if v > 0 or v != v else 0

        @numba.njit(**_JIT_OPTIONS)
        def bias_loop(x, b, out, relu):
            n = b.size
            for r in range(x.size // n):
                base = r * n
                for j in range(n):
                    v = x[base + j] + b[j]
                    out[base + j] = v if not relu or v > 0 or v != v else 0

        @numba.njit(**_JIT_OPTIONS)
        def relu_grad_loop(g, x, out, zero):
            for i in range(x.size):
                out[i] = g[i] if x[i] > 0 else g[i] * zero

        _jit.update(relu=relu_loop, bias=bias_loop, relu_grad=relu_grad_loop)
    return _jit


def _float(x):
    return x.__class__ is np.ndarray and x.dtype.kind == "f" and x.dtype.itemsize in (4, 8) and x.flags.c_contiguous


def relu(plain):
    """The Relu kernel: compiled for large float arrays, else `plain`."""
    def relu_kernel(x):
        if not (_float(x) and x.size >= MIN_ELEMENTS):
            return plain(x)
        out = np.empty_like(x)
        _compiled()["relu"](x.reshape(-1), out.reshape(-1))
        return out
    return relu_kernel


def relu_grad(plain):
    """The ReluGrad kernel (gradients, features): compiled for large float arrays of one shape and dtype."""
    def relu_grad_kernel(g, x):
        if not (_float(g) and g.size >= MIN_ELEMENTS and _float(x) and x.shape == g.shape and x.dtype == g.dtype):
            return plain(g, x)
        out = np.empty_like(g)
        _compiled()["relu_grad"](g.reshape(-1), x.reshape(-1), out.reshape(-1), g.dtype.type(0))
        return out
    return relu_grad_kernel


def bias_add(plain, ctx, relu_plain=None):
    """The BiasAdd (NHWC) kernel, with the Relu after it when `relu_plain` (that Relu's plain kernel) is given;
    compiled for large float values with a bias of their dtype, else the plain kernels one after the other (which
    raise TensorFlow's errors). Without a Relu it offers `absorb` for a Relu reading it (`ctx`: the run context
    the Relu's plain kernel is made for)."""
    relu = relu_plain is not None

    def bias_add_kernel(value, bias):
        if not (_float(value) and value.size >= MIN_ELEMENTS and bias.__class__ is np.ndarray and bias.ndim == 1
                and value.ndim >= 2 and bias.shape[0] == value.shape[-1] and bias.dtype == value.dtype and
                bias.flags.c_contiguous):
            return relu_plain(plain(value, bias)) if relu else plain(value, bias)
        out = np.empty_like(value)
        _compiled()["bias"](value.reshape(-1), bias, out.reshape(-1), relu)
        return out
    if not relu:
        bias_add_kernel.absorb = lambda consumer, same: _absorb_relu(plain, ctx, consumer, same)
    return bias_add_kernel


def _absorb_relu(plain, ctx, consumer, same):
    """The fused BiasAdd + Relu for the plan compiler, when `consumer` is a Relu (it has no other input)."""
    from ...ops import nn_ops
    if consumer.opdef is not nn_ops.Relu or same != []:
        return None
    return bias_add(plain, ctx, consumer.opdef.kernel(consumer, ctx))
