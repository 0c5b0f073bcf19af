"""The process's eager state: variable storage, random generators, the global seed, and the active tapes."""
import itertools

import numpy as np

__all__ = ["EagerContext", "context"]


class EagerContext:
    """What eager kernels see in place of a Session's RunContext (the same interface)."""

    def __init__(self):
        self.xp = np
        self.variables = {}          # storage key -> array
        self._generators = {}
        self.resources = {}          # state of other stateful kernels (iterators), as RunContext.resources
        self.seed = None             # the global seed (tf.set_random_seed in eager mode)
        self.op_counter = itertools.count(1)
        self.tapes = []              # active GradientTapes, innermost last

    def random_generator(self, op):
        """One generator per (graph seed, op seed): repeated calls continue its sequence (a new draw each call,
        the same sequence in every run of the program); unseeded ops share one nondeterministic generator."""
        seeds = (op.attrs.get("seed", 0), op.attrs.get("seed2", 0))
        gen = self._generators.get(seeds)
        if gen is None:
            gen = self.xp.random.default_rng(None if seeds == (0, 0) else list(seeds))
            self._generators[seeds] = gen
        return gen

    @staticmethod
    def variable_name(ref):
        """The storage key of the variable a reference points to: an eager variable's handle, or (in a traced
        tf.function graph) the captured VariableV2 node, which is named by that key."""
        variable = getattr(ref, "_variable", None)
        if variable is not None:
            return variable._key
        from ..runtime.context import RunContext
        return RunContext.variable_name(ref)

    def reset_seed(self, seed):
        self.seed = seed
        self._generators.clear()
        self.op_counter = itertools.count(1)


context = EagerContext()
