"""ONNX exporters of functional control flow: `tf.cond` (If/StatelessIf) as ONNX `If` with both branches as
sub-graphs, `tf.while_loop` (While/StatelessWhile) as ONNX `Loop` whose body runs the loop body and then the
condition on the new values; and IdentityN (tf.custom_gradient) as one Identity per output. Captured values are
read from the enclosing graph by name, as ONNX scoping allows."""
import numpy as np

from ..autodiff import custom_gradient
from ..ops import cond_ops, while_ops
from .ir import Graph, ValueSpec
from .registry import exporter

_INT64, _BOOL = 7, 9   # ONNX element types of a Loop's iteration number and condition


@exporter(cond_ops.If, cond_ops.StatelessIf)
def _if(ctx, op):
    out_dtypes = op.get_attr("Tout")
    outputs = [ctx.out(op, i) for i in range(len(op.outputs))]
    pred = ctx.value(op, 0)
    if pred is not None:   # known when exporting (a training flag's default): only the taken branch is written
        branch = op.get_attr("then_branch" if bool(np.asarray(pred)) else "else_branch")
        values = [t if t is not None else np.zeros((), dt.as_numpy_dtype) for t, dt in zip(branch.outputs, out_dtypes)]
        ctx.sub_graph(ctx.graph, branch.placeholders, [ctx.input(op, 1 + p) for p in branch.positions], values,
                      outputs)
        return
    branches = []
    for key in ("then_branch", "else_branch"):
        branch = op.get_attr(key)
        graph = Graph()
        names = [ctx.fresh(f"{op.name}/{key}/output_{i}") for i in range(len(outputs))]
        values = [t if t is not None else np.zeros((), dt.as_numpy_dtype)   # a value only the other branch has
                  for t, dt in zip(branch.outputs, out_dtypes)]
        ctx.sub_graph(graph, branch.placeholders, [ctx.input(op, 1 + p) for p in branch.positions], values, names)
        graph.outputs = [ctx.value_spec(n, dt) for n, dt in zip(names, out_dtypes)]
        branches.append(graph)
    for name, spec in zip(outputs, branches[0].outputs):
        if spec.sequence:   # a TensorArray the branches return
            ctx.mark_sequence(name, spec.elem_type)
    ctx.node("If", [ctx.input(op, 0)], outputs, then_branch=branches[0], else_branch=branches[1])


@exporter(while_ops.While, while_ops.StatelessWhile)
def _while(ctx, op):
    types = op.get_attr("T")
    n = len(types)
    for k in range(n, len(op.outputs)):
        if ctx.used(op, k):
            ctx.fail("the outputs need its per-iteration values kept for a gradient, which only training uses")
    cond, body = op.get_attr("cond"), op.get_attr("body")
    outer = [ctx.input(op, i) for i in range(len(op.inputs))]
    first_cond = ctx.fresh(f"{op.name}/cond_initial")   # whether the loop runs at all
    ctx.sub_graph(ctx.graph, cond.placeholders, [outer[p] for p in cond.positions], cond.outputs, [first_cond])
    graph = Graph()
    iteration, cond_in = ctx.fresh(f"{op.name}/iteration"), ctx.fresh(f"{op.name}/cond_in")
    vars_in = [ctx.fresh(f"{op.name}/var_in_{i}") for i in range(n)]
    for name, initial in zip(vars_in, outer):
        if ctx.sequence_type(initial) is not None:   # a TensorArray carried through the loop
            ctx.mark_sequence(name, ctx.sequence_type(initial))
    vars_out = [ctx.fresh(f"{op.name}/var_out_{i}") for i in range(n)]
    cond_out = ctx.fresh(f"{op.name}/cond_out")
    ctx.sub_graph(graph, body.placeholders, [vars_in[p] if p < n else outer[p] for p in body.positions],
                  body.outputs[:n], vars_out)
    ctx.sub_graph(graph, cond.placeholders, [vars_out[p] if p < n else outer[p] for p in cond.positions],
                  cond.outputs, [cond_out])
    graph.inputs = [ValueSpec(iteration, _INT64, []), ValueSpec(cond_in, _BOOL, [])] + \
        [ctx.value_spec(v, dt) for v, dt in zip(vars_in, types)]
    graph.outputs = [ValueSpec(cond_out, _BOOL, [])] + [ctx.value_spec(v, dt) for v, dt in zip(vars_out, types)]
    outputs = [ctx.out(op, i) for i in range(n)]
    for name, spec in zip(outputs, graph.outputs[1:]):
        if spec.sequence:
            ctx.mark_sequence(name, spec.elem_type)
    ctx.node("Loop", ["", first_cond] + outer[:n], outputs, body=graph)


@exporter(custom_gradient.IdentityN)
def _identity_n(ctx, op):
    for i in range(len(op.outputs)):
        if ctx.used(op, i):
            ctx.node("Identity", [ctx.input(op, i)], [ctx.out(op, i)])
