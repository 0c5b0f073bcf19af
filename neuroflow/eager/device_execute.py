"""Eager execution on a GPU: which device an eagerly run op goes to, copying its inputs there (counted, as
TensorFlow copies to the op's device), running its kernel with the device's `xp`, and where its outputs live.

Used by eager/execute.py only when a GPU is visible; with none, nothing here runs. The rules, as TensorFlow's
eager placer: an op goes to `/device:GPU:0` when it has a GPU kernel (placement.has_gpu_kernel's rule), else to
the CPU; `with tf.device(...)` pins (a pin to a missing device falls back, TF2 eager's soft placement); an op on a
variable runs where the variable lives. Two host-memory rules keep shape arithmetic off the device, as
TensorFlow keeps int32 tensors in host memory: ops over int32 values only run on the CPU, and int32 outputs of
device ops come back to the host (so shape inference can read them).
"""
import numpy as np

from ..framework.device import DeviceSpec
from ..framework.graph import get_default_graph
from ..runtime import placement
from .state import context

__all__ = ["op_device", "variable_device", "to_device", "run_on_device", "full_device_name"]

_INT32 = np.dtype(np.int32)


def full_device_name(gpu):
    """TensorFlow's name of the device a value lives on (`gpu` None: the host)."""
    return placement.full_name(placement.CPU_DEVICE if gpu is None else gpu.device_name)


def _pinned_gpu(gpus):
    """The GPU a `tf.device` block pins to; False for a CPU pin; None for no pin (or one to a missing GPU)."""
    pin = get_default_graph()._current_device()
    if not pin:
        return None
    spec = DeviceSpec.from_string(pin)
    kind = (spec.device_type or "").upper()
    if kind == "CPU":
        return False
    if kind == "GPU" and (spec.device_index or 0) < len(gpus):
        return gpus[spec.device_index or 0]
    return None


def _numeric(dtype):
    try:
        return np.dtype(dtype.base_dtype.as_numpy_dtype).kind in "biufc"
    except (TypeError, AttributeError):
        return False


def variable_device(dtype, gpus):
    """The GPU a new eager variable of `dtype` lives on, or None for the host (int32 and non-numeric ones)."""
    pinned = _pinned_gpu(gpus)
    if pinned is False or not _numeric(dtype) or np.dtype(dtype.base_dtype.as_numpy_dtype) == _INT32:
        return None
    return pinned or gpus[0]


def op_device(opdef, tensors, specs, gpus):
    """The GPU `opdef` runs on over input EagerTensors `tensors` with output (shape, dtype) `specs`, or None."""
    refs = opdef.ref_inputs
    for i in refs:
        if i < len(tensors):
            variable = tensors[i]._variable
            return getattr(variable, "_device", None) if variable is not None else None
    pinned = _pinned_gpu(gpus)
    if pinned is False:
        return None
    name = opdef.type_name
    if name in placement.HOST_ONLY or name in placement.HOST_PLACED or placement.kept_on_host_for_determinism(name):
        return None
    dtypes = [t.dtype for t in tensors] + [dtype for _, dtype in specs]
    if not all(_numeric(d) for d in dtypes):
        return None
    if all(np.dtype(d.base_dtype.as_numpy_dtype) == _INT32 for d in dtypes):
        return None  # shape arithmetic: int32 lives in host memory
    return pinned or gpus[0]


def to_device(tensor, gpu):
    """`tensor`'s value on `gpu` (None: the host), copied there when it lives elsewhere (counted)."""
    source = tensor._device
    value = tensor._value
    if source is gpu:
        return value
    if source is not None:
        value = source.to_host(value)
    return gpu.to_device(np.asarray(value)) if gpu is not None else value


class _DeviceEagerContext:
    """The eager context seen from one GPU: the same variables and resources, the GPU's `xp`, and random
    generators of the GPU's array module (kept in the eager context's table, so tf.set_random_seed resets them)."""

    def __init__(self, gpu):
        self.xp, self._gpu = gpu.xp, gpu

    def __getattr__(self, name):
        return getattr(context, name)

    def random_generator(self, op):
        seeds = (op.attrs.get("seed", 0), op.attrs.get("seed2", 0))
        key = (self._gpu.device_name, seeds)
        gen = context._generators.get(key)
        if gen is None:
            gen = self.xp.random.default_rng(None if seeds == (0, 0) else (seeds[0] << 32) ^ seeds[1])
            context._generators[key] = gen
        return gen


_contexts = {}  # GpuDevice -> its _DeviceEagerContext


def run_on_device(opdef, op, tensors, specs, gpu):
    """Runs `op`'s kernel on `gpu`: inputs copied there, results kept there except int32 ones (brought to the
    host). An op without inputs (a constant) is made on the host and its outputs copied up once.
    Returns (results as a tuple, device of each result)."""
    refs = opdef.ref_inputs
    if not tensors:
        result = opdef.kernel(op, context)()
        results = _as_tuple(result, specs)
        return _place_results(results, specs, gpu, on_host=True)
    ctx = _contexts.get(gpu)
    if ctx is None:
        ctx = _contexts[gpu] = _DeviceEagerContext(gpu)
    arrays = [to_device(t, gpu) for i, t in enumerate(tensors) if i not in refs]
    result = opdef.kernel(op, ctx)(*arrays)
    return _place_results(_as_tuple(result, specs), specs, gpu, on_host=False)


def _as_tuple(result, specs):
    if not specs:
        return ()
    return (result,) if len(specs) == 1 else tuple(result)


def _place_results(results, specs, gpu, on_host):
    values, devices = [], []
    for r, (_, dtype) in zip(results, specs):
        int32 = np.dtype(dtype.base_dtype.as_numpy_dtype) == _INT32
        if on_host:
            r = r if isinstance(r, (np.ndarray, np.generic)) else np.asarray(r)
            if int32:
                values.append(r)
                devices.append(None)
            else:
                values.append(gpu.to_device(np.asarray(r)))
                devices.append(gpu)
        elif int32:
            values.append(gpu.to_host(r) if isinstance(r, gpu.xp.ndarray) else np.asarray(r))
            devices.append(None)
        else:
            values.append(r if isinstance(r, gpu.xp.ndarray) else gpu.xp.asarray(r))
            devices.append(gpu)
    return tuple(values), devices
