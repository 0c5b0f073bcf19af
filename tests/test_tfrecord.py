"""TFRecord files: records written by TensorFlow 2.21 (tests/data/tfrecord, made by make_data.py there) read back,
neuroflow's files read by real TensorFlow when its environment is present, compression, corruption."""
import json
import os

import pytest

import neuroflow as tf
from anchor_tf import ANCHOR_PYTHON, run_tf

DATA = os.path.join(os.path.dirname(__file__), "data", "tfrecord")
RECORDS = [b"", b"hello", bytes(range(256)) * 5, b"x" * 1000]  # what make_data.py wrote


@pytest.mark.parametrize("name,options", [("plain", None), ("gzip", "GZIP"), ("zlib", "ZLIB"),
                                          ("gzip", tf.io.TFRecordOptions(tf.io.TFRecordCompressionType.GZIP))])
def test_reads_files_written_by_tensorflow(name, options):
    path = os.path.join(DATA, f"records_{name}.tfrecord")
    assert list(tf.python_io.tf_record_iterator(path, options)) == RECORDS


@pytest.mark.parametrize("kind", ["", "GZIP", "ZLIB"])
def test_round_trip(tmp_path, kind):
    path = str(tmp_path / "r.tfrecord")
    with tf.io.TFRecordWriter(path, kind) as w:
        for r in RECORDS:
            w.write(r)
        w.flush()
        w.write("text")
    assert list(tf.io.tf_record_iterator(path, kind)) == RECORDS + [b"text"]


def test_plain_file_bytes_equal_tensorflows(tmp_path):
    path = str(tmp_path / "r.tfrecord")
    with tf.python_io.TFRecordWriter(path) as w:
        for r in RECORDS:
            w.write(r)
    with open(path, "rb") as a, open(os.path.join(DATA, "records_plain.tfrecord"), "rb") as b:
        assert a.read() == b.read()


def test_corrupt_and_truncated_files(tmp_path):
    blob = open(os.path.join(DATA, "records_plain.tfrecord"), "rb").read()
    bad = bytearray(blob)
    bad[12 + 0 + 4 + 12 + 2] ^= 1  # a byte of "hello"
    (tmp_path / "bad").write_bytes(bytes(bad))
    it = tf.python_io.tf_record_iterator(str(tmp_path / "bad"))
    assert next(it) == b""
    with pytest.raises(tf.errors.DataLossError):
        next(it)
    (tmp_path / "cut").write_bytes(blob[:-3])
    with pytest.raises(tf.errors.DataLossError, match="truncated record"):
        list(tf.python_io.tf_record_iterator(str(tmp_path / "cut")))
    with pytest.raises(tf.errors.NotFoundError):
        list(tf.python_io.tf_record_iterator(str(tmp_path / "missing")))


def test_options():
    get = tf.io.TFRecordOptions.get_compression_type_string
    assert get(None) == "" and get("gzip") == "GZIP" and get(tf.io.TFRecordCompressionType.ZLIB) == "ZLIB"
    with pytest.raises(ValueError):
        tf.io.TFRecordOptions("LZ4")


def test_closed_writer(tmp_path):
    w = tf.io.TFRecordWriter(str(tmp_path / "w"))
    w.close()
    with pytest.raises(tf.errors.FailedPreconditionError):
        w.write(b"x")


@pytest.mark.skipif(ANCHOR_PYTHON is None, reason="the anchors' TensorFlow is not installed")
def test_tensorflow_reads_neuroflows_files(tmp_path):
    for kind in ["", "GZIP", "ZLIB"]:
        path = str(tmp_path / f"r{kind}.tfrecord")
        with tf.io.TFRecordWriter(path, kind) as w:
            for r in RECORDS:
                w.write(r)
        out = run_tf("import sys, json\nprint(json.dumps([r.hex() for r in "
                     "tf.compat.v1.io.tf_record_iterator(sys.argv[1], sys.argv[2])]))", path, kind)
        assert [bytes.fromhex(h) for h in json.loads(out)] == RECORDS
