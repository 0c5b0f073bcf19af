"""Numerical checks: `tf.check_numerics` / `tf.debugging.check_numerics` fail fast on NaN or Inf, naming the op;
`tf.add_check_numerics_ops` checks every floating-point tensor of the graph."""

from ..framework import dtypes, errors
from ..framework.apply import apply_op
from ..framework.context import executing_eagerly
from ..framework.graph import get_default_graph
from ..framework.op_def import OpDef, register
from .control_flow_ops import control_dependencies, group

__all__ = ["check_numerics", "add_check_numerics_ops"]


@register
class CheckNumerics(OpDef):
    """The input unchanged, or InvalidArgumentError "<message> : Tensor had NaN values" (or Inf)."""

    type_name = "CheckNumerics"
    input_names = ("tensor",)
    same_dtype = ("tensor",)
    allowed_dtypes = dtypes.FLOATING
    may_alias_input = True
    foldable = False
    # A check is an effect, as in TensorFlow: it must run when reached only through a control dependency
    # (`tf.group(check)`, `add_check_numerics_ops`), where the plan compiler would drop a pure op as unused.
    stateful = True

    def infer(self, inputs, attrs):
        return [(inputs[0].shape, inputs[0].dtype.base_dtype)]

    def forward(self, xp, x, message):
        if not xp.isfinite(xp.sum(x)):  # one pass; a finite sum proves every element finite
            has_nan = bool(xp.isnan(x).any())
            has_inf = bool(xp.isinf(x).any())
            if has_nan or has_inf:
                status = "Inf and NaN" if has_nan and has_inf else ("NaN" if has_nan else "Inf")
                raise errors.InvalidArgumentError(None, None, f"{message} : Tensor had {status} values")
        return x

    def grad(self, op, g):
        return [check_numerics(g, "Not a number (NaN) or infinity (Inf) values detected in gradient. "
                                  + op.get_attr("message"))]


def check_numerics(tensor, message, name=None):
    """`tensor`, failing at run time with InvalidArgumentError if it holds NaN or Inf.

    Example: `loss = tf.check_numerics(loss, "loss")` -> "loss : Tensor had NaN values".
    """
    return apply_op(CheckNumerics, [tensor], {"message": str(message)}, name=name or "CheckNumerics")


_CHECKED_DTYPES = (dtypes.float16, dtypes.float32, dtypes.float64)  # not the _ref dtypes: reading a ref is a use


def add_check_numerics_ops():
    """One op that runs a CheckNumerics on every float16/32/64 tensor now in the default graph; running it fails
    with InvalidArgumentError "<op name>:<output index> : Tensor had NaN values" (or Inf) for the first such
    tensor in the order the graph was built — where a NaN first appears.

    Returns:
        The group op; run it with the fetches to check them (`sess.run([train_op, check], feed)`).

    Raises:
        RuntimeError: under eager execution, where there is no graph to check.

    Example: `check = tf.add_check_numerics_ops()` after building the model, then `sess.run([loss, check])`.
    """
    if executing_eagerly():
        raise RuntimeError("add_check_numerics_ops() is not compatible with eager execution: wrap the tensors "
                           "to check in tf.check_numerics(tensor, message) instead.")
    previous = []
    # get_operations() lists producers before consumers, and each check waits for the previous one, so the
    # first failing check is the earliest NaN or Inf, as in TensorFlow.
    for op in get_default_graph().get_operations():
        for output in op.outputs:
            if output.dtype in _CHECKED_DTYPES:
                with control_dependencies(previous):
                    previous = [check_numerics(output, f"{op.name}:{output.value_index}")]
    return group(*previous)
