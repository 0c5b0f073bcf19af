"""The plan IR: values (feeds, constants, step outputs) numbered by int ids, and steps that call kernels.

A Program is what the passes rewrite. Steps are in execution order. Reads of variables are steps of their own,
placed where TensorFlow's reference-variable semantics need them (see `lower`), so passes treat reads as
non-movable; a value id may also be written by several read steps (a `read_at_use` op such as ReadVariableOp
is re-read before each consumer).
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
    order, since ops are created after their inputs — as a Program, with kernels bound once. Variables are read
    as `_VariableReads` says."""
    fed = set(feed_tensors)
    order = sorted(_needed_ops(fetch_tensors, target_ops, fed), key=lambda op: op._id)
    program = Program(len(feed_tensors), ctx.xp)
    value_of = {t: i for i, t in enumerate(feed_tensors)}
    for i, t in enumerate(feed_tensors):
        program.dtypes[i] = np.dtype(t.dtype.base_dtype.as_numpy_dtype)
        if _static_shape(t) is not None:
            program.shapes[i] = _static_shape(t)
    fetched = set(fetch_tensors)
    reads = _VariableReads(order, fed, program, ctx)
    scratch = None
    for op in order:
        opdef = op.opdef
        if opdef.only_orders:
            continue  # ordering is all it contributes, and the order already holds it
        if reads.stands_for_storage(op):
            reads.note_identity(op)  # a variable or an identity of it: its consumers read the storage
            continue
        value_inputs = [t for i, t in enumerate(op._inputs) if i not in opdef.ref_inputs]
        ins = []
        for t in value_inputs:
            if t in reads.storage:
                ins.append(reads.value_for(t, op))
                continue
            # Another read_at_use op (ReadVariableOp) is read again right before each consumer.
            if t.op.opdef.read_at_use and t not in fed:
                program.steps.append(Step(t.op.opdef.kernel(t.op, ctx), (), [value_of[t]], t.op, t.op.opdef, READ))
            ins.append(value_of[t])
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
        program.steps.append(Step(kernel, ins, outs, op, opdef, kind, key))
        reads.note_update(op, value_of)
    program.fetches = [value_of[t] if reads.storage_of(t) is None else reads.value_at_end(t) for t in fetch_tensors]
    return program


_NO_WRITES = {}


def _is_storage(opdef):
    """A variable's storage (VariableV2): read by reference, itself reading nothing (ReadVariableOp reads one)."""
    return opdef.read_at_use and not opdef.ref_inputs


class _VariableReads:
    """Where a lowered program reads its variables: TensorFlow 1.x's reference-variable semantics.

    In TensorFlow a VariableV2's output, an update's output (Assign, AssignAdd, Apply*: the reference passed on)
    and identities of them (`W/read`, which every use of `W` goes through, `tf.identity(W)`, `W.read_value()`)
    all share the variable's buffer: an op consuming one sees what the buffer holds when that op runs, and a
    fetch of one shows the buffer when the run ends. Here identities are not steps: their consumers read the
    storage. Each such tensor has a value that serves consumers ordered after no further update of the variable:
    an identity's is read where the identity is (`W/read` early in the run, as TensorFlow's dependency-free reads
    run early), an update's is its output; a consumer that an update of the variable (Assign, AssignAdd,
    AssignSub, an optimizer's Apply*, a scatter, a loop or branch writing variables) precedes by data or control
    dependency, later than that value, shares the variable's last read if that came after the update, else gets a
    new read right before it. So `with tf.control_dependencies([assign]): tf.identity(v) + 1` sees the assigned
    value, while a training step still reads each variable once. A fetched one (the variable itself too) is read
    after the variable's last update in the run, unless its value already came after it: TensorFlow shows it as it
    is when the run ends (session hooks fetch `global_step + 0` for the step from before the train op's increment).
    """

    def __init__(self, order, fed, program, ctx):
        self.fed, self.program, self.ctx = fed, program, ctx
        self.position = {op: k for k, op in enumerate(order)}
        self.end = len(order)
        self.known = {}           # identity or update output -> (value id, position from which it is current)
        self.latest = {}          # storage op -> (value id of its last read, position of the op it was read for)
        self.kernels = {}         # storage op -> its bound read kernel
        self.last_write = {}      # storage name (None: any variable) -> position of the last op writing it
        self._graph_writes = {}   # sub-graph -> whether running it may write variables
        self.written = {}         # op -> the storage names it may write
        self.inherited = self._ancestor_writes(order)
        self.storage = self._find_storage(order)  # tensor -> the VariableV2 op it stands for

    def storage_of(self, tensor):
        """The VariableV2 op `tensor` stands for (its output, an update's, identities of them), or None."""
        return self.storage.get(tensor)

    def _find_storage(self, order):
        """{tensor: the VariableV2 op it stands for} over the ops in `order` (inputs come first)."""
        storage, fed = {}, self.fed
        for op in order:
            opdef = op._opdef
            if opdef.is_identity:
                if op._inputs and op._inputs[0] in storage and op._outputs[0] not in fed:
                    storage[op._outputs[0]] = storage[op._inputs[0]]
            elif _is_storage(opdef):
                if op._outputs[0] not in fed:
                    storage[op._outputs[0]] = op
            elif self.written[op] and 0 in opdef.ref_inputs:  # an update passing its reference on
                for t in op._outputs:
                    if t.dtype.is_ref_dtype and t not in fed:
                        found = _storage_behind_reference(op._inputs[0])
                        if found is not None:
                            storage[t] = found
        return storage

    def stands_for_storage(self, op):
        """Whether `op` is a variable's storage or an identity of one (no step of its own)."""
        opdef = op._opdef
        if not opdef.is_identity:
            return _is_storage(opdef)
        return len(op._outputs) == 1 and self.storage_of(op._outputs[0]) is not None

    def note_identity(self, op):
        """At an identity's place in the order: the value that serves its consumers."""
        if not _is_storage(op._opdef):
            self.known[op._outputs[0]] = self._resolve(op._inputs[0], op)

    def note_update(self, op, value_of):
        for t in op._outputs:
            if t in value_of and self.storage_of(t) is not None:
                self.known[t] = (value_of[t], self.position[op] + 1)

    def value_for(self, tensor, consumer):
        """The value id through which `consumer` reads `tensor` (a variable, or what stands for one)."""
        return self._resolve(tensor, consumer)[0]

    def _resolve(self, tensor, consumer):
        storage = self.storage_of(tensor)
        writes = self.inherited.get(consumer, _NO_WRITES)
        needed = max(writes.get(storage.name, -1), writes.get(None, -1))
        for value in (self.known.get(tensor), self.latest.get(storage)):
            if value is not None and needed < value[1]:
                return value
        return self._read(storage, self.position[consumer])

    def value_at_end(self, tensor):
        """The value id of a fetched `tensor` (a variable, or what stands for one): the storage when the run ends."""
        storage = self.storage_of(tensor)
        last = max(self.last_write.get(storage.name, -1), self.last_write.get(None, -1))
        for value in (self.known.get(tensor), self.latest.get(storage)):
            if value is not None and last < value[1]:
                return value[0]
        return self._read(storage, self.end)[0]

    def _read(self, storage, position):
        kernel = self.kernels.get(storage)
        if kernel is None:
            kernel = self.kernels[storage] = storage.opdef.kernel(storage, self.ctx)
        t = storage._outputs[0]
        vid = self.program.new_value(_static_shape(t), np.dtype(t.dtype.base_dtype.as_numpy_dtype), shared=True)
        self.program.steps.append(Step(kernel, (), [vid], storage, storage.opdef, READ))
        value = self.latest[storage] = (vid, position)
        return value

    def _ancestor_writes(self, order):
        """{op: {storage name (None: any): position of the latest op before it, by data or control dependency,
        that writes it}} for the ops downstream of a write (updates are few: the rest have none). Ops with the
        same ancestors' writes share one dict."""
        fed, position, written = self.fed, self.position, self.written
        stack = []
        for k, op in enumerate(order):
            own = written[op] = self._written(op)
            if own:
                for name in own:
                    self.last_write[name] = k
                stack.append(op)
        downstream = set()
        while stack:
            op = stack.pop()
            if op in downstream:
                continue
            downstream.add(op)
            for t in op._outputs:
                if t not in fed:
                    stack.extend(c for c in t._consumers if c in position)
            stack.extend(c for c in op._control_outputs if c in position)
        empty, inherited, through = {}, {}, {}  # through[op]: inherited[op] and op's own writes
        for op in sorted(downstream, key=position.__getitem__):
            merged = empty
            for pred in [t._op for t in op._inputs if t not in fed] + op._control_inputs:
                writes = through.get(pred)
                if not writes or writes is merged:
                    continue
                if not merged:
                    merged = writes
                    continue
                merged = dict(merged)
                for name, at in writes.items():
                    if merged.get(name, -1) < at:
                        merged[name] = at
            inherited[op] = merged
            if written[op]:
                merged = dict(merged)
                for name in written[op]:
                    merged[name] = position[op]
            through[op] = merged
        return inherited

    def _written(self, op):
        """The storage names `op` may write (None: any variable)."""
        opdef = op._opdef
        if not opdef.stateful or opdef.read_at_use:
            return ()
        refs = opdef.ref_inputs
        if refs:
            names = []
            for i, t in enumerate(op._inputs):
                if i in refs:
                    storage = _storage_behind_reference(t)
                    names.append(None if storage is None else storage.name)
            return names
        return (None,) if any(self._may_write(g) for g in _sub_graphs(op)) else ()

    def _may_write(self, graph):
        found = self._graph_writes.get(graph)
        if found is None:
            self._graph_writes[graph] = False  # a graph reached again while it is being looked at
            found = self._graph_writes[graph] = any(self._written(op) for op in graph.get_operations())
        return found


def _storage_behind_reference(tensor):
    """The VariableV2 op a reference tensor points to, through updates' outputs (Assign's); None if there is none."""
    op = tensor.op
    while not _is_storage(op.opdef):
        if 0 not in op.opdef.ref_inputs or not op._inputs:
            return None
        op = op._inputs[0].op
    return op


def _sub_graphs(op):
    """The sub-graphs (cond branches, loop bodies) a control-flow op runs, found among its attrs."""
    from ...ops.subgraph import SubGraph
    for value in op.attrs.values():
        for item in value if isinstance(value, (list, tuple)) else (value,):
            graph = getattr(item, "graph", item)
            if isinstance(graph, SubGraph):
                yield graph


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
