"""TensorFlow's random number generator, bit for bit: Philox4x32-10 with TF's key/counter set-up from the
(seed, seed2) pair, the stateful kernels' way of reserving samples (so a second run continues the stream), and
the conversions of its 32-bit words into uniform floats and ints, normals and truncated normals.

Everything is vectorized over Philox blocks (uint32/uint64 NumPy arrays, no Python loop per sample). The layout
of the outputs follows TensorFlow's CPU kernels, which make it independent of how the work is split over threads:
output group `g` (the values one distribution call returns) is computed from the generator skipped by `g`
blocks, or by `g * 256 * group / 4` blocks for the rejection samplers (truncated normal), which may use a
variable number of words per output.
"""
import math

import numpy as np

from . import glibc_float_math, libm_double

__all__ = ["PhiloxStream", "philox_blocks", "uniform", "standard_normal", "truncated_normal", "uniform_int",
           "box_muller_float", "random_seeds"]

_W32A, _W32B = np.uint32(0x9E3779B9), np.uint32(0xBB67AE85)
_M4x32A, _M4x32B = np.uint64(0xD2511F53), np.uint64(0xCD9E8D57)
_LOW32 = np.uint64(0xFFFFFFFF)
_SHIFT32 = np.uint64(32)
_MASK64 = (1 << 64) - 1
_MASK128 = (1 << 128) - 1
# Work in slices of this many blocks, so the ten rounds' arrays stay in the CPU cache (1 << 13 and 1 << 14
# were fastest on a 1 MiB L2; a slice of normals is twice as many Box-Muller pairs, glibc_float_math.CHUNK).
_CHUNK_BLOCKS = 1 << 13
# What each output of TF's stateful random kernels reserves of the stream (ReserveRandomOutputs(n, 256)),
# and what each output group of a rejection sampler may use of it (FillPhiloxRandomTask<..., true>).
RESERVED_SAMPLES_PER_OUTPUT = 256


def random_seeds():
    """Two fresh 64-bit seeds from the OS (TensorFlow's `random::New64()` for ops with seed = seed2 = 0)."""
    import secrets
    return secrets.randbits(64), secrets.randbits(64)


class PhiloxStream:
    """One op's generator (TF's GuardedPhiloxRandom): a 64-bit key and a 128-bit counter.

    `reserve(blocks)` returns the counter the caller draws from and advances the stream past `blocks` 128-bit
    samples, so the next call (the next `sess.run` of the op) continues where TensorFlow's kernel continues.
    """

    def __init__(self, seed, seed2):
        seed, seed2 = int(seed), int(seed2)
        if seed == 0 and seed2 == 0:  # "not seeded": TensorFlow draws both seeds at random
            seed, seed2 = random_seeds()
        self.key = seed & _MASK64
        # PhiloxRandom(seed_lo, seed_hi): the key is seed; the upper half of the counter is seed2.
        self.counter = (seed2 & _MASK64) << 64

    def reserve(self, blocks):
        start = self.counter
        self.counter = (self.counter + int(blocks)) & ((1 << 128) - 1)
        return self.key, start

    def reserve_outputs(self, count, multiplier=RESERVED_SAMPLES_PER_OUTPUT):
        return self.reserve(int(count) * multiplier)


def philox_blocks(key, counter, offsets):
    """Philox4x32-10 of (counter + offsets[i], key) for each i: a uint32 array of shape (len(offsets), 4)."""
    return np.stack(philox_lanes(key, counter, offsets), axis=1)


def philox_lanes(key, counter, offsets):
    """Philox4x32-10 of (counter + offsets[i], key) for each i, as its four output words: four contiguous uint32
    arrays of len(offsets) (word 0 of every block, word 1, ...).

    `key` is a 64-bit int, `counter` a 128-bit int; `offsets` are non-negative int64s.
    """
    offsets = np.asarray(offsets, dtype=np.uint64).reshape(-1)
    lanes = np.empty((4, offsets.size), dtype=np.uint32)
    keys = _key_schedule(key)
    for start in range(0, offsets.size, _CHUNK_BLOCKS):
        part = slice(start, start + _CHUNK_BLOCKS)
        _philox_into(keys, counter, offsets[part], lanes[:, part])
    return tuple(lanes)


def _consecutive_lane_slices(key, counter, count):
    """(first block, lanes) for consecutive slices of `count` blocks from `counter`: lanes a (4, n) uint32 array
    of the blocks' words 0..3, reused from slice to slice."""
    keys = _key_schedule(key)
    size = min(count, _CHUNK_BLOCKS)
    buffer = np.empty((4, size), dtype=np.uint32)
    offsets = np.arange(size, dtype=np.uint64)
    for start in range(0, count, _CHUNK_BLOCKS):
        n = min(_CHUNK_BLOCKS, count - start)
        lanes = buffer[:, :n]
        _philox_into(keys, (counter + start) & _MASK128, offsets[:n], lanes)
        yield start, lanes


def _key_schedule(key):
    """The ten round keys, bumped by the Weyl constants with uint32 wrap-around as the C++ does."""
    key0, key1 = key & 0xFFFFFFFF, (key >> 32) & 0xFFFFFFFF
    keys = []
    for _ in range(10):
        keys.append((np.uint32(key0), np.uint32(key1)))
        key0, key1 = (key0 + int(_W32A)) & 0xFFFFFFFF, (key1 + int(_W32B)) & 0xFFFFFFFF
    return keys


def _philox_into(keys, counter, offsets, out):
    """The four words of Philox(counter + offsets[i]) into out[0..3][i]."""
    low = offsets + np.uint64(counter & _MASK64)
    high = (low < offsets).astype(np.uint64)  # the 128-bit counter's carry into its upper half
    high += np.uint64((counter >> 64) & _MASK64)
    low_words, high_words = low.view(np.uint32).reshape(-1, 2), high.view(np.uint32).reshape(-1, 2)
    _rounds(low_words[:, 0], low_words[:, 1], high_words[:, 0], high_words[:, 1], keys, out)


def _rounds(c0, c1, c2, c3, keys, out):
    # One pass per operation: the products in uint64, their halves read as uint32 views (little-endian).
    for k0, k1 in keys:
        p0 = np.multiply(c0, _M4x32A, dtype=np.uint64).view(np.uint32).reshape(-1, 2)
        p1 = np.multiply(c2, _M4x32B, dtype=np.uint64).view(np.uint32).reshape(-1, 2)
        new0 = np.bitwise_xor(p1[:, 1], c1)
        new0 ^= k0
        new2 = np.bitwise_xor(p0[:, 1], c3)
        new2 ^= k1
        c0, c1, c2, c3 = new0, p1[:, 0], new2, p0[:, 0]
    for row, words in zip(out, (c0, c1, c2, c3)):
        row[...] = words


# --- words -> values (random_distributions.h) ----------------------------------------------------------------
def _uint32_to_float(words, out=None):
    """[0, 1) floats from the low 23 bits: the float in [1, 2) with those mantissa bits, minus 1."""
    if out is None:
        out = np.empty(words.shape, dtype=np.float32)
    bits = out.view(np.uint32)
    np.bitwise_and(words, np.uint32(0x7FFFFF), out=bits)
    bits |= np.uint32(0x3F800000)
    out -= np.float32(1.0)
    return out


def uint64_to_double(high_words, low_words):
    """[0, 1) doubles from 52 bits: the double in [1, 2) with the low 20 bits of `high_words` and all of
    `low_words` as its mantissa, minus 1. The two 32-bit halves are written straight into the doubles' words
    (little-endian, as the rounds' uint32 views already assume)."""
    high_words, low_words = np.asarray(high_words), np.asarray(low_words)
    out = np.empty(high_words.shape, dtype=np.float64)
    halves = out.view(np.uint32).reshape(high_words.shape + (2,))
    halves[..., 0] = low_words
    np.bitwise_and(high_words, np.uint32(0xFFFFF), out=halves[..., 1])
    halves[..., 1] |= np.uint32(1023 << 20)
    out -= 1.0
    return out


def _uint16_to_half(words):
    bits = ((words & np.uint32(0x3FF)) | np.uint32(15 << 10)).astype(np.uint16)
    return bits.view(np.float16) - np.float16(1.0)


_TWO_PI = 2 * np.pi


def box_muller_float(x0, x1):
    """TF's BoxMullerFloat on word arrays: (sin(v) * u, cos(v) * u) in float32 with v = 2*pi*U(x1) (the
    product in double, as `2.0f * M_PI` is a double) and u = sqrt(-2 * logf(max(U(x0), 1e-7))).

    TensorFlow calls the C library's logf and sincosf, which are not correctly rounded: their bits come from
    `glibc_float_math` (glibc's algorithms vectorized, checked against the loaded library once), or, where the
    library computes otherwise, from the library itself, value by value. Works in cache-sized slices; large
    draws use the compiled copy (numba, calling the library directly) when installed."""
    if x0.size >= 4 * COMPILED_MIN_BLOCKS and _compiled_available():
        from ..runtime.accel.philox_numba import box_muller_float as compiled
        f0, f1 = compiled(x0, x1)
        return f0.reshape(x0.shape), f1.reshape(x0.shape)
    f0 = np.empty(x0.shape, dtype=np.float32)
    f1 = np.empty(x0.shape, dtype=np.float32)
    flat0, flat1, out0, out1 = x0.reshape(-1), x1.reshape(-1), f0.reshape(-1), f1.reshape(-1)
    work = glibc_float_math.Workspace(flat0.size)
    for start in range(0, flat0.size, glibc_float_math.CHUNK):
        part = slice(start, start + glibc_float_math.CHUNK)
        _box_muller_slice(flat0[part], flat1[part], out0[part], out1[part], work)
    return f0, f1


def _box_muller_slice(x0, x1, out0, out1, work):
    """BoxMullerFloat of up to glibc_float_math.CHUNK word pairs into out0 (the sines) and out1 (the cosines)."""
    n = x0.size
    u, v = work("bm_u", np.float32, n), work("bm_v", np.float32, n)
    radius = work("bm_radius", np.float32, n)
    _uint32_to_float(x0, out=u)
    np.maximum(u, np.float32(1.0e-7), out=u)
    _uint32_to_float(x1, out=v)
    wide = work("bm_wide", np.float64, n)
    np.multiply(v, _TWO_PI, out=wide, dtype=np.float64)
    np.copyto(v, wide, casting="same_kind")
    if glibc_float_math.matches_libm():
        glibc_float_math.logf(u, work, out=radius)
        glibc_float_math.sincosf(v, work, sin_out=out0, cos_out=out1)
    else:  # a library computing otherwise: asked for every value
        functions = _libm_float()
        radius[...] = functions["logf"](u)
        out0[...], out1[...] = functions["sinf"](v), functions["cosf"](v)
    radius *= np.float32(-2.0)
    np.sqrt(radius, out=radius)
    out0 *= radius
    out1 *= radius


def _libm_float():
    """The C library's sinf, cosf and logf (ufuncs calling it value by value), or None without one."""
    return glibc_float_math.libm_float_functions()


def _box_muller_double(x0, x1, x2, x3):
    """TF's BoxMullerDouble: log, sin and cos from the C library (as TensorFlow calls them; NumPy's vector
    loops differ in the last bit now and then), compiled with numba for large draws when installed."""
    u1 = np.maximum(uint64_to_double(x0, x1), 1.0e-7)
    v1 = _TWO_PI * uint64_to_double(x2, x3)
    if u1.size >= 2 * COMPILED_MIN_BLOCKS and _compiled_available():
        from ..runtime.accel.philox_numba import box_muller_double
        return box_muller_double(u1, v1)
    numpy_loops = u1.size >= libm_double.NUMPY_LOOPS_MIN_PAIRS  # the check costs ~20 ms, once; small draws skip it
    u2 = np.sqrt(-2.0 * libm_double.library_log(u1, numpy_loops))
    if numpy_loops and libm_double.numpy_is_the_library("sin, cos"):
        return np.sin(v1) * u2, np.cos(v1) * u2
    angles = v1.reshape(-1).tolist()  # one list of Python floats for both sin and cos
    each = libm_double.libm_each
    return each(math.sin, angles).reshape(u1.shape) * u2, each(math.cos, angles).reshape(u1.shape) * u2


def _words_per_value(np_dtype):
    return 2 if np.dtype(np_dtype).itemsize == 8 else 1


def _cast_from_float32(values, np_dtype):
    return values.astype(np_dtype, copy=False)


# From this many blocks on, a compiled Philox (numba, when installed) is used: the same words, far fewer passes.
COMPILED_MIN_BLOCKS = 1 << 15


def _compiled_available():
    from ..runtime.accel import numba_available
    return numba_available()


def _consecutive_lanes(key, counter, count):
    """The four word lanes of `count` consecutive blocks from `counter`."""
    if count >= COMPILED_MIN_BLOCKS and _compiled_available():
        from ..runtime.accel.philox_numba import consecutive_lanes
        return tuple(consecutive_lanes(key, counter, count))
    return philox_lanes(key, counter, np.arange(count, dtype=np.uint64))


def _interleave(lanes, size):
    """The values of lanes (one array per position in the group) in output order, the first `size` of them."""
    out = np.empty((lanes[0].size, len(lanes)), dtype=lanes[0].dtype)
    for position, lane in enumerate(lanes):
        out[:, position] = lane
    return out.reshape(-1)[:size]


def uniform(key, counter, size, np_dtype):
    """`size` values of TF's UniformDistribution for a float dtype: float16/32 take one word each, float64 two."""
    if _words_per_value(np_dtype) == 2:
        w0, w1, w2, w3 = _consecutive_lanes(key, counter, (size + 1) // 2)
        return _interleave([uint64_to_double(w0, w1), uint64_to_double(w2, w3)], size)
    if np.dtype(np_dtype) == np.float16:
        return _uint16_to_half(_interleave(_consecutive_lanes(key, counter, (size + 3) // 4), size))
    blocks = (size + 3) // 4
    if blocks >= COMPILED_MIN_BLOCKS and _compiled_available():
        return _uint32_to_float(_interleave(_consecutive_lanes(key, counter, blocks), size))
    values = np.empty((blocks, 4), dtype=np.float32)
    bits = values.view(np.uint32)
    for start, lanes in _consecutive_lane_slices(key, counter, blocks):
        bits[start:start + lanes.shape[1]] = lanes.T
        _uint32_to_float(bits[start:start + lanes.shape[1]], out=values[start:start + lanes.shape[1]])
    return values.reshape(-1)[:size]


def uniform_int(key, counter, size, np_dtype, minval, maxval):
    """`size` ints in [minval, maxval): minval + (bits mod (maxval - minval)), the range taken unsigned."""
    if _words_per_value(np_dtype) == 2:
        w0, w1, w2, w3 = _consecutive_lanes(key, counter, (size + 1) // 2)
        bits = _interleave([w0.astype(np.uint64) | (w1.astype(np.uint64) << _SHIFT32),
                            w2.astype(np.uint64) | (w3.astype(np.uint64) << _SHIFT32)], size)
        span = np.uint64((int(maxval) - int(minval)) & _MASK64)
        return ((bits % span) + np.uint64(int(minval) & _MASK64)).view(np.int64)
    words = _interleave(_consecutive_lanes(key, counter, (size + 3) // 4), size)
    span = np.uint32((int(maxval) - int(minval)) & 0xFFFFFFFF)
    return ((words % span) + np.uint32(int(minval) & 0xFFFFFFFF)).view(np.int32)


def standard_normal(key, counter, size, np_dtype):
    """`size` values of TF's NormalDistribution: Box-Muller over word pairs (float16/32 computed in float32;
    float64 from four words per pair of values)."""
    if _words_per_value(np_dtype) == 2:
        w0, w1, w2, w3 = _consecutive_lanes(key, counter, (size + 1) // 2)
        return _interleave(list(_box_muller_double(w0, w1, w2, w3)), size)
    if size >= 4 * COMPILED_MIN_BLOCKS and _compiled_available():
        from ..runtime.accel.philox_numba import standard_normal_float32
        return _cast_from_float32(standard_normal_float32(key, counter, size), np_dtype)
    blocks = (size + 3) // 4
    values = _float_normals_of_blocks_at(key, counter, np.arange(blocks, dtype=np.uint64))
    return _cast_from_float32(values.reshape(-1)[:size], np_dtype)


def _float_normals_of_blocks_at(key, counter, offsets):
    """The four float32 values of TF's NormalDistribution from each block counter + offsets[i]: (len, 4).

    Slice by slice, so everything stays in cache: words 0 and 2 of each block are the first words of its two
    Box-Muller pairs, 1 and 3 the second; the pairs' sines go to positions 0 and 2, their cosines to 1 and 3."""
    values = np.empty((offsets.size, 4), dtype=np.float32)
    slice_blocks = glibc_float_math.CHUNK // 2
    work = glibc_float_math.Workspace(2 * min(offsets.size, slice_blocks))
    keys = _key_schedule(key)
    buffer = np.empty((4, min(offsets.size, slice_blocks)), dtype=np.uint32)
    for start in range(0, offsets.size, slice_blocks):
        part = offsets[start:start + slice_blocks]
        n = part.size
        lanes = buffer[:, :n]
        _philox_into(keys, counter, part, [lanes[0], lanes[2], lanes[1], lanes[3]])
        sines, cosines = work("bm_sin", np.float32, 2 * n), work("bm_cos", np.float32, 2 * n)
        _box_muller_slice(lanes[:2].reshape(-1), lanes[2:].reshape(-1), sines, cosines, work)
        by_position = values[start:start + n].T
        by_position[0::2] = sines.reshape(2, n)
        by_position[1::2] = cosines.reshape(2, n)
    return values


def truncated_normal(key, counter, size, np_dtype):
    """`size` values of TF's TruncatedNormalDistribution: normals from consecutive words, keeping those with
    |x| < 2, four values (two for float64) per output group; group g starts 256 words per value into the
    stream (FillPhiloxRandomTask's fixed reservation), so each group is independent of the others."""
    double = _words_per_value(np_dtype) == 2
    if not double and size >= 4 * COMPILED_MIN_BLOCKS and _compiled_available():
        from ..runtime.accel.philox_numba import truncated_normal_float32
        return _cast_from_float32(truncated_normal_float32(key, counter, size), np_dtype)
    group_size = 2 if double else 4
    groups = (size + group_size - 1) // group_size
    skip_per_group = group_size * RESERVED_SAMPLES_PER_OUTPUT // 4
    out = np.zeros((groups, group_size), dtype=np.float64 if double else np.float32)
    filled = np.zeros(groups, dtype=np.int64)
    active = np.arange(groups, dtype=np.int64)
    block = 0
    while active.size:
        if block >= skip_per_group:  # TF would run into the next group's words: practically impossible
            raise RuntimeError("truncated_normal: rejection sampling used up its reserved samples")
        offsets = active.astype(np.uint64) * np.uint64(skip_per_group) + np.uint64(block)
        if double:
            words = philox_blocks(key, counter, offsets)
            d0, d1 = _box_muller_double(words[:, 0], words[:, 1], words[:, 2], words[:, 3])
            candidates = np.stack([d0, d1], axis=1)
        else:
            candidates = _float_normals_of_blocks_at(key, counter, offsets)
        accepted = np.abs(candidates) < 2.0
        if block == 0:  # most groups (83% of float32 ones) keep all of their first block's values
            complete = accepted.view(f"u{group_size}")[:, 0] == int.from_bytes(b"\x01" * group_size, "little")
            out[active[complete]] = candidates[complete]
            filled[active[complete]] = group_size
            rest = ~complete
            active, candidates, accepted = active[rest], candidates[rest], accepted[rest]
        position = filled[active][:, None] + np.cumsum(accepted, axis=1) - 1
        take = accepted & (position < group_size)
        rows = np.broadcast_to(active[:, None], take.shape)
        out[rows[take], position[take]] = candidates[take]
        filled[active] = np.minimum(filled[active] + accepted.sum(axis=1), group_size)
        active = active[filled[active] < group_size]
        block += 1
    values = out.reshape(-1)[:size]
    return values if double else _cast_from_float32(values, np_dtype)


def _normals_of_blocks(words, double):
    """The values of one NormalDistribution call per block (rows of `words`): 4 floats or 2 doubles."""
    if double:
        d0, d1 = _box_muller_double(words[:, 0], words[:, 1], words[:, 2], words[:, 3])
        return np.stack([d0, d1], axis=1)
    f0, f1 = box_muller_float(np.ascontiguousarray(words[:, 0::2]), np.ascontiguousarray(words[:, 1::2]))
    out = np.empty((words.shape[0], 4), dtype=np.float32)
    out[:, 0::2], out[:, 1::2] = f0, f1
    return out


def _uniforms_of_blocks(words, double):
    if double:
        return np.stack([uint64_to_double(words[:, 0], words[:, 1]), uint64_to_double(words[:, 2], words[:, 3])],
                        axis=1)
    return _uint32_to_float(words)


# glibc's double log/pow/exp/lgamma, through Python's math module, where an accept/reject decision or a
# discrete result hangs on the last bit (NumPy's SIMD loops may round differently by an ulp, and differently for
# an array's tail than for its body); these run on the few values that reach them.
_libm_log = np.frompyfunc(math.log, 1, 1)
_libm_pow = np.frompyfunc(math.pow, 2, 1)
_libm_exp = np.frompyfunc(math.exp, 1, 1)
_libm_lgamma = np.frompyfunc(math.lgamma, 1, 1)
_libm_sin = np.frompyfunc(math.sin, 1, 1)
_libm_cos = np.frompyfunc(math.cos, 1, 1)


def _log(x):
    return _libm_log(x.astype(np.float64)).astype(np.float64)


def gamma(key, counter, num_samples, alphas, np_dtype):
    """TF's RandomGamma kernel: `num_samples` draws for each alpha (shape [num_samples, len(alphas)]) by
    Marsaglia and Tsang's method, in double whatever the dtype (then rounded to it); alpha 1 is -log(1 - u).
    Output i (alpha-major: i = alpha * num_samples + sample) starts 256 blocks * i into the stream and takes
    double normals and uniforms from it (two per block), each block used from its last value down."""
    double = True
    t = np.float64
    alphas = np.asarray(alphas).astype(t).reshape(-1)
    count = alphas.size * num_samples
    alpha = np.repeat(alphas, num_samples)
    below_one = alpha < t(1)
    d = alpha + np.where(below_one, t(2) / t(3), t(-1) / t(3)).astype(t)
    c = (t(1) / t(3)) / np.sqrt(d)
    per_block = 2 if double else 4
    blocks_used = np.zeros(count, dtype=np.uint64)
    normals = np.zeros((count, per_block), dtype=t)
    uniforms = np.zeros((count, per_block), dtype=t)
    normals_left = np.zeros(count, dtype=np.int64)
    uniforms_left = np.zeros(count, dtype=np.int64)
    result = np.zeros(count, dtype=t)
    active = np.arange(count, dtype=np.int64)
    start = active.astype(np.uint64) * np.uint64(RESERVED_SAMPLES_PER_OUTPUT)

    def refill(rows, into, left, convert):
        words = philox_blocks(key, counter, start[rows] + blocks_used[rows])
        blocks_used[rows] += np.uint64(1)
        into[rows] = convert(words, double)
        left[rows] = per_block

    def take(rows, values, left):
        left[rows] -= 1
        return values[rows, left[rows]]

    exponential = active[alpha == t(1)]
    if exponential.size:
        refill(exponential, uniforms, uniforms_left, _uniforms_of_blocks)
        result[exponential] = -_log(t(1) - take(exponential, uniforms, uniforms_left))
        active = active[alpha != t(1)]
    while active.size:
        refill(active[normals_left[active] == 0], normals, normals_left, _normals_of_blocks)
        x = take(active, normals, normals_left)
        v = t(1) + c[active] * x
        ok = v > t(0)
        rows, x, v = active[ok], x[ok], v[ok]
        v = v * v * v
        refill(rows[uniforms_left[rows] == 0], uniforms, uniforms_left, _uniforms_of_blocks)
        u = take(rows, uniforms, uniforms_left)
        x2 = x * x
        accept = (u < t(1) - t(0.0331) * x2 * x2) | \
            (_log(u) < t(0.5) * x * x + d[rows] * (t(1) - v + _log(v)))
        rows, v = rows[accept], v[accept]
        res = d[rows] * v
        small = below_one[rows]
        if small.any():
            srows = rows[small]
            refill(srows[uniforms_left[srows] == 0], uniforms, uniforms_left, _uniforms_of_blocks)
            extra = take(srows, uniforms, uniforms_left)
            power = _libm_pow(extra, t(1) / alpha[srows]).astype(t)
            res[small] = res[small] * power
        result[rows] = res
        done = np.zeros(count, dtype=bool)
        done[rows] = True
        active = active[~done[active]]
    # output i = alpha * num_samples + sample goes to [sample, alpha]; TensorFlow's threads flush denormal
    # results to zero
    out = result.reshape(alphas.size, num_samples).T.astype(np_dtype)
    out[np.abs(out) < np.finfo(out.dtype).tiny] = 0
    return out


def poisson(key, counter, num_samples, rates):
    """TF's RandomPoissonV2 kernel: `num_samples` draws per rate (shape [num_samples, len(rates)], as float64)
    computed in double whatever the rates' dtype: Knuth's product of uniforms below rate 10, Hormann's
    transformed rejection from 10 on. Output i (rate-major) starts 256 blocks * i into the stream; each block
    gives 2 double uniforms, used from the last down."""
    t = np.float64
    rate_values = np.asarray(rates).astype(t).reshape(-1)
    count = rate_values.size * num_samples
    rate = np.repeat(rate_values, num_samples)
    double = True
    per_block = 2 if double else 4
    start = np.arange(count, dtype=np.uint64) * np.uint64(RESERVED_SAMPLES_PER_OUTPUT)
    blocks_used = np.zeros(count, dtype=np.uint64)
    uniforms = np.zeros((count, per_block), dtype=t)
    left = np.zeros(count, dtype=np.int64)
    result = np.zeros(count, dtype=t)

    def uniform(rows):
        empty = rows[left[rows] == 0]
        if empty.size:
            words = philox_blocks(key, counter, start[empty] + blocks_used[empty])
            blocks_used[empty] += np.uint64(1)
            uniforms[empty] = _uniforms_of_blocks(words, double)
            left[empty] = per_block
        left[rows] -= 1
        return uniforms[rows, left[rows]]

    # Knuth: the number of uniforms whose running product stays above exp(-rate)
    active = np.flatnonzero(rate < t(10))
    exp_neg_rate = _libm_exp(-rate).astype(t)
    product = np.ones(count, dtype=t)
    while active.size:
        product[active] = product[active] * uniform(active)
        done = product[active] <= exp_neg_rate[active]
        active = active[~done]
        result[active] += t(1)
    # Hormann's transformed rejection
    active = np.flatnonzero(rate >= t(10))
    log_rate = _log(rate)
    b = t(0.931) + t(2.53) * np.sqrt(rate)
    a = t(-0.059) + t(0.02483) * b
    inv_alpha = t(1.1239) + t(1.1328) / (b - t(3.4))
    while active.size:
        u = uniform(active) - t(0.5)
        v = uniform(active)
        r, ar, br = rate[active], a[active], b[active]
        u_shifted = t(0.5) - np.abs(u)
        k = np.floor((t(2) * ar / u_shifted + br) * u + r + t(0.43))
        quick = (u_shifted >= t(0.07)) & (v <= t(0.9277) - t(3.6224) / (br - t(2)))
        skip = ~quick & ((k < 0) | ((u_shifted < t(0.013)) & (v > u_shifted)))
        check = ~quick & ~skip
        accept = quick.copy()
        if check.any():
            c = np.flatnonzero(check)
            s = _log(v[c] * inv_alpha[active[c]] / (ar[c] / (u_shifted[c] * u_shifted[c]) + br[c]))
            kc = k[c]
            lg = _libm_lgamma(kc + t(1)).astype(t)
            tt = -r[c] + kc * log_rate[active[c]] - lg
            accept[c] = s <= tt
        result[active[accept]] = k[accept]
        active = active[~accept]
    return result.reshape(rate_values.size, num_samples).T
