"""Memory of a long-running process that keeps making graphs and sessions (a server answering requests):
builds a small graph, runs it twice in a new Session (the second run goes through generated plan code), closes
it, N times, and prints the growth of the process's resident memory over those N.

Run from a clone: `python benchmarks/session_churn.py [--count 10000]`.
"""
import argparse
import gc
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402

import neuroflow as tf  # noqa: E402


def _rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2 ** 20


def one_graph_and_session():
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, [None])
        y = tf.reduce_sum(tf.tanh(x * 2.0 + 1.0))
        with tf.Session() as sess:
            for _ in range(2):
                sess.run(y, {x: np.ones(3, np.float32)})


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=10000)
    parser.add_argument("--warmup", type=int, default=1000, help="rounds before measuring (allocator, caches)")
    args = parser.parse_args()
    for _ in range(args.warmup):
        one_graph_and_session()
    gc.collect()
    before, start = _rss_mb(), time.perf_counter()
    for _ in range(args.count):
        one_graph_and_session()
    gc.collect()
    print(f"rss_growth {_rss_mb() - before:.1f}MB over {args.count} graphs+sessions "
          f"({(time.perf_counter() - start) / args.count * 1e3:.2f} ms each)")


if __name__ == "__main__":
    main()
