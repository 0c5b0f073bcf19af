"""Tiny plans: a specialized program whose values are all small float arrays of one dtype, and whose ops are all
in the tiny VM's set (elementwise arithmetic with scalar-or-full broadcasting, Neg/Square/Sqrt, full and last-axis
Sum/Mean, SumToShape to a scalar, AddN, Identity/Reshape, Assign, plain, momentum and Adam updates), is lowered to
one instruction list for the numba kernel of runtime/accel/tiny_vm.py; once the tier-up rule below says so, its
runs go through that one compiled call instead of the plain generated code. Anything else keeps its plain code.

Tier-up rule (ski rental). The first tier-up in a process costs ~0.6 s (measured on the 2-core machine with
numba's disk cache warm: `import numba` 0.19-0.21 s, the kernel's first call 0.39 s, of which 0.3-0.45 s is numba's
own floor, a trivial cached function's first call; up to ~1.4 s on a loaded machine), a later one ~12 ms (the
cached kernel for another number of inputs); the VM then saves about half of each run (the lecture's `sess.run`
about 7 -> 3 us). Whether a plan will run long enough to repay that is unknown when it starts, so the plain code
serves until its runs have taken twice the tier-up's cost (`tier_up_seconds`): what the VM would have saved by
then equals what it costs, and whatever the program's length, it never pays more than about twice what the better
choice made in hindsight would have cost. A count of runs alone cannot promise that: at 1000 runs (~8 ms of the
lecture's) the first tier-up would make a 1000-run program several times slower. So the first tier-up in a
process waits for ~1.2 s of plain runs (~150k of the lecture's), and once the VM is loaded, a new tiny plan tiers
up after ~24 ms of them. Programs that want the VM at once ask for it as TensorFlow users ask for XLA's JIT:
`config.graph_options.optimizer_options.global_jit_level = tf.OptimizerOptions.ON_1` in the Session's
ConfigProto, or `NEUROFLOW_TINY_VM_AFTER=n` (a count of warm runs instead of the rule; 0: at once). The very
first time on a machine, numba compiles the kernel (~2-3 s for each number of inputs and dtype) into its cache.
`NEUROFLOW_TINY_VM=0` (or `NEUROFLOW_NUMBA=0`) turns the VM off.

The narrowest tiny plans (every instruction at most 8 elements, the lecture's) do not wait for the VM: `attach`
gives them scalar code (compiler/tiny_scalar.py) at once, NumPy alone, and they keep it unless the JIT is asked for.
"""
import os
import weakref
from time import perf_counter

import numpy as np

__all__ = ["attach", "lower", "tier_up_runs", "tier_up_seconds", "uses_vm", "TinyProgram", "OPCODES", "WIDTH"]

# The instruction layout: WIDTH int64 fields [opcode, n, o0, o1, o2, o3, o4, s1, s2, s3, s4]: n elements, o_k
# arena offsets of the operands (o0 the output or the updated variable), s_k 1 for an operand of n elements, 0
# for one broadcast from a single element. runtime/accel/tiny_vm.py's kernel reads it.
WIDTH = 11
# The VM's own instruction names (lower case: they are not op types; several ops lower to one, Adam to many).
OPCODES = {"add": 1, "sub": 2, "mul": 3, "div": 4, "neg": 5, "square": 6, "sum_rows": 7, "mean_rows": 8,
           "gradient_descent": 9, "momentum": 10, "momentum_nesterov": 11, "sqrt": 12, "copy": 13}
HEADER = 4  # int64 fields per input in the code's header: [arena offset in, elements, arena offset out, write back]
# Rows longer than NumPy's pairwise block (128) would need its recursive split: tiny plans never reduce them.
MAX_ROW = 128
MAX_ELEMENTS = 1024   # per value: beyond, NumPy's kernels cost little next to the run's fixed costs
MAX_STEPS = 64        # a longer program is not a tiny one; its plain code is kept without looking further
FIRST_TIER_UP_SECONDS = 0.6    # numba's import and first call, the kernel loaded from numba's disk cache
LATER_TIER_UP_SECONDS = 0.012  # the VM already loaded in this process: the cached kernel for other inputs
_vm_loaded = [False]           # whether a tier-up has loaded the VM in this process
SAMPLE_EVERY = 16              # the tier-up rule times one plain run in this many
_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


def enabled():
    """Whether tiny plans may use the VM (numba installed; neither NEUROFLOW_TINY_VM=0 nor NEUROFLOW_NUMBA=0)."""
    if os.environ.get("NEUROFLOW_TINY_VM", "1") == "0":
        return False
    from ..accel import numba_available
    return numba_available()


def tier_up_runs(ctx=None):
    """The number of warm runs of a tiny plan before the VM takes over when one is asked for (0 when the session's
    config asks for the JIT, else NEUROFLOW_TINY_VM_AFTER), or None: the ski-rental rule decides (module docstring)."""
    if getattr(ctx, "jit_requested", False):
        return 0
    text = os.environ.get("NEUROFLOW_TINY_VM_AFTER", "").strip()
    return int(text) if text.isdigit() else None


def tier_up_seconds():
    """How long a tiny plan's plain runs take before it tiers up: twice the tier-up's expected cost."""
    return 2 * (LATER_TIER_UP_SECONDS if _vm_loaded[0] else FIRST_TIER_UP_SECONDS)


class TinyProgram:
    """A tiny plan lowered for the VM.

    Attributes:
        code: the int64 instruction list (after a header of HEADER fields per tuple input).
        template: a fresh arena: constants in place, the rest zeros.
        inputs: per tuple input, ("feed", feed index) or ("variable", storage name), with its shape.
        scalar_feeds: (feed index, arena offset) of the 0-d feeds, stored into the arena directly.
        fetches: per fetch, (arena offset, shape).
    """

    def __init__(self, code, template, inputs, scalar_feeds, fetches):
        self.code, self.template, self.inputs, self.scalar_feeds, self.fetches = (
            code, template, inputs, scalar_feeds, fetches)


class _NotTiny(Exception):
    """The program has something the VM does not run."""


_TINY_OPS = {}


def _tiny_ops():
    """{OpDef: (how the VM runs it, its instruction)}: the op modules' own OpDef instances, as the fast-kernel
    registry (runtime/accel) keys its kernels, so an op renamed or removed fails here rather than silently."""
    if not _TINY_OPS:
        from ...ops import array_ops as a, binary_ops as b, grad_support_ops as g, reduce_ops as r
        from ...ops import state_ops as s, training_ops as t, unary_ops as u
        _TINY_OPS.update({
            b.AddV2: ("binary", "add"), b.Sub: ("binary", "sub"), b.Mul: ("binary", "mul"),
            b.RealDiv: ("binary", "div"),
            u.Neg: ("unary", "neg"), u.Square: ("unary", "square"), u.Sqrt: ("unary", "sqrt"),
            r.Sum: ("reduction", "sum"), r.Mean: ("reduction", "mean"), g.SumToShape: ("reduction", "sum_to_shape"),
            g.AddN: ("add_n", "add"), a.Identity: ("alias", None), a.Reshape: ("alias", None),
            s.VariableV2: ("variable", None), s.Assign: ("assign", "copy"),
            t.ApplyGradientDescent: ("apply", "gradient_descent"), t.ApplyMomentum: ("momentum", "momentum"),
            t.ApplyAdam: ("adam", None)})
    return _TINY_OPS


def lower(program, variable_name):
    """The `TinyProgram` of a specialized `program`, or None when it is not tiny. `variable_name(tensor)`: the
    storage key of the variable a reference tensor points to (the run context's)."""
    if program.xp is not np or not program.steps or len(program.steps) > MAX_STEPS:
        return None
    try:
        return _Lowering(program, variable_name).result()
    except _NotTiny:
        return None


class _Lowering:
    def __init__(self, program, variable_name):
        self.program, self.variable_name = program, variable_name
        self.dtype = None
        self.offset = {}          # value id -> arena offset
        self.size = {}            # value id -> elements
        self.arena = []           # (offset, constant array) to write into the template
        self.next = 0
        self.inputs = []          # [kind, key, shape, offset, write_back]
        self.variables = {}       # storage name -> index in self.inputs
        self.current = {}         # storage name -> arena offset of its value now (an Assign moves it)
        self.scalar_feeds = []
        self.code = []

    def result(self):
        p = self.program
        ops = _tiny_ops()
        for v in range(p.num_feeds):
            shape = p.shapes.get(v)
            if shape is None:
                raise _NotTiny
            self._check_dtype(p.dtypes.get(v))
            if shape == ():
                self._new(v, 1)
                self.scalar_feeds.append((v, self.offset[v]))
            else:
                self._new(v, _elements(shape))
                self.inputs.append(["feed", v, shape, self.offset[v], False])
        for step in p.steps:
            self._step(step, ops)
        fetches = []
        for v in p.fetches:
            self._operand(v)
            shape = p.shapes.get(v) if v not in p.consts else np.shape(p.consts[v])
            if shape is None:
                raise _NotTiny
            fetches.append((self.offset[v], tuple(shape)))
        if not self.inputs:
            raise _NotTiny  # the kernel takes a tuple of at least one array
        header = [len(self.inputs)]
        for kind, key, shape, offset, write_back in self.inputs:
            out = self.current.get(key, offset) if kind == "variable" else offset
            header += [offset, _elements(shape), out, int(write_back)]
        template = np.zeros(max(self.next, 1), self.dtype)
        for offset, value in self.arena:
            template[offset:offset + value.size] = value.reshape(-1)
        inputs = [(kind, key, tuple(shape)) for kind, key, shape, _, _ in self.inputs]
        return TinyProgram(np.array(header + self.code, np.int64), template, inputs, self.scalar_feeds, fetches)

    # --- values ---------------------------------------------------------------------------------------
    def _check_dtype(self, dtype):
        if dtype is None or np.dtype(dtype) not in _FLOATS:
            raise _NotTiny
        if self.dtype is None:
            self.dtype = np.dtype(dtype)
        elif np.dtype(dtype) != self.dtype:
            raise _NotTiny

    def _new(self, v, size):
        if not 1 <= size <= MAX_ELEMENTS:
            raise _NotTiny
        self.offset[v], self.size[v] = self.next, size
        self.next += size

    def _alias(self, v, to):
        self.offset[v], self.size[v] = self.offset[to], self.size[to]

    def _operand(self, v):
        """The arena offset of input value `v` (a constant gets its slot in the template on first use)."""
        if v not in self.offset:
            if v not in self.program.consts:
                raise _NotTiny
            value = np.asarray(self.program.consts[v])
            self._check_dtype(value.dtype)
            self._new(v, value.size)
            self.arena.append((self.offset[v], value))
        return self.offset[v]

    def _out(self, step, index=0):
        v = step.outs[index]
        shape = self.program.shapes.get(v)
        if shape is None:
            raise _NotTiny
        self._check_dtype(self.program.dtypes.get(v))
        return v, _elements(shape)

    def _constant(self, value):
        """The offset of a template constant holding `value` in the arena's dtype."""
        key = ("constant", value)
        if key not in self.offset:
            self._new(key, 1)
            self.arena.append((self.offset[key], np.array([value], self.dtype)))
        return self.offset[key]

    def _variable(self, tensor, write_back):
        """(arena offset of the variable's value now, its elements); `write_back`: the run changes it."""
        name = self.variable_name(tensor)
        shape = tensor.shape.as_list() if tensor.shape.ndims is not None else None
        if shape is None or None in shape:
            raise _NotTiny
        self._check_dtype(np.dtype(tensor.dtype.base_dtype.as_numpy_dtype))
        index = self.variables.get(name)
        if index is None:
            key = ("variable", name)
            self._new(key, _elements(shape))
            index = self.variables[name] = len(self.inputs)
            self.inputs.append(["variable", name, tuple(shape), self.offset[key], False])
            self.current[name] = self.offset[key]
        entry = self.inputs[index]
        if tuple(shape) != entry[2]:
            raise _NotTiny
        entry[4] = entry[4] or write_back
        return self.current[name], _elements(shape)

    def _emit(self, opcode, n, offsets, strides=()):
        offsets = list(offsets) + [0] * (5 - len(offsets))
        strides = list(strides) + [0] * (4 - len(strides))
        self.code += [OPCODES[opcode], n] + offsets + strides

    def _size_of(self, v):
        return self.size[v] if v in self.size else np.asarray(self.program.consts[v]).size

    def _stride(self, v, n):
        size = self._size_of(v)
        if size == n:
            return 1
        if size == 1:
            return 0
        raise _NotTiny  # a broadcast other than scalar-or-full

    # --- steps ----------------------------------------------------------------------------------------
    def _step(self, step, ops):
        kind, instruction = ops.get(step.opdef, (None, None))
        if kind == "variable":
            out, n = self._out(step)
            offset, size = self._variable(step.op.outputs[0], False)
            if size != n:
                raise _NotTiny
            self.offset[out], self.size[out] = offset, size
        elif kind == "alias" or (instruction == "sum_to_shape" and self._same_size(step)):
            out, n = self._out(step)
            self._operand(step.ins[0])
            if self.size[step.ins[0]] != n:
                raise _NotTiny
            self._alias(out, step.ins[0])
        elif kind == "binary":
            out, n = self._out(step)
            a, b = (self._operand(v) for v in step.ins)
            strides = [self._stride(v, n) for v in step.ins]
            self._new(out, n)
            self._emit(instruction, n, [self.offset[out], a, b], strides)
        elif kind == "unary":
            out, n = self._out(step)
            a = self._operand(step.ins[0])
            stride = self._stride(step.ins[0], n)
            self._new(out, n)
            self._emit(instruction, n, [self.offset[out], a], [stride])
        elif kind == "add_n":
            self._add_n(step)
        elif kind == "reduction":
            self._reduction(step, instruction)
        elif kind == "apply":
            self._apply(step, 1, instruction)
        elif kind == "momentum":
            self._apply(step, 2, "momentum_nesterov" if step.op.attrs.get("use_nesterov") else "momentum")
        elif kind == "adam":
            self._adam(step)
        elif kind == "assign":
            self._assign(step)
        else:
            raise _NotTiny

    def _same_size(self, step):
        return self.program.shapes.get(step.outs[0]) == self.program.shapes.get(step.ins[0])

    def _add_n(self, step):
        out, n = self._out(step)
        ins = list(step.ins)
        if len(ins) < 2:
            raise _NotTiny
        offsets = [self._operand(v) for v in ins]
        if any(self._stride(v, n) != 1 for v in ins):
            raise _NotTiny
        self._new(out, n)
        # AddN's kernel: values[0] + values[1], then += each further one.
        self._emit("add", n, [self.offset[out], offsets[0], offsets[1]], [1, 1])
        for offset in offsets[2:]:
            self._emit("add", n, [self.offset[out], self.offset[out], offset], [1, 1])

    def _reduction(self, step, name):  # name: "sum", "mean" or "sum_to_shape"
        out, n = self._out(step)
        x = step.ins[0]
        a = self._operand(x)
        shape = self.program.shapes.get(x) if x not in self.program.consts else np.shape(self.program.consts[x])
        if shape is None or len(shape) == 0:
            raise _NotTiny
        size = self.size[x]
        if name == "sum_to_shape":
            axes = "all" if n == 1 else None
        else:
            axis = step.op.attrs.get("axis")
            axis = tuple(range(len(shape))) if axis is None else tuple(a % len(shape) for a in axis)
            axes = ("all" if sorted(axis) == list(range(len(shape))) else
                    "last" if axis == (len(shape) - 1,) else None)
        if axes is None:
            raise _NotTiny  # NumPy sums other axes in another order
        row = size if axes == "all" else shape[-1]
        if row > MAX_ROW or size // row != n:
            raise _NotTiny
        count = self._constant(row) if name == "mean" else 0
        self._new(out, n)
        self._emit("mean_rows" if name == "mean" else "sum_rows", n, [self.offset[out], a, row, count])

    def _apply(self, step, refs, opcode):
        op = step.op
        var, n = self._variable(op.inputs[0], True)
        offsets = [var]
        for ref in op.inputs[1:refs]:
            offset, size = self._variable(ref, True)
            if size != n:
                raise _NotTiny
            offsets.append(offset)
        values = [self._operand(v) for v in step.ins]
        strides = [0] * (refs - 1)
        for v in step.ins[:-1]:
            if self._size_of(v) != 1:  # learning rate, momentum: single values
                raise _NotTiny
            strides.append(0)
        if self._size_of(step.ins[-1]) != n:
            raise _NotTiny  # the gradient must have the variable's elements
        self._emit(opcode, n, offsets + values, strides + [1])
        for out in step.outs:
            self.offset[out], self.size[out] = var, n  # an update's output is the variable's storage


    def _assign(self, step):
        """Assign stores a copy of its value as the variable's new array: later reads see the copy, earlier
        reads keep the old value (a new slot, copied back into the storage at the end)."""
        op = step.op
        if not op.attrs.get("validate_shape", True):
            raise _NotTiny
        _, n = self._variable(op.inputs[0], True)
        value = self._operand(step.ins[0])
        if self._size_of(step.ins[0]) != n:
            raise _NotTiny
        key = ("assigned", step.outs[0] if step.outs else id(step))
        self._new(key, n)
        self._emit("copy", n, [self.offset[key], value], [1])
        self.current[self.variable_name(op.inputs[0])] = self.offset[key]
        for out in step.outs:
            self.offset[out], self.size[out] = self.offset[key], n

    def _adam(self, step):
        """ApplyAdam as its NumPy kernel's operations, one instruction each, in its order:
        alpha = lr * sqrt(1 - beta2_power) / (1 - beta1_power); m += (grad - m) * (1 - beta1);
        v += (grad * grad - v) * (1 - beta2); var -= m * alpha / (sqrt(v) + epsilon) (Nesterov: var -= (m * beta1
        + grad * (1 - beta1)) * alpha / (sqrt(v) + epsilon))."""
        op = step.op
        var, n = self._variable(op.inputs[0], True)
        m, m_n = self._variable(op.inputs[1], True)
        v, v_n = self._variable(op.inputs[2], True)
        if not n == m_n == v_n:
            raise _NotTiny
        b1p, b2p, lr, b1, b2, eps, grad = (self._operand(x) for x in step.ins)
        if any(self._size_of(x) != 1 for x in step.ins[:-1]) or self._size_of(step.ins[-1]) != n:
            raise _NotTiny
        one = self._constant(1)
        scalars, vectors = self._temporaries(step, 1, 1), self._temporaries(step, n, 2)
        alpha, c = scalars[0], self._temporaries(step, 1, 1, "c")[0]
        t, u = vectors
        self._emit("sub", 1, [alpha, one, b2p], [0, 0])
        self._emit("sqrt", 1, [alpha, alpha], [0])
        self._emit("mul", 1, [alpha, lr, alpha], [0, 0])
        self._emit("sub", 1, [c, one, b1p], [0, 0])
        self._emit("div", 1, [alpha, alpha, c], [0, 0])
        self._emit("sub", 1, [c, one, b1], [0, 0])                  # c = 1 - beta1
        self._emit("sub", n, [t, grad, m], [1, 1])
        self._emit("mul", n, [t, t, c], [1, 0])
        self._emit("add", n, [m, m, t], [1, 1])
        self._emit("mul", n, [t, grad, grad], [1, 1])
        self._emit("sub", n, [t, t, v], [1, 1])
        self._emit("sub", 1, [u, one, b2], [0, 0])                  # u[0] = 1 - beta2 (u is free until below)
        self._emit("mul", n, [t, t, u], [1, 0])
        self._emit("add", n, [v, v, t], [1, 1])
        if op.attrs.get("use_nesterov"):
            self._emit("mul", n, [t, m, b1], [1, 0])
            self._emit("mul", n, [u, grad, c], [1, 0])
            self._emit("add", n, [t, t, u], [1, 1])
            self._emit("mul", n, [t, t, alpha], [1, 0])
        else:
            self._emit("mul", n, [t, m, alpha], [1, 0])
        self._emit("sqrt", n, [u, v], [1])
        self._emit("add", n, [u, u, eps], [1, 0])
        self._emit("div", n, [t, t, u], [1, 1])
        self._emit("sub", n, [var, var, t], [1, 1])
        for out in step.outs:
            self.offset[out], self.size[out] = var, n

    def _temporaries(self, step, n, count, tag="t"):
        offsets = []
        for k in range(count):
            key = (tag, id(step), k)
            self._new(key, n)
            offsets.append(self.offset[key])
        return offsets


def _elements(shape):
    n = 1
    for d in shape:
        n *= int(d)
    return n


def uses_vm(generated):
    """Whether the runs of `generated` (a `codegen.Generated`) now go through the tiny VM."""
    return getattr(generated.run, "__code__", None) is not None and generated.run.__code__.co_filename == _RUNNER_FILE


_RUNNER_FILE = "<neuroflow tiny plan>"


# --- running ------------------------------------------------------------------------------------------------
def attach(generated, program, ctx):
    """When the specialized `program` is tiny: gives `generated` (its `codegen.Generated`) scalar code at once if
    every instruction is narrow enough (compiler/tiny_scalar.py) and the JIT is not asked for; else lets the tiny
    VM take over once the tier-up rule says so (module docstring), when the VM is enabled. Otherwise changes
    nothing."""
    if not hasattr(ctx, "variables"):
        return
    from . import tiny_scalar
    scalar_code, vm = tiny_scalar.enabled(), enabled()
    if not (scalar_code or vm):
        return
    tiny = lower(program, ctx.variable_name)
    if tiny is None:
        return
    plain, store, num_feeds = generated.run, ctx.variables, program.num_feeds
    runs = tier_up_runs(ctx)
    if scalar_code and (runs is None or not vm):
        # The narrowest plans run as scalar code at once, with no tier-up to pay for, and keep it: the VM would
        # save nothing measurable after a ~0.6 s tier-up (the lecture's sess.run ~2.8 us either way, timeit minima).
        run = tiny_scalar.runner(tiny, num_feeds, store, plain)
        if run is not None:
            generated.run = run
            return
    if not vm:
        return
    this = weakref.ref(generated)  # no cycle: a dropped plan goes at once

    def tier_up():
        if this() is not None:
            this().run = _vm_runner(tiny, num_feeds, store, plain, this) or plain

    if runs is not None:
        remaining = [runs]

        def counting(feeds):
            remaining[0] -= 1
            if remaining[0] <= 0:
                tier_up()
            return plain(feeds)
        generated.run = counting
        return
    # Seconds of plain runs so far, estimated from one run in SAMPLE_EVERY timed (clock reads and the check on
    # every run cost ~0.45 us of a lecture run's ~10; a counter test, ~0.1 us).
    runs, spent = [0], [0.0]

    def timing(feeds):
        runs[0] += 1
        if runs[0] % SAMPLE_EVERY:
            return plain(feeds)
        start = perf_counter()
        try:
            return plain(feeds)
        finally:
            spent[0] += (perf_counter() - start) * SAMPLE_EVERY
            if spent[0] >= tier_up_seconds():
                tier_up()
    generated.run = timing


def _vm_runner(tiny, num_feeds, store, plain, this):
    """The run that calls the VM (None when the VM cannot be loaded): it reads each variable's current storage
    every run and hands the run to `plain` where something differs from what the code was made for (a variable
    uninitialized or re-bound to another shape), so plain code raises or computes then."""
    try:
        from ..accel.tiny_vm import run as vm
    except Exception:  # noqa: BLE001 - numba missing or broken: the plain code serves on
        return None
    _vm_loaded[0] = True  # (its first call, in the run below, loads the kernel; later tier-ups cost little)

    def give_up(feeds):
        # The kernel refused these inputs' types (a strided feed next to contiguous ones, say): plain code
        # serves this plan from now on.
        if this() is not None:
            this().run = plain
        return plain(feeds)

    template = tiny.template
    free = []
    # Each variable's storage name and shape are closure values (n<k>, s<k>) of the generated run, never text in it.
    variables = [x for k, (kind, key, shape) in enumerate(tiny.inputs) if kind == "variable" for x in (key, shape)]
    namespace = {}
    source = _runner_source(tiny, num_feeds)
    exec(compile(source, _RUNNER_FILE, "exec"), namespace)  # noqa: S102 - built from integers only
    return namespace["make"](vm, tiny.code, store, plain, give_up, template.copy, free, np.ndarray, *variables)


def _runner_source(tiny, num_feeds):
    variables = [(k, shape) for k, (kind, _, shape) in enumerate(tiny.inputs) if kind == "variable"]
    params = "".join(f", n{k}, s{k}" for k, _ in variables)
    lines = [f"def make(vm, code, store, plain, give_up, fresh, free, ndarray{params}):", "  def run(feeds):"]
    if num_feeds:
        lines.append(f"    {', '.join(f'f{i}' for i in range(num_feeds))}{',' if num_feeds == 1 else ''} = feeds")
    if variables:
        lines.append("    try:")
        lines += [f"      w{k} = store[n{k}]" for k, _ in variables]
        lines.append("    except KeyError:")
        lines.append("      return plain(feeds)  # it raises, naming the uninitialized variable")
        # The kernel writes through `reshape(-1)` views: a 0-d variable's storage may be a NumPy scalar (what a
        # NumPy operation gives for a 0-d result), whose reshape is a copy; a strided one's reshape is a copy too.
        checks = [f"w{k}.shape != s{k}" + (f" or w{k}.__class__ is not ndarray" if len(shape) == 0 else
                                           "" if len(shape) == 1 else f" or not w{k}.flags.c_contiguous")
                  for k, shape in variables]
        lines.append(f"    if {' or '.join(checks)}:")
        lines.append("      return plain(feeds)  # re-bound to another shape since the code was made")
    args = []
    for k, (kind, key, shape) in enumerate(tiny.inputs):
        name = f"f{key}" if kind == "feed" else f"w{k}"
        args.append(name if len(shape) == 1 else f"{name}.reshape(-1)")  # a view: the kernel writes through
    views_out = any(shape != () for _, shape in tiny.fetches)
    if views_out:
        lines.append("    arena = fresh()  # array fetches are views of it: a new one each run")
    else:
        lines += ["    try:", "      arena = free.pop()", "    except IndexError:", "      arena = fresh()"]
    lines += [f"    arena[{offset}] = f{v}" for v, offset in tiny.scalar_feeds]
    lines += ["    try:", f"      refused = vm(code, arena, ({', '.join(args)},))", "    except Exception:",
              "      return give_up(feeds)", "    if refused:", "      return plain(feeds)"]
    results = [f"arena[{offset}]" if shape == () else
               f"arena[{offset}:{offset + _elements(shape)}].reshape({tuple(int(d) for d in shape)!r})"
               for offset, shape in tiny.fetches]
    lines.append(f"    result = [{', '.join(results)}]")
    if not views_out:
        lines.append("    free.append(arena)")
    lines += ["    return result", "  return run"]
    return "\n".join(lines) + "\n"
