"""Datasets that make elements: from arrays or tensors (`from_tensor_slices`, `from_tensors`), from a Python
generator, `range`, text files, and the combinations `zip` and `concatenate`."""

import numpy as np

from ..framework import dtypes, errors
from ..framework.sparse_tensor import SparseTensor, SparseTensorValue
from ..framework.tensor import Tensor
from ..framework.tensor_shape import TensorShape
from . import structure as nest
from .dataset_ops import Dataset, run_int, scalar_arg

__all__ = ["TextLineDataset"]


def _captured(flat):
    return [t for v in flat for t in ([v.indices, v.values, v.dense_shape] if isinstance(v, SparseTensor) else [v])
            if isinstance(t, Tensor)]


def _value(run, component):
    """A component's value in `run`: an array, or a SparseTensorValue for a sparse one."""
    if isinstance(component, SparseTensor):
        return SparseTensorValue(np.asarray(run.get(component.indices)), np.asarray(run.get(component.values)),
                                 np.asarray(run.get(component.dense_shape)))
    if isinstance(component, SparseTensorValue):
        return component
    return np.asarray(run.get(component))


def _rows(value):
    """The rows a component is sliced into: an array, or an object array of a sparse one's rows."""
    if not isinstance(value, SparseTensorValue):
        return value
    if len(value.dense_shape) == 0:
        return np.asarray(0)   # rank 0: no rows (reported with the other components' sizes)
    rows = nest.sparse_rows(value)
    out = np.empty(len(rows), dtype=object)
    for i, row in enumerate(rows):
        out[i] = row
    return out


class TensorSliceDataset(Dataset):
    """The rows of arrays (`from_tensor_slices`): index-based, so downstream batching gathers rows at once."""

    _indexable = True

    def __init__(self, tensors):
        spec, flat = nest.normalize_element(tensors)
        if not flat:
            raise ValueError("`from_tensor_slices` needs at least one component.")
        rows = None
        slices = []
        for s in nest.flatten(spec):
            if s.shape.ndims == 0:
                raise ValueError(f"Unbatching a tensor is only supported for rank >= 1; got a component of shape "
                                 f"{s.shape} (dtype {s.dtype.name}).")
            if s.shape.ndims is None:
                slices.append(type(s)(s.dtype, TensorShape(None)))
                continue
            n = s.shape.dims[0].value
            if n is not None:
                if rows is not None and rows != n:
                    raise ValueError(f"Dimensions {rows} and {n} are not compatible")
                rows = n
            slices.append(type(s)(s.dtype, s.shape[1:]))
        super().__init__(nest.pack(spec, slices), captures=_captured(flat))
        self._components = flat

    def _index_sources(self, run):
        key = ("sources", id(self))
        sources = run.state.get(key)
        if sources is None:
            sources = [_rows(_value(run, c)) for c in self._components]
            sizes = {len(s) if s.ndim else None for s in sources}
            if None in sizes or len(sizes) > 1:
                raise errors.InvalidArgumentError(
                    None, None, "All components must have the same size in the 0th dimension; got shapes " +
                    ", ".join(str(list(s.shape)) for s in sources))
            run.state[key] = sources
        return sources

    def _index_chunks(self, run):
        n = len(self._index_sources(run)[0])
        if n:
            yield np.arange(n, dtype=np.int64)


class TensorDataset(Dataset):
    """One element (`from_tensors`)."""

    def __init__(self, tensors):
        spec, flat = nest.normalize_element(tensors)
        super().__init__(spec, captures=_captured(flat))
        self._components = flat

    def _elements(self, run):
        yield tuple([_value(run, c) for c in self._components])


class GeneratorDataset(Dataset):
    """Elements from a Python generator (`from_generator`), converted to the declared types and checked against
    the declared shapes."""

    def __init__(self, generator, output_types, output_shapes=None, args=None):
        if not callable(generator):
            raise TypeError("`generator` must be callable.")
        spec = nest.specs_from(output_types, output_shapes)
        args = [] if args is None else [nest.value_of(a, "generator argument") for a in
                                        (args if isinstance(args, (tuple, list)) else (args,))]
        super().__init__(spec, captures=_captured(args))
        self._generator = generator
        self._args = args
        self._types = nest.types_of(spec)

    def _elements(self, run):
        np_types = [s.dtype.as_numpy_dtype for s in self._flat_spec]
        for value in self._generator(*[run.get(a) for a in self._args]):
            try:
                flat = nest.flatten_up_to(self._types, value)
            except (ValueError, TypeError):
                raise errors.InvalidArgumentError(
                    None, None, f"TypeError: `generator` yielded an element that did not match the expected "
                                f"structure. The expected structure was {self._types!r}, but the yielded element "
                                f"was {value!r}.") from None
            yield tuple([self._convert(v, np_type, spec) for v, np_type, spec in zip(flat, np_types,
                                                                                       self._flat_spec)])

    @staticmethod
    def _convert(value, np_type, spec):
        try:
            if spec.dtype is dtypes.string:
                from ..framework.tensor_util import make_ndarray
                arr = make_ndarray(value, dtypes.string)
            else:
                arr = np.asarray(value, dtype=np_type)
        except (TypeError, ValueError):
            raise errors.InvalidArgumentError(
                None, None, f"TypeError: `generator` yielded an element that could not be converted to the expected "
                            f"type. The expected type was {spec.dtype.name}, but the yielded element was {value!r}."
            ) from None
        if not spec.shape.is_compatible_with(arr.shape):
            raise errors.InvalidArgumentError(
                None, None, f"ValueError: `generator` yielded an element of shape {arr.shape} where an element of "
                            f"shape {spec.shape} was expected.")
        return arr


class RangeDataset(Dataset):
    """int64 scalars `start, start + step, ...` below `stop` (`range`)."""

    def __init__(self, *args):
        if not 1 <= len(args) <= 3:
            raise ValueError(f"Invalid arguments to RangeDataset: {args}")
        captures = []
        values = [scalar_arg(a, dtypes.int64, captures, "range argument") for a in args]
        if len(values) == 1:
            values = [0] + values
        if len(values) == 2:
            values.append(1)
        super().__init__(nest.Spec(dtypes.int64, []), captures=captures)
        self._args = values

    def _elements(self, run):
        start, stop, step = (run_int(run, a) for a in self._args)
        if step == 0:
            raise errors.InvalidArgumentError(None, None, "step size cannot be 0")
        for v in range(start, stop, step):
            yield (np.array(v, np.int64),)


class ZipDataset(Dataset):
    """Elements of several datasets side by side (`zip`)."""

    def __init__(self, datasets):
        if isinstance(datasets, list):
            datasets = tuple(datasets)
        flat = nest.flatten(datasets)
        if not all(isinstance(d, Dataset) for d in flat):
            raise TypeError("The argument to `Dataset.zip()` must be a nested structure of `Dataset` objects.")
        super().__init__(nest.pack(datasets, [d._spec for d in flat]), inputs=flat)

    def _elements(self, run):
        iterators = [d._elements(run) for d in self._inputs]
        while True:
            element = []
            for it in iterators:
                part = next(it, None)
                if part is None:
                    return
                element.extend(part)
            yield tuple(element)


class ConcatenateDataset(Dataset):
    """One dataset's elements, then another's (`concatenate`)."""

    def __init__(self, first, second):
        if not isinstance(second, Dataset):
            raise TypeError("`dataset` must be a Dataset.")
        if first.output_types != second.output_types or len(first._flat_spec) != len(second._flat_spec):
            raise TypeError(f"Two datasets to concatenate have different types {first.output_types} and "
                            f"{second.output_types}")
        nest.assert_same_structure(first._spec, second._spec)
        specs = [nest.Spec(a.dtype, a.shape.most_specific_compatible_shape(b.shape))
                 for a, b in zip(first._flat_spec, second._flat_spec)]
        super().__init__(nest.pack(first._spec, specs), inputs=[first, second])

    def _elements(self, run):
        for dataset in self._inputs:
            yield from dataset._elements(run)


class TextLineDataset(Dataset):
    """The lines of text files, as string scalars without the line ending.

    Args:
        filenames: a file name, a list of them, or a string tensor of them.
        compression_type: "" / None, or "GZIP".
        buffer_size: accepted for compatibility.

    Example:
        >>> lines = tf.data.TextLineDataset("train.csv").skip(1)
    """

    def __init__(self, filenames, compression_type=None, buffer_size=None, num_parallel_reads=None):
        value = nest.value_of(filenames, "filename")
        super().__init__(nest.Spec(dtypes.string, []), captures=_captured([value]))
        self._filenames = value
        self._compression = (compression_type or "").upper()
        if self._compression not in ("", "GZIP"):
            raise ValueError(f"Unsupported compression_type {compression_type!r}: use '' or 'GZIP'.")

    def _elements(self, run):
        names = np.asarray(run.get(self._filenames), dtype=object).reshape(-1)
        if self._compression == "GZIP":
            import gzip
            opener = gzip.open
        else:
            opener = open
        for name in names.tolist():
            path = name.decode() if isinstance(name, bytes) else str(name)
            try:
                handle = opener(path, "rb")
            except OSError as e:
                raise errors.NotFoundError(None, None, f"{path}; {e.strerror or e}") from None
            with handle:
                for line in handle:
                    yield (np.array(line.rstrip(b"\n").rstrip(b"\r"), dtype=object),)
