"""Reductions over axes (Sum, Mean, Max, Min, Prod, Any, All) and their public functions with TF1's argument
names (`axis`/`keepdims` and the deprecated `reduction_indices`/`keep_dims`)."""
from ..framework import dtypes
from ..framework.apply import apply_op, convert_to_tensor
from ..framework.graph import name_scope
from ..framework.op_def import OpDef, register
from ..framework.deprecation import deprecated_argument_lookup
from ..framework.tensor_util import build_time_value
from . import grad_support_ops as _g
from .shape_inference import normalize_axes, reduced_shape


def _broadcast_back(op, g):
    """The gradient of a sum-like reduction: `g` with the reduced axes restored, broadcast to the input."""
    from .array_ops import shape
    x = op.inputs[0]
    axes = op.get_attr("axis")
    if not op.get_attr("keep_dims") and axes is not None and axes:
        g = apply_op(_g.ExpandDims, [g], {"axis": tuple(axes)}, name="ExpandDims")
    return _g.broadcast_to(g, shape(x))

def _kept(op, t):
    """`t` (shaped like the reduction's output) with the reduced axes restored as size 1, so that it
    broadcasts against the input."""
    axes = op.get_attr("axis")
    if not op.get_attr("keep_dims") and axes:
        return apply_op(_g.ExpandDims, [t], {"axis": tuple(axes)}, name="ExpandDims")
    return t


__all__ = ["reduce_sum", "reduce_mean", "reduce_max", "reduce_min", "reduce_prod", "reduce_any", "reduce_all"]


class Reduction(OpDef):
    """Reduces `input` over attr `axis` (tuple of ints, None = all axes), keeping them as 1s if `keep_dims`."""

    input_names = ("input",)
    same_dtype = ("input",)
    allowed_dtypes = dtypes.NUMBER

    def canonicalize_attrs(self, inputs, attrs):
        return {**attrs, "axis": normalize_axes(attrs["axis"], inputs[0].shape.ndims)}

    def infer(self, inputs, attrs):
        x = inputs[0]
        return [(reduced_shape(x.shape, attrs["axis"], attrs["keep_dims"]), self.output_dtype(x.dtype.base_dtype))]

    def output_dtype(self, input_dtype):
        return input_dtype


@register
class Sum(Reduction):
    type_name = "Sum"

    def forward(self, xp, x, axis, keep_dims):
        return _sum(xp, axis, keep_dims, x.dtype)(x)

    def kernel(self, op, ctx):
        return _sum(ctx.xp, op.get_attr("axis"), op.get_attr("keep_dims"), op.inputs[0].dtype.base_dtype.as_numpy_dtype)

    def grad(self, op, g):
        return [_broadcast_back(op, g)]


def _sum(xp, axis, keep_dims, dtype):
    """Sum bound to an array module, axes and dtype: what `forward` computes and a plan's kernel calls. It is
    the ufunc's own reduce: np.sum's Python wrapper costs more than summing a small array."""
    reduce = xp.add.reduce
    if xp.dtype(dtype).kind == "f" and not keep_dims:
        return lambda x: reduce(x, axis)  # floats keep their dtype; the keywords alone cost ~0.2 us a call
    # dtype= keeps int32 sums int32 (NumPy would widen them to int64).
    return lambda x: reduce(x, axis=axis, dtype=dtype, keepdims=keep_dims)


@register
class Mean(Reduction):
    """Mean; integer inputs give the truncated integer mean, as in TensorFlow."""

    type_name = "Mean"

    def forward(self, xp, x, axis, keep_dims):
        if x.dtype.kind in "iu":
            total = xp.sum(x, axis=axis, keepdims=keep_dims, dtype=xp.int64)
            count = max(x.size // max(total.size, 1), 1) if x.size else 1
            return (xp.sign(total) * (xp.abs(total) // count)).astype(x.dtype)
        # sum / count rather than xp.mean: no "Mean of empty slice" warning (an empty mean is nan, silently).
        total = xp.add.reduce(x, axis=axis, dtype=x.dtype, keepdims=keep_dims)
        count = x.size // total.size if total.size else 0
        return total / total.dtype.type(count)

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


class _Extremum(Reduction):
    """Max or Min. An empty reduction gives the identity (-inf / +inf, or the integer limit), as in TensorFlow."""

    allowed_dtypes = dtypes.REAL
    reducer = None  # "max" or "min"

    def forward(self, xp, x, axis, keep_dims):
        fn = getattr(xp, self.reducer)
        if x.size == 0:
            # NumPy refuses empty reductions; TensorFlow returns the reduction's identity.
            limits = xp.iinfo(x.dtype) if x.dtype.kind in "iu" else None
            if self.reducer == "max":
                initial = limits.min if limits is not None else -xp.inf
            else:
                initial = limits.max if limits is not None else xp.inf
            return fn(x, axis=axis, keepdims=keep_dims, initial=initial)
        return fn(x, axis=axis, keepdims=keep_dims)

    def grad(self, op, g):
        # The gradient is shared equally among the entries equal to the extremum (TensorFlow's rule for ties).
        from .math_ops import cast, equal, multiply, truediv
        x = op.inputs[0]
        indicators = cast(equal(x, _kept(op, op.outputs[0])), g.dtype.base_dtype)
        count = apply_op(Sum, [indicators], {"axis": op.get_attr("axis"), "keep_dims": True}, name="Sum")
        return [multiply(truediv(indicators, count), _kept(op, g))]


@register
class Max(_Extremum):
    type_name = "Max"
    reducer = "max"


@register
class Min(_Extremum):
    type_name = "Min"
    reducer = "min"


@register
class Prod(Reduction):
    """Product; an empty reduction gives 1."""

    type_name = "Prod"

    def forward(self, xp, x, axis, keep_dims):
        # dtype= keeps int32 products int32 (NumPy would widen them to int64).
        return xp.prod(x, axis=axis, keepdims=keep_dims, dtype=x.dtype)

    def grad(self, op, g):
        """d prod / d x_i is the product of all the other entries, built without dividing by x_i (so zeros
        are handled): over one axis it is exclusive-cumprod from the left times from the right; over several
        axes a1..am it is the product, for each a_k, of that along a_k of x already reduced over a_k+1..am."""
        from .array_ops import reshape, shape
        from .cumulative_ops import cumprod
        from .math_ops import multiply
        x = op.inputs[0]
        axes = op.get_attr("axis")
        if axes is not None and not axes:
            return [g]

        def others_along(t, axis):
            left = cumprod(t, axis=axis, exclusive=True)
            right = cumprod(t, axis=axis, exclusive=True, reverse=True)
            return multiply(left, right)
        if axes is None:
            # All axes: a flat view needs only one scan, and works when the rank is unknown.
            others = reshape(others_along(reshape(x, [-1]), 0), shape(x))
        else:
            others = None
            for k, axis in enumerate(axes):
                rest = tuple(axes[k + 1:])
                partial = apply_op(Prod, [x], {"axis": rest, "keep_dims": True}, name="Prod") if rest else x
                factor = others_along(partial, axis)
                others = factor if others is None else multiply(others, factor)
        return [multiply(others, _kept(op, g))]


class _Logical(Reduction):
    """Any or All over booleans; not differentiable."""

    allowed_dtypes = (dtypes.bool,)
    reducer = None

    def forward(self, xp, x, axis, keep_dims):
        return getattr(xp, self.reducer)(x, axis=axis, keepdims=keep_dims)


@register
class Any(_Logical):
    type_name = "Any"
    reducer = "any"


@register
class All(_Logical):
    type_name = "All"
    reducer = "all"


def _resolve_axis(axis, reduction_indices, name="axis"):
    axis = deprecated_argument_lookup("axis", axis, "reduction_indices", reduction_indices)
    if axis is None:
        return None
    axis = build_time_value(axis, f"the reduction {name}")
    if hasattr(axis, "tolist"):
        axis = axis.tolist()
    if isinstance(axis, (list, tuple)):
        return tuple(int(a) for a in axis)
    return (int(axis),)


def _resolve_keepdims(keepdims, keep_dims):
    return bool(deprecated_argument_lookup("keepdims", keepdims, "keep_dims", keep_dims))


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


def reduce_max(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None, keep_dims=None):
    """Maximum over `axis` (all axes when None). The gradient is shared equally among tied maxima.

    Args:
        input_tensor: a real tensor.
        axis: an int or list of ints (None: all axes); `reduction_indices` is its deprecated name.
        keepdims: keep the reduced axes as size 1; `keep_dims` is its deprecated name.
        name: the node's name (default "Max").

    Returns:
        A tensor of the input's dtype. An empty reduction gives -inf (or the integer minimum).

    Example: `tf.reduce_max([[1., 5.], [3., 2.]], axis=1)` evaluates to `[5., 3.]`.
    """
    return _reduce(Max, "Max", input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


def reduce_min(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None, keep_dims=None):
    """Minimum over `axis` (all axes when None); like `reduce_max`. Node name "Min"."""
    return _reduce(Min, "Min", input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


def reduce_prod(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None, keep_dims=None):
    """Product over `axis` (all axes when None); its gradient is exact when inputs contain zeros.

    Example: `tf.reduce_prod([[1., 2.], [3., 4.]], axis=0)` evaluates to `[3., 8.]`. Node name "Prod".
    """
    return _reduce(Prod, "Prod", input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


def reduce_any(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None, keep_dims=None):
    """Logical or over `axis` of a bool tensor (False for an empty reduction). Node name "Any".

    Raises:
        TypeError: the input is not bool.
    """
    return _reduce(Any, "Any", input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


def reduce_all(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None, keep_dims=None):
    """Logical and over `axis` of a bool tensor (True for an empty reduction). Node name "All".

    Raises:
        TypeError: the input is not bool.
    """
    return _reduce(All, "All", input_tensor, axis, keepdims, name, reduction_indices, keep_dims)
