"""`batch` and `padded_batch`. Over an index-based input (rows of `from_tensor_slices`, shuffled, repeated...)
a batch is one NumPy gather per component; otherwise elements are stacked (or padded and stacked)."""
import numpy as np

from ..framework import dtypes, errors
from ..framework.sparse_tensor import SparseTensorValue
from ..framework.tensor_shape import TensorShape
from ..framework.tensor_util import build_time_value
from . import structure as nest
from .dataset_ops import Dataset, run_int, scalar_arg

__all__ = []


def _batched_shape(shape, batch_dim):
    if shape.ndims is None:
        return TensorShape(None)
    return TensorShape([batch_dim]).concatenate(shape)


class _Batching(Dataset):
    def __init__(self, input_dataset, batch_size, drop_remainder, element_shapes):
        captures = []
        self._batch_size = scalar_arg(batch_size, dtypes.int64, captures, "batch_size")
        self._drop = bool(build_time_value(drop_remainder, "drop_remainder"))
        if not captures and self._batch_size <= 0:
            raise errors.InvalidArgumentError(None, None, "Batch size must be greater than zero.")
        batch_dim = self._batch_size if self._drop and not captures else None
        specs = [type(s)(s.dtype, _batched_shape(shape, batch_dim))   # a SparseSpec stays one
                 for s, shape in zip(input_dataset._flat_spec, element_shapes)]
        super().__init__(nest.pack(input_dataset._spec, specs), inputs=[input_dataset], captures=captures)

    def _size(self, run):
        size = run_int(run, self._batch_size)
        if size <= 0:
            raise errors.InvalidArgumentError(None, None, "Batch size must be greater than zero.")
        return size

    def _groups(self, run, size):
        """Lists of `size` consecutive input elements (and the short last one unless dropping remainders)."""
        group = []
        for element in self._inputs[0]._elements(run):
            group.append(element)
            if len(group) == size:
                yield group
                group = []
        if group and not self._drop:
            yield group


class BatchDataset(_Batching):
    """`batch`: consecutive elements stacked along a new first dimension."""

    def __init__(self, input_dataset, batch_size, drop_remainder=False):
        super().__init__(input_dataset, batch_size, drop_remainder, [s.shape for s in input_dataset._flat_spec])

    def _elements(self, run):
        size = self._size(run)
        source = self._inputs[0]
        if source._indexable:
            return self._gathered(run, source, size)
        return (_stack(group) for group in self._groups(run, size))

    def _gathered(self, run, source, size):
        arrays = source._index_sources(run)
        sparse = [nest.is_sparse_spec(s) for s in source._flat_spec]

        def gather(rows):   # a sparse component's rows are SparseTensorValues, batched as TensorFlow batches them
            return tuple([_batch_sparse(k, a.take(rows, axis=0).tolist()) if sparse[k] else a.take(rows, axis=0)
                          for k, a in enumerate(arrays)])
        pending = None
        for chunk in source._index_chunks(run):
            if pending is not None and len(pending):
                chunk = np.concatenate([pending, chunk])
            full = len(chunk) - len(chunk) % size
            for start in range(0, full, size):
                yield gather(chunk[start:start + size])
            pending = chunk[full:]
        if pending is not None and len(pending) and not self._drop:
            yield gather(pending)


def _as_bytes(item):
    return item.encode("utf-8") if isinstance(item, str) else bytes(item)


def _stack_strings(parts):
    """String elements (0-d object arrays, bytes, NumPy bytes or str scalars or arrays) stacked into an object array
    of bytes, as string tensors are held. NumPy alone would nest the 0-d arrays, or pick a fixed-width bytes dtype
    from the first element and cut the longer ones short."""
    arrays = [np.asarray(p, dtype=object) for p in parts]
    if any(a.shape != arrays[0].shape for a in arrays):
        raise ValueError("ragged")
    out = np.empty((len(arrays),) + arrays[0].shape, dtype=object)
    flat = out.reshape(len(arrays), -1)
    for j, a in enumerate(arrays):
        flat[j] = [_as_bytes(item) for item in a.reshape(-1).tolist()]
    return out


def _batch_sparse(k, parts):
    """SparseTensorValues batched as TensorFlow does: along a new first dimension (each index row prefixed with its
    element's position), the dense shape the largest of each dimension."""
    ranks = {len(p.dense_shape) for p in parts}
    if len(ranks) != 1:
        raise errors.InvalidArgumentError(None, None, f"Cannot batch sparse tensors of different ranks in component "
                                                      f"{k}: {sorted(ranks)}.")
    (rank,) = ranks
    dense_shape = np.max(np.array([p.dense_shape for p in parts], dtype=np.int64).reshape(len(parts), rank), axis=0)
    indices = [np.column_stack([np.full(len(p.values), b, np.int64),
                                np.asarray(p.indices, np.int64).reshape(len(p.values), rank)])
               for b, p in enumerate(parts)]
    values = [np.asarray(p.values) for p in parts]
    if values[0].dtype.kind in "OSU":
        values = [np.array([_as_bytes(x) for x in v.tolist()], dtype=object).reshape(-1) for v in values]
    return SparseTensorValue(np.concatenate(indices).reshape(-1, rank + 1), np.concatenate(values),
                             np.concatenate([[len(parts)], dense_shape]).astype(np.int64))


def _stack(group):
    out = []
    for k in range(len(group[0])):
        parts = [element[k] for element in group]
        if isinstance(parts[0], SparseTensorValue):
            out.append(_batch_sparse(k, parts))
            continue
        try:  # np.array stacks equal-shaped parts several times faster than np.stack
            dtype = np.asarray(parts[0]).dtype
            if dtype.kind in "OSU":
                out.append(_stack_strings(parts))
                continue
            batch = np.array(parts, dtype=dtype)
            if batch.shape[1:] != np.shape(parts[0]):
                raise ValueError("ragged")
            out.append(batch)
        except ValueError:
            first = np.shape(parts[0])
            j = next(i for i, p in enumerate(parts) if np.shape(p) != first)
            raise errors.InvalidArgumentError(
                None, None, f"Cannot batch tensors with different shapes in component {k}. First element had shape "
                            f"{list(first)} and element {j} had shape {list(np.shape(parts[j]))}.") from None
    return tuple(out)


def _padded_shape(value, input_shape):
    """A padded shape given by the user (list, TensorShape, or constant tensor; -1 or None: pad to the longest)."""
    if isinstance(value, TensorShape):
        shape = value
    else:
        value = build_time_value(value, "padded_shapes")
        if isinstance(value, np.ndarray):
            value = value.tolist()
        shape = TensorShape([None if d is None or (not hasattr(d, "value") and int(d) == -1) else d for d in value])
    compatible = shape.ndims is None or input_shape.ndims is None or (
        shape.ndims == input_shape.ndims and all(
            p.value is None or i.value is None or p.value >= i.value for p, i in zip(shape.dims, input_shape.dims)))
    if not compatible:
        raise ValueError(f"The padded shape {shape} is not compatible with the corresponding input component shape "
                         f"{input_shape}.")
    return shape


def _padding_value(value, dtype):
    if value is None:
        return np.array(b"" if dtype is dtypes.string else 0, dtype=dtype.as_numpy_dtype)
    arr = np.asarray(build_time_value(value, "padding_values"))
    if arr.ndim != 0:
        raise ValueError(f"Padding value should be a scalar, but is not: {value}")
    if dtype is dtypes.string:
        return np.array(arr.item() if isinstance(arr.item(), bytes) else str(arr.item()).encode(), dtype=object)
    return arr.astype(dtype.as_numpy_dtype)


class PaddedBatchDataset(_Batching):
    """`padded_batch`: elements padded to common shapes, then stacked."""

    def __init__(self, input_dataset, batch_size, padded_shapes, padding_values=None, drop_remainder=False):
        types = input_dataset.output_types
        if any(map(nest.is_sparse_spec, input_dataset._flat_spec)):
            raise TypeError("Batching of padded sparse tensors is not currently supported")
        padded = nest.flatten_up_to(types, padded_shapes)
        padded = [_padded_shape(p, s.shape) for p, s in zip(padded, input_dataset._flat_spec)]
        if padding_values is None:
            values = [None] * len(padded)
        else:
            values = nest.flatten_up_to(types, padding_values)
        self._padded = padded
        self._values = [_padding_value(v, s.dtype) for v, s in zip(values, input_dataset._flat_spec)]
        super().__init__(input_dataset, batch_size, drop_remainder, padded)

    def _elements(self, run):
        size = self._size(run)
        for group in self._groups(run, size):
            yield tuple([self._pad(k, [np.asarray(e[k]) for e in group]) for k in range(len(group[0]))])

    def _pad(self, k, parts):
        rank = parts[0].ndim
        if any(p.ndim != rank for p in parts):
            raise errors.InvalidArgumentError(None, None, f"All elements in a batch must have the same rank as the "
                                                          f"padded shape for component{k}")
        padded = self._padded[k]
        longest = np.max([p.shape for p in parts], axis=0) if rank else ()
        target = [int(longest[d]) if padded.ndims is None or padded.dims[d].value is None else padded.dims[d].value
                  for d in range(rank)]
        dtype = parts[0].dtype
        if dtype.kind in "OSU":  # strings: an object array of bytes (a fixed-width dtype would cut longer ones)
            dtype = object
            parts = [np.vectorize(_as_bytes, otypes=[object])(p) if p.size else p.astype(object) for p in parts]
        out = np.full([len(parts)] + target, self._values[k], dtype=dtype)
        for j, p in enumerate(parts):
            if any(p.shape[d] > target[d] for d in range(rank)):
                raise errors.DataLossError(None, None, "Attempted to pad to a smaller size than the input element.")
            out[(j,) + tuple(slice(0, n) for n in p.shape)] = p
        return out
