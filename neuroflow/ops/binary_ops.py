"""Elementwise binary primitives with broadcasting (AddV2, Sub, Mul, RealDiv, Pow, comparisons, logic, ...)."""
import operator


from ..framework import dtypes
from ..framework.apply import apply_op
from ..framework.op_def import OpDef, register
from . import grad_support_ops as _g
from . import unary_ops as _u
from .shape_inference import broadcast_shape
from .op_util import shape_text

__all__ = []


class BinaryElementwise(OpDef):
    """x (op) y elementwise with NumPy broadcasting; `ufunc` names the array-module function."""

    input_names = ("x", "y")
    same_dtype = ("x", "y")
    allowed_dtypes = dtypes.NUMBER
    ufunc = None
    bool_output = False
    broadcasts_inputs = True  # the gradient engine sums input gradients back to each input's shape

    def infer(self, inputs, attrs):
        x, y = inputs
        out = dtypes.bool if self.bool_output else x.dtype.base_dtype
        return [(broadcast_shape(x.shape, y.shape), out)]

    def forward(self, xp, x, y):
        return getattr(xp, self.ufunc)(x, y)

    def kernel(self, op, ctx):
        if type(self).forward is BinaryElementwise.forward:
            # The array module's own function is the kernel: no Python wrapper on the hot path.
            return getattr(ctx.xp, self.ufunc)
        return super().kernel(op, ctx)

    def explain_failure(self, arrays, attrs, exc):
        if len(arrays) == 2 and "broadcast" in str(exc):
            return f"Incompatible shapes: {shape_text(arrays[0])} vs. {shape_text(arrays[1])}"
        return super().explain_failure(arrays, attrs, exc)


class _IntegerDivision(BinaryElementwise):
    """Floor division and modulo: integer division by zero is an error, as in TensorFlow."""

    def forward(self, xp, x, y):
        if getattr(x, "dtype", None) is not None and x.dtype.kind in "iu" and not xp.all(y):
            raise ZeroDivisionError("Integer division by zero")
        return getattr(xp, self.ufunc)(x, y)

    def kernel(self, op, ctx):
        if op.inputs[0].dtype.is_integer:
            return super().kernel(op, ctx)  # `forward`, with its zero check
        return getattr(ctx.xp, self.ufunc)  # floats divide by zero as IEEE says: the function alone

    def explain_failure(self, arrays, attrs, exc):
        if isinstance(exc, ZeroDivisionError):
            return "Integer division by zero"
        return super().explain_failure(arrays, attrs, exc)


@register
class AddV2(BinaryElementwise):
    type_name = "AddV2"
    ufunc = "add"
    allowed_dtypes = dtypes.NUMBER + (dtypes.string,)
    python_operator = operator.add

    def simplify_with_scalar(self, scalar_position, scalar, floating):
        return ("input", 1 - scalar_position) if scalar == 0 else None  # x + 0

    def grad(self, op, g):
        return [g, g]


@register
class Sub(BinaryElementwise):
    type_name = "Sub"
    ufunc = "subtract"
    python_operator = operator.sub

    def simplify_with_scalar(self, scalar_position, scalar, floating):
        return ("input", 0) if scalar_position == 1 and scalar == 0 else None  # x - 0

    def grad(self, op, g):
        return [g, apply_op(_u.Neg, [g], name="Neg")]


@register
class Mul(BinaryElementwise):
    type_name = "Mul"
    ufunc = "multiply"
    python_operator = operator.mul

    def simplify_with_scalar(self, scalar_position, scalar, floating):
        if scalar == 1:
            return ("input", 1 - scalar_position)
        if scalar == -1:
            return (_u.Neg, 1 - scalar_position)
        return None

    def grad(self, op, g):
        x, y = op.inputs
        return [apply_op(Mul, [g, y], name="Mul"), apply_op(Mul, [x, g], name="Mul_1")]


@register
class RealDiv(BinaryElementwise):
    type_name = "RealDiv"
    ufunc = "true_divide"
    allowed_dtypes = dtypes.FLOATING + dtypes.COMPLEX
    python_operator = operator.truediv

    def simplify_with_scalar(self, scalar_position, scalar, floating):
        return ("input", 0) if scalar_position == 1 and scalar == 1 else None  # x / 1

    def grad(self, op, g):
        x, y = op.inputs
        neg_x_over_y = apply_op(RealDiv, [apply_op(_u.Neg, [x], name="Neg"), y], name="RealDiv_1")
        return [apply_op(RealDiv, [g, y], name="RealDiv"),
                apply_op(Mul, [g, apply_op(RealDiv, [neg_x_over_y, y], name="RealDiv_2")], name="mul")]


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

    def grad(self, op, g):
        x, y = op.inputs
        floor_xy = apply_op(_u.Floor, [apply_op(RealDiv, [x, y], name="truediv")], name="Floor") \
            if x.dtype.base_dtype.is_floating else None
        if floor_xy is None:
            return [None, None]
        return [g, apply_op(Mul, [apply_op(_u.Neg, [g], name="Neg"), floor_xy], name="mul")]


@register
class Pow(BinaryElementwise):
    type_name = "Pow"
    ufunc = "power"

    def simplify_with_scalar(self, scalar_position, scalar, floating):
        if scalar_position != 1 or not floating:  # integer powers keep their own overflow and errors
            return None
        if scalar == 1:
            return ("input", 0)
        if scalar == 2:
            return (_u.Square, 0)
        if scalar == 0.5:
            return (_u.Sqrt, 0)
        return None

    def explain_failure(self, arrays, attrs, exc):
        if "negative integer powers" in str(exc):
            return "Integers to negative integer powers are not allowed"
        return super().explain_failure(arrays, attrs, exc)

    def grad(self, op, g):
        x, y = op.inputs
        z = op.outputs[0]
        one = _g.ones_like(y)
        gx = apply_op(Mul, [g, apply_op(Mul, [y, apply_op(Pow, [x, apply_op(Sub, [y, one], name="sub")],
                                                          name="Pow")], name="mul")], name="mul_1")
        positive = apply_op(Greater, [x, _g.zeros_like(x)], name="Greater")
        safe_x = _g.where(positive, x, _g.ones_like(x))
        log_x = _g.where(positive, apply_op(_u.Log, [safe_x], name="Log"), _g.zeros_like(x))
        gy = apply_op(Mul, [g, apply_op(Mul, [z, log_x], name="mul_2")], name="mul_3")
        return [gx, gy]


@register
class Maximum(BinaryElementwise):
    type_name = "Maximum"
    ufunc = "maximum"
    allowed_dtypes = dtypes.REAL

    def grad(self, op, g):
        x, y = op.inputs
        mask = apply_op(GreaterEqual, [x, y], name="GreaterEqual")
        zeros = _g.zeros_like(g)
        return [_g.where(mask, g, zeros), _g.where(mask, zeros, g)]


@register
class Minimum(BinaryElementwise):
    type_name = "Minimum"
    ufunc = "minimum"
    allowed_dtypes = dtypes.REAL

    def grad(self, op, g):
        x, y = op.inputs
        mask = apply_op(LessEqual, [x, y], name="LessEqual")
        zeros = _g.zeros_like(g)
        return [_g.where(mask, g, zeros), _g.where(mask, zeros, g)]


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


@register
class DivNoNan(BinaryElementwise):
    """x / y, and 0 wherever y == 0 (whatever x is there): TensorFlow's DivNoNan."""

    type_name = "DivNoNan"
    allowed_dtypes = dtypes.FLOATING + dtypes.COMPLEX

    def forward(self, xp, x, y):
        y = xp.asarray(y)
        zero = y == 0
        # Dividing by 1 where y is 0 keeps the division free of warnings; those entries are replaced by 0.
        quotient = xp.true_divide(x, xp.where(zero, xp.ones((), y.dtype), y))
        return xp.where(zero, xp.zeros((), quotient.dtype), quotient)

    def grad(self, op, g):
        # TensorFlow's gradient: both parts are 0 where y == 0, so no NaN flows back from the masked entries.
        x, y = op.inputs
        neg_x_over_y = apply_op(DivNoNan, [apply_op(_u.Neg, [x], name="Neg"), y], name="div_no_nan_1")
        return [apply_op(DivNoNan, [g, y], name="div_no_nan"),
                apply_op(Mul, [g, apply_op(DivNoNan, [neg_x_over_y, y], name="div_no_nan_2")], name="mul")]


@register
class TruncateDiv(_IntegerDivision):
    """Integer x / y rounded toward zero (C's division: -7 / 5 = -1), TensorFlow's TruncateDiv. Like TensorFlow's
    CPU kernels, it takes integers only, and has no gradient."""

    type_name = "TruncateDiv"
    allowed_dtypes = dtypes.INTEGER

    def forward(self, xp, x, y):
        if not xp.all(y):
            raise ZeroDivisionError("Integer division by zero")
        quotient = xp.floor_divide(x, y)
        # Floor division rounds negative quotients down; where it left a remainder, one step up is toward zero.
        inexact = (xp.remainder(x, y) != 0) & ((x < 0) != (y < 0))
        return quotient + inexact.astype(quotient.dtype)
