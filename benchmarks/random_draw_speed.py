"""Drawing 10^7 float32 normals (and uniforms; float64 normals too): neuroflow's TensorFlow-exact Philox stream (ops/philox.py; compiled
with numba when installed, and its NumPy-only path) against NumPy's `Generator.standard_normal` /
`Generator.random` (PCG64, ziggurat) in the same process, interleaved (A B A B ...) so machine load hits all
alike; the best of --repeats runs each.

    python benchmarks/random_draw_speed.py               # 10^7 values, 5 repeats
    python benchmarks/random_draw_speed.py --size 1000000 --repeats 9

The NumPy-only path takes logf/sinf/cosf from ops/glibc_float_math.py (glibc's algorithms vectorized); before
that it called the C library value by value near rounding midpoints, and drew 10^7 normals in ~2 s.
float64 normals need glibc's log, sin and cos: NumPy's float64 sin and cos, and its log of a reversed view (its
AVX-512 log loop, which differs from glibc's for ~0.3% of values, runs on positive strides only), call the library
on NumPy 2.4 / x86-64; each use is checked once per process on a probe set, else the library is called value by
value over a list. 10^6 values on the NumPy-only path: ~45-70 ms against 176-421 ms before (interleaved A/B,
0.17-0.26x, loaded 2-core VM); numba's compiled path ~20 ms.
"""
import argparse
import time

import numpy as np

from neuroflow.ops import philox


def _best_times(variants, repeats):
    best = {name: float("inf") for name in variants}
    for _ in range(repeats):
        for name, fn in variants.items():
            start = time.perf_counter()
            fn()
            best[name] = min(best[name], time.perf_counter() - start)
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=10 ** 7)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    n = args.size
    stream = philox.PhiloxStream(1234, 5)
    generator = np.random.default_rng(1234)

    def tf_normal():
        key, counter = stream.reserve_outputs(n)
        return philox.standard_normal(key, counter, n, np.float32)

    def tf_uniform():
        key, counter = stream.reserve_outputs(n)
        return philox.uniform(key, counter, n, np.float32)

    def tf_truncated():
        key, counter = stream.reserve_outputs(n)
        return philox.truncated_normal(key, counter, n, np.float32)

    def tf_normal64():
        key, counter = stream.reserve_outputs(n)
        return philox.standard_normal(key, counter, n, np.float64)

    def numpy_only(fn):
        def run():
            saved, philox.COMPILED_MIN_BLOCKS = philox.COMPILED_MIN_BLOCKS, 1 << 62
            try:
                return fn()
            finally:
                philox.COMPILED_MIN_BLOCKS = saved
        return run

    tf_normal(), tf_uniform(), tf_truncated()  # compile (or load numba's cache) outside the timing
    numpy_only(tf_normal)()  # the NumPy path's one-time check of the C library's logf/sinf/cosf
    variants = {"neuroflow normal (TF's Philox + Box-Muller)": tf_normal,
                "numpy Generator.standard_normal float32": lambda: generator.standard_normal(n, np.float32),
                "neuroflow uniform (TF's Philox)": tf_uniform,
                "numpy Generator.random float32": lambda: generator.random(n, np.float32),
                "neuroflow normal, NumPy-only path": numpy_only(tf_normal),
                "neuroflow uniform, NumPy-only path": numpy_only(tf_uniform),
                "neuroflow truncated normal": tf_truncated,
                "neuroflow truncated normal, NumPy-only path": numpy_only(tf_truncated),
                "neuroflow normal float64 (compiled if numba)": tf_normal64,
                "neuroflow normal float64, NumPy-only path": numpy_only(tf_normal64),
                "numpy Generator.standard_normal float64": lambda: generator.standard_normal(n)}
    best = _best_times(variants, args.repeats)
    print(f"{n:,} values, best of {args.repeats} interleaved runs:")
    for name, seconds in best.items():
        print(f"  {name:46s} {seconds * 1e3:8.1f} ms  ({n / seconds / 1e6:6.1f} M values/s)")
    names = list(best)
    print(f"normal: neuroflow / numpy = {best[names[0]] / best[names[1]]:.2f}x;"
          f" uniform: {best[names[2]] / best[names[3]]:.2f}x; NumPy-only path: normal"
          f" {best[names[4]] / best[names[1]]:.2f}x, uniform {best[names[5]] / best[names[3]]:.2f}x;"
          f" truncated normal / numpy normal: {best[names[6]] / best[names[1]]:.2f}x,"
          f" NumPy-only path {best[names[7]] / best[names[1]]:.2f}x; float64 normal / numpy: {best[names[8]] / best[names[10]]:.2f}x,"
          f" NumPy-only path {best[names[9]] / best[names[10]]:.2f}x")


if __name__ == "__main__":
    main()
