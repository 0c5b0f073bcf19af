"""Per-op device placement, as TensorFlow 1's placer: each op goes to `/device:GPU:0` when a GPU is visible and
the op has a GPU kernel, else to the CPU; `tf.device` pins are obeyed (or softened with `allow_soft_placement`);
`log_device_placement` prints TensorFlow's lines. `Placer.place(program)` is the compiler's last step: kernels of
device steps are bound to the device's array module and copy steps are inserted where placement changes.

With no GPU visible and no placement log asked for, `placer_for` returns None and plans are exactly as before:
the CPU path pays nothing per run.
"""
import numpy as np

from ..framework import errors
from ..framework.device import DeviceSpec
from . import backend_gpu
from .compiler.program import EFFECT, Program, Step

__all__ = ["HOST_ONLY", "Placer", "placer_for", "prepare_context", "DeviceVariables", "local_device_names", "CPU_DEVICE", "full_name"]

CPU_DEVICE = "/device:CPU:0"
_JOB = "/job:localhost/replica:0/task:0"

# Op types whose kernels only run on the host (the same list, with reasons, as the strict-backend test's
# HOST_ONLY, which a test keeps equal), plus ops that run sub-plans or Python code on host values.
HOST_ONLY = frozenset([
    "ScalarSummary", "HistogramSummary", "ImageSummary", "AudioSummaryV2", "TensorSummaryV2", "MergeSummary",
    "IteratorV2", "OneShotIterator", "MakeIterator", "IteratorGetNext", "IteratorToStringHandle",
    "IteratorFromStringHandleV2",
    "FIFOQueueV2", "RandomShuffleQueueV2", "PaddingFIFOQueueV2", "QueueEnqueueV2", "QueueEnqueueManyV2",
    "QueueDequeueV2", "QueueDequeueManyV2", "QueueDequeueUpToV2", "QueueCloseV2", "QueueSizeV2",
    "CountUpTo",
    "TextLineReaderV2", "WholeFileReaderV2", "FixedLengthRecordReaderV2", "TFRecordReaderV2",
    "ReaderReadV2", "ReaderReadUpToV2", "ReaderNumRecordsProducedV2", "ReaderResetV2",
    "ReportUninitializedVariables", "ReadVariableOp",
    "EncodePng", "DecodePng", "DecodeJpeg", "EncodeJpeg", "DecodeGif", "DecodeBmp", "DecodeImage",
    "DecodeAndCropJpeg", "ExtractJpegShape", "EncodeJpegVariableQuality",
])
# Not host-only kernels, but kept on the host in this version: their bodies are sub-plans or Python code.
HOST_PLACED = frozenset(["While", "StatelessWhile", "If", "StatelessIf", "PyFunc", "PyFuncStateless",
                         "EagerPyFunc", "Print", "PrintV2", "Assert"])
# GPU kernels that add floats into shared places with atomics (CuPy's `ufunc.at`), so the order of the sums,
# and the last bits of the result, change from run to run. NEUROFLOW_DETERMINISTIC=1 places them on the CPU.
NONDETERMINISTIC_ON_GPU = frozenset(["GatherV2Grad", "ScatterAdd", "ScatterSub", "ScatterNd", "SegmentSum",
                                     "UnsortedSegmentSum", "SegmentProd", "UnsortedSegmentProd"])
NONDETERMINISTIC_PREFIXES = ("SparseApply",)  # the sparse optimizer updates sum repeated rows the same way


def full_name(device):
    """`/device:GPU:0` -> `/job:localhost/replica:0/task:0/device:GPU:0` (the name TensorFlow logs)."""
    return _JOB + device


def local_device_names():
    """The devices of this process, CPU first: ['/device:CPU:0', '/device:GPU:0', ...]."""
    return [CPU_DEVICE] + [d.device_name for d in backend_gpu.gpu_devices()]


def _numeric(tensor):
    try:
        return np.dtype(tensor.dtype.base_dtype.as_numpy_dtype).kind in "biufc"
    except (TypeError, AttributeError):  # string, variant, resource handles: host values
        return False


def kept_on_host_for_determinism(op_type):
    """True when NEUROFLOW_DETERMINISTIC=1 and ops of type `op_type` sum with atomics on a GPU."""
    return (op_type in NONDETERMINISTIC_ON_GPU or op_type.startswith(NONDETERMINISTIC_PREFIXES)) and \
        backend_gpu.deterministic_requested()


def has_gpu_kernel(op):
    """True when `op` can run on a GPU: its kernel uses only `xp` and its values are numeric arrays."""
    if op.type in HOST_ONLY or op.type in HOST_PLACED:
        return False
    if kept_on_host_for_determinism(op.type):
        return False
    return all(_numeric(t) for t in op._outputs) and all(_numeric(t) for t in op._inputs)


class DeviceVariables(dict):
    """A session's variable values (name -> array) when GPUs are visible: a variable placed on a GPU holds a
    device array, and a host array written into it from outside a kernel (a Saver's restore) goes to the
    device at once, so its kernels never meet a host value."""

    def __init__(self, place_variable):
        super().__init__()
        self.devices = {}  # variable name -> GpuDevice it lives on (None: the host), as placed
        self._place_variable = place_variable  # name -> places that variable's op (filling `devices`)

    def __setitem__(self, name, value):
        if isinstance(value, np.ndarray):
            if name not in self.devices:
                self._place_variable(name)
            gpu = self.devices.get(name)
            if gpu is not None:
                value = gpu.to_device(value)
        super().__setitem__(name, value)


def prepare_context(ctx, config, graph):
    """Gives a new session's RunContext its config (placement options) and, when GPUs are visible, a
    `DeviceVariables` store (else the plain dict stays: the CPU path is unchanged)."""
    ctx.config = config
    devices = backend_gpu.gpu_devices()
    if devices:
        def place_variable(name):
            try:
                op = graph.get_operation_by_name(name)
            except (KeyError, ValueError):
                return  # not a graph op: stays as written
            soft = bool(vars(config or _NoOptions).get("allow_soft_placement", False))
            Placer(ctx, devices, soft=soft).device_of(op)
        ctx.variables = DeviceVariables(place_variable)


class _DeviceContext:
    """A session's RunContext seen from one device: the same variables and resources, the device's `xp`,
    and random generators of its own (a generator belongs to one array module)."""

    def __init__(self, ctx, xp, key):
        self._ctx, self.xp, self._key = ctx, xp, key
        self._generators = {}

    def __getattr__(self, name):
        return getattr(self._ctx, name)

    def random_generator(self, op):
        gen = self._generators.get(op.name)
        if gen is None:
            seed, seed2 = op.attrs.get("seed", 0), op.attrs.get("seed2", 0)
            gen = self.xp.random.default_rng(None if (seed, seed2) == (0, 0) else (seed << 32) ^ seed2)
            self._generators[op.name] = gen
        return gen


class _Transfer:
    """The OpDef-like tag of a copy step (not a graph op: the compiler inserts it, so it is in no registry)."""

    def __init__(self, type_name):
        self.type_name = type_name


_TO_DEVICE, _TO_HOST = _Transfer("_CopyHostToDevice"), _Transfer("_CopyDeviceToHost")


class Placer:
    """The device of every op of one session's graph, and the rewriting of its programs onto those devices.

    Args:
        ctx: the session's RunContext (variables, resources).
        devices: the visible GpuDevice list.
        soft: `allow_soft_placement` - a pin that cannot be honoured falls back instead of failing.
        log: `log_device_placement` - print TensorFlow's line for each op the first time it is placed.
    """

    def __init__(self, ctx, devices, soft=False, log=False):
        self.ctx, self.devices, self.soft, self.log = ctx, list(devices), soft, log
        state = ctx.__dict__.setdefault("_placement_state", {"assigned": {}, "logged": set(), "contexts": {}})
        self._assigned, self._logged, self._contexts = state["assigned"], state["logged"], state["contexts"]

    # --- deciding -----------------------------------------------------------------------------------------------
    def device_of(self, op):
        """`/device:CPU:0` or `/device:GPU:<n>` for `op` (decided once per session)."""
        device = self._assigned.get(op)
        if device is None:
            device = self._decide(op)
            self._assigned[op] = device
            store = self.ctx.variables
            if op.opdef.read_at_use and isinstance(store, DeviceVariables):
                store.devices[op.name] = None if device == CPU_DEVICE else self._gpu(device)
        return device

    def _decide(self, op):
        refs = op.opdef.ref_inputs
        if refs and op._inputs:
            # An op on a variable (Assign, ScatterAdd, an optimizer update) runs where the variable lives.
            for i in refs:
                if i < len(op._inputs):
                    return self.device_of(op._inputs[i].op)
        spec = DeviceSpec.from_string(op.device) if op.device else DeviceSpec()
        kind = (spec.device_type or "").upper()
        if kind == "CPU":
            return CPU_DEVICE
        gpu_ok = has_gpu_kernel(op)
        if kind == "GPU":
            index = spec.device_index or 0
            if index < len(self.devices) and gpu_ok:
                return self.devices[index].device_name
            if not self.soft:
                self._refuse(op, spec, index < len(self.devices))
            return self.devices[0].device_name if self.devices and gpu_ok else CPU_DEVICE
        if kind not in ("",):
            if not self.soft:
                self._refuse(op, spec, False)
            return CPU_DEVICE
        return self.devices[0].device_name if self.devices and gpu_ok else CPU_DEVICE

    def _refuse(self, op, spec, device_exists):
        wanted = spec.to_string().replace(":*", ":0") if spec.device_index is None else spec.to_string()
        if device_exists:
            message = (f"Cannot assign a device for operation {op.name}: Could not satisfy explicit device "
                       f"specification '{wanted}' because no supported kernel for GPU devices is available.")
        else:
            available = ", ".join(full_name(d) for d in local_device_names())
            message = (f"Cannot assign a device for operation {op.name}: {{{{node {op.name}}}}} was explicitly "
                       f"assigned to {wanted} but available devices are [ {available} ]. Make sure the device "
                       "specification refers to a valid device.")
        raise errors.InvalidArgumentError(op.node_def, op, message + op.error_context())

    def log_ops(self, ops):
        """Prints `name: (Type): /job:localhost/replica:0/task:0/device:X:N` for ops not yet logged (stdout,
        as TensorFlow 1's placer), in reverse creation order as TensorFlow lists a run's nodes."""
        for op in sorted(ops, key=lambda o: o._id, reverse=True):
            device = self.device_of(op)
            if self.log and op not in self._logged:
                self._logged.add(op)
                print(f"{op.name}: ({op.type}): {full_name(device)}", flush=True)

    # --- rewriting ------------------------------------------------------------------------------------------
    def _device_context(self, device):
        ctx = self._contexts.get(device)
        if ctx is None:
            ctx = self._contexts[device] = _DeviceContext(self.ctx, self._gpu(device).xp, device)
        return ctx

    def _gpu(self, device):
        return self.devices[int(device.rsplit(":", 1)[1])]

    def _rebind(self, step, device):
        """The step's kernel bound to `device`'s array module (fast CPU kernels give way to the OpDef's)."""
        dctx = self._device_context(device)
        opdef = step.opdef
        if step.kernel is getattr(opdef, "python_operator", None):
            return step.kernel  # Python's operator on 0-d values works on any array module
        if opdef is not step.op.opdef and getattr(opdef, "ufunc", None):
            return getattr(dctx.xp, opdef.ufunc)  # a scalar rewrite to a unary elementwise op
        if opdef.stateful:
            from .accel_gpu import fused_update_kernel  # the GPU's fused optimizer updates
            fused = fused_update_kernel(step.op, dctx)
            if fused is not None:
                return fused
        return opdef.kernel(step.op, dctx)

    def place(self, program):
        """A copy of `program` whose device steps compute on their device: constants they read uploaded once,
        feeds copied to the device once per run where first needed, values crossing devices copied by
        inserted steps, and fetches copied back to the host at the end."""
        placed = Program(program.num_feeds, program.xp)
        placed.next_id, placed.consts = program.next_id, dict(program.consts)
        placed.shared, placed.shapes, placed.dtypes = set(program.shared), dict(program.shapes), dict(program.dtypes)
        where = {}        # value id -> device of its current definition (absent: the host)
        copies = {}       # (value id, device) -> id of its copy there
        for step in program.steps:
            device = self.device_of(step.op)
            ins = [self._value_on(placed, v, device, where, copies, step) for v in step.ins]
            kernel = step.kernel if device == CPU_DEVICE else self._rebind(step, device)
            placed.steps.append(Step(kernel, ins, step.outs, step.op, step.opdef, step.kind, step.key))
            for v in step.outs:
                for key in [k for k in copies if k[0] == v]:
                    del copies[key]  # a redefinition (a variable re-read) makes earlier copies stale
                if device == CPU_DEVICE:
                    where.pop(v, None)
                else:
                    where[v] = device
        placed.fetches = [self._value_on(placed, v, CPU_DEVICE, where, copies, None) for v in program.fetches]
        return placed

    def _value_on(self, placed, v, device, where, copies, consumer):
        source = where.get(v, CPU_DEVICE)
        if source == device:
            return v
        key = (v, device)
        if key in copies:
            return copies[key]
        op = consumer.op if consumer is not None else None
        if source != CPU_DEVICE:  # device -> host (then on to another device, if that is where it goes)
            host = placed.new_value(placed.shapes.get(v), placed.dtypes.get(v))
            placed.steps.append(Step(self._gpu(source).to_host, [v], [host], op or _producer(placed, v),
                                     _TO_HOST, EFFECT))
            copies[(v, CPU_DEVICE)] = host
            if device == CPU_DEVICE:
                return host
            v = host
        gpu = self._gpu(device)
        if v in placed.consts:
            # Constants go to the device once, when the plan is compiled (not counted as a run's copies).
            new = placed.add_const(gpu._upload(placed.consts[v]), placed.dtypes.get(v))
        else:
            new = placed.new_value(placed.shapes.get(v), placed.dtypes.get(v))
            placed.steps.append(Step(gpu.to_device, [v], [new], op, _TO_DEVICE, EFFECT))
        copies[key] = new
        return new


def _producer(placed, v):
    for step in reversed(placed.steps):
        if v in step.outs:
            return step.op
    return None


class _NoOptions:
    """Stands for a session made without a config."""


def placer_for(ctx, ops=tuple):
    """The Placer of session context `ctx` for a plan over the ops `ops()` gives (logging their placement when
    asked; called only then or when a GPU is visible), or None
    when every op runs on the CPU and nothing is to be logged (then plans are not rewritten at all)."""
    # Read from the options' own fields: a ConfigProto answers any other name with an empty message.
    options = vars(getattr(ctx, "config", None) or _NoOptions)
    log = bool(options.get("log_device_placement", False))
    devices = backend_gpu.gpu_devices()
    soft = bool(options.get("allow_soft_placement", False))
    placer = Placer(ctx, devices, soft=soft, log=log)
    if not devices and not log:
        # All on the CPU: only pins need a look (one to a missing GPU fails, as in TensorFlow).
        for op in ops():
            if op._device and not soft:
                placer.device_of(op)
        return None
    placer.log_ops(ops())  # decides every op's device now, so a pin that cannot be honoured fails at compile time
    return placer if devices else None
