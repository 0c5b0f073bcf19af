"""`tf.import_graph_def`: rebuilds the nodes of a GraphDef in the default graph through the OpDef registry
(each node's OpDef converts, checks and infers its inputs as when the graph was first built), with the same
names under an optional prefix."""
import importlib

from . import source_info
from .apply import convert_and_infer
from .graph import Graph, get_default_graph
from .graph_io import GraphDef
from .graph_io_function import finish_imported_op, rebuild_attrs
from .op_def import registered_opdefs
from .tensor import Tensor

__all__ = ["import_graph_def", "import_nodes", "stand_ins_for", "neuroflow_graph_def"]

# Packages that register more OpDefs when first imported (neuroflow loads them lazily).
_LAZY_OP_PACKAGES = ("neuroflow.summary", "neuroflow.keras", "neuroflow.data", "neuroflow.nn", "neuroflow.layers",
                     "neuroflow.image", "neuroflow.ops.while_grad", "neuroflow.ops.select_ops",
                     "neuroflow.ops.sparse_training_ops", "neuroflow.distribute")


def _opdef_for(node):
    opdefs = registered_opdefs()
    if node.op not in opdefs:
        for module in _LAZY_OP_PACKAGES:
            try:
                importlib.import_module(module)
            except ImportError:
                pass
        opdefs = registered_opdefs()
    if node.op not in opdefs:
        raise ValueError(f"Op type not registered '{node.op}' (node '{node.name}'): neuroflow has no OpDef of that "
                         "type. Import the module that defines it before importing the graph.")
    return opdefs[node.op]


def _parse_input(name):
    """("op", index, is_control) for an input string "op", "op:1" or "^op"."""
    if name.startswith("^"):
        return name[1:], None, True
    op_name, sep, index = name.rpartition(":")
    if sep and index.isdigit():
        return op_name, int(index), False
    return name, 0, False


def _tensor_key(name):
    op_name, index, control = _parse_input(name)
    return "^" + op_name if control else f"{op_name}:{index}"


def _topological(nodes, mapped):
    """`nodes` ordered so every node comes after the nodes it takes inputs from (stable: the given order when
    it already is one)."""
    by_name = {}
    for node in nodes:
        if node.name in by_name:
            raise ValueError(f"Duplicate node name in graph: '{node.name}'")
        by_name[node.name] = node
    order, state = [], {}
    for root in nodes:
        if root.name in state:
            continue
        stack = [(root, False)]
        while stack:
            node, done = stack.pop()
            if done:
                state[node.name] = 2
                order.append(node)
                continue
            if state.get(node.name) == 2:
                continue
            state[node.name] = 1
            stack.append((node, True))
            for inp in reversed(node.input):
                src, _, _ = _parse_input(inp)
                if _tensor_key(inp) in mapped:
                    continue
                if src not in by_name:
                    raise ValueError(f"Node '{node.name}': Unknown input node '{inp}'")
                s = state.get(src)
                if s == 1:
                    raise ValueError(f"GraphDef has a cycle through node '{src}'")
                if s is None:
                    stack.append((by_name[src], False))
    return order


def _location(node):
    loc = node.attr.get("_source")
    if isinstance(loc, (list, tuple)) and len(loc) == 3:
        return source_info.SourceLocation(str(loc[0]), int(loc[1]), str(loc[2]))
    return None


def _mark_used(graph, name):
    """Reserves `name` and each scope above it, so ops created later never reuse an imported scope."""
    parts = name.split("/")
    for i in range(1, len(parts)):
        graph._names_in_use.setdefault("/".join(parts[:i]).lower(), 1)


def import_nodes(graph_def, graph, prefix="", input_map=None, clear_devices=False, subgraph=False):
    """Creates the nodes of `graph_def` in `graph` under `prefix` (e.g. "import/"); returns
    {name in graph_def: Operation}. `input_map` maps "op:i" / "^op" keys to existing tensors / operations.
    `subgraph`: `graph` is a control-flow op's SubGraph, whose variables keep the outer variables' names."""
    input_map = dict(input_map or {})
    used_keys = set()
    nodes = _topological(graph_def.node, input_map)
    created = {}
    user_loc = source_info.user_location()
    names_before = set(graph._names_in_use)
    with graph.control_dependencies(None), graph.name_scope(None):
        for node in nodes:
            opdef = _opdef_for(node)
            tensors, controls = [], []
            for inp in node.input:
                key = _tensor_key(inp)
                src, index, control = _parse_input(inp)
                if key in input_map:
                    used_keys.add(key)
                    value = input_map[key]
                    (controls if control else tensors).append(value)
                    continue
                op = created[src]
                if control:
                    controls.append(op)
                    continue
                if index >= len(op.outputs):
                    raise ValueError(f"Node '{node.name}': input '{inp}' refers to output {index} of '{src}', which "
                                     f"has {len(op.outputs)} outputs")
                tensors.append(op.outputs[index])
            attrs = {k: v for k, v in node.attr.items() if not k.startswith("_")}
            location = _location(node) or user_loc
            name = prefix + node.name
            attrs = rebuild_attrs(attrs, graph, prefix, node.name, _import_sub_graph(clear_devices))
            if subgraph and opdef.read_at_use:
                pass   # a captured variable: the outer variable's name is how it finds its storage
            elif name.lower() in names_before or name in graph._ops_by_name:
                name = graph.unique_name(name)   # taken before the import: renamed, as TensorFlow does
            else:
                graph._names_in_use[name.lower()] = max(1, graph._names_in_use.get(name.lower(), 0))
            _mark_used(graph, name)
            try:
                converted, attrs, specs = convert_and_infer(opdef, tensors, attrs, name, location)
            except KeyError as e:   # an OpDef reading an attribute the node lacks (a damaged or foreign file)
                raise ValueError(f"NodeDef missing attr {e.args[0]!r} from Op '{node.op}' (node '{node.name}')") \
                    from None
            op = graph.create_op(opdef, converted, attrs, name + "/", specs, location)
            shapes = node.attr.get("_output_shapes")
            if isinstance(shapes, (list, tuple)) and len(shapes) == len(op.outputs):
                for t, shape in zip(op.outputs, shapes):
                    if t.shape.is_compatible_with(shape):
                        t._shape = t.shape.merge_with(shape)
            finish_imported_op(op)
            for c in controls:
                op._add_control_input(c.op if isinstance(c, Tensor) else c)
            if node.device and not clear_devices:
                op._device = node.device
            created[node.name] = op
    unused = sorted(set(input_map) - used_keys)
    if unused:
        raise ValueError(f"Attempted to map inputs that were not found in graph_def: [{', '.join(unused)}]")
    return created


def _import_sub_graph(clear_devices):
    def import_sub_graph(graph_def, graph, prefix, subgraph):
        return import_nodes(graph_def, graph, prefix, clear_devices=clear_devices, subgraph=subgraph)
    return import_sub_graph


def stand_ins_for(input_map, scratch):
    """`input_map` with each value replaced by a stand-in in the `scratch` graph (a placeholder of the tensor's
    dtype and shape, or a no-op for a control input), so that an import can first be tried where an error costs
    nothing: the user's graph is touched only once every node has been built without error."""
    opdefs = registered_opdefs()
    out = {}
    for key, value in input_map.items():
        if isinstance(value, Tensor):
            opdef, attrs = opdefs["Placeholder"], {"dtype": value.dtype.base_dtype, "shape": value.shape}
        else:
            opdef, attrs = opdefs["NoOp"], {}
        name = scratch.unique_name("input_map_stand_in")
        converted, attrs, specs = convert_and_infer(opdef, [], attrs, name, None)
        op = scratch.create_op(opdef, converted, attrs, name + "/", specs, None)
        out[key] = op.outputs[0] if op.outputs else op
    return out


def _normalize_input_map(input_map, graph):
    if input_map is None:
        return {}
    if not isinstance(input_map, dict):
        raise TypeError("input_map must be a dictionary mapping strings to Tensor objects.")
    out = {}
    for key, value in input_map.items():
        if not isinstance(key, str):
            raise TypeError("input_map must be a dictionary mapping strings to Tensor objects.")
        if key.startswith("^"):
            value = graph.as_graph_element(value, allow_tensor=False, allow_operation=True)
        else:
            value = graph.as_graph_element(value, allow_tensor=True, allow_operation=False)
        out[_tensor_key(key)] = value
    return out


def neuroflow_graph_def(graph_def, error="graph_def must be a GraphDef proto."):
    """neuroflow's GraphDef of `graph_def`: itself, the exact form a `tf.GraphDef` message carries (made by
    `Graph.as_graph_def()` or read from neuroflow's JSON, while its nodes are unchanged), or the conversion of
    TensorFlow's nodes. TypeError(`error`) for anything else."""
    if isinstance(graph_def, GraphDef):
        return graph_def
    from .tf_graph_import import graph_def_from_tf, is_tf_graph_def
    if not is_tf_graph_def(graph_def):
        raise TypeError(error)
    as_read = getattr(graph_def, "neuroflow_form", None)
    return (as_read and as_read()) or graph_def_from_tf(graph_def)


def import_graph_def(graph_def, input_map=None, return_elements=None, name=None, op_dict=None,
                     producer_op_list=None):
    """Imports the graph in `graph_def` into the default graph.

    Args:
        graph_def: a GraphDef: TensorFlow's message (a frozen `.pb` read with `tf.GraphDef.FromString`, also
            one of the protobuf package), or neuroflow's own (`graph.as_graph_def()`). TensorFlow's attributes
            that neuroflow infers (`T`, `Tidx`, ...) are ignored; checkpoint I/O nodes (SaveV2, RestoreV2 and what
            needs them) are left out, since neuroflow's Saver does that work.
        input_map: {"name:0" in graph_def: Tensor} replacing those inputs by existing tensors (e.g. a new
            placeholder or a preprocessing op); "^name" keys replace control inputs by operations.
        return_elements: names in graph_def ("op" for an Operation, "op:0" for a Tensor) to return.
        name: prefix for the imported names (default "import"; "" for none).
        op_dict, producer_op_list: accepted for TensorFlow compatibility; unused.

    Returns:
        The Operations / Tensors named in `return_elements` (None without return_elements).

    Raises:
        TypeError: graph_def is no GraphDef; bad input_map or return_elements.
        ValueError: op types neuroflow does not have (all of them listed, with counts; nothing is imported),
            an input missing in graph_def, an input_map key not in graph_def,
            a return element not in graph_def, or shapes / dtypes that do not fit.

    Example:
        >>> frozen = tf.graph_util.convert_variables_to_constants(sess, sess.graph.as_graph_def(), ["probs"])
        >>> with tf.Graph().as_default():
        ...     x = tf.placeholder(tf.float32, [None, 64])
        ...     probs, = tf.import_graph_def(frozen, input_map={"x:0": x}, return_elements=["probs:0"], name="")
    """
    graph_def = neuroflow_graph_def(graph_def)
    if return_elements is not None:
        if isinstance(return_elements, str) or not all(isinstance(x, str) for x in return_elements):
            raise TypeError("return_elements must be a list of strings.")
    graph = get_default_graph()
    input_map = _normalize_input_map(input_map, graph)
    for value in input_map.values():
        if getattr(value, "graph", graph) is not graph:
            raise ValueError(f"{value} is not an element of the default graph.")
    if name is None:
        name = "import"
    # All or nothing: a node that fails half-way must not leave the nodes before it in the user's graph, so the
    # import is first tried in a scratch graph, under the prefix it will get (errors name the node as imported).
    scratch = Graph()
    preview = (name if name.endswith("/") else graph.unique_name(name, mark_as_used=False) + "/") if name else ""
    import_nodes(graph_def, scratch, preview, stand_ins_for(input_map, scratch))
    prefix = ""
    if name:
        with graph.name_scope(name) as scope:
            prefix = scope
    created = import_nodes(graph_def, graph, prefix, input_map)
    if return_elements is None:
        return None
    out = []
    for element in return_elements:
        op_name, index, _ = _parse_input(element)
        if op_name not in created:
            raise ValueError(f"Requested return_element {element!r} not found in graph_def.")
        op = created[op_name]
        if ":" in element:
            if index >= len(op.outputs):
                raise ValueError(f"Requested return_element {element!r} not found in graph_def.")
            out.append(op.outputs[index])
        else:
            out.append(op)
    return out
