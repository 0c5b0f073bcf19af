"""Streaming counts of a binary classifier's outcomes (`true_positives`, `false_positives`, `true_negatives`,
`false_negatives`) and the ratios built from them (`precision`, `recall`). Labels and predictions are cast
to bool; each count is the summed weight of the matching elements, kept in a local variable `<scope>/count`.
"""
from ..framework import dtypes
from ..framework.apply import convert_to_tensor
from ..ops import array_ops, math_ops, reduce_ops
from ..ops import grad_support_ops as _g
from ..ops.state_ops import assign_add
from ..variables.scope import variable_scope
from .metrics_util import add_to_collections, metric_variable, remove_squeezable

__all__ = ["true_positives", "false_positives", "true_negatives", "false_negatives", "precision", "recall"]


def _count_condition(values, weights=None, metrics_collections=None, updates_collections=None):
    """Streams the summed weight of the True entries of bool `values` into a local variable "count"."""
    count = metric_variable([], dtypes.float32, name="count")
    values = math_ops.cast(values, dtypes.float32)
    if weights is not None:
        weights = convert_to_tensor(weights)
        w_rank, v_rank = weights.shape.ndims, values.shape.ndims
        if w_rank is not None and v_rank is not None and w_rank not in (0, v_rank):
            raise ValueError(f".  Tensor {weights.name} must have rank in (0, {v_rank}).  Received rank {w_rank}, "
                             f"shape {weights.shape}")
        values = math_ops.multiply(values, math_ops.cast(weights, dtypes.float32))
    value_tensor = add_to_collections(metrics_collections, array_ops.identity(count))
    update_op = add_to_collections(updates_collections, assign_add(count, reduce_ops.reduce_sum(values)))
    return value_tensor, update_op


def _as_bools(labels, predictions, weights):
    return remove_squeezable(math_ops.cast(predictions, dtypes.bool), math_ops.cast(labels, dtypes.bool), weights)


def _outcome_count(default_name, label_is, prediction_is, labels, predictions, weights, metrics_collections,
                   updates_collections, name):
    with variable_scope(name, default_name, (predictions, labels, weights)):
        predictions, labels, weights = _as_bools(labels, predictions, weights)
        label_match = labels if label_is else math_ops.logical_not(labels)
        prediction_match = predictions if prediction_is else math_ops.logical_not(predictions)
        return _count_condition(math_ops.logical_and(label_match, prediction_match), weights,
                                metrics_collections, updates_collections)


def true_positives(labels, predictions, weights=None, metrics_collections=None, updates_collections=None,
                   name=None):
    """The summed weight of elements with label True and prediction True, streamed (scope "true_positives").

    Args:
        labels, predictions: tensors of the same shape, cast to bool (nonzero is True).
        weights: None (all 1), a scalar, or a tensor of the labels' rank.
        metrics_collections, updates_collections: lists of collections for the value / update op.
        name: the variable scope.

    Returns:
        (value, update_op): float32 scalars.

    Example:
        >>> tp, tp_op = tf.metrics.true_positives(labels=y, predictions=y_hat)
    """
    return _outcome_count("true_positives", True, True, labels, predictions, weights, metrics_collections,
                          updates_collections, name)


def false_positives(labels, predictions, weights=None, metrics_collections=None, updates_collections=None,
                    name=None):
    """The summed weight of elements with label False and prediction True (scope "false_positives"); see
    `true_positives`."""
    return _outcome_count("false_positives", False, True, labels, predictions, weights, metrics_collections,
                          updates_collections, name)


def true_negatives(labels, predictions, weights=None, metrics_collections=None, updates_collections=None,
                   name=None):
    """The summed weight of elements with label False and prediction False (scope "true_negatives"); see
    `true_positives`."""
    return _outcome_count("true_negatives", False, False, labels, predictions, weights, metrics_collections,
                          updates_collections, name)


def false_negatives(labels, predictions, weights=None, metrics_collections=None, updates_collections=None,
                    name=None):
    """The summed weight of elements with label True and prediction False (scope "false_negatives"); see
    `true_positives`."""
    return _outcome_count("false_negatives", True, False, labels, predictions, weights, metrics_collections,
                          updates_collections, name)


def _ratio_or_zero(numerator, other, name):
    """numerator / (numerator + other), or 0 while the sum is 0 (TensorFlow's precision/recall rule)."""
    numerator, other = convert_to_tensor(numerator), convert_to_tensor(other)
    denominator = math_ops.add(numerator, other)
    return _g.where(math_ops.greater(denominator, 0.0), math_ops.divide(numerator, denominator),
                    _g.zeros_like(denominator), name=name)


def _ratio_metric(default_name, other_count, labels, predictions, weights, metrics_collections,
                  updates_collections, name):
    with variable_scope(name, default_name, (predictions, labels, weights)):
        predictions, labels, weights = _as_bools(labels, predictions, weights)
        true_p, true_p_update = true_positives(labels, predictions, weights)
        other, other_update = other_count(labels, predictions, weights)
        value = add_to_collections(metrics_collections, _ratio_or_zero(true_p, other, "value"))
        update_op = add_to_collections(updates_collections, _ratio_or_zero(true_p_update, other_update,
                                                                           "update_op"))
        return value, update_op


def precision(labels, predictions, weights=None, metrics_collections=None, updates_collections=None, name=None):
    """true_positives / (true_positives + false_positives) over everything seen so far; 0 while nothing was
    predicted positive. Local variables `precision/true_positives/count` and `precision/false_positives/count`.

    Args:
        labels, predictions: tensors of the same shape, cast to bool.
        weights: None (all 1), a scalar, or a tensor of the labels' rank.
        metrics_collections, updates_collections, name: as `tf.metrics.mean` (default scope "precision").

    Returns:
        (precision, update_op): float32 scalars.

    Example:
        >>> prec, prec_op = tf.metrics.precision(labels=y, predictions=tf.greater(probs, 0.5))
    """
    return _ratio_metric("precision", false_positives, labels, predictions, weights, metrics_collections,
                         updates_collections, name)


def recall(labels, predictions, weights=None, metrics_collections=None, updates_collections=None, name=None):
    """true_positives / (true_positives + false_negatives) over everything seen so far; 0 while no label was
    positive. Local variables `recall/true_positives/count` and `recall/false_negatives/count`. Arguments as
    `tf.metrics.precision`.

    Example:
        >>> rec, rec_op = tf.metrics.recall(labels=y, predictions=y_hat)
    """
    return _ratio_metric("recall", false_negatives, labels, predictions, weights, metrics_collections,
                         updates_collections, name)
