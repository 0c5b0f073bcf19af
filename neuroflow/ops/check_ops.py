"""`tf.assert_equal`, `tf.assert_less`, `tf.assert_positive`, ... (also under `tf.debugging`): element-wise
conditions checked by one tf.Assert, with TensorFlow's data lines; a condition that fails on constants fails while
building, as in TensorFlow."""
from ..framework import errors
from ..framework.apply import convert_to_tensor
from ..framework.context import executing_eagerly
from ..framework.graph import name_scope
from ..framework.tensor_util import constant_value
from . import math_ops
from .logging_ops import Assert
from .reduce_ops import reduce_all

__all__ = ["assert_equal", "assert_none_equal", "assert_less", "assert_less_equal", "assert_greater",
           "assert_greater_equal", "assert_positive", "assert_negative", "assert_non_negative",
           "assert_non_positive"]


def _name_of(tensor):
    """How TensorFlow names a tensor in the data lines: its graph name, or eagerly its shape and dtype."""
    if executing_eagerly():
        return f"shape={tensor.shape} dtype={tensor.dtype.name}"
    return tensor.name


def _static_text(item):
    value = constant_value(item) if not isinstance(item, str) else None
    if value is None:
        return str(item)
    return str(value.decode() if isinstance(value, bytes) else value)


def _assert_static(condition, data):
    """TensorFlow fails at build time when the condition is already known false."""
    if not condition:
        raise errors.InvalidArgumentError(None, None, "\n".join(_static_text(item) for item in data))


def _binary_assert(compare, symbol, default_name, x, y, data, summarize, message, name):
    message = message or ""
    with name_scope(name, default_name, [x, y]):
        x = convert_to_tensor(x, name="x")
        y = convert_to_tensor(y, name="y")
        if data is None:
            data = [message, f"Condition x {symbol} y did not hold element-wise:",
                    f"x ({_name_of(x)}) = ", x, f"y ({_name_of(y)}) = ", y]
        condition = reduce_all(compare(x, y))
        if not executing_eagerly():
            static = constant_value(condition)
            if static is not None:
                _assert_static(bool(static), data)
        return Assert(condition, data, summarize=summarize)


def _make_binary(compare, symbol, default_name):
    def check(x, y, data=None, summarize=None, message=None, name=None):
        return _binary_assert(compare, symbol, default_name, x, y, data, summarize, message, name)
    check.__name__ = check.__qualname__ = default_name
    check.__doc__ = (f"Asserts `x {symbol} y` element-wise (broadcasting): in graph mode returns the Assert op "
                     "(make it a control dependency), which fails with InvalidArgumentError listing `message`, the "
                     "condition and the values; eagerly it checks now.\n\n"
                     f"    Example: `with tf.control_dependencies([tf.{default_name}(x, y)]): z = tf.identity(x)`")
    return check


assert_equal = _make_binary(math_ops.equal, "==", "assert_equal")
assert_none_equal = _make_binary(math_ops.not_equal, "!=", "assert_none_equal")
assert_less = _make_binary(math_ops.less, "<", "assert_less")
assert_less_equal = _make_binary(math_ops.less_equal, "<=", "assert_less_equal")
assert_greater = _make_binary(math_ops.greater, ">", "assert_greater")
assert_greater_equal = _make_binary(math_ops.greater_equal, ">=", "assert_greater_equal")


def _sign_assert(check, zero_first, condition_text, default_name, x, data, summarize, message, name):
    message = message or ""
    with name_scope(name, default_name, [x]):
        x = convert_to_tensor(x, name="x")
        if data is None:
            data = [message, f"Condition {condition_text} did not hold element-wise:", f"x ({_name_of(x)}) = ", x]
        zero = convert_to_tensor(0, dtype=x.dtype.base_dtype)
        return check(zero, x, data=data, summarize=summarize) if zero_first else check(x, zero, data=data,
                                                                                         summarize=summarize)


def assert_positive(x, data=None, summarize=None, message=None, name=None):
    """Asserts `x > 0` element-wise (see `assert_less`)."""
    return _sign_assert(assert_less, True, "x > 0", "assert_positive", x, data, summarize, message, name)


def assert_negative(x, data=None, summarize=None, message=None, name=None):
    """Asserts `x < 0` element-wise (see `assert_less`)."""
    return _sign_assert(assert_less, False, "x < 0", "assert_negative", x, data, summarize, message, name)


def assert_non_negative(x, data=None, summarize=None, message=None, name=None):
    """Asserts `x >= 0` element-wise (see `assert_less_equal`)."""
    return _sign_assert(assert_less_equal, True, "x >= 0", "assert_non_negative", x, data, summarize, message,
                        name)


def assert_non_positive(x, data=None, summarize=None, message=None, name=None):
    """Asserts `x <= 0` element-wise (see `assert_less_equal`)."""
    return _sign_assert(assert_less_equal, False, "x <= 0", "assert_non_positive", x, data, summarize, message,
                        name)
