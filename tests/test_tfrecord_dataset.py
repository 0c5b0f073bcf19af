"""tf.data.TFRecordDataset over files TensorFlow 2.21 wrote (tests/data/tfrecord, made by make_data.py there) and
over neuroflow's own: several files, compression, num_parallel_reads' interleaving order (checked against real
TensorFlow when its environment is present), parsing with map, a missing file."""
import json
import os

import pytest

import neuroflow as tf
from anchor_tf import ANCHOR_PYTHON, run_tf

DATA = os.path.join(os.path.dirname(__file__), "data", "tfrecord")
RECORDS = [b"", b"hello", bytes(range(256)) * 5, b"x" * 1000]


def _all(ds):
    with tf.Graph().as_default():
        nxt = tf.data.make_one_shot_iterator(ds).get_next() if hasattr(tf.data, "make_one_shot_iterator") else \
            ds.make_one_shot_iterator().get_next()
        out = []
        with tf.Session() as sess:
            while True:
                try:
                    out.append(sess.run(nxt))
                except tf.errors.OutOfRangeError:
                    return out


def _write(path, records, kind=""):
    with tf.io.TFRecordWriter(str(path), kind) as w:
        for r in records:
            w.write(r)
    return str(path)


def test_reads_tensorflows_files_with_compression():
    files = [os.path.join(DATA, f"records_{n}.tfrecord") for n in ("gzip", "zlib")]
    assert _all(tf.data.TFRecordDataset(files[:1], compression_type="GZIP")) == RECORDS
    assert _all(tf.data.TFRecordDataset(files[1], "ZLIB")) == RECORDS


def test_several_files_in_order_and_parsed(tmp_path):
    a = _write(tmp_path / "a", [b"a0", b"a1"])
    b = _write(tmp_path / "b", [b"b0"])
    assert _all(tf.data.TFRecordDataset([a, b])) == [b"a0", b"a1", b"b0"]
    ds = tf.data.TFRecordDataset(os.path.join(DATA, "examples.tfrecord")).map(
        lambda r: tf.parse_single_example(r, {"y": tf.FixedLenFeature([], tf.int64)})["y"]).batch(2)
    assert [v.tolist() for v in _all(ds)] == [[0, 1], [2, 3], [4]]


def test_filenames_from_a_placeholder(tmp_path):
    a = _write(tmp_path / "a", [b"1", b"2"])
    with tf.Graph().as_default():
        names = tf.placeholder(tf.string, [None])
        it = tf.data.TFRecordDataset(names).make_initializable_iterator()
        nxt = it.get_next()
        with tf.Session() as sess:
            sess.run(it.initializer, {names: [a, a]})
            assert [sess.run(nxt) for _ in range(4)] == [b"1", b"2", b"1", b"2"]


INTERLEAVE = [[b"a0", b"a1", b"a2"], [b"b0"], [b"c0", b"c1"], [b"d0", b"d1", b"d2", b"d3"]]
EXPECTED_2 = [b"a0", b"b0", b"a1", b"a2", b"c0", b"c1", b"d0", b"d1", b"d2", b"d3"]  # TensorFlow 2.21's order


def test_num_parallel_reads_interleaves(tmp_path):
    files = [_write(tmp_path / f"f{i}", recs) for i, recs in enumerate(INTERLEAVE)]
    assert _all(tf.data.TFRecordDataset(files, num_parallel_reads=2)) == EXPECTED_2


def test_missing_and_corrupt_files(tmp_path):
    with pytest.raises(tf.errors.NotFoundError):
        _all(tf.data.TFRecordDataset(str(tmp_path / "nope")))
    blob = open(os.path.join(DATA, "records_plain.tfrecord"), "rb").read()
    (tmp_path / "cut").write_bytes(blob[:-5])
    with pytest.raises(tf.errors.DataLossError):
        _all(tf.data.TFRecordDataset(str(tmp_path / "cut")))


@pytest.mark.skipif(ANCHOR_PYTHON is None, reason="the anchors' TensorFlow is not installed")
def test_interleave_order_matches_tensorflow(tmp_path):
    files = [_write(tmp_path / f"f{i}", recs) for i, recs in enumerate(INTERLEAVE)]
    out = run_tf("import sys, json\n"
                 "for n in (2, 3):\n"
                 "    ds = tf.data.TFRecordDataset(sys.argv[1:], num_parallel_reads=n)\n"
                 "    print(json.dumps([r.decode() for r in ds.as_numpy_iterator()]))", *files)
    for line, n in zip(out.strip().splitlines(), (2, 3)):
        got = [r.decode() for r in _all(tf.data.TFRecordDataset(files, num_parallel_reads=n))]
        assert got == json.loads(line)


def test_batched_records_parse_in_eager_mode():
    with tf.eager_mode():
        ds = tf.data.TFRecordDataset(os.path.join(DATA, "examples.tfrecord")).batch(2).map(
            lambda s: tf.io.parse_example(s, {"y": tf.io.FixedLenFeature([], tf.int64)})["y"])
        assert [b.numpy().tolist() for b in ds] == [[0, 1], [2, 3], [4]]
