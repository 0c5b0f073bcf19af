"""`tensor[...]` indexing: the StridedSlice primitive and TensorFlow's translation of Python index
expressions (ints, slices with steps, negative indices, `...`, `tf.newaxis`, scalar int tensors)."""
import numpy as np

from ..framework import dtypes
from ..framework.apply import _is_tensor_like, apply_op
from ..framework.graph import name_scope
from ..framework.op_def import InferenceError, OpDef, register
from ..framework.tensor_shape import TensorShape
from ..framework.tensor_util import constant_value

__all__ = ["strided_slice", "slice_helper"]

_MASKS = ("begin_mask", "end_mask", "ellipsis_mask", "new_axis_mask", "shrink_axis_mask")


def _index_items(begin, end, strides, attrs):
    """The Python index tuple for NumPy from TF's begin/end/strides vectors and bit masks."""
    items = []
    bm, em, elm, nm, sm = (attrs[k] for k in _MASKS)
    for i in range(len(begin)):
        bit = 1 << i
        if elm & bit:
            items.append(Ellipsis)
        elif nm & bit:
            items.append(None)
        elif sm & bit:
            items.append(int(begin[i]))
        else:
            items.append(slice(None if bm & bit else int(begin[i]), None if em & bit else int(end[i]),
                               int(strides[i])))
    return tuple(items)


@register
class StridedSlice(OpDef):
    """input[begin:end:strides] per axis, shaped by TensorFlow's five bit masks (see `_index_items`)."""

    type_name = "StridedSlice"
    shape_arg_inputs = (1, 2, 3)
    input_names = ("input", "begin", "end", "strides")
    same_dtype = ("begin", "end", "strides")
    allowed_dtypes = (dtypes.int32, dtypes.int64)
    may_alias_input = True

    def infer(self, inputs, attrs):
        x, begin_t, end_t, strides_t = inputs
        dt = x.dtype.base_dtype
        n = begin_t.shape[0].value if begin_t.shape.ndims == 1 else None
        if x.shape.ndims is None or n is None:
            return [(TensorShape(None), dt)]
        b, e, s = (constant_value(t) for t in (begin_t, end_t, strides_t))
        if s is not None and not np.all(s):
            raise InferenceError("strides must be non-zero")
        bm, em, elm, nm, sm = (attrs[k] for k in _MASKS)
        dims = x.shape.as_list()
        consumed = sum(1 for i in range(n) if not (elm | nm) & (1 << i))
        out, k = [], 0
        for i in range(n):
            bit = 1 << i
            if elm & bit:
                take = max(len(dims) - consumed, 0)
                out.extend(dims[k:k + take])
                k += take
            elif nm & bit:
                out.append(1)
            elif k >= len(dims):
                raise InferenceError(f"Index out of range using input dim {k}")
            elif sm & bit:
                if b is not None and dims[k] is not None:
                    idx = int(b[i])
                    if not -dims[k] <= idx < dims[k]:
                        raise InferenceError(f"slice index {idx} of dimension {k} out of bounds.")
                k += 1
            else:
                d = dims[k]
                if d is not None and b is not None and e is not None and s is not None:
                    sl = slice(None if bm & bit else int(b[i]), None if em & bit else int(e[i]), int(s[i]))
                    out.append(len(range(*sl.indices(d))))
                elif bm & bit and em & bit and s is not None and int(s[i]) in (1, -1):
                    out.append(d)
                else:
                    out.append(None)
                k += 1
        out.extend(dims[k:])
        return [(TensorShape(out), dt)]

    def forward(self, xp, x, begin, end, strides, **masks):
        return x[_index_items(begin, end, strides, masks)]

    def explain_failure(self, arrays, attrs, exc):
        if isinstance(exc, IndexError) and len(arrays) == 4:
            return f"slice index out of bounds: {exc}"
        return super().explain_failure(arrays, attrs, exc)

    def grad(self, op, g):
        from .array_ops import shape
        x, begin, end, strides = op.inputs
        masks = {k: op.get_attr(k) for k in _MASKS}
        return [apply_op(StridedSliceGrad, [shape(x), begin, end, strides, g], masks, name="StridedSliceGrad"),
                None, None, None]


@register
class StridedSliceGrad(OpDef):
    """Scatters `dy` into zeros of `shape` at the positions StridedSlice read (its gradient)."""

    type_name = "StridedSliceGrad"
    shape_arg_inputs = (0,)  # the output has the forward input's shape; begin/end/strides only place dy
    input_names = ("shape", "begin", "end", "strides", "dy")
    same_dtype = ("begin", "end", "strides")

    def infer(self, inputs, attrs):
        from ..framework.tensor_util import constant_value_as_shape
        return [(constant_value_as_shape(inputs[0]), inputs[4].dtype.base_dtype)]

    def forward(self, xp, shape, begin, end, strides, dy, **masks):
        out = xp.zeros(tuple(int(d) for d in shape), dtype=xp.asarray(dy).dtype)
        out[_index_items(begin, end, strides, masks)] = dy
        return out

    def grad(self, op, g):
        masks = {k: op.get_attr(k) for k in _MASKS}
        _, begin, end, strides, _ = op.inputs
        return [None, None, None, None, apply_op(StridedSlice, [g, begin, end, strides], masks,
                                                 name="StridedSlice")]


def strided_slice(input_, begin, end, strides=None, begin_mask=0, end_mask=0, ellipsis_mask=0, new_axis_mask=0,
                  shrink_axis_mask=0, var=None, name=None):
    """The StridedSlice op with explicit begin/end/strides and masks (what `tensor[...]` builds)."""
    if strides is None:
        strides = [1] * len(begin)
    attrs = {"begin_mask": begin_mask, "end_mask": end_mask, "ellipsis_mask": ellipsis_mask,
             "new_axis_mask": new_axis_mask, "shrink_axis_mask": shrink_axis_mask}
    return apply_op(StridedSlice, [input_, begin, end, strides], attrs, name=name or "StridedSlice")


def _check_index(idx):
    if isinstance(idx, (int, np.integer)) and not isinstance(idx, bool):
        return
    if _is_tensor_like(idx) and idx.dtype.base_dtype in (dtypes.int32, dtypes.int64) and idx.shape.ndims in (0, None):
        return
    raise TypeError("Only integers, slices (`:`), ellipsis (`...`), tf.newaxis (`None`) and scalar tf.int32/tf.int64 "
                    f"tensors are valid indices, got {idx!r}")


def slice_helper(tensor, slice_spec):
    """`tensor[slice_spec]` as TensorFlow builds it: one StridedSlice named "strided_slice"."""
    if not isinstance(slice_spec, (list, tuple)):
        slice_spec = [slice_spec]
    elif isinstance(slice_spec, list):
        raise TypeError("Only integers, slices (`:`), ellipsis (`...`), tf.newaxis (`None`) and scalar tf.int32/"
                        f"tf.int64 tensors are valid indices, got {slice_spec!r}")
    begin, end, strides = [], [], []
    masks = dict.fromkeys(_MASKS, 0)
    for index, s in enumerate(slice_spec):
        bit = 1 << index
        if isinstance(s, slice):
            for part in (s.start, s.stop, s.step):
                if part is not None:
                    _check_index(part)
            if s.start is not None:
                begin.append(s.start)
            else:
                begin.append(0)
                masks["begin_mask"] |= bit
            if s.stop is not None:
                end.append(s.stop)
            else:
                end.append(0)
                masks["end_mask"] |= bit
            strides.append(1 if s.step is None else s.step)
        elif s is Ellipsis:
            begin.append(0), end.append(0), strides.append(1)
            masks["ellipsis_mask"] |= bit
        elif s is None:
            begin.append(0), end.append(0), strides.append(1)
            masks["new_axis_mask"] |= bit
        else:
            _check_index(s)
            begin.append(s)
            end.append(s + 1)
            strides.append(1)
            masks["shrink_axis_mask"] |= bit
    from .array_ops import stack
    with name_scope(None, "strided_slice", [tensor]) as scope:
        packed = []
        for values in (begin, end, strides):
            if any(_is_tensor_like(v) for v in values):
                packed.append(stack([v if _is_tensor_like(v) else np.int32(v) for v in values]))
            else:
                packed.append(stack_constant(values))
        return apply_op(StridedSlice, [tensor] + packed, masks, name=scope)


def stack_constant(values):
    from ..framework.constant_op import constant
    arr = np.asarray(values, dtype=np.int64)
    dtype = np.int64 if arr.size and np.abs(arr).max() > 2 ** 31 - 1 else np.int32
    return constant(arr.astype(dtype), name="stack")
