"""tf.nn.embedding_lookup_sparse: per row of a SparseTensor of ids (bag-of-words features), the weighted
embeddings of its ids combined by sum, mean or sqrtn."""
from ..framework import dtypes
from ..framework.graph import name_scope
from ..framework.sparse_tensor import SparseTensor, SparseTensorValue
from ..ops import array_ops, math_ops
from ..ops.concat_ops import concat
from ..ops.grad_support_ops import expand_dims
from ..ops.nd_index_ops import scatter_nd

__all__ = ["embedding_lookup_sparse"]


def _segment_sum(data, segment_ids, rows):
    """Row i: the sum of the `data` rows whose segment id is i (rows 0 .. rows-1)."""
    shape = concat([expand_dims(rows, 0), array_ops.shape(data, out_type=dtypes.int64)[1:]], 0)
    return scatter_nd(expand_dims(segment_ids, 1), data, shape)


def embedding_lookup_sparse(params, sp_ids, sp_weights, partition_strategy="mod", name=None, combiner=None,
                            max_norm=None):
    """For each row of `sp_ids` ([batch, ...] int ids), the embeddings of its ids (times `sp_weights`' values
    when given) combined by `combiner`: "sum", "mean" (divided by the weight sum) or "sqrtn" (by the square root
    of the sum of squared weights). Like TensorFlow's sparse segment ops, the result has a row for each row index
    up to the last one with ids; rows without ids are zero.

    Raises:
        TypeError: sp_ids (or sp_weights) not a SparseTensor. ValueError: an unknown combiner.

    Example:
        >>> tf.nn.embedding_lookup_sparse(embeddings, sp_word_ids, None, combiner="mean")   # [batch, dim]
    """
    from .misc import embedding_lookup
    if combiner is None:
        combiner = "mean"  # TensorFlow 1's default (it logs a warning)
    if combiner not in ("mean", "sqrtn", "sum"):
        raise ValueError("combiner must be one of 'mean', 'sqrtn' or 'sum'")
    if not isinstance(sp_ids, (SparseTensor, SparseTensorValue)):
        raise TypeError("sp_ids must be SparseTensor")
    sp_ids = SparseTensor.from_value(sp_ids)
    if sp_weights is not None:
        if not isinstance(sp_weights, (SparseTensor, SparseTensorValue)):
            raise TypeError("sp_weights must be either None or SparseTensor")
        sp_weights = SparseTensor.from_value(sp_weights)
    with name_scope(name, "embedding_lookup_sparse", [sp_ids]):
        segment_ids = sp_ids.indices[:, 0]
        rows = math_ops.add(segment_ids[-1], 1)  # ids come in row order: the last row with ids, plus one
        embeddings = embedding_lookup(params, sp_ids.values, partition_strategy=partition_strategy,
                                      max_norm=max_norm)
        if sp_weights is None:
            counts = _segment_sum(math_ops.cast(array_ops.ones(array_ops.shape(segment_ids)), embeddings.dtype),
                                  segment_ids, rows)
            total = _segment_sum(embeddings, segment_ids, rows)
            if combiner == "sum":
                return total
            scale = counts if combiner == "mean" else math_ops.sqrt(counts)
            return math_ops.div_no_nan(total, _expand_to(scale, total))
        weights = math_ops.cast(sp_weights.values, embeddings.dtype.base_dtype)
        total = _segment_sum(math_ops.multiply(embeddings, _expand_to(weights, embeddings)), segment_ids, rows)
        if combiner == "sum":
            return total
        if combiner == "mean":
            scale = _segment_sum(weights, segment_ids, rows)
        else:
            scale = math_ops.sqrt(_segment_sum(math_ops.square(weights), segment_ids, rows))
        return math_ops.divide(total, _expand_to(scale, total))  # TF divides as is: 0/0 for a row without ids


def _expand_to(vector, like):
    """`vector` [n] reshaped to [n, 1, ..., 1] to broadcast against `like` [n, ...]."""
    extra = array_ops.shape(array_ops.shape(like))[0] - 1
    shape = concat([array_ops.shape(vector), array_ops.fill(expand_dims(extra, 0), 1)], 0)
    return array_ops.reshape(vector, shape)
