"""Gradients chosen by name rather than by OpDef: TensorFlow's `tf.RegisterGradient(name)` registry,
`tf.NotDifferentiable`, and `Graph.gradient_override_map({op_type: name})`, which makes ops created in its block
use the gradient registered under `name`. `gradient_function(op)` is the one lookup the gradient engine calls."""
import contextlib
import sys
import weakref

from ..framework.graph import Graph
from ..framework.op_def import registered_opdefs

__all__ = ["RegisterGradient", "NotDifferentiable", "no_gradient", "gradient_function", "gradient_override_map"]

_GRADIENTS = {}    # name -> gradient function(op, *output_grads), or None (not differentiable)
_LOCATIONS = {}    # name -> where it was registered (for the duplicate message)
_OVERRIDES = weakref.WeakKeyDictionary()  # graph -> [[first op id, last op id or None, {op_type: name}], ...]

# An op's own attribute naming its gradient (set by tf.custom_gradient in graph mode, as TensorFlow does)...
GRADIENT_OP_TYPE_ATTR = "_gradient_op_type"
# ...or holding the gradient function itself (eager ops: they are never serialized, and the function lives
# exactly as long as the recorded op).
GRADIENT_FUNCTION_ATTR = "_gradient_function"


def _register(name, fn):
    if name in _GRADIENTS or name in registered_opdefs():
        where = _LOCATIONS.get(name, "the OpDef's grad")
        raise KeyError(f"Registering two gradient with name '{name}'! (Previous registration was in {where})")
    _GRADIENTS[name] = fn
    frame = sys._getframe(2)
    _LOCATIONS[name] = f"{frame.f_code.co_name} {frame.f_code.co_filename}:{frame.f_lineno}"


def _unregister(name):
    """Forgets a registration (tf.custom_gradient's per-call names, and tests)."""
    _GRADIENTS.pop(name, None)
    _LOCATIONS.pop(name, None)


class RegisterGradient:
    """Decorator registering a gradient function `fn(op, *grads) -> [grad per input]` under `op_type`, for
    ops mapped to it with `graph.gradient_override_map`.

    Raises:
        TypeError: `op_type` is not a string.
        KeyError: the name is already registered (or is an op type, which has its own gradient).

    Example:
        >>> @tf.RegisterGradient("ClipGrad")
        ... def _clip_grad(op, grad):
        ...     return [tf.clip_by_value(grad, -1.0, 1.0)]
        >>> with tf.get_default_graph().gradient_override_map({"Identity": "ClipGrad"}):
        ...     y = tf.identity(x)
    """

    def __init__(self, op_type):
        if not isinstance(op_type, str):
            raise TypeError("op_type must be a string")
        self._op_type = op_type

    def __call__(self, fn):
        _register(self._op_type, fn)
        return fn


def NotDifferentiable(op_type):  # noqa: N802 - TensorFlow's name
    """Registers `op_type` as having no gradient: ops mapped to it pass no gradient back (None)."""
    if not isinstance(op_type, str):
        raise TypeError("op_type must be a string")
    _register(op_type, None)


no_gradient = NotDifferentiable


def gradient_override_map(graph, op_type_map):
    """`graph.gradient_override_map({"Square": "MySquareGrad"})`: ops of the mapped types created in the block
    take their gradient from the function registered under the mapped name. Nested blocks override per type.

    Raises:
        TypeError: the map is not a dict of strings to strings.
    """
    if not isinstance(op_type_map, dict):
        raise TypeError("op_type_map must be a dictionary mapping strings to strings")
    for op_type, mapped in op_type_map.items():
        if not (isinstance(op_type, str) and isinstance(mapped, str)):
            raise TypeError("op_type_map must be a dictionary mapping strings to strings")
    return _override_block(graph, dict(op_type_map))


@contextlib.contextmanager
def _override_block(graph, mapping):
    # The block is recorded as the range of op ids created inside it, so the graph needs no per-op field.
    entry = [graph._last_id + 1, None, mapping]
    _OVERRIDES.setdefault(graph, []).append(entry)
    try:
        yield
    finally:
        entry[1] = graph._last_id


Graph.gradient_override_map = gradient_override_map  # TensorFlow's Graph method; the registry lives here


def _mapped_name(op):
    attrs = getattr(op, "_attrs", None) or {}
    if GRADIENT_OP_TYPE_ATTR in attrs:
        return attrs[GRADIENT_OP_TYPE_ATTR]
    graph = getattr(op, "graph", None)
    entries = _OVERRIDES.get(graph) if graph is not None else None
    if not entries:
        return None
    best = None
    for first, last, mapping in entries:
        if first <= op._id and (last is None or op._id <= last) and op.type in mapping:
            if best is None or first >= best[0]:  # the innermost block containing the op wins
                best = (first, mapping[op.type])
    return None if best is None else best[1]


def gradient_function(op):
    """The gradient function of `op`: an override (custom gradient, or a name from gradient_override_map),
    else its OpDef's `grad` (None: not differentiable).

    Raises:
        LookupError: the op is mapped to a name nothing registered (TensorFlow's message).
    """
    attrs = getattr(op, "_attrs", None)
    if attrs and GRADIENT_FUNCTION_ATTR in attrs:
        return attrs[GRADIENT_FUNCTION_ATTR]
    name = _mapped_name(op)
    if name is None:
        return op.opdef.grad
    if name not in _GRADIENTS:
        raise LookupError(f"No gradient defined for operation '{op.name}' (op type: {op.type})")
    return _GRADIENTS[name]
