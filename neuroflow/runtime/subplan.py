"""A sub-graph (a cond branch, a loop's condition or body) compiled once into its own Plan, run by the kernel of
the control-flow op with the outer run's context: variables, random generators and cancellation are shared."""
import numpy as np

from .plan import Plan

__all__ = ["SubPlan"]


class SubPlan:
    """`SubPlan(inputs, outputs, targets, ctx)(arrays)`: the values of `outputs` (a list of tensors of one
    sub-graph) with `arrays` fed to `inputs` (its placeholders), after running `targets` (ops) too. Compiled
    on first call, then specialized per input shapes like any Plan."""

    __slots__ = ("_args", "_plan")

    def __init__(self, inputs, outputs, targets, ctx):
        self._args = (list(outputs), list(targets), list(inputs), ctx)
        self._plan = None

    def __call__(self, arrays):
        return self.runner()(arrays)

    def runner(self):
        """The compiled plan's `run(arrays)` (compiling it now if needed), for a caller running it many times."""
        plan = self._plan
        if plan is None:
            plan = self._plan = Plan(*self._args, raw_fetches=True)
            xp = self._args[3].xp
            if xp is not np:  # constants live where the kernels compute (the outer run's feeds are there too)
                consts = plan.program.consts
                for vid, value in consts.items():
                    consts[vid] = xp.asarray(value)
        return plan.run
