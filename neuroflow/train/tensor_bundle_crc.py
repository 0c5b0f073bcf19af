"""CRC32C of large buffers (checkpoint tensors: megabytes to gigabytes), several times faster in NumPy than
`neuroflow.summary.crc32c`'s long path, which it defers to for short inputs and whose byte table it shares.

A CRC over GF(2) is linear in the data: word i of N (4 bytes, little-endian) adds shift(w_i, 4 * (N - i)) to the
raw register, shift(x, n) being the register x after n zero bytes. The words are dealt round-robin to L lanes, so
that each step reads one contiguous row of L words: lane k accumulates r_k = shift(r_k, 4L) ^ w, through two
65536-entry tables (shift(x, 4L) = A[x & 0xFFFF] ^ B[x >> 16]). Word k + jL then carries shift(w, 4L(S-1-j)), and
the lanes join pairwise in a tree, shift(r_2k, 4 * 2^level) ^ r_2k+1, to the whole buffer's CRC. The shift maps
(32x32 bit matrices, kept as the images of the 32 unit vectors) are squared from the one-byte map.

With numba installed (`neuroflow[fast]`; not turned off by NEUROFLOW_NUMBA=0) buffers of 16 MB and more go through
a compiled slicing-by-8 loop instead, several times faster again; numba is imported only then.
"""
import functools

import numpy as np

__all__ = []

_LANES = 8192                # lanes advanced side by side (a power of two, for the pairwise join)
_MIN_SIZE = 1 << 20          # below this the byte-table path is as fast
_NUMBA_MIN_SIZE = 16 << 20   # from here the compiled loop pays for importing numba
_compiled = []               # [the compiled loop, or None without numba], once looked for
_BITS = np.arange(32, dtype=np.uint32)


def _crc32c_short(data, crc):
    from ..summary.crc32c import crc32c   # here: neuroflow.summary loads only when checkpoints are used
    return crc32c(data, crc)


def _apply(operator, values):
    """The linear map `operator` (images of the 32 unit vectors) applied to each uint32 in `values`."""
    values = np.asarray(values, dtype=np.uint32)
    out = np.zeros(values.shape, dtype=np.uint32)
    for bit in range(32):
        out ^= np.where((values >> np.uint32(bit)) & np.uint32(1), operator[bit], np.uint32(0)).astype(np.uint32)
    return out


def _compose(outer, inner):
    return _apply(outer, inner)


@functools.lru_cache(maxsize=1)
def _one_byte():
    """The register map of feeding one zero byte: x -> TABLE[x & 255] ^ (x >> 8)."""
    from ..summary.crc32c import _TABLE_NP
    units = np.left_shift(np.uint32(1), _BITS)
    return (_TABLE_NP[units & np.uint32(0xFF)] ^ (units >> np.uint32(8))).astype(np.uint32)


@functools.lru_cache(maxsize=64)
def _shift(nbytes):
    """The register map of feeding `nbytes` zero bytes (binary powers of the one-byte map)."""
    result, power = None, _one_byte()
    while nbytes:
        if nbytes & 1:
            result = power if result is None else _compose(power, result)
        nbytes >>= 1
        if nbytes:
            power = _compose(power, power)
    return result if result is not None else np.left_shift(np.uint32(1), _BITS)


@functools.lru_cache(maxsize=4)
def _step_tables(nbytes):
    """A, B with shift(x, nbytes) = A[x & 0xFFFF] ^ B[x >> 16]."""
    operator = _shift(nbytes)
    low = np.arange(65536, dtype=np.uint32)
    return _apply(operator, low), _apply(operator, low << np.uint32(16))


@functools.lru_cache(maxsize=1)
def _slicing_tables():
    """Eight byte tables: table k maps a byte to its effect on the register k + 1 bytes before the end of an
    8-byte group."""
    from ..summary.crc32c import _TABLE_NP
    tables = [_TABLE_NP.astype(np.uint32)]
    for _ in range(7):
        last = tables[-1]
        tables.append((last >> np.uint32(8)) ^ tables[0][last & np.uint32(0xFF)])
    return np.stack(tables)


def _compiled_update():
    """The numba-compiled register update `update(register, uint8 array, tables)`, or None without numba."""
    if not _compiled:
        from ..runtime.accel import numba_available
        kernel = None
        if numba_available():
            import numba

            @numba.njit(cache=True, nogil=True)
            def update(reg, data, tables):
                t0, t1, t2, t3, t4, t5, t6, t7 = (tables[0], tables[1], tables[2], tables[3], tables[4], tables[5],
                                                  tables[6], tables[7])
                n, i = data.shape[0], 0
                while i + 8 <= n:
                    lo = np.uint32(reg ^ (np.uint32(data[i]) | (np.uint32(data[i + 1]) << 8)
                                          | (np.uint32(data[i + 2]) << 16) | (np.uint32(data[i + 3]) << 24)))
                    reg = np.uint32(t7[lo & 0xFF] ^ t6[(lo >> 8) & 0xFF] ^ t5[(lo >> 16) & 0xFF] ^ t4[lo >> 24]
                                    ^ t3[data[i + 4]] ^ t2[data[i + 5]] ^ t1[data[i + 6]] ^ t0[data[i + 7]])
                    i += 8
                while i < n:
                    reg = np.uint32(t0[(reg ^ data[i]) & 0xFF] ^ (reg >> 8))
                    i += 1
                return reg
            kernel = update
        _compiled.append(kernel)
    return _compiled[0]


def crc32c(data, crc=0):
    """The CRC32C of `data` (a bytes-like object), continuing from `crc`; equal to
    `neuroflow.summary.crc32c.crc32c(data, crc)`."""
    view = memoryview(data).cast("B")
    size = len(view)
    if size >= _NUMBA_MIN_SIZE and _compiled_update() is not None:
        reg = _compiled_update()(np.uint32(crc ^ 0xFFFFFFFF), np.frombuffer(view, np.uint8), _slicing_tables())
        return int(reg) ^ 0xFFFFFFFF
    rows = size // (4 * _LANES)
    if size < _MIN_SIZE or rows == 0:
        return _crc32c_short(bytes(view), crc)
    head = size - rows * 4 * _LANES
    reg = _crc32c_short(bytes(view[:head]), crc) ^ 0xFFFFFFFF   # the raw register after the head
    words = np.frombuffer(view, dtype="<u4", count=rows * _LANES, offset=head).reshape(rows, _LANES)
    table_a, table_b = _step_tables(4 * _LANES)
    low, sixteen = np.uint32(0xFFFF), np.uint32(16)
    lanes = words[0].copy()
    for row in words[1:]:
        lanes = table_a[lanes & low] ^ table_b[lanes >> sixteen]
        lanes ^= row
    span = 4
    while len(lanes) > 1:   # join neighbours: lane 2k's words come span bytes before lane 2k+1's
        lanes = _apply(_shift(span), lanes[0::2]) ^ lanes[1::2]
        span *= 2
    body = int(_apply(_shift(4), lanes)[0])
    reg = int(_apply(_shift(4 * rows * _LANES), [reg])[0]) ^ body
    return reg ^ 0xFFFFFFFF
