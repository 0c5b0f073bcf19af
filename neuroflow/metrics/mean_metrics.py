"""Streaming means: `tf.metrics.mean` (a weighted total and count in local variables) and the metrics that
are means of something per element: accuracy, mean squared / absolute error, RMSE, percentage below.

Each returns (value, update_op): `update_op` adds one batch to the totals and returns the updated metric;
`value` reads the totals without changing them. The variables start at zero after
`tf.local_variables_initializer()`, which also resets them.
"""
from ..framework import dtypes
from ..ops import math_ops, reduce_ops
from ..ops import grad_support_ops as _g
from ..ops.state_ops import assign_add
from ..variables.scope import variable_scope
from ..losses.weights_broadcast import broadcast_weights, div_no_nan
from .metrics_util import add_to_collections, metric_variable, remove_squeezable

__all__ = ["mean", "accuracy", "mean_squared_error", "mean_absolute_error", "root_mean_squared_error",
           "percentage_below"]


def mean(values, weights=None, metrics_collections=None, updates_collections=None, name=None):
    """The (weighted) mean of all `values` seen so far: sum(values * weights) / sum(weights).

    Creates the local variables `<name>/total` and `<name>/count` (float32). With `weights` None every value
    weighs 1; weights of 0 mask values. The mean of nothing is 0.

    Args:
        values: a tensor of any shape (cast to float32).
        weights: None, a scalar, or a tensor broadcastable to `values` (same rank, dims 1 or equal).
        metrics_collections, updates_collections: lists of collections to add the value / update op to.
        name: the variable scope (default "mean", made unique).

    Returns:
        (mean, update_op): float32 scalars.

    Raises:
        ValueError: weights that cannot broadcast to `values`.

    Example:
        >>> m, update = tf.metrics.mean(batch_loss)
        >>> sess.run(tf.local_variables_initializer())
        >>> for feed in batches: sess.run(update, feed)
        >>> sess.run(m)
    """
    with variable_scope(name, "mean", (values, weights)):
        values = math_ops.cast(values, dtypes.float32)
        total = metric_variable([], dtypes.float32, name="total")
        count = metric_variable([], dtypes.float32, name="count")
        if weights is None:
            num_values = math_ops.cast(_g.size(values), dtypes.float32)
        else:
            values, _, weights = remove_squeezable(values, None, weights)
            weights = broadcast_weights(math_ops.cast(weights, dtypes.float32), values)
            values = math_ops.multiply(values, weights)
            num_values = reduce_ops.reduce_sum(weights)
        update_total_op = assign_add(total, reduce_ops.reduce_sum(values))
        update_count_op = assign_add(count, num_values)
        mean_t = add_to_collections(metrics_collections,
                                    div_no_nan(total, math_ops.maximum(count, 0.0), name="value"))
        update_op = div_no_nan(update_total_op, math_ops.maximum(update_count_op, 0.0), name="update_op")
        add_to_collections(updates_collections, update_op)
        return mean_t, update_op


def accuracy(labels, predictions, weights=None, metrics_collections=None, updates_collections=None, name=None):
    """How often `predictions` equals `labels`: the weighted mean of (predictions == labels), streamed.

    Creates the local variables `accuracy/total` and `accuracy/count`. Predictions are cast to the labels'
    dtype when they differ.

    Args:
        labels: the true values; predictions: values of the same shape (a trailing size-1 dimension on
            either is squeezed).
        weights: None, a scalar, or a tensor broadcastable to the labels.
        metrics_collections, updates_collections, name: as `tf.metrics.mean` (default scope "accuracy").

    Returns:
        (accuracy, update_op): float32 scalars.

    Raises:
        ValueError: shapes of labels and predictions (or weights) that do not match.

    Example:
        >>> acc, acc_op = tf.metrics.accuracy(labels=y, predictions=tf.argmax(logits, 1))
    """
    predictions, labels, weights = remove_squeezable(predictions, labels, weights)
    predictions.shape.assert_is_compatible_with(labels.shape)
    if labels.dtype.base_dtype is not predictions.dtype.base_dtype:
        predictions = math_ops.cast(predictions, labels.dtype.base_dtype)
    is_correct = math_ops.cast(math_ops.equal(predictions, labels), dtypes.float32)
    return mean(is_correct, weights, metrics_collections, updates_collections, name or "accuracy")


def mean_squared_error(labels, predictions, weights=None, metrics_collections=None, updates_collections=None,
                       name=None):
    """The (weighted) mean of (labels - predictions)^2 over everything seen so far (scope
    "mean_squared_error").

    Returns:
        (mean_squared_error, update_op): float32 scalars.

    Example:
        >>> mse, mse_op = tf.metrics.mean_squared_error(labels=y, predictions=y_hat)
    """
    predictions, labels, weights = remove_squeezable(predictions, labels, weights)
    squared_error = math_ops.squared_difference(labels, predictions)
    return mean(squared_error, weights, metrics_collections, updates_collections, name or "mean_squared_error")


def mean_absolute_error(labels, predictions, weights=None, metrics_collections=None, updates_collections=None,
                        name=None):
    """The (weighted) mean of |predictions - labels| over everything seen so far (scope
    "mean_absolute_error").

    Example:
        >>> mae, mae_op = tf.metrics.mean_absolute_error(labels=y, predictions=y_hat)
    """
    predictions, labels, weights = remove_squeezable(predictions, labels, weights)
    absolute_errors = math_ops.abs(math_ops.subtract(predictions, labels))
    return mean(absolute_errors, weights, metrics_collections, updates_collections, name or "mean_absolute_error")


def root_mean_squared_error(labels, predictions, weights=None, metrics_collections=None, updates_collections=None,
                            name=None):
    """sqrt of the streamed mean squared error (scope "root_mean_squared_error").

    Example:
        >>> rmse, rmse_op = tf.metrics.root_mean_squared_error(labels=y, predictions=y_hat)
    """
    predictions, labels, weights = remove_squeezable(predictions, labels, weights)
    mse, update_mse_op = mean_squared_error(labels, predictions, weights, None, None,
                                            name or "root_mean_squared_error")
    rmse = add_to_collections(metrics_collections, math_ops.sqrt(mse))
    update_rmse_op = add_to_collections(updates_collections, math_ops.sqrt(update_mse_op))
    return rmse, update_rmse_op


def percentage_below(values, threshold, weights=None, metrics_collections=None, updates_collections=None,
                     name=None):
    """The (weighted) fraction of `values` below `threshold`, streamed (scope "percentage_below_threshold").

    Example:
        >>> frac, frac_op = tf.metrics.percentage_below(errors, threshold=0.5)
    """
    is_below_threshold = math_ops.cast(math_ops.less(values, threshold), dtypes.float32)
    return mean(is_below_threshold, weights, metrics_collections, updates_collections,
                name or "percentage_below_threshold")
