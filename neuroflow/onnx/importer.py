"""`neuroflow.onnx.from_onnx`: builds a neuroflow graph from an ONNX model. Graph inputs become placeholders,
initializers constants, and each node becomes neuroflow ops (through the public op functions, so the result can
be run, differentiated and exported again) by the node importers of `import_ops`, a registry keyed by ONNX op
type."""
import numpy as np

from ..framework.graph import get_default_graph
from ._deps import require_onnx

__all__ = ["from_onnx", "ImportContext", "import_nodes"]

# ONNX TensorProto element type -> neuroflow dtype name
_ELEM_TYPES = {1: "float32", 2: "uint8", 3: "int8", 4: "uint16", 5: "int16", 6: "int32", 7: "int64", 9: "bool",
               10: "float16", 11: "float64", 12: "uint32", 13: "uint64"}


def dtype_of(elem_type, what):
    from ..framework import dtypes
    if elem_type not in _ELEM_TYPES:
        raise ValueError(f"Cannot import {what}: ONNX element type {elem_type} has no neuroflow equivalent")
    return dtypes.as_dtype(_ELEM_TYPES[elem_type])


class ImportContext:
    """What node importers see: the neuroflow tensor of each ONNX value, the constant value of initializers, and
    the node being imported (for errors)."""

    def __init__(self, outer=None):
        # A sub-graph's context (an If branch, a Loop body) sees the enclosing graph's values by name.
        self.tensors = dict(outer.tensors) if outer is not None else {}      # ONNX value name -> Tensor
        self.constants = dict(outer.constants) if outer is not None else {}  # initializers and Constant nodes
        self.node = None

    def input(self, node, i):
        """The tensor of input `i` of `node` (None for an omitted optional input)."""
        if i >= len(node.input) or not node.input[i]:
            return None
        return self.tensors[node.input[i]]

    def value(self, node, i):
        """The constant value of input `i` (an ndarray), or None when it is computed at run time."""
        if i >= len(node.input) or not node.input[i]:
            return None
        name = node.input[i]
        if name not in self.constants:
            from ..framework.tensor_util import constant_value
            value = constant_value(self.tensors[name])   # a small computation over constants, e.g. a Reshape
            if value is None:
                return None
            self.constants[name] = np.asarray(value)
        return self.constants[name]

    def require_value(self, node, i, what):
        value = self.value(node, i)
        if value is None:
            self.fail(f"input {i} ('{what}') must be a constant (an initializer)")
        return value

    def fail(self, reason):
        raise ValueError(f"Cannot import ONNX node '{self.node.name}' (op_type: '{self.node.op_type}'): {reason}.")


def _attributes(node):
    from onnx import helper
    out = {}
    for a in node.attribute:
        value = helper.get_attribute_value(a)
        if isinstance(value, bytes):
            value = value.decode("utf-8")
        elif hasattr(value, "dims") and hasattr(value, "data_type"):   # a TensorProto
            from onnx import numpy_helper
            value = numpy_helper.to_array(value)
        out[a.name] = value
    return out


def _load(model):
    onnx = require_onnx()
    if isinstance(model, onnx.ModelProto):
        return model
    return onnx.load(str(model))


def from_onnx(model, graph=None, name=None):
    """See `neuroflow.onnx.from_onnx`."""
    from ..framework.constant_op import constant
    from ..ops.array_ops import placeholder
    from . import import_ops
    model = _load(model)
    from onnx import numpy_helper
    domains = {o.domain: o.version for o in model.opset_import}
    if domains.get("", domains.get("ai.onnx", 0)) < 13:
        raise ValueError(f"Cannot import an ONNX model of opset {domains.get('', 0)}: opset 13 or newer is needed")
    graph = graph or get_default_graph()
    ctx = ImportContext()
    g = model.graph
    from ..framework.graph import name_scope
    with graph.as_default(), name_scope(name or None):
        for init in g.initializer:
            value = numpy_helper.to_array(init)
            ctx.constants[init.name] = value
            ctx.tensors[init.name] = constant(value, name=_op_name(init.name))
        inputs = {}
        for inp in g.input:
            if inp.name in ctx.tensors:
                continue
            tensor_type = inp.type.tensor_type
            shape = None
            if tensor_type.HasField("shape"):
                shape = [d.dim_value if d.HasField("dim_value") else None for d in tensor_type.shape.dim]
            ph = placeholder(dtype_of(tensor_type.elem_type, f"input '{inp.name}'"), shape, name=_op_name(inp.name))
            ctx.tensors[inp.name] = ph
            inputs[inp.name] = ph
        import_nodes(ctx, g.node)
        outputs = {o.name: ctx.tensors[o.name] for o in g.output}
    return inputs, outputs


def import_nodes(ctx, nodes):
    """Builds each ONNX node of `nodes` in the default graph, recording its outputs in `ctx` (also for the nodes
    of an If branch or a Loop body, traced into a cond or while_loop)."""
    from ..framework.graph import name_scope
    from . import import_ops
    for node in nodes:
        ctx.node = node
        fn = import_ops.get_importer(node.op_type)
        if node.domain not in ("", "ai.onnx") or fn is None:
            ctx.fail("neuroflow has no importer for this op type")
        with name_scope(_op_name(node.name or node.op_type)):
            outs = fn(ctx, node, _attributes(node))
        outs = outs if isinstance(outs, (list, tuple)) else [outs]
        for value_name, tensor in zip(node.output, outs):
            if value_name:
                ctx.tensors[value_name] = tensor
        if node.op_type == "Constant":
            ctx.constants[node.output[0]] = _attributes(node).get("value")


def _op_name(name):
    """An ONNX name made a valid neuroflow op name."""
    cleaned = "".join(c if c.isalnum() or c in "_./-" else "_" for c in name).strip("/")
    if not cleaned or not (cleaned[0].isalnum() or cleaned[0] == "."):
        cleaned = "v" + cleaned
    return cleaned

