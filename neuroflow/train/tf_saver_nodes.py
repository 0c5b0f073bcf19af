"""The save/restore nodes TensorFlow's Saver puts in a graph (SaveV2, RestoreV2, one Assign per variable), written
into an exported TF GraphDef so that TensorFlow — TF Serving's C++ loader included, which runs
`saver_def.restore_op_name` — restores neuroflow's checkpoints. neuroflow's own Saver works without graph nodes;
on import these nodes are recognized by their op types and left out (`saver_scopes`)."""
from ..framework.tensor_shape import TensorShape

__all__ = ["add_saver_nodes", "saver_scopes", "checkpoint_names", "SAVER_OP_TYPES"]

# The op types only a Saver's sub-graph holds: their name scope is a Saver's.
SAVER_OP_TYPES = frozenset(("SaveV2", "RestoreV2", "MergeV2Checkpoints", "ShardedFilename", "ShardedFilespec",
                            "Save", "SaveSlices", "Restore", "RestoreSlice"))


def saver_scopes(graph_def, saver_def=None):
    """The name scopes ("save", "save_1", ...) of the Saver sub-graphs in `graph_def` (a TF GraphDef)."""
    scopes = {node.name.rsplit("/", 1)[0] for node in graph_def.node
              if node.op in SAVER_OP_TYPES and "/" in node.name}
    if saver_def is not None and "/" in saver_def.restore_op_name:
        scopes.add(saver_def.restore_op_name.rsplit("/", 1)[0])
    return scopes


def _shape(dims):
    from ..framework.tf_protos import TensorShapeProto
    return TensorShapeProto(dim=[TensorShapeProto.Dim(size=d) for d in dims])


def _strings(values):
    from ..framework.tf_protos import DT_STRING, AttrValue, TensorProto
    shape = [] if isinstance(values, (bytes, str)) else [len(values)]
    items = [values] if not shape else list(values)
    tensor = TensorProto(dtype=DT_STRING, tensor_shape=_shape(shape),
                         string_val=[v.encode("utf-8") if isinstance(v, str) else v for v in items])
    return AttrValue(tensor=tensor)


def _node(graph_def, name, op, inputs=(), **attrs):
    node = graph_def.node.add(name=name, op=op)
    node.input.extend(inputs)
    for key, value in attrs.items():
        node.attr[key].CopyFrom(value)
    return node


def _unique_scope(graph_def, base="save"):
    used = {node.name.split("/", 1)[0] for node in graph_def.node}
    scope, i = base, 0
    while scope in used:
        i += 1
        scope = f"{base}_{i}"
    return scope


def add_saver_nodes(graph_def, entries):
    """Appends TF's (unsharded, V2) Saver nodes for `entries` [(checkpoint name, variable node name, DType,
    TensorShape)] to `graph_def`; returns the names for a SaverDef: (filename tensor, save tensor, restore op)."""
    from ..framework.tf_protos import DT_STRING, AttrValue
    scope = _unique_scope(graph_def)
    string_type = AttrValue(type=DT_STRING)
    dtypes = AttrValue(list=AttrValue.ListValue(type=[dtype.as_datatype_enum for _, _, dtype, _ in entries]))
    names = [name for name, _, _, _ in entries]
    _node(graph_def, f"{scope}/filename/input", "Const", dtype=string_type, value=_strings(b"model"))
    _node(graph_def, f"{scope}/Const", "PlaceholderWithDefault", [f"{scope}/filename/input"], dtype=string_type,
          shape=AttrValue(shape=_shape([])))
    for part in ("SaveV2", "RestoreV2"):
        _node(graph_def, f"{scope}/{part}/tensor_names", "Const", dtype=string_type, value=_strings(names))
        _node(graph_def, f"{scope}/{part}/shape_and_slices", "Const", dtype=string_type,
              value=_strings([b""] * len(names)))
    prefix_inputs = [f"{scope}/Const", f"{scope}/SaveV2/tensor_names", f"{scope}/SaveV2/shape_and_slices"]
    _node(graph_def, f"{scope}/SaveV2", "SaveV2", prefix_inputs + [node for _, node, _, _ in entries],
          dtypes=dtypes)
    _node(graph_def, f"{scope}/control_dependency", "Identity", [f"{scope}/Const", f"^{scope}/SaveV2"],
          T=string_type)
    _node(graph_def, f"{scope}/RestoreV2", "RestoreV2",
          [f"{scope}/Const", f"{scope}/RestoreV2/tensor_names", f"{scope}/RestoreV2/shape_and_slices"],
          dtypes=dtypes)
    assigns = []
    for i, (_, node, dtype, shape) in enumerate(entries):
        assign = f"{scope}/Assign" + (f"_{i}" if i else "")
        _node(graph_def, assign, "Assign", [node, f"{scope}/RestoreV2" + (f":{i}" if i else "")],
              T=AttrValue(type=dtype.as_datatype_enum), use_locking=AttrValue(b=True),
              validate_shape=AttrValue(b=TensorShape(shape).is_fully_defined()))
        assigns.append("^" + assign)
    _node(graph_def, f"{scope}/restore_all", "NoOp", assigns)
    return f"{scope}/Const:0", f"{scope}/control_dependency:0", f"{scope}/restore_all"


def _source(name):
    base = name.lstrip("^")
    op, _, index = base.partition(":")
    return op, int(index or 0)


def checkpoint_names(graph_def, scopes):
    """{variable node name: its name in the checkpoint} as the Savers in `scopes` restore them: each Assign
    (or AssignVariableOp) that writes output i of a RestoreV2 node (through Identity nodes) into a variable
    names it by the i-th entry of that RestoreV2's `tensor_names` constant. Variables not found are left out."""
    from ..framework.tf_proto_convert import tensor_from_proto
    by_name = {node.name: node for node in graph_def.node}

    def in_scopes(name):
        return any(name == s or name.startswith(s + "/") for s in scopes)

    names = {}
    for node in graph_def.node:
        if node.op not in ("Assign", "AssignVariableOp") or not in_scopes(node.name) or len(node.input) < 2:
            continue
        source, index = _source(node.input[1])
        while source in by_name and by_name[source].op == "Identity" and by_name[source].input:
            source, index = _source(by_name[source].input[0])
        restore = by_name.get(source)
        if restore is None or restore.op != "RestoreV2" or len(restore.input) < 2:
            continue
        const = by_name.get(_source(restore.input[1])[0])
        if const is None or const.op != "Const":
            continue
        try:
            values = tensor_from_proto(const.attr["value"].tensor).reshape(-1)
        except ValueError:
            continue
        if index < len(values):
            value = values[index]
            names[_source(node.input[0])[0]] = value.decode("utf-8") if isinstance(value, bytes) else str(value)
    return names
