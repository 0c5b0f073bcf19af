"""TensorFlow's binary MetaGraphDef (`.meta` files, the graphs inside a SavedModel): builds one from a neuroflow
graph — the TF GraphDef, TF's Saver nodes and SaverDef, the collections with VariableDefs — and imports one written
by TensorFlow or neuroflow into a graph, variables and collections included, returning a Saver for its checkpoint.
`meta_graph.py` chooses between this format and neuroflow's JSON one."""
import logging
import os

from ..framework import errors
from ..framework.graph import Graph, GraphKeys, get_default_graph
from ..framework.operation import Operation
from ..framework.tensor import Tensor
from ..framework.tf_protos import DecodeError
from ..framework.tf_protos._message import Message, field
from .tf_broadcast_gradients import gate_variable_updates, sum_to_shape_as_tf, tf_pattern_as_sum_to_shape
from .tf_saver_nodes import SAVER_OP_TYPES, add_saver_nodes, checkpoint_names, saver_scopes

__all__ = ["VariableDef", "export_tf_meta_graph", "import_tf_meta_graph", "parse_tf_meta_graph",
           "is_json_meta_graph", "write_tf_meta_graph", "SAVER_OP_TYPES"]

_log = logging.getLogger("neuroflow")

# Collections whose bytes_list items are VariableDefs (TensorFlow registers a proto function for each).
_VARIABLE_KEYS = frozenset((GraphKeys.GLOBAL_VARIABLES, GraphKeys.TRAINABLE_VARIABLES, GraphKeys.LOCAL_VARIABLES,
                            GraphKeys.MODEL_VARIABLES, GraphKeys.MOVING_AVERAGE_VARIABLES, GraphKeys.GLOBAL_STEP,
                            "metric_variables"))
# Collections of TF1 objects neuroflow does not rebuild from a meta graph (control-flow contexts, queue runners,
# savers): skipped on import with a note.
_UNREBUILT_KEYS = frozenset(("cond_context", "while_context", "queue_runners", "savers"))


class VariableDef(Message):
    """TensorFlow's VariableDef (variable.proto): the node names of one variable, as meta graphs list them."""
    _PROTO_NAME = "tensorflow.VariableDef"
    _FIELDS = [field("variable_name", 1, "string"), field("initial_value_name", 6, "string"),
               field("initializer_name", 2, "string"), field("snapshot_name", 3, "string"),
               field("save_slice_info_def", 4, "bytes"), field("is_resource", 5, "bool"),
               field("trainable", 7, "bool"), field("synchronization", 8, "enum"), field("aggregation", 9, "enum")]


def is_json_meta_graph(data):
    """Whether `data` is neuroflow's JSON meta graph (it starts with '{'; TensorFlow's binary form never does)."""
    return data.lstrip()[:1] == b"{"


def parse_tf_meta_graph(data, filename="<bytes>"):
    """The MetaGraphDef proto in `data` (TensorFlow's binary form, or its text form for `.pbtxt`-like files).

    Raises:
        DataLossError: bytes that are no MetaGraphDef (naming `filename`).
    """
    from ..framework.tf_protos import MetaGraphDef
    try:
        meta = MetaGraphDef.FromString(data)
    except Exception as e:   # any malformed byte: the file is data, the error names it
        meta, reason = None, e
    if meta is None or (data and not meta.ListFields()):
        text = _try_text(data)
        if text is not None:
            return text
        why = reason if meta is None else "it holds no MetaGraphDef field"
        raise errors.DataLossError(None, None, f"Cannot parse MetaGraphDef from {filename}: {why}")
    return meta


def _try_text(data):
    from ..framework.tf_protos import MetaGraphDef, text_format
    try:
        text = data.decode("utf-8")
        meta = MetaGraphDef()
        text_format.Parse(text, meta)
    except Exception:
        return None
    return meta if meta.ListFields() else None


# --- export ---------------------------------------------------------------------------------------------------------
def _strip(name, scope):
    return name[len(scope) + 1:] if scope and name.startswith(scope + "/") else name


def _variable_class():
    from ..variables.variable import Variable
    return Variable


def _variable_def(var, scope):
    return VariableDef(variable_name=_strip(var.name, scope), initial_value_name=_strip(var.initial_value.name, scope),
                       initializer_name=_strip(var.initializer.name, scope),
                       snapshot_name=_strip(var.value().name, scope), trainable=bool(var.trainable))


def _encode_collection(key, items, scope, written):
    """A CollectionDef of `items`, or None (with a warning) for items TensorFlow's format cannot hold."""
    from ..framework.tf_protos import CollectionDef
    out = CollectionDef()
    variable = _variable_class()
    if all(isinstance(i, variable) for i in items):
        kept = [i for i in items if _strip(i.op.name, scope) in written]
        out.bytes_list.value.extend(_variable_def(i, scope).SerializeToString() for i in kept)
    elif all(isinstance(i, (Tensor, Operation)) for i in items):
        out.node_list.value.extend(_strip(i.name, scope) for i in items
                                   if _strip(i.name, scope).split(":")[0] in written)
    elif all(isinstance(i, int) for i in items):   # bools too, as TensorFlow stores them
        out.int64_list.value.extend(int(i) for i in items)
    elif all(isinstance(i, float) for i in items):
        out.float_list.value.extend(items)
    elif all(isinstance(i, (str, bytes)) for i in items):
        out.bytes_list.value.extend(i.encode("utf-8") if isinstance(i, str) else i for i in items)
    else:
        kinds = sorted({type(i).__name__ for i in items})
        _log.warning("Issue encountered when serializing %s.\nType is unsupported, or the types of the items don't "
                     "match field type in CollectionDef.\nitems of type %s cannot be serialized", key,
                     ", ".join(kinds))
        return None
    return out if out.ListFields() and out.ListFields()[0][1].ListFields() else None


def _saver_entries(saver, scope, written):
    """[(checkpoint name, variable node, dtype, shape)] of a Saver's plain variables, or None when it saves
    something else (then no Saver nodes are written; TensorFlow builds its own Saver on import)."""
    from .checkpoint_entries import VariableEntry
    if not saver._is_built:
        saver.build()
    entries = []
    for entry in saver._entries:
        if not isinstance(entry, VariableEntry) or _strip(entry.key, scope) not in written:
            return None
        entries.append((entry.name, _strip(entry.key, scope), entry.dtype, entry.shape))
    return entries or None


def export_tf_meta_graph(filename=None, meta_info_def=None, graph_def=None, saver_def=None, collection_list=None,
                         as_text=False, graph=None, export_scope=None, clear_devices=False, saver=None, ops=None):
    """TensorFlow's MetaGraphDef proto of `graph` (or of its operations `ops`; written to `filename` if given,
    binary or text): TensorFlow's Saver nodes and SaverDef for `saver`'s variables, the collections (variables
    as VariableDefs). Raises ValueError naming an op TensorFlow's GraphDef cannot hold."""
    from ..framework.tf_protos import MetaGraphDef, SaverDef
    graph = graph or get_default_graph()
    meta = MetaGraphDef()
    if graph_def is None:
        graph_def = _tf_graph_def(graph, export_scope, clear_devices, ops)
        scope = export_scope + "/" if export_scope else ""
        sum_to_shape_as_tf(graph_def, lambda name: graph.get_operation_by_name(scope + name).inputs[1].dtype
                           .base_dtype.as_datatype_enum)
        gate_variable_updates(graph_def)
    _move_nodes(graph_def, meta.graph_def)
    written = {node.name for node in meta.graph_def.node}
    if hasattr(meta_info_def, "SerializeToString"):   # TensorFlow's MetaInfoDef message
        meta.meta_info_def.CopyFrom(meta_info_def)
    else:   # a dict, as neuroflow's JSON form takes it
        meta.meta_info_def.tags.extend(dict(meta_info_def or {}).get("tags", []))
    entries = _saver_entries(saver, export_scope, written) if saver is not None else None
    if entries:
        names = add_saver_nodes(meta.graph_def, entries)
        settings = saver.saver_def
        meta.saver_def.CopyFrom(SaverDef(filename_tensor_name=names[0], save_tensor_name=names[1],
                                         restore_op_name=names[2], max_to_keep=int(settings.max_to_keep or 0),
                                         sharded=bool(settings.sharded),
                                         keep_checkpoint_every_n_hours=float(
                                             settings.keep_checkpoint_every_n_hours or 10000.0),
                                         version=2))
    elif saver_def is not None and getattr(saver_def, "restore_op_name", ""):
        meta.saver_def.CopyFrom(saver_def)
    keys = graph.get_all_collection_keys() if collection_list is None else list(collection_list)
    for key in keys:
        items = graph.get_collection(key)
        if items:
            encoded = _encode_collection(key, items, export_scope, written)
            if encoded is not None:
                meta.collection_def[key].CopyFrom(encoded)
    if filename:
        write_bytes_atomically(os.fspath(filename), _as_bytes(meta, as_text))
    return meta


def _move_nodes(source, target):
    """Fills the empty GraphDef `target` with `source`'s versions, library and nodes; the node messages move
    rather than being copied one by one (the repeated field is a list, extended as one), which halves the export
    of a large graph. `source` is not used afterwards."""
    target.versions.CopyFrom(source.versions)   # also marks `target` present in its MetaGraphDef
    if source.HasField("library"):
        target.library.CopyFrom(source.library)
    if isinstance(target.node, list) and not target.node:
        list.extend(target.node, source.node)
    else:
        target.node.extend(source.node)


def write_tf_meta_graph(meta, filename, as_text=False):
    """Writes a MetaGraphDef proto to `filename` (binary, or text with `as_text`), replacing it atomically."""
    write_bytes_atomically(os.fspath(filename), _as_bytes(meta, as_text))


def _as_bytes(meta, as_text):
    if as_text:
        from ..framework.tf_protos import text_format
        return text_format.MessageToString(meta).encode("utf-8")
    return meta.SerializeToString(deterministic=True)


def write_bytes_atomically(path, data):
    """Writes `data` to `path` (creating its folder) via a synced temporary file renamed over it (the checkpoint
    files' temp-file scheme: a dead writer's temp file is removed by the next write of `path`)."""
    from .checkpoint_format import atomic_file, fsync_directory
    folder = os.path.dirname(path) or "."
    os.makedirs(folder, exist_ok=True)
    with atomic_file(path) as f:
        f.write(data)
    fsync_directory(folder)


# --- import ---------------------------------------------------------------------------------------------------------
def _copy_node(node):
    from ..framework.tf_protos import NodeDef
    copy = NodeDef()
    copy.CopyFrom(node)
    return copy


def _without_savers(meta):
    """The meta graph's nodes (the same messages; a node that must change is copied) without its Saver
    sub-graphs (neuroflow's Saver needs no nodes), and the names left out."""
    scopes = saver_scopes(meta.graph_def, meta.saver_def if meta.HasField("saver_def") else None)
    dropped = {n.name for n in meta.graph_def.node if any(n.name == s or n.name.startswith(s + "/") for s in scopes)}
    nodes = []
    for node in meta.graph_def.node:
        if node.name in dropped:
            continue
        if any(i.lstrip("^").split(":")[0] in dropped for i in node.input):
            data = [i for i in node.input if not i.startswith("^") and i.split(":")[0] in dropped]
            if data:
                raise ValueError(f"Node '{node.name}' of the MetaGraphDef takes input '{data[0]}' from the Saver's "
                                 "nodes, which neuroflow does not import.")
            node = _copy_node(node)
            kept = [i for i in node.input if i.lstrip("^").split(":")[0] not in dropped]
            del node.input[:]
            node.input.extend(kept)
        nodes.append(node)
    return nodes, dropped


def _graph_def_of(nodes, like):
    """A TF GraphDef holding `nodes` (not copies: the container is a list, extended as one) with the versions and
    function library of `like`."""
    from ..framework.tf_protos import GraphDef
    graph_def = GraphDef()
    if like.HasField("versions"):
        graph_def.versions.CopyFrom(like.versions)
    if like.HasField("library"):
        graph_def.library.CopyFrom(like.library)
    if isinstance(graph_def.node, list):
        list.extend(graph_def.node, nodes)
    else:
        graph_def.node.extend(nodes)
    return graph_def


def _fold_constant_ranges(nodes):
    """The nodes with each Range of three Const inputs turned into a Const (a copy): TF1's tf.losses reduce over
    Range(0, Rank, 1) axes, and neuroflow's reductions take their axes as an attribute, read from a Const."""
    from ..framework.tf_proto_convert import tensor_from_proto, tensor_to_proto
    import numpy as np
    by_name = {n.name: n for n in nodes}

    def const_of(name):
        node = by_name.get(name.split(":")[0])
        while node is not None and node.op == "Identity" and node.input:
            node = by_name.get(node.input[0].split(":")[0])
        return node if node is not None and node.op == "Const" else None

    out = []
    for node in nodes:
        data = [i for i in node.input if not i.startswith("^")]
        consts = [const_of(i) for i in data] if node.op == "Range" and len(data) == 3 else [None]
        if any(c is None for c in consts):
            out.append(node)
            continue
        start, limit, delta = (tensor_from_proto(c.attr["value"].tensor).item() for c in consts)
        if delta == 0:
            out.append(node)
            continue
        node = _copy_node(node)
        out.append(node)
        dtype = node.attr["Tidx"].type
        value = tensor_to_proto(np.arange(start, limit, delta, dtype=np.int64 if dtype == 9 else np.int32))
        controls = [i for i in node.input if i.startswith("^")]
        for c in consts:
            controls.extend(i for i in c.input if i.startswith("^") and i not in controls)
        node.op = "Const"
        del node.input[:]
        node.input.extend(controls)
        node.attr.clear()
        node.attr["dtype"].type = dtype or 3   # DT_INT32 unless Tidx says otherwise
        node.attr["value"].tensor.CopyFrom(value)
    return out


def _variable_from_def(graph, vdef, prefix, trainable_names, variables):
    """A Variable bound to the imported VariableV2 / Assign / read nodes (one object per variable, shared by all
    the collections that list it)."""
    name = prefix + vdef.variable_name
    if name in variables:
        return variables[name]
    # A resource variable (is_resource: VarHandleOp / ReadVariableOp / AssignVariableOp) arrives as the ref
    # variable ops the importer maps those to, so it binds the same way.
    var = object.__new__(_variable_class())   # not Variable(...): the nodes exist already
    var._variable = graph.as_graph_element(name)
    var._initial_value = graph.as_graph_element(prefix + vdef.initial_value_name) if vdef.initial_value_name \
        else None
    var._initializer_op = graph.as_graph_element(prefix + vdef.initializer_name)
    var._snapshot = graph.as_graph_element(prefix + vdef.snapshot_name)
    var._trainable = bool(vdef.trainable) or vdef.variable_name in trainable_names
    var._constraint = None
    variables[name] = var
    return var


def _decode_collection(graph, key, collection, prefix, dropped, trainable_names, variables):
    kind = collection.WhichOneof("kind")
    if kind == "node_list":
        names = [n for n in collection.node_list.value if n.lstrip("^").split(":")[0] not in dropped]
        return [graph.as_graph_element(prefix + n) for n in names]
    if kind == "bytes_list":
        if key in _VARIABLE_KEYS:
            return [_variable_from_def(graph, VariableDef.FromString(b), prefix, trainable_names, variables)
                    for b in collection.bytes_list.value]
        if key in _UNREBUILT_KEYS:
            _log.info("The MetaGraphDef's collection %r (TensorFlow 1.x %s objects) is not imported.", key, key)
            return []
        return list(collection.bytes_list.value)
    if kind == "int64_list":
        return [int(v) for v in collection.int64_list.value]
    if kind == "float_list":
        return [float(v) for v in collection.float_list.value]
    if kind == "any_list":
        _log.info("The MetaGraphDef's collection %r (of Any protos) is not imported.", key)
        return []
    return []


def _import_into(meta, graph_def, dropped, graph, prefix, input_map, keep, return_elements):
    """Adds the nodes and kept collections to `graph`; returns (Saver or None, the return elements)."""
    returned = _import_tf_graph_def(graph_def, graph, prefix, input_map, return_elements)
    trainable_names = set()
    if GraphKeys.TRAINABLE_VARIABLES in meta.collection_def:
        for b in meta.collection_def[GraphKeys.TRAINABLE_VARIABLES].bytes_list.value:
            trainable_names.add(VariableDef.FromString(b).variable_name)
    variables, collections = {}, []
    for key in sorted(meta.collection_def):
        if not keep(key):
            continue
        try:
            items = _decode_collection(graph, key, meta.collection_def[key], prefix, dropped, trainable_names,
                                       variables)
        except DecodeError as e:   # a VariableDef's bytes
            raise errors.DataLossError(None, None, f"Collection {key!r} of the MetaGraphDef is corrupt: {e}") from None
        except (KeyError, TypeError, ValueError) as e:
            reason = e.args[0] if e.args else e
            raise ValueError(f"Collection {key!r} of the MetaGraphDef is invalid: {reason}") from None
        collections.append((key, items))
    for key, items in collections:   # only once every collection decoded: none is left half-added
        for item in items:
            graph.add_to_collection(key, item)
    return _saver_for(meta, graph, prefix, variables), returned


def _saver_for(meta, graph, prefix, variables):
    from .saver import Saver, SaverDef
    imported = [v for v in graph.get_collection(GraphKeys.GLOBAL_VARIABLES) if v in variables.values()]
    if not imported:
        _log.info("Saver not created because there are no variables in the graph to restore")
        return None
    settings = SaverDef(max_to_keep=5, keep_checkpoint_every_n_hours=10000.0, version=SaverDef.V2)
    if meta.HasField("saver_def"):
        tf_def = meta.saver_def
        settings = SaverDef(max_to_keep=tf_def.max_to_keep, sharded=tf_def.sharded,
                            keep_checkpoint_every_n_hours=tf_def.keep_checkpoint_every_n_hours or 10000.0,
                            version=tf_def.version or SaverDef.V2)
    # The checkpoint names the Saver's RestoreV2 nodes give each variable; a variable they do not name keeps its
    # op name, TensorFlow's default.
    ckpt_names = checkpoint_names(meta.graph_def, saver_scopes(meta.graph_def, meta.saver_def
                                                               if meta.HasField("saver_def") else None))
    var_list = {}
    for v in imported:
        op_name = _strip(v.op.name, prefix[:-1])
        var_list[ckpt_names.get(op_name, op_name)] = v
    with graph.as_default():
        return Saver(var_list=var_list, saver_def=settings)


def import_tf_meta_graph(meta, clear_devices=False, import_scope=None, input_map=None,
                         restore_collections_predicate=None, return_elements=None, graph=None):
    """Imports a TensorFlow MetaGraphDef proto into `graph` (default: the default graph): its nodes (without the
    Saver's), its collections (variables become Variables) — all or nothing — and returns a Saver of its variables
    (None without variables); with `return_elements`, (Saver, elements)."""
    from ..framework.graph_io_import import _normalize_input_map, stand_ins_for
    from ..framework.tf_graph_import import graph_def_from_tf
    graph = graph or get_default_graph()
    nodes, dropped = _without_savers(meta)
    nodes = _fold_constant_ranges(tf_pattern_as_sum_to_shape(nodes))
    graph_def = graph_def_from_tf(_graph_def_of(nodes, meta.graph_def))   # neuroflow's GraphDef, converted once
    if clear_devices:
        for node in graph_def.node:
            node.device = ""
    keep = restore_collections_predicate or (lambda key: True)
    input_map = _normalize_input_map(input_map, graph)
    # All or nothing: a node or collection entry that fails half-way must not leave the first half in the
    # user's graph, so everything is first imported into a scratch graph, where an error costs nothing.
    scratch = Graph()
    with scratch.as_default():
        _import_into(meta, graph_def, dropped, scratch, "", stand_ins_for(input_map, scratch), keep, return_elements)
    prefix = ""
    with graph.as_default():
        if import_scope:
            with graph.name_scope(import_scope) as scope:
                prefix = scope
        saver, returned = _import_into(meta, graph_def, dropped, graph, prefix, input_map, keep, return_elements)
    return (saver, returned) if return_elements is not None else saver


# --- the GraphDef conversions (framework/tf_protos' importer and exporter) -------------------------------------------
def _tf_graph_def(graph, export_scope, clear_devices, ops=None):
    """TensorFlow's GraphDef of `graph`'s ops (all, or `ops`), `export_scope` stripped from the names."""
    from ..framework.tf_graph_export import graph_to_tf_graph_def
    from ..framework.tf_proto_convert import UnconvertibleAttr
    graph_def = graph_to_tf_graph_def(graph, ops)
    seen = set()
    for node in graph_def.node:   # an op written as several TF nodes must not reuse a name the graph holds
        if node.name in seen:
            raise UnconvertibleAttr(f"Cannot write the graph as a TensorFlow GraphDef: two nodes would be named "
                                    f"'{node.name}'")
        seen.add(node.name)
    for node in graph_def.node:
        if export_scope:
            node.name = _strip(node.name, export_scope)
            renamed = [("^" if i.startswith("^") else "") + _strip(i.lstrip("^"), export_scope) for i in node.input]
            del node.input[:]
            node.input.extend(renamed)
        if clear_devices:
            node.device = ""
    return graph_def


def _import_tf_graph_def(graph_def, graph, prefix, input_map, return_elements):
    """Creates the nodes of a (converted) GraphDef in `graph` under `prefix`; returns the `return_elements`."""
    from ..framework.graph_io_import import import_nodes
    created = import_nodes(graph_def, graph, prefix, input_map)
    if return_elements is None:
        return None
    out = []
    for name in return_elements:
        op_name, _, index = name.partition(":")
        if op_name not in created:
            raise ValueError(f"Requested return_element {name!r} not found in graph_def.")
        out.append(created[op_name].outputs[int(index)] if index else created[op_name])
    return out
