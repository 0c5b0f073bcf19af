"""Elementwise binary primitives with broadcasting (AddV2, Sub, Mul, RealDiv, Pow, comparisons, logic, ...)."""
import numpy as np

from ..framework import dtypes
from ..framework.op_def import OpDef, register
from .shape_inference import broadcast_shape

__all__ = []


def _dims(a):
    return "[" + ",".join(str(d) for d in np.shape(a)) + "]"


class BinaryElementwise(OpDef):
    """x (op) y elementwise with NumPy broadcasting; `ufunc` names the array-module function."""

    input_names = ("x", "y")
    same_dtype = ("x", "y")
    allowed_dtypes = dtypes.NUMBER
    ufunc = None
    bool_output = False

    def infer(self, inputs, attrs):
        x, y = inputs
        out = dtypes.bool if self.bool_output else x.dtype.base_dtype
        return [(broadcast_shape(x.shape, y.shape), out)]

    def forward(self, xp, x, y):
        return getattr(xp, self.ufunc)(x, y)

    def kernel(self, op, ctx):
        # The array module's own function is the kernel: no Python wrapper on the hot path.
        return getattr(ctx.xp, self.ufunc)

    def explain_failure(self, arrays, attrs, exc):
        if len(arrays) == 2 and "broadcast" in str(exc):
            return f"Incompatible shapes: {_dims(arrays[0])} vs. {_dims(arrays[1])}"
        return super().explain_failure(arrays, attrs, exc)


class _IntegerDivision(BinaryElementwise):
    """Floor division and modulo: integer division by zero is an error, as in TensorFlow."""

    def forward(self, xp, x, y):
        if getattr(x, "dtype", None) is not None and x.dtype.kind in "iu" and not xp.all(y):
            raise ZeroDivisionError("Integer division by zero")
        return getattr(xp, self.ufunc)(x, y)

    def kernel(self, op, ctx):
        if op.inputs[0].dtype.is_integer:
            return lambda x, y: self.forward(ctx.xp, x, y)
        return getattr(ctx.xp, self.ufunc)

    def explain_failure(self, arrays, attrs, exc):
        if isinstance(exc, ZeroDivisionError):
            return "Integer division by zero"
        return super().explain_failure(arrays, attrs, exc)


@register
class AddV2(BinaryElementwise):
    type_name = "AddV2"
    ufunc = "add"
    allowed_dtypes = dtypes.NUMBER + (dtypes.string,)


@register
class Sub(BinaryElementwise):
    type_name = "Sub"
    ufunc = "subtract"


@register
class Mul(BinaryElementwise):
    type_name = "Mul"
    ufunc = "multiply"


@register
class RealDiv(BinaryElementwise):
    type_name = "RealDiv"
    ufunc = "true_divide"
    allowed_dtypes = dtypes.FLOATING + dtypes.COMPLEX


@register
class FloorDiv(_IntegerDivision):
    type_name = "FloorDiv"
    ufunc = "floor_divide"
    allowed_dtypes = dtypes.REAL


@register
class FloorMod(_IntegerDivision):
    type_name = "FloorMod"
    ufunc = "mod"
    allowed_dtypes = dtypes.REAL


@register
class Pow(BinaryElementwise):
    type_name = "Pow"
    ufunc = "power"

    def explain_failure(self, arrays, attrs, exc):
        if "negative integer powers" in str(exc):
            return "Integers to negative integer powers are not allowed"
        return super().explain_failure(arrays, attrs, exc)


@register
class Maximum(BinaryElementwise):
    type_name = "Maximum"
    ufunc = "maximum"
    allowed_dtypes = dtypes.REAL


@register
class Minimum(BinaryElementwise):
    type_name = "Minimum"
    ufunc = "minimum"
    allowed_dtypes = dtypes.REAL


class _Comparison(BinaryElementwise):
    bool_output = True
    allowed_dtypes = dtypes.REAL


@register
class Less(_Comparison):
    type_name = "Less"
    ufunc = "less"


@register
class LessEqual(_Comparison):
    type_name = "LessEqual"
    ufunc = "less_equal"


@register
class Greater(_Comparison):
    type_name = "Greater"
    ufunc = "greater"


@register
class GreaterEqual(_Comparison):
    type_name = "GreaterEqual"
    ufunc = "greater_equal"


@register
class Equal(_Comparison):
    type_name = "Equal"
    ufunc = "equal"
    allowed_dtypes = None


@register
class NotEqual(_Comparison):
    type_name = "NotEqual"
    ufunc = "not_equal"
    allowed_dtypes = None


@register
class LogicalAnd(BinaryElementwise):
    type_name = "LogicalAnd"
    ufunc = "logical_and"
    allowed_dtypes = (dtypes.bool,)


@register
class LogicalOr(BinaryElementwise):
    type_name = "LogicalOr"
    ufunc = "logical_or"
    allowed_dtypes = (dtypes.bool,)
