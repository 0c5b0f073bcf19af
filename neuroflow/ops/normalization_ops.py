"""Normalization primitives: fused batch normalization (FusedBatchNormV3 and its gradient FusedBatchNormGradV3)
and local response normalization (LRN). Primitives for speed (one NumPy pass, fewer large temporaries); their
gradients are built from ops that have gradients themselves, so second order works. The public functions are in
neuroflow/nn/misc.py."""
import numpy as np

from ..framework import dtypes
from ..framework.apply import apply_op
from ..framework.constant_op import constant
from ..framework.op_def import InferenceError, OpDef, register
from ..framework.tensor_shape import TensorShape
from ..framework.tensor_util import is_zeros
from .op_util import check_rank, invalid_argument, merge_dim

__all__ = []


# --- batch normalization -------------------------------------------------------------------------------------
def _channel_axis(data_format):
    return 1 if data_format == "NCHW" else 3


def _as_3d(x, data_format):
    """4-D data viewed as [outer, channels, inner] (a view when contiguous): per-channel statistics are then
    einsums over axes 0 and 2, and per-channel vectors broadcast as [channels, 1]."""
    n, a, b, c = x.shape
    return x.reshape(n * a * b, c, 1) if data_format == "NHWC" else x.reshape(n, a, b * c)


def _reduce_axes(data_format):
    return (0, 2, 3) if data_format == "NCHW" else (0, 1, 2)


@register
class FusedBatchNormV3(OpDef):
    """Batch normalization of a 4-D `x` over all axes but the channel axis, in one pass.

    Outputs (TensorFlow's): y, batch_mean, batch_variance, reserve_space_1 (the mean), reserve_space_2 (the
    variance y was normalized with) and reserve_space_3 (empty). In training (attr `is_training`), y uses the
    batch mean and *biased* variance while batch_variance is the unbiased (Bessel-corrected) one, as in
    TensorFlow; in inference y uses the `mean` and `variance` inputs, which are passed through.
    `x` may be half precision with float32 parameters (computed in float32).
    """

    type_name = "FusedBatchNormV3"
    input_names = ("x", "scale", "offset", "mean", "variance")
    same_dtype = ("scale", "offset", "mean", "variance")
    allowed_dtypes = (dtypes.float32, dtypes.float64)
    num_outputs = 6

    def infer(self, inputs, attrs):
        x, scale, offset, mean, variance = inputs
        t, u = x.dtype.base_dtype, scale.dtype.base_dtype
        if t not in dtypes.FLOATING:
            raise TypeError(f"Value passed to parameter 'x' has DataType {t.name} not in list of allowed values: "
                            "float16, float32, float64")
        if u is not t and not (u is dtypes.float32 and t is dtypes.float16):
            raise TypeError(f"Input 'scale' of 'FusedBatchNormV3' Op has type {u.name} that does not match type "
                            f"{t.name} of argument 'x'.")
        if attrs["data_format"] not in ("NHWC", "NCHW"):
            raise InferenceError(f"Invalid data format: {attrs['data_format']}")
        check_rank(x, 4)
        params = (scale, offset) if attrs["is_training"] else (scale, offset, mean, variance)
        channels = x.shape[_channel_axis(attrs["data_format"])].value if x.shape.ndims == 4 else None
        for p in params:
            check_rank(p, 1)
            if p.shape.ndims == 1:
                channels = merge_dim(channels, p.shape[0].value)
        vector = TensorShape([channels])
        return [(x.shape if x.shape.ndims is not None else TensorShape(None), t)] + [(vector, u)] * 4 + [
            (TensorShape([0]), u)]

    def forward(self, xp, x, scale, offset, mean, variance, epsilon, data_format, is_training):
        u = scale.dtype
        x3 = _as_3d(x.astype(u) if x.dtype != u else x, data_format)
        channels, count = x3.shape[1], x3.shape[0] * x3.shape[2]
        if is_training:
            if count == 0:  # TensorFlow's kernel: empty input, NaN statistics
                nan = xp.full((channels,), xp.nan, dtype=u)
                return x.copy(), nan, nan.copy(), nan.copy(), nan.copy(), xp.zeros((0,), u)
            m = xp.einsum("acb->c", x3) / u.type(count)
            centered = x3 - m[:, None]
            v = xp.einsum("acb,acb->c", centered, centered) / u.type(count)
            batch_var = v * u.type(count / max(count - 1, 1))
        else:
            for what, stat in (("mean", mean), ("variance", variance)):
                if stat.size != channels:
                    raise invalid_argument(f"When is_training=false, {what} must have the same number of elements as "
                                           f"the channels of x, got {stat.size} and {channels}")
            m, v = mean, variance
            centered = x3 - m[:, None]
            batch_var = v
        factor = (scale / xp.sqrt(v + u.type(epsilon))).astype(u, copy=False)
        centered *= factor[:, None]   # `centered` is a fresh array: normalize it in place
        centered += offset[:, None]
        y = centered.reshape(x.shape).astype(x.dtype, copy=False)
        return (y, xp.array(m, dtype=u, copy=True), xp.array(batch_var, dtype=u, copy=True),
                xp.array(m, dtype=u, copy=True), xp.array(v, dtype=u, copy=True), xp.zeros((0,), u))

    def grad(self, op, gy, gmean, gvar, gres1, gres2, gres3):
        from . import math_ops
        x, scale = op.inputs[0], op.inputs[1]
        attrs = op.attrs
        training = attrs["is_training"]
        column, u = _channel_view(attrs["data_format"]), scale.dtype.base_dtype
        # In training the saved statistics are outputs 3 and 4 (whose own gradients come back here as
        # gres1/gres2 when differentiating again); in inference the mean and variance inputs.
        mean, var = (op.outputs[3], op.outputs[4]) if training else (op.inputs[3], op.inputs[4])
        dx = d_scale = d_offset = d_mean = d_var = None
        if not is_zeros(gy):
            dx, d_scale, d_offset, _, _ = apply_op(FusedBatchNormGradV3, [gy, x, scale, mean, var, op.outputs[5]],
                                                   dict(attrs), name="FusedBatchNormGradV3")
        if training:
            # The statistics outputs depend on x too: TensorFlow drops these terms, second order needs them.
            n = _count_per_channel(x, _channel_axis(attrs["data_format"]), u)
            extra = []
            g_mean = [g for g in (gmean, gres1) if not is_zeros(g)]
            if g_mean:
                extra.append(column(math_ops.truediv(_add_n(g_mean) if len(g_mean) > 1 else g_mean[0], n)))
            centered = None
            for g, denominator in ((gvar, math_ops.maximum(math_ops.subtract(n, 1.0), 1.0)), (gres2, n)):
                if not is_zeros(g):
                    centered = math_ops.subtract(math_ops.cast(x, u), column(mean)) if centered is None else centered
                    extra.append(math_ops.multiply(centered, column(math_ops.truediv(math_ops.multiply(g, 2.0),
                                                                                     denominator))))
            if extra:
                total = extra[0]
                for e in extra[1:]:   # shapes differ ([1,1,1,C] and x's): add with broadcasting
                    total = math_ops.add(total, e)
                total = math_ops.cast(total, x.dtype.base_dtype)
                if dx is None:
                    from .array_ops import shape
                    from .grad_support_ops import broadcast_to
                    dx = broadcast_to(total, shape(x))
                else:
                    dx = math_ops.add(dx, total)
        else:
            if d_scale is not None:   # y = (x - mean) * scale * inv + offset, inv = rsqrt(var + epsilon)
                inv = math_ops.rsqrt(math_ops.add(var, constant(attrs["epsilon"], u)))
                scaled_inv = math_ops.multiply(scale, inv)
                d_mean = math_ops.negative(math_ops.multiply(d_offset, scaled_inv))
                d_var = math_ops.multiply(math_ops.multiply(d_scale, scaled_inv), math_ops.multiply(inv, -0.5))
            d_mean = _sum_grads(d_mean, gmean, gres1)
            d_var = _sum_grads(d_var, gvar, gres2)
        return [dx, d_scale, d_offset, d_mean, d_var]


def _add_n(tensors):
    from .grad_support_ops import add_n
    return add_n(tensors)


def _sum_grads(*grads):
    present = [g for g in grads if not is_zeros(g)]
    return None if not present else present[0] if len(present) == 1 else _add_n(present)


def _channel_view(data_format):
    """A function viewing a per-channel vector so that it broadcasts along the channel axis of 4-D data."""
    from . import array_ops
    view = [1, 1, 1, 1]
    view[_channel_axis(data_format)] = -1
    return lambda v: array_ops.reshape(v, view)


def _batch_norm_backward(gy, x, scale, mean, var, epsilon, data_format, is_training):
    """FusedBatchNormGradV3's outputs (dx, dscale, doffset) built from ops: its own gradient (second order)."""
    from . import math_ops
    from .reduce_ops import reduce_sum
    u = scale.dtype.base_dtype
    column, axes = _channel_view(data_format), list(_reduce_axes(data_format))
    gyu = math_ops.cast(gy, u)
    inv = math_ops.rsqrt(math_ops.add(var, constant(epsilon, u)))
    xhat = math_ops.multiply(math_ops.subtract(math_ops.cast(x, u), column(mean)), column(inv))
    d_offset = reduce_sum(gyu, axes)
    d_scale = reduce_sum(math_ops.multiply(gyu, xhat), axes)
    scaled_inv = column(math_ops.multiply(scale, inv))
    if is_training:
        n = _count_per_channel(x, _channel_axis(data_format), u)
        inner = math_ops.subtract(math_ops.subtract(gyu, column(math_ops.truediv(d_offset, n))),
                                  math_ops.multiply(xhat, column(math_ops.truediv(d_scale, n))))
        dx = math_ops.multiply(scaled_inv, inner)
    else:
        dx = math_ops.multiply(gyu, scaled_inv)
    return math_ops.cast(dx, x.dtype.base_dtype), d_scale, d_offset


@register
class FusedBatchNormGradV3(OpDef):
    """The gradient of FusedBatchNormV3 with respect to x, scale and offset, in one pass (TensorFlow's op, with
    its two empty reserve outputs). Inputs: y_backprop, x, scale, and the mean and variance y was normalized
    with (reserve_space_1/2 in training, the population statistics in inference), reserve_space_3."""

    type_name = "FusedBatchNormGradV3"
    input_names = ("y_backprop", "x", "scale", "reserve_space_1", "reserve_space_2", "reserve_space_3")
    same_dtype = ("scale", "reserve_space_1", "reserve_space_2", "reserve_space_3")
    num_outputs = 5

    def infer(self, inputs, attrs):
        gy, x, scale = inputs[:3]
        u = scale.dtype.base_dtype
        shape = x.shape.merge_with(gy.shape) if x.shape.is_compatible_with(gy.shape) else x.shape
        return [(shape, x.dtype.base_dtype), (scale.shape, u), (scale.shape, u), (TensorShape([0]), u),
                (TensorShape([0]), u)]

    def forward(self, xp, gy, x, scale, mean, var, reserve_3, epsilon, data_format, is_training):
        u = scale.dtype
        g3 = _as_3d(gy.astype(u, copy=False), data_format)
        x3 = _as_3d(x.astype(u) if x.dtype != u else x, data_format)
        inv = (1 / xp.sqrt(var + u.type(epsilon))).astype(u, copy=False)
        centered = x3 - mean[:, None]
        d_offset = xp.einsum("acb->c", g3)
        d_scale = xp.einsum("acb,acb->c", g3, centered) * inv
        a = scale * inv
        if is_training:
            # dx = a * (g - d_offset / n - xhat * d_scale / n) with xhat = centered * inv, in two passes.
            n = u.type(max(x3.shape[0] * x3.shape[2], 1))
            dx = centered
            dx *= (-a * inv * d_scale / n)[:, None]
            dx += (-a * d_offset / n)[:, None]
            dx += g3 * a[:, None]
        else:
            dx = g3 * a[:, None]
        empty = xp.zeros((0,), u)
        return dx.reshape(x.shape).astype(x.dtype, copy=False), d_scale, d_offset, empty, empty.copy()

    def grad(self, op, g_dx, g_dscale, g_doffset, g_r4, g_r5):
        # Differentiate the same computation written with ops, treating the inputs as independent (the statistics
        # inputs' own dependence on x is the forward op's business: their gradients flow back through it).
        from ..autodiff.gradients import gradients
        from . import grad_support_ops
        attrs = op.attrs
        inputs = list(op.inputs[:5])
        outs = _batch_norm_backward(*inputs, attrs["epsilon"], attrs["data_format"], attrs["is_training"])
        grad_ys = [grad_support_ops.zeros_like(o) if g is None else g for o, g in zip(outs, (g_dx, g_dscale,
                                                                                            g_doffset))]
        return gradients(list(outs), inputs, grad_ys=grad_ys, stop_gradients=inputs) + [None]


def _count_per_channel(x, caxis, dtype):
    """The number of values per channel of `x` as a `dtype` scalar (a constant when the shape is known)."""
    from . import array_ops, math_ops
    from .grad_support_ops import size
    if x.shape.is_fully_defined():
        dims = x.shape.as_list()
        return constant(float(np.prod(dims) // max(dims[caxis], 1)), dtype)
    shape = array_ops.shape(x)
    return math_ops.cast(math_ops.floordiv(size(x), shape[caxis]), dtype)


# --- local response normalization ----------------------------------------------------------------------------
def _window_sum(xp, a, radius):
    """Sums of `a` over the windows [j - radius, j + radius] along the last axis (clipped at the ends)."""
    out = a.copy()
    for k in range(1, min(radius, a.shape[-1] - 1) + 1):   # 2 * radius slices, never a loop over elements
        out[..., k:] += a[..., :-k]
        out[..., :-k] += a[..., k:]
    return out


def _window_sum_op(t, radius):
    """`_window_sum` built from ops (differentiable): a product with a banded 0/1 matrix along the last axis."""
    from . import array_ops, math_ops
    from .index_ops import range as range_
    from .linalg_ops import matmul
    depth = t.shape[-1].value if t.shape.ndims else None
    dtype = t.dtype.base_dtype
    if depth is not None:
        idx = np.arange(depth)
        band = constant((np.abs(idx[:, None] - idx[None, :]) <= radius).astype(dtype.as_numpy_dtype), name="band")
        depth_t = depth
    else:
        depth_t = array_ops.shape(t)[-1]
        idx = range_(depth_t)
        distance = math_ops.abs(math_ops.subtract(array_ops.reshape(idx, [-1, 1]), array_ops.reshape(idx, [1, -1])))
        band = math_ops.cast(math_ops.less_equal(distance, radius), dtype)
    flat = matmul(array_ops.reshape(t, array_ops.stack([-1, depth_t]) if depth is None else [-1, depth]), band)
    return array_ops.reshape(flat, array_ops.shape(t))


@register
class LRN(OpDef):
    """Local response normalization over the last axis of a 4-D input:
    output = input / (bias + alpha * sum(input[..., j-r:j+r+1] ** 2)) ** beta, with r = attr depth_radius."""

    type_name = "LRN"
    input_names = ("input",)
    same_dtype = ("input",)
    allowed_dtypes = dtypes.FLOATING

    def infer(self, inputs, attrs):
        check_rank(inputs[0], 4)
        return [(inputs[0].shape, inputs[0].dtype.base_dtype)]

    def forward(self, xp, x, depth_radius, bias, alpha, beta):
        xf = x.astype(xp.float32) if x.dtype == xp.float16 else x
        t = xf.dtype.type
        s = _window_sum(xp, xp.square(xf), depth_radius)
        s *= t(alpha)
        s += t(bias)
        # The common beta = 0.5 (the default) avoids `power`, several times slower than sqrt.
        out = xf / xp.sqrt(s) if beta == 0.5 else xf * xp.power(s, t(-beta))
        return out.astype(x.dtype, copy=False)

    def grad(self, op, g):
        # y = x * s^-beta, s = bias + alpha * W(x^2) with W the symmetric window sum (its own adjoint), so
        # dx = g * s^-beta - 2 * alpha * beta * x * W(g * x * s^(-beta-1)).
        from . import math_ops
        x = op.inputs[0]
        a = op.attrs
        r, bias, alpha, beta = a["depth_radius"], a["bias"], a["alpha"], a["beta"]
        s = math_ops.add(math_ops.multiply(_window_sum_op(math_ops.square(x), r), alpha), bias)
        p = math_ops.pow(s, -beta)
        back = _window_sum_op(math_ops.multiply(math_ops.multiply(g, x), math_ops.truediv(p, s)), r)
        return [math_ops.subtract(math_ops.multiply(g, p), math_ops.multiply(x, math_ops.multiply(
            back, 2.0 * alpha * beta)))]
