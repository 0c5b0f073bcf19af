"""tf.io.parse_single_sequence_example on the SequenceExample TensorFlow 2.21 serialized (tests/data/tfrecord/
sequence_example.pb, made by make_data.py there: context len = 2, feature list tok = [[1, 2], [3]]) and on
neuroflow's own; TensorFlow's messages for a missing or mis-sized feature list."""
import os

import numpy as np
import pytest

import neuroflow as tf

RECORD = open(os.path.join(os.path.dirname(__file__), "data", "tfrecord", "sequence_example.pb"), "rb").read()


def _run(build):
    with tf.Graph().as_default(), tf.Session() as sess:
        return sess.run(build())


def test_tensorflows_sequence_example():
    ctx, seq = _run(lambda: tf.parse_single_sequence_example(
        RECORD, {"len": tf.FixedLenFeature([], tf.int64), "other": tf.FixedLenFeature([], tf.int64, default_value=-1)},
        {"tok": tf.VarLenFeature(tf.int64), "none": tf.io.FixedLenSequenceFeature([3], tf.float32,
                                                                                  allow_missing=True)}))
    assert ctx["len"] == 2 and ctx["other"] == -1
    assert seq["tok"].indices.tolist() == [[0, 0], [0, 1], [1, 0]] and seq["tok"].values.tolist() == [1, 2, 3]
    assert seq["tok"].dense_shape.tolist() == [2, 2]
    assert seq["none"].shape == (0, 3) and seq["none"].dtype == np.float32


def test_fixed_len_sequence_feature():
    se = tf.train.SequenceExample()
    for step in (["a", "b"], ["c", "d"], ["e", "f"]):
        se.feature_lists.feature_list["words"].feature.add().bytes_list.value.extend(step)
    _, seq = _run(lambda: tf.io.parse_single_sequence_example(
        se.SerializeToString(), sequence_features={"words": tf.io.FixedLenSequenceFeature([2], tf.string)}))
    assert seq["words"].tolist() == [[b"a", b"b"], [b"c", b"d"], [b"e", b"f"]]


def test_errors():
    with pytest.raises(tf.errors.InvalidArgumentError, match="Feature list 'x' is required"):
        _run(lambda: tf.io.parse_single_sequence_example(RECORD, sequence_features={
            "x": tf.io.FixedLenSequenceFeature([], tf.int64)}))
    with pytest.raises(tf.errors.InvalidArgumentError, match="Number of int64 values != expected"):
        _run(lambda: tf.io.parse_single_sequence_example(RECORD, sequence_features={
            "tok": tf.io.FixedLenSequenceFeature([2], tf.int64)}))
    with pytest.raises(ValueError):
        tf.io.parse_single_sequence_example(RECORD)
