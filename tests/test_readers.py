"""TF1 readers over a queue of file names (TextLineReader, WholeFileReader, FixedLengthRecordReader, TFRecordReader):
keys and values compared with what TensorFlow 2.21's v1 readers returned for the same files
(tests/data/tf_readers.json, written by the anchors' TensorFlow from the files `_write_files` makes)."""
import json
import os

import numpy as np
import pytest

import neuroflow as tf

_EXPECTED = json.load(open(os.path.join(os.path.dirname(__file__), "data", "tf_readers.json")))


def _write_files(d):
    files = {"a.txt": b"head\nx1\r\nx2\n\nx4", "b.txt": b"y1\ny2\n", "f.bin": bytes(range(23))}
    for n, b in files.items():
        with open(os.path.join(d, n), "wb") as f:
            f.write(b)
    with tf.python_io.TFRecordWriter(os.path.join(d, "r.tfrecord")) as w:
        for rec in [b"one", b"", b"three33"]:
            w.write(rec)


def _read_all(d, make_reader, names):
    with tf.Graph().as_default():
        q = tf.train.string_input_producer([os.path.join(d, n) for n in names], num_epochs=1, shuffle=False)
        reader = make_reader()
        k, v = reader.read(q)
        out = []
        with tf.Session() as sess:
            sess.run(tf.local_variables_initializer())
            coord = tf.train.Coordinator()
            threads = tf.train.start_queue_runners(sess, coord)
            with pytest.raises(tf.errors.OutOfRangeError):
                while True:
                    kk, vv = sess.run([k, v])
                    out.append([kk.decode().replace(str(d), "DIR"), vv.hex()])
            produced = sess.run(reader.num_records_produced())
            coord.request_stop()
            coord.join(threads, stop_grace_period_secs=10)
        assert produced == len(out)
        return out


@pytest.mark.parametrize("case, make_reader, names", [
    ("text", lambda: tf.TextLineReader(skip_header_lines=1), ["a.txt", "b.txt"]),
    ("text0", lambda: tf.TextLineReader(), ["a.txt"]),
    ("whole", lambda: tf.WholeFileReader(), ["a.txt", "b.txt"]),
    ("fixed", lambda: tf.FixedLengthRecordReader(5, header_bytes=2, footer_bytes=3), ["f.bin"]),
    ("fixed_hop", lambda: tf.FixedLengthRecordReader(5, header_bytes=2, footer_bytes=3, hop_bytes=3), ["f.bin"]),
    ("tfrecord", lambda: tf.TFRecordReader(), ["r.tfrecord"]),
])
def test_reader_matches_tensorflow(tmp_path, case, make_reader, names):
    _write_files(tmp_path)
    assert _read_all(tmp_path, make_reader, names) == _EXPECTED[case]


def test_read_up_to_stays_within_one_file_and_reset_starts_over(tmp_path):
    _write_files(tmp_path)
    with tf.Graph().as_default():
        q = tf.train.string_input_producer([str(tmp_path / "a.txt"), str(tmp_path / "b.txt")], shuffle=False)
        reader = tf.TextLineReader()
        keys, values = reader.read_up_to(q, 3)
        with tf.Session() as sess:
            coord = tf.train.Coordinator()
            threads = tf.train.start_queue_runners(sess, coord)
            assert sess.run(values).tolist() == [b"head", b"x1", b"x2"]
            assert sess.run(values).tolist() == [b"", b"x4"]  # the rest of a.txt only
            k, v = sess.run([keys, values])
            assert v.tolist() == [b"y1", b"y2"] and k[0].decode().endswith("b.txt:1")
            assert sess.run(reader.num_work_units_completed()) == 2
            sess.run(reader.reset())
            assert sess.run(reader.num_records_produced()) == 0
            coord.request_stop()
            coord.join(threads, stop_grace_period_secs=10)


def test_csv_lines_to_a_training_batch(tmp_path):
    path = tmp_path / "data.csv"
    path.write_text("".join(f"{i},{2 * i}\n" for i in range(8)))
    with tf.Graph().as_default():
        q = tf.train.string_input_producer([str(path)], num_epochs=1, shuffle=False)
        _, line = tf.TextLineReader().read(q)
        a, b = tf.string_split([line], ",").values[0], tf.string_split([line], ",").values[1]
        batch = tf.train.batch([tf.string_to_number(a), tf.string_to_number(b)], batch_size=4)
        with tf.Session() as sess:
            sess.run(tf.local_variables_initializer())
            coord = tf.train.Coordinator()
            threads = tf.train.start_queue_runners(sess, coord)
            x, y = sess.run(batch)
            np.testing.assert_array_equal(x, [0, 1, 2, 3])
            np.testing.assert_array_equal(y, [0, 2, 4, 6])
            coord.request_stop()
            coord.join(threads, stop_grace_period_secs=10)
