"""A small mutable ONNX graph in plain Python (nodes, initializers, inputs, outputs), built by the exporter and
rewritten by `optimize` before it becomes an `onnx.ModelProto` (only then is the onnx package needed)."""
import numpy as np

__all__ = ["Node", "Graph", "ValueSpec", "sub_graphs", "used_names"]


class Node:
    """One ONNX node: op type, input and output value names, attributes (ints, floats, strings, lists of them,
    or NumPy arrays for tensor attributes)."""

    __slots__ = ("op_type", "inputs", "outputs", "attrs", "name")

    def __init__(self, op_type, inputs, outputs, attrs, name):
        self.op_type, self.inputs, self.outputs, self.attrs, self.name = op_type, list(inputs), list(outputs), \
            dict(attrs), name

    def __repr__(self):
        return f"Node({self.op_type}, {self.inputs} -> {self.outputs}, {self.attrs})"


class ValueSpec:
    """A graph input's or output's name, element type (ONNX enum) and dims (ints, names, or None); `sequence`:
    an ONNX sequence of such tensors (a TensorArray's list carried by a Loop)."""

    __slots__ = ("name", "elem_type", "dims", "sequence")

    def __init__(self, name, elem_type, dims, sequence=False):
        self.name, self.elem_type, self.dims, self.sequence = name, elem_type, dims, sequence


class Graph:
    def __init__(self):
        self.nodes = []
        self.initializers = {}   # name -> ndarray
        self.inputs = []         # ValueSpec
        self.outputs = []        # ValueSpec

    def rename_uses(self, old, new):
        for node in self.nodes:
            node.inputs = [new if i == old else i for i in node.inputs]
            for sub in sub_graphs(node):   # an If's branch or a Loop's body reads outer values by name
                sub.rename_uses(old, new)

    def producers(self):
        return {out: node for node in self.nodes for out in node.outputs}

    def consumers(self):
        uses = {}
        for node in self.nodes:
            for name in used_names(node):
                if name:
                    uses.setdefault(name, []).append(node)
        return uses

    def output_names(self):
        return {v.name for v in self.outputs}

    def constant(self, name):
        """The value of `name` if it is an initializer, else None."""
        value = self.initializers.get(name)
        return None if value is None else np.asarray(value)


def sub_graphs(node):
    """The graphs held by `node`'s attributes (an If's branches, a Loop's body)."""
    return [v for v in node.attrs.values() if isinstance(v, Graph)]


def used_names(node):
    """The values `node` reads: its inputs, and the outer values its sub-graphs read by name (ONNX scoping)."""
    names = list(node.inputs)
    for sub in sub_graphs(node):
        for inner in sub.nodes:
            names.extend(used_names(inner))
        names.extend(v.name for v in sub.outputs)
    return names
