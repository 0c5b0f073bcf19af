"""Op-table rows for tf.bitwise (BitwiseAnd/Or/Xor, Invert, LeftShift, RightShift) on signed and unsigned
integers, against NumPy's operators; shift amounts outside [0, bits) are clamped, as TensorFlow's kernels do."""
import numpy as np

import neuroflow as tf
from op_table_base import Row, _values, binary_samples, unary_samples

_INTS = (np.int8, np.int32, np.int64, np.uint8, np.uint16)


def _pairs(dtype):
    low = 0 if np.issubdtype(dtype, np.unsignedinteger) else -100
    return binary_samples(domain=(low, 100), dtype=dtype)


def _shift_pairs(dtype):
    """x and shift amounts that reach past both ends of [0, bits)."""
    bits = np.dtype(dtype).itemsize * 8
    low = 0 if np.issubdtype(dtype, np.unsignedinteger) else -3
    out = [(x, np.clip(y, low, bits + 3).astype(dtype)) for x, y in binary_samples(domain=(low, bits + 3),
                                                                                    dtype=dtype)]
    out.append((_values((4,), (0, 100), dtype), np.array([0, bits - 1, bits, bits + 2], dtype)))
    return out


def _clamped(y, dtype):
    return np.clip(y, 0, np.dtype(dtype).itemsize * 8 - 1).astype(dtype)


def _shift_ref(op):
    def ref(x, y):
        dtype = np.result_type(x, y)
        # TensorFlow shifts left as unsigned, so bits shifted past the top are dropped without overflow checks.
        if op == "left":
            unsigned = np.dtype(f"u{np.dtype(dtype).itemsize}")
            return np.left_shift(np.asarray(x).astype(unsigned), _clamped(y, dtype).astype(unsigned)).astype(dtype)
        return np.right_shift(x, _clamped(y, dtype)).astype(dtype)
    return ref


def _rows():
    rows = []
    for dtype in _INTS:
        name = np.dtype(dtype).name
        for fn, ref in ((tf.bitwise.bitwise_and, np.bitwise_and), (tf.bitwise.bitwise_or, np.bitwise_or),
                        (tf.bitwise.bitwise_xor, np.bitwise_xor)):
            rows.append(Row(f"{fn.__name__}_{name}", fn, ref, _pairs(dtype), grad=False))
        low = 0 if np.issubdtype(dtype, np.unsignedinteger) else -100
        rows.append(Row(f"invert_{name}", tf.bitwise.invert, np.invert, unary_samples((low, 100), dtype),
                        grad=False))
        rows.append(Row(f"left_shift_{name}", tf.bitwise.left_shift, _shift_ref("left"), _shift_pairs(dtype),
                        grad=False))
        rows.append(Row(f"right_shift_{name}", tf.bitwise.right_shift, _shift_ref("right"), _shift_pairs(dtype),
                        grad=False))
    return rows


ROWS = _rows()

COVERED_ELSEWHERE = set()
