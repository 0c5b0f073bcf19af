"""`tf.RunOptions` and `tf.RunMetadata`, and the traced run that fills `RunMetadata.step_stats` with each node's
real start and end times (what TensorBoard's "Session runs" view and `timeline.Timeline` show). A traced run
interprets the plan's program step by step with a clock around each kernel; untraced runs never come here.
With GPUs, it runs the placed program (the one untraced runs compile), waits for the device after each of its
steps (so a step's time is its kernel's, not its launch's) and reports each step under its device."""
import time
import weakref

import numpy as np

from .compiler.codegen import _to_user, _to_user_copy
from .plan import CANCEL_CHECK_STEPS, op_error

__all__ = ["RunOptions", "RunMetadata", "StepStats", "DeviceStepStats", "NodeExecStats", "traced_run",
           "run_plan_traced", "wants_trace"]

CPU_DEVICE = "/job:localhost/replica:0/task:0/device:CPU:0"


class RunOptions:
    """Options for one `Session.run` (TensorFlow's RunOptions message): `trace_level` (NO_TRACE,
    SOFTWARE_TRACE, HARDWARE_TRACE or FULL_TRACE; any trace fills the run's RunMetadata.step_stats),
    `timeout_in_ms` and the other fields are accepted and kept.

    Example:
        >>> options = tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE)
        >>> metadata = tf.RunMetadata()
        >>> sess.run(train_op, feed, options=options, run_metadata=metadata)
        >>> writer.add_run_metadata(metadata, "step100")
    """

    NO_TRACE, SOFTWARE_TRACE, HARDWARE_TRACE, FULL_TRACE = 0, 1, 2, 3

    def __init__(self, trace_level=0, timeout_in_ms=0, inter_op_thread_pool=0, output_partition_graphs=False,
                 debug_options=None, report_tensor_allocations_upon_oom=False, experimental=None):
        self.trace_level = int(trace_level)
        self.timeout_in_ms = timeout_in_ms
        self.inter_op_thread_pool = inter_op_thread_pool
        self.output_partition_graphs = output_partition_graphs
        self.debug_options = debug_options
        self.report_tensor_allocations_upon_oom = report_tensor_allocations_upon_oom
        self.experimental = experimental

    def __repr__(self):
        return f"RunOptions(trace_level={self.trace_level})"


class NodeExecStats:
    """One node's execution in a traced run (TensorFlow's NodeExecStats): absolute start in microseconds since
    the epoch, the kernel's start and end relative to it, and its outputs' shapes, dtypes and bytes."""

    def __init__(self, node_name, all_start_micros, op_end_rel_micros, timeline_label="", outputs=(),
                 thread_id=0):  # thread 0: a run calls its kernels one after another on the caller's thread
        self.node_name = node_name
        self.all_start_micros = all_start_micros
        self.op_start_rel_micros = 0
        self.op_end_rel_micros = op_end_rel_micros
        self.all_end_rel_micros = op_end_rel_micros
        self.timeline_label = timeline_label
        self.outputs = list(outputs)  # (slot, numpy dtype, shape, bytes)
        self.thread_id = thread_id

    def __repr__(self):
        return f"NodeExecStats({self.node_name!r}, {self.op_end_rel_micros}us)"


class DeviceStepStats:
    """The nodes one device ran (TensorFlow's DeviceStepStats)."""

    def __init__(self, device, node_stats=()):
        self.device = device
        self.node_stats = list(node_stats)


class StepStats:
    """Per-device node timings of one traced run (TensorFlow's StepStats)."""

    def __init__(self, dev_stats=()):
        self.dev_stats = list(dev_stats)

    def __repr__(self):
        return f"StepStats({sum(len(d.node_stats) for d in self.dev_stats)} nodes)"


class RunMetadata:
    """What a `Session.run` given `run_metadata=` reports: `step_stats`, filled when its RunOptions asked for a
    trace (empty otherwise); `partition_graphs`, `cost_graph` and `function_graphs` stay empty (one device, no
    partitioning). `tf.summary.FileWriter.add_run_metadata` writes it for TensorBoard."""

    def __init__(self):
        self.step_stats = StepStats()
        self.partition_graphs = []
        self.function_graphs = []
        self.cost_graph = None

    def Clear(self):  # noqa: N802 - the protobuf method's name
        self.__init__()

    def __repr__(self):
        return f"RunMetadata(step_stats={self.step_stats!r})"


def wants_trace(options, run_metadata):
    """Whether a run with these arguments is traced: a RunMetadata to fill and options asking for a trace."""
    return run_metadata is not None and getattr(options, "trace_level", 0) not in (0, None)


def traced_run(session, fetches, feed_dict, run_metadata):
    """`session.run(fetches, feed_dict)` with a clock around every kernel, the timings stored in
    `run_metadata.step_stats` (replacing what was there, as TensorFlow's run does). It compiles (and caches)
    the same plan as an untraced run, but interprets its program instead of calling the generated code."""
    from .session import _ResolvedFetches
    if session._graph.version == 0:
        raise RuntimeError("The Session graph is empty. Add operations to the graph before calling run().")
    structure = _ResolvedFetches(session._graph, fetches)
    feed_keys = tuple(feed_dict) if feed_dict else ()
    plan_key = (structure.signature, feed_keys)
    plan = session._plans.get(plan_key)
    if plan is None:
        plan = session._plans[plan_key] = session._compile(structure, feed_keys)
    values = feed_dict.values() if feed_dict else ()
    arrays = [spec.convert(v, k) for spec, v, k in zip(plan.feed_specs, values, feed_keys)]
    return run_plan_traced(session, structure, plan, arrays, run_metadata)


_PLACED_PROGRAMS = weakref.WeakKeyDictionary()  # plan -> its program placed on the devices (compiled once)


def run_plan_traced(session, structure, plan, arrays, run_metadata):
    """Runs a compiled `plan` on converted feed `arrays`, timing each kernel into `run_metadata.step_stats`."""
    placer = getattr(plan, "_placer", None)
    if placer is None:
        results, stats = _interpret_timed(plan.program, arrays, session._ctx.check_cancelled)
        run_metadata.step_stats = StepStats([DeviceStepStats(CPU_DEVICE, stats)])
        return structure.rebuild(results)
    program = _PLACED_PROGRAMS.get(plan)
    if program is None:
        program = _PLACED_PROGRAMS[plan] = plan._placed(plan.program)
    by_device = {CPU_DEVICE: []}
    results, stats = _interpret_timed(program, arrays, session._ctx.check_cancelled, _StepDevices(placer, by_device))
    run_metadata.step_stats = StepStats([DeviceStepStats(d, s) for d, s in by_device.items()])
    return structure.rebuild(results)


class _StepDevices:
    """Where each step of a placed program ran: its op's device, and for the copy steps the placer inserted,
    the GPU's copy engine (`/device:GPU:0/memcpy`, labelled MEMCPYHtoD / MEMCPYDtoH, as TensorFlow's GPU
    tracer reports copies). `wait(step)` blocks until that step's GPU work is done."""

    _COPY_LABELS = {"_CopyHostToDevice": "MEMCPYHtoD", "_CopyDeviceToHost": "MEMCPYDtoH"}

    def __init__(self, placer, by_device):
        self._placer, self._by_device = placer, by_device
        self._gpu_of_step = {}

    def _device(self, step):
        from .placement import CPU_DEVICE as SHORT_CPU, full_name
        label = self._COPY_LABELS.get(getattr(step.opdef, "type_name", ""))
        if label is None:
            device = self._placer.device_of(step.op)
            gpu = None if device == SHORT_CPU else self._placer._gpu(device)
            return full_name(device), gpu, None
        gpu = step.kernel.__self__  # a copy step's kernel is its GPU's to_device or to_host
        return f"{gpu.device_name}/memcpy", gpu, label

    def record(self, step, stats):
        key = id(step)
        found = self._gpu_of_step.get(key)
        if found is None:
            found = self._gpu_of_step[key] = self._device(step)
        name, gpu, label = found
        if label is not None:
            stats.timeline_label = label
        self._by_device.setdefault(name, []).append(stats)

    def wait(self, step):
        found = self._gpu_of_step.get(id(step)) or self._device(step)
        self._gpu_of_step[id(step)] = found
        if found[1] is not None:
            found[1].synchronize()


def _interpret_timed(program, feed_arrays, check_cancelled, devices=None):
    """`plan.interpret` with a clock around each step: (user results, [NodeExecStats]); with `devices` (a
    _StepDevices), each step's stats go to its device's list there and its GPU work is waited for."""
    vals = dict(program.consts)
    vals.update(enumerate(feed_arrays))
    stats = []
    clock = time.perf_counter_ns
    epoch_offset_ns = time.time_ns() - clock()  # one wall-clock reading; steps are timed by the monotonic clock
    with np.errstate(all="ignore"):
        for n, step in enumerate(program.steps):
            if n % CANCEL_CHECK_STEPS == 0:
                check_cancelled()
            args = [vals[v] for v in step.ins]
            start = clock()
            try:
                result = step.kernel(*args)
                if devices is not None:
                    devices.wait(step)
            except Exception as exc:  # noqa: BLE001 - as the untraced run: an OpError naming the node
                raise op_error(step.op, exc, args) from None
            end = clock()
            outputs = [result] if len(step.outs) == 1 else list(result) if step.outs else []
            for out, value in zip(step.outs, outputs):
                vals[out] = value
            node = NodeExecStats(step.op.name, (start + epoch_offset_ns) // 1000, (end - start) // 1000,
                                 _timeline_label(step.op), _describe(outputs))
            if devices is None:
                stats.append(node)
            else:
                devices.record(step, node)
    results = [(_to_user_copy if v in program.shared else _to_user)(vals[v]) for v in program.fetches]
    return results, stats


def _timeline_label(op):
    return f"{op.name} = {op.type}({', '.join(t.name for t in op.inputs)})"


def _describe(outputs):
    described = []
    for slot, value in enumerate(outputs):
        shape, dtype = getattr(value, "shape", None), getattr(value, "dtype", None)
        if shape is None or dtype is None:
            continue  # not an array (a TensorList, an iterator's handle): nothing to describe
        described.append((slot, np.dtype(dtype), tuple(int(d) for d in shape), int(getattr(value, "nbytes", 0))))
    return described
