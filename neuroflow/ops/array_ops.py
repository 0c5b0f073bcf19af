"""Shape and structure primitives: Placeholder, Identity, Reshape, Pack (tf.stack), Shape, Fill, and the
public functions over them (`tf.placeholder`, `tf.reshape`, `tf.zeros`, ...)."""
import numpy as np

from ..framework import dtypes
from ..framework import errors
from ..framework.apply import _is_tensor_like, _register_list_converter, apply_op, convert_to_tensor
from ..framework.constant_op import constant
from ..framework.graph import name_scope
from ..framework.op_def import InferenceError, OpDef, register
from ..framework.tensor_shape import TensorShape, as_shape
from ..framework.tensor_util import constant_value, constant_value_as_shape

__all__ = ["placeholder", "placeholder_with_default", "identity", "reshape", "stack", "unstack", "shape", "fill", "zeros",
           "ones"]


@register
class Placeholder(OpDef):
    """A value that must be fed to `Session.run` (attrs `dtype`, `shape`)."""

    type_name = "Placeholder"
    must_be_fed = True
    input_names = ()
    foldable = False
    output_is_shared = True

    def infer(self, inputs, attrs):
        return [(attrs["shape"], attrs["dtype"])]

    def forward(self, xp, dtype, shape):
        raise errors.InvalidArgumentError(None, None, "placeholder was not fed")

    def kernel(self, op, ctx):
        dtype, shape = op.get_attr("dtype"), op.get_attr("shape")
        message = f"You must feed a value for placeholder tensor '{op.name}' with dtype {dtype.proto_name}"
        if shape.ndims is not None:
            message += " and shape " + shape.bracket_str()

        def unfed():
            raise errors.InvalidArgumentError(None, None, message)
        return unfed


@register
class PlaceholderWithDefault(OpDef):
    """`input` unless a value is fed (attr `shape`: the static shape of what may be fed)."""

    type_name = "PlaceholderWithDefault"
    is_identity = True
    input_names = ("input",)
    may_alias_input = True
    foldable = False  # a feed may replace the default: its value is never known at build time

    def infer(self, inputs, attrs):
        x = inputs[0]
        if not x.shape.is_compatible_with(attrs["shape"]):
            raise InferenceError(f"Incompatible shapes: default value has shape {x.shape.bracket_str()} but the "
                                 f"placeholder has shape {attrs['shape'].bracket_str()}")
        return [(attrs["shape"], x.dtype.base_dtype)]

    def forward(self, xp, x, shape):
        return x

    def kernel(self, op, ctx):
        return _identity

    def grad(self, op, g):
        return [g]

    def static_value(self, op, index):
        return None  # it may be fed: never fold it


def _identity(x):
    return x


@register
class Identity(OpDef):
    """The input itself (a named handle; with control dependencies, a way to order reads)."""

    type_name = "Identity"
    is_identity = True
    input_names = ("input",)
    may_alias_input = True

    def infer(self, inputs, attrs):
        x = inputs[0]
        return [(x.shape, x.dtype.base_dtype)]

    def forward(self, xp, x):
        return x

    def kernel(self, op, ctx):
        return _identity

    def grad(self, op, g):
        return [g]


@register
class Reshape(OpDef):
    """`tensor` with the same values in `shape` (one dim may be -1: inferred)."""

    type_name = "Reshape"
    identity_if_same_shape = True
    shape_arg_inputs = (1,)
    input_names = ("tensor", "shape")
    may_alias_input = True

    def infer(self, inputs, attrs):
        x, shape_t = inputs
        if not shape_t.dtype.base_dtype in (dtypes.int32, dtypes.int64):
            raise TypeError(f"Value passed to parameter 'shape' has DataType {shape_t.dtype.base_dtype.name} not in "
                            "list of allowed values: int32, int64")
        if shape_t.shape.ndims not in (None, 1):
            raise InferenceError(f"Shape must be rank 1 but is rank {shape_t.shape.ndims}")
        value = constant_value(shape_t)
        if value is None:
            from .partial_shape import reshape_shape  # -1 solved against x's own dimensions, as TensorFlow
            partial = reshape_shape(x, shape_t)
            return [(partial if partial is not None else constant_value_as_shape(shape_t), x.dtype.base_dtype)]
        dims = [int(d) for d in np.asarray(value).reshape(-1)]
        if sum(d == -1 for d in dims) > 1:
            raise InferenceError(f"Cannot infer multiple unknown dimensions in shape {dims}")
        if any(d < -1 for d in dims):
            raise InferenceError(f"Size {dims.index(min(dims))} must be non-negative, not {min(dims)}")
        known = int(np.prod([d for d in dims if d != -1], dtype=np.int64))
        total = x.shape.num_elements()
        if -1 in dims:
            if total is not None:
                if known == 0 or total % known:
                    raise InferenceError(f"Cannot reshape a tensor with {total} elements to shape {dims} "
                                         f"({known} elements)")
                dims[dims.index(-1)] = total // known
            else:
                dims = [None if d == -1 else d for d in dims]
        elif total is not None and total != known:
            raise InferenceError(f"Cannot reshape a tensor with {total} elements to shape {dims} ({known} elements)")
        return [(TensorShape(dims), x.dtype.base_dtype)]

    def forward(self, xp, x, shape):
        return xp.reshape(x, tuple(int(d) for d in shape))

    def grad(self, op, g):
        return [reshape(g, shape(op.inputs[0])), None]

    def explain_failure(self, arrays, attrs, exc):
        if len(arrays) == 2:
            requested = int(np.prod([d for d in arrays[1].tolist() if d != -1], dtype=np.int64))  # host ints
            return (f"Input to reshape is a tensor with {arrays[0].size} values, but the requested shape has "
                    f"{requested}")
        return super().explain_failure(arrays, attrs, exc)


@register
class Pack(OpDef):
    """Stacks N same-shaped tensors along a new axis `axis`."""

    type_name = "Pack"
    input_names = ("values",)
    variadic = True
    same_dtype = ("values",)

    def canonicalize_attrs(self, inputs, attrs):
        if not inputs:
            raise InferenceError("Pack needs at least one input")
        ranks = [t.shape.ndims for t in inputs if t.shape.ndims is not None]
        axis = attrs["axis"]
        if ranks:
            rank = ranks[0] + 1
            if not -rank <= axis < rank:
                raise InferenceError(f"Invalid axis: {axis}; must be in [{-rank}, {rank})")
            axis %= rank
        return {**attrs, "N": len(inputs), "axis": axis}

    def infer(self, inputs, attrs):
        shape = TensorShape(None)
        for t in inputs:
            if not shape.is_compatible_with(t.shape):
                raise InferenceError(f"Shapes {shape.bracket_str()} and {t.shape.bracket_str()} are incompatible")
            shape = shape.merge_with(t.shape)
        if shape.ndims is None:
            return [(TensorShape(None), inputs[0].dtype.base_dtype)]
        axis = attrs["axis"]
        dims = shape.as_list()
        return [(TensorShape(dims[:axis] + [len(inputs)] + dims[axis:]), inputs[0].dtype.base_dtype)]

    def forward(self, xp, *values, axis, N):  # noqa: N803 - TensorFlow's attr name
        return xp.stack(values, axis=axis)

    def grad(self, op, g):
        return list(apply_op(Unpack, [g], {"axis": op.get_attr("axis"), "num": len(op.inputs)}, name="unstack")) \
            if len(op.inputs) > 1 else [reshape(g, shape(op.inputs[0]))]


@register
class Unpack(OpDef):
    """Splits `value` along `axis` into `num` tensors, removing that axis (tf.unstack)."""

    type_name = "Unpack"
    input_names = ("value",)
    may_alias_input = True

    def canonicalize_attrs(self, inputs, attrs):
        rank, axis = inputs[0].shape.ndims, attrs["axis"]
        if rank is None:
            return attrs
        if not -rank <= axis < rank:
            raise InferenceError(f"Dimension must be in range [{-rank}, {rank}), but is {axis}")
        return {**attrs, "axis": axis % rank}

    def infer(self, inputs, attrs):
        x = inputs[0]
        axis, num = attrs["axis"], attrs["num"]
        if x.shape.ndims is None:
            return [(TensorShape(None), x.dtype.base_dtype)] * num
        dims = x.shape.as_list()
        if dims[axis] is not None and dims[axis] != num:
            raise InferenceError(f"Dimension must be {num} but is {dims[axis]}")
        return [(TensorShape(dims[:axis] + dims[axis + 1:]), x.dtype.base_dtype)] * num

    def forward(self, xp, x, axis, num):
        if xp.shape(x)[axis] != num:
            raise ValueError(f"Input shape axis {axis} must equal {num}, got shape {list(xp.shape(x))}")
        parts = xp.moveaxis(x, axis, 0)
        return parts[0] if num == 1 else tuple(parts)  # a node with one output holds the array itself

    def grad(self, op, *grads):
        return [stack(list(grads), axis=op.get_attr("axis"))]


@register
class Shape(OpDef):
    """The dynamic shape of `input` as a 1-D int tensor (attr `out_type`)."""

    type_name = "Shape"
    depends_only_on_input_shape = True
    input_names = ("input",)

    def infer(self, inputs, attrs):
        return [(TensorShape([inputs[0].shape.ndims]), attrs["out_type"])]

    def forward(self, xp, x, out_type):
        return xp.asarray(xp.shape(x), dtype=out_type.as_numpy_dtype)

    def grad(self, op, g):
        return [None]

    def static_value(self, op, index):
        shape = op.inputs[0].shape
        if shape.is_fully_defined():
            return np.asarray(shape.as_list(), dtype=op.get_attr("out_type").as_numpy_dtype)
        return None


@register
class Fill(OpDef):
    """A tensor of shape `dims` filled with scalar `value`."""

    type_name = "Fill"
    shape_arg_inputs = (0,)
    input_names = ("dims", "value")

    def infer(self, inputs, attrs):
        dims, value = inputs
        if value.shape.ndims not in (None, 0):
            raise InferenceError(f"Shape must be rank 0 but is rank {value.shape.ndims}")
        return [(constant_value_as_shape(dims), value.dtype.base_dtype)]

    def forward(self, xp, dims, value):
        return xp.full(tuple(int(d) for d in dims), value, dtype=xp.asarray(value).dtype)

    def grad(self, op, g):
        from .reduce_ops import reduce_sum
        return [None, reduce_sum(g)]


# --- public functions ----------------------------------------------------------------------------------------
def placeholder(dtype, shape=None, name=None):
    """A tensor whose value is fed at run time: `sess.run(y, feed_dict={x: value})`.

    Args:
        dtype: element type (a DType, or a name such as "float").
        shape: static shape; None for any shape, None dims for any size there.

    Example:
        >>> x = tf.placeholder(tf.float32, [None, 784])
    """
    from ..framework.context import executing_eagerly
    if executing_eagerly():
        raise RuntimeError("tf.placeholder() is not compatible with eager execution.")
    dtype = dtypes.as_dtype(dtype).base_dtype
    return apply_op(Placeholder, [], {"dtype": dtype, "shape": as_shape(shape)}, name=name or "Placeholder")


def placeholder_with_default(input, shape, name=None):  # noqa: A002 - TensorFlow's argument name
    """`input`, unless a value is fed for the returned tensor."""
    return apply_op(PlaceholderWithDefault, [input], {"shape": as_shape(shape)},
                    name=name or "PlaceholderWithDefault")


def identity(input, name=None):  # noqa: A002
    """A new tensor with the same value as `input`."""
    return apply_op(Identity, [input], name=name or "Identity")


def reshape(tensor, shape, name=None):
    """`tensor` reshaped; one entry of `shape` may be -1. Example: `tf.reshape(h, [-1, 7 * 7 * 64])`."""
    with name_scope(name, "Reshape", [tensor]) as scope:
        return apply_op(Reshape, [tensor, _shape_tensor(shape)], name=scope)


def _shape_tensor(shape):
    if _is_tensor_like(shape):
        return shape
    if isinstance(shape, TensorShape):
        shape = shape.as_list()
    if isinstance(shape, (list, tuple)) and any(_is_tensor_like(s) for s in shape):
        return stack(list(shape), name="stack")
    arr = np.asarray([getattr(d, "value", d) for d in shape] if isinstance(shape, (list, tuple)) else shape)
    if arr.dtype.kind not in "iu" and arr.size:
        raise TypeError(f"A shape must hold integers, got {list(shape)!r}")
    return constant(arr.astype(np.int64 if arr.size and np.abs(arr).max() > 2 ** 31 - 1 else np.int32),
                    name="shape")


def stack(values, axis=0, name="stack"):
    """Stacks same-shaped tensors along a new axis. Example: `tf.stack([x, y])` has shape (2,) + x.shape."""
    return apply_op(Pack, list(values), {"axis": int(axis)}, name=name)


def _autopack(values, dtype, name):
    """Converts a (nested) list holding tensors by stacking, as TensorFlow does for `[t, 3]`."""
    hint = dtype
    if hint is None:
        for v in values:
            if _is_tensor_like(v):
                hint = v.dtype.base_dtype
                break
    with name_scope(name) as scope:
        elems = []
        for i, v in enumerate(values):
            if isinstance(v, (list, tuple)) and any(_is_tensor_like(x) for x in v):
                elems.append(_autopack(v, hint, f"packed_{i}"))
            else:
                elems.append(convert_to_tensor(v, dtype=hint, name=str(i)) if not _is_tensor_like(v)
                             else convert_to_tensor(v))
        return apply_op(Pack, elems, {"axis": 0}, name=scope)


_register_list_converter(_autopack)


def shape(input, name=None, out_type=dtypes.int32):  # noqa: A002
    """The shape of `input` as a 1-D tensor (a constant when the static shape is fully known)."""
    with name_scope(name, "Shape", [input]) as scope:
        x = convert_to_tensor(input)
        out_type = dtypes.as_dtype(out_type)
        if x.shape.is_fully_defined():
            return constant(x.shape.as_list(), dtype=out_type, name=scope)
        return apply_op(Shape, [x], {"out_type": out_type}, name=scope)


def fill(dims, value, name=None):
    """A tensor of shape `dims` filled with `value`."""
    with name_scope(name, "Fill", [dims, value]) as scope:
        return apply_op(Fill, [_shape_tensor(dims), value], name=scope)


def _filled(fill_value, shape, dtype, name, default_name):
    dtype = dtypes.as_dtype(dtype).base_dtype
    value = bool(fill_value) if dtype is dtypes.bool else (b"" if dtype is dtypes.string else fill_value)
    with name_scope(name, default_name, [shape]) as scope:
        if isinstance(shape, (list, tuple)) and any(_is_tensor_like(d) for d in shape):
            shape = _shape_tensor(shape)  # e.g. tf.zeros([batch_size_tensor, 4])
        if not _is_tensor_like(shape):
            dims = TensorShape(shape).as_list() if not isinstance(shape, TensorShape) else shape.as_list()
            if None not in dims and int(np.prod(dims, dtype=np.int64)) < 1000:
                return constant(value, dtype=dtype, shape=dims, name=scope)
            shape_t = constant(dims, dtype=dtypes.int32, name="shape_as_tensor")
        else:
            shape_t = shape
        return apply_op(Fill, [shape_t, constant(value, dtype=dtype)], name=scope)


def zeros(shape, dtype=dtypes.float32, name=None):
    """A tensor of zeros. Example: `tf.zeros([2, 3])`."""
    return _filled(0, shape, dtype, name, "zeros")


def ones(shape, dtype=dtypes.float32, name=None):
    """A tensor of ones."""
    return _filled(1, shape, dtype, name, "ones")


def unstack(value, num=None, axis=0, name="unstack"):
    """Splits `value` along `axis` into a list of tensors (the inverse of `tf.stack`).

    Raises:
        ValueError: `num` is not given and the axis' size is not statically known.
    """
    x = convert_to_tensor(value)
    if num is None:
        if x.shape.ndims is None or x.shape[axis].value is None:
            raise ValueError(f"Cannot infer num from shape {x.shape}")
        num = x.shape[axis].value
    out = apply_op(Unpack, [x], {"axis": int(axis), "num": int(num)}, name=name)
    return [out] if num == 1 else list(out)
