"""Element-wise and sequence transformations of datasets: map, filter, flat_map/interleave, shuffle, repeat,
take, skip, shard, cache, prefetch (its thread in `prefetching`) and unbatch. The sequence ones keep a dataset
index-based when their input is, working on arrays of row indices rather than on elements."""
import itertools

import numpy as np

from ..framework import dtypes, errors
from ..framework.context import executing_eagerly
from ..framework.random_seed import get_seed
from ..framework.sparse_tensor import SparseTensorValue
from ..framework.tensor_util import build_time_value
from . import structure as nest
from .dataset_ops import Dataset, _Run, run_int, scalar_arg
from .functions import DatasetFunction, check_scalar_bool
from .prefetching import AUTOTUNE_BUFFER, prefetched
from .shuffling import ShuffleSeeds, shuffled_chunks, shuffled_elements

__all__ = []


class MapDataset(Dataset):
    """`map`: the traced function's compiled plan runs once per element."""

    def __init__(self, input_dataset, map_func):
        self._fn = DatasetFunction(map_func, input_dataset._spec, "Dataset.map()")
        super().__init__(self._fn.output_spec, inputs=[input_dataset])

    def _elements(self, run):
        call = self._fn.caller(run.ctx)
        for element in self._inputs[0]._elements(run):
            yield call(element)


class FilterDataset(Dataset):
    """`filter`: the elements whose predicate is True."""

    def __init__(self, input_dataset, predicate):
        self._fn = DatasetFunction(predicate, input_dataset._spec, "Dataset.filter()")
        check_scalar_bool(self._fn)
        super().__init__(input_dataset._spec, inputs=[input_dataset])

    def _elements(self, run):
        call = self._fn.caller(run.ctx)
        for element in self._inputs[0]._elements(run):
            if call(element)[0]:
                yield element


class FlatMapDataset(Dataset):
    """`flat_map` and `interleave`: each element becomes a dataset (built by the traced function on the
    element's placeholders); its captured tensors are computed per element and it runs with those values."""

    def __init__(self, input_dataset, map_func, cycle_length=1, block_length=1):
        self._fn = fn = DatasetFunction(map_func, input_dataset._spec, "Dataset.flat_map()", keep_datasets=True)
        if not isinstance(fn.output, Dataset):
            raise TypeError(f"`map_func` must return a `Dataset` object. Got {type(fn.output)}")
        self._inner = fn.output
        self._inner_captures = fn.output._all_captures()
        self._cycle = int(build_time_value(cycle_length, "cycle_length"))
        self._block = int(build_time_value(block_length, "block_length"))
        if self._cycle < 1 or self._block < 1:
            raise ValueError("cycle_length and block_length must be positive.")
        super().__init__(fn.output._spec, inputs=[input_dataset])

    def _open(self, run, element, call):
        values = call(element) if call is not None else ()
        env = {id(t): v for t, v in zip(self._inner_captures, values)}
        return self._inner._elements(_Run(run.ctx, env))

    def _elements(self, run):
        call = None
        if self._inner_captures:
            plan = self._fn.plan(run.ctx, self._inner_captures)
            call = lambda e: plan.run(self._fn.wire_input(e))  # noqa: E731
        source = self._inputs[0]._elements(run)
        slots = [None] * self._cycle
        source_done = False
        i = 0
        while True:
            if slots[i] is None and not source_done:
                element = next(source, None)
                if element is None:
                    source_done = True
                else:
                    slots[i] = self._open(run, element, call)
            if slots[i] is not None:
                for _ in range(self._block):
                    value = next(slots[i], None)
                    if value is None:
                        slots[i] = None
                        break
                    yield value
            if source_done and all(s is None for s in slots):
                return
            i = (i + 1) % self._cycle


class _Unary(Dataset):
    """A transformation that keeps its input's element structure and, when the input is index-based, stays
    index-based (passing row indices through `_index_chunks`)."""

    def __init__(self, input_dataset, captures=()):
        super().__init__(input_dataset._spec, inputs=[input_dataset], captures=captures)
        self._indexable = input_dataset._indexable

    @property
    def _input(self):
        return self._inputs[0]

    def _index_sources(self, run):
        return self._input._index_sources(run)

    def _elements(self, run):
        if self._indexable:
            return Dataset._elements(self, run)
        return self._transform(self._input._elements(run), run)

    def _index_chunks(self, run):
        return self._transform_chunks(self._input._index_chunks(run), run)


class PrefetchDataset(_Unary):
    """`prefetch`: the same elements, made ahead by a background thread into a buffer of `buffer_size` (see
    `prefetching`); 0 prefetches nothing, AUTOTUNE (-1) a small fixed buffer. Index-based pipelines pass their
    row indices through: gathering them is the consumer's (batch's) one NumPy indexing."""

    def __init__(self, input_dataset, buffer_size):
        captures = []
        self._buffer_size = scalar_arg(buffer_size, dtypes.int64, captures, "buffer_size")
        if not captures:
            _prefetch_size(self._buffer_size)
        super().__init__(input_dataset, captures)

    def _transform(self, elements, run):
        size = _prefetch_size(run_int(run, self._buffer_size))
        return prefetched(elements, size) if size else elements

    def _transform_chunks(self, chunks, run):
        _prefetch_size(run_int(run, self._buffer_size))
        return chunks


def _prefetch_size(buffer_size):
    if buffer_size == -1:
        return AUTOTUNE_BUFFER
    if buffer_size < 0:
        raise errors.InvalidArgumentError(None, None,
                                          "buffer_size must be >= 0 or set buffer_size to be -1 for auto-tuning")
    return buffer_size


def _shuffle_seeds(seed):
    """TensorFlow's seeds for a shuffle (tf.data's get_seed): the op seed rule (which advances the graph's
    op-seed counter), (0, 0) when not seeded."""
    seed1, seed2 = get_seed(seed)
    return seed1 or 0, seed2 or 0


class ShuffleDataset(_Unary):
    """`shuffle`: TF's buffer semantics (see `shuffling`), reproducible with seeds."""

    def __init__(self, input_dataset, buffer_size, seed=None, reshuffle_each_iteration=None):
        captures = []
        self._buffer_size = scalar_arg(buffer_size, dtypes.int64, captures, "buffer_size")
        if not captures and self._buffer_size <= 0:
            raise errors.InvalidArgumentError(None, None, "buffer_size must be greater than zero.")
        if seed is not None:
            seed = int(build_time_value(seed, "the shuffle seed"))
        self._seeds = _shuffle_seeds(seed)
        self._reshuffle = True if reshuffle_each_iteration is None else bool(reshuffle_each_iteration)
        # Eagerly, TensorFlow's seed generator belongs to the dataset object: each iteration over it reshuffles.
        # In a graph it belongs to the run (an iterator's initialization makes the dataset anew).
        self._eager_seeds = ShuffleSeeds(*self._seeds, self._reshuffle) if executing_eagerly() else None
        super().__init__(input_dataset, captures)

    def _rng(self, run):
        """This pass's word stream (shuffling.py): reshuffling, each pass takes new seeds from the seed
        generator (a new order each pass, the same sequence of orders each run when seeded); otherwise each pass
        uses the same seeds."""
        seeds = self._eager_seeds
        if seeds is None:
            key = ("shuffle", id(self))
            seeds = run.state.get(key)
            if seeds is None:
                seeds = run.state[key] = ShuffleSeeds(*self._seeds, self._reshuffle)
        return seeds.next_pass()

    def _size(self, run):
        size = run_int(run, self._buffer_size)
        if size <= 0:
            raise errors.InvalidArgumentError(None, None, "buffer_size must be greater than zero.")
        return size

    def _transform(self, elements, run):
        return shuffled_elements(elements, self._size(run), self._rng(run))

    def _transform_chunks(self, chunks, run):
        return shuffled_chunks(chunks, self._size(run), self._rng(run))


class RepeatDataset(_Unary):
    """`repeat`: the input again and again (each pass re-opened, so shuffles reshuffle)."""

    def __init__(self, input_dataset, count=None):
        captures = []
        self._count = -1 if count is None else scalar_arg(count, dtypes.int64, captures, "count")
        super().__init__(input_dataset, captures)

    def _elements(self, run):
        if self._indexable:
            return Dataset._elements(self, run)
        return self._passes(run, self._input._elements)

    def _index_chunks(self, run):
        return self._passes(run, self._input._index_chunks)

    def _passes(self, run, open_pass):
        count = run_int(run, self._count)
        done = 0
        while count < 0 or done < count:
            empty = True
            for item in open_pass(run):
                empty = False
                yield item
            if empty:  # an empty dataset repeated is empty, not an endless loop
                return
            done += 1


class TakeDataset(_Unary):
    """`take`: the first `count` elements."""

    def __init__(self, input_dataset, count):
        captures = []
        self._count = scalar_arg(count, dtypes.int64, captures, "count")
        super().__init__(input_dataset, captures)

    def _transform(self, elements, run):
        count = run_int(run, self._count)
        return elements if count < 0 else itertools.islice(elements, count)

    def _transform_chunks(self, chunks, run):
        left = run_int(run, self._count)
        if left < 0:
            yield from chunks
            return
        while left > 0:
            chunk = next(chunks, None)
            if chunk is None:
                return
            yield chunk[:left]
            left -= len(chunk)


class SkipDataset(_Unary):
    """`skip`: all but the first `count` elements."""

    def __init__(self, input_dataset, count):
        captures = []
        self._count = scalar_arg(count, dtypes.int64, captures, "count")
        super().__init__(input_dataset, captures)

    def _transform(self, elements, run):
        count = run_int(run, self._count)
        if count < 0:
            for _ in elements:
                pass
            return iter(())
        return itertools.islice(elements, count, None)

    def _transform_chunks(self, chunks, run):
        left = run_int(run, self._count)
        for chunk in chunks:
            if left < 0:
                continue
            if left >= len(chunk):
                left -= len(chunk)
                continue
            yield chunk[left:]
            left = 0


class ShardDataset(_Unary):
    """`shard`: every `num_shards`-th element starting at `index`."""

    def __init__(self, input_dataset, num_shards, index):
        captures = []
        self._num = scalar_arg(num_shards, dtypes.int64, captures, "num_shards")
        self._index = scalar_arg(index, dtypes.int64, captures, "index")
        super().__init__(input_dataset, captures)

    def _params(self, run):
        num, index = run_int(run, self._num), run_int(run, self._index)
        if num <= 0 or not 0 <= index < num:
            raise errors.InvalidArgumentError(None, None, f"Index {index} must be in [0, {num}) and num_shards "
                                                          "must be positive.")
        return num, index

    def _transform(self, elements, run):
        num, index = self._params(run)
        return itertools.islice(elements, index, None, num)

    def _transform_chunks(self, chunks, run):
        num, index = self._params(run)
        seen = 0
        for chunk in chunks:
            positions = np.arange(seen, seen + len(chunk))
            seen += len(chunk)
            kept = chunk[positions % num == index]
            if len(kept):
                yield kept


class CacheDataset(_Unary):
    """`cache`: the first complete pass is kept (per initialized iterator) and replayed by later passes."""

    def _replay(self, items, run):
        key = ("cache", id(self))
        cached = run.state.get(key)
        if cached is not None:
            yield from cached
            return
        seen = []
        for item in items:
            seen.append(item)
            yield item
        run.state[key] = seen  # reached only when the pass completed

    def _transform(self, elements, run):
        return self._replay(elements, run)

    def _transform_chunks(self, chunks, run):
        return self._replay(chunks, run)


class UnbatchDataset(Dataset):
    """`tf.data.experimental.unbatch()`: each element split along its first dimension."""

    def __init__(self, input_dataset):
        specs = []
        for s in input_dataset._flat_spec:
            if s.shape.ndims == 0:
                raise ValueError("Cannot unbatch an input with scalar components.")
            specs.append(type(s)(s.dtype, s.shape[1:] if s.shape.ndims is not None else None))
        super().__init__(nest.pack(input_dataset._spec, specs), inputs=[input_dataset])

    def _elements(self, run):
        for element in self._inputs[0]._elements(run):
            arrays = [nest.sparse_rows(c) if isinstance(c, SparseTensorValue) else np.asarray(c) for c in element]
            n = len(arrays[0])
            if any(len(a) != n for a in arrays):
                raise errors.InvalidArgumentError(None, None, "Input element must have the same batch size in "
                                                              "each component.")
            for i in range(n):
                yield tuple([a[i] for a in arrays])

