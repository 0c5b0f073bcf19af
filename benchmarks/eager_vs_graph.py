"""The mlp workload's training step (784-512-512-10, ReLU, sparse softmax cross-entropy, Adam, batch 128) run
three ways on neuroflow: a graph-mode Session, eager execution (GradientTape + apply_gradients), and the eager
step compiled with tf.function. Prints `neuroflow-<mode> mlp <steps/s> steps/s`."""
import statistics
import sys
import time

import numpy as np

import neuroflow as tf


def timed(fn, steps, windows=3):
    fn()
    fn()
    rates = []
    for _ in range(windows):
        start = time.perf_counter()
        for _ in range(steps):
            fn()
        rates.append(steps / (time.perf_counter() - start))
    return statistics.median(rates)


def data():
    rng = np.random.default_rng(0)
    return rng.standard_normal((128, 784)).astype(np.float32), rng.integers(0, 10, 128)


def graph_mode():
    tf.reset_default_graph()
    tf.set_random_seed(0)
    xb, yb = data()
    x = tf.placeholder(tf.float32, [None, 784])
    t = tf.placeholder(tf.int64, [None])
    h = tf.layers.dense(x, 512, tf.nn.relu)
    h = tf.layers.dense(h, 512, tf.nn.relu)
    logits = tf.layers.dense(h, 10)
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=t, logits=logits))
    op = tf.train.AdamOptimizer(1e-3).minimize(loss)
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    return lambda: sess.run([loss, op], {x: xb, t: yb})


def _eager_model():
    xb, yb = data()
    layers = [tf.layers.Dense(512, tf.nn.relu), tf.layers.Dense(512, tf.nn.relu), tf.layers.Dense(10)]
    opt = tf.train.AdamOptimizer(1e-3)

    def step(x, t):
        with tf.GradientTape() as tape:
            h = x
            for layer in layers:
                h = layer(h)
            loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=t, logits=h))
        variables = [v for layer in layers for v in layer.trainable_weights]
        grads = tape.gradient(loss, variables)
        opt.apply_gradients(zip(grads, variables))
        return loss
    return step, tf.constant(xb), tf.constant(yb)


def eager():
    with tf.eager_mode():
        step, x, t = _eager_model()
    def run():
        with tf.eager_mode():
            step(x, t)
    return run


def function():
    with tf.eager_mode():
        step, x, t = _eager_model()
        compiled = tf.function(step)
    def run():
        with tf.eager_mode():
            compiled(x, t)
    return run


if __name__ == "__main__":
    for name in sys.argv[1:] or ["graph_mode", "eager", "function"]:
        print(f"neuroflow-{name} mlp {timed(globals()[name](), 50):.1f} steps/s", flush=True)
