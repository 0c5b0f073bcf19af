"""ONNX exporters of neural-network ops: bias_add, softmax and the softmax losses, conv2d and depthwise conv2d,
max / average pooling, LRN (NHWC data goes through Transposes to ONNX's NCHW; `optimize` cancels the
redundant ones), batch normalization and dropout in inference mode."""
import numpy as np

from ..framework import dtypes
from ..ops import conv_ops as cv
from ..ops import dropout_ops as do
from ..ops import normalization_ops as no
from ..ops import top_k_ops as tk
from ..ops import nn_ops as nn
from ..ops import pool_ops as pl
from .convert_array import one_hot_mask
from .registry import ONNX_TYPES, exporter

__all__ = []

TO_NCHW, TO_NHWC = [0, 3, 1, 2], [0, 2, 3, 1]


def _channels_last(ctx, op):
    return ctx.attr(op, "data_format", "NHWC") in ("NHWC", b"NHWC")


@exporter(nn.BiasAdd)
def _bias_add(ctx, op):
    bias = ctx.input(op, 1)
    if not _channels_last(ctx, op):   # NCHW: the bias runs along axis 1
        rank = ctx.shape(op, 0).ndims
        if rank is None:
            ctx.fail("NCHW bias_add needs the input's rank known when exporting")
        value = ctx.value(op, 1)
        shape = [-1] + [1] * (rank - 2)
        bias = (ctx.const(np.reshape(value, shape), "bias") if value is not None else
                ctx.node("Reshape", [bias, ctx.int64(shape, "shape")]))
    ctx.node("Add", [ctx.input(op, 0), bias], [ctx.out(op)])


@exporter(nn.Softmax, nn.LogSoftmax)
def _softmax(ctx, op):
    axis = ctx.attr(op, "axis", -1)
    ctx.node("Softmax" if op.opdef is nn.Softmax else "LogSoftmax", [ctx.input(op, 0)], [ctx.out(op)],
             axis=int(-1 if axis is None else axis))


@exporter(nn.SoftmaxCrossEntropyWithLogits)
def _softmax_xent(ctx, op):
    axis = ctx.attr(op, "axis")
    axis = -1 if axis is None else int(axis)
    x, labels = ctx.input(op, 0), ctx.input(op, 1)
    log_p = ctx.node("LogSoftmax", [x], axis=axis)
    total = ctx.node("ReduceSum", [ctx.node("Mul", [labels, log_p]), ctx.int64([axis], "axis")], keepdims=0)
    ctx.node("Neg", [total], [ctx.out(op, 0)])
    ctx.node("Sub", [ctx.node("Softmax", [x], axis=axis), labels], [ctx.out(op, 1)])


@exporter(nn.SparseSoftmaxCrossEntropyWithLogits)
def _sparse_softmax_xent(ctx, op):
    x, labels = ctx.input(op, 0), ctx.input(op, 1)
    rank = ctx.shape(op, 0).ndims
    classes = ctx.node("Gather", [ctx.node("Shape", [x]), ctx.int64(-1 if rank is None else rank - 1, "last_dim")],
                       axis=0)
    labels = ctx.node("Cast", [labels], to=ONNX_TYPES["int64"])
    mask = one_hot_mask(ctx, labels, classes, -1, 1)
    one_hot = ctx.node("Cast", [mask], to=ONNX_TYPES[ctx.dtype(op, 0).name])
    log_p = ctx.node("LogSoftmax", [x], axis=-1)
    picked = ctx.node("ReduceSum", [ctx.node("Mul", [one_hot, log_p]), ctx.int64([-1], "last")], keepdims=0)
    ctx.node("Neg", [picked], [ctx.out(op, 0)])
    ctx.node("Sub", [ctx.node("Softmax", [x], axis=-1), one_hot], [ctx.out(op, 1)])


# --- convolution and pooling ---------------------------------------------------------------------------------------
def _spatial(values, last):
    values = list(values)
    return values[1:3] if last else values[2:4]


def _pads(ctx, op, in_shape, kernel, strides, dilations, last):
    """ONNX's `pads` / `auto_pad` attrs for TensorFlow's padding of a 2-D window op."""
    padding = op.get_attr("padding")
    padding = padding.decode() if isinstance(padding, bytes) else padding
    if padding == "VALID":
        return {"pads": [0, 0, 0, 0]}
    if padding == "EXPLICIT":
        e = list(op.get_attr("explicit_paddings"))
        h, w = (1, 2) if last else (2, 3)
        return {"pads": [e[2 * h], e[2 * w], e[2 * h + 1], e[2 * w + 1]]}
    dims = _spatial(in_shape.as_list(), last) if in_shape.ndims == 4 else [None, None]
    if None in dims or None in kernel:
        return {"auto_pad": "SAME_UPPER"}   # TensorFlow's SAME puts the odd pixel at the end, as SAME_UPPER
    begin, end = [], []
    for size, k, s, d in zip(dims, kernel, strides, dilations):
        out = -(-size // s)
        total = max((out - 1) * s + (k - 1) * d + 1 - size, 0)
        begin.append(total // 2)
        end.append(total - total // 2)
    return {"pads": begin + end}


def _to_nchw(ctx, name, last):
    return ctx.node("Transpose", [name], perm=TO_NCHW) if last else name


def _from_nchw(ctx, op, name, last):
    if last:
        ctx.node("Transpose", [name], [ctx.out(op)], perm=TO_NHWC)
    else:
        ctx.node("Identity", [name], [ctx.out(op)])


def _filter(ctx, op, depthwise):
    """The filter in ONNX's [out, in/group, kh, kw] layout (TensorFlow's is [kh, kw, in, out], or [kh, kw, in,
    multiplier] for depthwise); a constant filter is rearranged now."""
    value = ctx.value(op, 1)
    if value is not None:
        if depthwise:
            kh, kw, c, m = value.shape
            value = value.reshape(kh, kw, 1, c * m)
        return ctx.const(np.ascontiguousarray(value.transpose(3, 2, 0, 1)), "filter")
    w = ctx.input(op, 1)
    if depthwise:
        dims = ctx.shape(op, 1).as_list() if ctx.shape(op, 1).ndims == 4 else [None] * 4
        if None in dims:
            ctx.fail("a depthwise filter computed at run time needs a known shape")
        w = ctx.node("Reshape", [w, ctx.int64([dims[0], dims[1], 1, dims[2] * dims[3]], "shape")])
    return ctx.node("Transpose", [w], perm=[3, 2, 0, 1])


@exporter(cv.Conv2D, cv.DepthwiseConv2dNative)
def _conv2d(ctx, op):
    last = _channels_last(ctx, op)
    depthwise = op.opdef is cv.DepthwiseConv2dNative
    w_shape = ctx.shape(op, 1).as_list() if ctx.shape(op, 1).ndims == 4 else [None] * 4
    kernel = w_shape[:2]
    strides = _spatial(op.get_attr("strides"), last)
    dilations = _spatial(ctx.attr(op, "dilations") or (1, 1, 1, 1), last)
    attrs = {"strides": [int(s) for s in strides], "dilations": [int(d) for d in dilations]}
    attrs.update(_pads(ctx, op, ctx.shape(op, 0), kernel, strides, dilations, last))
    if None not in kernel:
        attrs["kernel_shape"] = [int(k) for k in kernel]
    if depthwise:
        if w_shape[2] is None:
            ctx.fail("depthwise conv2d needs the number of input channels known when exporting")
        attrs["group"] = int(w_shape[2])
    y = ctx.node("Conv", [_to_nchw(ctx, ctx.input(op, 0), last), _filter(ctx, op, depthwise)], **attrs)
    _from_nchw(ctx, op, y, last)


@exporter(pl.MaxPool, pl.AvgPool)
def _pool(ctx, op):
    last = _channels_last(ctx, op)
    ksize, strides = list(op.get_attr("ksize")), list(op.get_attr("strides"))
    other = [ksize[0], ksize[3]] if last else ksize[:2]
    if any(int(k) != 1 for k in other):
        ctx.fail("pooling over the batch or channel dimension has no ONNX equivalent")
    kernel, strides = [int(k) for k in _spatial(ksize, last)], [int(s) for s in _spatial(strides, last)]
    attrs = {"kernel_shape": kernel, "strides": strides}
    attrs.update(_pads(ctx, op, ctx.shape(op, 0), kernel, strides, [1, 1], last))
    if op.opdef is pl.AvgPool:
        attrs["count_include_pad"] = 0   # TensorFlow averages over the real pixels of a padded window
    y = ctx.node("MaxPool" if op.opdef is pl.MaxPool else "AveragePool", [_to_nchw(ctx, ctx.input(op, 0), last)],
                 **attrs)
    _from_nchw(ctx, op, y, last)


@exporter(no.LRN)
def _lrn(ctx, op):
    radius = int(op.get_attr("depth_radius"))
    size = 2 * radius + 1
    # TensorFlow sums alpha * x^2 over the window; ONNX divides alpha by the window size first.
    y = ctx.node("LRN", [_to_nchw(ctx, ctx.input(op, 0), True)], size=size,
                 alpha=float(op.get_attr("alpha")) * size, beta=float(op.get_attr("beta")),
                 bias=float(op.get_attr("bias")))
    _from_nchw(ctx, op, y, True)


@exporter(tk.InTopKV2)
def _in_top_k(ctx, op):
    # TensorFlow's rule: fewer than k classes have a prediction larger than the target's; a target outside the
    # classes, or a row with a non-finite prediction, is never in the top k. Written with ops neuroflow also
    # imports: the target's prediction picked by a one-hot mask, finiteness as |x| < inf (False for NaN too).
    predictions, targets = ctx.input(op, 0), ctx.as_int64(op, 1)
    zero = ctx.int64(0, "zero")
    classes = ctx.node("Gather", [ctx.node("Shape", [predictions]), ctx.int64(1, "class_axis")], axis=0)
    valid = ctx.node("And", [ctx.node("GreaterOrEqual", [targets, zero]), ctx.node("Less", [targets, classes])])
    mask = one_hot_mask(ctx, targets, classes, -1, 1)
    no_value = ctx.const(np.zeros((), ctx.dtype(op, 0).as_numpy_dtype), "zero")
    target_values = ctx.node("ReduceSum", [ctx.node("Where", [mask, predictions, no_value]),
                                           ctx.int64([1], "axis")], keepdims=1)
    larger = ctx.node("ReduceSum", [ctx.cast(ctx.node("Greater", [predictions, target_values]), dtypes.int64),
                                    ctx.int64([1], "axis")], keepdims=0)
    infinity = ctx.const(np.asarray(np.inf, ctx.dtype(op, 0).as_numpy_dtype), "infinity")
    finite = ctx.node("Less", [ctx.node("Abs", [predictions]), infinity])
    row_finite = ctx.node("ReduceMin", [ctx.cast(finite, dtypes.int32)], axes=[1], keepdims=0)
    within = ctx.node("Less", [larger, ctx.as_int64(op, 2)])
    ctx.node("And", [ctx.node("And", [valid, ctx.cast(row_finite, dtypes.bool)]), within], [ctx.out(op)])


# --- inference-mode batch normalization and dropout ------------------------------------------------------------------
@exporter(no.FusedBatchNormV3)
def _fused_batch_norm(ctx, op):
    if op.get_attr("is_training"):
        ctx.fail("batch normalization in training mode (is_training=True) uses the batch's statistics. Export "
                 "the graph built with training=False (or a training placeholder that defaults to False)")
    last = _channels_last(ctx, op)
    rank = ctx.shape(op, 0).ndims or 4
    eps = float(op.get_attr("epsilon"))
    params = [ctx.value(op, i) for i in range(1, 5)]
    if all(p is not None for p in params):   # y = x * s + b with s, b folded now
        scale, offset, mean, var = (np.asarray(p, dtype=np.float64) for p in params)
        s = scale / np.sqrt(var + eps)
        b = offset - mean * s
        shape = [-1] if last else [-1] + [1] * (rank - 2)
        dt = ctx.dtype(op, 0).as_numpy_dtype
        y = ctx.node("Mul", [ctx.input(op, 0), ctx.const(s.astype(dt).reshape(shape), "scale")])
        ctx.node("Add", [y, ctx.const(b.astype(dt).reshape(shape), "offset")], [ctx.out(op)])
    else:
        inputs = [_to_nchw(ctx, ctx.input(op, 0), last)] + [ctx.input(op, i) for i in range(1, 5)]
        y = ctx.node("BatchNormalization", inputs, epsilon=eps)
        _from_nchw(ctx, op, y, last)
    for i, source in ((1, 3), (2, 4), (3, 3), (4, 4), (5, 3)):
        if i < len(op.outputs):
            ctx.alias(op, i, ctx.input(op, source))


@exporter(do.Dropout)
def _dropout(ctx, op):
    keep = ctx.value(op, 1)
    if keep is None or float(np.min(keep)) < 1:
        detail = "a keep probability fed at run time" if keep is None else f"keep_prob {float(np.min(keep)):g}"
        ctx.fail(f"dropout in training mode ({detail}) drops random units on each run. Export the graph built "
                 "with training=False, or with keep_prob 1")
    ctx.alias(op, 0, ctx.input(op, 0))
    ones = np.ones([1], dtype=ctx.dtype(op, 0).as_numpy_dtype)
    ctx.node("ConstantOfShape", [ctx.as_int64(op, 2)], [ctx.out(op, 1)], value=ones)   # the all-ones mask
