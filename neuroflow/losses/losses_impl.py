"""The `tf.losses` loss functions: per-element losses (squared, absolute, log, hinge, Huber, cosine, the
cross-entropies) weighted and reduced by `compute_weighted_loss` under a `Reduction`, then added to LOSSES.

As in TensorFlow 1.x, the weighting and reduction run in float32 and the result is cast back to the dtype of
the per-element losses (float32 for the regression losses, the logits' dtype for the cross-entropies).
"""
from ..autodiff import stop_gradient
from ..framework.apply import convert_to_tensor
from ..framework.graph import GraphKeys, name_scope
from ..ops import array_ops, math_ops, reduce_ops
from ..ops import grad_support_ops as _g
from ..ops.manip_ops import squeeze
from ..nn.activations import relu
from ..nn.losses import (sigmoid_cross_entropy_with_logits, softmax_cross_entropy_with_logits_v2,
                         sparse_softmax_cross_entropy_with_logits)
from ..nn._args import deprecated_argument_lookup
from .util import add_loss
from .weights_broadcast import assert_broadcastable, broadcast_weights, div_no_nan, remove_squeezable_dimensions

__all__ = ["Reduction", "compute_weighted_loss", "absolute_difference", "cosine_distance", "hinge_loss",
           "huber_loss", "log_loss", "mean_pairwise_squared_error", "mean_squared_error", "sigmoid_cross_entropy",
           "softmax_cross_entropy", "sparse_softmax_cross_entropy"]


class Reduction:
    """How `compute_weighted_loss` reduces the weighted losses.

    NONE: the weighted losses, unreduced. SUM: their sum. MEAN: the sum divided by the sum of the weights.
    SUM_OVER_BATCH_SIZE: the sum divided by the number of elements. SUM_OVER_NONZERO_WEIGHTS (alias
    SUM_BY_NONZERO_WEIGHTS, the default): the sum divided by the number of non-zero weights.
    """

    NONE = "none"
    SUM = "weighted_sum"
    SUM_OVER_BATCH_SIZE = "weighted_sum_over_batch_size"
    MEAN = "weighted_mean"
    SUM_BY_NONZERO_WEIGHTS = "weighted_sum_by_nonzero_weights"
    SUM_OVER_NONZERO_WEIGHTS = SUM_BY_NONZERO_WEIGHTS

    @classmethod
    def all(cls):
        return (cls.NONE, cls.SUM, cls.MEAN, cls.SUM_OVER_BATCH_SIZE, cls.SUM_OVER_NONZERO_WEIGHTS,
                cls.SUM_BY_NONZERO_WEIGHTS)

    @classmethod
    def validate(cls, key):
        if key not in cls.all():
            raise ValueError(f"Invalid Reduction Key {key}.")


def _num_elements(losses):
    with name_scope(None, "num_elements", [losses]) as scope:
        return math_ops.cast(_g.size(losses, name=scope), losses.dtype.base_dtype)


def _num_present(losses, weights, per_batch=False):
    """The number of elements of `losses` whose (broadcast) weight is non-zero; per batch row if asked."""
    if isinstance(weights, float) and weights != 0.0:
        return _num_elements(losses)
    with name_scope(None, "num_present", [losses, weights]) as scope:
        weights = math_ops.to_float(weights)
        present = _g.where(math_ops.equal(weights, 0.0), _g.zeros_like(weights), _g.ones_like(weights))
        present = broadcast_weights(present, losses)
        if per_batch:
            axes = list(range(1, _static_rank(present, "the weights")))
            return reduce_ops.reduce_sum(present, axis=axes, keepdims=True, name=scope)
        return reduce_ops.reduce_sum(present, name=scope)


def _static_rank(t, what):
    if t.shape.ndims is None:
        raise ValueError(f"The rank of {what} must be known, got shape {t.shape}.")
    return t.shape.ndims


def _safe_mean(losses, num_present):
    return div_no_nan(reduce_ops.reduce_sum(losses), num_present, name="value")


def compute_weighted_loss(losses, weights=1.0, scope=None, loss_collection=GraphKeys.LOSSES,
                          reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """losses * weights, reduced by `reduction` and added to `loss_collection`.

    Args:
        losses: a tensor of shape [batch_size, d1, ... dN].
        weights: a scalar, or a tensor of the losses' rank whose dimensions are each 1 or the losses' own
            (e.g. [batch_size, 1] weighs each example).
        scope: the name scope of the ops.
        loss_collection: the collection the result is added to (None or "" adds it nowhere).
        reduction: a `tf.losses.Reduction` key.

    Returns:
        A tensor of the losses' dtype: scalar, or the losses' shape when `reduction` is NONE.

    Raises:
        ValueError: an unknown reduction, or weights that cannot broadcast to the losses.

    Example:
        >>> loss = tf.losses.compute_weighted_loss(per_example, weights=[[1.0], [0.0]])
    """
    Reduction.validate(reduction)
    with name_scope(scope, "weighted_loss", (losses, weights)):
        assert_broadcastable(weights, losses)
        losses = convert_to_tensor(losses)
        input_dtype = losses.dtype.base_dtype
        losses = math_ops.to_float(losses)
        weights = math_ops.to_float(weights)
        weighted_losses = math_ops.multiply(losses, weights)
        if reduction == Reduction.NONE:
            loss = weighted_losses
        else:
            loss = reduce_ops.reduce_sum(weighted_losses)
            if reduction == Reduction.MEAN:
                loss = _safe_mean(loss, reduce_ops.reduce_sum(math_ops.multiply(_g.ones_like(losses), weights)))
            elif reduction == Reduction.SUM_BY_NONZERO_WEIGHTS:
                loss = _safe_mean(loss, _num_present(losses, weights))
            elif reduction == Reduction.SUM_OVER_BATCH_SIZE:
                loss = _safe_mean(loss, _num_elements(losses))
        loss = math_ops.cast(loss, input_dtype)
        add_loss(loss, loss_collection)
        return loss


def _check_not_none(**arguments):
    for name, value in arguments.items():
        if value is None:
            raise ValueError(f"{name} must not be None.")


def _float_pair(labels, predictions):
    """Both cast to float32 (as TensorFlow's regression losses do), with shapes checked compatible."""
    predictions = math_ops.to_float(predictions)
    labels = math_ops.to_float(labels)
    predictions.shape.assert_is_compatible_with(labels.shape)
    return labels, predictions


def absolute_difference(labels, predictions, weights=1.0, scope=None, loss_collection=GraphKeys.LOSSES,
                        reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """|predictions - labels|, weighted and reduced (see `compute_weighted_loss`).

    Raises:
        ValueError: labels or predictions None, incompatible shapes, or weights that do not broadcast.

    Example:
        >>> tf.losses.absolute_difference(labels=y, predictions=y_hat)   # node "absolute_difference/value"
    """
    _check_not_none(labels=labels, predictions=predictions)
    with name_scope(scope, "absolute_difference", (predictions, labels, weights)) as scope:
        labels, predictions = _float_pair(labels, predictions)
        losses = math_ops.abs(math_ops.subtract(predictions, labels))
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction=reduction)


def cosine_distance(labels, predictions, axis=None, weights=1.0, scope=None, loss_collection=GraphKeys.LOSSES,
                    reduction=Reduction.SUM_BY_NONZERO_WEIGHTS, dim=None):
    """1 - sum(labels * predictions, axis) (kept as a size-1 axis), for unit-normalized inputs; weighted and
    reduced (see `compute_weighted_loss`).

    Args:
        axis: the dimension along which the cosine distance is computed (required; `dim` is its old name).

    Raises:
        ValueError: no axis, both axis and dim, None inputs, incompatible shapes or weights.

    Example:
        >>> tf.losses.cosine_distance(tf.nn.l2_normalize(y, 1), tf.nn.l2_normalize(y_hat, 1), axis=1)
    """
    axis = deprecated_argument_lookup("axis", axis, "dim", dim)
    if axis is None:
        raise ValueError("You must specify 'axis'.")
    _check_not_none(labels=labels, predictions=predictions)
    with name_scope(scope, "cosine_distance_loss", (predictions, labels, weights)) as scope:
        labels, predictions = _float_pair(labels, predictions)
        radial_diffs = math_ops.multiply(predictions, labels)
        losses = math_ops.subtract(1.0, reduce_ops.reduce_sum(radial_diffs, axis=(axis,), keepdims=True))
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction=reduction)


def hinge_loss(labels, logits, weights=1.0, scope=None, loss_collection=GraphKeys.LOSSES,
               reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """max(0, 1 - y * logits) with the 0/1 labels mapped to y = -1/+1; weighted and reduced.

    Example:
        >>> tf.losses.hinge_loss(labels=[[0.0], [1.0]], logits=scores)
    """
    _check_not_none(labels=labels, logits=logits)
    with name_scope(scope, "hinge_loss", (logits, labels, weights)) as scope:
        labels, logits = _float_pair(labels, logits)
        all_ones = _g.ones_like(labels)
        labels = math_ops.subtract(math_ops.multiply(2.0, labels), all_ones)
        losses = relu(math_ops.subtract(all_ones, math_ops.multiply(labels, logits)))
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction=reduction)


def huber_loss(labels, predictions, weights=1.0, delta=1.0, scope=None, loss_collection=GraphKeys.LOSSES,
               reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """0.5 * x^2 where |x| <= delta, else 0.5 * delta^2 + delta * (|x| - delta), for x = predictions - labels;
    weighted and reduced.

    Example:
        >>> tf.losses.huber_loss(labels=y, predictions=y_hat, delta=2.0)
    """
    _check_not_none(labels=labels, predictions=predictions)
    with name_scope(scope, "huber_loss", (predictions, labels, weights)) as scope:
        labels, predictions = _float_pair(labels, predictions)
        abs_error = math_ops.abs(math_ops.subtract(predictions, labels))
        quadratic = math_ops.minimum(abs_error, delta)
        # |x| - min(|x|, delta) rather than max(|x| - delta, 0): at |x| == delta its gradient is 0, so the
        # quadratic part alone carries the gradient there (TensorFlow's choice).
        linear = math_ops.subtract(abs_error, quadratic)
        losses = math_ops.add(math_ops.multiply(0.5, math_ops.multiply(quadratic, quadratic)),
                              math_ops.multiply(delta, linear))
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction=reduction)


def log_loss(labels, predictions, weights=1.0, epsilon=1e-7, scope=None, loss_collection=GraphKeys.LOSSES,
             reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """-labels * log(predictions + epsilon) - (1 - labels) * log(1 - predictions + epsilon) for predicted
    probabilities; weighted and reduced.

    Example:
        >>> tf.losses.log_loss(labels=y, predictions=tf.sigmoid(logits))
    """
    _check_not_none(labels=labels, predictions=predictions)
    with name_scope(scope, "log_loss", (predictions, labels, weights)) as scope:
        labels, predictions = _float_pair(labels, predictions)
        positive = math_ops.multiply(labels, math_ops.log(math_ops.add(predictions, epsilon)))
        negative = math_ops.multiply(math_ops.subtract(1.0, labels),
                                     math_ops.log(math_ops.add(math_ops.subtract(1.0, predictions), epsilon)))
        losses = math_ops.subtract(math_ops.negative(positive), negative)
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction=reduction)


def mean_pairwise_squared_error(labels, predictions, weights=1.0, scope=None, loss_collection=GraphKeys.LOSSES,
                                reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """For each example, the mean over pairs (i, j) of its elements of ((y_i - y_j) - (x_i - x_j))^2 (pairs
    counted among elements of non-zero weight); weighted per example and reduced. Needs a known rank.

    Example:
        >>> tf.losses.mean_pairwise_squared_error(labels=y, predictions=y_hat)   # y: [batch, d]
    """
    _check_not_none(labels=labels, predictions=predictions)
    with name_scope(scope, "mean_pairwise_squared_error", (predictions, labels, weights)) as scope:
        weights = math_ops.to_float(weights)
        labels = math_ops.to_float(labels)
        assert_broadcastable(weights, labels)
        predictions = math_ops.to_float(predictions)
        predictions.shape.assert_is_compatible_with(labels.shape)
        diffs = math_ops.subtract(predictions, labels)
        num_present_per_batch = _num_present(diffs, weights, per_batch=True)
        axes = list(range(1, _static_rank(diffs, "the predictions")))
        sum_squares_diff_per_batch = reduce_ops.reduce_sum(math_ops.square(diffs), axis=axes, keepdims=True)
        term1 = math_ops.multiply(2.0, div_no_nan(sum_squares_diff_per_batch,
                                                  math_ops.subtract(num_present_per_batch, 1.0)))
        sum_diff = reduce_ops.reduce_sum(diffs, axis=axes, keepdims=True)
        term2 = math_ops.multiply(2.0, div_no_nan(math_ops.square(sum_diff), math_ops.multiply(
            num_present_per_batch, math_ops.subtract(num_present_per_batch, 1.0))))
        losses = math_ops.subtract(term1, term2)
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction=reduction)


def mean_squared_error(labels, predictions, weights=1.0, scope=None, loss_collection=GraphKeys.LOSSES,
                       reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """(predictions - labels)^2, weighted and reduced (by default: the mean over non-zero weights).

    Example:
        >>> loss = tf.losses.mean_squared_error(labels=y, predictions=y_hat)   # "mean_squared_error/value:0"
        >>> train = tf.train.GradientDescentOptimizer(0.1).minimize(tf.losses.get_total_loss())
    """
    _check_not_none(labels=labels, predictions=predictions)
    with name_scope(scope, "mean_squared_error", (predictions, labels, weights)) as scope:
        labels, predictions = _float_pair(labels, predictions)
        losses = math_ops.squared_difference(predictions, labels)
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction=reduction)


def sigmoid_cross_entropy(multi_class_labels, logits, weights=1.0, label_smoothing=0, scope=None,
                          loss_collection=GraphKeys.LOSSES, reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """`tf.nn.sigmoid_cross_entropy_with_logits` of independent 0/1 labels, weighted and reduced. With
    `label_smoothing` s > 0 the labels become labels * (1 - s) + 0.5 * s.

    Returns:
        A tensor of the logits' dtype.

    Example:
        >>> tf.losses.sigmoid_cross_entropy(multi_class_labels=y, logits=logits, label_smoothing=0.1)
    """
    _check_not_none(multi_class_labels=multi_class_labels, logits=logits)
    with name_scope(scope, "sigmoid_cross_entropy_loss", (logits, multi_class_labels, weights)) as scope:
        logits = convert_to_tensor(logits)
        multi_class_labels = math_ops.cast(multi_class_labels, logits.dtype.base_dtype)
        logits.shape.assert_is_compatible_with(multi_class_labels.shape)
        if label_smoothing > 0:
            multi_class_labels = math_ops.add(math_ops.multiply(multi_class_labels, 1 - label_smoothing),
                                              0.5 * label_smoothing)
        losses = sigmoid_cross_entropy_with_logits(labels=multi_class_labels, logits=logits, name="xentropy")
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction=reduction)


def softmax_cross_entropy(onehot_labels, logits, weights=1.0, label_smoothing=0, scope=None,
                          loss_collection=GraphKeys.LOSSES, reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """The softmax cross-entropy of one-hot (or probability) labels, per example, weighted and reduced. With
    `label_smoothing` s > 0 the labels become labels * (1 - s) + s / num_classes. No gradient into the labels.

    Args:
        onehot_labels: [batch_size, num_classes] targets.
        logits: [batch_size, num_classes] unscaled log-probabilities.
        weights: a scalar or a [batch_size] tensor.

    Returns:
        A tensor of the logits' dtype ([batch_size] when reduction is NONE).

    Example:
        >>> loss = tf.losses.softmax_cross_entropy(tf.one_hot(y, 10), logits)
    """
    _check_not_none(onehot_labels=onehot_labels, logits=logits)
    with name_scope(scope, "softmax_cross_entropy_loss", (logits, onehot_labels, weights)) as scope:
        logits = convert_to_tensor(logits)
        onehot_labels = math_ops.cast(onehot_labels, logits.dtype.base_dtype)
        logits.shape.assert_is_compatible_with(onehot_labels.shape)
        if label_smoothing > 0:
            num_classes = math_ops.cast(array_ops.shape(onehot_labels)[-1], logits.dtype.base_dtype)
            smooth_negatives = math_ops.divide(label_smoothing, num_classes)
            onehot_labels = math_ops.add(math_ops.multiply(onehot_labels, 1.0 - label_smoothing), smooth_negatives)
        onehot_labels = stop_gradient(onehot_labels, name="labels_stop_gradient")
        losses = softmax_cross_entropy_with_logits_v2(labels=onehot_labels, logits=logits, name="xentropy")
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction=reduction)


def _squeeze_weights_like(labels, weights):
    """Weights one rank above the labels lose their trailing dimension ([batch, 1] -> [batch])."""
    weights = convert_to_tensor(weights)
    if labels.shape.ndims is not None and weights.shape.ndims is not None and \
            weights.shape.ndims - labels.shape.ndims == 1:
        weights = squeeze(weights, [-1])
    return weights


def sparse_softmax_cross_entropy(labels, logits, weights=1.0, scope=None, loss_collection=GraphKeys.LOSSES,
                                 reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """The softmax cross-entropy of integer class labels, weighted and reduced. Labels (and weights) of shape
    [batch, 1] are squeezed to [batch].

    Args:
        labels: int32/int64 class indices of shape logits.shape[:-1] (or with a trailing 1).
        logits: [..., num_classes] unscaled log-probabilities, float32 or float64.
        weights: a scalar or a tensor broadcastable to the labels.

    Example:
        >>> loss = tf.losses.sparse_softmax_cross_entropy(labels=y, logits=logits)
    """
    _check_not_none(labels=labels, logits=logits)
    with name_scope(scope, "sparse_softmax_cross_entropy_loss", (logits, labels, weights)) as scope:
        labels, logits = remove_squeezable_dimensions(labels, logits, expected_rank_diff=1)
        weights = _squeeze_weights_like(labels, weights)
        losses = sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits, name="xentropy")
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction=reduction)

