"""Public math functions (`tf.add`, `tf.multiply`, `tf.truediv`, `tf.cast`, ...) over the elementwise,
reduction and matmul primitives, named as TensorFlow names their nodes."""
from ..framework import dtypes
from ..framework.apply import apply_op, convert_to_tensor
from ..framework.graph import name_scope
from . import binary_ops as _b
from . import unary_ops as _u

__all__ = [
    "add", "subtract", "multiply", "divide", "truediv", "realdiv", "floordiv", "floor_div", "mod", "floormod",
    "div", "div_no_nan", "truncatediv", "pow", "maximum", "minimum", "squared_difference", "negative", "abs",
    "sign", "square", "sqrt", "rsqrt",
    "exp", "log", "log1p", "sin", "cos", "tan", "tanh", "sigmoid", "floor", "ceil", "round", "reciprocal", "less",
    "less_equal", "greater", "greater_equal", "equal", "not_equal", "logical_and", "logical_or", "logical_not",
    "logical_xor", "cast", "to_float", "to_double", "to_int32", "to_int64", "scalar_mul",
]


def add(x, y, name=None):
    """x + y elementwise, with broadcasting. Example: `tf.add(a, b)` is the node "Add"."""
    return apply_op(_b.AddV2, [x, y], name=name or "Add")


def subtract(x, y, name=None):
    """x - y elementwise, with broadcasting."""
    return apply_op(_b.Sub, [x, y], name=name or "Sub")


def multiply(x, y, name=None):
    """x * y elementwise, with broadcasting."""
    return apply_op(_b.Mul, [x, y], name=name or "Mul")


def realdiv(x, y, name=None):
    """x / y for floating-point tensors."""
    return apply_op(_b.RealDiv, [x, y], name=name or "RealDiv")


# Integer true division casts to a float wide enough to hold the integers exactly (TensorFlow's table).
_TRUEDIV_FLOAT = {
    dtypes.int8: dtypes.float32, dtypes.uint8: dtypes.float32, dtypes.int16: dtypes.float32,
    dtypes.uint16: dtypes.float32, dtypes.int32: dtypes.float64, dtypes.uint32: dtypes.float64,
    dtypes.int64: dtypes.float64, dtypes.uint64: dtypes.float64,
}


def truediv(x, y, name=None):
    """x / y with Python 3 semantics: integers are cast to floating point first (int32 -> float64).

    Raises:
        TypeError: x and y have different dtypes.
    """
    with name_scope(name, "truediv", [x, y]) as scope:
        x = convert_to_tensor(x, name="x")
        y = convert_to_tensor(y, dtype=x.dtype.base_dtype, name="y") if not _is_tensor(y) else y
        x_dtype, y_dtype = x.dtype.base_dtype, y.dtype.base_dtype
        if x_dtype is not y_dtype:
            raise TypeError(f"x and y must have the same dtype, got {x_dtype!r} != {y_dtype!r}")
        if x_dtype is dtypes.bool or x_dtype is dtypes.string:
            raise TypeError(f"Invalid dtype {x_dtype!r} in __truediv__")
        target = _TRUEDIV_FLOAT.get(x_dtype)
        if target is not None:
            x = cast(x, target)
            y = cast(y, target)
        return apply_op(_b.RealDiv, [x, y], name=scope)


def _is_tensor(value):
    from ..framework.apply import _is_tensor_like
    return _is_tensor_like(value)


def divide(x, y, name=None):
    """x / y (true division), as the `/` operator."""
    return truediv(x, y, name=name)


def div(x, y, name=None):
    """Python 2 division (deprecated in TF): floor division for integers, true division for floats."""
    with name_scope(name, "div", [x, y]) as scope:
        x = convert_to_tensor(x, name="x")
        y = convert_to_tensor(y, dtype=x.dtype.base_dtype, name="y") if not _is_tensor(y) else y
        if x.dtype.base_dtype.is_floating or x.dtype.base_dtype.is_complex:
            return apply_op(_b.RealDiv, [x, y], name=scope)
        return apply_op(_b.FloorDiv, [x, y], name=scope)


def div_no_nan(x, y, name=None):
    """x / y for floating-point (or complex) tensors, and 0 wherever y == 0, even where x is NaN or Inf; the
    gradient is 0 there too.

    Raises:
        TypeError: x and y have different dtypes, or an integer dtype.

    Example: `tf.div_no_nan([1.0, 2.0], [2.0, 0.0])` evaluates to `[0.5, 0.0]`.
    """
    with name_scope(name, "div_no_nan", [x, y]) as scope:
        x = convert_to_tensor(x, name="x")
        y = convert_to_tensor(y, dtype=x.dtype.base_dtype, name="y") if not _is_tensor(y) else y
        if x.dtype.base_dtype is not y.dtype.base_dtype:
            raise TypeError(f"x and y must have the same dtype, got {x.dtype.base_dtype!r} != "
                            f"{y.dtype.base_dtype!r}")
        return apply_op(_b.DivNoNan, [x, y], name=scope)


def truncatediv(x, y, name=None):
    """Integer x / y rounded toward zero, as C divides: `tf.truncatediv(-7, 5)` is -1 where `-7 // 5` is -2.
    Integer division by zero fails at run time; not differentiable."""
    return apply_op(_b.TruncateDiv, [x, y], name=name or "TruncateDiv")


def floordiv(x, y, name=None):
    """floor(x / y) elementwise (the `//` operator); integer division by zero fails at run time."""
    return apply_op(_b.FloorDiv, [x, y], name=name or "floordiv")


floor_div = floordiv


def floormod(x, y, name=None):
    """x - floor(x / y) * y: the remainder with the sign of y (Python's `%`)."""
    return apply_op(_b.FloorMod, [x, y], name=name or "FloorMod")


mod = floormod


def pow(x, y, name=None):  # noqa: A001 - TensorFlow's public name
    """x ** y elementwise. Example: `tf.pow(target - y, 2.0)`."""
    return apply_op(_b.Pow, [x, y], name=name or "Pow")


def maximum(x, y, name=None):
    return apply_op(_b.Maximum, [x, y], name=name or "Maximum")


def minimum(x, y, name=None):
    return apply_op(_b.Minimum, [x, y], name=name or "Minimum")


def squared_difference(x, y, name=None):
    """(x - y) ** 2 elementwise."""
    with name_scope(name, "SquaredDifference", [x, y]) as scope:
        return square(subtract(x, y), name=scope)


def less(x, y, name=None):
    return apply_op(_b.Less, [x, y], name=name or "Less")


def less_equal(x, y, name=None):
    return apply_op(_b.LessEqual, [x, y], name=name or "LessEqual")


def greater(x, y, name=None):
    return apply_op(_b.Greater, [x, y], name=name or "Greater")


def greater_equal(x, y, name=None):
    return apply_op(_b.GreaterEqual, [x, y], name=name or "GreaterEqual")


def equal(x, y, name=None):
    """x == y elementwise (the `==` operator compares tensors by identity in TF 1.x)."""
    return apply_op(_b.Equal, [x, y], name=name or "Equal")


def not_equal(x, y, name=None):
    return apply_op(_b.NotEqual, [x, y], name=name or "NotEqual")


def logical_and(x, y, name=None):
    return apply_op(_b.LogicalAnd, [x, y], name=name or "LogicalAnd")


def logical_or(x, y, name=None):
    return apply_op(_b.LogicalOr, [x, y], name=name or "LogicalOr")


def logical_not(x, name=None):
    return apply_op(_u.LogicalNot, [x], name=name or "LogicalNot")


def logical_xor(x, y, name="LogicalXor"):
    """(x | y) & ~(x & y)."""
    with name_scope(name, "LogicalXor", [x, y]) as scope:
        return logical_and(logical_or(x, y), logical_not(logical_and(x, y)), name=scope)


def _unary_fn(opdef, default_name, doc, public_name):
    def fn(x, name=None):
        return apply_op(opdef, [x], name=name or default_name)
    fn.__name__ = fn.__qualname__ = public_name
    fn.__doc__ = doc
    return fn


negative = _unary_fn(_u.Neg, "Neg", "-x elementwise.", "negative")
abs = _unary_fn(_u.Abs, "Abs", "|x| elementwise.", "abs")  # noqa: A001
sign = _unary_fn(_u.Sign, "Sign", "-1, 0 or 1 by the sign of x.", "sign")
square = _unary_fn(_u.Square, "Square", "x * x elementwise.", "square")
sqrt = _unary_fn(_u.Sqrt, "Sqrt", "Square root elementwise.", "sqrt")
rsqrt = _unary_fn(_u.Rsqrt, "Rsqrt", "1 / sqrt(x) elementwise.", "rsqrt")
exp = _unary_fn(_u.Exp, "Exp", "e ** x elementwise.", "exp")
log = _unary_fn(_u.Log, "Log", "Natural logarithm elementwise.", "log")
log1p = _unary_fn(_u.Log1p, "Log1p", "log(1 + x), accurate for small x.", "log1p")
sin = _unary_fn(_u.Sin, "Sin", "Sine elementwise.", "sin")
cos = _unary_fn(_u.Cos, "Cos", "Cosine elementwise.", "cos")
tan = _unary_fn(_u.Tan, "Tan", "Tangent elementwise.", "tan")
tanh = _unary_fn(_u.Tanh, "Tanh", "Hyperbolic tangent elementwise.", "tanh")
sigmoid = _unary_fn(_u.Sigmoid, "Sigmoid", "1 / (1 + exp(-x)) elementwise, stable for large |x|.", "sigmoid")
floor = _unary_fn(_u.Floor, "Floor", "Largest integer not greater than x.", "floor")
ceil = _unary_fn(_u.Ceil, "Ceil", "Smallest integer not less than x.", "ceil")
round = _unary_fn(_u.Round, "Round", "Nearest integer; halves go to the even neighbour.", "round")  # noqa: A001
reciprocal = _unary_fn(_u.Reciprocal, "Reciprocal", "1 / x elementwise.", "reciprocal")


def cast(x, dtype, name=None):
    """x converted to `dtype` (returned unchanged if it already has it).

    Example: `tf.cast(tf.constant([1.7, -1.7]), tf.int32)` evaluates to `[1, -1]`. A SparseTensor gets its
    values cast.
    """
    target = dtypes.as_dtype(dtype).base_dtype
    from ..framework.sparse_tensor import SparseTensor   # here: it imports the ops
    if isinstance(x, SparseTensor):   # as TensorFlow: the values are cast, the indices and shape kept
        with name_scope(name, "Cast", [x.values]):
            return SparseTensor(x.indices, cast(x.values, target), x.dense_shape)
    with name_scope(name, "Cast", [x]) as scope:
        x = convert_to_tensor(x, name="x")
        if x.dtype.base_dtype is target:
            return x
        return apply_op(_u.Cast, [x], {"SrcT": x.dtype.base_dtype, "DstT": target}, name=scope)


def to_float(x, name="ToFloat"):
    return cast(x, dtypes.float32, name=name)


def to_double(x, name="ToDouble"):
    return cast(x, dtypes.float64, name=name)


def to_int32(x, name="ToInt32"):
    return cast(x, dtypes.int32, name=name)


def to_int64(x, name="ToInt64"):
    return cast(x, dtypes.int64, name=name)


def scalar_mul(scalar, x, name=None):
    """scalar * x for a scalar (Python number or 0-d tensor)."""
    return multiply(scalar, x, name=name or "Mul")
