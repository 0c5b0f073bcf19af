"""Rewrites of the exported ONNX graph (`ir.Graph`) that keep its meaning: Transposes are pushed down through
elementwise ops and merged with the next Transpose (NHWC convolutions otherwise leave a Transpose pair
between every two layers), Identity nodes are removed, and nodes and initializers no output needs are dropped."""
import numpy as np

from .ir import Node, sub_graphs, used_names

__all__ = ["optimize"]

_UNARY = {"Relu", "Sigmoid", "Tanh", "Elu", "LeakyRelu", "Selu", "Softplus", "Softsign", "Abs", "Neg", "Exp", "Log",
          "Sqrt", "Reciprocal", "Floor", "Ceil", "Round", "Sign", "Sin", "Cos", "Cast", "Not", "Identity", "Clip"}
_BINARY = {"Add", "Sub", "Mul", "Div", "Max", "Min", "Pow", "Equal", "Less", "Greater", "And", "Or"}


def optimize(graph):
    """Rewrites `graph` in place."""
    _merge_transposes(graph)
    _remove_identities(graph)
    _remove_dead(graph)


# --- transposes ----------------------------------------------------------------------------------------------------
def _perm(node):
    return [int(p) for p in node.attrs["perm"]]


def _fresh(graph, base):
    taken = {o for n in graph.nodes for o in n.outputs} | set(graph.initializers) | {v.name for v in graph.inputs}
    name, k = f"{base}_t", 0
    while name in taken:
        k += 1
        name = f"{base}_t{k}"
    return name


def _permuted_constant(graph, name, perm):
    """The initializer `name` rearranged so that, broadcast against data in the layout before `perm`, it lines up
    as it did after it (None when it cannot be: higher rank than the data)."""
    value = graph.constant(name)
    n = len(perm)
    if value is None or value.ndim > n:
        return None
    if value.ndim == 0:
        return name
    expanded = value.reshape([1] * (n - value.ndim) + list(value.shape))
    moved = np.asarray(expanded.transpose(np.argsort(perm)), order="C")
    new = _fresh(graph, name)
    graph.initializers[new] = moved
    return new


def _push_through(graph, t, consumer):
    """Moves Transpose `t` below its only consumer (an elementwise op): consumer(T(a)) -> T(consumer'(a)).
    Returns True when it did."""
    a, b, perm = t.inputs[0], t.outputs[0], _perm(t)
    if consumer.op_type in _UNARY:
        if consumer.inputs[0] != b or b in consumer.inputs[1:]:
            return False
        if consumer.op_type == "Clip" and any(i and (graph.constant(i) is None or graph.constant(i).ndim)
                                              for i in consumer.inputs[1:]):
            return False
        new_inputs = [a] + consumer.inputs[1:]
    elif consumer.op_type in _BINARY and len(consumer.inputs) == 2:
        new_inputs = []
        for name in consumer.inputs:
            if name == b:
                new_inputs.append(a)
                continue
            moved = _permuted_constant(graph, name, perm)
            if moved is None:
                return False
            new_inputs.append(moved)
    else:
        return False
    out = consumer.outputs[0]
    inner = _fresh(graph, out)
    consumer.inputs = new_inputs
    consumer.outputs = [inner]
    graph.nodes.remove(t)
    graph.nodes.insert(graph.nodes.index(consumer) + 1, Node("Transpose", [inner], [out], {"perm": perm},
                                                             t.name))
    return True


def _merge_transposes(graph):
    changed = True
    while changed:
        changed = False
        producers, consumers = graph.producers(), graph.consumers()
        outputs = graph.output_names()
        for t in list(graph.nodes):
            if t.op_type != "Transpose" or t not in graph.nodes:
                continue
            perm = _perm(t)
            if perm == sorted(perm):   # the identity permutation
                t.op_type, t.attrs = "Identity", {}
                changed = True
                break
            src = producers.get(t.inputs[0])
            if src is not None and src.op_type == "Transpose":
                inner = _perm(src)
                composed = [inner[p] for p in perm]
                t.inputs = [src.inputs[0]]
                t.attrs = {"perm": composed}
                changed = True
                break
            uses = consumers.get(t.outputs[0], [])
            if len(uses) == 1 and t.outputs[0] not in outputs and _push_through(graph, t, uses[0]):
                changed = True
                break


# --- identities and dead nodes ------------------------------------------------------------------------------------
def _remove_identities(graph):
    outputs = graph.output_names()
    graph_inputs = {v.name for v in graph.inputs}
    alias = {}
    for node in graph.nodes:   # Identity nodes inside the graph: their consumers read the source directly
        if node.op_type == "Identity" and node.outputs[0] not in outputs:
            alias[node.outputs[0]] = node.inputs[0]

    def source(name):
        while name in alias:
            name = alias[name]
        return name

    graph.nodes = [n for n in graph.nodes if not (n.op_type == "Identity" and n.outputs[0] in alias)]
    _substitute(graph.nodes, source)
    producers, consumers = graph.producers(), graph.consumers()
    for node in list(graph.nodes):
        if node.op_type != "Identity":
            continue
        src, dst = node.inputs[0], node.outputs[0]
        producer = producers.get(src)
        if producer is not None and src not in outputs and src not in graph_inputs and consumers.get(src) == [node]:
            # The value feeds only this output: let its producer write the output's name directly.
            producer.outputs = [dst if o == src else o for o in producer.outputs]
            graph.nodes.remove(node)


def _substitute(nodes, source):
    """Each input name of `nodes` (and of the nodes of their sub-graphs) replaced by `source(name)`."""
    for node in nodes:
        node.inputs = [source(i) if i else i for i in node.inputs]
        for sub in sub_graphs(node):   # sub-graph outputs are their own Identity nodes' outputs: kept
            _substitute(sub.nodes, source)


def _remove_dead(graph):
    needed = set(graph.output_names())
    keep = []
    for node in reversed(graph.nodes):
        if any(o in needed for o in node.outputs):
            keep.append(node)
            needed.update(i for i in used_names(node) if i)
    graph.nodes = keep[::-1]
    graph.initializers = {k: v for k, v in graph.initializers.items() if k in needed}
