"""The `training` flag of layers with a training mode (dropout, batch normalization, recurrent dropout): its value
when known while building the graph, and the choice between the training and inference computations otherwise."""
from ..framework import dtypes
from ..framework.apply import _is_tensor_like, convert_to_tensor
from ..framework.tensor_shape import TensorShape

__all__ = ["static_training", "select_on_training"]


def static_training(training):
    """`training` as a Python bool when known while building the graph (a bool, or a constant tensor), else None
    (a placeholder or another tensor: the choice is made at run time)."""
    if training is None:
        return False
    if not _is_tensor_like(training):
        return bool(training)
    t = convert_to_tensor(training)
    if t.dtype.base_dtype is not dtypes.bool:
        raise TypeError(f"`training` must be a bool or a bool tensor, got a {t.dtype.base_dtype.name} tensor")
    if not t.shape.is_compatible_with(TensorShape([])):
        raise ValueError(f"`training` must be a scalar, got shape {t.shape}")
    from ..nn.misc import known_value   # here: neuroflow.nn imports the layers package while it loads
    value = known_value(t)
    return None if value is None else bool(value)


def select_on_training(training, true_fn, false_fn):
    """true_fn() or false_fn() when `training` is known at build time; otherwise both, chosen at run time by
    `tf.where` (no control flow: both branches are computed, only the chosen one is used and differentiated)."""
    from ..ops.grad_support_ops import where
    value = static_training(training)
    if value is not None:
        return true_fn() if value else false_fn()
    flag = convert_to_tensor(training)
    if flag.shape.ndims != 0:
        # A flag of unknown shape (`tf.placeholder(tf.bool)`) is a scalar by contract, as the predicate of
        # TensorFlow's cond: saying so keeps the chosen value's static shape (a run-time check, not a guess).
        from ..ops.array_ops import reshape
        flag = reshape(flag, [])
    return where(flag, true_fn(), false_fn())
