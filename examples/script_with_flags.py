"""Fits a line to noisy points by gradient descent, written the way TF1 scripts are written: flags for its
settings, tf.logging for progress, tf.gfile for its output folder, tensorflow.python.framework.ops for the graph
and tf.app.run to start. With TensorFlow 1.x only the two import lines change.

    python examples/script_with_flags.py --max_steps=300 --learning_rate=0.5 --log_dir=/tmp/line_fit
    python examples/script_with_flags.py --help
"""
import os

import numpy as np
import neuroflow as tf
from neuroflow.python.framework import ops

flags = tf.app.flags
FLAGS = flags.FLAGS
flags.DEFINE_float("learning_rate", 0.5, "Gradient descent step size.")
flags.DEFINE_integer("max_steps", 300, "Number of training steps.", lower_bound=1)
flags.DEFINE_integer("num_points", 100, "Number of noisy points to fit.")
flags.DEFINE_string("log_dir", "/tmp/line_fit", "Folder for the checkpoint and the fitted line.")
flags.DEFINE_boolean("keep_log_dir", False, "Keep what an earlier run left in --log_dir.")


def make_points():
    rng = np.random.RandomState(0)
    x = rng.uniform(-1.0, 1.0, size=(FLAGS.num_points, 1)).astype(np.float32)
    y = 3.0 * x + 2.0 + 0.1 * rng.randn(FLAGS.num_points, 1).astype(np.float32)
    return x, y


def train(x_data, y_data):
    ops.reset_default_graph()
    x = tf.placeholder(tf.float32, [None, 1], name="x")
    y = tf.placeholder(tf.float32, [None, 1], name="y")
    w = tf.Variable(tf.zeros([1, 1]), name="w")
    b = tf.Variable(tf.zeros([1]), name="b")
    loss = tf.reduce_mean(tf.square(tf.matmul(x, w) + b - y))
    train_op = tf.train.GradientDescentOptimizer(FLAGS.learning_rate).minimize(loss)
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for step in range(FLAGS.max_steps):
            _, loss_value = sess.run([train_op, loss], feed_dict={x: x_data, y: y_data})
            tf.logging.log_every_n(tf.logging.INFO, "step %d: loss = %.6f", 100, step, loss_value)
        w_value, b_value = sess.run([w, b])
        path = saver.save(sess, os.path.join(FLAGS.log_dir, "model.ckpt"))
    tf.logging.info("Model saved in %s", path)
    return float(w_value[0, 0]), float(b_value[0])


def main(argv):
    if len(argv) > 1:
        tf.logging.warning("Ignoring the arguments %s", argv[1:])
    if tf.gfile.Exists(FLAGS.log_dir) and not FLAGS.keep_log_dir:
        tf.gfile.DeleteRecursively(FLAGS.log_dir)
    tf.gfile.MakeDirs(FLAGS.log_dir)
    slope, intercept = train(*make_points())
    with tf.gfile.GFile(os.path.join(FLAGS.log_dir, "line.txt"), "w") as f:
        f.write("%.4f %.4f\n" % (slope, intercept))
    print("slope %.4f intercept %.4f" % (slope, intercept))
    print("files: %s" % " ".join(sorted(tf.gfile.ListDirectory(FLAGS.log_dir))))


if __name__ == "__main__":
    tf.logging.set_verbosity(tf.logging.INFO)
    tf.app.run()
