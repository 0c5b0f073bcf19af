"""Drawing 10^7 float32 normals (and uniforms; float64 normals too): neuroflow's TensorFlow-exact Philox stream (ops/philox.py; compiled
with numba when installed, and its NumPy-only path) against NumPy's `Generator.standard_normal` /
`Generator.random` (PCG64, ziggurat) in the same process, interleaved (A B A B ...) so machine load hits all
alike; the best of --repeats runs each.

    python benchmarks/random_draw_speed.py               # 10^7 values, 5 repeats
    python benchmarks/random_draw_speed.py --size 1000000 --repeats 9

The NumPy-only path takes logf/sinf/cosf from ops/glibc_float_math.py (glibc's algorithms vectorized); before
that it called the C library value by value near rounding midpoints, and drew 10^7 normals in ~2 s.
float64 normals have no such imitation: NumPy's float64 log differs from glibc's in the last bit for ~0.3% of
values, so the NumPy-only path calls the library's log, sin and cos for each pair (mapped over lists: 0.82x the
time of the earlier object-array calls, 10^6 values in ~140 ms on the 2-core VM; numba's path takes ~20 ms).
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
