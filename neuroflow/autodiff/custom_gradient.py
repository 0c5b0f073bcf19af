"""`tf.custom_gradient`: a function returning (outputs, grad_fn) gets grad_fn as its gradient, in graph mode
(`tf.gradients`) and under a GradientTape, as TensorFlow builds it: the outputs pass through one IdentityN op
(with the function's inputs and variables as further inputs) whose gradient is grad_fn."""
import functools
import inspect
import itertools

from ..framework.apply import apply_op, convert_to_tensor
from ..framework.context import executing_eagerly
from ..framework.graph import get_default_graph
from ..framework.op_def import OpDef, register
from ..util import nest
from .gradient_overrides import GRADIENT_FUNCTION_ATTR, GRADIENT_OP_TYPE_ATTR, _register

__all__ = ["custom_gradient", "IdentityN"]


@register
class IdentityN(OpDef):
    """Each input unchanged, as one op (so one gradient function sees all of them)."""

    type_name = "IdentityN"
    input_names = ("input",)
    variadic = True
    may_alias_input = True

    def infer(self, inputs, attrs):
        return [(t.shape, t.dtype.base_dtype) for t in inputs]

    def forward(self, xp, *arrays, **unused_attrs):  # attrs name the gradient only
        return arrays[0] if len(arrays) == 1 else tuple(arrays)

    def kernel(self, op, ctx):
        return _pass_through

    def grad(self, op, *grads):
        return list(grads)


def _pass_through(*arrays):
    return arrays[0] if len(arrays) == 1 else arrays


_uid = itertools.count()


def _accepts_variables(fn):
    try:
        spec = inspect.getfullargspec(fn)
    except TypeError:
        return False
    return "variables" in spec.args or "variables" in spec.kwonlyargs or spec.varkw is not None


def _grad_function(grad_fn, num_results, num_args, variables):
    """The op-level gradient: grad_fn on the outputs' gradients -> [None per output] + grads of args + vars."""

    def internal_grad_fn(unused_op, *grads):
        result_grads = grads[:num_results]
        if variables:
            input_grads, variable_grads = grad_fn(*result_grads, variables=variables)
            variable_grads = list(variable_grads)
            if len(variable_grads) != len(variables):
                raise ValueError("Must return gradient for each variable from @custom_gradient grad_fn.")
        else:
            input_grads, variable_grads = grad_fn(*result_grads), []
        input_grads = nest.flatten(input_grads)
        if len(input_grads) != num_args:
            raise ValueError(f"custom_gradient function expected to return {num_args} gradients but returned "
                             f"{len(input_grads)} instead.")
        return [None] * num_results + input_grads + variable_grads
    return internal_grad_fn


def _graph_variables(graph, first_id, args):
    """The graph variables whose value an op created since `first_id` reads (TensorFlow's watched variables)."""
    from ..variables.collections import global_variables, local_variables
    new_ops = [op for op in graph.get_operations() if op._id >= first_id]
    read = {t for op in new_ops for t in op._inputs if t._op._id < first_id}
    found = []
    for v in global_variables() + local_variables():
        if (v.value() in read or v._ref() in read) and v not in found and v.value() not in args:
            found.append(v)
    return found


def _check_variables(grad_fn, variables):
    if variables and not _accepts_variables(grad_fn):
        raise TypeError("If using @custom_gradient with a function that uses variables, then grad_fn must accept "
                        "a keyword argument 'variables'.")


def _graph_mode(f, args):
    graph = get_default_graph()
    args = [convert_to_tensor(x) for x in args]
    first_id = graph._last_id + 1
    result, grad_fn = f(*args)
    flat_result = [convert_to_tensor(r) for r in nest.flatten(result)]
    variables = _graph_variables(graph, first_id, args)
    _check_variables(grad_fn, variables)
    name = f"CustomGradient-{next(_uid)}"
    _register(name, _grad_function(grad_fn, len(flat_result), len(args), variables))
    inputs = flat_result + args + [v.value() for v in variables]
    outputs = apply_op(IdentityN, inputs, {GRADIENT_OP_TYPE_ATTR: name}, name="IdentityN")
    outputs = [outputs] if len(inputs) == 1 else list(outputs)
    return nest.pack_sequence_as(result, outputs[:len(flat_result)])


def _eager_mode(f, args, kwargs):
    from ..eager.tape import GradientTape
    args = [convert_to_tensor(x) for x in args]
    with GradientTape() as watcher:  # only to learn which trainable variables f reads
        result, grad_fn = f(*args, **kwargs)
    variables = watcher.watched_variables()
    _check_variables(grad_fn, variables)
    flat_result = [convert_to_tensor(r) for r in nest.flatten(result)]
    inputs = flat_result + args + [v._handle for v in variables]
    attrs = {GRADIENT_FUNCTION_ATTR: _grad_function(grad_fn, len(flat_result), len(args), variables)}
    outputs = apply_op(IdentityN, inputs, attrs, name="IdentityN")
    outputs = [outputs] if len(inputs) == 1 else list(outputs)
    return nest.pack_sequence_as(result, outputs[:len(flat_result)])


def custom_gradient(f):
    """Decorator: `f(*tensors)` returns `(outputs, grad_fn)`; `grad_fn(*output_grads)` returns the gradients of
    the inputs (and, if `f` reads variables, accepts `variables=` and returns `(input_grads, variable_grads)`).
    `tf.gradients` and GradientTape then use grad_fn instead of differentiating `f`'s ops.

    Example:
        >>> @tf.custom_gradient
        ... def log1pexp(x):
        ...     e = tf.exp(x)
        ...     def grad(dy):
        ...         return dy * (1 - 1 / (1 + e))
        ...     return tf.log(1 + e), grad
    """

    @functools.wraps(f)
    def decorated(*args, **kwargs):
        if executing_eagerly():
            return _eager_mode(f, args, kwargs)
        if kwargs:
            raise ValueError("The custom_gradient decorator currently supports keywords arguments only when eager "
                             "execution is enabled.")
        return _graph_mode(f, args)
    return decorated
