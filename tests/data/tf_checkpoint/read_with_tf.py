"""Reads a checkpoint with real TensorFlow and prints what it holds, as JSON on stdout (run with the anchors'
python by tests/test_tf_checkpoint.py: `read_with_tf.py <prefix> [<name>:<parts> ...]`).

"reader": every tensor as `tf.train.load_checkpoint` returns it; "restored": every tensor after a TF1
`tf.compat.v1.train.Saver` restored it into variables of the checkpoint's names, shapes and dtypes (the
RestoreV2 op, the path a TF1 program takes); a `<name>:<parts>` argument makes that variable a partitioned one
of that many parts (TensorFlow then restores each part as a slice of the saved tensor). Values are encoded like
expected.json (base64 of the bytes).
"""
import json
import os
import sys

import tensorflow as tf

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_tf_checkpoint import encode  # noqa: E402


def main():
    prefix = sys.argv[1]
    parts = {arg.rsplit(":", 1)[0]: int(arg.rsplit(":", 1)[1]) for arg in sys.argv[2:]}
    reader = tf.train.load_checkpoint(prefix)
    shapes, dtypes = reader.get_variable_to_shape_map(), reader.get_variable_to_dtype_map()
    out = {"reader": {name: encode(reader.get_tensor(name)) for name in sorted(shapes)}}
    tf1 = tf.compat.v1
    tf1.disable_eager_execution()
    with tf1.Graph().as_default():
        variables = {name: tf1.Variable(tf1.zeros(shapes[name], dtypes[name]), name=name)
                     for name in shapes if name not in parts}
        for name, count in parts.items():
            variables[name] = tf1.get_variable(name, shapes[name], dtypes[name], tf1.zeros_initializer(),
                                               partitioner=tf1.fixed_size_partitioner(count))
        with tf1.Session() as sess:
            tf1.train.Saver(list(variables.values())).restore(sess, prefix)
            values = {name: v.as_tensor() if name in parts else v for name, v in variables.items()}
            out["restored"] = {name: encode(sess.run(v)) for name, v in values.items()}
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
