"""Reductions over axes (Sum, Mean, ...) and their public functions with TF1's argument names
(`axis`/`keepdims` and the deprecated `reduction_indices`/`keep_dims`)."""
from ..framework import dtypes
from ..framework.apply import apply_op, convert_to_tensor
from ..framework.graph import name_scope
from ..framework.op_def import OpDef, register
from ..framework.tensor_util import constant_value
from . import grad_support_ops as _g
from .shape_inference import normalize_axes, reduced_shape


def _broadcast_back(op, g):
    """The gradient of a sum-like reduction: `g` with the reduced axes restored, broadcast to the input."""
    from .array_ops import shape
    x = op.inputs[0]
    axes = op._attrs["axis"]
    if not op._attrs["keep_dims"] and axes is not None and axes:
        g = apply_op(_g.ExpandDims, [g], {"axis": tuple(axes)}, name="ExpandDims")
    return _g.broadcast_to(g, shape(x))

__all__ = ["reduce_sum", "reduce_mean"]


class Reduction(OpDef):
    """Reduces `input` over attr `axis` (tuple of ints, None = all axes), keeping them as 1s if `keep_dims`."""

    input_names = ("input",)
    same_dtype = ("input",)
    allowed_dtypes = dtypes.NUMBER

    def infer(self, inputs, attrs):
        x = inputs[0]
        axes = normalize_axes(attrs["axis"], x.shape.ndims)
        attrs["axis"] = axes
        return [(reduced_shape(x.shape, axes, attrs["keep_dims"]), self.output_dtype(x.dtype.base_dtype))]

    def output_dtype(self, input_dtype):
        return input_dtype


@register
class Sum(Reduction):
    type_name = "Sum"

    def forward(self, xp, x, axis, keep_dims):
        # dtype= keeps int32 sums int32 (NumPy would widen them to int64).
        return xp.sum(x, axis=axis, keepdims=keep_dims, dtype=x.dtype)

    def grad(self, op, g):
        return [_broadcast_back(op, g)]


@register
class Mean(Reduction):
    """Mean; integer inputs give the truncated integer mean, as in TensorFlow."""

    type_name = "Mean"

    def forward(self, xp, x, axis, keep_dims):
        if x.dtype.kind in "iu":
            total = xp.sum(x, axis=axis, keepdims=keep_dims, dtype=xp.int64)
            count = max(x.size // max(total.size, 1), 1) if x.size else 1
            return (xp.sign(total) * (xp.abs(total) // count)).astype(x.dtype)
        return xp.mean(x, axis=axis, keepdims=keep_dims, dtype=x.dtype)

    def grad(self, op, g):
        from .math_ops import cast, truediv
        x, y = op.inputs[0], op.outputs[0]
        n_in, n_out = x.shape.num_elements(), y.shape.num_elements()
        if n_in is not None and n_out is not None:
            from ..framework.constant_op import constant
            factor = constant(n_in // max(n_out, 1), dtype=g.dtype.base_dtype)
        else:
            factor = truediv(cast(_g.size(x), g.dtype.base_dtype), cast(_g.size(y), g.dtype.base_dtype))
        return [truediv(_broadcast_back(op, g), factor)]


def _resolve_axis(axis, reduction_indices, name="axis"):
    if reduction_indices is not None:
        if axis is not None:
            raise ValueError("Can not specify both 'axis' and 'reduction_indices'.")
        axis = reduction_indices
    if axis is None:
        return None
    if hasattr(axis, "op") and hasattr(axis, "dtype"):
        value = constant_value(axis)
        if value is None:
            raise ValueError(f"neuroflow needs the reduction {name} at graph-building time; got the tensor "
                             f"{axis.name}, whose value is only known when the graph runs.")
        axis = value
    if hasattr(axis, "tolist"):
        axis = axis.tolist()
    if isinstance(axis, (list, tuple)):
        return tuple(int(a) for a in axis)
    return (int(axis),)


def _resolve_keepdims(keepdims, keep_dims):
    if keep_dims is not None:
        if keepdims is not None:
            raise ValueError("Can not specify both 'keepdims' and 'keep_dims'.")
        keepdims = keep_dims
    return bool(keepdims)


def _reduce(opdef, default_name, input_tensor, axis, keepdims, name, reduction_indices, keep_dims):
    axes = _resolve_axis(axis, reduction_indices)
    keep = _resolve_keepdims(keepdims, keep_dims)
    with name_scope(name, default_name, [input_tensor]) as scope:
        x = convert_to_tensor(input_tensor, name="input_tensor")
        return apply_op(opdef, [x], {"axis": axes, "keep_dims": keep}, name=scope)


def reduce_sum(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None, keep_dims=None):
    """Sum over `axis` (all axes when None). Example: `tf.reduce_sum(x * W)` is the lecture's dot product."""
    return _reduce(Sum, "Sum", input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


def reduce_mean(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None, keep_dims=None):
    """Mean over `axis` (all axes when None); integer tensors give an integer (truncated) mean."""
    return _reduce(Mean, "Mean", input_tensor, axis, keepdims, name, reduction_indices, keep_dims)
