"""tf.parse_example / tf.parse_single_example on Examples TensorFlow 2.21 wrote (tests/data/tfrecord/examples.tfrecord,
made by make_data.py there: x = [i, i / 2] floats, y = [i] int64, tags = [b"t0" .. b"t{i-1}"] for i in 0..4), in
graph and eager mode, and TensorFlow's messages for missing, mistyped and mis-sized features."""
import os
import re

import numpy as np
import pytest

import neuroflow as tf

PATH = os.path.join(os.path.dirname(__file__), "data", "tfrecord", "examples.tfrecord")
FEATURES = {"x": tf.FixedLenFeature([2], tf.float32), "y": tf.FixedLenFeature([], tf.int64),
            "tags": tf.VarLenFeature(tf.string),
            "w": tf.FixedLenFeature([2, 1], tf.float32, default_value=[[0.5], [1.5]]),
            "s": tf.io.FixedLenFeature([], tf.string, default_value="none")}


def _records():
    return list(tf.python_io.tf_record_iterator(PATH))


def test_parse_example_batch():
    with tf.Graph().as_default():
        serialized = tf.placeholder(tf.string, [None])
        parsed = tf.parse_example(serialized, FEATURES)
        assert parsed["x"].shape.as_list() == [None, 2] and parsed["w"].shape.as_list() == [None, 2, 1]
        with tf.Session() as sess:
            out = sess.run(parsed, {serialized: _records()})
    np.testing.assert_array_equal(out["x"], np.float32([[i, i / 2] for i in range(5)]))
    assert out["x"].dtype == np.float32 and out["y"].dtype == np.int64
    np.testing.assert_array_equal(out["y"], np.arange(5))
    np.testing.assert_array_equal(out["w"], np.tile(np.float32([[0.5], [1.5]]), (5, 1, 1)))
    assert out["s"].tolist() == [b"none"] * 5
    tags = out["tags"]
    assert tags.dense_shape.tolist() == [5, 4]
    assert tags.indices.tolist() == [[i, j] for i in range(5) for j in range(i)]
    assert tags.values.tolist() == [b"t%d" % j for i in range(5) for j in range(i)]


def test_parse_single_example_eager_and_graph():
    record = _records()[3]
    with tf.Graph().as_default(), tf.Session() as sess:
        out = sess.run(tf.parse_single_example(record, FEATURES))
    assert out["x"].tolist() == [3.0, 1.5] and out["y"] == 3 and out["w"].shape == (2, 1)
    assert out["tags"].indices.tolist() == [[0], [1], [2]] and out["tags"].dense_shape.tolist() == [3]
    with tf.eager_mode():
        eager = tf.io.parse_single_example(record, {"y": tf.io.FixedLenFeature([1], tf.int64),
                                                    "tags": tf.io.VarLenFeature(tf.string)})
        assert eager["y"].numpy().tolist() == [3]
        assert eager["tags"].values.numpy().tolist() == [b"t0", b"t1", b"t2"]


@pytest.mark.parametrize("features,message", [
    ({"z": tf.FixedLenFeature([], tf.int64)}, "Feature: z (data type: int64) is required but could not be found"),
    ({"x": tf.FixedLenFeature([2], tf.int64)}, "Data types don't match. Data type: float but expected type: int64"),
    ({"x": tf.FixedLenFeature([3], tf.float32)}, "Number of float values != expected.  Values size: 2"),
])
def test_errors(features, message):
    with tf.Graph().as_default(), tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match=re.escape(message)):
            sess.run(tf.parse_example(_records(), features))


def test_bad_bytes_and_bad_specs():
    with tf.Graph().as_default(), tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="Could not parse example input"):
            sess.run(tf.parse_single_example(b"\x0a\x09", {"y": tf.FixedLenFeature([], tf.int64)}))
        with pytest.raises(ValueError, match="Missing: features"):
            tf.parse_example(_records(), {})
        with pytest.raises(ValueError, match="need to be known"):
            tf.parse_example(_records(), {"x": tf.FixedLenFeature([None], tf.float32)})
        with pytest.raises(ValueError):
            tf.parse_example(_records(), {"x": tf.FixedLenFeature([], tf.int32)})


def test_one_feature_in_a_session():
    # a one-output op: the kernel returns the array itself
    with tf.Graph().as_default(), tf.Session() as sess:
        out = sess.run(tf.parse_example(_records(), {"y": tf.FixedLenFeature([], tf.int64)}))
    assert out["y"].tolist() == [0, 1, 2, 3, 4]
