"""What every streaming metric is built from: its local variables (LOCAL_VARIABLES and METRIC_VARIABLES, not
trainable, zero until `tf.local_variables_initializer()` runs), the squeezing of labels/predictions/weights
to matching ranks, and the adding of the value and update tensors to the caller's collections."""
from ..framework import dtypes
from ..framework.apply import convert_to_tensor
from ..framework.graph import GraphKeys, get_default_graph
from ..ops import array_ops
from ..ops import grad_support_ops as _g
from ..ops.manip_ops import squeeze
from ..variables.variable import Variable
from ..losses.weights_broadcast import remove_squeezable_dimensions

__all__ = []


def metric_variable(shape, dtype, validate_shape=True, name=None):
    """A zero-initialized, non-trainable variable in LOCAL_VARIABLES and METRIC_VARIABLES.

    Example:
        >>> total = metric_variable([], tf.float32, name="total")   # "<scope>/total:0"
    """
    return Variable(lambda: array_ops.zeros(shape, dtypes.as_dtype(dtype)), trainable=False,
                    collections=[GraphKeys.LOCAL_VARIABLES, GraphKeys.METRIC_VARIABLES],
                    validate_shape=validate_shape, name=name)


def remove_squeezable(predictions, labels, weights):
    """TensorFlow's metric rule: labels/predictions whose ranks differ by one lose the trailing size-1
    dimension; non-scalar weights one rank above the predictions are squeezed, one rank below expanded.
    Works on static ranks (tensors of unknown rank are left as they are).

    Returns:
        (predictions, labels, weights); labels and weights may be None.
    """
    predictions = convert_to_tensor(predictions)
    if labels is not None:
        labels, predictions = remove_squeezable_dimensions(labels, predictions)
        predictions.shape.assert_is_compatible_with(labels.shape)
    if weights is None:
        return predictions, labels, None
    weights = convert_to_tensor(weights)
    w_rank, p_rank = weights.shape.ndims, predictions.shape.ndims
    if w_rank == 0 or w_rank is None or p_rank is None:
        return predictions, labels, weights
    if w_rank - p_rank == 1:
        weights = squeeze(weights, [-1])
    elif p_rank - w_rank == 1:
        weights = _g.expand_dims(weights, -1)
    return predictions, labels, weights


def add_to_collections(collections, value):
    """Adds `value` to each of `collections` (a list or tuple of names; None adds it nowhere)."""
    if collections:
        get_default_graph().add_to_collections(collections, value)
    return value
