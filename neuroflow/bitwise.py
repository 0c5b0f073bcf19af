"""`tf.bitwise`: bitwise and/or/xor, invert and shifts on integer tensors (the OpDefs in ops/bitwise_ops.py)."""
from .ops.bitwise_ops import bitwise_and, bitwise_or, bitwise_xor, invert, left_shift, right_shift  # noqa: F401

__all__ = ["bitwise_and", "bitwise_or", "bitwise_xor", "invert", "left_shift", "right_shift"]
