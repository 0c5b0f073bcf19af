"""A neuroflow Graph as TensorFlow's `GraphDef` protocol buffer, the form TensorBoard's Graphs dashboard draws:
one NodeDef per op (name, type, inputs with `^name` control edges, device, attrs) plus `_output_shapes`.

Attributes map onto `AttrValue` where they can (dtypes, shapes, arrays, numbers, strings and lists of them);
anything else (a Dataset, a function) is written as a short string, which TensorBoard shows as text. The
branches and loop bodies of If/While ops are drawn as groups named under the op ("cond/then_branch/...").
"""
import numbers

import numpy as np

from ..framework.dtypes import DType
from ..framework.tensor_shape import TensorShape
from . import encoders
from ._proto import protos

__all__ = ["graph_to_graph_def", "as_graph_def_proto", "attr_value"]

_MAX_TEXT = 200  # characters kept of an attribute that has no AttrValue form


def _input_name(tensor):
    return tensor.op.name if tensor.value_index == 0 else f"{tensor.op.name}:{tensor.value_index}"


def _text(value):
    s = repr(value)
    return s if len(s) <= _MAX_TEXT else s[:_MAX_TEXT - 3] + "..."


def _array_attr(av, value):
    if value.dtype == object:
        if all(isinstance(v, (bytes, str)) for v in value.ravel()):
            av.tensor.CopyFrom(encoders.tensor_proto(value))
            return av
        av.s = _text(value).encode("utf-8")
        return av
    if value.dtype.kind in "SU":
        value = value.astype(object)
    av.tensor.CopyFrom(encoders.tensor_proto(value))
    return av


def _list_attr(av, items):
    lv = av.list
    if all(isinstance(v, (bool, np.bool_)) for v in items):
        lv.b.extend(bool(v) for v in items)
    elif all(isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in items):
        lv.i.extend(int(v) for v in items)
    elif all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in items):
        lv.f.extend(float(v) for v in items)
    elif all(isinstance(v, (str, bytes)) for v in items):
        lv.s.extend(v.encode("utf-8") if isinstance(v, str) else v for v in items)
    elif all(isinstance(v, DType) for v in items):
        lv.type.extend(v.as_datatype_enum for v in items)
    elif all(isinstance(v, TensorShape) for v in items):
        lv.shape.extend(encoders.shape_proto(v) for v in items)
    elif all(isinstance(v, np.ndarray) for v in items):
        lv.tensor.extend(encoders.tensor_proto(v) for v in items)
    else:
        av.Clear()
        av.s = _text(items).encode("utf-8")
    return av


def attr_value(value):
    """An `AttrValue` for a neuroflow attribute value, or None for a value that is absent (None).

    Example:
        >>> attr_value(tf.float32).type   # 1 == DT_FLOAT
        1
    """
    if value is None:
        return None
    av = protos().attr_value_pb2.AttrValue()
    if isinstance(value, DType):
        av.type = value.as_datatype_enum
    elif isinstance(value, TensorShape):
        av.shape.CopyFrom(encoders.shape_proto(value))
    elif isinstance(value, (bool, np.bool_)):
        av.b = bool(value)
    elif isinstance(value, numbers.Integral):
        av.i = int(value)
    elif isinstance(value, numbers.Real):
        av.f = float(value)
    elif isinstance(value, str):
        av.s = value.encode("utf-8")
    elif isinstance(value, bytes):
        av.s = value
    elif isinstance(value, np.ndarray):
        return _array_attr(av, value)
    elif isinstance(value, (list, tuple)):
        return _list_attr(av, list(value))
    else:
        av.s = _text(value).encode("utf-8")
    return av


def graph_to_graph_def(graph, add_shapes=True):
    """The `GraphDef` proto of a neuroflow `graph`, as TensorFlow's `graph.as_graph_def(add_shapes=True)`.

    Ops whose attributes name no dtype get a `T` attr with their first output's dtype, so TensorBoard shows a
    dtype for every node.

    Example:
        >>> x = tf.placeholder(tf.float32, [None, 3], name="x")
        >>> graph_to_graph_def(tf.get_default_graph()).node[0].name
        'x'
    """
    pb = protos()
    graph_def = pb.graph_pb2.GraphDef()
    _add_ops(graph_def, graph.get_operations(), lambda name: name, {}, add_shapes)
    return graph_def


def _add_ops(graph_def, ops, rename, extra_inputs, add_shapes):
    """Adds a NodeDef per op of `ops`, named `rename(op.name)`; `extra_inputs` gives edges drawn into an op from
    outside its graph (a branch's captured value from the control-flow op's input)."""
    for op in ops:
        node = graph_def.node.add()
        node.name = rename(op.name)
        node.op = op.type
        node.input.extend(rename(_input_name(t)) for t in op.inputs)
        node.input.extend(extra_inputs.get(op, ()))
        node.input.extend("^" + rename(c.name) for c in op.control_inputs)
        if op.device:
            node.device = op.device
        for key, value in op.attrs.items():
            av = attr_value(value)
            if av is not None:
                node.attr[key].CopyFrom(av)
        outputs = op.outputs
        if outputs and not any(k in op.attrs for k in ("T", "dtype")):
            node.attr["T"].type = outputs[0].dtype.base_dtype.as_datatype_enum
        if add_shapes and outputs:
            node.attr["_output_shapes"].list.shape.extend(encoders.shape_proto(t.shape) for t in outputs)
        _add_sub_graphs(graph_def, op, node, add_shapes)


def _add_sub_graphs(graph_def, op, node, add_shapes):
    """The nodes of a control-flow op's branches or loop body under "<op>/<attr>/" (TensorBoard draws each as a
    group inside the op's), each captured value drawn as an edge from the op's input that feeds it."""
    from ..ops.cond_ops import Branch
    first = 1 if "then_branch" in op.attrs else 0   # an If's input 0 is the predicate
    for key, branch in op.attrs.items():
        if not isinstance(branch, Branch):
            continue
        group = f"{node.name}/{key}/"
        scope = op.name + "/"

        def rename(name, group=group, scope=scope):
            return group + (name[len(scope):] if name.startswith(scope) else name)
        extra = {ph.op: [node.input[first + p]] for ph, p in zip(branch.placeholders, branch.positions)
                 if first + p < len(op.inputs)}
        _add_ops(graph_def, branch.graph.get_operations(), rename, extra, add_shapes)


def _node_defs_to_proto(graph_def):
    """A proto GraphDef from neuroflow's own GraphDef (`graph.as_graph_def()`: NodeDefs with Python attrs)."""
    proto = protos().graph_pb2.GraphDef()
    _add_node_defs(proto, graph_def.node, lambda name: name, {})
    return proto


def _add_node_defs(proto, node_defs, rename, extra_inputs):
    """As _add_ops, for NodeDefs (a control-flow node's sub-graphs are SubGraphDef attrs)."""
    from ..framework.graph_io_function import SubGraphDef
    for nd in node_defs:
        node = proto.node.add()
        node.name, node.op = rename(nd.name), nd.op
        node.input.extend(("^" + rename(i[1:])) if i.startswith("^") else rename(i) for i in nd.input)
        node.input.extend(extra_inputs.get(nd.name, ()))
        if nd.device:
            node.device = nd.device
        for key, value in nd.attr.items():
            av = attr_value(value)
            if av is not None:
                node.attr[key].CopyFrom(av)
        first = 1 if "then_branch" in nd.attr else 0
        data_inputs = [i for i in node.input if not i.startswith("^")]
        for key, sub in nd.attr.items():
            if isinstance(sub, SubGraphDef):
                group, scope = f"{node.name}/{key}/", nd.name + "/"

                def sub_rename(name, group=group, scope=scope):
                    return group + (name[len(scope):] if name.startswith(scope) else name)
                extra = {n.rpartition(":")[0]: [data_inputs[first + p]] for n, p in zip(sub.inputs, sub.positions)
                         if first + p < len(data_inputs)}
                _add_node_defs(proto, sub.graph_def.node, sub_rename, extra)


def as_graph_def_proto(graph_or_graph_def):
    """The TensorBoard `GraphDef` proto of a neuroflow Graph, of neuroflow's GraphDef, of `tf.GraphDef` (what
    `graph.as_graph_def()` returns: TensorFlow's message in neuroflow's own codec), or a proto unchanged.

    Raises:
        TypeError: anything else.
    """
    from ..framework.graph import Graph
    from ..framework.tf_protos import GraphDef as TFGraphDef
    given = graph_or_graph_def
    if isinstance(given, Graph):
        return graph_to_graph_def(given, add_shapes=True)
    if isinstance(given, protos().graph_pb2.GraphDef):
        return given
    if isinstance(given, TFGraphDef):
        exact = getattr(given, "neuroflow_form", lambda: None)()
        if exact is not None:   # drawn as the graph itself is (the ops neuroflow writes as several TF ops: one)
            return _node_defs_to_proto(exact)
        return protos().graph_pb2.GraphDef.FromString(given.SerializeToString())
    nodes = getattr(given, "node", None)
    if nodes is not None and all(isinstance(getattr(n, "attr", None), dict) for n in nodes):
        return _node_defs_to_proto(given)
    raise TypeError("The passed graph must be an instance of `Graph` or the deprecated `GraphDef`")
