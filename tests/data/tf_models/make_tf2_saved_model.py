"""Writes tf2_saved_model/: a SavedModel of TensorFlow 2's object-based tf.saved_model.save (a tf.Module whose
graph calls a tf.function), which neuroflow's TF1 loader refuses with a clear error (tests/test_saved_model.py).

    ~/.cache/neuroflow-anchors/bin/python tests/data/tf_models/make_tf2_saved_model.py
"""
import os
import shutil

import tensorflow as tf


class Linear(tf.Module):
    def __init__(self):
        super().__init__()
        self.w = tf.Variable([[1.0], [2.0]])

    @tf.function(input_signature=[tf.TensorSpec([None, 2], tf.float32)])
    def __call__(self, x):
        return tf.matmul(x, self.w)


def main():
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tf2_saved_model")
    shutil.rmtree(out, ignore_errors=True)
    tf.saved_model.save(Linear(), out)


if __name__ == "__main__":
    main()
