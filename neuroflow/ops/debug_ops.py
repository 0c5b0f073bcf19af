"""Numerical checks: `tf.check_numerics` / `tf.debugging.check_numerics` fail fast on NaN or Inf, naming the op."""

from ..framework import dtypes, errors
from ..framework.apply import apply_op
from ..framework.op_def import OpDef, register

__all__ = ["check_numerics"]


@register
class CheckNumerics(OpDef):
    """The input unchanged, or InvalidArgumentError "<message> : Tensor had NaN values" (or Inf)."""

    type_name = "CheckNumerics"
    input_names = ("tensor",)
    same_dtype = ("tensor",)
    allowed_dtypes = dtypes.FLOATING
    may_alias_input = True
    foldable = False

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
                                  + op._attrs["message"])]


def check_numerics(tensor, message, name=None):
    """`tensor`, failing at run time with InvalidArgumentError if it holds NaN or Inf.

    Example: `loss = tf.check_numerics(loss, "loss")` -> "loss : Tensor had NaN values".
    """
    return apply_op(CheckNumerics, [tensor], {"message": str(message)}, name=name or "CheckNumerics")


