"""Does a TF1 queue pipeline overlap input work with the training step? A "decoding" stage that costs about as
much as the step (three 600x600 matrix products against two) runs either inline in the step's Session.run or in a
QueueRunner thread feeding a FIFOQueue; with overlap the pipelined step costs about the step alone, not the sum.

Run: OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/queue_overlap.py
(one BLAS thread per product, so two threads can use two cores). Measured on 2 cores (2026-12-07): decode inline
16.9-17.2 ms per step, queue pipeline 8.3-8.4 ms, the step alone 8.1-8.3 ms, decoding alone 8.3-8.6 ms.
"""
import time

import numpy as np

import neuroflow as tf

N = 600


def build(pipelined):
    g = tf.Graph()
    with g.as_default():
        seed = tf.Variable(np.random.rand(N, N).astype(np.float32)) * 1.0
        decoded = tf.reduce_sum(tf.matmul(tf.matmul(seed, seed), seed), 0)  # "decoding": about the step's cost
        if pipelined:
            q = tf.FIFOQueue(8, tf.float32, shapes=[[N]])
            tf.train.add_queue_runner(tf.train.QueueRunner(q, [q.enqueue(decoded)]))
            x = q.dequeue()
        else:
            x = decoded
        w = tf.Variable(tf.ones([N, N]) * 1e-3)
        h = tf.matmul(tf.matmul(w, w), w)
        step = tf.assign_add(w, 1e-9 * h * tf.reduce_mean(x))
    return g, step, decoded, h


def per_run(sess, fetch, runs):
    start = time.perf_counter()
    for _ in range(runs):
        sess.run(fetch)
    return (time.perf_counter() - start) / runs * 1e3


def measure(pipelined, runs=40):
    g, step, decoded, h = build(pipelined)
    with g.as_default(), tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        coord = tf.train.Coordinator()
        threads = tf.train.start_queue_runners(sess, coord)
        per_run(sess, step, 5)
        step_ms = per_run(sess, step, runs)
        coord.request_stop()
        coord.join(threads, stop_grace_period_secs=10)
        return step_ms, per_run(sess, h, runs), per_run(sess, decoded, runs)


if __name__ == "__main__":
    for pipelined in (False, True):
        step_ms, alone_ms, decode_ms = measure(pipelined)
        print(f"{'queue pipeline' if pipelined else 'decode inline '} {step_ms:.1f} ms/step; step alone "
              f"{alone_ms:.1f} ms, decoding alone {decode_ms:.1f} ms")
