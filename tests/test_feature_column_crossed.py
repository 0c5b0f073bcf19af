"""tf.sparse.cross / cross_hashed (SparseCross) and tf.feature_column.crossed_column against TensorFlow 2.21
(tests/data/feature_column/crossed_reference.json, made by make_crossed_reference.py): the same combinations in the
same order (sparse inputs first, the last input varying fastest), the same hashed ids, and the same indicator and
linear-model outputs of crossed columns over raw features, vocabulary and bucketized columns."""
import json
import os

import numpy as np
import pytest

import neuroflow as tf
from neuroflow import feature_column as fc

REFERENCE = json.load(open(os.path.join(os.path.dirname(__file__), "data", "feature_column",
                                        "crossed_reference.json")))


def _sparse_inputs():  # the generator's sparse_inputs()
    strings = tf.SparseTensor([[0, 0], [0, 1], [2, 0]], np.array([b"a", b"bb", b"c"], object), [3, 2])
    ints = tf.constant([[3, 7], [1, 2], [9, 4]], tf.int64)
    more = tf.SparseTensor([[0, 0], [1, 0], [2, 0], [2, 1]], tf.constant([10, 11, 12, 13], tf.int64), [3, 2])
    return [strings, ints, more]


def _features():  # the generator's features()
    return {"age": np.array([[10.0], [25.0], [60.0]], np.float32),
            "color": np.array([["red", "blue"], ["green", ""], ["purple", "red"]]),
            "tags": np.array([["a", "b"], ["c", ""], ["zz", "x"]]),
            "word": np.array([["alpha"], [""], ["gamma"]])}


def _columns():  # the generator's columns()
    age = fc.bucketized_column(fc.numeric_column("age"), boundaries=[18.0, 25.0, 40.0])
    color = fc.categorical_column_with_vocabulary_list("color", ["red", "green", "blue"])
    return [fc.crossed_column([color, "tags"], 25), fc.crossed_column([age, "word"], 15),
            fc.crossed_column(["tags", "word"], 40, hash_key=12345)]


@pytest.mark.parametrize("name", ["cross_hashed_100", "cross_hashed_0", "cross_hashed_key", "cross"])
def test_sparse_cross_matches_tensorflow(name):
    with tf.Graph().as_default():
        inputs = _sparse_inputs()
        op = {"cross_hashed_100": lambda: tf.sparse.cross_hashed(inputs, num_buckets=100),
              "cross_hashed_0": lambda: tf.sparse.cross_hashed(inputs[:2]),
              "cross_hashed_key": lambda: tf.sparse.cross_hashed(inputs[1:], 50, hash_key=7),
              "cross": lambda: tf.sparse.cross(inputs)}[name]()
        with tf.Session() as sess:
            got = sess.run(op)
    expected = REFERENCE[name]
    values = got.values.tolist() if name != "cross" else [v.decode() for v in got.values.tolist()]
    assert got.indices.tolist() == expected["indices"] and values == expected["values"]
    assert got.dense_shape.tolist() == expected["dense_shape"]


def test_crossed_columns_match_tensorflow():
    assert [c.name for c in _columns()] == REFERENCE["names"]
    with tf.Graph().as_default():
        features = {k: tf.constant(v) for k, v in _features().items()}
        dense = fc.input_layer(features, [fc.indicator_column(c) for c in _columns()])
        linear = fc.linear_model(features, _columns())
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            variables = tf.global_variables()
            for k, v in enumerate(variables):
                shape = v.shape.as_list()
                sess.run(v.assign(np.arange(np.prod(shape), dtype=np.float32).reshape(shape) * 0.1 - 0.3 * k))
            got_dense, got_linear = sess.run([dense, linear])
    assert [[v.op.name, v.shape.as_list()] for v in variables] == REFERENCE["linear_variables"]
    np.testing.assert_array_equal(got_dense, REFERENCE["input_layer"])
    np.testing.assert_allclose(got_linear, REFERENCE["linear_model"], rtol=1e-6)


def test_errors():
    with pytest.raises(ValueError, match="keys must be a list with length > 1"):
        fc.crossed_column(["a"], 10)
    with pytest.raises(ValueError, match="categorical_column_with_hash_bucket is not supported for crossing"):
        fc.crossed_column(["a", fc.categorical_column_with_hash_bucket("b", 5)], 10)
    with pytest.raises(TypeError, match="must be int64 or string"):
        tf.sparse.cross_hashed([tf.constant([[1.0]]), tf.constant([["a"]])])
