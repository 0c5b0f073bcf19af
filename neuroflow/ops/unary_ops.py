"""Elementwise unary primitives (Neg, Abs, Square, Sqrt, Exp, Log, Sin, Cos, Tan, Tanh, Sigmoid, ...) and Cast."""
import operator

from ..framework import dtypes
from ..framework.apply import apply_op
from ..framework.op_def import OpDef, register
from .op_util import constant_like

__all__ = []

_FLOAT_LIKE = dtypes.FLOATING + dtypes.COMPLEX


class UnaryElementwise(OpDef):
    """f(x) elementwise; `ufunc` names the array-module function (or override `forward`)."""

    input_names = ("x",)
    same_dtype = ("x",)
    allowed_dtypes = _FLOAT_LIKE
    ufunc = None

    def infer(self, inputs, attrs):
        x = inputs[0]
        return [(x.shape, x.dtype.base_dtype)]

    def forward(self, xp, x):
        return getattr(xp, self.ufunc)(x)

    def kernel(self, op, ctx):
        if type(self).forward is UnaryElementwise.forward:
            return getattr(ctx.xp, self.ufunc)
        return super().kernel(op, ctx)


def _unary(type_name, ufunc, allowed=_FLOAT_LIKE, grad=None, **traits):
    """An elementwise OpDef from an array-module function and its gradient `grad(op, g) -> [dx]`; `traits`
    are further class attributes (OpDef traits)."""
    cls = type(type_name, (UnaryElementwise,), {"type_name": type_name, "ufunc": ufunc, "allowed_dtypes": allowed,
                                                  "grad": staticmethod(grad) if grad else None,
                                                  "__module__": __name__, **traits})
    return cls


# Gradients are written with ops; the binary primitives are imported when a gradient is built (they import us).
def _mul(a, b, name="mul"):
    from .binary_ops import Mul
    return apply_op(Mul, [a, b], name=name)


def _div(a, b, name="truediv"):
    from .binary_ops import RealDiv
    return apply_op(RealDiv, [a, b], name=name)


def _neg(x):
    return apply_op(Neg, [x], name="Neg")


def _sub(a, b):
    from .binary_ops import Sub
    return apply_op(Sub, [a, b], name="sub")


def _add(a, b):
    from .binary_ops import AddV2
    return apply_op(AddV2, [a, b], name="add")


def _zeros_grad(op, g):
    from .grad_support_ops import zeros_like
    return [zeros_like(op.inputs[0])]


Neg = register(_unary("Neg", "negative", dtypes.NUMBER, lambda op, g: [_neg(g)], python_operator=operator.neg))
Abs = register(_unary("Abs", "absolute", dtypes.REAL,
                      lambda op, g: [_mul(g, apply_op(Sign, [op.inputs[0]], name="Sign"))]))
Sign = register(_unary("Sign", "sign", dtypes.NUMBER, _zeros_grad))
Square = register(_unary("Square", "square", dtypes.NUMBER,
                         lambda op, g: [_mul(g, _mul(constant_like(2, g), op.inputs[0], "mul_1"))]))
Sqrt = register(_unary("Sqrt", "sqrt", _FLOAT_LIKE,
                       lambda op, g: [_div(_mul(g, constant_like(0.5, g)), op.outputs[0])]))
Exp = register(_unary("Exp", "exp", _FLOAT_LIKE, lambda op, g: [_mul(g, op.outputs[0])]))
Log = register(_unary("Log", "log", _FLOAT_LIKE, lambda op, g: [_div(g, op.inputs[0])]))
Log1p = register(_unary("Log1p", "log1p", _FLOAT_LIKE,
                        lambda op, g: [_div(g, _add(constant_like(1, g), op.inputs[0]))]))
Sin = register(_unary("Sin", "sin", _FLOAT_LIKE,
                      lambda op, g: [_mul(g, apply_op(Cos, [op.inputs[0]], name="Cos"))]))
Cos = register(_unary("Cos", "cos", _FLOAT_LIKE,
                      lambda op, g: [_neg(_mul(g, apply_op(Sin, [op.inputs[0]], name="Sin")))]))
Tan = register(_unary("Tan", "tan", _FLOAT_LIKE, lambda op, g: [  # d tan x = sec^2 x = 1 / cos^2 x
    _div(g, apply_op(Square, [apply_op(Cos, [op.inputs[0]], name="Cos")], name="Square"))]))
Tanh = register(_unary("Tanh", "tanh", _FLOAT_LIKE, lambda op, g: [
    _mul(g, _sub(constant_like(1, g), _mul(op.outputs[0], op.outputs[0], "mul_1")))]))
Floor = register(_unary("Floor", "floor", dtypes.FLOATING))
Ceil = register(_unary("Ceil", "ceil", dtypes.FLOATING))
Round = register(_unary("Round", "round", dtypes.NUMBER))  # half to even, as TensorFlow
Reciprocal = register(_unary("Reciprocal", "reciprocal", _FLOAT_LIKE, lambda op, g: [
    _neg(_mul(g, _mul(op.outputs[0], op.outputs[0], "mul_1")))]))
LogicalNot = register(_unary("LogicalNot", "logical_not", (dtypes.bool,)))


@register
class Rsqrt(UnaryElementwise):
    type_name = "Rsqrt"

    def forward(self, xp, x):
        return 1 / xp.sqrt(x)

    def grad(self, op, g):
        y = op.outputs[0]
        return [_mul(g, _mul(constant_like(-0.5, g), _mul(y, _mul(y, y, "mul_2"), "mul_1"), "mul_3"))]


@register
class Sigmoid(UnaryElementwise):
    """1 / (1 + exp(-x)), computed without overflow for large |x|."""

    type_name = "Sigmoid"

    def forward(self, xp, x):
        # exp(-x) overflows to inf for very negative x, giving exactly 0 (the run's errstate hides the warning);
        # relative accuracy holds elsewhere, unlike the 0.5 * tanh(0.5 * x) + 0.5 shortcut.
        with xp.errstate(over="ignore"):
            return 1 / (1 + xp.exp(-x))

    def grad(self, op, g):
        y = op.outputs[0]
        return [_mul(g, _mul(y, _sub(constant_like(1, g), y), "mul_1"))]


@register
class Cast(OpDef):
    """x converted to `DstT` (floats truncate toward zero when cast to integers, as in C++)."""

    type_name = "Cast"
    input_names = ("x",)

    def infer(self, inputs, attrs):
        x = inputs[0]
        src, dst = x.dtype.base_dtype, attrs["DstT"]
        if (src is dtypes.string) != (dst is dtypes.string):
            raise TypeError(f"Cast {src.proto_name} to {dst.proto_name} is not supported")
        return [(x.shape, dst)]

    def forward(self, xp, x, SrcT, DstT):  # noqa: N803 - TensorFlow's attr names
        return _cast(xp, DstT)(x)

    def kernel(self, op, ctx):
        return _cast(ctx.xp, op.get_attr("DstT"))

    def grad(self, op, g):
        src, dst = op.get_attr("SrcT"), op.get_attr("DstT")
        differentiable = (src.is_floating or src.is_complex) and (dst.is_floating or dst.is_complex)
        return [apply_op(Cast, [g], {"SrcT": dst, "DstT": src}, name="Cast") if differentiable else None]


def _cast(xp, dst):
    """Cast to DType `dst` bound to an array module: what `forward` computes and a plan's kernel calls."""
    asarray, target = xp.asarray, dst.as_numpy_dtype
    return lambda x: asarray(x).astype(target)


