"""Compiled max pooling and its gradient (float32/float64, NHWC) as fast kernels of MaxPool and MaxPoolGrad: the
2x2 stride-2 kernels of pool_2x2.py where windows tile the input, the general ones of conv.py elsewhere, cut into
conv.py's chunks over its threads. Also what these kernels absorb (compiler/passes.py): the max-pool gradient takes
in the ReluGrad of the pooled input and sums the BiasAddGrad of its result; a convolution's kernel takes in a 2x2
MaxPool of its result through `pool_reader`. Pooling makes the NumPy kernels' comparisons in their order: the
results are bitwise equal.
"""
import numpy as np

from ...ops import nn_ops
from ...ops import pool_ops as pl
from . import conv, pool_2x2, register_fast_kernel

__all__ = ["pool_reader"]


def pool_reader(ctx, kernel):
    """For the plan compiler's `absorb_reader` (compiler/passes.py): a 2x2 stride-2 MaxPool (NHWC) reading the
    result of `kernel(x, w, ..., pool=None)` (a convolution, maybe with its epilogue) is pooled in the epilogue
    too, two output rows at a time while they are in cache, giving (result, pooled)."""
    def absorb_reader(reader):
        last, k, s = pl._params(reader.attrs) if reader.opdef is pl.MaxPool else (False, None, None)
        if not last or tuple(k) != (2, 2) or tuple(s) != (2, 2):
            return None
        pool = (reader.attrs, _max_pool(reader, ctx) or reader.opdef.kernel(reader, ctx))
        return lambda *args: kernel(*args, pool=pool)
    return absorb_reader


def _eligible_pool(op, overlapping_ok):
    a = op.attrs
    last, k, s = pl._params(a)
    return (last and op.outputs[0].dtype.base_dtype.name in ("float32", "float64")
            and (overlapping_ok or not pl._overlapping(k, s)))


@register_fast_kernel(pl.MaxPool)
def _max_pool(op, ctx):
    if not _eligible_pool(op, True):
        return None
    attrs, plain = op.attrs, op.opdef.kernel(op, ctx)

    def max_pool(x):
        if x.ndim != 4 or x.dtype.kind != "f" or x.size < conv.MIN_POOL_ELEMENTS:
            return plain(x)
        _, k, s, pads, out = pl._geometry(attrs, x.shape[1], x.shape[2])
        m = np.empty((x.shape[0], out[0], out[1], x.shape[3]), x.dtype)
        if m.size:
            x = np.ascontiguousarray(x)
            if pool_2x2.applies(k, s, pads, x.shape, m.shape):
                fn = pool_2x2.kernels()["max_pool"]
                conv._ranges(m.shape[0] * m.shape[1], lambda lo, hi: fn(x, m, lo, hi))
            else:
                fn = conv._compiled()["max_pool"]
                conv._ranges(m.shape[0] * m.shape[1],
                        lambda lo, hi: fn(x, m, k[0], k[1], s[0], s[1], pads[0], pads[1], lo, hi))
        return m
    return max_pool


@register_fast_kernel(pl.MaxPoolGrad)
def _max_pool_grad(op, ctx):
    if not _eligible_pool(op, False):
        return None
    attrs, plain = op.attrs, op.opdef.kernel(op, ctx)

    def compiled(x, m, g, relu=False, total=False):
        """The gradient dx (then times x > 0) on the compiled path, or None where it does not apply. With `total`,
        (dx, its sum over all axes but the channel one, or None where the 2x2 kernel does not apply)."""
        if x.ndim != 4 or x.dtype.kind != "f" or x.size < conv.MIN_POOL_ELEMENTS or not (x.dtype == m.dtype == g.dtype):
            return None
        _, k, s, pads, out = pl._geometry(attrs, x.shape[1], x.shape[2])
        shape = (x.shape[0], out[0], out[1], x.shape[3])
        if m.shape != shape or g.shape != shape:
            return None
        dx = np.empty(x.shape, x.dtype)
        x, m, g = (np.ascontiguousarray(a) for a in (x, m, g))
        if pool_2x2.applies(k, s, pads, x.shape, shape):
            fn, one, n = pool_2x2.kernels()["max_pool_grad"], x.dtype.type(1), x.shape[0]
            # One float64 row of channel sums per range of images (each summed in order), added in a fixed order:
            # the same sums whatever the thread count.
            size = conv._chunk_size(n)
            sums = np.zeros((-(-n // size), x.shape[3]) if total else (1, 0))
            conv._ranges(n, lambda lo, hi: fn(x, m, g, dx, one, relu, sums[lo // size if total else 0], lo, hi))
            return (dx, sums.sum(0).astype(x.dtype)) if total else dx
        fn, low = conv._compiled()["max_pool_grad"], x.dtype.type(pl._lowest(x.dtype))
        conv._ranges(x.shape[0],
                lambda lo, hi: fn(x, m, g, dx, k[0], k[1], s[0], s[1], pads[0], pads[1], low, relu, lo, hi))
        return (dx, None) if total else dx

    def with_bias_grad(relu, gradient):
        """For the plan compiler's `absorb_reader` (compiler/passes.py): a variant of `gradient` (this kernel, or
        it with its ReluGrad) that also returns BiasAddGrad of its result (NHWC), summed while the 2x2 kernel
        writes it; elsewhere BiasAddGrad's kernel runs on the result."""
        def absorb_reader(reader):
            if reader.opdef is not nn_ops.BiasAddGrad or reader.get_attr("data_format") != "NHWC":
                return None
            bias_grad = reader.opdef.kernel(reader, ctx)

            def fused(x, m, g):
                both = compiled(x, m, g, relu, True)
                dx, db = (gradient(x, m, g), None) if both is None else both
                return dx, bias_grad(dx) if db is None else db
            return fused
        return absorb_reader

    def max_pool_grad(x, m, g):
        dx = compiled(x, m, g)
        return plain(x, m, g) if dx is None else dx

    def absorb(consumer, same):
        """For the plan compiler (compiler/passes.py): ReluGrad(this gradient, the pooled input x) in the same
        pass. The max-pool gradient is zero off each window's maximum, so only those positions take the mask."""
        if consumer.opdef is not nn_ops.ReluGrad or same != [0]:
            return None
        relu_grad = consumer.opdef.kernel(consumer, ctx)

        def fused(x, m, g):
            dx = compiled(x, m, g, True)
            return relu_grad(plain(x, m, g), x) if dx is None else dx
        fused.absorb_reader = with_bias_grad(True, fused)
        return fused
    max_pool_grad.absorb = absorb
    max_pool_grad.absorb_reader = with_bias_grad(False, max_pool_grad)
    return max_pool_grad
