"""The weight rules `tf.losses` and `tf.metrics` share: TensorFlow's check that weights broadcast to values
(rank 0, or the values' rank with each dimension 1 or equal), weights broadcast to the values' shape, trailing
size-1 dimensions squeezed away, and division that gives 0 where the denominator is 0 (`div_no_nan`)."""
import numpy as np

from ..framework.apply import convert_to_tensor
from ..framework.graph import name_scope
from ..ops import grad_support_ops as _g
from ..ops import math_ops
from ..ops.manip_ops import squeeze

__all__ = []

_ERROR_PREFIX = "weights can not be broadcast to values."


def assert_broadcastable(weights, values):
    """Raises TensorFlow's ValueError when `weights` statically cannot broadcast to `values`.

    Weights must be scalar, or have the values' rank with every dimension either 1 or the values' own. Like
    TensorFlow's static path, dimensions are compared only when both shapes are fully known.

    Raises:
        ValueError: "weights can not be broadcast to values. values.rank=2. weights.rank=1. ..." or
            "... Mismatch at dim 0. values.shape=[4 3] weights.shape=[5 1]."
    """
    weights = convert_to_tensor(weights)
    values = convert_to_tensor(values)
    w_shape, v_shape = weights.shape, values.shape
    if w_shape.ndims is None or v_shape.ndims is None or w_shape.ndims == 0:
        return
    if w_shape.ndims != v_shape.ndims:
        raise ValueError(f"{_ERROR_PREFIX} values.rank={v_shape.ndims}. weights.rank={w_shape.ndims}. "
                         f"values.shape={v_shape}. weights.shape={w_shape}.")
    if w_shape.is_fully_defined() and v_shape.is_fully_defined():
        w_dims, v_dims = w_shape.as_list(), v_shape.as_list()
        for i, (w, v) in enumerate(zip(w_dims, v_dims)):
            if w not in (1, v):
                raise ValueError(f"{_ERROR_PREFIX} Mismatch at dim {i}. values.shape={np.array(v_dims)} "
                                 f"weights.shape={np.array(w_dims)}.")


def broadcast_weights(weights, values):
    """`weights` broadcast to the shape of `values` (returned as is when the static shapes already match).

    Raises:
        ValueError: weights that cannot broadcast (see `assert_broadcastable`).
    """
    with name_scope(None, "broadcast_weights", (weights, values)) as scope:
        values = convert_to_tensor(values, name="values")
        weights = convert_to_tensor(weights, name="weights")
        w_shape, v_shape = weights.shape, values.shape
        if w_shape.is_fully_defined() and v_shape.is_fully_defined() and w_shape.is_compatible_with(v_shape):
            return weights
        assert_broadcastable(weights, values)
        return math_ops.multiply(weights, _g.ones_like(values), name=scope)


def div_no_nan(x, y, name=None):
    """x / y elementwise, and 0 where y == 0 (with a gradient free of NaN there too).

    Example:
        >>> div_no_nan(tf.constant([1.0, 2.0]), tf.constant([2.0, 0.0]))   # [0.5, 0.0]
    """
    with name_scope(name, "div_no_nan", [x, y]) as scope:
        x = convert_to_tensor(x, name="x")
        y = convert_to_tensor(y, name="y", dtype=x.dtype.base_dtype)
        is_zero = math_ops.equal(y, _g.zeros_like(y))
        # Dividing by 1 where y is 0 keeps NaN out of both the value and the gradient of the masked branch.
        quotient = math_ops.truediv(x, _g.where(is_zero, _g.ones_like(y), y))
        return _g.where(is_zero, _g.zeros_like(quotient), quotient, name=scope)


def remove_squeezable_dimensions(labels, predictions, expected_rank_diff=0, name=None):
    """Squeezes a trailing size-1 dimension of `labels` or `predictions` when their ranks differ by one more
    (or one less) than `expected_rank_diff` = rank(predictions) - rank(labels). Uses static ranks; tensors of
    unknown rank are returned unchanged.

    Returns:
        (labels, predictions), as tensors.
    """
    with name_scope(name, "remove_squeezable_dimensions", [labels, predictions]):
        predictions = convert_to_tensor(predictions)
        labels = convert_to_tensor(labels)
        p_shape, l_shape = predictions.shape, labels.shape
        if p_shape.ndims is None or l_shape.ndims is None:
            return labels, predictions
        rank_diff = p_shape.ndims - l_shape.ndims
        if rank_diff == expected_rank_diff + 1 and p_shape[-1].is_compatible_with(1):
            predictions = squeeze(predictions, [-1])
        elif rank_diff == expected_rank_diff - 1 and l_shape[-1].is_compatible_with(1):
            labels = squeeze(labels, [-1])
        return labels, predictions
