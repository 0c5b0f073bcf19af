"""Writes TensorFlow's BroadcastGradientArgs answers for shape pairs (broadcast_gradient_args.json), which
tests/test_tf_meta_graph.py compares neuroflow's op with.

    ~/.cache/neuroflow-anchors/bin/python tests/data/tf_models/make_broadcast_gradient_args.py
"""
import json
import os

import tensorflow as tf
from tensorflow.python.ops import gen_array_ops

PAIRS = [([2, 1, 3], [1]), ([2, 3], [3]), ([1, 1], [1]), ([2, 1, 1], [1, 1]), ([5], [5]), ([], [3]),
         ([4, 1], [1, 5]), ([1, 3], [2, 1, 3]), ([2, 0, 3], [3]), ([2, 3], []), ([1], [0]), ([3, 1, 2], [3, 4, 1])]


def main():
    cases = []
    for s0, s1 in PAIRS:
        r0, r1 = gen_array_ops.broadcast_gradient_args(tf.constant(s0, tf.int32), tf.constant(s1, tf.int32))
        cases.append({"s0": s0, "s1": s1, "r0": r0.numpy().tolist(), "r1": r1.numpy().tolist()})
    try:
        gen_array_ops.broadcast_gradient_args(tf.constant([2, 3]), tf.constant([4]))
    except tf.errors.InvalidArgumentError as e:
        error = e.message
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "broadcast_gradient_args.json")
    with open(path, "w") as f:
        json.dump({"cases": cases, "incompatible_error": error, "tensorflow": tf.__version__}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
