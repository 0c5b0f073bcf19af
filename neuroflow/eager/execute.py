"""The eager executor: `apply_op` in eager mode runs the OpDef's kernel now (the same kernels a Session binds)
and records the op on active GradientTapes. EagerOp is what kernels and gradient functions see of it."""
import numpy as np

from ..framework import context as mode
from ..framework import source_info
from ..framework.apply import convert_and_infer
from ..runtime import float_errors
from ..runtime.backend_gpu import gpu_devices
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
    gpus = gpu_devices()
    if gpus:
        gpu = _op_device(opdef, tensors, specs, gpus)
        if gpu is not None or any(t._device is not None for t in tensors):
            return _execute_on(gpu, opdef, op, tensors, specs)
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
    return _finish(op, outputs)


def _finish(op, outputs):
    op._outputs = outputs
    for tape in context.tapes:
        tape._record(op)
    if len(outputs) == 1:
        return outputs[0]
    return outputs if outputs else None


def _op_device(opdef, tensors, specs, gpus):
    from .device_execute import op_device
    return op_device(opdef, tensors, specs, gpus)


def _execute_on(gpu, opdef, op, tensors, specs):
    """Runs `op` on `gpu` (None: on the host, its device inputs copied back), as `execute` does on the CPU."""
    from .device_execute import run_on_device, to_device
    token = float_errors.silence()
    try:
        if gpu is None:
            arrays = [to_device(t, None) for i, t in enumerate(tensors) if i not in opdef.ref_inputs]
            result = opdef.kernel(op, context)(*arrays)
            result = () if not specs else (result,) if len(specs) == 1 else tuple(result)
            result = tuple(r if isinstance(r, (np.ndarray, np.generic)) else np.asarray(r) for r in result)
            devices = [None] * len(result)
        else:
            result, devices = run_on_device(opdef, op, tensors, specs, gpu)
    except Exception as exc:  # noqa: BLE001 - becomes an OpError naming the op and the user's line
        from ..runtime.plan import op_error
        raise op_error(op, exc, [t._value for t in tensors]) from None
    finally:
        float_errors.restore(token)
    shared = opdef.output_is_shared or (opdef.may_alias_input and any(t._shared for t in tensors))
    outputs = tuple(EagerTensor(r, dtype, shared, op, i, device)
                    for i, (r, (_, dtype), device) in enumerate(zip(result, specs, devices)))
    return _finish(op, outputs)


mode.register_eager_executor(execute)
