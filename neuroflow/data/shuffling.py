"""TensorFlow's shuffle buffer and its random words, element for element: `Dataset.shuffle` emits what
TensorFlow's ShuffleDataset emits for the same seeds.

TensorFlow's kernel keeps a ring buffer of up to `buffer_size` elements, refilled from the input before each
output; it outputs the element at a uniformly chosen position (word mod the number held), moves the oldest
element into that slot, and drops the oldest slot. The words come from Philox streams: with reshuffling, a seed
generator (Philox from the shuffle's seeds) gives each pass two words as the seeds of that pass's stream;
without, every pass uses the shuffle's seeds themselves. Seeds (0, 0) mean random ones.

Each output depends on all swaps before it, so the buffer is walked element by element (Python ints and lists:
about a microsecond per element); the words are drawn in blocks.
"""
import numpy as np

from ..ops import philox

__all__ = []

_WORDS_PER_DRAW = 4096


class WordStream:
    """The 32-bit words of PhiloxRandom(seed, seed2) one after another (TF's SingleSampleAdapter)."""

    def __init__(self, seed, seed2):
        self._stream = philox.PhiloxStream(seed, seed2)
        self._words = []
        self._next = 0

    def take(self):
        if self._next == len(self._words):
            blocks = _WORDS_PER_DRAW // 4
            key, counter = self._stream.reserve(blocks)
            self._words = philox.philox_blocks(key, counter, np.arange(blocks, dtype=np.uint64)).reshape(-1).tolist()
            self._next = 0
        word = self._words[self._next]
        self._next += 1
        return word


class ShuffleSeeds:
    """A shuffle's seed generator over one run: `next_pass()` gives the word stream of the next pass over the
    input (TF's RandomSeedGenerator when reshuffling, its FixedSeedGenerator otherwise)."""

    def __init__(self, seed, seed2, reshuffle):
        if seed == 0 and seed2 == 0:  # not seeded: random seeds, drawn once for the run
            seed, seed2 = philox.random_seeds()
        self._seeds = (seed, seed2)
        self._generator = WordStream(seed, seed2) if reshuffle else None

    def next_pass(self):
        if self._generator is None:
            return WordStream(*self._seeds)
        seed = self._generator.take()
        return WordStream(seed, self._generator.take())


def shuffled_items(items, buffer_size, words):
    """`items` (any iterable, read lazily) in the order TensorFlow's shuffle buffer emits them."""
    size = int(buffer_size)
    buffer = [None] * size
    start = end = 0
    source = iter(items)
    exhausted = False
    while True:
        while not exhausted and end - start < size:
            for item in source:
                buffer[end % size] = item
                end += 1
                break
            else:
                exhausted = True
        held = end - start
        if held == 0:
            return
        slot = (start + words.take() % held) % size
        first = start % size
        yield buffer[slot]
        buffer[slot] = buffer[first]
        buffer[first] = None
        start += 1


def shuffled_chunks(chunks, buffer_size, words, block=1024):
    """Index chunks (int64 arrays) through the shuffle buffer, re-chunked in blocks of up to `block` ids."""
    ids = (i for chunk in chunks for i in np.asarray(chunk, np.int64).tolist())
    out = []
    for i in shuffled_items(ids, buffer_size, words):
        out.append(i)
        if len(out) == block:
            yield np.asarray(out, np.int64)
            out = []
    if out:
        yield np.asarray(out, np.int64)


def shuffled_elements(elements, buffer_size, words):
    """Elements (any objects) through the shuffle buffer."""
    return shuffled_items(elements, buffer_size, words)
