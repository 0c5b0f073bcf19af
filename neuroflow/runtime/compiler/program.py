"""The plan IR: values (feeds, constants, step outputs) numbered by int ids, and steps that call kernels.

A Program is what the passes rewrite. Steps are in execution order. A value id may be written by several
"read" steps (a variable is re-read before each consumer), so passes treat reads as non-movable.
"""
import numpy as np

from ..accel import fast_kernel

__all__ = ["Step", "Program", "lower"]

PURE, READ, EFFECT = "pure", "read", "effect"


class Step:
    """One kernel call: `outs = kernel(*ins)`.

    Attributes:
        kernel: the callable (bound once for the session).
        ins, outs: value ids.
        op: the graph Operation it comes from (for errors and attrs).
        opdef: the OpDef applied (for rewrite rules).
        kind: PURE (may be folded, deduplicated, removed), READ (reads state; removable when unused) or
            EFFECT (writes state, draws randomness or raises: always kept).
        key: what makes two PURE steps interchangeable (CSE), or None.
    """

    __slots__ = ("kernel", "ins", "outs", "op", "opdef", "kind", "key")

    def __init__(self, kernel, ins, outs, op, opdef, kind, key=None):
        self.kernel, self.ins, self.outs, self.op, self.opdef, self.kind, self.key = (
            kernel, list(ins), list(outs), op, opdef, kind, key)

    def __repr__(self):
        return f"Step({self.opdef.type_name} {self.op.name}: {self.ins} -> {self.outs}, {self.kind})"


class Program:
    """Values, constants and steps of one plan; `shapes` holds shapes known exactly (static or observed)."""

    def __init__(self, num_feeds, xp=np):
        self.num_feeds = num_feeds
        self.xp = xp  # the array module the kernels were bound to (passes that make new steps bind to it too)
        self.next_id = num_feeds
        self.steps = []
        self.consts = {}
        self.fetches = []
        self.shared = set(range(num_feeds))  # values owned by someone else: feeds, constants, variable storage
        self.shapes = {}
        self.dtypes = {}

    def new_value(self, shape=None, dtype=None, shared=False):
        vid = self.next_id
        self.next_id += 1
        if shape is not None:
            self.shapes[vid] = shape
        if dtype is not None:
            self.dtypes[vid] = dtype
        if shared:
            self.shared.add(vid)
        return vid

    def add_const(self, value, dtype=None):
        vid = self.new_value(np.shape(value), dtype if dtype is not None else np.asarray(value).dtype, shared=True)
        self.consts[vid] = value
        return vid

    def copy(self):
        """An independent copy (steps are new objects; kernels and constants are shared)."""
        other = Program(self.num_feeds, self.xp)
        other.next_id = self.next_id
        other.steps = [Step(s.kernel, s.ins, s.outs, s.op, s.opdef, s.kind, s.key) for s in self.steps]
        other.consts = dict(self.consts)
        other.fetches = list(self.fetches)
        other.shared = set(self.shared)
        other.shapes = dict(self.shapes)
        other.dtypes = dict(self.dtypes)
        return other

    def substitute(self, mapping):
        """Replaces uses of value ids by others (following chains), in steps and fetches."""
        if not mapping:
            return

        def resolve(v):
            while v in mapping:
                v = mapping[v]
            return v
        for step in self.steps:
            step.ins = [resolve(v) for v in step.ins]
        self.fetches = [resolve(v) for v in self.fetches]

    def use_counts(self):
        counts = {}
        for step in self.steps:
            for v in step.ins:
                counts[v] = counts.get(v, 0) + 1
        for v in self.fetches:
            counts[v] = counts.get(v, 0) + 1
        return counts


def _static_shape(tensor):
    shape = tensor.shape
    return tuple(shape.as_list()) if shape.is_fully_defined() else None


def _kind(opdef):
    if opdef.read_at_use:
        return READ
    if opdef.stateful or opdef.must_be_fed:  # an unfed placeholder's step raises: never dropped
        return EFFECT
    return PURE


def _freeze(value):
    if isinstance(value, (list, tuple)):
        return tuple(_freeze(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _freeze(v)) for k, v in value.items()))
    if isinstance(value, np.ndarray):
        return (value.dtype.str, value.shape, value.tobytes())
    try:
        hash(value)
        return value
    except TypeError:
        return repr(value)


def lower(fetch_tensors, target_ops, feed_tensors, ctx):
    """The ops the fetches and targets need (stopping at fed tensors), in creation order — a topological
    order, since ops are created after their inputs — as a Program, with kernels bound once."""
    fed = set(feed_tensors)
    order = sorted(_needed_ops(fetch_tensors, target_ops, fed), key=lambda op: op._id)
    program = Program(len(feed_tensors), ctx.xp)
    value_of = {t: i for i, t in enumerate(feed_tensors)}
    for i, t in enumerate(feed_tensors):
        program.dtypes[i] = np.dtype(t.dtype.base_dtype.as_numpy_dtype)
        if _static_shape(t) is not None:
            program.shapes[i] = _static_shape(t)
    fetched = set(fetch_tensors)
    scratch = None
    for op in order:
        opdef = op.opdef
        if opdef.only_orders:
            continue  # ordering is all it contributes, and the order already holds it
        value_inputs = [t for i, t in enumerate(op._inputs) if i not in opdef.ref_inputs]
        for t in value_inputs:
            # A variable is read where it is used, so a read ordered after an update sees the update.
            if t.op.opdef.read_at_use and t not in fed:
                program.steps.append(Step(t.op.opdef.kernel(t.op, ctx), (), [value_of[t]], t.op, t.op.opdef, READ))
        if opdef.is_constant:
            value_of[op._outputs[0]] = program.add_const(opdef.static_value(op, 0))
            continue
        outs = []
        for t in op._outputs:
            if t in fed:
                if scratch is None:
                    scratch = program.new_value()
                outs.append(scratch)
            else:
                shared = opdef.output_is_shared
                value_of[t] = program.new_value(_static_shape(t), np.dtype(t.dtype.base_dtype.as_numpy_dtype),
                                                shared)
                outs.append(value_of[t])
        if opdef.read_at_use and not any(t in fetched for t in op._outputs):
            continue  # read only before its consumers
        kind = _kind(opdef)
        key = (opdef.type_name, _freeze(op.attrs)) if kind == PURE else None
        kernel = fast_kernel(op, ctx) or opdef.kernel(op, ctx)
        program.steps.append(Step(kernel, [value_of[t] for t in value_inputs], outs, op, opdef, kind, key))
    program.fetches = [value_of[t] for t in fetch_tensors]
    return program


def _needed_ops(fetch_tensors, target_ops, fed):
    """The ops the fetches and targets depend on, through data inputs (not past fed tensors) and control
    inputs; a reference input (Assign's variable) needs no value, only its own producer's ordering."""
    needed = set()
    stack = [t.op for t in fetch_tensors if t not in fed] + list(target_ops)
    while stack:
        op = stack.pop()
        if op in needed:
            continue
        needed.add(op)
        refs = op.opdef.ref_inputs
        for i, t in enumerate(op._inputs):
            if i in refs:
                if not t.op.opdef.read_at_use:  # a variable: its storage is what the reference names
                    stack.append(t.op)
            elif t not in fed:
                stack.append(t.op)
        # A control input whose outputs are all fed has, in effect, already run (TensorFlow accepts this).
        stack.extend(c for c in op._control_inputs if not (c._outputs and all(t in fed for t in c._outputs)))
    return needed
