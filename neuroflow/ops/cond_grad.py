"""The gradient of an If: another If on the same predicate, whose branches the one gradient engine builds from the
forward branches. Values a gradient branch needs from inside its forward branch become extra outputs of the
forward If (the other branch hands back a zero there), so nothing is computed twice and random draws agree."""
from ..framework import context as mode
from ..framework.graph import get_default_graph
from ..framework.tensor import Tensor
from ..framework.tensor_shape import TensorShape
from . import grad_support_ops
from .subgraph import SubGraph

__all__ = ["if_grad", "expose", "gradient_graph"]


def expose(op, branch, other, t):
    """The output of forward If `op` carrying `t` (a tensor of `branch`'s graph), added on first request."""
    index = branch.exposed.get(t)
    if index is None:
        index = branch.exposed[t] = len(op._outputs)
        branch.outputs.append(t)
        other.outputs.append(None)
        op._attrs["Tout"].append(t.dtype.base_dtype)
        op._attrs["output_shapes"].append(TensorShape(None))
        op._outputs = op._outputs + (Tensor(op, index, t.dtype.base_dtype, TensorShape(None)),)
    return op._outputs[index]


def gradient_graph(outer, forward, scope, outer_value_of):
    """A SubGraph of `outer` in which tensors of `forward` may be used: `outer_value_of(t)` gives the outer
    tensor standing for forward tensor `t` (an input of the forward op, or a value it must expose); it is
    captured like any outer tensor. Variable references are captured by name."""
    def capture_forward(graph, t):
        if t.dtype.is_ref_dtype and t.op.opdef.read_at_use:
            return graph._capture_variable(t)
        return graph.capture(outer_value_of(t))
    return SubGraph(outer, scope, forward=forward, intermediate_capture=capture_forward)


def _is_zeros_for(g, t):
    """True for the zeros the gradient engine makes for an output nobody differentiates."""
    return g.op.opdef is grad_support_ops.ZerosLike and g.op.inputs[0] is t


def _branch_gradients(op, branch, other, grads, scope):
    from ..autodiff.gradients import backprop
    outer = get_default_graph()
    inputs = op.inputs[1:]
    placeholder_position = {ph: p for ph, p in zip(branch.placeholders, branch.positions)}

    def outer_value_of(t):
        position = placeholder_position.get(t)
        if position is not None:
            return inputs[position]
        return expose(op, branch, other, t)
    graph = gradient_graph(outer, branch.graph, scope, outer_value_of)
    with graph.as_default(), mode.graph_mode():
        ys, grad_ys = [], []
        for t, out, g in zip(branch.outputs, op.outputs, grads):
            if t is None or g is None or _is_zeros_for(g, out) or not _differentiable(t):
                continue
            ys.append(t)
            grad_ys.append(graph.capture(g))
        in_grads = backprop(ys, branch.placeholders, grad_ys, set(), lambda t: t._consumers) if ys else []
    by_position = {p: g for p, g in zip(branch.positions, in_grads) if g is not None}
    return graph, by_position


def _differentiable(t):
    dt = t.dtype.base_dtype
    return dt.is_floating or dt.is_complex


def if_grad(op, grads):
    """[None for the predicate] + one gradient per other input of If `op`: an If on the same predicate."""
    from .cond_ops import build_if
    then_b, else_b = op.get_attr("then_branch"), op.get_attr("else_branch")
    scope = get_default_graph().get_name_scope()
    scope = scope + "/" if scope else ""
    then_graph, then_grads = _branch_gradients(op, then_b, else_b, grads, scope)
    else_graph, else_grads = _branch_gradients(op, else_b, then_b, grads, scope)
    positions = sorted(set(then_grads) | set(else_grads))
    if not positions:
        return [None] * len(op.inputs)
    inputs = op.inputs[1:]
    outs = []
    for graph, found in ((then_graph, then_grads), (else_graph, else_grads)):
        with graph.as_default(), mode.graph_mode():
            outs.append([found[p] if p in found else
                         grad_support_ops.zeros_like(graph.capture(inputs[p])) for p in positions])
    shapes = [inputs[p].shape for p in positions]
    grad_op = build_if(op.inputs[0], then_graph, outs[0], else_graph, outs[1], shapes, None)
    result = [None] * len(op.inputs)
    for k, p in enumerate(positions):
        result[1 + p] = grad_op.outputs[k]
    return result
