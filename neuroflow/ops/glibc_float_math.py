"""The C library's float `logf`, `sinf` and `cosf`, bit for bit, vectorized in NumPy: TensorFlow's Box-Muller
kernel calls them, and they are not correctly rounded, so TF's normals carry their last bits.

glibc (2.28 on) computes each of them in double (a 16-entry table and a short polynomial for logf; a reduction
by pi/2 and a polynomial for sinf/cosf) and rounds the double to float once. The same double arithmetic here,
in the same order, gives the same double, except that the library may be compiled with fused multiply-adds
(glibc's FMA variants on x86-64), which changes that double by a few of its last bits. So each value comes with
a bound on that difference; where the bound straddles a float rounding boundary (a few values in a million) the
library itself is asked, in one batch. On first use the imitation is checked against the loaded library on a
spread of Box-Muller's inputs; a library that rounds otherwise (musl, macOS, a future glibc) makes
`matches_libm()` false and callers ask that library for every value. On glibc 2.36 (x86-64, FMA build) all 2^23
float32 inputs Box-Muller can produce give the library's bits (tests/test_philox_speed_paths.py samples them).
"""
import numpy as np

__all__ = ["logf", "sincosf", "matches_libm", "libm_float_functions", "Workspace", "CHUNK"]

# glibc's logf table (sysdeps/ieee754/flt-32/e_logf_data.c): per subinterval of [0x3f330000, 2 * that), 1/c and
# log(c) for c near its centre; then ln 2 and the polynomial for log1p(r).
_LOGF_INVC = np.array([float.fromhex(h) for h in (
    "0x1.661ec79f8f3bep+0", "0x1.571ed4aaf883dp+0", "0x1.49539f0f010bp+0", "0x1.3c995b0b80385p+0",
    "0x1.30d190c8864a5p+0", "0x1.25e227b0b8eap+0", "0x1.1bb4a4a1a343fp+0", "0x1.12358f08ae5bap+0",
    "0x1.0953f419900a7p+0", "0x1p+0", "0x1.e608cfd9a47acp-1", "0x1.ca4b31f026aap-1",
    "0x1.b2036576afce6p-1", "0x1.9c2d163a1aa2dp-1", "0x1.886e6037841edp-1", "0x1.767dcf5534862p-1")])
_LOGF_LOGC = np.array([float.fromhex(h) for h in (
    "-0x1.57bf7808caadep-2", "-0x1.2bef0a7c06ddbp-2", "-0x1.01eae7f513a67p-2", "-0x1.b31d8a68224e9p-3",
    "-0x1.6574f0ac07758p-3", "-0x1.1aa2bc79c81p-3", "-0x1.a4e76ce8c0e5ep-4", "-0x1.1973c5a611cccp-4",
    "-0x1.252f438e10c1ep-5", "0x0p+0", "0x1.aa5aa5df25984p-5", "0x1.c5e53aa362eb4p-4",
    "0x1.526e57720db08p-3", "0x1.bc2860d22477p-3", "0x1.1058bc8a07ee1p-2", "0x1.4043057b6ee09p-2")])
_LN2 = float.fromhex("0x1.62e42fefa39efp-1")
_LOGF_A0, _LOGF_A1, _LOGF_A2 = (float.fromhex(h) for h in (
    "-0x1.00ea348b88334p-2", "0x1.5575b0be00b6ap-2", "-0x1.ffffef20a4123p-2"))
_LOGF_OFF = np.uint32(0x3F330000)

# glibc's sinf/cosf constants (s_sincosf_data.c, x86-64: no round-to-int instructions, so 2/pi scaled by 2^24)
_HPI_INV_SCALED = float.fromhex("0x1.45F306DC9C883p+23")
_HPI = float.fromhex("0x1.921FB54442D18p0")
_C0, _C1, _C2, _C3, _C4 = (float.fromhex(h) for h in (
    "0x1p0", "-0x1.ffffffd0c621cp-2", "0x1.55553e1068f19p-5", "-0x1.6c087e89a359dp-10", "0x1.99343027bf8c3p-16"))
_S1, _S2, _S3 = (float.fromhex(h) for h in ("-0x1.555545995a603p-3", "0x1.1107605230bc4p-7",
                                            "-0x1.994eb3774cf24p-13"))
# glibc skips the reduction below |y| = 0.75 (its pi/4 compared on the top 12 bits), where reducing gives n = 0
# and the same x, so it is not told apart here; below 2^-12 it returns y (sin) and 1 (cos); from 120 on it reduces
# with a 4/pi table, which is not imitated: the library is asked there.

# How far the library's double may lie from ours. Each fused multiply-add rounds once instead of twice: it moves
# a result by at most 2^-53 of the product, the products here are below 2 * (|k| + 1) for logf (k * ln 2 and
# z * invc) and 2 * (|n| + 1) for sinf/cosf (n * pi/2 in the reduction, carried through the polynomials); so the
# bound is 2^-48 * (|k| + 2) (or |n|), eight or more times what it has to be.
_SLACK = 2.0 ** -48
# Values are computed in slices of this many, so that the dozen work arrays stay in the CPU cache (2^14 drew 10^7
# normals ~15% faster than 2^13 on a 1 MiB L2; 2^15 was no better).
CHUNK = 1 << 14


class Workspace:
    """Work arrays for slices of up to CHUNK values (those named "pair..." twice that: sin and cos together),
    reused slice after slice: one per caller's loop, so threads never share them."""

    def __init__(self, size):
        self.size = min(size, CHUNK)
        self._arrays = {}

    def __call__(self, name, dtype, length):
        array = self._arrays.get(name)
        if array is None:
            array = self._arrays[name] = np.empty(self.size * (2 if name.startswith("pair") else 1), dtype)
        return array[:length]


def _logf_slice(x32, out, work):
    """glibc's logf of one slice; returns the indices where the library must be asked."""
    n = x32.size
    ix = x32.view(np.uint32)
    tmp = work("u32a", np.uint32, n)
    np.subtract(ix, _LOGF_OFF, out=tmp)
    index = work("u32b", np.uint32, n)
    np.right_shift(tmp, np.uint32(19), out=index)
    index &= np.uint32(15)
    k = work("f64k", np.float64, n)
    np.copyto(k, np.right_shift(tmp.view(np.int32), np.int32(23)), casting="unsafe")
    tmp &= np.uint32(0x1FF << 23)
    np.subtract(ix, tmp, out=tmp)  # the float z in [OFF, 2 * OFF) with x's mantissa
    r = work("f64r", np.float64, n)
    np.copyto(r, tmp.view(np.float32))
    table = work("f64t", np.float64, n)
    np.take(_LOGF_INVC, index, out=table)
    r *= table
    r -= 1.0
    y0 = work("f64y0", np.float64, n)
    np.multiply(k, _LN2, out=y0)
    np.take(_LOGF_LOGC, index, out=table)
    y0 += table
    r2 = work("f64r2", np.float64, n)
    np.multiply(r, r, out=r2)
    y = work("pair_y", np.float64, n)
    np.multiply(r, _LOGF_A1, out=y)
    y += _LOGF_A2
    np.multiply(r2, _LOGF_A0, out=table)
    y += table
    y *= r2
    y0 += r
    y += y0
    bound = work("pair_b", np.float64, n)
    np.abs(k, out=bound)
    bound += 2.0
    bound *= _SLACK
    unsure = _round(y, bound, out, work)
    # zero, negatives, subnormals, inf and nan take glibc's other branches
    tmp[:] = ix
    tmp -= np.uint32(0x00800000)
    if tmp.max() >= np.uint32(0x7F800000 - 0x00800000):
        unsure = np.union1d(unsure, np.flatnonzero(tmp >= np.uint32(0x7F800000 - 0x00800000)))
    return unsure


def _sincosf_slice(x32, sin_out, cos_out, work):
    """glibc's sinf and cosf of one slice; returns the indices where the library must be asked (for both)."""
    n = x32.size
    x = work("f64x", np.float64, n)
    np.copyto(x, x32)
    # reduce_fast: the quadrant n from 2/pi * 2^24 * x truncated to an int, plus 2^23, shifted right by 24
    quadrant = work("f64n", np.float64, n)
    np.multiply(x, _HPI_INV_SCALED, out=quadrant)
    np.trunc(quadrant, out=quadrant)
    quadrant += 2.0 ** 23
    quadrant *= 2.0 ** -24
    np.floor(quadrant, out=quadrant)
    xr = work("f64xr", np.float64, n)
    np.multiply(quadrant, _HPI, out=xr)
    np.subtract(x, xr, out=xr)
    x2 = work("f64x2", np.float64, n)
    np.multiply(xr, xr, out=x2)
    # sin polynomial: x + x^3 * S1 + x^7 * (S2 + x^2 * S3), in glibc's order
    x3 = work("f64a", np.float64, n)
    np.multiply(xr, x2, out=x3)
    s1 = work("f64b", np.float64, n)
    np.multiply(x2, _S3, out=s1)
    s1 += _S2
    x7 = work("f64c", np.float64, n)
    np.multiply(x3, x2, out=x7)
    sin_poly = x3
    sin_poly *= _S1
    sin_poly += xr
    x7 *= s1
    sin_poly += x7
    # cos polynomial: C0 + x^2 * C1 + x^4 * C2 + x^6 * (C3 + x^2 * C4)
    x4 = s1
    np.multiply(x2, x2, out=x4)
    c2 = x7
    np.multiply(x2, _C4, out=c2)
    c2 += _C3
    cos_poly = work("f64d", np.float64, n)
    np.multiply(x2, _C1, out=cos_poly)
    cos_poly += _C0
    np.multiply(x4, _C2, out=xr)
    cos_poly += xr
    x4 *= x2
    x4 *= c2
    cos_poly += x4
    # quadrant q = n mod 4: sin = (s, c, -s, -c)[q] and cos = (c, -s, -c, s)[q], that is sin = s*A + c*B and
    # cos = c*A - s*B with A = (1, 0, -1, 0)[q] and B = (0, 1, 0, -1)[q]: products by 0 and +-1 and sums with a
    # zero are exact, so these are glibc's values (its odd quadrants use the other polynomial, negated or not)
    q = work("f64x", np.float64, n)  # x, xr and x2 are free from here on
    np.multiply(quadrant, 0.25, out=q)
    np.floor(q, out=q)
    q *= -4.0
    q += quadrant
    odd = work("f64xr", np.float64, n)
    np.multiply(q, 0.5, out=odd)
    np.floor(odd, out=odd)
    odd *= -2.0
    odd += q
    b_factor = work("f64x2", np.float64, n)
    np.subtract(2.0, q, out=b_factor)
    b_factor *= odd  # (2 - q) * odd
    a_factor = odd
    a_factor -= 1.0
    q -= 1.0
    a_factor *= q  # (1 - odd) * (1 - q)
    both = work("pair_y", np.float64, 2 * n)
    sin, cos = both[:n], both[n:]
    np.multiply(sin_poly, a_factor, out=sin)
    np.multiply(cos_poly, b_factor, out=q)
    sin += q
    np.multiply(cos_poly, a_factor, out=cos)
    np.multiply(sin_poly, b_factor, out=q)
    cos -= q
    np.abs(quadrant, out=quadrant)
    quadrant += 2.0
    quadrant *= _SLACK
    both_out = work("pair_f32", np.float32, 2 * n)
    unsure = _round(both.reshape(2, n), quadrant, both_out.reshape(2, n), work)
    sin_out[...] = both_out[:n]
    cos_out[...] = both_out[n:]
    unsure %= n  # an index may come twice (sin and cos): the library is then asked twice
    # |x| < 2^-12: sin x = x and cos x = 1 (the polynomials round to those too, but for the sign of -0); from 120
    # on (and inf, nan) glibc reduces otherwise: ask it
    low, high = x32.min(), x32.max()
    if low < 2.0 ** -12 and high > -2.0 ** -12:
        tiny = np.abs(x32) < 2.0 ** -12
        sin_out[tiny] = x32[tiny]
        cos_out[tiny] = 1.0
    if not (low > -120.0 and high < 120.0):
        unsure = np.union1d(unsure, np.flatnonzero(~(np.abs(x32) < 120.0)))
    return unsure


def _round(y, bound, out, work):
    """float32 of `y` into `out`, where y - bound and y + bound round to the same float; the indices (into the
    flattened y) where they do not, which get float32(y) here but are the library's to decide."""
    low = out
    wide = work("pair_wide", np.float64, y.size).reshape(y.shape)
    np.subtract(y, bound, out=wide)
    np.copyto(low, wide, casting="same_kind")
    high = work("pair_high", np.float32, y.size).reshape(y.shape)
    np.add(y, bound, out=wide)
    np.copyto(high, wide, casting="same_kind")
    differ = work("pair_differ", np.bool_, y.size).reshape(y.shape)
    np.not_equal(low, high, out=differ)
    unsure = np.flatnonzero(differ)
    if unsure.size:
        out.reshape(-1)[unsure] = y.reshape(-1)[unsure]
    return unsure


def _ask_libm(name, args, out, indices):
    """The library's `name` at args[indices] into out[indices]. Without a library, the imitation's values stay,
    and inputs it does not cover get NumPy's double function, rounded."""
    if not indices.size:
        return
    functions = libm_float_functions()
    if functions is not None:
        out[indices] = functions[name](args[indices]).astype(np.float32)
        return
    asked = args[indices]
    if name == "logf":
        covered = (asked >= np.finfo(np.float32).tiny) & (asked < np.inf)
    else:
        covered = np.abs(asked) < 120.0
    function = {"logf": np.log, "sinf": np.sin, "cosf": np.cos}[name]
    out[indices[~covered]] = function(asked[~covered].astype(np.float64)).astype(np.float32)


def logf(x32, work=None, out=None):
    """glibc's logf of each value of a float32 array (`work`: a Workspace to reuse; `out`: where to write)."""
    x32 = np.ascontiguousarray(x32, dtype=np.float32)
    flat = x32.reshape(-1)
    result = np.empty(x32.shape, dtype=np.float32) if out is None else out
    flat_out = result.reshape(-1)
    work = Workspace(flat.size) if work is None else work
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        for start in range(0, flat.size, CHUNK):
            part = slice(start, start + CHUNK)
            _ask_libm("logf", flat[part], flat_out[part], _logf_slice(flat[part], flat_out[part], work))
    return result


def sincosf(x32, work=None, sin_out=None, cos_out=None):
    """(glibc's sinf, glibc's cosf) of each value of a float32 array (`work`: a Workspace to reuse; `sin_out`,
    `cos_out`: where to write)."""
    x32 = np.ascontiguousarray(x32, dtype=np.float32)
    flat = x32.reshape(-1)
    sin = np.empty(x32.shape, dtype=np.float32) if sin_out is None else sin_out
    cos = np.empty(x32.shape, dtype=np.float32) if cos_out is None else cos_out
    flat_sin, flat_cos = sin.reshape(-1), cos.reshape(-1)
    work = Workspace(flat.size) if work is None else work
    with np.errstate(invalid="ignore", over="ignore"):
        for start in range(0, flat.size, CHUNK):
            part = slice(start, start + CHUNK)
            unsure = _sincosf_slice(flat[part], flat_sin[part], flat_cos[part], work)
            _ask_libm("sinf", flat[part], flat_sin[part], unsure)
            _ask_libm("cosf", flat[part], flat_cos[part], unsure)
    return sin, cos


_matches = []


def matches_libm():
    """Whether the loaded C library's logf, sinf and cosf give this module's values (checked once, on a spread
    of Box-Muller's inputs: every 2039th float32 of [0, 1) and 2*pi times it); True where there is none."""
    if not _matches:
        functions = libm_float_functions()
        agree = True
        if functions is not None:
            u = (np.arange(1, 1 << 23, 2039, dtype=np.float64) * 2.0 ** -23).astype(np.float32)
            v = (u.astype(np.float64) * (2 * np.pi)).astype(np.float32)
            sin, cos = sincosf(v)
            agree = (np.array_equal(logf(u), functions["logf"](u).astype(np.float32))
                     and np.array_equal(sin, functions["sinf"](v).astype(np.float32))
                     and np.array_equal(cos, functions["cosf"](v).astype(np.float32)))
        _matches.append(bool(agree))
    return _matches[0]


_libm = []


def libm_float_functions():
    """{"sinf", "cosf", "logf"}: the C library's float functions as ufuncs over float32 arrays (one call per
    value), or None where no C math library can be loaded."""
    if not _libm:
        import ctypes
        import ctypes.util
        try:
            library = ctypes.CDLL(ctypes.util.find_library("m") or "libm.so.6")
            functions = {}
            for name in ("sinf", "cosf", "logf"):
                fn = getattr(library, name)
                fn.restype, fn.argtypes = ctypes.c_float, [ctypes.c_float]
                functions[name] = np.frompyfunc(fn, 1, 1)
            _libm.append(functions)
        except (OSError, AttributeError):
            _libm.append(None)
    return _libm[0]
