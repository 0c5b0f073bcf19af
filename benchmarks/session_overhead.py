"""Session overhead: runs per second of repeated `sess.run` on small graphs, where per-run framework work
(not arithmetic) dominates. Runs neuroflow by default; `--module tensorflow` runs the same code on
TensorFlow's v1 Session. Prints one line per graph: `<module> <graph> <runs/s>`."""
import argparse
import importlib
import os
import statistics
import time

import numpy as np


def load(module):
    if module == "tensorflow":
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        import tensorflow.compat.v1 as tf
        tf.disable_eager_execution()
        return tf
    return importlib.import_module(module)


def timed(fn, runs, windows=3):
    for _ in range(10):
        fn()
    rates = []
    for _ in range(windows):
        start = time.perf_counter()
        for _ in range(runs):
            fn()
        rates.append(runs / (time.perf_counter() - start))
    return statistics.median(rates)


def lecture_sum(tf):
    """The lecture's first program: a + b with two fed scalars."""
    a = tf.placeholder("float")
    b = tf.placeholder("float")
    y = a + b
    sess = tf.Session()
    return lambda: sess.run(y, feed_dict={a: 4, b: 5})


def forward_fetch(tf):
    """y = reduce_sum(x * W) with a fed vector and a variable."""
    x = tf.placeholder(tf.float32, [2])
    W = tf.Variable([0.2, 0.7])
    y = tf.reduce_sum(x * W)
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    feed = {x: np.array([1.0, 1.0], np.float32)}
    return lambda: sess.run(y, feed)


def lecture_train(tf):
    """The lecture's training step: y = reduce_sum(x * W), gradient descent on (target - y)^2, fetching [y, train]
    with a fed list and two fed floats. neuroflow runs it as scalar code from its first warm run
    (runtime/compiler/tiny_scalar.py); NEUROFLOW_SCALAR_CODE=0 NEUROFLOW_TINY_VM=0 times the plain generated code,
    NEUROFLOW_SCALAR_CODE=0 NEUROFLOW_TINY_VM_AFTER=0 the tiny VM (numba)."""
    x = tf.placeholder(tf.float32, [2])
    target = tf.placeholder(tf.float32)
    rate = tf.placeholder(tf.float32)
    W = tf.Variable([0.2, 0.7])
    y = tf.reduce_sum(x * W)
    train = tf.train.GradientDescentOptimizer(rate).minimize(tf.pow(target - y, 2.0))
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    feed = {x: [1.0, 1.0], target: 20.0, rate: 0.001}
    return lambda: sess.run([y, train], feed)


def chain_of_twenty(tf):
    """A chain of 20 small elementwise ops on a 16-element vector (per-op overhead)."""
    x = tf.placeholder(tf.float32, [16])
    y = x
    for i in range(10):
        y = y * 1.01 + 0.5
    sess = tf.Session()
    feed = {x: np.ones(16, np.float32)}
    return lambda: sess.run(y, feed)


def fetch_structure(tf):
    """Five fetches in a dict of lists, three feeds."""
    xs = [tf.placeholder(tf.float32, [4]) for _ in range(3)]
    total = xs[0] + xs[1] + xs[2]
    fetches = {"sum": total, "parts": [xs[0] * 2.0, xs[1] - 1.0], "mean": tf.reduce_mean(total),
               "max": tf.reduce_sum(total)}
    sess = tf.Session()
    feed = {x: np.ones(4, np.float32) for x in xs}
    return lambda: sess.run(fetches, feed)


GRAPHS = {"lecture_sum": lecture_sum, "forward_fetch": forward_fetch, "lecture_train": lecture_train,
          "chain_of_twenty": chain_of_twenty, "fetch_structure": fetch_structure}


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--module", default="neuroflow")
    parser.add_argument("--runs", type=int, default=3000)
    parser.add_argument("graphs", nargs="*", default=list(GRAPHS))
    args = parser.parse_args()
    tf = load(args.module)
    for name in args.graphs:
        tf.reset_default_graph()
        rate = timed(GRAPHS[name](tf), args.runs)
        print(f"{args.module} {name} {rate:.0f} runs/s", flush=True)


if __name__ == "__main__":
    main()
