"""TensorFlow's Philox words and float32 normals compiled with numba, for large draws: the same values as
ops/philox.py's NumPy code (which stays the reference and the path without numba) in one pass over the output
instead of dozens of NumPy passes.

Imported by ops/philox.py only when numba is available and a draw is large enough to profit, so small programs
never pay numba's import."""
__all__ = ["consecutive_lanes", "box_muller_float", "box_muller_double", "standard_normal_float32",
           "truncated_normal_float32"]

_jit = {}


def _compiled():
    if not _jit:
        import numba
        import numpy as np

        @numba.njit(cache=True, nogil=True, inline="always")
        def block(key0, key1, c0, c1, c2, c3, i):
            # Philox4x32-10 of counter + i (a 128-bit number given as four 32-bit words)
            low = (c0 | (c1 << np.uint64(32))) + np.uint64(i)
            carry = np.uint64(1) if low < np.uint64(i) else np.uint64(0)
            high = (c2 | (c3 << np.uint64(32))) + carry
            x0 = low & np.uint64(0xFFFFFFFF)
            x1 = low >> np.uint64(32)
            x2 = high & np.uint64(0xFFFFFFFF)
            x3 = high >> np.uint64(32)
            k0, k1 = key0, key1
            for _ in range(10):
                p0 = x0 * np.uint64(0xD2511F53)
                p1 = x2 * np.uint64(0xCD9E8D57)
                x0 = (p1 >> np.uint64(32)) ^ x1 ^ k0
                x1 = p1 & np.uint64(0xFFFFFFFF)
                x2 = (p0 >> np.uint64(32)) ^ x3 ^ k1
                x3 = p0 & np.uint64(0xFFFFFFFF)
                k0 = (k0 + np.uint64(0x9E3779B9)) & np.uint64(0xFFFFFFFF)
                k1 = (k1 + np.uint64(0xBB67AE85)) & np.uint64(0xFFFFFFFF)
            return x0, x1, x2, x3

        from numba import types
        # the C library's float functions, as TensorFlow's kernels call them (not correctly rounded)
        sinf = types.ExternalFunction("sinf", types.float32(types.float32))
        cosf = types.ExternalFunction("cosf", types.float32(types.float32))
        logf = types.ExternalFunction("logf", types.float32(types.float32))

        @numba.njit(cache=True, nogil=True, inline="always")
        def pair(w0, w1):
            # TF's BoxMullerFloat: float32 u's from 23 mantissa bits, v = 2*pi*u in double rounded to float32,
            # the C library's logf, sinf and cosf
            u1 = np.float32((w0 & np.uint64(0x7FFFFF)) * 2.0 ** -23)
            if u1 < np.float32(1.0e-7):
                u1 = np.float32(1.0e-7)
            u = np.float32((w1 & np.uint64(0x7FFFFF)) * 2.0 ** -23)
            v = np.float64(np.float32(2.0 * np.pi * np.float64(u)))
            u2 = np.float32(np.sqrt(np.float32(np.float32(-2.0) * logf(u1))))
            vf = np.float32(v)
            return sinf(vf) * u2, cosf(vf) * u2

        @numba.njit(cache=True, nogil=True)
        def fill(key0, key1, c0, c1, c2, c3, out):
            for i in range(out.shape[1]):
                x0, x1, x2, x3 = block(key0, key1, c0, c1, c2, c3, i)
                out[0, i] = x0
                out[1, i] = x1
                out[2, i] = x2
                out[3, i] = x3

        @numba.njit(cache=True, nogil=True)
        def box_muller(x0, x1, f0, f1):
            for i in range(x0.size):
                a, b = pair(np.uint64(x0[i]), np.uint64(x1[i]))
                f0[i] = a
                f1[i] = b

        @numba.njit(cache=True, nogil=True)
        def normals(key0, key1, c0, c1, c2, c3, out):
            for i in range((out.size + 3) // 4):
                x0, x1, x2, x3 = block(key0, key1, c0, c1, c2, c3, i)
                a, b = pair(x0, x1)
                c, d = pair(x2, x3)
                base = 4 * i
                out[base] = a
                if base + 1 < out.size:
                    out[base + 1] = b
                if base + 2 < out.size:
                    out[base + 2] = c
                if base + 3 < out.size:
                    out[base + 3] = d

        @numba.njit(cache=True, nogil=True)
        def truncated(key0, key1, c0, c1, c2, c3, out):
            # group g of 4 outputs starts 256 blocks * g into the stream; values |x| >= 2 are skipped
            for g in range((out.size + 3) // 4):
                filled = 0
                block_index = np.uint64(g) * np.uint64(256)
                while filled < 4:
                    x0, x1, x2, x3 = block(key0, key1, c0, c1, c2, c3, block_index)
                    block_index += np.uint64(1)
                    a, b = pair(x0, x1)
                    c, d = pair(x2, x3)
                    for value in (a, b, c, d):
                        if filled < 4 and abs(value) < np.float32(2.0):
                            if 4 * g + filled < out.size:
                                out[4 * g + filled] = value
                            filled += 1

        @numba.njit(cache=True, nogil=True)
        def box_muller_double(u1, v1, d0, d1):
            for i in range(u1.size):
                u2 = np.sqrt(-2.0 * np.log(u1[i]))
                d0[i] = np.sin(v1[i]) * u2
                d1[i] = np.cos(v1[i]) * u2

        _jit.update(fill=fill, box_muller=box_muller, normals=normals, truncated=truncated,
                    box_muller_double=box_muller_double)
    return _jit


def _seed_words(key, counter):
    import numpy as np
    mask = 0xFFFFFFFF
    return [np.uint64(key & mask), np.uint64((key >> 32) & mask)] + \
        [np.uint64((counter >> (32 * i)) & mask) for i in range(4)]


def consecutive_lanes(key, counter, count):
    """Philox of counter + 0 .. count-1 under `key`: a (4, count) uint32 array (its rows are the four words)."""
    import numpy as np
    out = np.empty((4, count), dtype=np.uint32)
    _compiled()["fill"](*_seed_words(key, counter), out)
    return out


def box_muller_float(x0, x1):
    """TF's BoxMullerFloat over word arrays (ops/philox.py's box_muller_float is the reference)."""
    import numpy as np
    x0 = np.ascontiguousarray(x0).reshape(-1)
    x1 = np.ascontiguousarray(x1).reshape(-1)
    f0 = np.empty(x0.size, dtype=np.float32)
    f1 = np.empty(x0.size, dtype=np.float32)
    _compiled()["box_muller"](x0, x1, f0, f1)
    return f0, f1


def standard_normal_float32(key, counter, size):
    """`size` float32 normals of TF's NormalDistribution from `counter` (ops/philox.py's standard_normal)."""
    import numpy as np
    out = np.empty(size, dtype=np.float32)
    _compiled()["normals"](*_seed_words(key, counter), out)
    return out


def truncated_normal_float32(key, counter, size):
    """`size` float32 values of TF's TruncatedNormalDistribution (ops/philox.py's truncated_normal)."""
    import numpy as np
    out = np.empty(size, dtype=np.float32)
    _compiled()["truncated"](*_seed_words(key, counter), out)
    return out


def box_muller_double(u1, v1):
    """TF's BoxMullerDouble from its uniforms (ops/philox.py's _box_muller_double)."""
    import numpy as np
    u1, v1 = np.ascontiguousarray(u1, dtype=np.float64), np.ascontiguousarray(v1, dtype=np.float64)
    d0, d1 = np.empty_like(u1), np.empty_like(u1)
    _compiled()["box_muller_double"](u1, v1, d0, d1)
    return d0, d1
