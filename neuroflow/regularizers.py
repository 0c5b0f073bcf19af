"""Weight regularizers (`l1_regularizer`, `l2_regularizer`, `l1_l2_regularizer`, `sum_regularizer`) and
`apply_regularization`: functions of a weight tensor returning a scalar penalty, for `regularizer=` arguments
of `tf.get_variable` and the layers (which put the penalty in REGULARIZATION_LOSSES).
They are `tf.contrib.layers`'s names; the messages are TensorFlow 1.x's."""
import numbers

from .framework.apply import convert_to_tensor
from .framework.constant_op import constant
from .framework.graph import GraphKeys, get_default_graph, name_scope
from .nn.losses import l2_loss
from .ops import grad_support_ops as _g
from .ops import math_ops, reduce_ops

__all__ = ["l1_regularizer", "l2_regularizer", "l1_l2_regularizer", "sum_regularizer", "apply_regularization"]


def _check_scale(scale, period):
    """TensorFlow's checks of a Python scale; returns True when the scale disables the regularizer (0.0)."""
    if isinstance(scale, numbers.Integral):
        raise ValueError(f"scale cannot be an integer: {scale}")
    if isinstance(scale, numbers.Real):
        if scale < 0.0:
            raise ValueError(f"Setting a scale less than 0 on a regularizer: {scale:g}{period}")
        if scale == 0.0:
            return True
    return False


def _scale_tensor(scale, weights):
    return convert_to_tensor(scale, dtype=weights.dtype.base_dtype, name="scale")


def l1_regularizer(scale, scope=None):
    """A function of weights w returning scale * sum(|w|) (node "l1_regularizer"): encourages sparsity.

    Args:
        scale: a float (or scalar tensor) multiplier; 0.0 disables the regularizer (its function returns None).
        scope: the name scope of the penalty's ops (default "l1_regularizer").

    Raises:
        ValueError: an integer scale ("scale cannot be an integer: 1"), or a negative one ("Setting a scale
            less than 0 on a regularizer: -1").

    Example:
        >>> W = tf.get_variable("W", [3, 2], regularizer=tf.contrib.layers.l1_regularizer(0.01))
    """
    if _check_scale(scale, ""):
        return lambda _: None

    def l1(weights, name=None):
        with name_scope(scope, "l1_regularizer", [weights]) as name:
            my_scale = _scale_tensor(scale, weights)
            return math_ops.multiply(my_scale, reduce_ops.reduce_sum(math_ops.abs(weights)), name=name)

    return l1


def l2_regularizer(scale, scope=None):
    """A function of weights w returning scale * sum(w ** 2) / 2 (scale times `tf.nn.l2_loss`; node
    "l2_regularizer").

    Args:
        scale: a float (or scalar tensor) multiplier; 0.0 disables the regularizer (its function returns None).
        scope: the name scope of the penalty's ops (default "l2_regularizer").

    Raises:
        ValueError: an integer scale, or a negative one ("Setting a scale less than 0 on a regularizer: -1.").

    Example:
        >>> y = tf.layers.dense(x, 10, kernel_regularizer=tf.contrib.layers.l2_regularizer(1e-4))
        >>> loss = data_loss + tf.losses.get_regularization_loss()
    """
    if _check_scale(scale, "."):
        return lambda _: None

    def l2(weights):
        with name_scope(scope, "l2_regularizer", [weights]) as name:
            my_scale = _scale_tensor(scale, weights)
            return math_ops.multiply(my_scale, l2_loss(weights), name=name)

    return l2


def l1_l2_regularizer(scale_l1=1.0, scale_l2=1.0, scope=None):
    """A function of weights returning the sum of the L1 and L2 penalties (scope "l1_l2_regularizer"). A zero
    scale leaves only the other regularizer.

    Raises:
        ValueError: an integer or negative scale.

    Example:
        >>> reg = tf.contrib.layers.l1_l2_regularizer(scale_l1=0.01, scale_l2=0.001)
    """
    if isinstance(scale_l1, numbers.Integral):
        raise ValueError(f"scale_l1 cannot be an integer: {scale_l1}")
    if isinstance(scale_l2, numbers.Integral):
        raise ValueError(f"scale_l2 cannot be an integer: {scale_l2}")
    scope = scope or "l1_l2_regularizer"
    if isinstance(scale_l1, numbers.Real) and scale_l1 == 0.0:
        return l2_regularizer(scale_l2, scope)
    if isinstance(scale_l2, numbers.Real) and scale_l2 == 0.0:
        return l1_regularizer(scale_l1, scope)
    return sum_regularizer([l1_regularizer(scale_l1), l2_regularizer(scale_l2)], scope=scope)


def sum_regularizer(regularizer_list, scope=None):
    """A function of weights returning the sum (an AddN, node "sum_regularizer") of the penalties of
    `regularizer_list`; penalties that are None are left out, and all None gives None.

    Returns:
        The function, or None when `regularizer_list` holds no regularizer.

    Example:
        >>> reg = tf.contrib.layers.sum_regularizer([l1_regularizer(0.1), l2_regularizer(0.2)])
    """
    regularizer_list = [reg for reg in regularizer_list if reg is not None]
    if not regularizer_list:
        return None

    def sum_reg(weights):
        with name_scope(scope, "sum_regularizer", [weights]) as name:
            tensors = [t for t in (reg(weights) for reg in regularizer_list) if t is not None]
            return _g.add_n(tensors, name=name) if tensors else None

    return sum_reg


def apply_regularization(regularizer, weights_list=None):
    """The summed penalty of `regularizer` over `weights_list` (default: the WEIGHTS collection), added to
    REGULARIZATION_LOSSES (node "get_regularization_penalty").

    Raises:
        ValueError: no weights ("No weights to regularize."), or a penalty that is not a scalar.

    Example:
        >>> penalty = tf.contrib.layers.apply_regularization(l2_regularizer(0.01), [W1, W2])
    """
    if not weights_list:
        weights_list = get_default_graph().get_collection(GraphKeys.WEIGHTS)
    if not weights_list:
        raise ValueError("No weights to regularize.")
    with name_scope("get_regularization_penalty", values=weights_list) as scope:
        penalties = [regularizer(w) for w in weights_list]
        penalties = [p if p is not None else constant(0.0) for p in penalties]
        for p in penalties:
            if p.shape.ndims != 0:
                raise ValueError(f"regularizer must return a scalar Tensor instead of a Tensor with rank "
                                 f"{p.shape.ndims}.")
        summed_penalty = _g.add_n(penalties, name=scope)
        get_default_graph().add_to_collection(GraphKeys.REGULARIZATION_LOSSES, summed_penalty)
        return summed_penalty
