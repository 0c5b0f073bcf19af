"""Compile time against graph size: the first `Session.run` of the gradient of a long chain of ops compiles
its Plan (lowering, passes, shape specialization, code generation); later runs only execute it. Each size runs
in a fresh process so memory figures do not mix. Prints one line per size:
`ops <forward ops> graph <all ops> gradients <s> first_run <s> (<ms> per graph op) warm_run <s>
rss_held_after_close <MB>`; linear compilation keeps the per-op figure flat across sizes (tests/test_compile_linear.py
checks the same with counted Python calls, which load on the machine cannot blur).

Run from a clone: `python benchmarks/compile_time.py [--sizes 1000 10000 20000]`.
"""
import argparse
import gc
import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2 ** 20


def measure(size):
    """Builds a chain of `size` ops, differentiates it and times the first and a warm run."""
    sys.path.insert(0, ROOT)
    import numpy as np
    import neuroflow as tf

    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, [None, 4])
        w = tf.Variable(np.linspace(0.1, 1.0, 4).astype(np.float32))
        y = x * w
        for _ in range(size):
            y = tf.sin(y)
        start = time.perf_counter()
        grad, = tf.gradients(tf.reduce_sum(y), w)
        gradients_s = time.perf_counter() - start
    feed = {x: np.ones((2, 4), np.float32)}
    gc.collect()
    rss_before = _rss_mb()
    sess = tf.Session(graph=graph)
    sess.run(w.initializer)
    start = time.perf_counter()
    sess.run(grad, feed)
    first_s = time.perf_counter() - start
    start = time.perf_counter()
    sess.run(grad, feed)
    warm_s = time.perf_counter() - start
    sess.close()
    del sess
    gc.collect()
    return {"ops": size, "graph": len(graph.get_operations()), "gradients": gradients_s, "first_run": first_s,
            "warm_run": warm_s, "rss_held_after_close": _rss_mb() - rss_before}


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 10000, 20000])
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # internal: measure one size, print JSON
    args = parser.parse_args()
    if args.one is not None:
        print(json.dumps(measure(args.one)))
        return
    for size in args.sizes:
        out = subprocess.run([sys.executable, os.path.abspath(__file__), "--one", str(size)], check=True,
                             capture_output=True, text=True).stdout
        r = json.loads(out.strip().splitlines()[-1])
        print(f"ops {r['ops']:6d} graph {r['graph']:6d} gradients {r['gradients']:6.2f}s first_run "
              f"{r['first_run']:6.2f}s ({r['first_run'] / r['graph'] * 1e3:5.3f} ms per graph op) warm_run "
              f"{r['warm_run']:7.4f}s rss_held_after_close {r['rss_held_after_close']:6.0f}MB", flush=True)


if __name__ == "__main__":
    main()
