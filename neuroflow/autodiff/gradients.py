"""`tf.gradients`: reverse-mode differentiation over the graph, building gradient ops from each OpDef's `grad`.

Walks ops iteratively in reverse creation order (a valid reverse topological order), so graph depth is never
a recursion limit; keeps gradients in a dict keyed by tensor; sums contributions with AddN; and undoes
broadcasting centrally with a run-time SumToShape for ops that declare `broadcasts_inputs`.
"""
from ..framework.apply import apply_op, convert_to_tensor
from ..framework.graph import get_default_graph, name_scope
from ..framework import indexed_slices
from ..framework.indexed_slices import IndexedSlices
from ..framework.op_def import OpDef, register
from ..framework.tensor import Tensor
from ..ops import array_ops, grad_support_ops
from .gradient_overrides import gradient_function

__all__ = ["gradients", "stop_gradient", "StopGradient"]


@register
class StopGradient(OpDef):
    """Identity in the forward pass; blocks gradients (its gradient is None)."""

    type_name = "StopGradient"
    is_identity = True
    input_names = ("input",)
    may_alias_input = True

    def infer(self, inputs, attrs):
        return [(inputs[0].shape, inputs[0].dtype.base_dtype)]

    def forward(self, xp, x):
        return x

    def kernel(self, op, ctx):
        return lambda x: x

    def grad(self, op, g):
        return [None]


def stop_gradient(input, name=None):  # noqa: A002
    """`input`, treated as a constant by `tf.gradients`."""
    return apply_op(StopGradient, [input], name=name or "StopGradient")


def _as_list(x):
    return list(x) if isinstance(x, (list, tuple)) else [x]


def _graph_consumers(t):
    return t._consumers


def _between(ys, xs, stop_ops, consumers_of):
    """Ops on a data path from some x to some y (not crossing stop ops): the ones to differentiate."""
    forward = set()
    stack = [op for x in xs for op in consumers_of(x)]
    while stack:
        op = stack.pop()
        if op in forward:
            continue
        forward.add(op)
        for t in op._outputs:
            stack.extend(consumers_of(t))
    between = set()
    stack = [y._op for y in ys if y._op in forward]
    while stack:
        op = stack.pop()
        if op in between:
            continue
        between.add(op)
        if op in stop_ops:
            continue
        for t in op._inputs:
            if t._op in forward:
                stack.append(t._op)
    return between


def _aggregate(grads):
    grads = [g for g in grads if g is not None]
    if not grads:
        return None
    if len(grads) == 1:
        return grads[0]
    if any(isinstance(g, IndexedSlices) for g in grads):
        return indexed_slices.aggregate(grads)
    return apply_op(grad_support_ops.AddN, grads, name="AddN")


def _unbroadcast(grad, x):
    """Sums `grad` down to the shape of input `x` when static shapes do not prove they already match."""
    if grad is None:
        return None
    if x.shape.is_fully_defined() and grad.shape.is_fully_defined() and x.shape == grad.shape:
        return grad
    return grad_support_ops.sum_to_shape(grad, array_ops.shape(x))


def gradients(ys, xs, grad_ys=None, name="gradients", colocate_gradients_with_ops=False, gate_gradients=False,
              aggregation_method=None, stop_gradients=None, unconnected_gradients="none"):
    """The symbolic derivatives of sum(ys) with respect to each x in xs.

    Args:
        ys: a tensor or list of tensors to differentiate.
        xs: a tensor, variable, or list of them.
        grad_ys: optional initial gradients for ys (default ones).
        stop_gradients: tensors to treat as constants.
        unconnected_gradients: "none" (None for an x not connected to ys) or "zero".

    Returns:
        A list with one gradient tensor (or None) per x.

    Example:
        >>> x = tf.placeholder(tf.float32); y = x * x
        >>> dy_dx, = tf.gradients(y, x)   # 2 * x
    """
    from ..framework.context import executing_eagerly
    if executing_eagerly():
        raise RuntimeError("tf.gradients is not supported when eager execution is enabled. Use tf.GradientTape "
                           "instead.")
    ys = [convert_to_tensor(y) for y in _as_list(ys)]
    xs = [convert_to_tensor(x, as_ref=True) if not isinstance(x, Tensor) else x for x in _as_list(xs)]
    stop_ops = {convert_to_tensor(s).op for s in _as_list(stop_gradients)} if stop_gradients is not None else set()
    graph = ys[0].graph if ys else get_default_graph()
    with graph.as_default(), name_scope(name or "gradients"):
        return backprop(ys, xs, grad_ys, stop_ops, _graph_consumers, unconnected_gradients)


def backprop(ys, xs, grad_ys, stop_ops, consumers_of, unconnected_gradients="none"):
    """The engine shared by `tf.gradients` (graph ops) and `GradientTape` (ops recorded while executing
    eagerly): reverse creation order, gradients summed per tensor, broadcasting undone centrally.

    `consumers_of(tensor)` lists the ops that use a tensor (the graph's, or those a tape recorded).
    """
    grads = {}
    if grad_ys is None:
        grad_ys = [None] * len(ys)
    for i, (y, gy) in enumerate(zip(ys, _as_list(grad_ys))):
        if gy is None:
            if not y.dtype.base_dtype.is_floating and not y.dtype.base_dtype.is_complex:
                raise TypeError(f"Gradients of {y.dtype.base_dtype.name} tensors are not defined: {_describe(y)}")
            gy = grad_support_ops.ones_like(y, name=f"grad_ys_{i}")
        else:
            gy = convert_to_tensor(gy, dtype=y.dtype.base_dtype, name=f"grad_ys_{i}")
        grads.setdefault(y, []).append(gy)
    between = _between(ys, xs, stop_ops, consumers_of)
    x_set = set(xs)
    for op in sorted(between, key=lambda o: o._id, reverse=True):
        out_grads = [_aggregate(grads.get(t, ())) for t in op._outputs]
        if not op.opdef.is_identity:  # IndexedSlices pass through identities; other gradients see them dense
            out_grads = [indexed_slices.densify(g) for g in out_grads]
        for t, g in zip(op._outputs, out_grads):
            if g is not None:
                grads[t] = [g]
        if op in stop_ops or all(g is None for g in out_grads):
            continue
        if all(t in x_set for t in op._outputs) and not any(t._op in between for t in op._inputs):
            continue
        grad_fn = gradient_function(op)  # the OpDef's grad unless RegisterGradient / custom_gradient overrides it
        if grad_fn is None:
            continue
        if any(g is None for g in out_grads):
            out_grads = [grad_support_ops.zeros_like(t) if g is None else g for t, g in zip(op._outputs, out_grads)]
        with name_scope(op.name + "_grad") as grad_scope:
            in_grads = list(grad_fn(op, *out_grads))
        if len(in_grads) != len(op._inputs):
            raise ValueError(f"The gradient of {op.type} returned {len(in_grads)} values for "
                             f"{len(op._inputs)} inputs")
        broadcasts = op.opdef.broadcasts_inputs
        for t, g in zip(op._inputs, in_grads):
            if g is None or (t._op not in between and t not in x_set):
                continue
            if broadcasts:
                with name_scope(grad_scope):  # re-enter this op's gradient scope exactly
                    g = _unbroadcast(g, t)
            grads.setdefault(t, []).append(g)
    # In a control-flow branch or loop body (a sub-graph that `reaches` outer graphs) the gradients become the
    # sub-graph's outputs, which are tensors: IndexedSlices are densified there.
    dense = getattr(get_default_graph(), "reaches", None) is not None
    result = []
    for x in xs:
        g = _aggregate(grads.get(x, ()))
        if dense:
            g = indexed_slices.densify(g)
        if g is None and unconnected_gradients == "zero":
            g = grad_support_ops.zeros_like(x)
        result.append(g)
    return result


def _describe(t):
    try:
        return t.name
    except AttributeError:
        return repr(t)
