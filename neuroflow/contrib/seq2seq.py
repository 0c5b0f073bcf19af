"""`tf.contrib.seq2seq`: sequence_loss (here), the weighted cross-entropy of [batch, time, classes] logits against
[batch, time] targets, averaged or summed over time and batch as TensorFlow 1.x's contrib defines it; the helpers,
BasicDecoder and dynamic_decode come from seq2seq_decoder.py."""
from ..framework.apply import convert_to_tensor
from ..framework.graph import name_scope
from ..ops import array_ops, math_ops
from ..ops.reduce_ops import reduce_sum

__all__ = ["sequence_loss"]
from .seq2seq_decoder import *  # noqa: E402,F401,F403 - helpers, BasicDecoder, dynamic_decode
from . import seq2seq_decoder as _decoder  # noqa: E402
__all__ += _decoder.__all__
from .seq2seq_attention import *  # noqa: E402,F401,F403 - attention mechanisms, AttentionWrapper, tile_batch
from . import seq2seq_attention as _attention  # noqa: E402
__all__ += _attention.__all__


def _count_nonzero(weights, axis=None):
    return reduce_sum(math_ops.cast(math_ops.not_equal(weights, 0), weights.dtype.base_dtype), axis=axis)


def sequence_loss(logits, targets, weights, average_across_timesteps=True, average_across_batch=True,
                  sum_over_timesteps=False, sum_over_batch=False, softmax_loss_function=None, name=None):
    """The cross-entropy of `logits` [batch, time, classes] against `targets` [batch, time], each position
    weighted by `weights` [batch, time] (e.g. a padding mask).

    Averages divide by the summed weights (0 where they sum to 0), sums over time/batch divide by the number of
    nonzero weights; with neither, the result keeps those axes: a scalar, [time], [batch] or [batch, time].

    Args:
        softmax_loss_function: `fn(labels=..., logits=...)` replacing the sparse softmax cross-entropy.

    Raises:
        ValueError: a rank other than 3 for logits or 2 for targets/weights, or averaging and summing over the
            same axis.

    Example:
        >>> loss = tf.contrib.seq2seq.sequence_loss(logits, targets, tf.ones([batch_size, num_steps]))
    """
    from ..nn.losses import sparse_softmax_cross_entropy_with_logits
    logits, targets, weights = (convert_to_tensor(t) for t in (logits, targets, weights))
    if logits.shape.ndims != 3:
        raise ValueError("Logits must be a [batch_size x sequence_length x logits] tensor")
    if targets.shape.ndims != 2:
        raise ValueError("Targets must be a [batch_size x sequence_length] tensor")
    if weights.shape.ndims != 2:
        raise ValueError("Weights must be a [batch_size x sequence_length] tensor")
    if average_across_timesteps and sum_over_timesteps:
        raise ValueError("average_across_timesteps and sum_over_timesteps cannot be set to True at same time.")
    if average_across_batch and sum_over_batch:
        raise ValueError("average_across_batch and sum_over_batch cannot be set to True at same time.")
    with name_scope(name, "sequence_loss", [logits, targets, weights]):
        classes = array_ops.shape(logits)[2]
        flat_logits = array_ops.reshape(logits, array_ops.stack([-1, classes]))
        flat_targets = array_ops.reshape(targets, [-1])
        loss_fn = softmax_loss_function or sparse_softmax_cross_entropy_with_logits
        crossent = math_ops.multiply(loss_fn(labels=flat_targets, logits=flat_logits),
                                     array_ops.reshape(weights, [-1]))
        if average_across_timesteps and average_across_batch:
            return math_ops.div_no_nan(reduce_sum(crossent), reduce_sum(weights))
        if sum_over_timesteps and sum_over_batch:
            return math_ops.div_no_nan(reduce_sum(crossent), _count_nonzero(weights))
        crossent = array_ops.reshape(crossent, array_ops.shape(logits)[0:2])
        crossent.set_shape(logits.shape[:2])
        if average_across_timesteps or average_across_batch:
            axis = [0] if average_across_batch else [1]
            return math_ops.div_no_nan(reduce_sum(crossent, axis=axis), reduce_sum(weights, axis=axis))
        if sum_over_timesteps or sum_over_batch:
            axis = [0] if sum_over_batch else [1]
            return math_ops.div_no_nan(reduce_sum(crossent, axis=axis), _count_nonzero(weights, axis=axis))
        return crossent

