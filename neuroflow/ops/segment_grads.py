"""Gradients of the segment reductions (TensorFlow's rules): each data entry receives its segment's gradient —
scaled by the other entries' product for prod, and shared among the entries equal to the result for max/min."""
from ..framework import dtypes
from .op_util import constant_like

__all__ = ["segment_grad", "broadcastable_to_rows"]


def broadcastable_to_rows(x, data, ids):
    """`x` (one value per id position: ids' shape) reshaped to broadcast against `data`, whose leading dims are
    the ids' shape: trailing size-1 dims for data's per-row dims."""
    from .array_ops import reshape, shape
    from .concat_ops import concat
    from .index_ops import rank
    from .array_ops import fill
    from .binary_ops import Sub
    from ..framework.apply import apply_op
    if data.shape.ndims is not None and x.shape.ndims is not None:
        extra = data.shape.ndims - ids.shape.ndims if ids.shape.ndims is not None else None
        if extra is not None:
            if extra == 0:
                return x
            return reshape(x, concat([shape(x), [1] * extra], axis=0))
    extra = apply_op(Sub, [rank(data), rank(ids)], name="sub")
    return reshape(x, concat([shape(x), fill([extra], 1)], axis=0))


def _gather_rows(values, ids, may_be_negative):
    """values[ids], with rows of negative ids (dropped by the unsorted reductions) read as zeros."""
    from .grad_support_ops import where, zeros_like
    from .index_ops import gather
    from .math_ops import greater_equal, maximum
    if not may_be_negative:
        return gather(values, ids)
    zero = constant_like(0, ids)
    gathered = gather(values, maximum(ids, zero))
    keep = broadcastable_to_rows(greater_equal(ids, zero), gathered, ids)
    from .grad_support_ops import broadcast_to
    from .array_ops import shape
    return where(broadcast_to(keep, shape(gathered)), gathered, zeros_like(gathered))


def segment_grad(op, g, kind):
    """The gradient of the data input of a segment reduction `op` of `kind` ("sum", "prod", "max", "min")."""
    from .array_ops import shape
    from .grad_support_ops import where, zeros_like, ones_like
    from .math_ops import cast, equal, greater, truediv, multiply, maximum
    from .segment_ops import UNSORTED
    from ..framework.apply import apply_op
    data, ids = op.inputs[0], op.inputs[1]
    unsorted = len(op.inputs) == 3
    num_segments = op.inputs[2] if unsorted else shape(op.outputs[0], out_type=ids.dtype.base_dtype)[0]

    def segment_sum(x):
        return apply_op(UNSORTED["sum"], [x, ids, num_segments], name="UnsortedSegmentSum")
    if kind == "sum":
        return _gather_rows(g, ids, unsorted)
    if kind in ("max", "min"):
        out = op.outputs[0]
        is_selected = equal(data, _gather_rows(out, ids, unsorted))
        if unsorted:
            from .math_ops import greater_equal, logical_and
            from .grad_support_ops import broadcast_to
            in_range = broadcastable_to_rows(greater_equal(ids, constant_like(0, ids)), data, ids)
            is_selected = logical_and(is_selected, broadcast_to(in_range, shape(data)))
        num_selected = segment_sum(cast(is_selected, g.dtype.base_dtype))
        shares = truediv(g, maximum(num_selected, constant_like(1, g)))
        return where(is_selected, _gather_rows(shares, ids, unsorted), zeros_like(data))
    # prod: d/dx_i prod_j x_j = the product of the others; with one zero in a segment only that entry gets a
    # gradient (the product of the non-zeros), with two or more none does.
    is_zero = equal(data, constant_like(0, data))
    num_zeros = segment_sum(cast(is_zero, dtypes.int32))
    g = where(greater(num_zeros, constant_like(1, num_zeros)), zeros_like(g), g)
    non_zero_data = where(is_zero, ones_like(data), data)
    non_zero_prod = apply_op(UNSORTED["prod"], [non_zero_data, ids, num_segments], name="UnsortedSegmentProd")
    prod_of_others = where(is_zero, _gather_rows(non_zero_prod, ids, unsorted),
                           truediv(_gather_rows(op.outputs[0], ids, unsorted), non_zero_data))
    return multiply(_gather_rows(g, ids, unsorted), prod_of_others)
