"""Does a TF1 queue pipeline overlap input work with the training step? A "decoding" stage that costs about as
much as the step (three 600x600 matrix products against two) runs either inline in the step's Session.run or in a
QueueRunner thread feeding a FIFOQueue; with overlap the pipelined step costs about the step alone, not the sum.

Run: .venv/bin/python benchmarks/queue_overlap.py [--rounds 3]
Without thread settings, runtime/cpu_share.py sizes OpenBLAS's threads: the free cores, shared among the runs in
flight in the process (the QueueRunner and the training loop: one thread each on 2 cores). Each round measures
both pipelines under that rule and under the free cores alone (the rule before runs were counted), interleaved, and
prints the medians with the mean OpenBLAS thread count seen. `OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1` fixes one
thread instead (then both rules print the same). Measured on 2 cores (2026-12-07), with one BLAS thread fixed:
decode inline 16.9-17.2 ms per step, queue pipeline 8.3-8.4 ms; with the free cores alone (two threads) the
pipeline took 10 ms against 8.6 inline. With runs in flight counted (2026-12-07 22:33, load average 0.8-1.6, 3 rounds):
queue pipeline median 14.5 ms per step at one thread each vs 19.0 under the free cores alone (1.4 threads on
average); decode inline 15.9 vs 13.5 (the same 1.7 threads under both rules: noise). When other processes keep the
cores busy both rules give one thread and time alike.
"""
import argparse
import time

import numpy as np

import neuroflow as tf
from neuroflow.runtime import blas_threads, cpu_share

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


def measure_rule(pipelined, seconds=1.5):
    """ms per step and the mean OpenBLAS thread count while stepping, after a second for the monitor to settle."""
    g, step, _, _ = build(pipelined)
    with g.as_default(), tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        coord = tf.train.Coordinator()
        threads = tf.train.start_queue_runners(sess, coord)
        settle = time.perf_counter() + 1.0
        while time.perf_counter() < settle:
            sess.run(step)
        steps, seen, start = 0, [], time.perf_counter()
        while time.perf_counter() - start < seconds:
            sess.run(step)
            steps += 1
            seen.append(blas_threads.budget())
        elapsed = time.perf_counter() - start
        coord.request_stop()
        coord.join(threads, stop_grace_period_secs=10)
        return elapsed / steps * 1e3, float(np.mean(seen))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    shared_among_runs = cpu_share.runs_in_flight
    rules = {"free cores shared among runs": shared_among_runs, "free cores alone": lambda *args: 1}
    results = {}
    for round_ in range(args.rounds):
        for rule in (list(rules) if round_ % 2 == 0 else list(rules)[::-1]):
            cpu_share.runs_in_flight = rules[rule]
            for pipelined in (False, True):
                results.setdefault((rule, pipelined), []).append(measure_rule(pipelined))
    cpu_share.runs_in_flight = shared_among_runs
    for (rule, pipelined), values in results.items():
        times = [ms for ms, _ in values]
        print(f"{rule:29s} {'queue pipeline' if pipelined else 'decode inline '} median {np.median(times):5.1f} "
              f"ms/step (all {', '.join(f'{t:.1f}' for t in times)}); mean OpenBLAS threads "
              f"{np.mean([t for _, t in values]):.2f}")
    step_ms, alone_ms, decode_ms = measure(True)
    print(f"queue pipeline {step_ms:.1f} ms/step; step alone {alone_ms:.1f} ms, decoding alone {decode_ms:.1f} ms")


if __name__ == "__main__":
    main()
