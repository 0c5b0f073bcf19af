"""Counting by value: `tf.bincount` and `tf.confusion_matrix`, compositions of unsorted segment sums (so weighted
counts are differentiable in their weights) with TensorFlow's argument rules and run-time checks."""
from ..framework import dtypes
from ..framework.apply import convert_to_tensor
from ..framework.graph import name_scope

__all__ = ["bincount", "confusion_matrix"]


def bincount(arr, weights=None, minlength=None, maxlength=None, dtype=dtypes.int32):
    """The number of times each value 0, 1, ... occurs in the int32 tensor `arr` (or the sum of `weights` at
    those positions): length max(arr) + 1, at least `minlength`, at most `maxlength` (larger values are not
    counted).

    Example: `tf.bincount([1, 1, 3])` is [0, 2, 0, 1].
    """
    from .array_ops import reshape, shape
    from .grad_support_ops import ones_like, where
    from .logging_ops import Assert
    from .control_flow_ops import control_dependencies
    from .math_ops import cast, greater, greater_equal, less, maximum, minimum, multiply
    from .reduce_ops import reduce_all, reduce_max, reduce_prod
    from .segment_ops import unsorted_segment_sum
    with name_scope(None, "bincount", [arr, weights, minlength, maxlength]):
        arr = convert_to_tensor(arr, dtype=dtypes.int32, name="arr")
        nonempty = cast(greater(reduce_prod(shape(arr)), 0), dtypes.int32)
        size = multiply(nonempty, reduce_max(arr) + 1)
        if minlength is not None:
            size = maximum(convert_to_tensor(minlength, dtype=dtypes.int32, name="minlength"), size)
        if maxlength is not None:
            size = minimum(convert_to_tensor(maxlength, dtype=dtypes.int32, name="maxlength"), size)
        check = Assert(reduce_all(greater_equal(arr, 0)), ["Input arr must be non-negative!"])
        with control_dependencies([check]):
            counted = where(less(arr, size), arr, -ones_like(arr))  # beyond maxlength: dropped, as TensorFlow
        values = (ones_like(arr, dtype=dtype) if weights is None else
                  convert_to_tensor(weights, name="weights"))
        flat = reshape(counted, [-1])
        return unsorted_segment_sum(reshape(values, [-1]), flat, size)


def confusion_matrix(labels, predictions, num_classes=None, dtype=dtypes.int32, name=None, weights=None):
    """The [num_classes, num_classes] matrix counting (or summing `weights` of) each (label, prediction) pair:
    rows are labels, columns predictions; `num_classes` defaults to the largest class seen plus one.

    Raises (at run time) InvalidArgumentError for negative or out-of-bound labels or predictions, with
    TensorFlow's messages.

    Example: `tf.confusion_matrix([1, 2, 4], [2, 2, 4])` is a 5x5 matrix with ones at (1, 2), (2, 2), (4, 4).
    """
    from .array_ops import identity, reshape, stack
    from .check_ops import assert_less, assert_non_negative
    from .control_flow_ops import control_dependencies
    from .grad_support_ops import ones_like
    from .manip_ops import squeeze
    from .math_ops import add, cast, maximum, multiply
    from .reduce_ops import reduce_max
    from .segment_ops import unsorted_segment_sum
    with name_scope(name, "confusion_matrix", [predictions, labels, num_classes, weights]) as scope:
        labels = convert_to_tensor(labels, name="labels")
        predictions = convert_to_tensor(predictions, name="predictions")
        labels, predictions = _remove_squeezable(labels, predictions, squeeze)
        labels, predictions = cast(labels, dtypes.int64), cast(predictions, dtypes.int64)
        checks = [assert_non_negative(labels, message="`labels` contains negative values"),
                  assert_non_negative(predictions, message="`predictions` contains negative values")]
        if num_classes is None:
            n = maximum(reduce_max(predictions), reduce_max(labels)) + 1
        else:
            n = cast(num_classes, dtypes.int64)
            checks += [assert_less(labels, n, message="`labels` out of bound"),
                       assert_less(predictions, n, message="`predictions` out of bound")]
        with control_dependencies(checks):
            cells = add(multiply(identity(labels), n), predictions)
        if weights is None:
            values = ones_like(predictions, dtype=dtype)
        else:
            weights = convert_to_tensor(weights, name="weights")
            predictions.shape.assert_is_compatible_with(weights.shape)
            values = cast(weights, dtype)
        counts = unsorted_segment_sum(reshape(values, [-1]), reshape(cells, [-1]), n * n)
        return reshape(counts, stack([n, n]), name=scope)


def _remove_squeezable(labels, predictions, squeeze):
    """Labels and predictions whose ranks differ by one lose the extra size-1 last axis (TensorFlow's rule)."""
    lr, pr = labels.shape.ndims, predictions.shape.ndims
    if lr is not None and pr is not None:
        if pr - lr == 1 and predictions.shape.as_list()[-1] in (1, None):
            predictions = squeeze(predictions, [-1])
        elif lr - pr == 1 and labels.shape.as_list()[-1] in (1, None):
            labels = squeeze(labels, [-1])
    return labels, predictions
