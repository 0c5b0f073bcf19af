"""Elementwise unary primitives (Neg, Abs, Square, Sqrt, Exp, Log, Tanh, Sigmoid, ...) and Cast."""
import numpy as np

from ..framework import dtypes
from ..framework.op_def import OpDef, register

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


def _unary(type_name, ufunc, allowed=_FLOAT_LIKE):
    cls = type(type_name, (UnaryElementwise,), {"type_name": type_name, "ufunc": ufunc,
                                                  "allowed_dtypes": allowed, "__module__": __name__})
    return cls


Neg = register(_unary("Neg", "negative", dtypes.NUMBER))
Abs = register(_unary("Abs", "absolute", dtypes.REAL))
Sign = register(_unary("Sign", "sign", dtypes.NUMBER))
Square = register(_unary("Square", "square", dtypes.NUMBER))
Sqrt = register(_unary("Sqrt", "sqrt"))
Exp = register(_unary("Exp", "exp"))
Log = register(_unary("Log", "log"))
Log1p = register(_unary("Log1p", "log1p"))
Sin = register(_unary("Sin", "sin"))
Cos = register(_unary("Cos", "cos"))
Tanh = register(_unary("Tanh", "tanh"))
Floor = register(_unary("Floor", "floor", dtypes.FLOATING))
Ceil = register(_unary("Ceil", "ceil", dtypes.FLOATING))
Round = register(_unary("Round", "round", dtypes.NUMBER))  # half to even, as TensorFlow
Reciprocal = register(_unary("Reciprocal", "reciprocal"))
LogicalNot = register(_unary("LogicalNot", "logical_not", (dtypes.bool,)))


@register
class Rsqrt(UnaryElementwise):
    type_name = "Rsqrt"

    def forward(self, xp, x):
        return 1 / xp.sqrt(x)


@register
class Sigmoid(UnaryElementwise):
    """1 / (1 + exp(-x)), computed without overflow for large |x|."""

    type_name = "Sigmoid"

    def forward(self, xp, x):
        e = xp.exp(-xp.abs(x))
        return xp.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)


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
        return xp.asarray(x).astype(DstT.as_numpy_dtype)

    def kernel(self, op, ctx):
        target = op._attrs["DstT"].as_numpy_dtype
        asarray = ctx.xp.asarray
        return lambda x: asarray(x).astype(target)


