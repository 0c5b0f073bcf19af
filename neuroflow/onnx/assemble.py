"""The plain-Python ONNX graph (`ir.Graph`) as an `onnx.ModelProto`: nodes, initializers, typed inputs and outputs,
opset 17 and IR version 8, checked with `onnx.checker.check_model(full_check=True)`."""
import numpy as np

from ._deps import require_onnx
from .ir import Graph

__all__ = ["to_model"]


def _attr(numpy_helper, value):
    if isinstance(value, np.ndarray):
        return numpy_helper.from_array(value)
    if isinstance(value, (np.integer, np.bool_)):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, (list, tuple)):
        return [_attr(numpy_helper, v) for v in value]
    return value


def _value_info(helper, spec):
    shape = None
    if spec.dims is not None:
        shape = [d if d is not None else "" for d in spec.dims]
    if spec.sequence:
        return helper.make_tensor_sequence_value_info(spec.name, spec.elem_type, shape)
    info = helper.make_tensor_value_info(spec.name, spec.elem_type, shape)
    if spec.dims is not None:   # an unknown dim with no name: leave it empty rather than named ""
        for dim, d in zip(info.type.tensor_type.shape.dim, spec.dims):
            if d is None:
                dim.Clear()
    return info


def _graph_proto(graph, name, doc_string=""):
    """The GraphProto of an `ir.Graph` (sub-graphs in node attributes, an If's branches or a Loop's body, too)."""
    from onnx import helper, numpy_helper

    def attr(key, value):
        return _graph_proto(value, key) if isinstance(value, Graph) else _attr(numpy_helper, value)
    nodes = [helper.make_node(n.op_type, n.inputs, n.outputs, name=n.name,
                              **{k: attr(f"{n.name}/{k}", v) for k, v in n.attrs.items()}) for n in graph.nodes]
    initializers = [numpy_helper.from_array(np.asarray(v), name) for name, v in graph.initializers.items()]
    return helper.make_graph(nodes, name, [_value_info(helper, s) for s in graph.inputs],
                             [_value_info(helper, s) for s in graph.outputs], initializer=initializers,
                             doc_string=doc_string or "")


def to_model(graph, model_name, doc_string, opset, ir_version, check=True):
    onnx = require_onnx()
    from onnx import helper
    g = _graph_proto(graph, model_name, doc_string)
    from .. import __version__
    model = helper.make_model(g, producer_name="neuroflow", producer_version=__version__,
                              opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = ir_version
    if doc_string:
        model.doc_string = doc_string
    if check:
        onnx.checker.check_model(model, full_check=True)
    return model
