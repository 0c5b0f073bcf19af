"""`tf.keras.activations`: activation functions by name ("relu", "softmax", ...) for the `activation=` arguments
of Keras layers, built from tf.nn and math ops."""
from .. import nn
from ..framework.apply import convert_to_tensor
from ..ops import math_ops

__all__ = ["get", "serialize", "deserialize", "linear", "relu", "elu", "selu", "softplus", "softsign", "softmax",
           "tanh", "sigmoid", "hard_sigmoid", "exponential"]


def linear(x):
    """The identity: `activation=None` or "linear"."""
    return x


def relu(x, alpha=0.0, max_value=None, threshold=0):
    """max(x, 0) by default; in general x for threshold <= x < max_value, max_value above, and
    alpha * (x - threshold) below threshold."""
    x = convert_to_tensor(x)
    if alpha == 0 and threshold == 0 and max_value is None:
        return nn.relu(x)
    if alpha == 0 and threshold == 0 and max_value == 6:
        return nn.relu6(x)
    from ..ops.grad_support_ops import where
    dt = x.dtype.base_dtype
    if alpha == 0 and threshold == 0:
        y = nn.relu(x)
    else:
        below = math_ops.multiply(math_ops.subtract(x, convert_to_tensor(threshold, dtype=dt)),
                                  convert_to_tensor(alpha, dtype=dt))
        y = where(math_ops.greater_equal(x, convert_to_tensor(threshold, dtype=dt)), x, below)
    if max_value is not None:
        y = math_ops.minimum(y, convert_to_tensor(max_value, dtype=dt))
    return y


def elu(x, alpha=1.0):
    """x for x > 0, alpha * (exp(x) - 1) otherwise."""
    y = nn.elu(x)
    if alpha == 1:
        return y
    from ..ops.grad_support_ops import where
    return where(math_ops.greater(x, 0.0), y, y * alpha)


def selu(x):
    """Scaled exponential linear unit (Klambauer et al. 2017)."""
    return nn.selu(x)


def softplus(x):
    """log(exp(x) + 1)."""
    return nn.softplus(x)


def softsign(x):
    """x / (|x| + 1)."""
    return nn.softsign(x)


def softmax(x, axis=-1):
    """exp(x) / sum(exp(x)) along `axis` (the last by default).

    Raises:
        ValueError: a 1-D input ("Cannot apply softmax to a tensor that is 1D").
    """
    x = convert_to_tensor(x)
    if x.shape.ndims == 1:
        raise ValueError(f"Cannot apply softmax to a tensor that is 1D. Received input: {x}")
    return nn.softmax(x, axis=axis)


def tanh(x):
    """The hyperbolic tangent."""
    return math_ops.tanh(x)


def sigmoid(x):
    """1 / (1 + exp(-x))."""
    return math_ops.sigmoid(x)


def hard_sigmoid(x):
    """A piecewise linear sigmoid: clip(0.2 * x + 0.5, 0, 1)."""
    x = convert_to_tensor(x)
    dt = x.dtype.base_dtype
    y = math_ops.add(math_ops.multiply(x, convert_to_tensor(0.2, dtype=dt)), convert_to_tensor(0.5, dtype=dt))
    return math_ops.minimum(math_ops.maximum(y, convert_to_tensor(0.0, dtype=dt)), convert_to_tensor(1.0, dtype=dt))


def exponential(x):
    """exp(x)."""
    return math_ops.exp(x)


_BY_NAME = {f.__name__: f for f in (linear, relu, elu, selu, softplus, softsign, softmax, tanh, sigmoid,
                                    hard_sigmoid, exponential)}


def serialize(activation):
    """The name of a Keras activation function (or the function's __name__)."""
    return getattr(activation, "__name__", str(activation))


def deserialize(name, custom_objects=None):
    """The activation function called `name` (custom_objects first).

    Raises:
        ValueError: an unknown name ("Unknown activation function:<name>").
    """
    if custom_objects and name in custom_objects:
        return custom_objects[name]
    if name not in _BY_NAME:
        raise ValueError(f"Unknown activation function:{name}")
    return _BY_NAME[name]


def get(identifier):
    """An activation function from a name, a callable or None (linear).

    Example:
        >>> tf.keras.activations.get("relu")(x)
    """
    if identifier is None:
        return linear
    if isinstance(identifier, str):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret activation function identifier: {identifier}")
