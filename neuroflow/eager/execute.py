"""The eager executor: `apply_op` in eager mode runs the OpDef's kernel now (the same kernels a Session binds)
and records the op on active GradientTapes. EagerOp is what kernels and gradient functions see of it."""
import numpy as np

from ..framework import context as mode
from ..framework import source_info
from ..framework.apply import convert_and_infer
from ..runtime import float_errors
from .state import context
from .tensor import EagerTensor

__all__ = ["execute", "EagerOp"]


class EagerOp:
    """An op that ran eagerly: its OpDef, inputs, outputs and attrs (for kernels, errors and gradients)."""

    __slots__ = ("opdef", "_inputs", "_outputs", "_attrs", "_id", "name", "_control_inputs", "_location")

    def __init__(self, opdef, inputs, attrs, name, location):
        self.opdef = opdef
        self._inputs = tuple(inputs)
        self._outputs = ()
        self._attrs = attrs
        self._id = next(context.op_counter)
        self.name = name
        self._control_inputs = ()
        self._location = location

    type = property(lambda self: self.opdef.type_name)
    inputs = property(lambda self: self._inputs)
    outputs = property(lambda self: self._outputs)
    location = property(lambda self: self._location)
    graph = None
    device = ""

    def get_attr(self, name):
        return self._attrs[name]

    @property
    def attrs(self):
        return dict(self._attrs)

    @property
    def node_def(self):
        from ..framework.operation import NodeDef
        return NodeDef(self.name, self.type, [], "", dict(self._attrs))

    def error_context(self):
        return source_info.node_context(self.name, self._location)


def _output(value, dtype, shared, op, index):
    return EagerTensor(value, dtype, shared, op, index)


def execute(opdef, values, attrs, name):
    """Runs `opdef` on `values` now; returns EagerTensors (a tuple for several outputs, None for none)."""
    location = source_info.user_location()
    node_name = (name or "").rstrip("/") or opdef.type_name  # a scope name "MatMul/" names the op "MatMul", as in graphs
    tensors, attrs, specs = convert_and_infer(opdef, values, attrs, node_name, location)
    op = EagerOp(opdef, tensors, attrs, node_name, location)
    refs = opdef.ref_inputs
    arrays = [t._value for i, t in enumerate(tensors) if i not in refs]
    kernel = opdef.kernel(op, context)
    token = float_errors.silence()
    try:
        result = kernel(*arrays)
    except Exception as exc:  # noqa: BLE001 - becomes an OpError naming the op and the user's line
        from ..runtime.plan import op_error
        raise op_error(op, exc, arrays) from None
    finally:
        float_errors.restore(token)
    shared = opdef.output_is_shared or (
        opdef.may_alias_input and any(t._shared for t in tensors))
    if not specs:
        result = ()
    elif len(specs) == 1:
        result = (result,)
    outputs = tuple(_output(r if isinstance(r, (np.ndarray, np.generic)) else np.asarray(r), dtype, shared, op, i)
                    for i, (r, (_, dtype)) in enumerate(zip(result, specs)))
    op._outputs = outputs
    for tape in context.tapes:
        tape._record(op)
    if len(outputs) == 1:
        return outputs[0]
    return outputs if outputs else None


mode.register_eager_executor(execute)
