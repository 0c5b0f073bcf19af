"""Writes crossed_reference.json: TensorFlow 2.21's tf.sparse.cross and cross_hashed (SparseCross) on sparse
and dense, string and integer inputs, and tf.compat.v1 crossed_column through indicator_column / linear_model
(tests/test_feature_column_crossed.py). Run with the anchors' python:
~/.cache/neuroflow-anchors/bin/python make_crossed_reference.py"""
import json
import os

import numpy as np
import tensorflow.compat.v1 as tf

tf.disable_v2_behavior()
HERE = os.path.dirname(os.path.abspath(__file__))


def sparse_inputs():
    strings = tf.SparseTensor([[0, 0], [0, 1], [2, 0]], ["a", "bb", "c"], [3, 2])
    ints = tf.constant([[3, 7], [1, 2], [9, 4]], tf.int64)
    more = tf.SparseTensor([[0, 0], [1, 0], [2, 0], [2, 1]], tf.constant([10, 11, 12, 13], tf.int64), [3, 2])
    return [strings, ints, more]


def features():
    return {
        "age": np.array([[10.0], [25.0], [60.0]], np.float32),
        "color": np.array([["red", "blue"], ["green", ""], ["purple", "red"]]),
        "tags": np.array([["a", "b"], ["c", ""], ["zz", "x"]]),
        "word": np.array([["alpha"], [""], ["gamma"]]),
    }


def columns(fc):
    age = fc.bucketized_column(fc.numeric_column("age"), boundaries=[18.0, 25.0, 40.0])
    color = fc.categorical_column_with_vocabulary_list("color", ["red", "green", "blue"])
    return [fc.crossed_column([color, "tags"], 25), fc.crossed_column([age, "word"], 15),
            fc.crossed_column(["tags", "word"], 40, hash_key=12345)]


def main():
    out = {}
    with tf.Graph().as_default(), tf.Session() as sess:
        for name, op in [("cross_hashed_100", tf.sparse.cross_hashed(sparse_inputs(), num_buckets=100)),
                         ("cross_hashed_0", tf.sparse.cross_hashed(sparse_inputs()[:2])),
                         ("cross_hashed_key", tf.sparse.cross_hashed(sparse_inputs()[1:], 50, hash_key=7))]:
            v = sess.run(op)
            out[name] = {"indices": v.indices.tolist(), "values": v.values.tolist(),
                         "dense_shape": v.dense_shape.tolist()}
        v = sess.run(tf.sparse.cross(sparse_inputs()))
        out["cross"] = {"indices": v.indices.tolist(), "values": [x.decode() for x in v.values.tolist()],
                        "dense_shape": v.dense_shape.tolist()}
    with tf.Graph().as_default():
        feats = {k: tf.constant(v) for k, v in features().items()}
        dense = tf.feature_column.input_layer(feats, [tf.feature_column.indicator_column(c)
                                                      for c in columns(tf.feature_column)])
        linear = tf.feature_column.linear_model(feats, columns(tf.feature_column))
        with tf.Session() as sess:
            sess.run([tf.global_variables_initializer(), tf.tables_initializer()])
            variables = tf.global_variables()
            for k, v in enumerate(variables):
                shape = v.shape.as_list()
                sess.run(v.assign(np.arange(np.prod(shape), dtype=np.float32).reshape(shape) * 0.1 - 0.3 * k))
            out["input_layer"], out["linear_model"] = [x.tolist() for x in sess.run([dense, linear])]
            out["linear_variables"] = [[v.op.name, v.shape.as_list()] for v in variables]
            out["names"] = [c.name for c in columns(tf.feature_column)]
    with open(os.path.join(HERE, "crossed_reference.json"), "w") as f:
        json.dump(out, f, indent=1)


if __name__ == "__main__":
    main()
