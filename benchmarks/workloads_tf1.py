"""The benchmark workloads (lecture, mlp, cnn, lstm, cifar, lstm-dynamic and the mlp at other batch sizes,
mlp-b<N>; sizes in workload_timing.py) as TF1 graph-mode programs.
The same code runs on neuroflow (default) or, with `--framework tensorflow`, on TensorFlow's v1 API:

    python benchmarks/workloads_tf1.py mlp cnn
    ANCHOR_PYTHON benchmarks/workloads_tf1.py --framework tensorflow lstm
"""
import argparse
import importlib
import os
import sys

import workload_timing as wt


def load(framework):
    """The `tf` module for `framework`: neuroflow (or another module name), or TensorFlow's compat.v1 API."""
    if framework != "tensorflow":
        return importlib.import_module(framework)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")  # tf.layers and the RNN cells live in tf_keras in TF 2.16+
    import tensorflow.compat.v1 as tf
    tf.disable_eager_execution()
    return tf


def _session_step(tf, fetches, feed):
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    return lambda: sess.run(fetches, feed)


def _classifier_step(tf, x, labels, logits, feed):
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits))
    train = tf.train.AdamOptimizer(wt.LEARNING_RATE).minimize(loss)
    return _session_step(tf, [loss, train], feed)


def lecture(tf):
    """The lecture's program: y = sum(x * W), squared error to a target, plain gradient descent."""
    x = tf.placeholder(tf.float32, [2])
    target = tf.placeholder(tf.float32)
    rate = tf.placeholder(tf.float32)
    w = tf.get_variable("W", initializer=[0.2, 0.7])
    y = tf.reduce_sum(x * w)
    train = tf.train.GradientDescentOptimizer(rate).minimize(tf.pow(target - y, 2.0))
    return _session_step(tf, [y, train], {x: [1.0, 1.0], target: 20.0, rate: wt.LECTURE_RATE})


def mlp(tf, batch=wt.MLP_BATCH):
    """784-512-512-10 with ReLU, sparse softmax cross-entropy, Adam (batch 128, or `batch` in the sweep)."""
    images, classes = wt.random_batch((batch, wt.MLP_SIZES[0]))
    x = tf.placeholder(tf.float32, [None, wt.MLP_SIZES[0]])
    labels = tf.placeholder(tf.int64, [None])
    h = x
    for units in wt.MLP_SIZES[1:-1]:
        h = tf.layers.dense(h, units, tf.nn.relu)
    logits = tf.layers.dense(h, wt.MLP_SIZES[-1])
    return _classifier_step(tf, x, labels, logits, {x: images, labels: classes})


def cnn(tf):
    """Two 5x5 SAME convolutions (32, 64 filters) with ReLU, each followed by 2x2 max pooling; dense 1024, 10."""
    images, classes = wt.random_batch((wt.CNN_BATCH, wt.IMAGE, wt.IMAGE, 1))
    x = tf.placeholder(tf.float32, [None, wt.IMAGE, wt.IMAGE, 1])
    labels = tf.placeholder(tf.int64, [None])
    h = x
    for filters in wt.CNN_FILTERS:
        h = tf.layers.conv2d(h, filters, wt.CNN_KERNEL, padding="same", activation=tf.nn.relu)
        h = tf.layers.max_pooling2d(h, 2, 2)
    side = wt.IMAGE // 4
    h = tf.reshape(h, [-1, side * side * wt.CNN_FILTERS[-1]])
    logits = tf.layers.dense(tf.layers.dense(h, wt.CNN_HIDDEN, tf.nn.relu), wt.CLASSES)
    return _classifier_step(tf, x, labels, logits, {x: images, labels: classes})


def cifar(tf):
    """A CIFAR-size convnet: three 3x3 SAME convolutions (32, 64, 128 filters) with ReLU, each followed by 2x2 max
    pooling, then dense 10; batch 64 of 32x32x3."""
    images, classes = wt.random_batch((wt.CIFAR_BATCH, wt.CIFAR_IMAGE, wt.CIFAR_IMAGE, wt.CIFAR_CHANNELS))
    x = tf.placeholder(tf.float32, [None, wt.CIFAR_IMAGE, wt.CIFAR_IMAGE, wt.CIFAR_CHANNELS])
    labels = tf.placeholder(tf.int64, [None])
    h = x
    for filters in wt.CIFAR_FILTERS:
        h = tf.layers.conv2d(h, filters, wt.CIFAR_KERNEL, padding="same", activation=tf.nn.relu)
        h = tf.layers.max_pooling2d(h, 2, 2)
    side = wt.CIFAR_IMAGE // 2 ** len(wt.CIFAR_FILTERS)
    logits = tf.layers.dense(tf.reshape(h, [-1, side * side * wt.CIFAR_FILTERS[-1]]), wt.CLASSES)
    return _classifier_step(tf, x, labels, logits, {x: images, labels: classes})


def lstm(tf, time_steps=wt.LSTM_STEPS):
    """An LSTM of 128 units over 28 steps of 28 features; its last output through a dense layer of 10. With
    `time_steps` None (the lstm-dynamic workload), the time dimension is known only at run time."""
    sequences, classes = wt.random_batch((wt.LSTM_BATCH, wt.LSTM_STEPS, wt.LSTM_FEATURES))
    x = tf.placeholder(tf.float32, [None, time_steps, wt.LSTM_FEATURES])
    labels = tf.placeholder(tf.int64, [None])
    outputs, _ = tf.nn.dynamic_rnn(tf.nn.rnn_cell.LSTMCell(wt.LSTM_UNITS), x, dtype=tf.float32)
    logits = tf.layers.dense(outputs[:, -1], wt.CLASSES)
    return _classifier_step(tf, x, labels, logits, {x: sequences, labels: classes})


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("workloads", nargs="*", default=list(wt.WORKLOADS))
    parser.add_argument("--framework", default=os.environ.get("BENCH_MODULE", "neuroflow"),
                        help="neuroflow (default) or tensorflow")
    parser.add_argument("--label", help="the name to report the rates under (default: the framework's)")
    args = parser.parse_args()
    tf = load(args.framework)

    def builder(fn):
        def build(*sizes):
            tf.reset_default_graph()
            tf.set_random_seed(0)
            return fn(tf, *sizes)
        return build
    builders = {fn.__name__: builder(fn) for fn in (lecture, mlp, cnn, lstm, cifar)}
    builders["lstm-dynamic"] = lambda: builders["lstm"](None)
    wt.report(args.label or args.framework, args.workloads, builders)


if __name__ == "__main__":
    main()
