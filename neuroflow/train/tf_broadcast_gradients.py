"""neuroflow's SumToShape (the gradient of broadcasting) in TensorFlow's GraphDef words and back: TensorFlow has
no SumToShape; its gradients write Reshape(Sum(g, BroadcastGradientArgs(Shape(g), shape)[1]), shape), whose Sum
takes its axes at run time (neuroflow's takes them as an attribute). Exported meta graphs spell SumToShape that
way; imported ones have that pattern (TensorFlow's own too) folded back into SumToShape. Also the ordering
TensorFlow's parallel executor needs between a training step's gradients and its in-place variable updates."""
import collections

__all__ = ["sum_to_shape_as_tf", "tf_pattern_as_sum_to_shape", "gate_variable_updates"]


def _split(name):
    control = name.startswith("^")
    op, _, index = name.lstrip("^").partition(":")
    return op, int(index or 0), control


def _free_name(used, name):
    candidate, i = name, 0
    while candidate in used:
        i += 1
        candidate = f"{name}_{i}"
    used.add(candidate)
    return candidate


def sum_to_shape_as_tf(graph_def, shape_dtype_of):
    """Rewrites each SumToShape node of a TF GraphDef in place as TensorFlow's ops (the node keeps its name, now
    the Reshape). `shape_dtype_of(node_name)`: the DataType number of the node's shape input."""
    from ..framework.tf_protos import AttrValue
    used = {n.name for n in graph_def.node}
    for node in [n for n in graph_def.node if n.op == "SumToShape"]:
        data = [i for i in node.input if not i.startswith("^")]
        controls = [i for i in node.input if i.startswith("^")]
        grad, shape = data
        value_type = AttrValue(type=node.attr["T"].type)
        index_type = AttrValue(type=shape_dtype_of(node.name))
        shape_of = graph_def.node.add(name=_free_name(used, node.name + "/Shape"), op="Shape", input=[grad])
        shape_of.attr["T"].CopyFrom(value_type)
        shape_of.attr["out_type"].CopyFrom(index_type)
        args = graph_def.node.add(name=_free_name(used, node.name + "/BroadcastGradientArgs"),
                                  op="BroadcastGradientArgs", input=[shape_of.name, shape])
        args.attr["T"].CopyFrom(index_type)
        total = graph_def.node.add(name=_free_name(used, node.name + "/Sum"), op="Sum",
                                   input=[grad, args.name + ":1"])
        total.attr["T"].CopyFrom(value_type)
        total.attr["Tidx"].CopyFrom(index_type)
        total.attr["keep_dims"].CopyFrom(AttrValue(b=False))
        node.op = "Reshape"
        del node.input[:]
        node.input.extend([total.name, shape] + controls)
        node.attr.clear()
        node.attr["T"].CopyFrom(value_type)
        node.attr["Tshape"].CopyFrom(index_type)


def tf_pattern_as_sum_to_shape(nodes):
    """The TF NodeDefs `nodes` with each Reshape(Sum(g, BroadcastGradientArgs(a, b):k), shape) whose `shape` is
    that BroadcastGradientArgs' input k rewritten as SumToShape(g, shape) (a copy of the Reshape node), and the
    Sum / BroadcastGradientArgs nodes nothing else reads left out. Other nodes are the same messages."""
    from ..framework.tf_protos import NodeDef
    by_name = {n.name: n for n in nodes}
    consumers = collections.Counter(_split(i)[0] for n in nodes for i in n.input)
    replaced = {}
    for node in nodes:
        if node.op != "Reshape" or len(node.input) < 2 or node.input[1].startswith("^"):
            continue
        total = by_name.get(_split(node.input[0])[0])
        if total is None or total.op != "Sum" or len(total.input) < 2:   # keep_dims either way: reshaped after
            continue
        args_name, k, _ = _split(total.input[1])
        args = by_name.get(args_name)
        if args is None or args.op != "BroadcastGradientArgs" or k > 1 or args.input[k] != node.input[1]:
            continue
        replaced[node.name] = total
    if not replaced:
        return nodes
    dropped = {total.name for total in replaced.values() if consumers[total.name] == 1}
    for args in {_split(t.input[1])[0] for t in replaced.values()}:
        readers = [n for n in nodes if any(_split(i)[0] == args for i in n.input)]
        if all(r.name in dropped for r in readers):
            dropped.add(args)
    out = []
    for node in nodes:
        if node.name in dropped:
            continue
        if node.name in replaced:
            total = replaced[node.name]
            controls = [i for i in node.input if i.startswith("^")] + [i for i in total.input if i.startswith("^")]
            folded = NodeDef(name=node.name, op="SumToShape", input=[total.input[0], node.input[1]] + controls,
                             device=node.device)
            folded.attr["T"].type = node.attr["T"].type
            node = folded
        out.append(node)
    return out


def gate_variable_updates(graph_def):
    """Makes each optimizer update (Apply*, SparseApply*, Scatter* nodes) of one training step wait, through
    control inputs, for all the data inputs of that step's updates (its gradients, TensorFlow's GATE_GRAPH).
    neuroflow runs a step's ops one after the other; TensorFlow runs them in parallel, and without this an update
    could overwrite a variable in place while another gradient still reads it. A step is the set of updates a NoOp
    groups."""
    by_name = {n.name: n for n in graph_def.node}

    def is_update(name):
        node = by_name.get(name)
        return node is not None and node.op.startswith(("Apply", "SparseApply", "Scatter"))

    for group in graph_def.node:
        if group.op != "NoOp":
            continue
        updates = [by_name[_split(i)[0]] for i in group.input if i.startswith("^") and is_update(_split(i)[0])]
        if len(updates) < 2:
            continue
        sources = []
        for update in updates:
            for i in update.input:
                name = _split(i)[0]
                if not i.startswith("^") and name not in sources and not is_update(name):
                    sources.append(name)
        for update in updates:
            present = {_split(i)[0] for i in update.input}
            update.input.extend("^" + s for s in sources if s not in present)
