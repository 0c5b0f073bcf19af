"""Ordering primitives: NoOp, and `tf.group` / `tf.no_op` / `tf.tuple` built on control dependencies."""
import builtins
import contextlib

from ..framework.apply import apply_op
from ..framework.graph import Graph, get_default_graph, name_scope
from ..framework.op_def import OpDef, register
from ..framework.operation import Operation
from ..framework.tensor import Tensor

__all__ = ["no_op", "group", "control_dependencies", "tuple", "cond", "case", "while_loop"]


@register
class NoOp(OpDef):
    """Does nothing; with control inputs, a single handle that runs them all."""

    type_name = "NoOp"
    only_orders = True
    input_names = ()
    num_outputs = 0
    foldable = False

    def infer(self, inputs, attrs):
        return []

    def forward(self, xp):
        return None


def no_op(name=None):
    """An operation that does nothing (useful as a target with control dependencies)."""
    return apply_op(NoOp, [], name=name or "NoOp")


def _as_op(x):
    if isinstance(x, Operation):
        return x
    if isinstance(x, Tensor):
        return x.op
    element = getattr(x, "_as_graph_element", None)
    if element is not None:
        return _as_op(element())
    if isinstance(x, str):
        return get_default_graph().as_graph_element(x, allow_tensor=True, allow_operation=True)
    raise TypeError(f"Expected an Operation or Tensor, got {type(x).__name__}: {x!r}")


def _flatten(items):
    out = []
    stack = list(reversed(items))
    while stack:
        x = stack.pop()
        if isinstance(x, (list, builtins.tuple)):
            stack.extend(reversed(x))
        elif isinstance(x, dict):
            stack.extend(reversed(list(x.values())))
        elif x is not None:
            out.append(x)
    return out


def control_dependencies(control_inputs):
    """`with tf.control_dependencies([a, b]):` ops created inside run after `a` and `b` (in eager mode ops
    run in program order anyway, so this does nothing)."""
    from ..framework.context import executing_eagerly
    if executing_eagerly():
        return contextlib.nullcontext()
    graph = get_default_graph()
    reaches = getattr(graph, "reaches", None)  # inside a cond branch or loop body: outer ops order the whole op
    for c in control_inputs or ():
        g = getattr(c, "graph", None)
        if isinstance(g, Graph):
            if reaches is None or not reaches(g):
                graph = g
            break
    return graph.control_dependencies(control_inputs)


def group(*inputs, **kwargs):
    """One operation that, when run, runs all `inputs` (ops or tensors, possibly nested in lists).

    Example: `train = tf.group(update_w, update_b)`.
    """
    name = kwargs.pop("name", None)
    if kwargs:
        raise TypeError(f"Unknown keyword arguments: {', '.join(kwargs)}")
    from ..framework.context import executing_eagerly
    if executing_eagerly():
        return None  # the grouped ops already ran
    ops = [_as_op(x) for x in _flatten(inputs)]
    graph = ops[0].graph if ops else get_default_graph()
    with graph.as_default(), name_scope(name, "group_deps", ops) as scope:
        with graph.control_dependencies(ops):
            return no_op(name=scope)


def tuple(tensors, name=None, control_inputs=None):  # noqa: A001 - TensorFlow's public name
    """The same tensors, each available only after all of them (and `control_inputs`) have been computed."""
    from .array_ops import identity
    with name_scope(name, "tuple", tensors):
        deps = [t for t in tensors if t is not None] + list(control_inputs or [])
        gate = group(*deps, name="control_dependency")
        out = []
        for t in tensors:
            if t is None:
                out.append(None)
            else:
                with get_default_graph().control_dependencies([gate]):
                    out.append(identity(t))
        return out


from .cond_ops import case, cond  # noqa: E402,F401 - TensorFlow's control_flow_ops module holds them too
from .while_ops import while_loop  # noqa: E402,F401
