"""The fast NumPy path of TF's float32 Box-Muller (ops/glibc_float_math.py: glibc's logf/sinf/cosf vectorized)
gives the C library's own bits: compared with the library called value by value through ctypes, on a spread of
every input Box-Muller can produce, on the inputs nearest a rounding boundary, and on edge inputs (zero,
negatives, subnormals, huge, inf, nan) that glibc handles in other branches. The whole pipeline (words ->
normals) is compared with a value-by-value reference built on ctypes, with and without the compiled path.

Run where the C library is glibc 2.28 or later (whose logf/sinf/cosf these are); elsewhere neuroflow asks the
library for every value, which the last test checks."""
import ctypes
import ctypes.util
import platform

import numpy as np
import pytest

from neuroflow.ops import glibc_float_math, libm_double, philox


def _libm():
    try:
        library = ctypes.CDLL(ctypes.util.find_library("m") or "libm.so.6")
    except OSError:
        return None
    functions = {}
    for name in ("sinf", "cosf", "logf"):
        fn = getattr(library, name)
        fn.restype, fn.argtypes = ctypes.c_float, [ctypes.c_float]
        functions[name] = fn
    return functions


def _is_glibc_2_28_on():
    name, version = platform.libc_ver()
    return name == "glibc" and tuple(int(part) for part in version.split(".")[:2]) >= (2, 28)


LIBM = _libm()
needs_glibc = pytest.mark.skipif(LIBM is None or not _is_glibc_2_28_on(), reason="the C library is not glibc >= 2.28")


@needs_glibc
def test_the_loaded_glibc_is_the_one_imitated():
    assert glibc_float_math.matches_libm(), (
        "this glibc's logf/sinf/cosf round otherwise than the algorithms in ops/glibc_float_math.py, so the NumPy "
        "path of normals asks the library value by value (exact, but slow)")


def _by_value(name, x32):
    fn = LIBM[name]
    return np.array([fn(float(v)) for v in x32.reshape(-1)], dtype=np.float32).reshape(x32.shape)


def _same_bits(got, want):
    got, want = np.asarray(got, np.float32), np.asarray(want, np.float32)
    differ = got.view(np.uint32) != want.view(np.uint32)
    differ &= ~(np.isnan(got) & np.isnan(want))
    return np.flatnonzero(differ)


def _box_muller_inputs(step, offset=0):
    """Box-Muller's u = k * 2^-23 (clamped at 1e-7) and v = float32(2 * pi * u) for every step-th k."""
    u = (np.arange(1 + offset, 1 << 23, step, dtype=np.float64) * 2.0 ** -23).astype(np.float32)
    v = (u.astype(np.float64) * (2 * np.pi)).astype(np.float32)
    return np.maximum(u, np.float32(1e-7)), v


def _near_midpoint(exact64, share):
    """Indices of the `share` of values whose double lies nearest a float32 rounding midpoint."""
    rounded = exact64.astype(np.float32).astype(np.float64)
    ulp = np.spacing(np.abs(exact64.astype(np.float32))).astype(np.float64)
    distance = np.abs(np.abs(exact64 - rounded) / ulp - 0.5)
    return np.argsort(distance)[:int(share * exact64.size)]


@needs_glibc
def test_logf_equals_the_library_on_box_muller_inputs():
    u, _ = _box_muller_inputs(step=97, offset=13)
    hard = u[_near_midpoint(np.log(u.astype(np.float64)), 0.2)]  # where a float64 log rounds ambiguously
    for x in (u, hard):
        assert _same_bits(glibc_float_math.logf(x), _by_value("logf", x)).size == 0


@needs_glibc
def test_sincosf_equals_the_library_on_box_muller_inputs():
    _, v = _box_muller_inputs(step=97, offset=29)
    x64 = v.astype(np.float64)
    hard = np.union1d(v[_near_midpoint(np.sin(x64), 0.1)], v[_near_midpoint(np.cos(x64), 0.1)])
    for x in (v, hard):
        sin, cos = glibc_float_math.sincosf(x)
        assert _same_bits(sin, _by_value("sinf", x)).size == 0
        assert _same_bits(cos, _by_value("cosf", x)).size == 0


EDGES = np.array([0.0, -0.0, 1.0, -1.0, 1e-7, 1 - 2 ** -24, 2 ** -126, 2 ** -149, 3e-39, -3e-39, 2 ** -12,
                  np.nextafter(np.float32(2 ** -12), np.float32(0)), 0.75, np.nextafter(np.float32(0.75), 0),
                  np.pi / 4, np.pi / 2, np.pi, 3 * np.pi / 2, 2 * np.pi, -np.pi / 2, -2.5, 119.99, 120.0, -120.0,
                  1000.0, 3.4e38, -3.4e38, np.inf, -np.inf, np.nan], dtype=np.float32)


@needs_glibc
def test_edge_inputs_take_the_librarys_values():
    # slices of several sizes, so the edges land in first and later chunks and in a short last one
    x = np.concatenate([EDGES, np.linspace(-130, 130, glibc_float_math.CHUNK + 7, dtype=np.float32), EDGES])
    sin, cos = glibc_float_math.sincosf(x)
    assert _same_bits(sin, _by_value("sinf", x)).size == 0
    assert _same_bits(cos, _by_value("cosf", x)).size == 0
    positive = np.concatenate([EDGES, np.geomspace(1e-38, 1e38, 5001, dtype=np.float32)])
    assert _same_bits(glibc_float_math.logf(positive), _by_value("logf", positive)).size == 0


def _reference_box_muller(x0, x1):
    """TF's BoxMullerFloat value by value with the library's functions (random_distributions.h)."""
    f0, f1 = np.empty(x0.size, np.float32), np.empty(x0.size, np.float32)
    for i, (a, b) in enumerate(zip(x0.tolist(), x1.tolist())):
        u1 = max(np.float32(np.uint32((a & 0x7FFFFF) | 0x3F800000).view(np.float32) - np.float32(1)),
                 np.float32(1e-7))
        u = np.float32(np.uint32((b & 0x7FFFFF) | 0x3F800000).view(np.float32) - np.float32(1))
        v = np.float32(2.0 * np.pi * float(u))
        radius = np.sqrt(np.float32(-2.0) * np.float32(LIBM["logf"](float(u1))))
        f0[i] = np.float32(LIBM["sinf"](float(v))) * radius
        f1[i] = np.float32(LIBM["cosf"](float(v))) * radius
    return f0, f1


def _words(count, seed):
    words = np.random.default_rng(seed).integers(0, 1 << 32, size=(2, count), dtype=np.uint32)
    # the smallest uniforms (clamped to 1e-7), zero, one ulp below 1, and the top bits that the mantissa ignores
    edges = np.array([0, 1, 2, 0x7FFFFF, 0x7FFFFE, 0x800000, 0xFFFFFFFF, 0x80000001], dtype=np.uint32)
    words[0, :edges.size] = edges
    words[1, -edges.size:] = edges
    return words


@needs_glibc
@pytest.mark.parametrize("path", ["numpy", "compiled"])
def test_box_muller_float_equals_the_value_by_value_reference(path, monkeypatch):
    if path == "compiled":
        if not philox._compiled_available():
            pytest.skip("numba is not installed (or NEUROFLOW_NUMBA=0)")
        monkeypatch.setattr(philox, "COMPILED_MIN_BLOCKS", 1)
    else:
        monkeypatch.setattr(philox, "COMPILED_MIN_BLOCKS", 1 << 62)
    x0, x1 = _words(glibc_float_math.CHUNK + 1001, seed=7)
    f0, f1 = philox.box_muller_float(x0, x1)
    r0, r1 = _reference_box_muller(x0, x1)
    assert _same_bits(f0, r0).size == 0 and _same_bits(f1, r1).size == 0


@pytest.mark.skipif(LIBM is None, reason="no C math library")
def test_a_library_computing_otherwise_is_asked_for_every_value(monkeypatch):
    monkeypatch.setattr(glibc_float_math, "_matches", [False])
    monkeypatch.setattr(philox, "COMPILED_MIN_BLOCKS", 1 << 62)
    called = []
    real = glibc_float_math.logf
    monkeypatch.setattr(glibc_float_math, "logf", lambda *args: called.append(1) or real(*args))
    x0, x1 = _words(3001, seed=11)
    f0, f1 = philox.box_muller_float(x0, x1)
    r0, r1 = _reference_box_muller(x0, x1)
    assert not called
    assert _same_bits(f0, r0).size == 0 and _same_bits(f1, r1).size == 0


def _philox_python(key, counter):
    """Philox4x32-10 of one 128-bit counter, in Python ints (Salmon et al.; TF's philox_random.h)."""
    words = [(counter >> (32 * i)) & 0xFFFFFFFF for i in range(4)]
    k0, k1 = key & 0xFFFFFFFF, key >> 32
    for _ in range(10):
        p0, p1 = words[0] * 0xD2511F53, words[2] * 0xCD9E8D57
        words = [((p1 >> 32) ^ words[1] ^ k0) & 0xFFFFFFFF, p1 & 0xFFFFFFFF,
                 ((p0 >> 32) ^ words[3] ^ k1) & 0xFFFFFFFF, p0 & 0xFFFFFFFF]
        k0, k1 = (k0 + 0x9E3779B9) & 0xFFFFFFFF, (k1 + 0xBB67AE85) & 0xFFFFFFFF
    return words


@pytest.mark.parametrize("counter", [(5 << 64) + 3, (1 << 64) - 9000, (1 << 128) - 9000])
def test_consecutive_slices_carry_the_counter_like_python_philox(counter):
    # slices of _CHUNK_BLOCKS blocks; the counter's low half (and the whole counter) wraps inside the second one
    key = 0xFEDCBA9876543210
    count = philox._CHUNK_BLOCKS + 9100
    lanes = np.concatenate([part.copy() for _, part in philox._consecutive_lane_slices(key, counter, count)], 1)
    for block in (0, 1, philox._CHUNK_BLOCKS - 1, philox._CHUNK_BLOCKS, 8999, 9000, 9001, count - 1):
        assert lanes[:, block].tolist() == _philox_python(key, (counter + block) % (1 << 128)), block


def test_numpy_path_of_draws_spanning_several_slices_equals_the_reference(monkeypatch):
    monkeypatch.setattr(philox, "COMPILED_MIN_BLOCKS", 1 << 62)
    key, counter, size = 99, (7 << 64) + 11, 4 * (2 * philox._CHUNK_BLOCKS + 5) + 3  # odd: the last block cut
    w0, w1, w2, w3 = philox.philox_lanes(key, counter, np.arange((size + 3) // 4))
    words = np.stack([w0, w1, w2, w3], axis=1).reshape(-1)[:size]
    uniforms = ((words & 0x7FFFFF) | 0x3F800000).view(np.float32) - np.float32(1)
    assert _same_bits(philox.uniform(key, counter, size, np.float32), uniforms).size == 0
    if LIBM is None:
        pytest.skip("no C math library for the Box-Muller reference")
    sines, cosines = _reference_box_muller(np.concatenate([w0, w2]), np.concatenate([w1, w3]))
    half = w0.size
    normals = np.stack([sines[:half], cosines[:half], sines[half:], cosines[half:]], axis=1).reshape(-1)[:size]
    assert _same_bits(philox.standard_normal(key, counter, size, np.float32), normals).size == 0


def _reference_truncated_normal(key, counter, size):
    """TF's TruncatedNormalDistribution value by value: group g of four values starts 256 blocks * g into the
    stream and keeps the Box-Muller values with |x| < 2, in order, block after block."""
    values = []
    for group in range((size + 3) // 4):
        kept, block = [], 0
        while len(kept) < 4:
            w = _philox_python(key, (counter + 256 * group + block) % (1 << 128))
            block += 1
            s0, c0 = _reference_box_muller(np.array([w[0]], np.uint32), np.array([w[1]], np.uint32))
            s1, c1 = _reference_box_muller(np.array([w[2]], np.uint32), np.array([w[3]], np.uint32))
            kept += [x for x in (s0[0], c0[0], s1[0], c1[0]) if abs(x) < 2][:4 - len(kept)]
        values += kept
    return np.array(values[:size], dtype=np.float32)


@needs_glibc
def test_numpy_path_of_truncated_normals_spanning_several_slices_equals_the_reference(monkeypatch):
    monkeypatch.setattr(philox, "COMPILED_MIN_BLOCKS", 1 << 62)
    key, counter, size = 5, (3 << 64) + 1, 4 * (glibc_float_math.CHUNK // 2 + 300) + 2
    got = philox.truncated_normal(key, counter, size, np.float32)
    assert _same_bits(got, _reference_truncated_normal(key, counter, size)).size == 0


def test_without_a_c_library_the_imitation_stands_and_other_inputs_get_numpys_values(monkeypatch):
    monkeypatch.setattr(glibc_float_math, "_libm", [None])
    monkeypatch.setattr(glibc_float_math, "_matches", [])
    assert glibc_float_math.matches_libm()
    u, v = _box_muller_inputs(step=997, offset=5)
    x = np.concatenate([v, EDGES])
    sin, cos = glibc_float_math.sincosf(x)
    logs = glibc_float_math.logf(np.concatenate([u, EDGES]))
    edges64 = EDGES.astype(np.float64)
    outside = ~(np.abs(EDGES) < 120)
    no_log = ~((EDGES >= np.finfo(np.float32).tiny) & (EDGES < np.inf))
    with np.errstate(invalid="ignore", divide="ignore"):
        np.testing.assert_array_equal(sin[v.size:][outside], np.sin(edges64[outside]).astype(np.float32))
        np.testing.assert_array_equal(logs[u.size:][no_log], np.log(edges64[no_log]).astype(np.float32))
    if LIBM is not None and _is_glibc_2_28_on():  # and the rest is still glibc's
        assert _same_bits(sin[:v.size], _by_value("sinf", v)).size == 0
        assert _same_bits(cos[:v.size], _by_value("cosf", v)).size == 0
        assert _same_bits(logs[:u.size], _by_value("logf", u)).size == 0


def _reference_double_normals(key, counter, size):
    """TF's NormalDistribution<double> value by value: each block's four words make two doubles in [0, 1) (52
    mantissa bits: the low 20 of words 0 and 2 above all of words 1 and 3), and BoxMullerDouble turns them into
    two normals with the C library's log, sin and cos, called through ctypes."""
    library = ctypes.CDLL(ctypes.util.find_library("m") or "libm.so.6")
    log, sin, cos, sqrt = library.log, library.sin, library.cos, library.sqrt
    for fn in (log, sin, cos, sqrt):
        fn.restype, fn.argtypes = ctypes.c_double, [ctypes.c_double]
    values = []
    for block in range((size + 1) // 2):
        w = _philox_python(key, (counter + block) % (1 << 128))
        u = (((w[0] & 0xFFFFF) << 32) | w[1]) / 2.0 ** 52  # exact: 52 bits
        v = (((w[2] & 0xFFFFF) << 32) | w[3]) / 2.0 ** 52
        radius = sqrt(-2.0 * log(max(u, 1.0e-7)))
        angle = 2 * np.pi * v
        values += [sin(angle) * radius, cos(angle) * radius]
    return np.array(values[:size])


@needs_glibc
@pytest.mark.parametrize("numpy_loops", ["as checked", "refused"])  # refused: the library called for each value
@pytest.mark.parametrize("size", [1, 2 * libm_double.NUMPY_LOOPS_MIN_PAIRS + 7])  # the second: NumPy's loops, if fit
def test_numpy_path_of_double_normals_equals_the_value_by_value_reference(monkeypatch, size, numpy_loops):
    monkeypatch.setattr(philox, "COMPILED_MIN_BLOCKS", 1 << 62)
    if numpy_loops == "refused":
        monkeypatch.setattr(libm_double, "_NUMPY_IS_THE_LIBRARY", {"sin, cos": False, "reversed log": False})
    key, counter = 0xABCDEF0123456789, (9 << 64) + (1 << 64) - 5  # the counter's low half wraps at block 5
    got = philox.standard_normal(key, counter, size, np.float64)
    want = _reference_double_normals(key, counter, size)
    assert got.dtype == np.float64 and got.shape == (size,)
    assert np.flatnonzero(got.view(np.uint64) != want.view(np.uint64)).size == 0


def test_the_check_of_numpys_double_functions_catches_a_rare_last_bit_difference():
    """NumPy's loops are used for BoxMullerDouble only where they give the library's bits on the probes: a function
    one ulp off on every 5000th value (NumPy's forward log differs from glibc's on ~1 in 300) is refused."""
    import math
    angles, radii = libm_double.probe_angles(), libm_double.probe_radii()
    assert angles.min() >= 0 and angles.max() < 2 * np.pi and radii.min() > 0 and radii.max() < 1

    def rarely_off(function):
        def computed(values):
            out = np.array(function(values))
            out[::5000] = np.nextafter(out[::5000], np.inf)
            return out
        return computed

    assert libm_double.numpy_matches_library(lambda v: np.array([math.sin(x) for x in v]), math.sin, angles)
    assert not libm_double.numpy_matches_library(rarely_off(lambda v: [math.sin(x) for x in v]), math.sin, angles)
    assert not libm_double.numpy_matches_library(rarely_off(lambda v: [math.log(x) for x in v]), math.log, radii)
