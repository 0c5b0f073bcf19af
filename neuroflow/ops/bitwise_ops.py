"""The bitwise primitives of `tf.bitwise` on integer tensors: BitwiseAnd/Or/Xor, Invert, LeftShift, RightShift
(TensorFlow's; not differentiable). Shift amounts outside [0, bits) are clamped into it, as TensorFlow's CPU
kernels do, so every input has one defined result."""
from ..framework import dtypes
from ..framework.apply import apply_op
from ..framework.op_def import register
from .binary_ops import BinaryElementwise
from .unary_ops import UnaryElementwise

__all__ = ["bitwise_and", "bitwise_or", "bitwise_xor", "invert", "left_shift", "right_shift"]


class _Bitwise(BinaryElementwise):
    allowed_dtypes = dtypes.INTEGER
    grad = None


@register
class BitwiseAnd(_Bitwise):
    type_name = "BitwiseAnd"
    ufunc = "bitwise_and"


@register
class BitwiseOr(_Bitwise):
    type_name = "BitwiseOr"
    ufunc = "bitwise_or"


@register
class BitwiseXor(_Bitwise):
    type_name = "BitwiseXor"
    ufunc = "bitwise_xor"


@register
class Invert(UnaryElementwise):
    type_name = "Invert"
    ufunc = "invert"
    allowed_dtypes = dtypes.INTEGER
    grad = None


class _Shift(_Bitwise):
    def forward(self, xp, x, y):
        x = xp.asarray(x)
        bits = x.dtype.itemsize * 8
        return getattr(xp, self.ufunc)(x, xp.clip(xp.asarray(y), 0, bits - 1).astype(x.dtype))


@register
class LeftShift(_Shift):
    type_name = "LeftShift"
    ufunc = "left_shift"


@register
class RightShift(_Shift):
    """Arithmetic for signed integers (the sign bit is copied in), logical for unsigned ones."""

    type_name = "RightShift"
    ufunc = "right_shift"


def bitwise_and(x, y, name=None):
    """x & y elementwise on integers of one dtype, with broadcasting."""
    return apply_op(BitwiseAnd, [x, y], name=name or "BitwiseAnd")


def bitwise_or(x, y, name=None):
    """x | y elementwise on integers of one dtype, with broadcasting."""
    return apply_op(BitwiseOr, [x, y], name=name or "BitwiseOr")


def bitwise_xor(x, y, name=None):
    """x ^ y elementwise on integers of one dtype, with broadcasting."""
    return apply_op(BitwiseXor, [x, y], name=name or "BitwiseXor")


def invert(x, name=None):
    """~x elementwise on integers: every bit flipped (`tf.bitwise.invert(tf.constant(0, tf.uint8))` is 255)."""
    return apply_op(Invert, [x], name=name or "Invert")


def left_shift(x, y, name=None):
    """x << y elementwise (bits shifted out are lost); y is clamped to [0, bits of x's dtype)."""
    return apply_op(LeftShift, [x, y], name=name or "LeftShift")


def right_shift(x, y, name=None):
    """x >> y elementwise (arithmetic for signed x); y is clamped to [0, bits of x's dtype)."""
    return apply_op(RightShift, [x, y], name=name or "RightShift")
