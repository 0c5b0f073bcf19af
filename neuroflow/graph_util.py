"""`tf.graph_util`: convert_variables_to_constants (freezing a trained graph into one self-contained
GraphDef), extract_sub_graph and remove_training_nodes."""
import logging

import numpy as np

from .framework.graph import Graph
from .framework.graph_io import GraphDef, as_graph_def
from .framework.operation import NodeDef

__all__ = ["convert_variables_to_constants", "extract_sub_graph", "remove_training_nodes"]

_log = logging.getLogger("neuroflow")


def _node_name(name):
    return name[1:].split(":")[0] if name.startswith("^") else name.split(":")[0]


def _as_graph_def(graph_or_graph_def):
    if isinstance(graph_or_graph_def, Graph):
        return as_graph_def(graph_or_graph_def)
    from .framework.graph_io_import import neuroflow_graph_def
    return neuroflow_graph_def(graph_or_graph_def, "graph_def must be a graph_pb2.GraphDef proto.")


def _same_kind(result, given):
    """`result` (neuroflow's GraphDef) as TensorFlow's GraphDef message when `given` was one: what TensorFlow's
    graph_util returns for a message, SerializeToString gives bytes TensorFlow reads. The message keeps `result`
    for an import in this process (exact ops while unchanged). neuroflow's GraphDef from `Graph.as_graph_def()`
    (a graph with cond/while sub-graphs or tf.data ops) gives the message too when `result` has a TensorFlow
    form: freezing its inference part writes a file TensorFlow loads."""
    if isinstance(given, Graph) or (isinstance(given, GraphDef) and not getattr(given, "derived_in_tf_form", False)):
        return result
    from .framework.tf_graph_export import IN_PROCESS_ONLY, graph_def_to_tf, message_with_exact_form
    if isinstance(given, GraphDef) and any(node.op in IN_PROCESS_ONLY for node in result.node):
        return result   # py_funcs: kept in neuroflow's form, as Graph.as_graph_def() keeps them
    shapes = any("_output_shapes" in node.attr for node in given.node) if not isinstance(given, GraphDef) else False
    try:
        converted = graph_def_to_tf(result, add_shapes=shapes)
    except ValueError:   # no TensorFlow form (sub-graphs)
        if isinstance(given, GraphDef):
            return result
        raise
    return message_with_exact_form(converted, result)


def extract_sub_graph(graph_def, dest_nodes):
    """The GraphDef of the nodes `dest_nodes` need (through inputs and control inputs), in the original order.

    Args:
        graph_def: a GraphDef (or a Graph).
        dest_nodes: node names (a list of strings).

    Raises:
        TypeError: `dest_nodes` is a string or holds non-strings; `graph_def` is no GraphDef.
        AssertionError: a name in `dest_nodes` is not in the graph.
    """
    return _same_kind(_extract(_as_graph_def(graph_def), dest_nodes), graph_def)


def _extract(graph_def, dest_nodes):
    """extract_sub_graph on neuroflow's GraphDef, giving neuroflow's GraphDef."""
    if isinstance(dest_nodes, str) or not all(isinstance(d, str) for d in dest_nodes):
        raise TypeError("dest_nodes must be an iterable of strings.")
    by_name = {n.name: n for n in graph_def.node}
    for d in dest_nodes:
        if _node_name(d) not in by_name:
            raise AssertionError(f"{d} is not in graph")
    keep, stack = set(), [_node_name(d) for d in dest_nodes]
    while stack:
        name = stack.pop()
        if name in keep or name not in by_name:
            continue
        keep.add(name)
        stack.extend(_node_name(i) for i in by_name[name].input)
    return GraphDef([n for n in graph_def.node if n.name in keep], versions=graph_def.versions)


def convert_variables_to_constants(sess, input_graph_def, output_node_names, variable_names_whitelist=None,
                                   variable_names_blacklist=None):
    """Freezes a graph: the variables the outputs need become Const nodes holding their current values in
    `sess`, and everything the outputs do not need is dropped. The result needs no checkpoint and imports with
    `tf.import_graph_def`.

    Args:
        sess: the Session holding the variables' values.
        input_graph_def: the GraphDef (`sess.graph.as_graph_def()`, or TensorFlow's GraphDef message) or the
            Graph itself.
        output_node_names: names of the ops to keep (e.g. ["probs"]).
        variable_names_whitelist: only these variables (op names) are converted.
        variable_names_blacklist: these variables are not converted.

    Returns:
        The frozen GraphDef: TensorFlow's message when given one (what `sess.graph.as_graph_def()` returns) or
        given neuroflow's GraphDef from `as_graph_def()` of a graph with cond/while/tf.data ops and the frozen part
        has a TensorFlow form; else neuroflow's. `frozen.SerializeToString()` of the message is what TensorFlow
        reads, and `tf.train.write_graph(frozen, dir, "frozen.pb", as_text=False)` writes either.

    Raises:
        ValueError: a variable the outputs need stays a variable but is updated by an op they need, or an op
            that writes a variable would have to write a constant.

    Example:
        >>> frozen = tf.graph_util.convert_variables_to_constants(sess, sess.graph.as_graph_def(), ["probs"])
        >>> tf.io.write_graph(frozen, "/tmp/model", "frozen.pb", as_text=False)
    """
    graph_def = _extract(_as_graph_def(input_graph_def), output_node_names)   # neuroflow's GraphDef
    names = []
    for node in graph_def.node:
        if node.op not in ("VariableV2", "Variable"):
            continue
        if variable_names_whitelist is not None and node.name not in variable_names_whitelist:
            continue
        if variable_names_blacklist is not None and node.name in variable_names_blacklist:
            continue
        names.append(node.name)
    values = sess.run([name + ":0" for name in names]) if names else []
    constants = dict(zip(names, values))
    writers = ("Assign", "AssignAdd", "AssignSub") + tuple(n for n in _UPDATE_OPS)
    out = []
    for node in graph_def.node:
        if node.name in constants:
            value = np.array(constants[node.name], copy=True)
            dtype = node.attr["dtype"].base_dtype
            attr = {"value": value, "dtype": dtype}
            if "_output_shapes" in node.attr:
                attr["_output_shapes"] = node.attr["_output_shapes"]
            out.append(NodeDef(node.name, "Const", [], node.device, attr))
            continue
        if node.op in writers and node.input and _node_name(node.input[0]) in constants:
            raise ValueError(f"Cannot freeze: op '{node.name}' ({node.op}) writes variable "
                             f"'{_node_name(node.input[0])}', and {output_node_names} need it. Freeze the inference "
                             "outputs, not training or initialization ops.")
        out.append(NodeDef(node.name, node.op, list(node.input), node.device, dict(node.attr)))
    _log.info("Froze %d variables.", len(constants))
    _log.info("Converted %d variables to const ops.", len(constants))
    return _same_kind(GraphDef(out, versions=graph_def.versions), input_graph_def)


_UPDATE_OPS = ("ApplyGradientDescent", "ApplyMomentum", "ApplyAdam", "ApplyAdagrad", "ApplyAdadelta",
               "ApplyRMSProp", "ApplyCenteredRMSProp")


def remove_training_nodes(input_graph, protected_nodes=None):
    """Removes Identity and CheckNumerics nodes (wiring their consumers to their inputs), which inference does
    not need; nodes in `protected_nodes`, and Identity nodes with control inputs, are kept.

    Args:
        input_graph: a GraphDef (or a Graph).
        protected_nodes: names of nodes to keep (e.g. the output names).

    Returns:
        A new GraphDef.
    """
    graph_def = _as_graph_def(input_graph)
    protected = set(protected_nodes or [])
    variables = {n.name for n in graph_def.node if n.op in ("VariableV2", "Variable")}
    replace = {}
    for node in graph_def.node:
        if node.name in protected or node.op not in ("Identity", "CheckNumerics"):
            continue
        data = [i for i in node.input if not i.startswith("^")]
        if len(data) != 1 or len(data) != len(node.input):
            continue
        src = data[0]
        if _node_name(src) in variables:
            continue   # a variable's `read` snapshot: the reference must not reach value-taking consumers
        replace[node.name] = src

    def resolve(name):
        seen = set()
        while name in replace and name not in seen:
            seen.add(name)
            name = replace[name]
        return name

    out = []
    for node in graph_def.node:
        if node.name in replace:
            continue
        inputs = []
        for i in node.input:
            if i.startswith("^"):
                target = _node_name(resolve(i[1:]))
                inputs.append("^" + target)
                continue
            base, _, index = i.partition(":")
            inputs.append(resolve(base) if index in ("", "0") and base in replace else i)
        out.append(NodeDef(node.name, node.op, inputs, node.device, dict(node.attr)))
    return _same_kind(GraphDef(out, versions=graph_def.versions), input_graph)
