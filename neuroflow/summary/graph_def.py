"""The GraphDef bytes of a TensorBoard graph event (`FileWriter.add_graph`): what TensorFlow writes there —
TensorFlow's GraphDef of the graph with output shapes, `graph.as_graph_def(add_shapes=True)` — or, for a graph
TensorFlow's messages cannot describe (cond branches and loop bodies held as sub-graphs, ops holding Python objects
such as tf.data datasets), a drawing of neuroflow's ops: one NodeDef per op, each branch or loop body as a group
named under its op ("cond/then_branch/..."), an attribute with no AttrValue form as short text.

Both are built with the one GraphDef codec (framework/tf_protos, framework/tf_proto_convert): no `tensorboard`
package is needed for the bytes.
"""
from ..framework.tf_proto_convert import UnconvertibleAttr, attr_to_tf, shape_to_proto
from ..framework.tf_protos import AttrValue
from ..framework.tf_protos import GraphDef as TFGraphDef

__all__ = ["graph_event_bytes", "drawing_of_graph", "drawing_of_node_defs"]

_MAX_TEXT = 200  # characters kept of an attribute that has no AttrValue form


def _attr_or_text(value, where):
    """The AttrValue of `value` (None for None), or its short text for a value with no AttrValue form: TensorBoard
    shows attributes; the drawing must not fail on one it cannot type."""
    try:
        return attr_to_tf(value, where)
    except UnconvertibleAttr:
        text = repr(value)
        text = text if len(text) <= _MAX_TEXT else text[:_MAX_TEXT - 3] + "..."
        return AttrValue(s=text.encode("utf-8"))


def _add_node(graph_def, name, op_type, inputs, device, attrs):
    node = graph_def.node.add(name=name, op=op_type, input=inputs)
    if device:
        node.device = device
    for key, value in attrs.items():
        av = _attr_or_text(value, f"attribute '{key}' of '{name}'")
        if av is not None:
            node.attr[key].CopyFrom(av)
    return node


def _group_renamer(node_name, key, op_name):
    """Names of a sub-graph's nodes inside the group "<node>/<attr>/" (the op's own scope prefix dropped)."""
    group, scope = f"{node_name}/{key}/", op_name + "/"
    return lambda name: group + (name[len(scope):] if name.startswith(scope) else name)


# --- a Graph's ops --------------------------------------------------------------------------------------------------
def _input_name(tensor):
    return tensor.op.name if tensor.value_index == 0 else f"{tensor.op.name}:{tensor.value_index}"


def _add_ops(graph_def, ops, rename, extra_inputs):
    """A NodeDef per op of `ops`, named `rename(op.name)`; `extra_inputs` gives edges drawn into an op from outside
    its graph (a branch's captured value, from the control-flow op's input that feeds it)."""
    from ..ops.cond_ops import Branch
    for op in ops:
        inputs = [rename(_input_name(t)) for t in op.inputs] + list(extra_inputs.get(op, ()))
        inputs += ["^" + rename(c.name) for c in op.control_inputs]
        node = _add_node(graph_def, rename(op.name), op.type, inputs, op.device, op.attrs)
        outputs = op.outputs
        if outputs and not any(k in op.attrs for k in ("T", "dtype")):   # a dtype shown on every node
            node.attr["T"].type = outputs[0].dtype.base_dtype.as_datatype_enum
        if outputs:
            node.attr["_output_shapes"].list.shape.extend(shape_to_proto(t.shape) for t in outputs)
        first = 1 if "then_branch" in op.attrs else 0   # an If's input 0 is the predicate
        for key, branch in op.attrs.items():
            if isinstance(branch, Branch):
                extra = {ph.op: [node.input[first + p]] for ph, p in zip(branch.placeholders, branch.positions)
                         if first + p < len(op.inputs)}
                _add_ops(graph_def, branch.graph.get_operations(), _group_renamer(node.name, key, op.name), extra)


def drawing_of_graph(graph):
    """The drawing of `graph`'s ops (a `tf_protos.GraphDef`), for a graph with no TensorFlow form."""
    graph_def = TFGraphDef()
    _add_ops(graph_def, graph.get_operations(), lambda name: name, {})
    return graph_def


# --- neuroflow's GraphDef (NodeDefs with Python attribute values) -------------------------------------------------
def _add_node_defs(graph_def, node_defs, rename, extra_inputs):
    """As _add_ops, for NodeDefs (a control-flow node's sub-graphs are SubGraphDef attrs)."""
    from ..framework.graph_io_function import SubGraphDef
    for nd in node_defs:
        inputs = [("^" + rename(i[1:])) if i.startswith("^") else rename(i) for i in nd.input]
        inputs += list(extra_inputs.get(nd.name, ()))
        node = _add_node(graph_def, rename(nd.name), nd.op, inputs, nd.device, nd.attr)
        first = 1 if "then_branch" in nd.attr else 0
        data_inputs = [i for i in node.input if not i.startswith("^")]
        for key, sub in nd.attr.items():
            if isinstance(sub, SubGraphDef):
                extra = {n.rpartition(":")[0]: [data_inputs[first + p]] for n, p in zip(sub.inputs, sub.positions)
                         if first + p < len(data_inputs)}
                _add_node_defs(graph_def, sub.graph_def.node, _group_renamer(node.name, key, nd.name), extra)


def drawing_of_node_defs(graph_def):
    """The drawing of neuroflow's GraphDef (what `graph.as_graph_def()` returns for a graph with sub-graphs)."""
    drawing = TFGraphDef()
    _add_node_defs(drawing, graph_def.node, lambda name: name, {})
    return drawing


# --- the event's bytes ------------------------------------------------------------------------------------------------
def graph_event_bytes(graph_or_graph_def):
    """The GraphDef bytes a graph event holds for a neuroflow Graph, neuroflow's GraphDef, a `tf.GraphDef` message
    (`graph.as_graph_def()`; written as it is, as TensorFlow writes a GraphDef it is given) or a GraphDef message
    of the protobuf package.

    Raises:
        TypeError: anything else.

    Example:
        >>> data = graph_event_bytes(tf.get_default_graph())
        >>> tf.GraphDef.FromString(data).node[0].name
        'x'
    """
    from ..framework.graph import Graph
    from ..framework.graph_def_cache import graph_def_bytes
    given = graph_or_graph_def
    if isinstance(given, Graph):
        data = graph_def_bytes(given, add_shapes=True)   # reused while the graph is unchanged
        return data if data is not None else drawing_of_graph(given).SerializeToString()
    if isinstance(given, TFGraphDef):
        exact = given.neuroflow_form() if hasattr(given, "neuroflow_form") else None
        if exact is not None and not given.node:   # read from neuroflow's JSON: it has no TensorFlow form
            return drawing_of_node_defs(exact).SerializeToString()
        return given.SerializeToString()
    nodes = getattr(given, "node", None)
    if nodes is not None and all(isinstance(getattr(n, "attr", None), dict) for n in nodes):
        return drawing_of_node_defs(given).SerializeToString()
    if nodes is not None and type(given).__name__ == "GraphDef" and hasattr(given, "SerializeToString"):
        return given.SerializeToString()   # TensorFlow's or TensorBoard's compiled message
    raise TypeError("The passed graph must be an instance of `Graph` or the deprecated `GraphDef`")
