"""RunContext: what kernels of one Session may touch — the array module, variable values, random generators."""
import numpy as np

from ..framework import errors

__all__ = ["RunContext"]


class RunContext:
    """The state a Session owns: each Session has its own variable values and its own random sequences."""

    def __init__(self, xp=np):
        self.xp = xp
        self.variables = {}   # variable op name -> array
        self._generators = {}
        self.resources = {}   # per-session state of stateful kernels other than variables (iterators), by key
        self.cancelled = False  # set when the session closes: runs in flight stop at their next check

    def check_cancelled(self):
        """Raises CancelledError (TensorFlow's, for a run its session's close cancelled) once cancelled."""
        if self.cancelled:
            raise errors.CancelledError(None, None, "Session has been closed.")

    def random_generator(self, op):
        """The generator of random op `op` in this session, created on first use from the op's seeds.

        Seeds (0, 0) mean "not seeded": fresh entropy, a different sequence each session.
        """
        gen = self._generators.get(op.name)
        if gen is None:
            seed, seed2 = op.attrs.get("seed", 0), op.attrs.get("seed2", 0)
            gen = self.xp.random.default_rng(None if (seed, seed2) == (0, 0) else [seed, seed2])
            self._generators[op.name] = gen
        return gen

    @staticmethod
    def variable_name(ref):
        """The storage key of the variable a reference tensor points to (through Assign outputs)."""
        op = ref.op
        while op.type != "VariableV2":
            if not op.opdef.ref_inputs or not op.inputs:
                raise TypeError(f"{ref.name} is not a reference to a variable")
            op = op.inputs[0].op
        return op.name

    def close(self):
        self.variables.clear()
        self._generators.clear()
        self.resources.clear()
