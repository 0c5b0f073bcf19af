"""`TensorList`, the run-time value of a TensorArray's flow: an immutable list of element arrays whose next
version (a write, a gradient's clear or sum) costs what it changes, not the list's length, so a loop over n
elements and its gradient loop stay O(n).

Versions of one list share a store holding, per slot, the history of (version, value) writes; a version sees in
each slot the last value written at or before it. A new version made from the store's newest one adds to the
histories in place; one made from an older version (a second write from the same flow) first copies what that
version sees. So every version keeps meaning what it meant, and plans never see a list change under them."""
import numpy as np

__all__ = ["TensorList", "as_list"]


class _Store:
    __slots__ = ("history", "newest")

    def __init__(self, history):
        self.history, self.newest = history, 0  # slot -> [(version, value or None), ...] in version order


def _store_of(entries):
    return _Store({i: [(0, v)] for i, v in entries})


class TensorList:
    """A list of `length` items (arrays; None where unwritten). `get(i)`, `entries()`, `items`, `with_items`."""

    __slots__ = ("_store", "_version", "length")
    shape, ndim = (), 0  # the flow's static shape: plans key and specialize on the shapes of what they are fed

    def __init__(self, items=(), length=None, _store=None, _version=0):
        """A first version from `items` (a sequence with None for unwritten slots, or a dict slot -> array for a
        sparse list of `length` slots, as gradients make)."""
        if _store is None:
            entries = items.items() if isinstance(items, dict) else enumerate(items)
            _store = _store_of((i, v) for i, v in entries if v is not None)
            length = len(items) if length is None else length
        self._store, self._version, self.length = _store, _version, length

    def get(self, i):
        """Item i as this version sees it; None when unwritten (or cleared, or beyond the end)."""
        history = self._store.history.get(i)
        if history is None or i >= self.length:
            return None
        version = self._version
        for stamp, value in reversed(history):
            if stamp <= version:
                return value
        return None

    def entries(self):
        """(slot, item) pairs of the written slots, in slot order."""
        out = []
        for i in sorted(self._store.history):
            value = self.get(i)
            if value is not None:
                out.append((i, value))
        return out

    @property
    def items(self):
        return tuple(self.get(i) for i in range(self.length))

    def with_items(self, writes, grow_to=0):
        """A new version with `writes` ((slot, value or None) pairs) and at least `grow_to` slots: in place on the
        store when this is its newest version, else on a copy of what this version sees."""
        store, version = self._store, self._version
        if store.newest != version:
            store, version = _store_of(self.entries()), 0
        new = version + 1
        history = store.history
        for i, value in writes:
            slot = history.get(i)
            if slot is None:
                history[i] = [(new, value)]
            else:
                slot.append((new, value))
        store.newest = new
        return TensorList(_store=store, _version=new, length=max(self.length, grow_to))

    def __add__(self, other):
        """Elementwise sum (AddN of gradient lists); an unwritten item is zero, a non-list is all zeros. Adds the
        list with fewer stored slots into the other, so a gradient accumulator grows by what each step adds."""
        if not isinstance(other, TensorList):
            return self
        big, small = (self, other) if len(self._store.history) >= len(other._store.history) else (other, self)
        sums = []
        for i, value in small.entries():
            current = big.get(i)
            sums.append((i, value if current is None else current + value))
        return big.with_items(sums, small.length)

    __radd__ = __add__

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        """`xp.add(zeros, list)` (an AddV2 kernel summing a gradient list onto a zero start, as a loop's gradient
        accumulator does) is the list; any other ufunc on a list is refused."""
        if ufunc is np.add and method == "__call__" and len(inputs) == 2:
            a, b = inputs
            return a + b if isinstance(a, TensorList) else b + a
        return NotImplemented

    def __repr__(self):
        return f"TensorList({self.length} items)"


def as_list(value):
    """The TensorList of a flow's value; a ZerosLike of a flow (a zero gradient) is the empty list. Build-time
    folding (`constant_value`) hands a folded list over as a 0-d object array holding it."""
    if type(value) is np.ndarray and value.dtype == object:
        value = value[()]
    return value if isinstance(value, TensorList) else TensorList()
