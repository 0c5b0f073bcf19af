"""`tf.count_up_to`: increments an integer variable and returns its old value, OutOfRangeError at the limit
(the epoch counter of TF1's input producers)."""
import threading

import numpy as np

from ..framework import errors
from ..framework.apply import apply_op
from ..framework.op_def import OpDef, register
from ..framework.tensor_shape import TensorShape

__all__ = ["count_up_to"]


@register
class CountUpTo(OpDef):
    """Old value of the variable `ref`, which is incremented; OutOfRangeError once it has reached `limit`."""

    type_name = "CountUpTo"
    input_names = ("ref",)
    ref_inputs = (0,)
    stateful = True
    foldable = False
    grad = None

    def infer(self, inputs, attrs):
        return [(TensorShape(inputs[0].shape), inputs[0].dtype.base_dtype)]

    def kernel(self, op, ctx):
        store, name = ctx.variables, ctx.variable_name(op.inputs[0])
        limit = op.get_attr("limit")
        lock = threading.Lock()  # input threads count concurrently: each value is handed out once

        def run():
            with lock:
                try:
                    old = store[name]
                except KeyError:
                    raise errors.FailedPreconditionError(
                        None, None, f"Attempting to use uninitialized value {name}") from None
                if old >= limit:
                    raise errors.OutOfRangeError(None, None, f"Reached limit of {limit}")
                store[name] = np.asarray(old + 1, old.dtype)
                return old
        return run


def count_up_to(ref, limit, name=None):
    """Increments `ref` until it reaches `limit`; returns the value before the increment."""
    return apply_op(CountUpTo, [ref], {"limit": int(limit)}, name=name or "CountUpTo")
