"""`tf.py_function`: a graph op (EagerPyFunc) that runs a Python function on eager tensors, differentiable: the
forward run records a GradientTape, and the gradient op replays it (TensorFlow's design, once-differentiable)."""
from ..framework import dtypes, errors
from ..framework.apply import apply_op, convert_to_tensor
from ..framework.context import eager_mode, executing_eagerly
from ..framework.graph import get_default_graph
from ..framework.op_def import register
from ..util import nest
from .array_ops import identity
from .control_flow_ops import control_dependencies
from .grad_support_ops import zeros_like
from .script_ops import _outputs, _PyFuncBase, _python_error, _registry

__all__ = ["py_function"]

# token -> (tape, eager inputs, eager outputs) of the last forward run, for the gradient op that follows it (as in
# TensorFlow, two runs of one op in flight at once would share this entry).
_TAPE_CACHE = {}


class _EagerFunc:
    """The registered callable of an EagerPyFunc node: runs `func` eagerly under a tape."""

    def __init__(self, func, out_dtypes, is_grad_func):
        self.func, self.out_dtypes, self.is_grad_func = func, out_dtypes, is_grad_func

    def __call__(self, token, arrays):
        from ..eager.tape import GradientTape
        with eager_mode():
            args = [convert_to_tensor(a) for a in arrays]
            with GradientTape(persistent=True) as tape:
                for t in args:
                    if t.dtype.base_dtype.is_floating:
                        tape.watch(t)
                ret = self.func(*args)
                values = [] if ret is None else list(ret) if isinstance(ret, (list, tuple)) else [ret]
                outputs = [identity(convert_to_tensor(v, dtype=d)) for v, d in zip(values, self.out_dtypes)]
                outputs += values[len(self.out_dtypes):]  # surplus values: counted (and refused) by _outputs
            if not self.is_grad_func:
                _TAPE_CACHE[token] = (tape, args, outputs)
        return _outputs(token, [o.numpy() if hasattr(o, "numpy") else o for o in outputs], self.out_dtypes)


@register
class EagerPyFunc(_PyFuncBase):
    """Calls a registered Python function on eager tensors; its gradient replays the tape of that call."""

    type_name = "EagerPyFunc"
    stateful = True

    def forward(self, xp, *arrays, token, Tout):
        func = _registry.lookup(token)
        try:
            return func(token, arrays)
        except errors.OpError:
            raise
        except Exception as exc:  # noqa: BLE001 - any Python failure becomes TensorFlow's error class
            raise _python_error(exc) from None

    def grad(self, op, *output_grads):
        token = op.get_attr("token")

        def eagerly_executed_grad(*dy):
            tape, eager_inputs, eager_outputs = _TAPE_CACHE.pop(token)
            grads = tape.gradient(eager_outputs, eager_inputs, output_gradients=list(dy))
            return [zeros_like(x) if g is None else g for g, x in zip(grads, eager_inputs)]

        with control_dependencies(op.outputs):
            grads = _eager_py_func(eagerly_executed_grad, list(output_grads), [t.dtype.base_dtype for t in op.inputs],
                                   is_grad_func=True)
        return [g if t.dtype.base_dtype.is_floating else None for g, t in zip(grads, op.inputs)]


def _eager_py_func(func, inp, out_dtypes, is_grad_func=False, name=None):
    inputs = [convert_to_tensor(x) for x in inp]
    graph = inputs[0].graph if inputs else get_default_graph()
    token = _registry.insert(_EagerFunc(func, out_dtypes, is_grad_func), graph)
    result = apply_op(EagerPyFunc, inputs, {"token": token, "Tout": out_dtypes}, name=name or "EagerPyFunc")
    if not out_dtypes:
        return []
    return [result] if len(out_dtypes) == 1 else list(result)


def py_function(func, inp, Tout, name=None):
    """Wraps a Python function on eager tensors as an op: inside it, TensorFlow operations run eagerly (Python
    control flow works), and gradients flow through them.

    Args:
        func: called with one eager tensor per input; returns a tensor (or a list, or None when `Tout` is empty)
            convertible to the dtypes in `Tout`.
        inp: a list of tensors.
        Tout: a dtype (one output, returned as a tensor) or a list of dtypes (returned as a list).
        name: the op's name.

    Returns:
        A tensor or a list of tensors of unknown shape.

    Example:
        >>> def log_huber(x, m):
        ...     return x ** 2 if tf.abs(x) <= m else m ** 2 * (1 - 2 * tf.log(m) + tf.log(x ** 2))
        >>> y = tf.py_function(log_huber, [x, m], tf.float32)
    """
    if not callable(func):
        raise ValueError(f"Expected func to be callable, got func of type {type(func)}")
    is_list = isinstance(Tout, (list, tuple))
    out_dtypes = [dtypes.as_dtype(t) for t in (Tout if is_list else [Tout])]
    if executing_eagerly():  # the tapes around the call record the function's own ops
        ret = func(*[convert_to_tensor(x) for x in inp])
        values = [] if ret is None else nest.flatten(ret)
        result = [identity(convert_to_tensor(v, dtype=d)) for v, d in zip(values, out_dtypes)]
    else:
        result = _eager_py_func(func, inp, out_dtypes, name=name)
    return result if is_list else result[0]
