"""CRC32C (Castagnoli) and TensorFlow's masked CRC, which frame every record of an event file.

Short inputs (record headers, scalar events) go through a byte-table loop; long ones (graphs, images) are
split into equal lanes whose CRCs are computed side by side with NumPy and then joined, because a CRC over
GF(2) is linear: crc(A || B) = shift(crc(A), len(B)) xor crc(B).
"""
import functools

import numpy as np

__all__ = ["crc32c", "masked_crc32c", "unmask"]

_POLY = 0x82F63B78  # the Castagnoli polynomial, bit-reflected
_MASK_DELTA = 0xA282EAD8
_SHORT = 512        # below this many bytes the plain loop is faster than setting up lanes


def _make_table():
    t = np.arange(256, dtype=np.uint32)
    for _ in range(8):
        t = np.where(t & 1, (t >> 1) ^ np.uint32(_POLY), t >> 1).astype(np.uint32)
    return t


_TABLE_NP = _make_table()
_TABLE = [int(v) for v in _TABLE_NP]


def _update_short(reg, data):
    table = _TABLE
    for b in data:
        reg = table[(reg ^ b) & 0xFF] ^ (reg >> 8)
    return reg


@functools.lru_cache(maxsize=64)  # records of one kind (images of one size) repeat their lane width
def _shift_tables(nbytes):
    """Four byte tables T with M(x) = T0[x & 255] ^ T1[x >> 8 & 255] ^ ..., M = feeding `nbytes` zero bytes
    into the CRC register (a linear map on 32 bits, built from the images of the 32 unit vectors)."""
    cols = np.left_shift(np.uint32(1), np.arange(32, dtype=np.uint32))
    for _ in range(nbytes):
        cols = _TABLE_NP[cols & 0xFF] ^ (cols >> 8)
    values = np.arange(256, dtype=np.uint32)
    tables = []
    for k in range(4):
        t = np.zeros(256, dtype=np.uint32)
        for bit in range(8):
            t ^= np.where((values >> bit) & 1, cols[8 * k + bit], np.uint32(0)).astype(np.uint32)
        tables.append([int(v) for v in t])
    return tables


def _update_long(reg, data):
    n = len(data)
    lanes = max(64, int(np.sqrt(n)))
    width = n // lanes
    head = n - lanes * width
    reg = _update_short(reg, data[:head])
    # Column j of `block` holds byte j of every lane; each lane starts from a zero register.
    block = np.frombuffer(data, dtype=np.uint8, offset=head).reshape(lanes, width).T.astype(np.uint32)
    lane_regs = np.zeros(lanes, dtype=np.uint32)
    table = _TABLE_NP
    for row in block:
        lane_regs = table[(lane_regs ^ row) & 0xFF] ^ (lane_regs >> 8)
    # Horner: reg = M(reg) ^ lane for each lane in order, M = "advance over one lane's bytes".
    t0, t1, t2, t3 = _shift_tables(width)
    for lane in lane_regs.tolist():
        reg = t0[reg & 0xFF] ^ t1[(reg >> 8) & 0xFF] ^ t2[(reg >> 16) & 0xFF] ^ t3[reg >> 24] ^ lane
    return reg


def crc32c(data, crc=0):
    """The CRC32C of `data` (bytes-like), continuing from a previous `crc` (0 to start).

    Example:
        >>> hex(crc32c(b"123456789"))
        '0xe3069283'
    """
    data = bytes(data) if not isinstance(data, bytes) else data
    reg = crc ^ 0xFFFFFFFF
    reg = _update_short(reg, data) if len(data) < _SHORT else _update_long(reg, data)
    return reg ^ 0xFFFFFFFF


def masked_crc32c(data):
    """TensorFlow's masked CRC32C: rotate right by 15 bits and add a constant (record framing checksums)."""
    c = crc32c(data)
    return (((c >> 15) | (c << 17)) + _MASK_DELTA) & 0xFFFFFFFF


def unmask(masked):
    """The CRC32C that `masked_crc32c` masked (for readers and tests)."""
    rot = (masked - _MASK_DELTA) & 0xFFFFFFFF
    return ((rot >> 17) | (rot << 15)) & 0xFFFFFFFF
