"""More of TensorFlow 1's sparse-tensor functions, all compositions of the sparse primitives: sparse_retain,
sparse_transpose, sparse_reduce_max, sparse_softmax, sparse_to_indicator and sparse_fill_empty_rows."""
import numpy as np

from ..framework import dtypes
from ..framework.apply import convert_to_tensor
from ..framework.graph import name_scope
from ..framework.sparse_tensor import SparseTensor
from . import array_ops, math_ops
from .concat_ops import concat
from .grad_support_ops import expand_dims, ones_like, where
from .index_ops import gather
from .nd_index_ops import gather_nd, scatter_nd
from .sparse_ops import _as_sparse, sparse_reorder, sparse_to_dense

__all__ = ["sparse_retain", "sparse_transpose", "sparse_reduce_max", "sparse_softmax", "sparse_to_indicator",
           "sparse_fill_empty_rows"]


def sparse_retain(sp_input, to_retain):
    """The entries of `sp_input` where the bool vector `to_retain` (one flag per entry) is True.

    Example:
        >>> tf.sparse_retain(sp, [True, False, True])   # the first and third entries
    """
    sp_input = _as_sparse(sp_input)
    to_retain = convert_to_tensor(to_retain, dtype=dtypes.bool)
    if to_retain.shape.ndims not in (None, 1):
        raise ValueError(f"Shape {to_retain.shape} must have rank 1")
    with name_scope(None, "SparseRetain", [sp_input]):
        kept = where(to_retain)[:, 0]
        return SparseTensor(gather(sp_input.indices, kept), gather(sp_input.values, kept), sp_input.dense_shape)


def sparse_transpose(sp_input, perm=None, name=None):
    """`sp_input` with its dimensions permuted by `perm` (default: reversed), entries in row-major order.

    Example:
        >>> tf.sparse_transpose(tf.SparseTensor([[0, 2]], [5], [1, 3]))   # entry [2, 0], dense_shape [3, 1]
    """
    sp_input = _as_sparse(sp_input)
    with name_scope(name, "SparseTranspose", [sp_input]):
        if perm is None:
            rank = sp_input.shape.ndims
            if rank is None:
                raise ValueError("sparse_transpose needs perm for an input of unknown rank")
            perm = list(range(rank - 1, -1, -1))
        perm = convert_to_tensor(perm, dtype=dtypes.int32, name="perm")
        indices = gather(sp_input.indices, perm, axis=1)
        dense_shape = gather(sp_input.dense_shape, perm)
        return sparse_reorder(SparseTensor(indices, sp_input.values, dense_shape))


def _lowest(dtype):
    np_dtype = np.dtype(dtype.as_numpy_dtype)
    return -np.inf if np_dtype.kind == "f" else np.iinfo(np_dtype).min


def sparse_reduce_max(sp_input, axis=None, keepdims=None, reduction_axes=None, keep_dims=None):
    """The maximum of the entries present in `sp_input` over `axis` (all by default): missing entries do not
    count as zeros (a group without entries gives the dtype's lowest value, -inf for floats).

    Example:
        >>> # x = [[1, ?, 2], [?, 3, ?]]
        >>> tf.sparse_reduce_max(x, 1)   # [2, 3]
    """
    from .reduce_ops import reduce_max
    sp_input = _as_sparse(sp_input)
    axis = reduction_axes if axis is None else axis
    keepdims = bool(keep_dims if keepdims is None else keepdims)
    with name_scope(None, "SparseReduceMax", [sp_input]):
        dense = sparse_to_dense(sp_input.indices, sp_input.dense_shape, sp_input.values,
                                _lowest(sp_input.dtype.base_dtype), validate_indices=False)
        if sp_input.shape.ndims is not None:
            dense.set_shape(sp_input.shape)
        return reduce_max(dense, axis=axis, keepdims=keepdims)


def sparse_softmax(sp_input, name=None):
    """The softmax over the entries present in each innermost row of `sp_input` (missing entries take no part),
    as a SparseTensor with the same indices.

    Example:
        >>> tf.sparse_softmax(tf.SparseTensor([[0, 0], [0, 2]], [1.0, 1.0], [1, 3])).values   # [0.5, 0.5]
    """
    from ..nn.activations import softmax
    sp_input = _as_sparse(sp_input)
    with name_scope(name, "SparseSoftmax", [sp_input]):
        dense = sparse_to_dense(sp_input.indices, sp_input.dense_shape, sp_input.values, -np.inf,
                                validate_indices=False)
        values = gather_nd(softmax(dense), sp_input.indices)
        return SparseTensor(sp_input.indices, values, sp_input.dense_shape)


def sparse_to_indicator(sp_input, vocab_size, name=None):
    """A dense bool tensor [..., vocab_size]: True at [i..., id] for each id among row i...'s values.

    Example:
        >>> tf.sparse_to_indicator(tf.SparseTensor([[0, 0], [0, 1]], [2, 0], [1, 2]), 4)   # [[T, F, T, F]]
    """
    sp_input = _as_sparse(sp_input)
    with name_scope(name, "SparseToIndicator", [sp_input]):
        ids = math_ops.cast(expand_dims(sp_input.values, 1), dtypes.int64)
        indices = concat([sp_input.indices[:, :-1], ids], 1)
        shape = concat([sp_input.dense_shape[:-1], convert_to_tensor([vocab_size], dtype=dtypes.int64)], 0)
        hits = scatter_nd(indices, ones_like(sp_input.values, dtype=dtypes.int32), shape)
        return math_ops.greater(hits, 0)


def sparse_fill_empty_rows(sp_input, default_value, name=None):
    """`sp_input` with an entry `default_value` at [r, 0, ..., 0] for each row r that has none, and the bool
    vector saying which rows were empty.

    Returns:
        (SparseTensor in row-major order, empty_row_indicator [dense_shape[0]]).
    """
    sp_input = _as_sparse(sp_input)
    with name_scope(name, "SparseFillEmptyRows", [sp_input]):
        rows = sp_input.dense_shape[0]
        counts = scatter_nd(sp_input.indices[:, :1], ones_like(sp_input.values, dtype=dtypes.int64),
                            expand_dims(rows, 0))
        empty = math_ops.equal(counts, 0)
        empty_rows = where(empty)  # [k, 1]
        width = array_ops.shape(sp_input.indices, out_type=dtypes.int64)[1:2]
        padding = array_ops.fill(concat([array_ops.shape(empty_rows, out_type=dtypes.int64)[:1], width - 1], 0),
                                 convert_to_tensor(0, dtype=dtypes.int64))
        new_indices = concat([empty_rows, padding], 1)
        default = convert_to_tensor(default_value, dtype=sp_input.dtype.base_dtype)
        new_values = array_ops.fill(array_ops.shape(empty_rows)[:1], default)
        filled = SparseTensor(concat([sp_input.indices, new_indices], 0), concat([sp_input.values, new_values], 0),
                              sp_input.dense_shape)
        return sparse_reorder(filled), empty
