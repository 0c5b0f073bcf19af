"""Graph serialization in a safe format: `GraphDef` (a list of NodeDefs: name, op type, inputs, device, attrs),
built from a Graph by `as_graph_def`, and its JSON encoding (the reverse, building a Graph again, is
`graph_io_import`).

The file is plain JSON; reading it parses JSON and copies bytes into NumPy arrays of whitelisted dtypes, never
runs code (no pickle). Attr values are encoded with a tag where JSON has no type of its own:

    DType       {"type": "float32"}           TensorShape  {"shape": [null, 3]}   ({"shape": null}: unknown rank)
    ndarray     {"tensor": {"dtype": "float32", "shape": [2, 2], "data": base64 of the little-endian bytes}}
                (strings: "strings": [base64 of each element] instead of "data")
    bytes {"bytes": base64}   tuple {"tuple": [...]}   NumPy scalar {"np": "int64", "value": ...}
    non-finite float {"float": "nan" | "inf" | "-inf"}   str, int, float, bool, None, list: themselves
    sub-graph (an If's branch, a While's body) {"function": {"graph_def": ..., "inputs", "outputs", ...}}
    tensor of a sub-graph {"ref": "body/add:0"}   (see graph_io_function)

An op whose attrs hold anything else (a Python object such as a tf.data Dataset) cannot be written: it is
skipped, with the ops that need its outputs, and listed in `GraphDef.skipped` (a warning names them).
"""
import base64
import json
import logging
import math

import numpy as np

from . import dtypes
from .graph_io_function import SubGraphDef, TensorRef, to_serializable
from .operation import NodeDef
from .tensor_shape import TensorShape

__all__ = ["GraphDef", "as_graph_def", "encode_attr", "decode_attr", "encode_array", "decode_array",
           "node_def_to_json", "node_def_from_json", "parse_json_bytes", "GRAPH_DEF_FORMAT"]

GRAPH_DEF_FORMAT = "neuroflow.GraphDef"
_VERSION = 1
_log = logging.getLogger("neuroflow")


class UnserializableAttr(ValueError):
    """An attr value this format cannot hold (a Python object)."""


# --- attr values ----------------------------------------------------------------------------------------------
def _dtype_by_name(name):
    """The DType named `name` ("float32", "int64_ref", ...): only names of real TensorFlow types are accepted."""
    try:
        dt = dtypes.as_dtype(str(name))
    except TypeError:
        raise ValueError(f"Unknown dtype {name!r} in serialized graph") from None
    if dt.base_dtype.name != str(name).replace("_ref", ""):
        raise ValueError(f"Unknown dtype {name!r} in serialized graph")
    return dt


def encode_array(array):
    """A JSON-able description of `array` (dtype name, shape, base64 little-endian bytes)."""
    array = np.asarray(array)
    if array.dtype.kind in "OSU":
        items = [x.encode("utf-8") if isinstance(x, str) else bytes(x) for x in array.ravel()]
        return {"dtype": "string", "shape": list(array.shape),
                "strings": [base64.b64encode(x).decode("ascii") for x in items]}
    dt = dtypes.as_dtype(array.dtype)
    le = np.ascontiguousarray(array, dtype=np.dtype(dt.as_numpy_dtype).newbyteorder("<"))
    return {"dtype": dt.name, "shape": list(array.shape), "data": base64.b64encode(le.tobytes()).decode("ascii")}


def decode_array(obj):
    """The ndarray described by `encode_array`'s output (checked: dtype whitelisted, size matches shape)."""
    if not isinstance(obj, dict) or "dtype" not in obj or "shape" not in obj:
        raise ValueError(f"Malformed tensor in serialized graph: {str(obj)[:80]}")
    shape = tuple(int(d) for d in obj["shape"])
    if any(d < 0 for d in shape):
        raise ValueError(f"Malformed tensor shape {list(shape)} in serialized graph")
    count = int(np.prod(shape, dtype=np.int64))
    dt = _dtype_by_name(obj["dtype"])
    if dt.base_dtype is dtypes.string:
        items = [base64.b64decode(s, validate=True) for s in obj.get("strings", [])]
        if len(items) != count:
            raise ValueError(f"Malformed string tensor: {len(items)} elements for shape {list(shape)}")
        out = np.empty(count, dtype=object)
        out[:] = items
        return out.reshape(shape)
    np_dtype = np.dtype(dt.as_numpy_dtype)
    raw = base64.b64decode(obj.get("data", ""), validate=True)
    if len(raw) != count * np_dtype.itemsize:
        raise ValueError(f"Malformed tensor data: {len(raw)} bytes for {dt.name} shape {list(shape)}")
    return np.frombuffer(raw, dtype=np_dtype.newbyteorder("<")).astype(np_dtype).reshape(shape)


def check_attr(value, where="attr"):
    """Raises UnserializableAttr when `value` holds something `encode_attr` cannot write (cheap: no encoding)."""
    if value is None or isinstance(value, (bool, int, float, str, bytes, dtypes.DType, TensorShape, np.generic,
                                           SubGraphDef, TensorRef)):
        if isinstance(value, np.generic) and value.dtype.kind in "OV":
            raise UnserializableAttr(f"{where} holds a NumPy {value.dtype} scalar")
        return
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "OSU":
            for x in value.ravel():
                if not isinstance(x, (bytes, str)):
                    raise UnserializableAttr(f"{where} is an object array holding {type(x).__name__}")
        elif value.dtype.kind == "V":
            raise UnserializableAttr(f"{where} is a structured array")
        return
    if isinstance(value, (list, tuple)):
        for item in value:
            check_attr(item, where)
        return
    if isinstance(value, dict):
        for k, v in value.items():
            if not isinstance(k, str):
                raise UnserializableAttr(f"{where} is a dict with a {type(k).__name__} key")
            check_attr(v, where)
        return
    raise UnserializableAttr(f"{where} holds a Python object of type {type(value).__name__}")


def encode_attr(value):
    """`value` (an attr: DType, TensorShape, ndarray, scalar, string, list...) as a JSON-able value."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        return {"float": "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")}
    if isinstance(value, bytes):
        return {"bytes": base64.b64encode(value).decode("ascii")}
    if isinstance(value, dtypes.DType):
        return {"type": value.name + ("_ref" if value.is_ref_dtype else "")}
    if isinstance(value, TensorShape):
        return {"shape": None if value.ndims is None else [d.value for d in value.dims]}
    if isinstance(value, np.ndarray):
        return {"tensor": encode_array(value)}
    if isinstance(value, np.generic):
        return {"np": dtypes.as_dtype(value.dtype).name, "value": encode_attr(value.item())}
    if isinstance(value, tuple):
        return {"tuple": [encode_attr(v) for v in value]}
    if isinstance(value, list):
        return [encode_attr(v) for v in value]
    if isinstance(value, dict):
        return {"dict": {k: encode_attr(v) for k, v in value.items()}}
    if isinstance(value, SubGraphDef):
        return {"function": value.to_json_obj()}
    if isinstance(value, TensorRef):
        return {"ref": value.name}
    raise UnserializableAttr(f"cannot serialize a {type(value).__name__}")


_FLOAT_TAGS = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


def decode_attr(obj):
    """The attr value encoded by `encode_attr`."""
    if obj is None or isinstance(obj, (bool, str, int, float)):
        return obj
    if isinstance(obj, list):
        return [decode_attr(v) for v in obj]
    if not isinstance(obj, dict) or len(obj) not in (1, 2):
        raise ValueError(f"Malformed attr value in serialized graph: {str(obj)[:80]}")
    if "type" in obj:
        return _dtype_by_name(obj["type"])
    if "shape" in obj:
        dims = obj["shape"]
        return TensorShape(None if dims is None else [None if d is None else int(d) for d in dims])
    if "tensor" in obj:
        return decode_array(obj["tensor"])
    if "tuple" in obj:
        return tuple(decode_attr(v) for v in obj["tuple"])
    if "dict" in obj:
        return {str(k): decode_attr(v) for k, v in obj["dict"].items()}
    if "function" in obj:
        return SubGraphDef.from_json_obj(obj["function"])
    if "ref" in obj:
        if not isinstance(obj["ref"], str):
            raise ValueError(f"Malformed tensor reference in serialized graph: {str(obj)[:80]}")
        return TensorRef(obj["ref"])
    if "bytes" in obj:
        return base64.b64decode(obj["bytes"], validate=True)
    if "float" in obj:
        if obj["float"] not in _FLOAT_TAGS:
            raise ValueError(f"Malformed float {obj['float']!r} in serialized graph")
        return _FLOAT_TAGS[obj["float"]]
    if "np" in obj:
        dt = _dtype_by_name(obj["np"])
        return np.dtype(dt.as_numpy_dtype).type(decode_attr(obj["value"]))
    raise ValueError(f"Malformed attr value in serialized graph: {str(obj)[:80]}")


# --- nodes ------------------------------------------------------------------------------------------------------
def node_def_to_json(node):
    return {"name": node.name, "op": node.op, "input": list(node.input), "device": node.device or "",
            "attr": {k: encode_attr(v) for k, v in sorted(node.attr.items())}}


def node_def_from_json(obj):
    if not isinstance(obj, dict) or not isinstance(obj.get("name"), str) or not isinstance(obj.get("op"), str):
        raise ValueError(f"Malformed node in serialized graph: {str(obj)[:80]}")
    inputs = obj.get("input", [])
    if not isinstance(inputs, list) or not all(isinstance(i, str) for i in inputs):
        raise ValueError(f"Malformed inputs of node '{obj['name']}' in serialized graph")
    attrs = obj.get("attr", {})
    if not isinstance(attrs, dict):
        raise ValueError(f"Malformed attrs of node '{obj['name']}' in serialized graph")
    return NodeDef(obj["name"], obj["op"], list(inputs), str(obj.get("device", "") or ""),
                   {str(k): decode_attr(v) for k, v in attrs.items()})


def parse_json_bytes(data, expected_format, what):
    """The JSON object in `data` (bytes or str), checked to be a document of `expected_format`."""
    try:
        if isinstance(data, (bytes, bytearray, memoryview)):
            data = bytes(data).decode("utf-8")
        obj = json.loads(data)
    except ValueError as e:   # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise ValueError(f"Cannot parse {what}: not a neuroflow {what} file, or truncated ({e})") from None
    if not isinstance(obj, dict) or obj.get("format") != expected_format:
        raise ValueError(f"Cannot parse {what}: expected a '{expected_format}' document")
    if int(obj.get("version", 0)) > _VERSION:
        raise ValueError(f"Cannot parse {what}: written by a newer neuroflow (format version {obj['version']})")
    return obj


class GraphDef:
    """A serializable description of a graph: `node` (NodeDefs in an order where inputs come first), like
    TensorFlow's GraphDef proto. `skipped` lists ops left out because they cannot be serialized.

    Example:
        >>> graph_def = tf.get_default_graph().as_graph_def()
        >>> data = graph_def.SerializeToString()        # bytes (JSON); str(graph_def) is the indented text form
        >>> tf.import_graph_def(tf.GraphDef.FromString(data), name="copy")
    """

    def __init__(self, node=None, skipped=None, versions=None):
        self.node = list(node or [])
        self.skipped = list(skipped or [])
        self.versions = dict(versions or {"producer": _VERSION})
        # set on what Graph.as_graph_def() returns for a graph with no TensorFlow form: graph_util's results of
        # it (a frozen inference part) are TensorFlow's message when they have one
        self.derived_in_tf_form = False

    def to_json_obj(self):
        obj = {"format": GRAPH_DEF_FORMAT, "version": _VERSION, "versions": self.versions,
               "node": [node_def_to_json(n) for n in self.node]}
        if self.skipped:
            obj["skipped"] = self.skipped
        return obj

    @classmethod
    def from_json_obj(cls, obj):
        if not isinstance(obj, dict) or obj.get("format") != GRAPH_DEF_FORMAT:
            raise ValueError(f"Cannot parse GraphDef: expected a '{GRAPH_DEF_FORMAT}' document")
        nodes = obj.get("node", [])
        if not isinstance(nodes, list):
            raise ValueError("Cannot parse GraphDef: 'node' is not a list")
        return cls([node_def_from_json(n) for n in nodes], obj.get("skipped", []), obj.get("versions"))

    def SerializeToString(self):  # noqa: N802 - protobuf's name
        """The compact binary form (UTF-8 JSON bytes)."""
        return json.dumps(self.to_json_obj(), separators=(",", ":"), allow_nan=False).encode("utf-8")

    def ParseFromString(self, data):  # noqa: N802
        """Replaces this GraphDef's content by the graph in `data` (binary or text form)."""
        parsed = self.from_json_obj(parse_json_bytes(data, GRAPH_DEF_FORMAT, "GraphDef"))
        self.node, self.skipped, self.versions = parsed.node, parsed.skipped, parsed.versions
        return len(data)

    @classmethod
    def FromString(cls, data):  # noqa: N802
        graph_def = cls()
        graph_def.ParseFromString(data)
        return graph_def

    def CopyFrom(self, other):  # noqa: N802
        self.node, self.skipped, self.versions = list(other.node), list(other.skipped), dict(other.versions)

    def ByteSize(self):  # noqa: N802
        return len(self.SerializeToString())

    def to_text(self):
        """The text form (indented JSON), as `tf.io.write_graph(..., as_text=True)` writes it."""
        return json.dumps(self.to_json_obj(), indent=1, allow_nan=False)

    def __str__(self):
        return self.to_text()

    def __repr__(self):
        return f"<GraphDef with {len(self.node)} nodes>"

    def __eq__(self, other):
        return isinstance(other, GraphDef) and self.to_json_obj() == other.to_json_obj()

    __hash__ = None


# --- Graph -> GraphDef ------------------------------------------------------------------------------------------
def _frozen(value):
    """Attr arrays are shared with the graph: hand out read-only views so editing a GraphDef cannot change it."""
    if isinstance(value, np.ndarray) and value.flags.writeable:
        value = value.view()
        value.flags.writeable = False
    return value


def _sub_graph_def(add_shapes, save_debug_info):
    """Serializes a control-flow op's sub-graph: all of it, or UnserializableAttr naming the op that cannot be."""
    def serialize(graph):
        graph_def = as_graph_def(graph, add_shapes, save_debug_info, warn=False)
        if graph_def.skipped:
            first = graph_def.skipped[0]
            raise UnserializableAttr(f"its sub-graph holds op '{first['name']}' ({first['op']}), which "
                                     f"cannot be written: {first['reason']}")
        return graph_def
    return serialize


def as_graph_def(graph, add_shapes=True, save_debug_info=False, ops=None, warn=True):
    """The GraphDef of `graph` (or of its ops in `ops`), in creation order.

    Args:
        add_shapes: record each node's static output shapes in attr `_output_shapes` (so shapes set with
            `set_shape` survive a round trip).
        save_debug_info: record each node's creation site (file, line, function) in attr `_source`, used in
            error messages after import.
        ops: only these operations (default: all of the graph's).
        warn: log a warning naming the skipped ops (ops with Python-object attrs, and those that need them).

    Returns:
        A GraphDef whose `skipped` lists {"name", "op", "reason"} of each left-out op.
    """
    ops = graph.get_operations() if ops is None else list(ops)
    skipped_names = {}
    nodes, skipped = [], []
    serialize_sub_graph = _sub_graph_def(add_shapes, save_debug_info)
    for op in ops:
        reason = None
        attrs = {}
        for key, value in op._attrs.items():
            try:
                attrs[key] = value = to_serializable(value, serialize_sub_graph)
                check_attr(value, f"attr '{key}'")
            except UnserializableAttr as e:
                reason = str(e)
                break
        if reason is None:
            for t in op.inputs:
                if t.op.name in skipped_names:
                    reason = f"needs the output of skipped op '{t.op.name}'"
                    break
        if reason is not None:
            skipped_names[op.name] = reason
            skipped.append({"name": op.name, "op": op.type, "reason": reason})
            continue
        inputs = [t.op.name if t.value_index == 0 else t.name for t in op.inputs]
        inputs += ["^" + c.name for c in op.control_inputs if c.name not in skipped_names]
        attr = {k: _frozen(v) for k, v in attrs.items()}
        if add_shapes:
            attr["_output_shapes"] = [t.shape for t in op.outputs]
        if save_debug_info and op.location is not None:
            loc = op.location
            attr["_source"] = (str(loc.filename), int(loc.lineno), str(loc.function))
        nodes.append(NodeDef(op.name, op.type, inputs, op.device or "", attr))
    if skipped and warn:
        names = ", ".join(f"'{s['name']}' ({s['op']})" for s in skipped[:5])
        more = f" and {len(skipped) - 5} more" if len(skipped) > 5 else ""
        _log.warning("Graph serialization skipped %d op(s) that cannot be written in a safe format: %s%s. First "
                     "reason: %s", len(skipped), names, more, skipped[0]["reason"])
    return GraphDef(nodes, skipped)
