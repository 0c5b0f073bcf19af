"""`tf.nn` activation functions and softmax: the public faces of the primitives in ops/nn_ops.py, with
TensorFlow's argument names, defaults and node names."""
import numpy as np

from ..framework import dtypes, errors
from ..framework.apply import _is_tensor_like, apply_op, convert_to_tensor
from ..framework.graph import name_scope
from ..framework.tensor_util import constant_value
from ..ops import math_ops, nn_ops
from ._args import deprecated_argument_lookup, static_int

__all__ = ["relu", "relu6", "leaky_relu", "elu", "selu", "softplus", "softsign", "sigmoid", "tanh", "softmax",
           "log_softmax"]

# TensorFlow exports the same functions as tf.sigmoid/tf.nn.sigmoid and tf.tanh/tf.nn.tanh.
sigmoid = math_ops.sigmoid
tanh = math_ops.tanh


def relu(features, name=None):
    """max(features, 0) elementwise.

    Args:
        features: a real-valued tensor.
        name: the node name (default "Relu").

    Returns:
        A tensor like `features`.

    Example:
        >>> h = tf.nn.relu(tf.matmul(x, W) + b)
    """
    return apply_op(nn_ops.Relu, [features], name=name or "Relu")


def relu6(features, name=None):
    """min(max(features, 0), 6) elementwise (node "Relu6")."""
    return apply_op(nn_ops.Relu6, [features], name=name or "Relu6")


def leaky_relu(features, alpha=0.2, name=None):
    """features where positive, alpha * features elsewhere (node "LeakyRelu").

    Args:
        features: a tensor; integer tensors are cast to float32 first, as in TensorFlow.
        alpha: the slope for negative inputs (a number; a tensor falls back to maximum(alpha * x, x)).
        name: the node name.

    Example:
        >>> tf.nn.leaky_relu([-1.0, 2.0], alpha=0.1)   # [-0.1, 2.0]
    """
    with name_scope(name, "LeakyRelu", [features, alpha]) as scope:
        features = convert_to_tensor(features, name="features")
        if features.dtype.base_dtype.is_integer:
            features = math_ops.cast(features, dtypes.float32)
        if isinstance(alpha, np.ndarray):
            alpha = alpha.item()
        if _is_tensor_like(alpha):
            known = constant_value(alpha) if hasattr(alpha, "op") else None
            if known is None:
                return math_ops.maximum(math_ops.multiply(alpha, features), features, name=scope)
            alpha = np.asarray(known).item()
        return apply_op(nn_ops.LeakyRelu, [features], {"alpha": float(alpha)}, name=scope)


def elu(features, name=None):
    """Exponential linear unit: features where positive, exp(features) - 1 elsewhere (node "Elu")."""
    return apply_op(nn_ops.Elu, [features], name=name or "Elu")


def selu(features, name=None):
    """Scaled ELU with TensorFlow's constants: scale * (x if x > 0 else alpha * (exp(x) - 1)) (node "Selu")."""
    return apply_op(nn_ops.Selu, [features], name=name or "Selu")


def softplus(features, name=None):
    """log(exp(features) + 1), without overflow for large |features| (node "Softplus")."""
    return apply_op(nn_ops.Softplus, [features], name=name or "Softplus")


def softsign(features, name=None):
    """features / (|features| + 1) (node "Softsign")."""
    return apply_op(nn_ops.Softsign, [features], name=name or "Softsign")


def _softmax(opdef, default_name, logits, axis, name, dim):
    axis = deprecated_argument_lookup("axis", axis, "dim", dim)
    axis = -1 if axis is None else static_int(axis, "the softmax axis")
    logits = convert_to_tensor(logits)
    rank = logits.shape.ndims
    if rank and not -rank <= axis < rank:
        raise errors.InvalidArgumentError(
            None, None, f"Dimension ({axis}) must be in the range [{-rank}, {rank}) where {rank} is the number of "
            "dimensions in the input.")
    return apply_op(opdef, [logits], {"axis": axis}, name=name or default_name)


def softmax(logits, axis=None, name=None, dim=None):
    """exp(logits) / reduce_sum(exp(logits), axis), stable for logits of any magnitude (node "Softmax").

    Args:
        logits: a float tensor of rank >= 1.
        axis: the axis to normalize (default -1, the last); `dim` is its deprecated name.
        name: the node name.

    Raises:
        InvalidArgumentError: `axis` is outside the logits' dimensions.
        ValueError: both `axis` and `dim` were given.

    Example:
        >>> y = tf.nn.softmax(tf.matmul(x, W) + b)
    """
    return _softmax(nn_ops.Softmax, "Softmax", logits, axis, name, dim)


def log_softmax(logits, axis=None, name=None, dim=None):
    """logits - log(reduce_sum(exp(logits), axis)), stable for logits of any magnitude (node "LogSoftmax").

    Arguments and errors as `softmax`.
    """
    return _softmax(nn_ops.LogSoftmax, "LogSoftmax", logits, axis, name, dim)
