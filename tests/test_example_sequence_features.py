"""FixedLenSequenceFeature(allow_missing=True) in tf.parse_example / parse_single_example: a flat list read as
[steps] + shape, padded to the batch's longest with default_value (0 / b'' when None); equal to TensorFlow 2.21's
results on the same Examples (tests/data/example_sequence_features/); its errors; and
tf.data.experimental.parse_example_dataset over batched records (dense features: tf.data holds no SparseTensors)."""
import json
import os

import numpy as np
import pytest

import neuroflow as tf

REFERENCE = json.load(open(os.path.join(os.path.dirname(__file__), "data", "example_sequence_features",
                                        "reference.json")))
RECORDS = [bytes.fromhex(r) for r in REFERENCE["records"]]


def _spec():
    return {"pairs": tf.io.FixedLenSequenceFeature([2], tf.float32, allow_missing=True),
            "words": tf.io.FixedLenSequenceFeature([], tf.string, allow_missing=True, default_value="pad"),
            "ids": tf.io.FixedLenSequenceFeature([], tf.int64, allow_missing=True, default_value=-1),
            "label": tf.io.FixedLenFeature([], tf.int64),
            "tags": tf.io.VarLenFeature(tf.string)}


def _check(parsed, expected):
    for key, want in expected.items():
        got = parsed[key]
        if isinstance(want, dict):
            assert got.indices.tolist() == want["indices"] and got.dense_shape.tolist() == want["dense_shape"]
            continue
        got = np.asarray(got)
        if got.dtype == object:
            got = np.vectorize(bytes.decode, otypes=[object])(got) if got.size else got
        assert got.tolist() == want, key


def test_parse_example_matches_tensorflow():
    with tf.Graph().as_default():
        batch = tf.parse_example(tf.constant(RECORDS), _spec())
        single = tf.parse_single_example(tf.constant(RECORDS[0]), _spec())
        assert batch["pairs"].shape.as_list() == [3, None, 2] and single["words"].shape.as_list() == [None]
        with tf.Session() as sess:
            got_batch, got_single = sess.run([batch, single])
    _check(got_batch, REFERENCE["batch"])
    _check(got_single, REFERENCE["single"])
    assert got_batch["pairs"].dtype == np.float32 and got_batch["ids"].dtype == np.int64


def test_errors():
    with pytest.raises(ValueError, match="requires allow_missing to be True"):
        tf.parse_example(RECORDS, {"ids": tf.io.FixedLenSequenceFeature([], tf.int64)})
    with tf.Graph().as_default():
        odd = tf.parse_example(RECORDS, {"ids": tf.io.FixedLenSequenceFeature([2], tf.int64, allow_missing=True)})
        with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError,
                                                 match="Number of values is not a multiple of stride length"):
            sess.run(odd)


def test_parse_example_dataset(tmp_path):
    path = str(tmp_path / "records.tfrecord")
    with tf.python_io.TFRecordWriter(path) as writer:
        for record in RECORDS:
            writer.write(record)
    dense = {k: v for k, v in _spec().items() if k != "tags"}
    with tf.Graph().as_default():
        dataset = tf.data.TFRecordDataset(path).batch(2).apply(tf.data.experimental.parse_example_dataset(dense))
        batch = tf.data.make_one_shot_iterator(dataset).get_next()
        with tf.Session() as sess:
            first, second = sess.run(batch), sess.run(batch)
    assert first["label"].tolist() == [1, 0] and second["label"].tolist() == [2]
    assert first["ids"].tolist() == [[-1, -1, -1], [5, 6, 7]] and second["ids"].tolist() == [[8]]
    assert first["words"].tolist() == [[b"a", b"bc"], [b"x", b"pad"]]
    with pytest.raises(TypeError, match="Input dataset should be a dataset of vectors of strings"):
        tf.data.Dataset.from_tensor_slices(np.zeros(3)).apply(tf.data.experimental.parse_example_dataset(dense))
    with tf.Graph().as_default():   # a VarLenFeature: a SparseTensor component, as tf.parse_example's
        with_tags = tf.data.TFRecordDataset(path).batch(3).apply(tf.data.experimental.parse_example_dataset(_spec()))
        assert with_tags.output_classes["tags"] is tf.SparseTensor
        tags = tf.data.make_one_shot_iterator(with_tags).get_next()["tags"]
        expected = tf.parse_example(tf.constant(RECORDS), _spec())["tags"]
        with tf.Session() as sess:
            got, want = sess.run([tags, expected])
    for a, b in zip(got, want):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="Missing: features was None."):
        tf.data.experimental.parse_example_dataset(None)
