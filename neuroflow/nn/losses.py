"""`tf.nn` losses: the softmax cross-entropies (fused primitives), sigmoid and weighted cross-entropies
(stable compositions) and l2_loss, with TensorFlow's argument rules, messages and node names."""
from ..autodiff import stop_gradient
from ..framework.apply import _is_tensor_like, apply_op, convert_to_tensor
from ..framework.graph import name_scope
from ..ops import grad_support_ops as _g
from ..ops import math_ops, nn_ops
from ._args import deprecated_argument_lookup, static_int

__all__ = ["softmax_cross_entropy_with_logits", "softmax_cross_entropy_with_logits_v2",
           "sparse_softmax_cross_entropy_with_logits", "sigmoid_cross_entropy_with_logits",
           "weighted_cross_entropy_with_logits", "l2_loss"]


def _ensure_xent_args(name, sentinel, labels, logits):
    # TensorFlow's guard against positional calls, which swapped labels and logits in older versions.
    if sentinel is not None:
        raise ValueError(f"Only call `{name}` with named arguments (labels=..., logits=..., ...)")
    if labels is None or logits is None:
        raise ValueError("Both labels and logits must be provided.")


def softmax_cross_entropy_with_logits_v2(labels, logits, axis=None, name=None, dim=None):
    """-sum(labels * log_softmax(logits), axis): the loss of each example, with gradients into both
    `logits` and `labels`. Stable for logits of any magnitude (one fused "SoftmaxCrossEntropyWithLogits" op).

    Args:
        labels: a probability distribution per example (same shape as `logits`; cast to its dtype).
        logits: unscaled log-probabilities, rank >= 1.
        axis: the class axis (default -1); `dim` is its deprecated name.
        name: the node name (default "softmax_cross_entropy_with_logits").

    Returns:
        A tensor of the logits' shape without `axis`.

    Example:
        >>> loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(labels=y_, logits=logits))
    """
    axis = deprecated_argument_lookup("axis", axis, "dim", dim)
    axis = -1 if axis is None else static_int(axis, "the cross-entropy axis")
    with name_scope(name, "softmax_cross_entropy_with_logits", [logits, labels]) as scope:
        logits = convert_to_tensor(logits, name="logits")
        labels = convert_to_tensor(labels, name="labels")
        labels = math_ops.cast(labels, logits.dtype.base_dtype)
        if _ranks_differ_on_last_axis(logits, labels, axis):
            return _flattened_xent(logits, labels, scope)
        # One op for any rank and axis (TensorFlow flattens to a matrix and transposes around its op).
        loss, _ = apply_op(nn_ops.SoftmaxCrossEntropyWithLogits, [logits, labels], {"axis": axis}, name=scope)
        return loss


def _ranks_differ_on_last_axis(logits, labels, axis):
    rank, label_rank = logits.shape.ndims, labels.shape.ndims
    return rank is not None and label_rank is not None and rank != label_rank and axis in (-1, rank - 1)


def _flattened_xent(logits, labels, scope):
    """TensorFlow's reading of labels whose rank differs from the logits' ([1, ?, 7] against [?, 7]): both are
    flattened to rows of classes (one row of labels broadcasts to every row of logits) and the loss takes the
    logits' shape without the class axis."""
    from ..ops.array_ops import reshape, shape, stack
    classes = shape(logits)[-1]
    rows = apply_op(nn_ops.SoftmaxCrossEntropyWithLogits,
                    [reshape(logits, stack([-1, classes])), reshape(labels, stack([-1, classes]))], {"axis": -1},
                    name="SoftmaxCrossEntropyWithLogits")[0]
    return reshape(rows, shape(logits)[:-1], name=scope)


def softmax_cross_entropy_with_logits(_sentinel=None, labels=None, logits=None, dim=-1, name=None, axis=None):
    """The softmax cross-entropy of TensorFlow 1.0: like `softmax_cross_entropy_with_logits_v2`, but no
    gradient flows into `labels` (they pass through a StopGradient).

    Args:
        _sentinel: not to be used: the arguments must be given by name.
        labels, logits, name: as `softmax_cross_entropy_with_logits_v2`.
        dim: the class axis (deprecated name of `axis`).

    Raises:
        ValueError: called with positional arguments, or without labels or logits.

    Example:
        >>> tf.nn.softmax_cross_entropy_with_logits(labels=y_, logits=logits)
    """
    _ensure_xent_args("softmax_cross_entropy_with_logits", _sentinel, labels, logits)
    # dim defaults to -1, so only a non-default dim conflicts with axis.
    axis = deprecated_argument_lookup("axis", axis, "dim", None if dim == -1 and axis is not None else dim)
    with name_scope(name, "softmax_cross_entropy_with_logits_sg", [logits, labels]) as scope:
        labels = stop_gradient(labels, name="labels_stop_gradient")
    return softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits, axis=axis, name=scope)


def sparse_softmax_cross_entropy_with_logits(_sentinel=None, labels=None, logits=None, name=None):
    """-log_softmax(logits)[labels]: the loss of each example from class indices. Stable for logits of any
    magnitude (one fused "SparseSoftmaxCrossEntropyWithLogits" op; no gradient into labels).

    Args:
        _sentinel: not to be used: the arguments must be given by name.
        labels: int32/int64 class indices in [0, num_classes), shape logits.shape[:-1].
        logits: unscaled log-probabilities, shape [..., num_classes].
        name: the node name.

    Returns:
        A tensor of the labels' shape and the logits' dtype.

    Raises:
        ValueError: positional arguments, missing labels/logits, scalar logits, or mismatched shapes.
        InvalidArgumentError (at run time): a label outside [0, num_classes).

    Example:
        >>> loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
    """
    _ensure_xent_args("sparse_softmax_cross_entropy_with_logits", _sentinel, labels, logits)
    with name_scope(name, "SparseSoftmaxCrossEntropyWithLogits", [labels, logits]):
        labels = convert_to_tensor(labels)
        logits = convert_to_tensor(logits)
        labels_shape, logits_shape = labels.shape, logits.shape
        if logits_shape.ndims == 0:
            raise ValueError(f"Logits cannot be scalars - received shape {logits_shape}.")
        if logits_shape.ndims is not None and labels_shape.ndims is not None and \
                labels_shape.ndims != logits_shape.ndims - 1:
            raise ValueError(f"Rank mismatch: Rank of labels (received {labels_shape.ndims}) should equal rank of "
                             f"logits minus 1 (received {logits_shape.ndims}).")
        if labels_shape.is_fully_defined() and logits_shape.ndims is not None and \
                logits_shape[:-1].is_fully_defined() and labels_shape != logits_shape[:-1]:
            raise ValueError(f"Shape mismatch: The shape of labels (received {labels_shape}) should equal the shape "
                             f"of logits except for the last dimension (received {logits_shape}).")
        cost, _ = apply_op(nn_ops.SparseSoftmaxCrossEntropyWithLogits, [logits, labels],
                           name=name or "SparseSoftmaxCrossEntropyWithLogits")
        return cost


def sigmoid_cross_entropy_with_logits(_sentinel=None, labels=None, logits=None, name=None):
    """The logistic loss of independent binary labels: max(x, 0) - x * z + log(1 + exp(-|x|)) for logits x
    and labels z, stable for any |x| (node "logistic_loss").

    Raises:
        ValueError: positional arguments, missing labels/logits, or shapes that differ.

    Example:
        >>> tf.nn.sigmoid_cross_entropy_with_logits(labels=[1.0, 0.0], logits=[2.0, -1.0])
    """
    _ensure_xent_args("sigmoid_cross_entropy_with_logits", _sentinel, labels, logits)
    with name_scope(name, "logistic_loss", [logits, labels]) as scope:
        logits = convert_to_tensor(logits, name="logits")
        labels = convert_to_tensor(labels, name="labels")
        if not labels.shape.is_compatible_with(logits.shape):
            raise ValueError(f"logits and labels must have the same shape ({logits.shape} vs {labels.shape})")
        # Selects rather than relu/abs, so the gradient at x == 0 is the true one, sigmoid(0) - z.
        zeros = _g.zeros_like(logits)
        cond = math_ops.greater_equal(logits, zeros)
        relu_logits = _g.where(cond, logits, zeros)
        neg_abs_logits = _g.where(cond, math_ops.negative(logits), logits)
        return math_ops.add(math_ops.subtract(relu_logits, math_ops.multiply(logits, labels)),
                            math_ops.log1p(math_ops.exp(neg_abs_logits)), name=scope)


def weighted_cross_entropy_with_logits(labels=None, logits=None, pos_weight=None, name=None, targets=None):
    """The logistic loss with positive examples weighted by `pos_weight`:
    (1 - z) * x + (1 + (q - 1) * z) * log(1 + exp(-x)), stable for any |x| (node "logistic_loss").

    Args:
        labels: the binary targets z (`targets` is the deprecated name).
        logits: the logits x.
        pos_weight: q, the weight of positive examples.
        name: the node name.

    Raises:
        ValueError: shapes that differ, or both `labels` and `targets`.
    """
    labels = deprecated_argument_lookup("labels", labels, "targets", targets)
    with name_scope(name, "logistic_loss", [logits, labels]) as scope:
        logits = convert_to_tensor(logits, name="logits")
        labels = convert_to_tensor(labels, name="targets")
        if not labels.shape.is_compatible_with(logits.shape):
            raise ValueError(f"logits and targets must have the same shape ({logits.shape} vs {labels.shape})")
        # A Python pos_weight stays Python until it meets labels, so it takes their dtype (float64 works).
        excess = math_ops.subtract(pos_weight, 1) if _is_tensor_like(pos_weight) else pos_weight - 1
        log_weight = math_ops.add(math_ops.multiply(excess, labels), 1)
        # softplus(-x) = log(1 + exp(-x)) + max(-x, 0) in one stable kernel, with the exact gradient at 0.
        softplus = apply_op(nn_ops.Softplus, [math_ops.negative(logits)], name="Softplus")
        return math_ops.add(math_ops.multiply(math_ops.subtract(1.0, labels), logits),
                            math_ops.multiply(log_weight, softplus), name=scope)


def l2_loss(t, name=None):
    """sum(t ** 2) / 2, a scalar (node "L2Loss"). Example: `reg = 0.01 * tf.nn.l2_loss(W)`."""
    return apply_op(nn_ops.L2Loss, [t], name=name or "L2Loss")
