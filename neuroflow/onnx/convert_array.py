"""ONNX exporters of array ops: shapes and reshapes, transposes, concatenation and splitting, slicing (Slice and
StridedSlice with all its masks), gathering, padding, tiling, selection and filled tensors."""
import numpy as np

from ..framework import dtypes
from ..ops import array_ops as ar
from ..ops import concat_ops as co
from ..ops import grad_support_ops as gs
from ..ops import index_ops as ix
from ..ops import manip_ops as mp
from ..ops import top_k_ops as tk
from ..ops import pad_ops as pd
from ..ops import slicing as sl
from .registry import ONNX_TYPES, exporter

__all__ = []

INT64_MAX = np.iinfo(np.int64).max
INT64_MIN = np.iinfo(np.int64).min


@exporter(ar.Reshape)
def _reshape(ctx, op):
    shape = ctx.value(op, 1)
    attrs = {}
    if shape is not None and 0 in np.asarray(shape).ravel():
        attrs["allowzero"] = 1   # TensorFlow's 0 means an empty dim, not ONNX's "copy the input's"
    ctx.node("Reshape", [ctx.input(op, 0), ctx.as_int64(op, 1)], [ctx.out(op)], **attrs)


@exporter(mp.Transpose)
def _transpose(ctx, op):
    perm = [int(p) for p in ctx.require_value(op, 1, "perm").ravel()]
    ctx.node("Transpose", [ctx.input(op, 0)], [ctx.out(op)], perm=perm)


@exporter(co.ConcatV2)
def _concat(ctx, op):
    inputs = [ctx.input(op, i) for i in range(len(op.inputs))]
    ctx.node("Concat", inputs, [ctx.out(op)], axis=int(op.get_attr("axis")))


@exporter(ar.Pack)
def _pack(ctx, op):
    axis = ctx.int64([int(op.get_attr("axis"))], "axis")
    parts = [ctx.node("Unsqueeze", [ctx.input(op, i), axis]) for i in range(len(op.inputs))]
    ctx.node("Concat", parts, [ctx.out(op)], axis=int(op.get_attr("axis")))


@exporter(ar.Unpack)
def _unpack(ctx, op):
    axis = int(op.get_attr("axis"))
    n = len(op.outputs)
    parts = ctx.node("Split", [ctx.input(op, 0)], n, axis=axis)
    parts = [parts] if n == 1 else parts
    axes = ctx.int64([axis], "axis")
    for i, part in enumerate(parts):
        ctx.node("Squeeze", [part, axes], [ctx.out(op, i)])


@exporter(co.Split)
def _split(ctx, op):
    n = len(op.outputs)
    ctx.node("Split", [ctx.input(op, 0)], [ctx.out(op, i) for i in range(n)], axis=int(op.get_attr("axis")))


@exporter(co.SplitV)
def _split_v(ctx, op):
    sizes = [int(s) for s in ctx.require_value(op, 1, "size_splits").ravel()]
    axis = int(op.get_attr("axis"))
    if -1 in sizes:
        dim = ctx.shape(op, 0)[axis].value if ctx.shape(op, 0).ndims is not None else None
        if dim is None:
            ctx.fail("a size_splits entry of -1 needs the split dimension's size known when exporting")
        sizes[sizes.index(-1)] = dim - sum(s for s in sizes if s != -1)
    ctx.node("Split", [ctx.input(op, 0), ctx.int64(sizes, "split")], [ctx.out(op, i) for i in range(len(sizes))],
             axis=axis)


def _vector(ctx, parts, hint):
    """An int64 vector from `parts`: Python ints and ONNX names of [1]-shaped int64 tensors."""
    if all(isinstance(p, (int, np.integer)) for p in parts):
        return ctx.int64([int(p) for p in parts], hint)
    pieces = [ctx.int64([int(p)], hint) if isinstance(p, (int, np.integer)) else p for p in parts]
    return ctx.node("Concat", pieces, axis=0)


def _element(ctx, vector, k):
    """Element k of int64 vector `vector` as a [1]-shaped tensor."""
    return ctx.node("Slice", [vector, ctx.int64([k], "k"), ctx.int64([k + 1], "k1")])


@exporter(mp.Slice)
def _slice(ctx, op):
    begin, size = ctx.value(op, 1), ctx.value(op, 2)
    if begin is not None and size is not None:
        begin, size = [int(b) for b in begin.ravel()], [int(s) for s in size.ravel()]
        ends = [INT64_MAX if s == -1 else b + s for b, s in zip(begin, size)]
        starts, ends = ctx.int64(begin, "starts"), ctx.int64(ends, "ends")
        axes = ctx.int64(list(range(len(begin))), "axes")
    else:
        n = ctx.shape(op, 1).num_elements()
        if n is None:
            ctx.fail("the length of 'begin' must be known when exporting")
        starts, sizes = ctx.as_int64(op, 1), ctx.as_int64(op, 2)
        is_all = ctx.node("Equal", [sizes, ctx.int64([-1] * n, "minus_one")])
        ends = ctx.node("Where", [is_all, ctx.int64([INT64_MAX] * n, "max"), ctx.node("Add", [starts, sizes])])
        axes = ctx.int64(list(range(n)), "axes")
    ctx.node("Slice", [ctx.input(op, 0), starts, ends, axes], [ctx.out(op)])


@exporter(sl.StridedSlice)
def _strided_slice(ctx, op):
    strides = [int(s) for s in ctx.require_value(op, 3, "strides").ravel()]
    begin_v, end_v = ctx.value(op, 1), ctx.value(op, 2)
    begin = ctx.as_int64(op, 1) if begin_v is None else [int(b) for b in begin_v.ravel()]
    end = ctx.as_int64(op, 2) if end_v is None else [int(e) for e in end_v.ravel()]
    masks = {k: int(op.get_attr(k)) for k in ("begin_mask", "end_mask", "ellipsis_mask", "new_axis_mask",
                                               "shrink_axis_mask")}

    def item(values, k):
        return values[k] if isinstance(values, list) else _element(ctx, values, k)

    rank = ctx.shape(op, 0).ndims
    n = len(strides)
    consuming = sum(1 for k in range(n) if not (masks["new_axis_mask"] >> k) & 1 and
                    not (masks["ellipsis_mask"] >> k) & 1)
    starts, ends, axes, steps = [], [], [], []
    squeeze, new_axes = [], []
    in_dim, out_dim = 0, 0
    for k in range(n):
        bit = 1 << k
        if masks["ellipsis_mask"] & bit:
            if rank is None:
                ctx.fail("an ellipsis ('...') needs the input's rank known when exporting")
            covered = rank - consuming
            in_dim += covered
            out_dim += covered
            continue
        if masks["new_axis_mask"] & bit:
            new_axes.append(out_dim)
            out_dim += 1
            continue
        stride = strides[k]
        if masks["shrink_axis_mask"] & bit:
            b = item(begin, k)
            if isinstance(b, int):
                e = INT64_MAX if b == -1 else b + 1
            else:
                e = ctx.node("Where", [ctx.node("Equal", [b, ctx.int64([-1], "minus_one")]),
                                       ctx.int64([INT64_MAX], "max"), ctx.node("Add", [b, ctx.int64([1], "one")])])
            starts.append(b)
            ends.append(e)
            steps.append(1)
            axes.append(in_dim)
            squeeze.append(in_dim)
            in_dim += 1
            continue
        full_start = 0 if stride > 0 else INT64_MAX
        full_end = INT64_MAX if stride > 0 else INT64_MIN
        b = full_start if masks["begin_mask"] & bit else item(begin, k)
        e = full_end if masks["end_mask"] & bit else item(end, k)
        if not (isinstance(b, int) and isinstance(e, int) and b == full_start and e == full_end and stride == 1):
            starts.append(b)
            ends.append(e)
            steps.append(stride)
            axes.append(in_dim)
        in_dim += 1
        out_dim += 1
    x = ctx.input(op, 0)
    if axes:
        x = ctx.node("Slice", [x, _vector(ctx, starts, "starts"), _vector(ctx, ends, "ends"),
                               ctx.int64(axes, "axes"), ctx.int64(steps, "steps")])
    if squeeze:
        x = ctx.node("Squeeze", [x, ctx.int64(squeeze, "squeeze_axes")])
    if new_axes:
        x = ctx.node("Unsqueeze", [x, ctx.int64(new_axes, "new_axes")])
    ctx.node("Identity", [x], [ctx.out(op)])


@exporter(ix.GatherV2)
def _gather(ctx, op):
    ctx.node("Gather", [ctx.input(op, 0), ctx.input(op, 1)], [ctx.out(op)], axis=int(op.get_attr("axis")))


@exporter(gs.ExpandDims)
def _expand_dims(ctx, op):
    axis = [int(a) for a in np.atleast_1d(op.get_attr("axis"))]
    ctx.node("Unsqueeze", [ctx.input(op, 0), ctx.int64(axis, "axes")], [ctx.out(op)])


@exporter(mp.Squeeze)
def _squeeze(ctx, op):
    dims = [int(d) for d in (op.get_attr("squeeze_dims") or [])]
    inputs = [ctx.input(op, 0)] + ([ctx.int64(dims, "axes")] if dims else [])
    ctx.node("Squeeze", inputs, [ctx.out(op)])


@exporter(ar.Shape, gs.Size)
def _shape(ctx, op):
    value = ctx.node("Shape" if op.opdef is ar.Shape else "Size", [ctx.input(op, 0)])
    out_type = op.get_attr("out_type").name
    if out_type == "int64":
        ctx.node("Identity", [value], [ctx.out(op)])
    else:
        ctx.node("Cast", [value], [ctx.out(op)], to=ONNX_TYPES[out_type])


@exporter(ix.Rank)
def _rank(ctx, op):
    rank = ctx.node("Size", [ctx.node("Shape", [ctx.input(op, 0)])])
    ctx.node("Cast", [rank], [ctx.out(op)], to=ONNX_TYPES["int32"])


@exporter(ar.Fill)
def _fill(ctx, op):
    ctx.node("Expand", [ctx.input(op, 1), ctx.as_int64(op, 0)], [ctx.out(op)])


@exporter(gs.ZerosLike, gs.OnesLike)
def _zeros_like(ctx, op):
    value = np.array([0 if op.opdef is gs.ZerosLike else 1], dtype=ctx.dtype(op, 0).as_numpy_dtype)
    ctx.node("ConstantOfShape", [ctx.node("Shape", [ctx.input(op, 0)])], [ctx.out(op)], value=value)


@exporter(gs.BroadcastTo)
def _broadcast_to(ctx, op):
    ctx.node("Expand", [ctx.input(op, 0), ctx.as_int64(op, 1)], [ctx.out(op)])


@exporter(gs.SelectV2)
def _select(ctx, op):
    ctx.node("Where", [ctx.input(op, 0), ctx.input(op, 1), ctx.input(op, 2)], [ctx.out(op)])


@exporter(gs.Where)
def _where(ctx, op):
    ctx.node("Transpose", [ctx.node("NonZero", [ctx.input(op, 0)])], [ctx.out(op)], perm=[1, 0])


@exporter(ix.Range)
def _range(ctx, op):
    ctx.node("Range", [ctx.input(op, 0), ctx.input(op, 1), ctx.input(op, 2)], [ctx.out(op)])


@exporter(ix.LinSpace)
def _lin_space(ctx, op):
    # start + i * ((stop - start) / (num - 1)) in the input dtype, as the kernel computes it; the last entry is
    # exactly `stop` unless num is 1 (then the one entry is `start`).
    start, stop, num = ctx.input(op, 0), ctx.input(op, 1), ctx.as_int64(op, 2)
    dtype = ctx.dtype(op, 0)
    one = ctx.int64(1, "one")
    index = ctx.node("Range", [ctx.int64(0, "zero"), num, one])
    last = ctx.node("Sub", [num, one])
    step = ctx.node("Div", [ctx.node("Sub", [stop, start]), ctx.cast(ctx.node("Max", [last, one]), dtype)])
    values = ctx.node("Add", [start, ctx.node("Mul", [ctx.cast(index, dtype), step])])
    is_stop = ctx.node("And", [ctx.node("Equal", [index, last]), ctx.node("Greater", [num, one])])
    ctx.node("Where", [is_stop, stop, values], [ctx.out(op)])


@exporter(mp.InvertPermutation)
def _invert_permutation(ctx, op):
    # y[j] is the i with x[i] == j: the argmax over i of the mask x[i] == j (n x n, for the short vectors
    # permutations are). ONNX cannot raise TensorFlow's error for an x that is not a permutation.
    x = ctx.input(op, 0)
    n = ctx.node("Gather", [ctx.node("Shape", [x]), ctx.int64(0, "zero")], axis=0)
    mask = one_hot_mask(ctx, ctx.cast(x, dtypes.int64), n, -1, 1)
    where = ctx.node("ArgMax", [ctx.cast(mask, dtypes.int32)], axis=0, keepdims=0)
    ctx.node("Cast", [where], [ctx.out(op)], to=ONNX_TYPES[ctx.dtype(op, 0).name])


@exporter(mp.Tile)
def _tile(ctx, op):
    ctx.node("Tile", [ctx.input(op, 0), ctx.as_int64(op, 1)], [ctx.out(op)])


@exporter(pd.Pad, pd.PadV2, pd.MirrorPad)
def _pad(ctx, op):
    paddings = ctx.value(op, 1)
    if paddings is not None:
        pads = ctx.int64(np.asarray(paddings).T.ravel(), "pads")
    else:
        pads = ctx.node("Reshape", [ctx.node("Transpose", [ctx.as_int64(op, 1)], perm=[1, 0]),
                                    ctx.int64([-1], "flat")])
    inputs = [ctx.input(op, 0), pads]
    mode = "constant"
    if op.opdef is pd.MirrorPad:
        mode = str(op.get_attr("mode")).upper()
        if mode != "REFLECT":
            ctx.fail(f"MirrorPad mode {mode} has no ONNX equivalent (only REFLECT does)")
        mode = "reflect"
    elif op.opdef is pd.PadV2:
        inputs.append(ctx.input(op, 2))
    elif ctx.attr(op, "constant_values") not in (None, 0):
        inputs.append(ctx.const(np.asarray(op.get_attr("constant_values"), dtype=ctx.dtype(op, 0).as_numpy_dtype),
                                "constant_value"))
    ctx.node("Pad", inputs, [ctx.out(op)], mode=mode)


@exporter(mp.ReverseV2)
def _reverse(ctx, op):
    axes = [int(a) for a in np.atleast_1d(ctx.require_value(op, 1, "axis")).ravel()]
    if not axes:
        ctx.node("Identity", [ctx.input(op, 0)], [ctx.out(op)])
        return
    n = len(axes)
    ctx.node("Slice", [ctx.input(op, 0), ctx.int64([-1] * n, "starts"), ctx.int64([INT64_MIN] * n, "ends"),
                       ctx.int64(axes, "axes"), ctx.int64([-1] * n, "steps")], [ctx.out(op)])


def one_hot_mask(ctx, indices, depth, axis, rank):
    """A bool tensor: indices (int64 ONNX value, rank `rank`) == range(depth) along new axis `axis`. Written
    with Equal rather than ONNX's OneHot, which runtimes implement for few dtypes, and which counts negative
    indices from the end where TensorFlow gives all-off rows."""
    axis = axis % (rank + 1)
    positions = ctx.node("Range", [ctx.int64(0, "zero"), depth, ctx.int64(1, "one")])
    trailing = rank - axis
    if trailing:
        positions = ctx.node("Reshape", [positions, ctx.int64([-1] + [1] * trailing, "shape")])
    return ctx.node("Equal", [ctx.node("Unsqueeze", [indices, ctx.int64([axis], "axis")]), positions])


@exporter(ix.OneHot)
def _one_hot(ctx, op):
    rank = ctx.shape(op, 0).ndims
    if rank is None:
        ctx.fail("one_hot needs the rank of its indices known when exporting")
    indices = ctx.node("Cast", [ctx.input(op, 0)], to=ONNX_TYPES["int64"])
    depth = ctx.node("Reshape", [ctx.as_int64(op, 1), ctx.int64([], "scalar")])
    mask = one_hot_mask(ctx, indices, depth, int(op.get_attr("axis")), rank)
    ctx.node("Where", [mask, ctx.input(op, 2), ctx.input(op, 3)], [ctx.out(op)])


@exporter(tk.TopKV2)
def _top_k(ctx, op):
    k = ctx.value(op, 1)
    k = ctx.int64(np.reshape(k, [1]), "k") if k is not None else ctx.node("Reshape", [ctx.as_int64(op, 1),
                                                                                       ctx.int64([1], "one")])
    values, indices = ctx.node("TopK", [ctx.input(op, 0), k], 2, axis=-1, largest=1, sorted=1)
    ctx.alias(op, 0, values)
    ctx.node("Cast", [indices], [ctx.out(op, 1)], to=ONNX_TYPES["int32"])
