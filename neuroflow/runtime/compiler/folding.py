"""Constant folding, the one place that decides what becomes a constant at compile time and under which size
limit: the general passes and shape specialization both fold through it.

A folded result larger than `FOLD_LIMIT` elements is never kept in the plan. It may still be computed at
compile time when everything that reads it folds too (`reduce_sum(ones([2000, 2000]) * 2.0)` folds to one
number); if some reader stays a run-time step after all, the large value's producers become steps again.
"""
import numpy as np

from .program import PURE

__all__ = ["FOLD_LIMIT", "Folder"]

FOLD_LIMIT = 1 << 20  # elements: larger results stay computed at run time rather than kept in memory


def _size(value):
    return int(np.size(value))


class Folder:
    """Folds the steps of one program as a pass walks them in order.

    `fold(step)` / `fold_shape_function(step, shape)` turn a step into constants and return True, or return
    False (the pass keeps the step); `finish(kept_steps)` returns the program's steps afterwards.
    """

    def __init__(self, program):
        self.program = program
        self._transient = {}  # large folded value -> the step that computed it
        self._readers = None  # what reads each value, and what may fold: indexed at the first large result

    def _values_that_may_fold(self):
        """Values whose steps might fold (an optimistic guess: a wrong one costs only a large value computed
        at compile time for nothing)."""
        p = self.program
        may = set(p.consts)
        for step in p.steps:
            if step.opdef.depends_only_on_input_shape or (
                    self._pure(step) and all(v in may for v in step.ins)):
                may.update(step.outs)
        return may

    @staticmethod
    def _pure(step):
        return step.kind == PURE and step.opdef.foldable

    def _only_read_by_folds(self, v):
        if self._readers is None:
            self._readers = {}
            for step in self.program.steps:
                outs = frozenset(step.outs)
                for u in step.ins:
                    self._readers.setdefault(u, []).append(outs)
            self._may_fold = self._values_that_may_fold()
        return v not in self.program.fetches and all(outs <= self._may_fold for outs in self._readers.get(v, ()))

    def fold(self, step):
        """Evaluates a pure, foldable step whose inputs are all constants, now: True when it became constants."""
        p = self.program
        if not (self._pure(step) and all(v in p.consts for v in step.ins)):
            return False
        try:
            with np.errstate(all="ignore"):
                result = step.kernel(*[p.consts[v] for v in step.ins])
        except Exception:  # noqa: BLE001 - it fails again at run time, where the error names the node
            return False
        results = result if len(step.outs) > 1 else (result,)
        return self._store(step, results)

    def fold_shape_function(self, step, shape):
        """A step whose result depends only on its input's shape (OnesLike, Shape, Size, ...), for an input of
        known `shape`: True when it became a constant."""
        p = self.program
        dtype = p.dtypes.get(step.ins[0])
        if dtype is None or dtype == object or int(np.prod(shape, dtype=np.int64)) > FOLD_LIMIT:
            return False
        return self._store(step, (step.kernel(p.xp.zeros(shape, dtype)),))

    def _store(self, step, results):
        p = self.program
        if sum(_size(r) for r in results) > FOLD_LIMIT:
            if not all(self._only_read_by_folds(v) for v in step.outs):
                return False
            for out in step.outs:
                self._transient[out] = step
        for out, value in zip(step.outs, results):
            p.consts[out] = value
            p.shapes[out] = np.shape(value)
            if out not in self._transient:
                p.shared.add(out)
        return True

    def finish(self, kept):
        """The program's steps: `kept`, plus the producers of large folded values some kept step still reads
        (computed at run time after all); large folded values leave the constants."""
        p = self.program
        if not self._transient:
            return kept
        restored, stack = {}, [v for s in kept for v in s.ins if v in self._transient]
        stack += [v for v in p.fetches if v in self._transient]
        while stack:
            step = self._transient[stack.pop()]
            if id(step) not in restored:
                restored[id(step)] = step
                stack.extend(v for v in step.ins if v in self._transient)
        for v in self._transient:
            del p.consts[v]
        order = {id(step): i for i, step in enumerate(p.steps)}  # the steps as they were before folding
        return sorted(kept + list(restored.values()), key=lambda s: order[id(s)])
