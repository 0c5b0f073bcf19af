"""The gradient of a While: another While running the body's gradient (built by the one gradient engine) once per
forward iteration, in reverse. The forward loop stacks, per iteration, the body values the backward body reads
(attribute `accumulate`: outputs after the loop vars are the iteration count, then one stack per value);
`IterationValue` reads iteration i's value back from its stack."""
from ..framework import context as mode
from ..framework import dtypes
from ..framework.apply import apply_op
from ..framework.graph import get_default_graph
from ..framework.op_def import OpDef, register
from ..framework.tensor import Tensor
from ..framework.tensor_shape import TensorShape
from . import grad_support_ops
from .cond_grad import gradient_graph
from .subgraph import SubGraph

__all__ = ["while_grad", "IterationValue", "IterationValueGrad"]


@register
class IterationValue(OpDef):
    """Iteration `index`'s value from a forward loop's per-iteration stack (attrs `dtype`, `shape`: the value's
    static dtype and shape inside the loop body)."""

    type_name = "IterationValue"
    input_names = ("stack", "index")
    foldable = False
    data_dependent_shape = True  # iterations' values may differ in shape (a shape invariant allowed it)
    may_alias_input = True

    def infer(self, inputs, attrs):
        return [(attrs["shape"], attrs["dtype"])]

    def forward(self, xp, stack, index, dtype, shape):
        return stack[int(index)]

    def grad(self, op, g):
        return [apply_op(IterationValueGrad, [op.inputs[0], op.inputs[1], g], name="IterationValueGrad"), None]


@register
class IterationValueGrad(OpDef):
    """The gradient of IterationValue with respect to the stack: zeros like `stack`, `grad` at `index` (what a
    second-order gradient through a loop accumulates per iteration)."""

    type_name = "IterationValueGrad"
    input_names = ("stack", "index", "grad")
    foldable = False

    def infer(self, inputs, attrs):
        return [(inputs[0].shape, inputs[0].dtype.base_dtype)]

    def forward(self, xp, stack, index, grad):
        out = xp.zeros_like(stack)
        out[int(index)] = grad
        return out

    def grad(self, op, g):
        value = apply_op(IterationValue, [g, op.inputs[1]], {"dtype": g.dtype.base_dtype,
                                                             "shape": op.inputs[2].shape}, name="IterationValue")
        return [None, None, value]


def _count_output(op):
    """The forward While's iteration-count output, added (with the stacking) on first request."""
    n = len(op.get_attr("T"))
    if len(op._outputs) == n:
        op._outputs = op._outputs + (Tensor(op, n, dtypes.int32, TensorShape([])),)
    return op._outputs[n]


def _stack_output(op, t):
    """The forward While's output stacking body tensor `t` per iteration, added on first request."""
    accumulate = op._attrs["accumulate"]
    _count_output(op)
    n = len(op.get_attr("T"))
    if t not in accumulate:
        accumulate.append(t)
        index = len(op._outputs)
        op._outputs = op._outputs + (Tensor(op, index, t.dtype.base_dtype, TensorShape(None)),)
    return op._outputs[n + 1 + accumulate.index(t)]


def _differentiable(t):
    dt = t.dtype.base_dtype
    return dt.is_floating or dt.is_complex


def _is_zeros_for(g, t):
    return g is None or (g.op.opdef is grad_support_ops.ZerosLike and g.op.inputs[0] is t)


def while_grad(op, grads):
    """One gradient per input of While `op` (loop vars, then captured values): a backward While."""
    from ..autodiff.gradients import backprop
    from .math_ops import greater
    from .while_ops import build_while
    body = op.get_attr("body")
    n = len(op.get_attr("T"))
    invariants = op.get_attr("output_shapes")
    inputs = op.inputs
    var_js = [j for j in range(n) if _differentiable(inputs[j])]
    cap_ks = [k for k in range(n, len(body.placeholders)) if _differentiable(body.placeholders[k])]
    accumulated = list(op.get_attr("accumulate"))
    stacked_grads = [(t, g) for t, out, g in zip(accumulated, op.outputs[n + 1:], grads[n + 1:])
                     if _differentiable(t) and not _is_zeros_for(g, out)]
    if all(_is_zeros_for(grads[j], op.outputs[j]) for j in var_js) and not stacked_grads:
        return [None] * len(inputs)
    outer = get_default_graph()
    scope = outer.get_name_scope()
    scope = scope + "/" if scope else ""
    capture_of = {body.placeholders[k]: inputs[body.positions[k]] for k in range(n, len(body.placeholders))}
    index_holder = []

    def outer_value_of(t):  # invariant captures come as they are; per-iteration values from their stacks
        return capture_of[t] if t in capture_of else _stack_output(op, t)

    graph = gradient_graph(outer, body.graph, scope, outer_value_of)
    intermediate = graph._intermediate_capture

    def capture_forward(g, t):
        if (t.dtype.is_ref_dtype and t.op.opdef.read_at_use) or t in capture_of:
            return intermediate(g, t)
        stack = g.capture(_stack_output(op, t))
        with g.as_default():  # also when a nested gradient graph asks for it through this one
            return apply_op(IterationValue, [stack, index_holder[0]], {"dtype": t.dtype.base_dtype,
                                                                       "shape": t.shape}, name="IterationValue")
    graph._intermediate_capture = capture_forward
    with graph.as_default(), mode.graph_mode():
        k_in = graph.add_input(dtypes.int32, TensorShape([]), "iterations_left")
        gv_in = [graph.add_input(inputs[j].dtype.base_dtype, invariants[j], "grad") for j in var_js]
        ga_in = [graph.add_input(body.placeholders[k].dtype.base_dtype, body.placeholders[k].shape, "grad_acc")
                 for k in cap_ks]
        index_holder.append(k_in - 1)
        ys = [body.outputs[j] for j in var_js]
        xs = [body.placeholders[j] for j in var_js] + [body.placeholders[k] for k in cap_ks]
        grad_ys = list(gv_in)
        for t, g in stacked_grads:  # a second-order gradient: per-iteration gradients of stacked values
            ys.append(t)
            grad_ys.append(apply_op(IterationValue, [graph.capture(g), index_holder[0]],
                                    {"dtype": t.dtype.base_dtype, "shape": t.shape}, name="IterationValue"))
        in_grads = backprop(ys, xs, grad_ys, set(), lambda t: t._consumers)
        new_gv = [g if g is not None else grad_support_ops.zeros_like(gv) for g, gv in zip(in_grads, gv_in)]
        new_ga = [acc if g is None else acc + g for acc, g in zip(ga_in, in_grads[len(var_js):])]
        body_out = [index_holder[0]] + new_gv + new_ga
    cond_graph = SubGraph(outer, scope)
    with cond_graph.as_default(), mode.graph_mode():
        cond_vars = [cond_graph.add_input(t.dtype.base_dtype, t.shape, "loop_var") for t in [k_in] + gv_in + ga_in]
        cond_out = greater(cond_vars[0], 0)
    start = [_count_output(op)] + [grads[j] if grads[j] is not None else grad_support_ops.zeros_like(op.outputs[j])
                                   for j in var_js]
    start += [grad_support_ops.zeros_like(inputs[body.positions[k]]) for k in cap_ks]
    shapes = [TensorShape([])] + [invariants[j] for j in var_js] + [body.placeholders[k].shape for k in cap_ks]
    grad_op = build_while(cond_graph, cond_out, graph, body_out, start, shapes, None)
    result = [None] * len(inputs)
    for i, j in enumerate(var_js):
        result[j] = grad_op.outputs[1 + i]
    for i, k in enumerate(cap_ks):
        position = body.positions[k]
        g = grad_op.outputs[1 + len(var_js) + i]
        result[position] = g if result[position] is None else result[position] + g
    return result
