"""Metrics of a score in [0, 1] at a list of thresholds: streamed confusion counts per threshold (a prediction
is positive when above the threshold), precision/recall at thresholds, and `auc`, TensorFlow's approximation
of the area under the ROC or precision-recall curve from those counts (a Riemann sum over the thresholds).
"""
import logging

import numpy as np

from ..framework import dtypes
from ..framework.apply import convert_to_tensor
from ..framework.constant_op import constant
from ..ops import array_ops, math_ops, reduce_ops
from ..ops import grad_support_ops as _g
from ..ops.state_ops import assign_add
from ..variables.scope import variable_scope
from ..losses.weights_broadcast import broadcast_weights, div_no_nan
from .metrics_util import add_to_collections, metric_variable, remove_squeezable

__all__ = ["true_positives_at_thresholds", "false_positives_at_thresholds", "true_negatives_at_thresholds",
           "false_negatives_at_thresholds", "precision_at_thresholds", "recall_at_thresholds", "auc"]

_ALL_INCLUDES = ("tp", "fn", "tn", "fp")
_VARIABLE_NAMES = {"tp": "true_positives", "fn": "false_negatives", "tn": "true_negatives",
                   "fp": "false_positives"}


def _confusion_matrix_at_thresholds(labels, predictions, thresholds, weights=None, includes=None):
    """Local variables [len(thresholds)] of the summed weights of each outcome at each threshold, and their
    update ops: tp/fp count predictions above the threshold, fn/tn those at or below it.

    Returns:
        (values, update_ops): dicts keyed by the `includes` ("tp", "fn", "tn", "fp"; default all four).

    Raises:
        ValueError: an unknown key in `includes`, or mismatched shapes.
    """
    includes = _ALL_INCLUDES if includes is None else includes
    for include in includes:
        if include not in _ALL_INCLUDES:
            raise ValueError(f"Invalid key: {include}")
    # TensorFlow also asserts at run time that predictions lie in [0, 1]; there is no Assert op here yet.
    predictions, labels, weights = remove_squeezable(math_ops.cast(predictions, dtypes.float32),
                                                     math_ops.cast(labels, dtypes.bool), weights)
    num_thresholds = len(thresholds)
    # [T, 1] thresholds against [1, N] predictions: broadcasting does the tiling TensorFlow spells out.
    thresholds_2d = constant(np.asarray(thresholds, np.float32).reshape(num_thresholds, 1))
    predictions_row = array_ops.reshape(predictions, [1, -1])
    labels_row = array_ops.reshape(labels, [1, -1])
    pred_is_pos = math_ops.greater(predictions_row, thresholds_2d)
    pred_is_neg = math_ops.logical_not(pred_is_pos)
    label_is_pos = labels_row
    label_is_neg = math_ops.logical_not(labels_row)
    weights_row = None
    if weights is not None:
        weights = broadcast_weights(math_ops.cast(weights, dtypes.float32), predictions)
        weights_row = array_ops.reshape(weights, [1, -1])
    conditions = {"tp": (label_is_pos, pred_is_pos), "fn": (label_is_pos, pred_is_neg),
                  "tn": (label_is_neg, pred_is_neg), "fp": (label_is_neg, pred_is_pos)}
    values, update_ops = {}, {}
    for key in _ALL_INCLUDES:
        if key not in includes:
            continue
        variable = metric_variable([num_thresholds], dtypes.float32, name=_VARIABLE_NAMES[key])
        hits = math_ops.cast(math_ops.logical_and(*conditions[key]), dtypes.float32)
        if weights_row is not None:
            hits = math_ops.multiply(hits, weights_row)
        update_ops[key] = assign_add(variable, reduce_ops.reduce_sum(hits, 1))
        values[key] = variable
    return values, update_ops


def _count_at_thresholds(key, default_name, labels, predictions, thresholds, weights, metrics_collections,
                         updates_collections, name):
    with variable_scope(name, default_name, (predictions, labels, weights)):
        values, update_ops = _confusion_matrix_at_thresholds(labels, predictions, thresholds, weights, (key,))
        value = add_to_collections(metrics_collections, array_ops.identity(values[key]))
        return value, add_to_collections(updates_collections, update_ops[key])


def true_positives_at_thresholds(labels, predictions, thresholds, weights=None, metrics_collections=None,
                                 updates_collections=None, name=None):
    """Per threshold, the summed weight of positive labels whose prediction is above it (scope
    "true_positives").

    Args:
        labels: a tensor of the predictions' shape, cast to bool.
        predictions: float scores in [0, 1].
        thresholds: a Python list of float thresholds.
        weights: None, a scalar, or a tensor broadcastable to the labels.

    Returns:
        (value, update_op): float32 tensors of shape [len(thresholds)].

    Example:
        >>> tp, tp_op = tf.metrics.true_positives_at_thresholds(y, probs, thresholds=[0.25, 0.5, 0.75])
    """
    return _count_at_thresholds("tp", "true_positives", labels, predictions, thresholds, weights,
                                metrics_collections, updates_collections, name)


def false_positives_at_thresholds(labels, predictions, thresholds, weights=None, metrics_collections=None,
                                  updates_collections=None, name=None):
    """Per threshold, the summed weight of negative labels predicted above it; see
    `true_positives_at_thresholds`."""
    return _count_at_thresholds("fp", "false_positives", labels, predictions, thresholds, weights,
                                metrics_collections, updates_collections, name)


def true_negatives_at_thresholds(labels, predictions, thresholds, weights=None, metrics_collections=None,
                                 updates_collections=None, name=None):
    """Per threshold, the summed weight of negative labels predicted at or below it; see
    `true_positives_at_thresholds`."""
    return _count_at_thresholds("tn", "true_negatives", labels, predictions, thresholds, weights,
                                metrics_collections, updates_collections, name)


def false_negatives_at_thresholds(labels, predictions, thresholds, weights=None, metrics_collections=None,
                                  updates_collections=None, name=None):
    """Per threshold, the summed weight of positive labels predicted at or below it; see
    `true_positives_at_thresholds`."""
    return _count_at_thresholds("fn", "false_negatives", labels, predictions, thresholds, weights,
                                metrics_collections, updates_collections, name)


def _ratio_at_thresholds(default_name, other, prefix, labels, predictions, thresholds, weights,
                         metrics_collections, updates_collections, name):
    with variable_scope(name, default_name, (predictions, labels, weights)):
        values, update_ops = _confusion_matrix_at_thresholds(labels, predictions, thresholds, weights,
                                                             includes=("tp", other))
        epsilon = 1e-7  # TensorFlow's guard against 0 / 0

        def ratio(tp, count, suffix):
            return math_ops.divide(tp, math_ops.add(math_ops.add(epsilon, tp), count), name=prefix + suffix)

        value = add_to_collections(metrics_collections, ratio(values["tp"], values[other], "value"))
        update_op = ratio(update_ops["tp"], update_ops[other], "update_op")
        return value, add_to_collections(updates_collections, update_op)


def precision_at_thresholds(labels, predictions, thresholds, weights=None, metrics_collections=None,
                            updates_collections=None, name=None):
    """Per threshold, tp / (tp + fp + 1e-7) over everything seen so far (scope "precision_at_thresholds").

    Returns:
        (precision, update_op): float32 tensors of shape [len(thresholds)].

    Example:
        >>> prec, prec_op = tf.metrics.precision_at_thresholds(y, probs, [0.3, 0.5, 0.7])
    """
    return _ratio_at_thresholds("precision_at_thresholds", "fp", "precision_", labels, predictions, thresholds,
                                weights, metrics_collections, updates_collections, name)


def recall_at_thresholds(labels, predictions, thresholds, weights=None, metrics_collections=None,
                         updates_collections=None, name=None):
    """Per threshold, tp / (tp + fn + 1e-7) over everything seen so far (scope "recall_at_thresholds")."""
    return _ratio_at_thresholds("recall_at_thresholds", "fn", "recall_", labels, predictions, thresholds,
                                weights, metrics_collections, updates_collections, name)


def _interpolate_pr_auc(tp, fp, fn, num_thresholds):
    """The PR area with true and false positives interpolated linearly between thresholds (Davis & Goadrich,
    2006), in TensorFlow's closed form."""
    n = num_thresholds
    tp, fp, fn = (convert_to_tensor(t) for t in (tp, fp, fn))
    dtp = tp[:n - 1] - tp[1:]
    p = tp + fp
    prec_slope = div_no_nan(dtp, math_ops.maximum(p[:n - 1] - p[1:], 0.0), name="prec_slope")
    intercept = tp[1:] - math_ops.multiply(prec_slope, p[1:])
    safe_p_ratio = _g.where(math_ops.logical_and(math_ops.greater(p[:n - 1], 0.0), math_ops.greater(p[1:], 0.0)),
                            div_no_nan(p[:n - 1], math_ops.maximum(p[1:], 0.0), name="recall_relative_ratio"),
                            _g.ones_like(p[1:]))
    increments = div_no_nan(prec_slope * (dtp + intercept * math_ops.log(safe_p_ratio)),
                            math_ops.maximum(tp[1:] + fn[1:], 0.0), name="pr_auc_increment")
    return reduce_ops.reduce_sum(increments, name="interpolate_pr_auc")


def _compute_auc(tp, fn, tn, fp, name, curve, summation_method, num_thresholds):
    if curve == "PR":
        if summation_method == "trapezoidal":
            logging.getLogger("neuroflow").warning(
                'Trapezoidal rule is known to produce incorrect PR-AUCs; please switch to "careful_interpolation" '
                "instead.")
        elif summation_method == "careful_interpolation":
            return _interpolate_pr_auc(tp, fp, fn, num_thresholds)
    epsilon = 1.0e-6  # TensorFlow's guard against 0 / 0
    tp, fn, tn, fp = (convert_to_tensor(t) for t in (tp, fn, tn, fp))  # variables read as tensors
    rec = math_ops.divide(tp + epsilon, tp + fn + epsilon)
    if curve == "ROC":
        x, y = math_ops.divide(fp, fp + tn + epsilon), rec
    else:
        x, y = rec, math_ops.divide(tp + epsilon, tp + fp + epsilon)
    n = num_thresholds
    widths = x[:n - 1] - x[1:]
    if summation_method in ("trapezoidal", "careful_interpolation"):
        heights = (y[:n - 1] + y[1:]) / 2.0
    elif summation_method == "minoring":
        heights = math_ops.minimum(y[:n - 1], y[1:])
    elif summation_method == "majoring":
        heights = math_ops.maximum(y[:n - 1], y[1:])
    else:
        raise ValueError(f"Invalid summation_method: {summation_method} summation_method should be "
                         "'trapezoidal', 'careful_interpolation', 'minoring', or 'majoring'.")
    return reduce_ops.reduce_sum(math_ops.multiply(widths, heights), name=name)


def auc(labels, predictions, weights=None, num_thresholds=200, metrics_collections=None, updates_collections=None,
        curve="ROC", name=None, summation_method="trapezoidal", thresholds=None):
    """The approximate area under the ROC (or precision-recall) curve of everything seen so far.

    Counts true/false positives/negatives at `num_thresholds` thresholds: -1e-7, then (i + 1) / (n - 1) for
    i < n - 2, then 1 + 1e-7 (or the sorted `thresholds` given, with those two endpoints added) in the local
    variables `auc/true_positives`, `auc/false_negatives`, `auc/true_negatives`, `auc/false_positives`; the
    area is a Riemann sum over the resulting (x, y) points: for ROC x = fp / (fp + tn + 1e-6) and
    y = (tp + 1e-6) / (tp + fn + 1e-6); for PR x is that recall and y = (tp + 1e-6) / (tp + fp + 1e-6).

    Args:
        labels: a tensor of the predictions' shape, cast to bool.
        predictions: float scores in [0, 1].
        weights: None, a scalar, or a tensor broadcastable to the labels.
        num_thresholds: how many thresholds (ignored when `thresholds` is given).
        metrics_collections, updates_collections: lists of collections for the value / update op.
        curve: "ROC" (default) or "PR".
        name: the variable scope (default "auc").
        summation_method: "trapezoidal" (default), "careful_interpolation" (for PR: interpolates the counts,
            not precision), "minoring" (lower bound) or "majoring" (upper bound).
        thresholds: an optional list of thresholds in [0, 1].

    Returns:
        (auc, update_op): float32 scalars.

    Raises:
        ValueError: an unknown curve or summation method, or mismatched shapes.

    Example:
        >>> auc, auc_op = tf.metrics.auc(labels=y, predictions=tf.sigmoid(logits))
        >>> sess.run(tf.local_variables_initializer()); sess.run(auc_op, feed); sess.run(auc)
    """
    with variable_scope(name, "auc", (labels, predictions, weights)):
        if curve not in ("ROC", "PR"):
            raise ValueError(f"Curve must be either ROC or PR. Curve {curve} is unknown.")
        kepsilon = 1e-7  # endpoints just outside [0, 1], so scores of exactly 0 or 1 are counted
        if thresholds is not None:
            thresholds = sorted(thresholds)
            num_thresholds = len(thresholds) + 2
        else:
            thresholds = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
        thresholds = [0.0 - kepsilon] + list(thresholds) + [1.0 + kepsilon]
        values, update_ops = _confusion_matrix_at_thresholds(labels, predictions, thresholds, weights)
        value = add_to_collections(metrics_collections, _compute_auc(
            values["tp"], values["fn"], values["tn"], values["fp"], "value", curve, summation_method,
            num_thresholds))
        update_op = _compute_auc(update_ops["tp"], update_ops["fn"], update_ops["tn"], update_ops["fp"],
                                 "update_op", curve, summation_method, num_thresholds)
        return value, add_to_collections(updates_collections, update_op)
