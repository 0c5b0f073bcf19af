"""Primitives that gradients are built from: AddN (summing contributions), ZerosLike/OnesLike, BroadcastTo and
its adjoint SumToShape (how broadcasting is undone, centrally, at run time), ExpandDims, Size, Select."""
import numpy as np

from ..framework import dtypes
from ..framework.apply import apply_op
from ..framework.graph import name_scope
from ..framework.op_def import InferenceError, OpDef, register
from ..framework.tensor_shape import TensorShape
from ..framework.tensor_util import constant_value_as_shape
from .shape_inference import broadcast_shape

__all__ = ["add_n", "zeros_like", "ones_like", "broadcast_to", "expand_dims", "size", "where"]


def _shape_of(t):
    from .array_ops import shape
    return shape(t)


@register
class AddN(OpDef):
    """The sum of N same-shaped tensors."""

    type_name = "AddN"
    input_names = ("inputs",)
    variadic = True
    same_dtype = ("inputs",)
    allowed_dtypes = dtypes.NUMBER

    def infer(self, inputs, attrs):
        if not inputs:
            raise InferenceError("AddN needs at least one input")
        shape = TensorShape(None)
        for t in inputs:
            if not shape.is_compatible_with(t.shape):
                raise InferenceError(f"Shapes {shape.bracket_str()} and {t.shape.bracket_str()} are incompatible")
            shape = shape.merge_with(t.shape)
        return [(shape, inputs[0].dtype.base_dtype)]

    def forward(self, xp, *values):
        total = values[0] + values[1] if len(values) > 1 else xp.array(values[0], copy=True)
        for v in values[2:]:
            total += v
        return total

    def grad(self, op, g):
        return [g] * len(op.inputs)


@register
class ZerosLike(OpDef):
    """Zeros of the input's shape and dtype."""

    type_name = "ZerosLike"
    depends_only_on_input_shape = True
    input_names = ("x",)

    def infer(self, inputs, attrs):
        return [(inputs[0].shape, inputs[0].dtype.base_dtype)]

    def forward(self, xp, x):
        return xp.zeros_like(x)

    def grad(self, op, g):
        return [None]


@register
class OnesLike(OpDef):
    """Ones of the input's shape and dtype."""

    type_name = "OnesLike"
    depends_only_on_input_shape = True
    input_names = ("x",)

    def infer(self, inputs, attrs):
        return [(inputs[0].shape, inputs[0].dtype.base_dtype)]

    def forward(self, xp, x):
        return xp.ones_like(x)

    def grad(self, op, g):
        return [None]


@register
class BroadcastTo(OpDef):
    """`input` broadcast (NumPy rules) to `shape`."""

    type_name = "BroadcastTo"
    identity_if_same_shape = True
    is_broadcast = True
    shape_arg_inputs = (1,)
    input_names = ("input", "shape")
    may_alias_input = True

    def infer(self, inputs, attrs):
        x, shape_t = inputs
        target = constant_value_as_shape(shape_t)
        merged = broadcast_shape(x.shape, target)
        if target.ndims is not None and merged.ndims is not None and merged.ndims != target.ndims:
            raise InferenceError(f"Cannot broadcast a tensor of rank {x.shape.ndims} to rank {target.ndims}")
        return [(merged if target.ndims is None else target.merge_with(merged), x.dtype.base_dtype)]

    def forward(self, xp, x, shape):
        return xp.broadcast_to(x, tuple(int(d) for d in shape))

    def grad(self, op, g):
        return [sum_to_shape(g, _shape_of(op.inputs[0])), None]


@register
class SumToShape(OpDef):
    """Sums `input` down to `shape` (the adjoint of broadcasting): the gradient engine applies it to the
    gradients of broadcasting ops, at run time, so it works with unknown (`None`) dimensions."""

    type_name = "SumToShape"
    identity_if_same_shape = True
    shape_arg_inputs = (1,)
    input_names = ("input", "shape")

    def infer(self, inputs, attrs):
        return [(constant_value_as_shape(inputs[1]), inputs[0].dtype.base_dtype)]

    def forward(self, xp, g, shape):
        shape = tuple(int(d) for d in shape)
        gshape = xp.shape(g)
        if gshape == shape:
            return g
        lead = len(gshape) - len(shape)
        axes = tuple(range(lead)) + tuple(lead + i for i, d in enumerate(shape) if d == 1 and gshape[lead + i] != 1)
        return xp.sum(g, axis=axes, dtype=xp.asarray(g).dtype).reshape(shape)

    def grad(self, op, g):
        return [broadcast_to(g, _shape_of(op.inputs[0])), None]


@register
class ExpandDims(OpDef):
    """`input` with size-1 axes inserted at attr `axis` (an int or a tuple of ints)."""

    type_name = "ExpandDims"
    identity_if_same_shape = True
    input_names = ("input",)
    may_alias_input = True

    def infer(self, inputs, attrs):
        x = inputs[0]
        axes = attrs["axis"] if isinstance(attrs["axis"], tuple) else (attrs["axis"],)
        if x.shape.ndims is None:
            return [(TensorShape(None), x.dtype.base_dtype)]
        rank = x.shape.ndims + len(axes)
        norm = []
        for a in axes:
            if not -rank <= a < rank:
                raise InferenceError(f"Tried to expand dim index {a} for tensor with {x.shape.ndims} dimensions.")
            norm.append(a % rank)
        dims = iter(x.shape.as_list())
        return [(TensorShape([1 if i in norm else next(dims) for i in range(rank)]), x.dtype.base_dtype)]

    def forward(self, xp, x, axis):
        return xp.expand_dims(x, axis)

    def grad(self, op, g):
        from .array_ops import reshape
        return [reshape(g, _shape_of(op.inputs[0]))]


@register
class Size(OpDef):
    """The number of elements of the input (attr `out_type`)."""

    type_name = "Size"
    depends_only_on_input_shape = True
    input_names = ("input",)

    def infer(self, inputs, attrs):
        return [(TensorShape(()), attrs["out_type"])]

    def forward(self, xp, x, out_type):
        return xp.asarray(xp.size(x), dtype=out_type.as_numpy_dtype)

    def static_value(self, op, index):
        n = op.inputs[0].shape.num_elements()
        return None if n is None else np.asarray(n, dtype=op.get_attr("out_type").as_numpy_dtype)

    def grad(self, op, g):
        return [None]


@register
class SelectV2(OpDef):
    """where(condition, x, y) elementwise, with broadcasting among the three."""

    type_name = "SelectV2"
    input_names = ("condition", "t", "e")
    same_dtype = ("t", "e")
    broadcasts_inputs = True

    def infer(self, inputs, attrs):
        c, t, e = inputs
        if c.dtype.base_dtype is not dtypes.bool:
            raise TypeError(f"Value passed to parameter 'condition' has DataType {c.dtype.base_dtype.name} not in "
                            "list of allowed values: bool")
        return [(broadcast_shape(broadcast_shape(c.shape, t.shape), e.shape), t.dtype.base_dtype)]

    def forward(self, xp, c, t, e):
        return xp.where(c, t, e)

    def kernel(self, op, ctx):
        return ctx.xp.where

    def grad(self, op, g):
        c = op.inputs[0]
        zeros = zeros_like(g)
        return [None, where(c, g, zeros), where(c, zeros, g)]


@register
class Where(OpDef):
    """The coordinates (int64, one row per element) where `input` is true (nonzero)."""

    type_name = "Where"
    data_dependent_shape = True
    input_names = ("input",)

    def infer(self, inputs, attrs):
        return [(TensorShape([None, inputs[0].shape.ndims]), dtypes.int64)]

    def forward(self, xp, x):
        return xp.argwhere(x).astype(xp.int64)

    def grad(self, op, g):
        return [None]


# --- public functions ----------------------------------------------------------------------------------------
def add_n(inputs, name=None):
    """The elementwise sum of a list of same-shaped tensors."""
    inputs = list(inputs)
    if not inputs:
        raise ValueError("inputs must be a list of at least one Tensor/IndexedSlices with the same dtype and shape")
    if len(inputs) == 1:
        from .array_ops import identity
        return identity(inputs[0], name=name)
    return apply_op(AddN, inputs, name=name or "AddN")


def zeros_like(tensor, dtype=None, name=None, optimize=True):
    """Zeros with the shape of `tensor` (and its dtype unless `dtype` is given)."""
    with name_scope(name, "zeros_like", [tensor]) as scope:
        from ..framework.apply import convert_to_tensor
        from .math_ops import cast
        t = convert_to_tensor(tensor, name="tensor")
        out = apply_op(ZerosLike, [t], name=scope if dtype is None else "ZerosLike")
        return out if dtype is None else cast(out, dtype, name=scope)


def ones_like(tensor, dtype=None, name=None, optimize=True):
    """Ones with the shape of `tensor` (and its dtype unless `dtype` is given)."""
    with name_scope(name, "ones_like", [tensor]) as scope:
        from ..framework.apply import convert_to_tensor
        from .math_ops import cast
        t = convert_to_tensor(tensor, name="tensor")
        out = apply_op(OnesLike, [t], name=scope if dtype is None else "OnesLike")
        return out if dtype is None else cast(out, dtype, name=scope)


def broadcast_to(input, shape, name=None):  # noqa: A002
    """`input` broadcast to `shape`. Example: `tf.broadcast_to([1, 2], [3, 2])`."""
    from .array_ops import _shape_tensor
    with name_scope(name, "BroadcastTo", [input]) as scope:
        return apply_op(BroadcastTo, [input, _shape_tensor(shape)], name=scope)


def sum_to_shape(g, shape, name=None):
    """`g` summed down to `shape` (undoes broadcasting)."""
    return apply_op(SumToShape, [g, shape], name=name or "SumToShape")


def expand_dims(input, axis=None, name=None, dim=None):  # noqa: A002
    """`input` with a size-1 axis inserted at `axis` (`dim` is TF's deprecated name for it)."""
    from ..framework.deprecation import deprecated_argument_lookup
    axis = deprecated_argument_lookup("axis", axis, "dim", dim)
    if axis is None:
        raise ValueError("Must specify an axis argument to tf.expand_dims()")
    from ..framework.tensor_util import build_time_value
    axis = build_time_value(axis, "expand_dims' axis")
    return apply_op(ExpandDims, [input], {"axis": int(axis)}, name=name or "ExpandDims")


def size(input, name=None, out_type=dtypes.int32):  # noqa: A002
    """The number of elements of `input` (a constant when its shape is fully known)."""
    from ..framework.apply import convert_to_tensor
    from ..framework.constant_op import constant
    with name_scope(name, "Size", [input]) as scope:
        x = convert_to_tensor(input)
        n = x.shape.num_elements()
        if n is not None:
            return constant(n, dtype=out_type, name=scope)
        return apply_op(Size, [x], {"out_type": dtypes.as_dtype(out_type)}, name=scope)


def where(condition, x=None, y=None, name=None):
    """Elementwise `x` where `condition` else `y` (broadcasting); with only `condition`, the indices of
    its True entries. As in TensorFlow 1, a vector condition with higher-rank `x` and `y` of one shape picks
    their rows, and with a condition of unknown rank the result has x's static shape (TF1's Select)."""
    if x is None and y is None:
        return apply_op(Where, [condition], name=name or "Where")
    if x is None or y is None:
        raise ValueError("x and y must both be non-None or both be None.")
    from .select_ops import Select, tf1_select_applies
    if tf1_select_applies(*(_StaticShape(v) for v in (condition, x, y))):
        return apply_op(Select, [condition, x, y], name=name or "Select")
    return apply_op(SelectV2, [condition, x, y], name=name or "SelectV2")


class _StaticShape:
    """The static shape of a tensor or of a Python/NumPy value, as `.shape`, without adding graph nodes."""

    def __init__(self, value):
        shape = getattr(value, "shape", None)
        self.shape = shape if isinstance(shape, TensorShape) else TensorShape(np.shape(value))
