"""Dataset.batch and padded_batch of string elements give an object array of bytes, as string tensors are held:
not an object array of 0-d arrays (records from TFRecordDataset, generators), and not a fixed-width bytes array that
cuts longer strings to the first element's length (strings from a map)."""
import numpy as np

import neuroflow as tf


def _first_batch(dataset):
    with tf.Graph().as_default(), tf.Session() as sess:
        return sess.run(tf.data.make_one_shot_iterator(dataset).get_next())


def _is_bytes_array(value, expected):
    assert isinstance(value, np.ndarray) and value.dtype == object
    assert all(type(item) is bytes for item in value.reshape(-1).tolist())
    assert value.tolist() == expected


def test_batched_tfrecords_are_bytes(tmp_path):
    path = str(tmp_path / "r.tfrecord")
    with tf.python_io.TFRecordWriter(path) as writer:
        for record in (b"one", b"three", b"x"):
            writer.write(record)
    _is_bytes_array(_first_batch(tf.data.TFRecordDataset(path).batch(3)), [b"one", b"three", b"x"])


def test_batched_strings_are_not_cut_to_the_first_length():
    source = tf.data.Dataset.from_tensor_slices(np.array([b"a", b"bbb", b"cc"], dtype=object))
    _is_bytes_array(_first_batch(source.map(lambda s: s).batch(3)), [b"a", b"bbb", b"cc"])
    generated = tf.data.Dataset.from_generator(lambda: iter([b"a", b"bbbb"]), tf.string)
    _is_bytes_array(_first_batch(generated.batch(2)), [b"a", b"bbbb"])
    rows = tf.data.Dataset.from_generator(lambda: iter([np.array([b"a"]), np.array([b"bb", b"ccc"])]), tf.string,
                                          output_shapes=[None])
    _is_bytes_array(_first_batch(rows.padded_batch(2, [None])), [[b"a", b""], [b"bb", b"ccc"]])


def test_batched_records_parse():
    example = tf.train.Example(features=tf.train.Features(feature={
        "v": tf.train.Feature(int64_list=tf.train.Int64List(value=[7]))})).SerializeToString()
    dataset = tf.data.Dataset.from_generator(lambda: iter([example] * 3), tf.string).batch(3)
    dataset = dataset.map(lambda s: tf.parse_example(s, {"v": tf.FixedLenFeature([], tf.int64)}))
    assert _first_batch(dataset)["v"].tolist() == [7, 7, 7]
