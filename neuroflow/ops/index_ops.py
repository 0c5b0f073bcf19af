"""Indexing and generation: gather (with its scatter-add gradient), one_hot, boolean_mask, sequence_mask,
range, linspace and rank."""
import builtins
import math

import numpy as np

from ..framework import dtypes
from ..framework.apply import _is_tensor_like, apply_op, convert_to_tensor
from ..framework.constant_op import constant
from ..framework.graph import name_scope
from ..framework.op_def import InferenceError, OpDef, register
from ..framework.tensor_shape import TensorShape
from ..framework.tensor_util import constant_value, constant_value_as_shape
from .op_util import check_index_dtype, check_rank, invalid_argument, static_ints

__all__ = ["gather", "one_hot", "range", "linspace", "lin_space", "rank", "sequence_mask", "boolean_mask"]

# --- gather ----------------------------------------------------------------------------------------------------
@register
class GatherV2(OpDef):
    """Slices of `params` along attr `axis` at `indices`: shape params[:axis] + indices + params[axis+1:]."""

    type_name = "GatherV2"
    input_names = ("params", "indices")

    def canonicalize_attrs(self, inputs, attrs):
        rank, axis = inputs[0].shape.ndims, attrs["axis"]
        if rank is None:
            return attrs
        if not -rank <= axis < rank:
            raise InferenceError(f"Shape must be at least rank {axis + 1 if axis >= 0 else -axis} but is rank "
                                 f"{rank}")
        return {**attrs, "axis": axis % rank}

    def infer(self, inputs, attrs):
        params, indices = inputs
        check_index_dtype(indices, "indices")
        rank = params.shape.ndims
        axis = attrs["axis"]
        if rank is None or indices.shape.ndims is None:
            return [(TensorShape(None), params.dtype.base_dtype)]
        dims = params.shape.as_list()
        return [(TensorShape(dims[:axis] + indices.shape.as_list() + dims[axis + 1:]), params.dtype.base_dtype)]

    def forward(self, xp, params, indices, axis):
        axis %= max(params.ndim, 1)
        n = params.shape[axis]
        if indices.size and (indices.min() < 0 or indices.max() >= n):
            where = tuple(int(i) for i in xp.argwhere((indices < 0) | (indices >= n))[0])
            at = f"[{','.join(map(str, where))}]" if where else ""
            raise invalid_argument(f"indices{at} = {indices[where]} is not in [0, {n})")
        return xp.take(params, indices, axis=axis)

    def grad(self, op, g):
        from .array_ops import reshape, shape
        params, indices = op.inputs
        if op.get_attr("axis") == 0:
            # As in TensorFlow: the rows gathered, as IndexedSlices (optimizers update only those rows).
            from ..framework.indexed_slices import IndexedSlices
            from .concat_ops import concat
            from .grad_support_ops import expand_dims, size
            params_shape = shape(params)
            values = reshape(g, concat([expand_dims(size(indices), 0), params_shape[1:]], 0))
            if params.shape.ndims is not None:
                values.set_shape(TensorShape([indices.shape.num_elements()]).concatenate(params.shape[1:]))
            return [IndexedSlices(values, reshape(indices, [-1]), params_shape), None]
        return [apply_op(GatherV2Grad, [g, indices, shape(params)], {"axis": op.get_attr("axis")},
                         name="GatherV2Grad"), None]


@register
class GatherV2Grad(OpDef):
    """Gather's gradient: `grad` scatter-added (repeated indices accumulate) into zeros of `params_shape`."""

    type_name = "GatherV2Grad"
    shape_arg_inputs = (2,)
    input_names = ("grad", "indices", "params_shape")

    def infer(self, inputs, attrs):
        return [(constant_value_as_shape(inputs[2]), inputs[0].dtype.base_dtype)]

    def forward(self, xp, grad, indices, params_shape, axis):
        shape = tuple(int(d) for d in params_shape)
        out = xp.zeros(shape, dtype=grad.dtype)
        axis %= max(len(shape), 1)
        xp.add.at(out, (builtins.slice(None),) * axis + (indices,), grad)
        return out

    def grad(self, op, g):
        return [apply_op(GatherV2, [g, op.inputs[1]], {"axis": op.get_attr("axis")}, name="GatherV2"), None, None]


def gather(params, indices, validate_indices=None, name=None, axis=0, batch_dims=0):
    """The slices of `params` along `axis` at `indices` (a tensor of any rank).

    Args:
        validate_indices: ignored (deprecated in TensorFlow; indices are always checked).
        axis: the axis of `params` to gather from (negative counts from the end).
        batch_dims: only 0 is supported.

    Raises:
        InvalidArgumentError: at run time, an index outside [0, params.shape[axis]) ("indices[1] = 7 is not
            in [0, 5)").

    Example:
        >>> tf.gather(embeddings, word_ids)   # one row of `embeddings` per id
    """
    del validate_indices
    if batch_dims:
        raise NotImplementedError("neuroflow's tf.gather supports only batch_dims=0")
    axis = 0 if axis is None else static_ints(axis, "gather's axis")
    return apply_op(GatherV2, [params, indices], {"axis": axis}, name=name or "GatherV2")


# --- one_hot ---------------------------------------------------------------------------------------------------
@register
class OneHot(OpDef):
    """`on_value` where the new axis' position equals the index, `off_value` elsewhere (out-of-range or
    negative indices give all-off rows)."""

    type_name = "OneHot"
    shape_arg_inputs = (1,)
    input_names = ("indices", "depth", "on_value", "off_value")
    same_dtype = ("on_value", "off_value")

    def infer(self, inputs, attrs):
        indices, depth_t, on, off = inputs
        if indices.dtype.base_dtype not in (dtypes.uint8, dtypes.int32, dtypes.int64):
            raise TypeError(f"Value passed to parameter 'indices' has DataType {indices.dtype.base_dtype.name} not "
                            "in list of allowed values: uint8, int32, int64")
        if depth_t.dtype.base_dtype is not dtypes.int32:
            raise TypeError(f"Input 'depth' of 'OneHot' Op has type {depth_t.dtype.base_dtype.name} that does not "
                            "match expected type of int32.")
        for t in (depth_t, on, off):
            check_rank(t, 0)
        axis = attrs["axis"]
        rank = indices.shape.ndims
        if axis < -1 or (rank is not None and axis > rank):
            raise InferenceError(f"Expected axis to be -1 or between [0, {(rank or 0) + 1}).  But received: {axis}")
        depth = constant_value(depth_t)
        if depth is not None and depth < 0:
            raise InferenceError(f"depth must be non-negative, got: {int(depth)}")
        if rank is None:
            return [(TensorShape(None), on.dtype.base_dtype)]
        dims = indices.shape.as_list()
        at = rank if axis == -1 else axis
        return [(TensorShape(dims[:at] + [None if depth is None else int(depth)] + dims[at:]), on.dtype.base_dtype)]

    def forward(self, xp, indices, depth, on_value, off_value, axis):
        if depth < 0:
            raise invalid_argument(f"depth must be non-negative, got: {int(depth)}")
        hot = indices[..., None] == xp.arange(int(depth))
        out = xp.where(hot, on_value, off_value)
        return out if axis in (-1, indices.ndim) else xp.moveaxis(out, -1, axis)

    grad = None  # TensorFlow defines no gradient for any input of OneHot


def one_hot(indices, depth, on_value=None, off_value=None, axis=None, dtype=None, name=None):
    """One-hot vectors along a new axis (`axis`, default last) for `indices`.

    The dtype is `dtype`, else that of `on_value`/`off_value`, else float32. Indices outside [0, depth)
    give a row of `off_value` only.

    Raises:
        TypeError: `dtype` disagrees with `on_value`/`off_value`, or they disagree with each other.

    Example:
        >>> tf.one_hot([0, 2], 3)   # [[1., 0., 0.], [0., 0., 1.]]
    """
    with name_scope(name, "one_hot", [indices, depth, on_value, off_value, axis, dtype]) as scope:
        on_exists, off_exists = on_value is not None, off_value is not None
        on_dtype = convert_to_tensor(on_value).dtype.base_dtype if on_exists else None
        off_dtype = convert_to_tensor(off_value).dtype.base_dtype if off_exists else None
        if dtype is not None:
            dtype = dtypes.as_dtype(dtype).base_dtype
        if on_exists or off_exists:
            if dtype is not None:
                if on_exists and on_dtype is not dtype:
                    raise TypeError(f"dtype {on_dtype!r} of on_value does not match dtype parameter {dtype!r}")
                if off_exists and off_dtype is not dtype:
                    raise TypeError(f"dtype {off_dtype!r} of off_value does not match dtype parameter {dtype!r}")
            else:
                dtype = on_dtype if on_exists else off_dtype
        elif dtype is None:
            dtype = dtypes.float32
        if not on_exists:
            on_value, on_dtype = convert_to_tensor(1, dtype, name="on_value"), dtype
        if not off_exists:
            off_value, off_dtype = convert_to_tensor(0, dtype, name="off_value"), dtype
        if on_dtype is not off_dtype:
            raise TypeError(f"dtype {on_dtype!r} of on_value does not match dtype {off_dtype!r} of off_value")
        if not _is_tensor_like(depth):
            depth = convert_to_tensor(depth, dtypes.int32, name="depth")
        axis = -1 if axis is None else static_ints(axis, "one_hot's axis")
        return apply_op(OneHot, [indices, depth, on_value, off_value], {"axis": axis}, name=scope)


# --- range, linspace, rank -------------------------------------------------------------------------------------
def _fmt(v):
    v = v.item()  # a 0-d array: a constant's, or the backend's
    return f"{v:g}" if isinstance(v, float) else str(v)


def _range_size(start, limit, delta, error):
    """The length of range(start, limit, delta) by TensorFlow's rule, after its checks."""
    if delta == 0:
        raise error(f"Requires delta != 0: {_fmt(delta)}")
    if delta > 0 and start > limit:
        raise error(f"Requires start <= limit when delta > 0: {_fmt(start)}/{_fmt(limit)}")
    if delta < 0 and start < limit:
        raise error(f"Requires start >= limit when delta < 0: {_fmt(start)}/{_fmt(limit)}")
    start, limit, delta = (v.item() for v in (start, limit, delta))
    if isinstance(start, int):
        return (abs(limit - start) + abs(delta) - 1) // abs(delta)
    return int(math.ceil(abs((limit - start) / delta)))


@register
class Range(OpDef):
    """start, start + delta, ... up to but excluding limit."""

    type_name = "Range"
    shape_arg_inputs = (0, 1, 2)
    input_names = ("start", "limit", "delta")
    same_dtype = ("start", "limit", "delta")
    allowed_dtypes = (dtypes.float32, dtypes.float64, dtypes.int32, dtypes.int64)

    def infer(self, inputs, attrs):
        for t in inputs:
            check_rank(t, 0)
        values = [constant_value(t) for t in inputs]
        size = None if any(v is None for v in values) else _range_size(*values, error=InferenceError)
        return [(TensorShape([size]), inputs[0].dtype.base_dtype)]

    def forward(self, xp, start, limit, delta):
        size = _range_size(start, limit, delta, error=invalid_argument)
        return start + xp.arange(size, dtype=start.dtype) * delta

    grad = None  # TensorFlow: Range is not differentiable


_RANGE_HIERARCHY = (dtypes.int32, dtypes.int64, dtypes.float32, dtypes.float64)


def range(start, limit=None, delta=1, dtype=None, name="range"):  # noqa: A001 - TensorFlow's public name
    """The numbers start, start + delta, ... below `limit` (like Python's range); `tf.range(n)` counts from 0.

    The dtype, unless given, is the widest of the arguments' in int32 < int64 < float32 < float64, so Python
    ints give int32 and any float gives float32.

    Raises:
        ValueError: delta is 0, or has the wrong sign for start and limit (InvalidArgumentError at run time).

    Example:
        >>> tf.range(3, 18, 3)   # [3, 6, 9, 12, 15]
    """
    from .math_ops import cast
    if limit is None:
        start, limit = 0, start
    with name_scope(name, "Range", [start, limit, delta]) as scope:
        args = [convert_to_tensor(v, dtype=dtype, name=n) for v, n in
                ((start, "start"), (limit, "limit"), (delta, "delta"))]
        if dtype is None:
            for a in args:
                if a.dtype.base_dtype not in _RANGE_HIERARCHY:
                    raise TypeError(f"tf.range does not support dtype {a.dtype.base_dtype.name}")
            inferred = max((a.dtype.base_dtype for a in args), key=_RANGE_HIERARCHY.index)
            args = [cast(a, inferred) for a in args]
        return apply_op(Range, args, name=scope)


@register
class LinSpace(OpDef):
    """`num` evenly spaced values from `start` to `stop`, both included."""

    type_name = "LinSpace"
    shape_arg_inputs = (2,)
    input_names = ("start", "stop", "num")
    same_dtype = ("start", "stop")
    allowed_dtypes = (dtypes.float32, dtypes.float64)

    def infer(self, inputs, attrs):
        start, stop, num = inputs
        check_index_dtype(num, "num")
        for t in inputs:
            check_rank(t, 0)
        n = constant_value(num)
        if n is not None and n <= 0:
            raise InferenceError(f"Requires num > 0: {int(n)}")
        return [(TensorShape([None if n is None else int(n)]), start.dtype.base_dtype)]

    def forward(self, xp, start, stop, num):
        num = int(num)
        if num <= 0:
            raise invalid_argument(f"Requires num > 0: {num}")
        if num == 1:
            return xp.reshape(start, (1,)).copy()
        step = (stop - start) / start.dtype.type(num - 1)
        out = start + xp.arange(num, dtype=start.dtype) * step
        out[-1] = stop  # exactly `stop`, as TensorFlow's kernel writes it
        return out

    grad = None  # TensorFlow: LinSpace is not differentiable


def linspace(start, stop, num, name=None):
    """`num` evenly spaced values from `start` to `stop` inclusive. Example: `tf.linspace(10.0, 12.0, 3)` ->
    [10., 11., 12.]."""
    return apply_op(LinSpace, [start, stop, num], name=name or "LinSpace")


lin_space = linspace


@register
class Rank(OpDef):
    """The number of dimensions of `input`, an int32 scalar."""

    type_name = "Rank"
    depends_only_on_input_shape = True
    input_names = ("input",)

    def infer(self, inputs, attrs):
        return [(TensorShape(()), dtypes.int32)]

    def forward(self, xp, x):
        return xp.asarray(x.ndim, dtype=xp.int32)

    def static_value(self, op, index):
        ndims = op.inputs[0].shape.ndims
        return None if ndims is None else np.asarray(ndims, dtype=np.int32)

    grad = None  # an integer fact about the shape


def rank(input, name=None):  # noqa: A002
    """The number of dimensions of `input` (a constant when it is statically known). Example:
    `tf.rank(tf.zeros([2, 3]))` -> 2."""
    with name_scope(name, "Rank", [input]) as scope:
        x = convert_to_tensor(input)
        if x.shape.ndims is not None:
            return constant(x.shape.ndims, dtype=dtypes.int32, name=scope)
        return apply_op(Rank, [x], name=scope)


# --- masks -----------------------------------------------------------------------------------------------------
def sequence_mask(lengths, maxlen=None, dtype=dtypes.bool, name=None):
    """mask[i..., j] = j < lengths[i...]: a mask of shape lengths.shape + [maxlen].

    Args:
        maxlen: the mask's last dimension; default the largest length.
        dtype: the mask's dtype (bool by default).

    Example:
        >>> tf.sequence_mask([1, 3], 4)   # [[True, False, False, False], [True, True, True, False]]
    """
    from .grad_support_ops import expand_dims
    from .math_ops import cast, less, maximum
    with name_scope(name, "SequenceMask", [lengths, maxlen]):
        lengths = convert_to_tensor(lengths)
        if maxlen is None:
            from . import reduce_ops
            maxlen = reduce_ops.reduce_max(lengths)
            maxlen = maximum(constant(0, maxlen.dtype), maxlen)
        else:
            maxlen = convert_to_tensor(maxlen)
        if maxlen.shape.ndims is not None and maxlen.shape.ndims != 0:
            raise ValueError("maxlen must be scalar for sequence_mask")
        row_vector = apply_op(Range, [constant(0, maxlen.dtype), maxlen, constant(1, maxlen.dtype)], name="Range")
        matrix = cast(expand_dims(lengths, -1), maxlen.dtype)
        result = less(row_vector, matrix)
        if dtype is None or dtypes.as_dtype(dtype).base_dtype is dtypes.bool:
            return result
        return cast(result, dtype)


def boolean_mask(tensor, mask, name="boolean_mask", axis=None):
    """The entries of `tensor` where `mask` is True: mask's dimensions (starting at `axis`) are flattened
    into one holding only the selected entries. The gradient flows back to the selected positions.

    Raises:
        ValueError: `mask` is a scalar, has unknown rank, or its static shape does not match `tensor`'s.

    Example:
        >>> tf.boolean_mask([[1, 2], [3, 4], [5, 6]], [True, False, True])   # [[1, 2], [5, 6]]
    """
    from .array_ops import reshape, shape, stack
    from .grad_support_ops import size, where
    from .concat_ops import concat
    from .manip_ops import squeeze
    with name_scope(name, values=[tensor, mask]):
        tensor = convert_to_tensor(tensor, name="tensor")
        mask = convert_to_tensor(mask, name="mask")
        ndims_mask = mask.shape.ndims
        if ndims_mask == 0:
            raise ValueError("mask cannot be scalar.")
        if ndims_mask is None:
            raise ValueError("Number of mask dimensions must be specified, even if some dimensions are None.  "
                             "E.g. shape=[None] is ok, but shape=None is not.")
        axis = 0 if axis is None else static_ints(axis, "boolean_mask's axis")
        static = tensor.shape
        if static.ndims is not None:
            static[axis:axis + ndims_mask].assert_is_compatible_with(mask.shape)
        dims = shape(tensor)
        flat = reshape(tensor, concat([dims[:axis], stack([size(mask)]), dims[axis + ndims_mask:]], 0))
        if static.ndims is not None:
            flat.set_shape(static[:axis].concatenate([static[axis:axis + ndims_mask].num_elements()])
                           .concatenate(static[axis + ndims_mask:]))
        indices = squeeze(where(reshape(mask, [-1])), axis=[1])
        return gather(flat, indices, axis=axis)
