"""Compiling a plan (the first Session.run: lowering, passes, shape specialization, code generation) costs time
linear in the graph's size. Counted in Python function calls, which machine load cannot blur: a graph 8 times
as long must not take more than about 8 times the calls (a quadratic pass would take ~64 times)."""
import sys

import numpy as np

import neuroflow as tf


def first_run_calls(chain_length):
    """Python calls made by the first Session.run of the gradient of a chain of `chain_length` sin ops."""
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, [None, 4])
        w = tf.Variable(np.linspace(0.1, 1.0, 4).astype(np.float32))
        y = x * w
        for _ in range(chain_length):
            y = tf.sin(y)
        grad, = tf.gradients(tf.reduce_sum(y), w)
    feed = {x: np.ones((2, 4), np.float32)}
    with tf.Session(graph=graph) as sess:
        sess.run(w.initializer)
        calls = [0]

        def count(frame, event, arg):
            if event == "call":
                calls[0] += 1
        sys.setprofile(count)
        try:
            value = sess.run(grad, feed)
        finally:
            sys.setprofile(None)
    return calls[0], value


def test_first_run_calls_grow_linearly_with_graph_size():
    small, small_value = first_run_calls(100)
    large, large_value = first_run_calls(800)
    assert np.all(np.isfinite(small_value)) and np.all(np.isfinite(large_value))
    assert large < 8 * small * 1.15, f"first run of 8x the ops made {large / small:.1f}x the calls"
