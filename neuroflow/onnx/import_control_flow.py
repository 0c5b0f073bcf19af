"""ONNX `If` and `Loop` imported as `tf.cond` and `tf.while_loop`: each branch or loop body (a GraphProto) is
traced into the cond's or loop's sub-graph by the same node importers, reading the enclosing graph's values by
name as ONNX scoping allows. A Loop's scan outputs (values stacked per iteration) are not imported."""
from .import_ops import importer
from .importer import ImportContext, import_nodes


def _tf():
    import neuroflow as tf
    return tf


def _scalar(tensor):
    """A one-element condition as the scalar tf.cond and tf.while_loop take."""
    return tensor if tensor.shape.ndims == 0 else _tf().reshape(tensor, [])


def _run_graph(ctx, graph, bound):
    """The tensors of `graph`'s outputs, its nodes imported with `bound` ({input name: tensor}) in scope."""
    from onnx import numpy_helper
    sub = ImportContext(ctx)
    sub.tensors.update(bound)
    for name in bound:
        sub.constants.pop(name, None)
    for init in graph.initializer:
        value = numpy_helper.to_array(init)
        sub.constants[init.name] = value
        sub.tensors[init.name] = _tf().constant(value)
    import_nodes(sub, graph.node)
    return [sub.tensors[o.name] for o in graph.output]


@importer("If")
def _if(ctx, node, attrs):
    node_now = node

    def branch(graph):
        def run():
            outputs = _run_graph(ctx, graph, {})
            ctx.node = node_now
            return outputs
        return run
    outputs = _tf().cond(_scalar(ctx.input(node, 0)), branch(attrs["then_branch"]), branch(attrs["else_branch"]),
                         strict=True)
    return list(outputs)


@importer("Loop")
def _loop(ctx, node, attrs):
    tf = _tf()
    body = attrs["body"]
    limit, first = ctx.input(node, 0), ctx.input(node, 1)
    initial = [ctx.input(node, i) for i in range(2, len(node.input))]
    n = len(initial)
    if len(body.output) != n + 1:
        ctx.fail("its scan outputs (values stacked per iteration) are not imported; only loop-carried values are")
    names = [i.name for i in body.input]

    def keep_going(i, go, *values):
        return go if limit is None else tf.logical_and(go, i < tf.cast(_scalar(limit), tf.int64))

    def step(i, go, *values):
        outputs = _run_graph(ctx, body, dict(zip(names, [i, go] + list(values))))
        return [i + 1, _scalar(outputs[0])] + outputs[1:]
    go = tf.constant(True) if first is None else _scalar(first)
    # Loop-carried values may change their dims from one iteration to the next (ONNX allows it): rank kept.
    invariants = [tf.TensorShape([]), tf.TensorShape([])] + \
        [tf.TensorShape(None if t.shape.ndims is None else [None] * t.shape.ndims) for t in initial]
    results = tf.while_loop(keep_going, step, [tf.constant(0, tf.int64), go] + initial,
                            shape_invariants=invariants, return_same_structure=True)
    return list(results[2:])
