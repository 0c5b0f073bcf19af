"""TensorFlow's shuffle buffer, computed a block at a time with NumPy instead of one element at a time.

`Dataset.shuffle(buffer_size)` keeps a buffer of `buffer_size` elements; each output is a uniformly chosen buffer
slot, refilled by the next input element; at the end the buffer drains in random order. Over a block of `m`
steps with slots `p`, step `t` outputs whatever the latest earlier step writing slot `p[t]` put there (or the
slot's value before the block): a stable sort by slot finds that for all steps at once.
"""
import numpy as np

__all__ = []


class BufferShuffler:
    """The shuffle buffer over integer ids (element positions): `push(ids)` returns the ids it emits while
    taking those in, `drain()` the rest once the input ends."""

    def __init__(self, buffer_size, rng):
        self.size = int(buffer_size)
        self.rng = rng
        self.buffer = np.empty(0, np.int64)

    def push(self, ids):
        ids = np.asarray(ids, np.int64)
        free = self.size - len(self.buffer)
        if free > 0:  # filling: nothing comes out yet
            self.buffer = np.concatenate([self.buffer, ids[:free]])
            ids = ids[free:]
        m = len(ids)
        if m == 0:
            return ids
        slots = self.rng.integers(0, self.size, m)
        order = np.argsort(slots, kind="stable")
        sorted_slots = slots[order]
        new_group = np.ones(m, bool)
        new_group[1:] = sorted_slots[1:] != sorted_slots[:-1]
        previous_write = ids[np.roll(order, 1)]
        out = np.empty(m, np.int64)
        out[order] = np.where(new_group, self.buffer[sorted_slots], previous_write)
        last_of_group = np.ones(m, bool)
        last_of_group[:-1] = new_group[1:]
        self.buffer[sorted_slots[last_of_group]] = ids[order[last_of_group]]
        return out

    def drain(self):
        rest, self.buffer = self.rng.permutation(self.buffer), np.empty(0, np.int64)
        return rest


def shuffled_chunks(chunks, buffer_size, rng):
    """Index chunks (int64 arrays) through a shuffle buffer."""
    shuffler = BufferShuffler(buffer_size, rng)
    for chunk in chunks:
        out = shuffler.push(chunk)
        if len(out):
            yield out
    out = shuffler.drain()
    if len(out):
        yield out


def shuffled_elements(elements, buffer_size, rng, block=256):
    """Elements (any objects) through a shuffle buffer: they are numbered, the numbers shuffled by
    `BufferShuffler`, and held in a dict until emitted."""
    shuffler = BufferShuffler(buffer_size, rng)
    held = {}
    count = 0
    pending = []
    for element in elements:
        held[count] = element
        pending.append(count)
        count += 1
        # Read ahead only as far as filling the buffer plus one block.
        if len(pending) >= (block if len(shuffler.buffer) >= shuffler.size else shuffler.size + block):
            for i in shuffler.push(pending).tolist():
                yield held.pop(i)
            pending = []
    if pending:
        for i in shuffler.push(pending).tolist():
            yield held.pop(i)
    for i in shuffler.drain().tolist():
        yield held.pop(i)
