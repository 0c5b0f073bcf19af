"""Control-flow sub-graphs in a serialized graph: an If's branches and a While's condition and body (`Branch`
attrs, ops/cond_ops.py) written as `SubGraphDef`s — a nested GraphDef with the names of its input placeholders,
outputs and target ops — and body tensors named in attrs (a While's `accumulate`) as `TensorRef`s; and the
reverse, rebuilding each as a SubGraph of the graph the control-flow op is imported into. Data only, no code."""

__all__ = ["SubGraphDef", "TensorRef", "to_serializable", "rebuild_attrs", "finish_imported_op", "edit_nodes"]


class TensorRef:
    """The name ("op:index") of a tensor of one of the same node's sub-graphs."""

    def __init__(self, name):
        self.name = str(name)

    def __eq__(self, other):
        return isinstance(other, TensorRef) and other.name == self.name

    __hash__ = None

    def __repr__(self):
        return f"TensorRef({self.name!r})"


class SubGraphDef:
    """A Branch as data: `graph_def` (its sub-graph's nodes), `inputs` (the input placeholders' tensor names,
    in the order the op feeds them), `positions` (the op's input fed to each), `outputs` (tensor names, None
    where the branch hands back a zero), `targets` (op names run for their effect), `exposed` ([tensor name,
    output index] pairs: values a gradient made the op output)."""

    def __init__(self, graph_def, inputs, positions, outputs, targets=(), exposed=()):
        self.graph_def = graph_def
        self.inputs = [str(n) for n in inputs]
        self.positions = [int(p) for p in positions]
        self.outputs = [None if n is None else str(n) for n in outputs]
        self.targets = [str(n) for n in targets]
        self.exposed = [[str(n), int(i)] for n, i in exposed]

    def to_json_obj(self):
        return {"graph_def": self.graph_def.to_json_obj(), "inputs": self.inputs, "positions": self.positions,
                "outputs": self.outputs, "targets": self.targets, "exposed": self.exposed}

    @classmethod
    def from_json_obj(cls, obj):
        from .graph_io import GraphDef
        if not isinstance(obj, dict) or not isinstance(obj.get("graph_def"), dict):
            raise ValueError(f"Malformed sub-graph in serialized graph: {str(obj)[:80]}")
        try:
            return cls(GraphDef.from_json_obj(obj["graph_def"]), obj.get("inputs", []), obj.get("positions", []),
                       obj.get("outputs", []), obj.get("targets", []), obj.get("exposed", []))
        except (TypeError, ValueError) as e:
            raise ValueError(f"Malformed sub-graph in serialized graph: {e}") from None

    def __eq__(self, other):
        return isinstance(other, SubGraphDef) and other.to_json_obj() == self.to_json_obj()

    __hash__ = None

    def __repr__(self):
        return f"<SubGraphDef {len(self.inputs)} inputs -> {len(self.outputs)} outputs, " \
               f"{len(self.graph_def.node)} nodes>"


def _is_branch(value):
    from ..ops.cond_ops import Branch
    return isinstance(value, Branch)


def to_serializable(value, as_graph_def):
    """`value` with Branches as SubGraphDefs and Tensors as TensorRefs (other values unchanged); `as_graph_def`
    serializes a sub-graph (it raises for one holding an op that cannot be written)."""
    from .tensor import Tensor
    if isinstance(value, Tensor):
        return TensorRef(value.name)
    if isinstance(value, list) and any(isinstance(v, Tensor) for v in value):
        return [to_serializable(v, as_graph_def) for v in value]
    if not _is_branch(value):
        return value
    graph_def = as_graph_def(value.graph)
    return SubGraphDef(graph_def, [t.name for t in value.placeholders], value.positions,
                       [None if t is None else t.name for t in value.outputs], [op.name for op in value.targets],
                       [[t.name, i] for t, i in value.exposed.items()])


def _tensor_in(created, name, where):
    """The tensor called `name` in the sub-graph def, among `created` ({node name: imported Operation})."""
    op_name, _, index = name.rpartition(":")
    op = created.get(op_name)
    if op is None or not index.isdigit() or int(index) >= len(op.outputs):
        raise ValueError(f"{where}: unknown tensor '{name}' in its sub-graph")
    return op.outputs[int(index)]


def _rebuild_branch(fdef, outer, prefix, node_name, num_loop_vars, import_nodes):
    from ..ops.cond_ops import Branch
    from ..ops.subgraph import SubGraph
    graph = SubGraph(outer, prefix + node_name)
    created = import_nodes(fdef.graph_def, graph, prefix, subgraph=True)
    where = f"Node '{node_name}'"
    placeholders = [_tensor_in(created, n, where) for n in fdef.inputs]
    outputs = [None if n is None else _tensor_in(created, n, where) for n in fdef.outputs]
    targets = []
    for n in fdef.targets:
        if n not in created:
            raise ValueError(f"{where}: unknown target op '{n}' in its sub-graph")
        targets.append(created[n])
    graph.inputs = placeholders[:num_loop_vars]
    branch = Branch(graph, placeholders, fdef.positions, outputs, targets)
    branch.exposed = {_tensor_in(created, n, where): i for n, i in fdef.exposed}
    return branch, created


def rebuild_attrs(attrs, outer, prefix, node_name, import_nodes):
    """`attrs` of an imported node with each SubGraphDef rebuilt as a Branch whose sub-graph (of `outer`) holds
    its nodes under `prefix`, and TensorRefs resolved in those sub-graphs."""
    if not any(isinstance(v, SubGraphDef) for v in attrs.values()):
        return attrs
    num_loop_vars = len(attrs["T"]) if "T" in attrs and "body" in attrs else 0
    out = dict(attrs)
    created_maps = []
    for key, value in attrs.items():
        if isinstance(value, SubGraphDef):
            out[key], created = _rebuild_branch(value, outer, prefix, node_name, num_loop_vars, import_nodes)
            created_maps.append(created)

    def resolve(value):
        if isinstance(value, list):
            return [resolve(v) for v in value]
        if not isinstance(value, TensorRef):
            return value
        for created in created_maps:
            try:
                return _tensor_in(created, value.name, "")
            except ValueError:
                continue
        raise ValueError(f"Node '{node_name}': unknown tensor '{value.name}' in its sub-graphs")
    return {k: resolve(v) for k, v in out.items()}


def finish_imported_op(op):
    """Links an imported control-flow op with its sub-graphs as tracing did: each sub-graph's captures (outer
    tensor, placeholder), and a While's count and stack outputs when its attr `accumulate` names body values."""
    from ..ops.cond_ops import Branch
    from .tensor import Tensor
    from .tensor_shape import TensorShape
    from . import dtypes
    branches = [v for v in op._attrs.values() if isinstance(v, Branch)]
    if not branches:
        return
    is_if = "then_branch" in op._attrs
    num_loop_vars = 0 if is_if else len(op._attrs["T"])
    first = 1 if is_if else 0
    for branch in branches:
        graph = branch.graph
        graph.captures = [(op.inputs[first + p], ph) for ph, p in
                          zip(branch.placeholders[num_loop_vars:], branch.positions[num_loop_vars:])]
        graph._captured = {outer: ph for outer, ph in graph.captures}
    accumulate = op._attrs.get("accumulate") or []
    if accumulate:
        n = num_loop_vars
        extra = [Tensor(op, n, dtypes.int32, TensorShape([]))]
        extra += [Tensor(op, n + 1 + k, t.dtype.base_dtype, TensorShape(None)) for k, t in enumerate(accumulate)]
        op._outputs = tuple(op._outputs[:n]) + tuple(extra)


def edit_nodes(graph_def, rename=None, clear_devices=False):
    """Renames the nodes of `graph_def` and of its sub-graphs (`rename(name)` applied to node, input, output and
    target names, keeping ":index" and "^") and clears their devices: a meta graph's export_scope and
    clear_devices, reaching into control-flow ops."""
    def name_of(name):
        control = name.startswith("^")
        base, sep, index = name.lstrip("^").rpartition(":")
        if not (sep and index.isdigit()):
            base, sep, index = name.lstrip("^"), "", ""
        return ("^" if control else "") + rename(base) + sep + index

    for node in graph_def.node:
        if rename is not None:
            node.name = rename(node.name)
            node.input = [name_of(i) for i in node.input]
        if clear_devices:
            node.device = ""
        for key, value in node.attr.items():
            if isinstance(value, SubGraphDef):
                edit_nodes(value.graph_def, rename, clear_devices)
                if rename is not None:
                    value.inputs = [name_of(n) for n in value.inputs]
                    value.outputs = [None if n is None else name_of(n) for n in value.outputs]
                    value.targets = [rename(n) for n in value.targets]
                    value.exposed = [[name_of(n), i] for n, i in value.exposed]
            elif rename is not None and isinstance(value, list) and any(isinstance(v, TensorRef) for v in value):
                node.attr[key] = [TensorRef(name_of(v.name)) if isinstance(v, TensorRef) else v for v in value]
