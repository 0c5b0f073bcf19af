"""Neural-network primitives: activations, softmax, cross-entropies, bias_add (the OpDefs behind `tf.nn`).

Only what needs a kernel of its own, for speed or numerical stability, is a primitive; the public `tf.nn`
functions (neuroflow/nn/) apply these and compose the rest. Gradients are built from ops that have gradients
themselves, so second order works.
"""
import math

import numpy as np

from ..framework import dtypes
from ..framework.apply import apply_op
from ..framework.tensor_util import is_zeros
from ..framework.op_def import InferenceError, OpDef, register
from ..framework.tensor_shape import TensorShape
from . import binary_ops as _b
from . import grad_support_ops as _g
from . import unary_ops as _u
from .reduce_ops import Sum
from .shape_inference import broadcast_shape
from .op_util import constant_like, invalid_argument, shape_text

__all__ = []

# TensorFlow's SELU constants (Klambauer et al., 2017).
SELU_SCALE = 1.0507009873554804934193349852946
SELU_ALPHA = 1.6732632423543772848170429916717


# --- gradient building blocks (ops with gradients of their own) -------------------------------------------------
def _mul(x, y, name="mul"):
    return apply_op(_b.Mul, [x, y], name=name)


def _mask(condition, like):
    """`condition` as 0/1 of `like`'s dtype: multiplying by it is much faster than a select for random masks."""
    return apply_op(_u.Cast, [condition], {"SrcT": dtypes.bool, "DstT": like.dtype.base_dtype}, name="Cast")


def _sum_keep(x, axis):
    return apply_op(Sum, [x], {"axis": (axis,), "keep_dims": True}, name="Sum")


def _softmax_grad(g, softmax, axis):
    """The vector-Jacobian product of softmax: (g - sum(g * s)) * s along `axis`."""
    dot = _sum_keep(_mul(g, softmax), axis)
    return _mul(apply_op(_b.Sub, [g, dot], name="sub"), softmax, name="mul_1")


def _is_zeros(t):
    # The gradient engine fills a missing output gradient with ZerosLike; skip work that would multiply by it.
    return is_zeros(t)


def _normalized_axis(axis, shape):
    """`axis` made non-negative for a shape of rank >= 1 (kept as given while the rank is unknown)."""
    rank = shape.ndims
    if rank is None:
        return axis
    if rank < 1:
        raise InferenceError(f"Shape must be at least rank 1 but is rank {rank}")
    if not -rank <= axis < rank:
        raise InferenceError(f"Dimension ({axis}) must be in the range [{-rank}, {rank}) where {rank} is the "
                             "number of dimensions in the input")
    return axis % rank


# --- activations ---------------------------------------------------------------------------------------------
class _Activation(OpDef):
    """f(features) elementwise; the kernel is `forward`, bound once per plan."""

    input_names = ("features",)
    same_dtype = ("features",)
    allowed_dtypes = dtypes.FLOATING

    def infer(self, inputs, attrs):
        x = inputs[0]
        return [(x.shape, x.dtype.base_dtype)]


@register
class Relu(_Activation):
    """max(features, 0)."""

    type_name = "Relu"
    allowed_dtypes = dtypes.REAL

    def forward(self, xp, x):
        return _relu(xp)(x)

    def kernel(self, op, ctx):
        return _relu(ctx.xp)

    def grad(self, op, g):
        # Like TensorFlow, the mask comes from the output, so the input need not be kept alive.
        return [apply_op(ReluGrad, [g, op.outputs[0]], name="ReluGrad")]


@register
class ReluGrad(OpDef):
    """gradients * (features > 0): Relu's backward pass in one kernel (the hot path of every ReLU network)."""

    type_name = "ReluGrad"
    input_names = ("gradients", "features")
    same_dtype = ("gradients", "features")
    allowed_dtypes = dtypes.REAL

    def infer(self, inputs, attrs):
        g, x = inputs
        if not g.shape.is_compatible_with(x.shape):
            raise InferenceError(f"Shapes {g.shape.bracket_str()} and {x.shape.bracket_str()} are incompatible")
        return [(g.shape.merge_with(x.shape), g.dtype.base_dtype)]

    def forward(self, xp, g, x):
        return _relu_grad(g, x)

    def kernel(self, op, ctx):
        return _relu_grad

    def grad(self, op, gg):
        # The mask is piecewise constant: no gradient reaches `features`.
        return [apply_op(ReluGrad, [gg, op.inputs[1]], name="ReluGrad"), None]


def _relu(xp):
    """Relu bound to an array module (the kernel a plan calls: no attribute lookups per call)."""
    maximum = xp.maximum
    return lambda x: maximum(x, 0)


def _relu_grad(g, x):
    return g * (x > 0)  # a multiply by a bool mask beats xp.where about tenfold on random masks


@register
class Relu6(_Activation):
    """min(max(features, 0), 6)."""

    type_name = "Relu6"
    allowed_dtypes = dtypes.REAL

    def forward(self, xp, x):
        return xp.clip(x, 0, 6)

    def grad(self, op, g):
        y = op.outputs[0]
        inside = apply_op(_b.LogicalAnd, [apply_op(_b.Greater, [y, constant_like(0, y)], name="Greater"),
                                          apply_op(_b.Less, [y, constant_like(6, y)], name="Less")], name="LogicalAnd")
        return [_mul(g, _mask(inside, g))]


@register
class LeakyRelu(_Activation):
    """features where positive, else alpha * features (attr `alpha`)."""

    type_name = "LeakyRelu"

    def forward(self, xp, x, alpha):
        if 0 <= alpha <= 1:
            return xp.maximum(x, x * alpha)  # the same values without a select, which is slow
        return xp.where(x > 0, x, x * alpha)

    def grad(self, op, g):
        x, alpha = op.inputs[0], op.get_attr("alpha")
        positive = _mask(apply_op(_b.Greater, [x, constant_like(0, x)], name="Greater"), g)
        # slope = alpha + (1 - alpha) * [x > 0]
        slope = apply_op(_b.AddV2, [_mul(positive, constant_like(1 - alpha, g)), constant_like(alpha, g)], name="add")
        return [_mul(g, slope, name="mul_1")]


@register
class Elu(_Activation):
    """features where positive, else exp(features) - 1."""

    type_name = "Elu"

    def forward(self, xp, x):
        # max(x, 0) + expm1(min(x, 0)): no select, and exp never sees a large positive argument.
        return xp.maximum(x, 0) + xp.expm1(xp.minimum(x, 0))

    def grad(self, op, g):
        y = op.outputs[0]
        # The slope is 1 where y > 0 and y + 1 (= exp(x)) elsewhere, i.e. min(y, 0) + 1.
        below_zero = apply_op(_b.Minimum, [y, constant_like(0, y)], name="Minimum")
        slope = apply_op(_b.AddV2, [below_zero, constant_like(1, y)], name="add")
        return [_mul(g, slope)]


@register
class Selu(_Activation):
    """scale * (features where positive, else alpha * (exp(features) - 1)), TensorFlow's constants."""

    type_name = "Selu"

    def forward(self, xp, x):
        negative = xp.expm1(xp.minimum(x, 0)) * SELU_ALPHA
        return (xp.maximum(x, 0) + negative) * SELU_SCALE

    def grad(self, op, g):
        y = op.outputs[0]
        positive = apply_op(_b.Greater, [y, constant_like(0, y)], name="Greater")
        # The slope is scale where y > 0, else y + scale * alpha (= scale * alpha * exp(x)).
        below = apply_op(_b.AddV2, [y, constant_like(SELU_SCALE * SELU_ALPHA, y)], name="add")
        slope = _g.where(positive, constant_like(SELU_SCALE, y), below)
        return [_mul(g, slope)]


@register
class Softplus(_Activation):
    """log(exp(features) + 1), exact for large |features| (logaddexp never overflows)."""

    type_name = "Softplus"

    def forward(self, xp, x):
        return xp.logaddexp(x, 0)

    def grad(self, op, g):
        return [_mul(g, apply_op(_u.Sigmoid, [op.inputs[0]], name="Sigmoid"))]


@register
class Softsign(_Activation):
    """features / (|features| + 1)."""

    type_name = "Softsign"

    def forward(self, xp, x):
        return x / (xp.abs(x) + 1)

    def grad(self, op, g):
        x = op.inputs[0]
        denominator = apply_op(_b.AddV2, [apply_op(_u.Abs, [x], name="Abs"), constant_like(1, x)], name="add")
        return [apply_op(_b.RealDiv, [g, apply_op(_u.Square, [denominator], name="Square")], name="truediv")]


# --- softmax -------------------------------------------------------------------------------------------------
class _SoftmaxBase(OpDef):
    """Normalizes `logits` along attr `axis` (TensorFlow's op is last-axis only; an attr saves two transposes)."""

    input_names = ("logits",)
    same_dtype = ("logits",)
    allowed_dtypes = dtypes.FLOATING

    def canonicalize_attrs(self, inputs, attrs):
        return {**attrs, "axis": _normalized_axis(attrs["axis"], inputs[0].shape)}

    def infer(self, inputs, attrs):
        x = inputs[0]
        return [(x.shape, x.dtype.base_dtype)]


def _rows(x, axis):
    """`x` as a C-contiguous matrix with `axis` as its rows (a view where possible), or None when `axis` is
    not the last one (those take the general, slower path)."""
    if x.ndim == 0 or axis % x.ndim != x.ndim - 1:
        return None
    return x.reshape(-1, x.shape[-1])


def _row_max(xp, x2):
    # NumPy reduces short rows one row at a time; over a transposed copy the loop runs across rows instead
    # (about six times faster for ten classes).
    if x2.shape[1] <= 32 and x2.shape[0] > 32:
        return xp.ascontiguousarray(x2.T).max(axis=0)[:, None]
    return x2.max(axis=1, keepdims=True)


def _row_sum(xp, x2):
    if x2.dtype == np.float32 or x2.dtype == np.float64:
        return (x2 @ xp.ones(x2.shape[1], x2.dtype))[:, None]  # a BLAS matrix-vector product
    return x2.sum(axis=1, keepdims=True)


def _exp_parts(xp, x, axis):
    """(x - max(x), exp of it, sum of that) along `axis`: the stable core of every softmax kernel.
    `x` must be non-empty; the first two results are fresh C-contiguous arrays shaped like `x` (2-D when
    `axis` is the last one)."""
    x2 = _rows(x, axis)
    if x2 is not None:
        s = x2 - _row_max(xp, x2)
        e = xp.exp(s)
        return s, e, _row_sum(xp, e)
    s = x - x.max(axis=axis, keepdims=True)
    e = xp.exp(s)
    return s, e, e.sum(axis=axis, keepdims=True)


@register
class Softmax(_SoftmaxBase):
    """exp(logits) / sum(exp(logits)) along `axis`, computed from logits shifted by their maximum."""

    type_name = "Softmax"

    def forward(self, xp, x, axis):
        if x.size == 0:
            return xp.zeros_like(x)
        _, e, total = _exp_parts(xp, x, axis)
        e /= total
        return e.reshape(x.shape)

    def grad(self, op, g):
        return [_softmax_grad(g, op.outputs[0], op.get_attr("axis"))]


@register
class LogSoftmax(_SoftmaxBase):
    """logits - log(sum(exp(logits))) along `axis`, computed from logits shifted by their maximum."""

    type_name = "LogSoftmax"

    def forward(self, xp, x, axis):
        if x.size == 0:
            return xp.zeros_like(x)
        s, _, total = _exp_parts(xp, x, axis)
        s -= xp.log(total)
        return s.reshape(x.shape)

    def grad(self, op, g):
        softmax = apply_op(_u.Exp, [op.outputs[0]], name="Exp")
        total = _sum_keep(g, op.get_attr("axis"))
        return [apply_op(_b.Sub, [g, _mul(total, softmax)], name="sub")]


# --- cross-entropies -----------------------------------------------------------------------------------------
def _precise(xp, *arrays):
    """Half-precision inputs are computed in float32 (as TensorFlow does) and the results cast back."""
    if arrays[0].dtype == np.float16:
        return [a.astype(np.float32) for a in arrays]
    return list(arrays)


@register
class SoftmaxCrossEntropyWithLogits(OpDef):
    """-sum(labels * log_softmax(features)) along attr `axis`, and its gradient softmax - labels (TensorFlow's
    `backprop` output). Labels broadcast against features; any rank (TensorFlow's op wants matrices)."""

    type_name = "SoftmaxCrossEntropyWithLogits"
    input_names = ("features", "labels")
    same_dtype = ("features", "labels")
    allowed_dtypes = dtypes.FLOATING
    num_outputs = 2
    broadcasts_inputs = True

    def canonicalize_attrs(self, inputs, attrs):
        x, labels = inputs
        return {**attrs, "axis": _normalized_axis(attrs["axis"], broadcast_shape(x.shape, labels.shape))}

    def infer(self, inputs, attrs):
        x, labels = inputs
        shape = broadcast_shape(x.shape, labels.shape)
        axis = attrs["axis"]
        loss = TensorShape(None) if shape.ndims is None else TensorShape(
            [d for i, d in enumerate(shape.as_list()) if i != axis])
        return [(loss, x.dtype.base_dtype), (shape, x.dtype.base_dtype)]

    def forward(self, xp, x, labels, axis):
        dtype = x.dtype
        x, labels = _precise(xp, x, labels)
        if x.shape != labels.shape:
            x, labels = xp.broadcast_arrays(x, labels)
        if x.size == 0:
            return xp.zeros(xp.sum(x, axis=axis).shape, dtype), xp.zeros(x.shape, dtype)
        s, e, total = _exp_parts(xp, x, axis)
        s -= xp.log(total)                       # log_softmax
        e /= total
        labels2 = _rows(labels, axis)
        if labels2 is not None:
            loss = -_row_sum(xp, labels2 * s).reshape(x.shape[:-1])
            e -= labels2                         # backprop = softmax - labels, as TensorFlow's kernel
        else:
            loss = -xp.sum(labels * s, axis=axis)
            e -= labels
        return xp.asarray(loss, dtype=dtype), e.astype(dtype, copy=False).reshape(x.shape)

    def grad(self, op, grad_loss, grad_grad):
        axis = op.get_attr("axis")
        g = apply_op(_g.ExpandDims, [grad_loss], {"axis": axis}, name="ExpandDims")
        grad_x = _mul(g, op.outputs[1])
        x, x_axis = _features_for_class_axis(op, axis)
        log_softmax = apply_op(LogSoftmax, [x], {"axis": x_axis}, name="LogSoftmax")
        grad_labels = _mul(g, apply_op(_u.Neg, [log_softmax], name="Neg"), name="mul_1")
        if not _is_zeros(grad_grad):
            # backprop = softmax(x) - labels is differentiable too (second order): it reaches both inputs.
            # (TensorFlow leaves out its -grad_grad term for the labels.)
            softmax = apply_op(Softmax, [x], {"axis": x_axis}, name="Softmax")
            grad_x = apply_op(_b.AddV2, [grad_x, _softmax_grad(grad_grad, softmax, x_axis)], name="add")
            grad_labels = apply_op(_b.Sub, [grad_labels, grad_grad], name="sub")
        return [grad_x, grad_labels]


def _features_for_class_axis(op, axis):
    """The features of a SoftmaxCrossEntropyWithLogits op and their class axis, for softmaxes in its gradient:
    labels of higher rank broadcast the features ([?, 7] against [1, ?, 7]), so the axis the op stores (of the
    broadcast shape) is counted from the end; features that lack the class axis are broadcast first."""
    x = op.inputs[0]
    out_rank, x_rank = op.outputs[1].shape.ndims, x.shape.ndims
    if axis < 0 or out_rank is None or x_rank is None or out_rank == x_rank:
        return x, axis
    from_end = axis - out_rank
    if -x_rank <= from_end:
        return x, from_end
    return apply_op(_g.BroadcastTo, [x, _g._shape_of(op.outputs[1])], name="BroadcastTo"), axis


@register
class SparseSoftmaxCrossEntropyWithLogits(OpDef):
    """-log_softmax(features)[labels] over the last axis, and its gradient softmax - one_hot(labels).
    Labels are class indices (int32/int64) of shape features.shape[:-1]; out-of-range ones are an error."""

    type_name = "SparseSoftmaxCrossEntropyWithLogits"
    input_names = ("features", "labels")
    same_dtype = ("features",)
    allowed_dtypes = dtypes.FLOATING
    num_outputs = 2

    def infer(self, inputs, attrs):
        x, labels = inputs
        ldt = labels.dtype.base_dtype
        if ldt not in (dtypes.int32, dtypes.int64):
            raise TypeError(f"Value passed to parameter 'labels' has DataType {ldt.name} not in list of allowed "
                            "values: int32, int64")
        if x.shape.ndims is not None:
            if x.shape.ndims < 1:
                raise InferenceError(f"Shape must be at least rank 1 but is rank {x.shape.ndims}")
            outer = TensorShape(x.shape.as_list()[:-1])
            if not labels.shape.is_compatible_with(outer):
                raise InferenceError(f"Shapes {labels.shape.bracket_str()} and {outer.bracket_str()} are "
                                     "incompatible")
            labels_shape = labels.shape.merge_with(outer)
        else:
            labels_shape = labels.shape
        return [(labels_shape, x.dtype.base_dtype), (x.shape, x.dtype.base_dtype)]

    def forward(self, xp, x, labels):
        dtype = x.dtype
        (x,) = _precise(xp, x)
        classes = x.shape[-1] if x.ndim else 0
        if x.ndim != labels.ndim + 1 or x.shape[:-1] != labels.shape:
            raise invalid_argument(f"logits and labels must have the same first dimension, got logits shape "
                                   f"{shape_text(x.shape)} and labels shape {shape_text(labels.shape)}")
        if classes == 0:
            raise invalid_argument(f"Must have at least one class, but got logits shape {shape_text(x.shape)}")
        flat = labels.reshape(-1)
        if flat.size:
            low, high = flat.min(), flat.max()
            if low < 0 or high >= classes:
                bad = low if low < 0 else high
                raise invalid_argument(f"Received a label value of {bad} which is outside the valid range of "
                                       f"[0, {classes}).  Label values: {' '.join(str(v) for v in flat.tolist())}")
        s, e, total = _exp_parts(xp, x, -1)    # matrices of shape [labels.size, classes]
        picks = xp.arange(0, flat.size * classes, classes) + flat   # flat positions of the labels' logits
        loss = (xp.log(total[:, 0]) - s.reshape(-1)[picks]).reshape(labels.shape)
        e /= total
        e.reshape(-1)[picks] -= 1                # backprop = softmax - one_hot(labels), in place
        return xp.asarray(loss, dtype=dtype), e.astype(dtype, copy=False).reshape(x.shape)

    def grad(self, op, grad_loss, grad_grad):
        x = op.inputs[0]
        g = apply_op(_g.ExpandDims, [grad_loss], {"axis": -1}, name="ExpandDims")
        grad_x = _mul(g, op.outputs[1])
        if not _is_zeros(grad_grad):
            softmax = apply_op(Softmax, [x], {"axis": -1}, name="Softmax")
            grad_x = apply_op(_b.AddV2, [grad_x, _softmax_grad(grad_grad, softmax, -1)], name="add")
        return [grad_x, None]


# --- bias_add, l2_loss ---------------------------------------------------------------------------------------
def _channel_axis(data_format, rank):
    return 1 if data_format == "NCHW" else rank - 1


def _bias_shape(data_format, ndim):
    """The shape to view a bias as so that it broadcasts along the channel axis."""
    return (-1,) if data_format != "NCHW" else (-1,) + (1,) * (ndim - 2)


@register
class BiasAdd(OpDef):
    """value + bias along the channel axis: the last one (data_format "NHWC") or axis 1 ("NCHW")."""

    type_name = "BiasAdd"
    input_names = ("value", "bias")
    same_dtype = ("value", "bias")
    allowed_dtypes = dtypes.NUMBER

    def infer(self, inputs, attrs):
        value, bias = inputs
        fmt = attrs["data_format"]
        least = 3 if fmt == "NCHW" else 2
        if value.shape.ndims is not None and value.shape.ndims < least:
            raise InferenceError(f"Shape must be at least rank {least} but is rank {value.shape.ndims}")
        if bias.shape.ndims is not None and bias.shape.ndims != 1:
            raise InferenceError(f"Shape must be rank 1 but is rank {bias.shape.ndims}")
        if value.shape.ndims is None:
            return [(TensorShape(None), value.dtype.base_dtype)]
        dims = value.shape.as_list()
        c = _channel_axis(fmt, len(dims))
        b = bias.shape.as_list()[0] if bias.shape.ndims is not None else None
        if dims[c] is not None and b is not None and dims[c] != b:
            raise InferenceError(f"Dimensions must be equal, but are {dims[c]} and {b}")
        dims[c] = dims[c] if dims[c] is not None else b
        return [(TensorShape(dims), value.dtype.base_dtype)]

    def forward(self, xp, value, bias, data_format):
        return _bias_add(xp, data_format)(value, bias)

    def kernel(self, op, ctx):
        return _bias_add(ctx.xp, op.get_attr("data_format"))

    def grad(self, op, g):
        return [g, apply_op(BiasAddGrad, [g], {"data_format": op.get_attr("data_format")}, name="BiasAddGrad")]


def _bias_add(xp, data_format):
    """BiasAdd bound to an array module and layout: what `forward` computes and a plan's kernel calls."""
    add = xp.add
    if data_format == "NCHW":
        def bias_add_nchw(value, bias):
            _check_bias(value, bias, data_format)
            return add(value, bias.reshape(_bias_shape(data_format, value.ndim)))
        return bias_add_nchw

    def bias_add_nhwc(value, bias):
        if bias.ndim != 1 or value.ndim < 2 or bias.shape[0] != value.shape[-1]:
            _check_bias(value, bias, "NHWC")  # raises; valid inputs skip its calls
        return add(value, bias)
    return bias_add_nhwc


def _check_bias(value, bias, data_format):
    """TensorFlow's run-time checks (a size-1 bias would otherwise broadcast silently)."""
    least = 3 if data_format == "NCHW" else 2
    if value.ndim < least:
        raise invalid_argument(f"Input tensor must be at least {least}D: {shape_text(value.shape)}")
    if bias.ndim != 1:
        raise invalid_argument(f"Biases must be 1D: {shape_text(bias.shape)}")
    if bias.shape[0] != value.shape[_channel_axis(data_format, value.ndim)]:
        raise invalid_argument(f"Must provide as many biases as the channel dimension of the input tensor: "
                               f"{shape_text(bias.shape)} vs. {shape_text(value.shape)}")


@register
class BiasAddGrad(OpDef):
    """The gradient of BiasAdd for its bias: `out_backprop` summed over every axis but the channel one."""

    type_name = "BiasAddGrad"
    input_names = ("out_backprop",)
    same_dtype = ("out_backprop",)
    allowed_dtypes = dtypes.NUMBER

    def infer(self, inputs, attrs):
        g = inputs[0]
        if g.shape.ndims is None:
            return [(TensorShape([None]), g.dtype.base_dtype)]
        c = _channel_axis(attrs["data_format"], g.shape.ndims)
        return [(TensorShape([g.shape.as_list()[c]]), g.dtype.base_dtype)]

    def forward(self, xp, g, data_format):
        c = _channel_axis(data_format, g.ndim)
        if g.dtype != xp.float32 and g.dtype != xp.float64:
            return xp.sum(g, axis=tuple(i for i in range(g.ndim) if i != c), dtype=g.dtype)
        # Sums as BLAS products with ones: several times faster than xp.sum over the leading axes.
        shape = g.shape
        if c == g.ndim - 1:
            g2 = g.reshape(math.prod(shape[:-1]), shape[-1])
            return xp.ones(g2.shape[0], g.dtype) @ g2
        g3 = g.reshape(shape[0], shape[1], math.prod(shape[2:]))
        return xp.ones(shape[0], g.dtype) @ (g3 @ xp.ones(g3.shape[2], g.dtype))

    def grad(self, op, gg):
        # Broadcasting gg back over the input's shape is a BiasAdd onto zeros, in either data format.
        zeros = _g.zeros_like(op.inputs[0])
        return [apply_op(BiasAdd, [zeros, gg], {"data_format": op.get_attr("data_format")}, name="BiasAdd")]


@register
class L2Loss(OpDef):
    """sum(t ** 2) / 2, a scalar (one dot product, no temporary array)."""

    type_name = "L2Loss"
    input_names = ("t",)
    same_dtype = ("t",)
    allowed_dtypes = dtypes.FLOATING

    def infer(self, inputs, attrs):
        return [(TensorShape(()), inputs[0].dtype.base_dtype)]

    def forward(self, xp, t):
        flat = xp.reshape(t, -1)
        return xp.asarray(xp.dot(flat, flat) / 2, dtype=t.dtype)

    def grad(self, op, g):
        return [_mul(op.inputs[0], g)]
