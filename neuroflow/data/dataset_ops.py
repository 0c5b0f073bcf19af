"""`tf.data.Dataset` and its transformations (TF1 API): a Dataset describes a sequence of elements (nested
structures of arrays); iterators (`iterator_ops`) run it in a Session, or `for x in dataset` runs it eagerly.

Elements are NumPy values internally. Each Dataset yields flat tuples of arrays from `_elements(run)`, where
`run` (one per initialized iterator) holds the values of the graph tensors the pipeline captured (placeholders
fed to the initializer, ...) and the session whose state stateful parts use. Pipelines over
`from_tensor_slices` that only shuffle, repeat, take, skip, cache or prefetch move arrays of row indices instead
of elements, so `batch` gathers a whole batch with one NumPy indexing per component.
"""
import numpy as np

from ..framework import context as mode
from ..framework import dtypes
from ..framework.tensor import Tensor
from ..framework.tensor_util import constant_value
from . import structure as nest

__all__ = ["Dataset", "TextLineDataset", "experimental"]


class _Run:
    """One iteration of a pipeline: captured tensors' values (by id), the session context, and state that lasts
    across re-opening parts of the pipeline (the shuffle generator across epochs, a filled cache)."""

    __slots__ = ("ctx", "env", "state")

    def __init__(self, ctx, env=None):
        self.ctx = ctx
        self.env = env or {}
        self.state = {}

    def get(self, value):
        """An argument's value: a captured tensor's value in this run, or the value itself."""
        return self.env[id(value)] if isinstance(value, Tensor) else value


class Dataset:
    """A sequence of elements, each a nested structure (tuples, dicts) of arrays.

    Build one with `from_tensor_slices`, `from_tensors`, `from_generator`, `range` or `zip`, transform it
    (`map`, `filter`, `shuffle`, `batch`, `repeat`, ...) and read it through an iterator.

    Example:
        >>> dataset = tf.data.Dataset.from_tensor_slices((x_train, y_train)).shuffle(1000).batch(32).repeat()
        >>> images, labels = dataset.make_one_shot_iterator().get_next()
    """

    _indexable = False

    def __init__(self, spec, inputs=(), captures=()):
        self._spec = spec
        self._flat_spec = nest.flatten(spec)
        self._inputs = list(inputs)
        self._captures = list(captures)

    # --- the element structure (TF1 properties) -----------------------------------------------------------
    @property
    def output_types(self):
        """The dtypes of an element's components, in the element's structure."""
        return nest.types_of(self._spec)

    @property
    def output_shapes(self):
        """The static shapes of an element's components (`TensorShape`s; unknown dims are None)."""
        return nest.shapes_of(self._spec)

    @property
    def output_classes(self):
        """The classes of an element's components (`tf.Tensor` for each)."""
        return nest.classes_of(self._spec)

    # --- sources -----------------------------------------------------------------------------------------------
    @staticmethod
    def from_tensor_slices(tensors):
        """A dataset of the slices of `tensors` along their first dimension.

        Args:
            tensors: a nested structure (tuple, dict) of arrays, Python lists or tensors, all with the same size
                in dimension 0. A placeholder here gets its value when the iterator's initializer runs.

        Example:
            >>> tf.data.Dataset.from_tensor_slices(({"x": features}, labels))
        """
        from .sources import TensorSliceDataset
        return TensorSliceDataset(tensors)

    @staticmethod
    def from_tensors(tensors):
        """A dataset with the single element `tensors`."""
        from .sources import TensorDataset
        return TensorDataset(tensors)

    @staticmethod
    def from_generator(generator, output_types, output_shapes=None, args=None):
        """A dataset of the elements yielded by `generator(*args)` (called anew for each iteration).

        Args:
            generator: a callable returning an iterator; each element must match `output_types`.
            output_types: the element's dtypes (a nested structure).
            output_shapes: optional shapes (a nested structure like `output_types`); unknown by default.
            args: optional tuple of arguments (arrays or tensors), passed to `generator` as NumPy values.

        Raises (while iterating):
            tf.errors.InvalidArgumentError: an element of the wrong shape or type.
        """
        from .sources import GeneratorDataset
        return GeneratorDataset(generator, output_types, output_shapes, args)

    @staticmethod
    def range(*args):
        """`range(stop)`, `range(start, stop)` or `range(start, stop, step)` as a dataset of int64 scalars."""
        from .sources import RangeDataset
        return RangeDataset(*args)

    @staticmethod
    def zip(datasets):
        """Elements of `datasets` (a nested structure of datasets) side by side, until the shortest ends."""
        from .sources import ZipDataset
        return ZipDataset(datasets)

    def concatenate(self, dataset):
        """This dataset's elements followed by `dataset`'s (same types and structure)."""
        from .sources import ConcatenateDataset
        return ConcatenateDataset(self, dataset)

    # --- transformations ---------------------------------------------------------------------------------------
    def map(self, map_func, num_parallel_calls=None):
        """Applies `map_func` to each element. `map_func` receives tensors shaped like one element (a tuple
        element is unpacked into arguments) and returns tensors; it is traced once into its own graph.

        Args:
            map_func: builds the result from graph ops; a returned list is treated as a tuple.
            num_parallel_calls: accepted for compatibility; elements are mapped in order, one at a time.
        """
        from .transformations import MapDataset
        return MapDataset(self, map_func)

    def flat_map(self, map_func):
        """Maps each element to a dataset (`map_func` returns one) and concatenates those datasets."""
        from .transformations import FlatMapDataset
        return FlatMapDataset(self, map_func)

    def interleave(self, map_func, cycle_length=1, block_length=1, num_parallel_calls=None):
        """Like `flat_map`, taking `block_length` elements from each of `cycle_length` datasets in turn."""
        from .transformations import FlatMapDataset
        return FlatMapDataset(self, map_func, cycle_length, block_length)

    def filter(self, predicate):
        """The elements for which `predicate` (traced like a map function) returns a scalar True."""
        from .transformations import FilterDataset
        return FilterDataset(self, predicate)

    def shuffle(self, buffer_size, seed=None, reshuffle_each_iteration=None):
        """Shuffles with a buffer of `buffer_size` elements (TF's semantics: a buffer at least as large as the
        dataset gives a uniform shuffle).

        Args:
            buffer_size: elements held in the buffer.
            seed: op seed; with the graph seed (`tf.set_random_seed`) it makes the order reproducible.
            reshuffle_each_iteration: a new order for each pass (each repeat); default True.
        """
        from .transformations import ShuffleDataset
        return ShuffleDataset(self, buffer_size, seed, reshuffle_each_iteration)

    def batch(self, batch_size, drop_remainder=False):
        """Stacks `batch_size` consecutive elements; the last batch may be smaller unless `drop_remainder`.
        Static shapes get a leading dimension of None (or `batch_size` with `drop_remainder=True`)."""
        from .batching import BatchDataset
        return BatchDataset(self, batch_size, drop_remainder)

    def padded_batch(self, batch_size, padded_shapes, padding_values=None, drop_remainder=False):
        """Batches elements of varying shapes, padding each component to `padded_shapes` (-1 or None: the
        largest in the batch) with `padding_values` (default 0, or b"" for strings)."""
        from .batching import PaddedBatchDataset
        return PaddedBatchDataset(self, batch_size, padded_shapes, padding_values, drop_remainder)

    def repeat(self, count=None):
        """Repeats the dataset `count` times (None or -1: forever)."""
        from .transformations import RepeatDataset
        return RepeatDataset(self, count)

    def take(self, count):
        """The first `count` elements (-1: all)."""
        from .transformations import TakeDataset
        return TakeDataset(self, count)

    def skip(self, count):
        """All but the first `count` elements (-1: skips everything)."""
        from .transformations import SkipDataset
        return SkipDataset(self, count)

    def shard(self, num_shards, index):
        """Every `num_shards`-th element, starting at `index`."""
        from .transformations import ShardDataset
        return ShardDataset(self, num_shards, index)

    def prefetch(self, buffer_size):
        """The same elements, in the same order, made up to `buffer_size` ahead by a background thread while
        the consumer (the training step) works: reading, `map` and `batch` overlap the step.

        Args:
            buffer_size: how many elements to buffer (an int64 scalar or tensor); 0 prefetches nothing and
                `tf.data.experimental.AUTOTUNE` (-1) picks a small buffer.
        """
        from .transformations import PrefetchDataset
        return PrefetchDataset(self, buffer_size)

    def cache(self, filename=""):
        """Keeps the elements of the first complete pass in memory; later passes (repeat) replay them.
        A `filename` is accepted, but the cache is kept in memory all the same."""
        from .transformations import CacheDataset
        return CacheDataset(self)

    def apply(self, transformation_func):
        """`transformation_func(self)`, which must return a Dataset (e.g. `tf.data.experimental.unbatch()`)."""
        result = transformation_func(self)
        if not isinstance(result, Dataset):
            raise TypeError("`transformation_func` must return a Dataset.")
        return result

    # --- iterators ---------------------------------------------------------------------------------------------
    def make_one_shot_iterator(self):
        """An iterator that initializes itself on first use (in each Session); the dataset may not depend on
        placeholders (use `make_initializable_iterator`)."""
        from .iterator_ops import make_one_shot_iterator
        return make_one_shot_iterator(self)

    def make_initializable_iterator(self, shared_name=None):
        """An iterator whose `initializer` must run first (feeding the placeholders the dataset uses)."""
        from .iterator_ops import make_initializable_iterator
        return make_initializable_iterator(self, shared_name)

    def __iter__(self):
        """Eager mode: iterate the elements as EagerTensors (`for x, y in dataset:`)."""
        if not mode.executing_eagerly():
            raise RuntimeError("dataset.__iter__() is only supported when eager execution is enabled.")
        from .iterator_ops import EagerIterator
        return EagerIterator(self)

    def __repr__(self):
        return f"<{type(self).__name__} shapes: {self.output_shapes}, types: {self.output_types}>"

    # --- the protocol that runs a pipeline ---------------------------------------------------------------------
    def _elements(self, run):
        """Yields the elements as flat tuples of arrays. Index-based datasets yield rows of their sources."""
        sources = self._index_sources(run)
        for chunk in self._index_chunks(run):
            for i in chunk.tolist():
                yield tuple([s[i] for s in sources])

    def _index_sources(self, run):
        """For `_indexable` datasets: the arrays whose rows the elements are."""
        raise NotImplementedError

    def _index_chunks(self, run):
        """For `_indexable` datasets: yields int64 arrays of row indices, in element order."""
        raise NotImplementedError

    def _all_captures(self):
        """The graph tensors the whole pipeline reads, each once, in a fixed order."""
        seen, out, stack = set(), [], [self]
        while stack:
            ds = stack.pop()
            for t in ds._captures:
                if id(t) not in seen:
                    seen.add(id(t))
                    out.append(t)
            stack.extend(reversed(ds._inputs))
        return out


def scalar_arg(value, dtype, dataset_captures, what):
    """A scalar argument (count, batch_size, buffer_size): a Python/NumPy value, or a graph tensor captured
    by the dataset (its value comes with the iterator's initialization)."""
    if isinstance(value, Tensor) or (hasattr(value, "graph") and not hasattr(value, "numpy")):
        from ..framework.apply import convert_to_tensor
        t = convert_to_tensor(value)
        if t.shape.ndims not in (None, 0):
            raise ValueError(f"`{what}` must be a scalar, got a tensor of shape {t.shape}.")
        if not t.dtype.base_dtype.is_integer and dtype is dtypes.int64:
            raise TypeError(f"`{what}` must be an integer tensor, got {t.dtype.base_dtype.name}.")
        known = constant_value(t)
        if known is not None:  # e.g. tf.constant(32, tf.int64): a static batch size, nothing to capture
            return np.asarray(known).item()
        dataset_captures.append(t)
        return t
    if hasattr(value, "numpy"):
        value = value.numpy()
    arr = np.asarray(value)
    if arr.ndim != 0:
        raise ValueError(f"`{what}` must be a scalar, got shape {arr.shape}.")
    return arr.item() if arr.dtype.kind != "b" else bool(arr)


def run_int(run, value):
    """An integer argument's value in `run`."""
    return int(run.get(value))


from .sources import TextLineDataset  # noqa: E402 - the sources subclass Dataset, defined above
from . import experimental  # noqa: E402,F401 - tf.data.experimental
