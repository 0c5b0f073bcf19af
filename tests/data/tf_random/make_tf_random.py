"""Writes tf_random.npz: the values of tests/tf_random_programs.py under real TensorFlow (tf.compat.v1, graph
mode). Run with the anchors' Python: ~/.cache/neuroflow-anchors/bin/python tests/data/tf_random/make_tf_random.py"""
import os
import sys

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import tensorflow as tf  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", ".."))
from tf_random_programs import PROGRAMS, eager_program  # noqa: E402


def main():
    values = {"eager/" + k: v for k, v in eager_program(tf.compat.v1).items()}
    tf.compat.v1.disable_eager_execution()
    for program in PROGRAMS:
        values.update(program(tf.compat.v1))
    np.savez_compressed(os.path.join(HERE, "tf_random.npz"), tf_version=np.array(tf.__version__), **values)
    print(len(values), "arrays")


if __name__ == "__main__":
    main()
