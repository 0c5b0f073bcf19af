"""Keras `fit` against the equivalent hand-written Session loop, on the mlp workload's model (784-512-512-10,
ReLU, sparse softmax cross-entropy, Adam 1e-3, batch 128): seconds per epoch over the same random data, each
epoch shuffled. The two are timed alternately (the machine is noisy) and the medians compared.

Usage: python benchmarks/keras_fit.py [--samples 6400] [--rounds 7]
Prints one line per variant: the median and best epoch times and their ratios to the session loop (the goal: at
most 1.2). On a busy machine the best times are the steadier comparison.
"""
import argparse
import contextlib
import io
import statistics
import time

import numpy as np

import neuroflow as tf


def make_data(samples):
    rng = np.random.default_rng(0)
    return rng.standard_normal((samples, 784)).astype(np.float32), rng.integers(0, 10, samples)


def session_loop(x, y):
    """The hand-written loop: placeholders, tf.layers, AdamOptimizer, a shuffled pass of sess.run per epoch."""
    graph = tf.Graph()
    with graph.as_default():
        tf.set_random_seed(0)
        xp = tf.placeholder(tf.float32, [None, 784])
        tp = tf.placeholder(tf.int64, [None])
        h = tf.layers.dense(xp, 512, tf.nn.relu)
        h = tf.layers.dense(h, 512, tf.nn.relu)
        logits = tf.layers.dense(h, 10)
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tp, logits=logits))
        train_op = tf.train.AdamOptimizer(1e-3).minimize(loss)
        sess = tf.Session()
        sess.run(tf.global_variables_initializer())

    def epoch():
        order = np.random.permutation(len(x))
        losses = []
        for start in range(0, len(x), 128):
            ids = order[start:start + 128]
            losses.append(sess.run([loss, train_op], {xp: x[ids], tp: y[ids]})[0])
        return float(np.mean(losses))
    return epoch


def keras_fit(x, y, verbose=0, metrics=()):
    """The same model through tf.keras: Sequential, compile('adam'), one fit epoch per call."""
    graph = tf.Graph()
    with graph.as_default():
        tf.set_random_seed(0)
        model = tf.keras.Sequential([tf.keras.layers.Dense(512, activation="relu", input_shape=(784,)),
                                     tf.keras.layers.Dense(512, activation="relu"),
                                     tf.keras.layers.Dense(10, activation="softmax")])
        model.compile(tf.keras.optimizers.Adam(1e-3), "sparse_categorical_crossentropy", metrics=list(metrics))

    def epoch():
        with graph.as_default(), contextlib.redirect_stdout(io.StringIO()):
            return model.fit(x, y, batch_size=128, epochs=1, verbose=verbose).history["loss"][0]
    return epoch


def timed(epoch):
    start = time.perf_counter()
    epoch()
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=6400)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    x, y = make_data(args.samples)
    variants = {"session": session_loop(x, y), "keras fit": keras_fit(x, y),
                "keras fit, accuracy metric, progress bar": keras_fit(x, y, verbose=1, metrics=["accuracy"])}
    for epoch in variants.values():   # warm-up: plans compiled and specialized
        epoch()
        epoch()
    times = {name: [] for name in variants}
    for _ in range(args.rounds):
        for name, epoch in variants.items():
            times[name].append(timed(epoch))
    steps = -(-args.samples // 128)
    base, base_best = statistics.median(times["session"]), min(times["session"])
    for name, values in times.items():
        median, best = statistics.median(values), min(values)
        print(f"neuroflow {name:42s} median {median:.3f} s/epoch ({steps / median:.1f} steps/s), best {best:.3f}; "
              f"ratio to session: median {median / base:.3f}, best {best / base_best:.3f}")


if __name__ == "__main__":
    main()
