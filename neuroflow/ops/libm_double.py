"""The C library's double-precision log, sin and cos, bit for bit, for TensorFlow's BoxMullerDouble (ops/philox.py):
NumPy's own loops where a once-per-process probe shows them giving the library's bits, else the library called
value by value (mapped over Python lists: faster than an object array, the same calls)."""
import math

import numpy as np

__all__ = ["NUMPY_LOOPS_MIN_PAIRS", "library_log", "libm_each", "numpy_is_the_library", "numpy_matches_library",
           "probe_angles", "probe_radii"]

_TWO_PI = 2 * np.pi


def library_log(values, numpy_loops=True):
    """The C library's log of each double in `values` (in [1e-7, 1), Box-Muller's radii). NumPy's float64 log has
    a vector loop of its own (AVX-512 on x86-64) that differs from glibc's in the last bit for ~0.3% of values;
    it runs on positive strides only, and NumPy calls the library for a reversed view, checked once per process."""
    if numpy_loops and numpy_is_the_library("reversed log"):
        return np.log(values.reshape(-1)[::-1])[::-1].reshape(values.shape)
    return libm_each(math.log, values.reshape(-1).tolist()).reshape(values.shape)


# From this many Box-Muller pairs on, NumPy's sin, cos and (reversed) log are used where they are the library's.
NUMPY_LOOPS_MIN_PAIRS = 1 << 14
_NUMPY_IS_THE_LIBRARY = {}  # "sin, cos" / "reversed log": whether NumPy gives the C library's bits, once decided


def numpy_is_the_library(which):
    """Whether NumPy's float64 sin and cos (on Box-Muller's angles), or its log of a reversed view (on the radii),
    give the C library's bits; decided once per process on a probe set. NumPy builds without a vector loop of
    their own call the library (NumPy 2.4 on x86-64: sin and cos on 2 * 10^7 angles, the reversed log on 10^6
    radii, without a difference); a build whose loops compute otherwise differs in a share of the probes, as the
    forward log does in ~0.3% of values, and keeps the library call for each value."""
    if which not in _NUMPY_IS_THE_LIBRARY:
        if which == "sin, cos":
            angles = probe_angles()
            same = (numpy_matches_library(np.sin, math.sin, angles) and
                    numpy_matches_library(np.cos, math.cos, angles))
        else:
            same = numpy_matches_library(lambda v: np.log(v[::-1])[::-1], math.log, probe_radii())
        _NUMPY_IS_THE_LIBRARY[which] = same
    return _NUMPY_IS_THE_LIBRARY[which]


def probe_angles():
    """2^16 angles spread over [0, 2*pi) (the domain of BoxMullerDouble's angle), and angles within 10^-9 of each
    multiple of pi/4, where the library's argument reduction changes branch."""
    spread = np.random.default_rng(20261207).random(1 << 16) * _TWO_PI
    near = (np.arange(9)[:, None] * (np.pi / 4) + np.linspace(-1e-9, 1e-9, 101)).reshape(-1)
    return np.concatenate([spread, near[(near >= 0) & (near < _TWO_PI)]])


def probe_radii():
    """2^16 values spread over [1e-7, 1) (BoxMullerDouble's u), the doubles just below 1 (where log takes another
    branch), and powers of two down to 2^-24."""
    spread = np.random.default_rng(20261208).random(1 << 16) + 1.0e-7
    below_one = 1.0 - np.arange(1, 2049) * 2.0 ** -53
    return np.concatenate([np.minimum(spread, np.nextafter(1.0, 0.0)), below_one, 2.0 ** -np.arange(1, 25.0)])


def numpy_matches_library(numpy_function, library_function, values):
    """Whether `numpy_function` gives `library_function`'s bits (a math-module function) on each of `values`."""
    got = numpy_function(values)
    want = libm_each(library_function, values.tolist())
    return bool(np.array_equal(got.view(np.uint64), want.view(np.uint64)))


def libm_each(function, values):
    """`function` (one of the math module's, i.e. the C library's) of each float in the list `values`, as a float64
    array. NumPy's own log differs from glibc's in the last bit for ~0.3% of values (its AVX-512 loop), so
    TensorFlow's bits need the library call; mapped over a list, not through an object array (faster, the same
    calls)."""
    return np.fromiter(map(function, values), np.float64, len(values))
