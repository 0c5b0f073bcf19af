"""Graph serialization with everything needed to resume: `tf.train.export_meta_graph` / `import_meta_graph`
write and read a MetaGraphDef (the GraphDef, the Saver's settings and the graph collections, variables
included) in a safe format (JSON, see `framework.graph_io`; no pickle), so a graph plus a checkpoint reloads in
a new process without the Python code that built it.

    saver.save(sess, "/tmp/model/model.ckpt")              # also writes /tmp/model/model.ckpt.meta
    # later, in another process:
    saver = tf.train.import_meta_graph("/tmp/model/model.ckpt.meta")
    saver.restore(sess, "/tmp/model/model.ckpt")
    probs = sess.run("probs:0", {"x:0": batch})
"""
import base64
import json
import logging
import os
import weakref

from ..framework import graph_io, graph_io_function
from ..framework.graph import Graph, get_default_graph
from ..framework.graph_io_import import import_nodes
from ..framework.operation import Operation
from ..framework.tensor import Tensor
from ..io import write_graph

__all__ = ["export_meta_graph", "import_meta_graph", "MetaGraphDef", "write_graph"]

META_GRAPH_FORMAT = "neuroflow.MetaGraphDef"
_VERSION = 1
_log = logging.getLogger("neuroflow")
_warned = weakref.WeakKeyDictionary()   # graph -> what was said about it: once, not on every Saver.save


def _first_time(graph, key):
    said = _warned.setdefault(graph, set())
    if key in said:
        return False
    said.add(key)
    return True


def _skipped_text(skipped):
    names = ", ".join(f"'{s['name']}' ({s['op']})" for s in skipped[:5])
    more = f" and {len(skipped) - 5} more" if len(skipped) > 5 else ""
    return (f"{len(skipped)} op(s) that cannot be serialized safely, and what needs them: {names}{more}. First "
            f"reason: {skipped[0]['reason']}. Feed the imported graph through placeholders instead.")


class MetaGraphDef:
    """A graph with its Saver settings and collections (TensorFlow's MetaGraphDef proto): `meta_info_def`
    (dict: tags, neuroflow version, the op types used), `graph_def` (a GraphDef), `saver_def` (a SaverDef or
    None) and `collection_def` ({name: {"kind": ..., "value": [...]}})."""

    def __init__(self, meta_info_def=None, graph_def=None, saver_def=None, collection_def=None, saver_names=None):
        self.meta_info_def = dict(meta_info_def or {})
        self.graph_def = graph_def if graph_def is not None else graph_io.GraphDef()
        self.saver_def = saver_def
        self.collection_def = dict(collection_def or {})
        self.saver_names = dict(saver_names or {})   # {checkpoint name: variable op name} of the Saver

    def to_json_obj(self):
        saver = None
        if self.saver_def is not None:
            saver = {k: getattr(self.saver_def, k) for k in _SAVER_FIELDS}
            saver["variable_names"] = self.saver_names
        return {"format": META_GRAPH_FORMAT, "version": _VERSION, "meta_info_def": self.meta_info_def,
                "graph_def": self.graph_def.to_json_obj(), "saver_def": saver,
                "collection_def": self.collection_def}

    def ParseFromString(self, data):  # noqa: N802 - protobuf's name
        obj = graph_io.parse_json_bytes(data, META_GRAPH_FORMAT, "MetaGraphDef")
        self.meta_info_def = dict(obj.get("meta_info_def") or {})
        self.graph_def = graph_io.GraphDef.from_json_obj(obj.get("graph_def"))
        self.collection_def = dict(obj.get("collection_def") or {})
        saver = obj.get("saver_def")
        self.saver_def, self.saver_names = None, {}
        if isinstance(saver, dict):
            from .saver import SaverDef
            self.saver_def = SaverDef(**{k: saver[k] for k in _SAVER_FIELDS if k in saver})
            self.saver_names = {str(k): str(v) for k, v in (saver.get("variable_names") or {}).items()}
        return len(data)

    @classmethod
    def FromString(cls, data):  # noqa: N802
        meta = cls()
        meta.ParseFromString(data)
        return meta

    def SerializeToString(self):  # noqa: N802
        return json.dumps(self.to_json_obj(), separators=(",", ":"), allow_nan=False).encode("utf-8")

    def to_text(self):
        return json.dumps(self.to_json_obj(), indent=1, allow_nan=False)

    def __str__(self):
        return self.to_text()

    def __repr__(self):
        return (f"<MetaGraphDef: {len(self.graph_def.node)} nodes, collections "
                f"{sorted(self.collection_def)}>")


_SAVER_FIELDS = ("filename_tensor_name", "save_tensor_name", "restore_op_name", "max_to_keep", "sharded",
                 "keep_checkpoint_every_n_hours", "version")


# --- collections --------------------------------------------------------------------------------------------------
def _variable_class():
    from ..variables.variable import Variable
    return Variable


def _strip(name, scope):
    return name[len(scope) + 1:] if scope and name.startswith(scope + "/") else name


def _encode_item(item, scope):
    """(kind, value) for one collection item; raises TypeError for what the format cannot hold."""
    if isinstance(item, _variable_class()):
        return "variables", {"variable_name": _strip(item.name, scope),
                             "initial_value_name": _strip(item.initial_value.name, scope),
                             "initializer_name": _strip(item.initializer.name, scope),
                             "snapshot_name": _strip(item.value().name, scope), "trainable": bool(item.trainable)}
    if isinstance(item, (Tensor, Operation)):
        return "node_list", _strip(item.name, scope)
    if isinstance(item, bool):
        return "int64_list", int(item)
    if isinstance(item, int):
        return "int64_list", item
    if isinstance(item, float):
        return "float_list", graph_io.encode_attr(item)
    if isinstance(item, str):
        return "str_list", item
    if isinstance(item, bytes):
        return "bytes_list", base64.b64encode(item).decode("ascii")
    raise TypeError(f"items of type {type(item).__name__} cannot be serialized")


def _item_ops(kind, value):
    """The op names a collection item refers to (to drop items whose ops were skipped)."""
    if kind == "node_list":
        return [value.split(":")[0]]
    if kind == "variables":
        return [value[k].split(":")[0] for k in ("variable_name", "initial_value_name", "initializer_name",
                                                     "snapshot_name")]
    return []


def _encode_collections(graph, keys, scope, written, level=logging.WARNING):
    out = {}
    for key in keys:
        items = graph.get_collection(key)
        if not items:
            continue
        try:
            encoded = [_encode_item(item, scope) for item in items]
            kinds = {k for k, _ in encoded}
            if len(kinds) > 1:
                raise TypeError(f"the items are of different kinds ({', '.join(sorted(kinds))})")
        except TypeError as e:
            if _first_time(graph, (key, level)):
                _log.log(level, "Issue encountered when serializing %s.\nType is unsupported, or the types of the "
                         "items don't match field type in CollectionDef.\n%s", key, e)
            continue
        kept = [v for k, v in encoded if all(n in written for n in _item_ops(k, v))]
        if kept:
            out[key] = {"kind": encoded[0][0], "value": kept}
    return out


def _decode_collection(graph, kind, values, prefix, variables):
    if kind == "node_list":
        return [graph.as_graph_element(prefix + v) for v in values]
    if kind == "variables":
        return [_variable_from_def(graph, v, prefix, variables) for v in values]
    if kind == "int64_list":
        return [int(v) for v in values]
    if kind == "float_list":
        return [float(graph_io.decode_attr(v)) for v in values]
    if kind == "str_list":
        return [str(v) for v in values]
    if kind == "bytes_list":
        return [base64.b64decode(v, validate=True) for v in values]
    raise ValueError(f"Unknown collection kind {kind!r} in MetaGraphDef")


def _variable_from_def(graph, vdef, prefix, variables):
    """A Variable bound to the imported VariableV2 / Assign / read nodes (one object per variable, shared by all
    the collections that list it)."""
    name = prefix + vdef["variable_name"]
    if name in variables:
        return variables[name]
    cls = _variable_class()
    var = object.__new__(cls)   # not cls(...): the nodes exist already, nothing must be added to the graph
    var._variable = graph.as_graph_element(name)
    var._initial_value = graph.as_graph_element(prefix + vdef["initial_value_name"])
    var._initializer_op = graph.as_graph_element(prefix + vdef["initializer_name"])
    var._snapshot = graph.as_graph_element(prefix + vdef["snapshot_name"])
    var._trainable = bool(vdef.get("trainable", True))
    var._constraint = None
    variables[name] = var
    return var


# --- export ----------------------------------------------------------------------------------------------------------
def _scoped_ops(graph, scope):
    if not scope:
        return graph.get_operations()
    ops = [op for op in graph.get_operations() if op.name.startswith(scope + "/")]
    names = {op.name for op in ops}
    for op in ops:
        for t in list(op.inputs) + list(op.control_inputs):
            src = t.op.name if isinstance(t, Tensor) else t.name
            if src not in names:
                raise ValueError(f"export_scope '{scope}': op '{op.name}' takes an input from '{src}', outside the "
                                 "scope; export the whole graph or a self-contained scope.")
    return ops


def _graph_def_for(graph, scope, clear_devices, save_debug_info, level):
    graph_def = graph_io.as_graph_def(graph, ops=_scoped_ops(graph, scope), save_debug_info=save_debug_info,
                                      warn=False)
    if graph_def.skipped:
        if _first_time(graph, (tuple(s["name"] for s in graph_def.skipped), level)):
            _log.log(level, "The meta graph leaves out %s", _skipped_text(graph_def.skipped))
    if scope or clear_devices:   # sub-graphs of control-flow ops too
        graph_io_function.edit_nodes(graph_def, (lambda name: _strip(name, scope)) if scope else None,
                                     clear_devices)
    return graph_def


# The format `.meta` files are written in: TensorFlow's MetaGraphDef ("tensorflow"), so that TensorFlow imports
# them, whenever the graph has a TensorFlow form; neuroflow's JSON ("neuroflow") for graphs that have none
# (cond/while_loop sub-graphs, tf.data iterators) or when this is set to "neuroflow". Both are read.
# META_GRAPH_FILE_FORMAT is the format of `Saver.save`'s and `Saver.export_meta_graph`'s files (and SavedModels
# are always TensorFlow's); EXPORT_META_GRAPH_FORMAT that of `tf.train.export_meta_graph`.
META_GRAPH_FILE_FORMAT = "tensorflow"
EXPORT_META_GRAPH_FORMAT = "tensorflow"


def _export_tf(filename, meta_info_def, saver_def, collection_list, as_text, graph, export_scope, clear_devices,
               saver, level):
    """TensorFlow's MetaGraphDef of `graph`, or None (after a note) when the graph has no TensorFlow form."""
    from ..framework.tf_graph_import import unreadable_op_types
    from ..framework.tf_proto_convert import UnconvertibleAttr
    from .tf_meta_graph import SAVER_OP_TYPES, export_tf_meta_graph, write_tf_meta_graph
    ops = _scoped_ops(graph, export_scope)
    try:
        meta = export_tf_meta_graph(None, meta_info_def, None, saver_def, collection_list, False, graph,
                                    export_scope, clear_devices, saver, ops)
        # neuroflow must read its own file back: every op type written is one it has (Saver nodes aside)
        foreign = sorted(unreadable_op_types({n.op for n in meta.graph_def.node}) - SAVER_OP_TYPES)
        if foreign:
            raise UnconvertibleAttr(f"its TensorFlow form holds op types neuroflow cannot read back: {foreign}")
    except UnconvertibleAttr as e:   # a sub-graph or Python object: neuroflow's format holds (or skips) it
        if _first_time(graph, ("tf-form", level)):
            _log.log(level, "The meta graph is written in neuroflow's format, which TensorFlow cannot read: %s", e)
        return None
    if filename:
        write_tf_meta_graph(meta, filename, as_text)
    return meta


def _export(filename=None, meta_info_def=None, graph_def=None, saver_def=None, collection_list=None, as_text=False,
            graph=None, export_scope=None, clear_devices=False, save_debug_info=False, saver=None,
            level=logging.WARNING, file_format=None):
    graph = graph or get_default_graph()
    if graph_def is None and (file_format or META_GRAPH_FILE_FORMAT) == "tensorflow":
        meta = _export_tf(filename, meta_info_def, saver_def, collection_list, as_text, graph, export_scope,
                          clear_devices, saver, level)
        if meta is not None:
            return meta
    if graph_def is None:
        graph_def = _graph_def_for(graph, export_scope, clear_devices, save_debug_info, level)
    else:   # `graph.as_graph_def()` is TensorFlow's message: its exact neuroflow form (or its nodes converted)
        from ..framework.graph_io_import import neuroflow_graph_def
        graph_def = neuroflow_graph_def(graph_def)
    written = {n.name for n in graph_def.node}
    from .. import __version__
    info = {"tags": [], "neuroflow_version": __version__, "stripped_op_list": sorted({n.op for n in graph_def.node})}
    info.update(meta_info_def or {})
    keys = graph.get_all_collection_keys() if collection_list is None else list(collection_list)
    saver_names = {}
    if saver is not None:
        from .checkpoint_entries import VariableEntry
        saver_names = {e.name: _strip(e.key, export_scope) for e in saver._entries
                       if isinstance(e, VariableEntry) and _strip(e.key, export_scope) in written}
    meta = MetaGraphDef(info, graph_def, saver_def, _encode_collections(graph, keys, export_scope, written, level),
                        saver_names)
    if filename:
        write_graph(meta, os.path.dirname(os.fspath(filename)), os.path.basename(os.fspath(filename)),
                    as_text=as_text)
    return meta


def export_meta_graph(filename=None, meta_info_def=None, graph_def=None, saver_def=None, collection_list=None,
                      as_text=False, graph=None, export_scope=None, clear_devices=False,
                      clear_extraneous_attributes=False, strip_default_attrs=False, save_debug_info=False,
                      **kwargs):
    """Returns (and writes to `filename`, if given) the MetaGraphDef of `graph` (default: the default graph), in
    TensorFlow's MetaGraphDef (as `Saver.save` and `Saver.export_meta_graph` write it) whenever the graph has a
    TensorFlow form, else neuroflow's JSON form (`EXPORT_META_GRAPH_FORMAT`; `import_meta_graph` reads both).

    Args:
        filename: where to write it (folders are created; the file is replaced atomically).
        meta_info_def: a dict merged into the meta info (e.g. {"tags": ["serve"]}).
        graph_def: use this GraphDef instead of serializing `graph`.
        saver_def: a Saver's settings to record (`saver.as_saver_def()`); `saver.export_meta_graph` also records
            its variables' checkpoint names.
        collection_list: names of the collections to record (default: all). Collections holding other objects
            than variables, tensors, operations, numbers and strings are skipped with a warning.
        as_text: write the indented text form instead of the compact one (both are JSON).
        export_scope: only the ops in this name scope, with the scope removed from their names.
        clear_devices: drop device placements.
        save_debug_info: record where each op was created, for error messages after import.
        clear_extraneous_attributes, strip_default_attrs: accepted for TensorFlow compatibility.

    Ops that cannot be serialized (tf.data iterators hold Python datasets) are left out with the ops that need
    them, and a warning names them.

    Example:
        >>> tf.train.export_meta_graph("/tmp/model/graph.meta")
    """
    return _export(filename, meta_info_def, graph_def, saver_def, collection_list, as_text, graph, export_scope,
                   clear_devices, save_debug_info, file_format=EXPORT_META_GRAPH_FORMAT)


def export_for_saver(saver, filename=None, collection_list=None, as_text=False, export_scope=None,
                     clear_devices=False, save_debug_info=False, graph=None, implicit=False):
    """`Saver.export_meta_graph`: the meta graph of the Saver's graph with its SaverDef and checkpoint names
    (`implicit`: written by `Saver.save`, which only notes skipped ops at INFO level; import warns)."""
    if graph is None:
        graphs = [e.graph for e in saver._entries if getattr(e, "graph", None) is not None]
        graph = graphs[0] if graphs else get_default_graph()
    if implicit and filename:
        return _save_meta_graph_file(saver, filename, save_debug_info, graph)
    return _export(filename, None, None, saver.saver_def, collection_list, as_text, graph, export_scope,
                   clear_devices, save_debug_info, saver=saver, level=logging.INFO if implicit else logging.WARNING)


def _save_meta_graph_file(saver, filename, save_debug_info, graph):
    """Writes the `.meta` of `Saver.save`: the bytes written last time while the graph, its collections and the
    Saver are unchanged (a large graph is not serialized again on every save), else a new export. Only
    TensorFlow's form is reused: neuroflow's JSON form is cheap to build and may hold sub-graphs, whose changes
    the graph's state does not see. Returns None (Saver.save does not use the message)."""
    from ..framework import graph_def_cache
    from ..framework.tf_protos import Message
    from .tf_meta_graph import _as_bytes, write_bytes_atomically
    settings = saver.saver_def
    key = (META_GRAPH_FILE_FORMAT, bool(save_debug_info), saver,   # the Saver itself: held, so its id is not reused
           tuple(getattr(settings, k, None) for k in _SAVER_FIELDS))
    data, state = graph_def_cache.lookup(graph, "saver_meta", key, with_collections=True)
    if data is None:
        meta = _export(None, None, None, settings, None, False, graph, None, False, save_debug_info, saver=saver,
                       level=logging.INFO)
        if not isinstance(meta, Message):   # neuroflow's JSON form, written as tf.io.write_graph writes it
            write_graph(meta, os.path.dirname(os.fspath(filename)), os.path.basename(os.fspath(filename)),
                        as_text=False)
            return None
        data = _as_bytes(meta, False)
        graph_def_cache.store(graph, "saver_meta", key, state, data)
    write_bytes_atomically(os.fspath(filename), data)
    return None


# --- import ----------------------------------------------------------------------------------------------------------
def read_meta_graph_file(filename):
    """The MetaGraphDef in `filename`: TensorFlow's (binary or text; a `tf_protos.MetaGraphDef`) or neuroflow's
    JSON one (a `MetaGraphDef` of this module).

    Raises:
        OSError: the file does not exist.
        DataLossError: TensorFlow's form with bytes that are no MetaGraphDef.
        ValueError: neuroflow's JSON form, malformed.
    """
    from .tf_meta_graph import is_json_meta_graph, parse_tf_meta_graph
    filename = os.fspath(filename)
    if not os.path.isfile(filename):
        raise OSError(f"File {filename} does not exist.")
    with open(filename, "rb") as f:
        data = f.read()
    if is_json_meta_graph(data):
        return MetaGraphDef.FromString(data)
    return parse_tf_meta_graph(data, filename)


def import_meta_graph(meta_graph_or_file, clear_devices=False, import_scope=None, **kwargs):
    """Recreates the graph saved in a MetaGraphDef in the default graph, with its collections (variables are
    Variable objects again: `tf.trainable_variables()`, `tf.get_collection("train_op")` work), and returns a
    Saver for its variables (None when it has none).

    Args:
        meta_graph_or_file: a MetaGraphDef (TensorFlow's proto, or neuroflow's JSON one) or the path of a `.meta`
            file in either form: TensorFlow's binary/text MetaGraphDef (written by TensorFlow or neuroflow; the
            Saver's SaveV2/RestoreV2 nodes are left out, neuroflow's Saver needs none) or neuroflow's JSON.
        clear_devices: ignore the recorded device placements.
        import_scope: a name scope to put the imported ops in.
        input_map: (keyword) {"name:0": Tensor} replacing tensors of the saved graph by existing ones.
        restore_collections_predicate: (keyword) a function of a collection name: restore only those for which
            it is True.

    Returns:
        A Saver built from the recorded SaverDef (checkpoint names included), so `saver.restore(sess, path)`
        restores the checkpoint written with the original graph; None without variables.

    Raises:
        OSError: the file does not exist.
        DataLossError: a file in TensorFlow's form whose bytes are no MetaGraphDef.
        ValueError: the file is no MetaGraphDef, uses an op type neuroflow does not know, or names a node it
            does not hold. On any error the default graph is left as it was (nothing is imported).

    Example:
        >>> saver = tf.train.import_meta_graph("/tmp/model/model.ckpt.meta")
        >>> with tf.Session() as sess:
        ...     saver.restore(sess, "/tmp/model/model.ckpt")
        ...     sess.run("probs:0", {"x:0": batch})
    """
    unknown = set(kwargs) - {"input_map", "restore_collections_predicate", "return_elements"}
    if unknown:
        raise TypeError(f"import_meta_graph() got unexpected keyword arguments: {sorted(unknown)}")
    meta = meta_graph_or_file
    if not isinstance(meta, MetaGraphDef) and not _is_tf_proto(meta):
        meta = read_meta_graph_file(meta)
    if _is_tf_proto(meta):
        from .tf_meta_graph import import_tf_meta_graph
        return import_tf_meta_graph(meta, clear_devices=clear_devices, import_scope=import_scope,
                                    input_map=kwargs.get("input_map"),
                                    restore_collections_predicate=kwargs.get("restore_collections_predicate"))
    if meta.graph_def.skipped:
        _log.warning("This meta graph was written without %s", _skipped_text(meta.graph_def.skipped))
    graph = get_default_graph()
    from ..framework.graph_io_import import _normalize_input_map, stand_ins_for
    input_map = _normalize_input_map(kwargs.get("input_map"), graph)
    keep = kwargs.get("restore_collections_predicate") or (lambda key: True)
    # All or nothing: a node or collection entry that fails half-way must not leave the first half in the
    # user's graph, so everything is first imported into a scratch graph, where an error costs nothing.
    scratch = Graph()
    with scratch.as_default():
        _import(meta, scratch, "", stand_ins_for(input_map, scratch), clear_devices, keep)
    prefix = ""
    if import_scope:
        with graph.name_scope(import_scope) as scope:
            prefix = scope
    return _import(meta, graph, prefix, input_map, clear_devices, keep)


def _is_tf_proto(meta):
    from ..framework.tf_protos import MetaGraphDef as TFMetaGraphDef
    return isinstance(meta, TFMetaGraphDef)


def _import(meta, graph, prefix, input_map, clear_devices, keep):
    """Adds `meta`'s nodes and kept collections to `graph`; returns the Saver of its variables (or None)."""
    import_nodes(meta.graph_def, graph, prefix, input_map, clear_devices=clear_devices)
    variables, collections = {}, []
    for key, entry in sorted(meta.collection_def.items()):
        if keep(key):
            try:
                items = _decode_collection(graph, entry.get("kind"), entry.get("value", []), prefix, variables)
            except (KeyError, TypeError) as e:   # a name of no node in the graph, or a malformed entry
                reason = e.args[0] if e.args else e
                raise ValueError(f"Collection {key!r} of the MetaGraphDef is invalid: {reason}") from None
            collections.append((key, items))
    for key, items in collections:   # only once every collection decoded: none is left half-added
        for item in items:
            graph.add_to_collection(key, item)
    return _saver_for(meta, graph, prefix, variables)


def _saver_for(meta, graph, prefix, variables):
    from ..framework.graph import GraphKeys
    from .saver import Saver
    global_vars = [v for v in graph.get_collection(GraphKeys.GLOBAL_VARIABLES) if v in variables.values()]
    if meta.saver_names:
        by_op = {v.op.name: v for v in variables.values()}
        var_list = {ckpt: by_op[prefix + op] for ckpt, op in meta.saver_names.items() if prefix + op in by_op}
    else:
        var_list = {_strip(v.op.name, prefix[:-1]): v for v in global_vars}
    if not var_list:
        _log.info("Saver not created because there are no variables in the graph to restore")
        return None
    with graph.as_default():
        return Saver(var_list=var_list, saver_def=meta.saver_def)
