"""Losses over a sampled subset of a large output vocabulary: tf.nn.nce_loss (noise-contrastive estimation, a
logistic loss per class) and tf.nn.sampled_softmax_loss (softmax over the true and sampled classes), both on the
logits TensorFlow's `_compute_sampled_logits` defines; tf.nn.compute_accidental_hits; and the candidate samplers."""
import numpy as np

from ..framework import dtypes
from ..framework.apply import convert_to_tensor
from ..framework.graph import name_scope
from ..ops import array_ops, math_ops
from ..ops.candidate_sampling_ops import log_uniform_candidate_sampler, uniform_candidate_sampler
from ..ops.concat_ops import concat
from ..ops.grad_support_ops import expand_dims, ones_like, where, zeros_like
from ..ops.reduce_ops import reduce_sum

__all__ = ["nce_loss", "sampled_softmax_loss", "compute_accidental_hits", "uniform_candidate_sampler",
           "log_uniform_candidate_sampler"]


def compute_accidental_hits(true_classes, sampled_candidates, num_true, seed=None, name=None):
    """Where a sampled candidate equals one of a row's true classes: (indices int32 — the row, ids int64 — the
    candidate's position, weights float32 — -FLOAT_MAX), one triple per hit, row-major.

    Example:
        >>> tf.nn.compute_accidental_hits([[1], [2]], [2, 5, 1], 1)   # indices [0, 1], ids [2, 0]
    """
    del seed
    with name_scope(name, "ComputeAccidentalHits", [true_classes, sampled_candidates]):
        hits = _hit_mask(true_classes, sampled_candidates, num_true)
        where_hit = where(hits)
        weights = math_ops.multiply(ones_like(where_hit[:, 0], dtype=dtypes.float32),
                                    np.float32(-np.finfo(np.float32).max))
        return math_ops.cast(where_hit[:, 0], dtypes.int32), where_hit[:, 1], weights


def _hit_mask(true_classes, sampled, num_true):
    """[batch, num_sampled]: whether candidate j is among row i's true classes."""
    from ..ops.reduce_ops import reduce_any
    true_classes = math_ops.cast(array_ops.reshape(true_classes, [-1, num_true]), dtypes.int64)
    sampled = math_ops.cast(sampled, dtypes.int64)
    return reduce_any(math_ops.equal(expand_dims(true_classes, 2), sampled), axis=1)


def _compute_sampled_logits(weights, biases, labels, inputs, num_sampled, num_classes, num_true, sampled_values,
                            subtract_log_q, remove_accidental_hits, partition_strategy, seed):
    """(logits [batch, num_true + num_sampled], labels: 1/num_true for the true classes, 0 for the sampled)."""
    from .misc import embedding_lookup
    from ..autodiff import stop_gradient
    from ..ops.linalg_ops import matmul
    weights = list(weights) if isinstance(weights, (list, tuple)) else [weights]
    labels = convert_to_tensor(labels, name="labels")
    if labels.dtype.base_dtype is not dtypes.int64:
        labels = math_ops.cast(labels, dtypes.int64)
    labels_flat = array_ops.reshape(labels, [-1])
    if sampled_values is None:
        sampled_values = log_uniform_candidate_sampler(labels, num_true, num_sampled, True, num_classes, seed=seed)
    sampled, true_expected_count, sampled_expected_count = (stop_gradient(s) for s in sampled_values)
    sampled = math_ops.cast(sampled, dtypes.int64)
    inputs = convert_to_tensor(inputs, name="inputs")
    n_true = array_ops.shape(labels_flat)[0]
    all_ids = concat([labels_flat, sampled], 0)
    all_w = embedding_lookup(weights, all_ids, partition_strategy=partition_strategy)
    all_b = embedding_lookup(biases, all_ids)
    true_w, sampled_w = all_w[:n_true], all_w[n_true:]
    true_b, sampled_b = all_b[:n_true], all_b[n_true:]
    sampled_logits = math_ops.add(matmul(inputs, sampled_w, transpose_b=True), sampled_b)
    dim = array_ops.shape(true_w)[1:2]
    true_w = array_ops.reshape(true_w, concat([[-1, num_true], dim], 0))
    true_logits = reduce_sum(math_ops.multiply(expand_dims(inputs, 1), true_w), axis=2)
    true_logits = math_ops.add(true_logits, array_ops.reshape(true_b, [-1, num_true]))
    if remove_accidental_hits:
        # Adding -FLOAT_MAX to a sampled class that is also a true class takes it out of the softmax.
        hits = _hit_mask(labels, sampled, num_true)
        lowest = convert_to_tensor(-np.finfo(np.float32).max, dtype=sampled_logits.dtype.base_dtype)
        sampled_logits = math_ops.add(sampled_logits, where(hits, array_ops.fill(array_ops.shape(hits), lowest),
                                                            zeros_like(sampled_logits)))
    if subtract_log_q:
        true_logits = math_ops.subtract(true_logits, math_ops.log(math_ops.cast(true_expected_count,
                                                                               true_logits.dtype.base_dtype)))
        sampled_logits = math_ops.subtract(sampled_logits, math_ops.log(math_ops.cast(
            sampled_expected_count, sampled_logits.dtype.base_dtype)))
    logits = concat([true_logits, sampled_logits], 1)
    targets = concat([math_ops.divide(ones_like(true_logits), float(num_true)), zeros_like(sampled_logits)], 1)
    return logits, targets


def nce_loss(weights, biases, labels, inputs, num_sampled, num_classes, num_true=1, sampled_values=None,
             remove_accidental_hits=False, partition_strategy="mod", name="nce_loss"):
    """The noise-contrastive estimation loss per example: a logistic loss telling each true class (label
    1/num_true) from `num_sampled` sampled classes (label 0), on logits corrected by log expected counts.

    Args:
        weights: [num_classes, dim] class embeddings (or a list partitioned as for embedding_lookup).
        biases: [num_classes].
        labels: int [batch, num_true] target classes.
        inputs: [batch, dim] activations.
        sampled_values: a sampler's (sampled, true_expected_count, sampled_expected_count); default
            log_uniform_candidate_sampler with unique=True.

    Returns:
        [batch] losses.

    Example:
        >>> loss = tf.reduce_mean(tf.nn.nce_loss(nce_w, nce_b, train_labels, embed, 64, vocabulary_size))
    """
    from .losses import sigmoid_cross_entropy_with_logits
    with name_scope(name, "nce_loss", [weights, biases, labels, inputs]):
        logits, targets = _compute_sampled_logits(weights, biases, labels, inputs, num_sampled, num_classes,
                                                  num_true, sampled_values, True, remove_accidental_hits,
                                                  partition_strategy, None)
        return reduce_sum(sigmoid_cross_entropy_with_logits(labels=targets, logits=logits), axis=1)


def sampled_softmax_loss(weights, biases, labels, inputs, num_sampled, num_classes, num_true=1, sampled_values=None,
                         remove_accidental_hits=True, partition_strategy="mod", name="sampled_softmax_loss",
                         seed=None):
    """The softmax cross-entropy over each row's true classes and `num_sampled` sampled classes (sampled ones that
    are true classes removed), on logits corrected by log expected counts: a cheap estimate of the full softmax
    loss for training. Arguments as for nce_loss.

    Returns:
        [batch] losses.
    """
    from .losses import softmax_cross_entropy_with_logits_v2
    from ..autodiff import stop_gradient
    with name_scope(name, "sampled_softmax_loss", [weights, biases, labels, inputs]):
        logits, targets = _compute_sampled_logits(weights, biases, labels, inputs, num_sampled, num_classes,
                                                  num_true, sampled_values, True, remove_accidental_hits,
                                                  partition_strategy, seed)
        return softmax_cross_entropy_with_logits_v2(labels=stop_gradient(targets), logits=logits)
