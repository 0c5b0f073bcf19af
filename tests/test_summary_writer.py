"""Event files: CRC32C against published test vectors and TensorBoard's own implementation, record framing, the
file name and first event, reading past a truncated last record, background flushing, close/reopen, interpreter
exit, and the eager `create_file_writer(...).as_default()` path."""
import os
import re
import struct
import subprocess
import sys
import time

import numpy as np
import pytest

import neuroflow as tf
from neuroflow.summary.crc32c import crc32c, masked_crc32c, unmask

pytest.importorskip("tensorboard")
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator  # noqa: E402
from tensorboard.compat.tensorflow_stub import pywrap_tensorflow as tb_stub  # noqa: E402

from neuroflow.summary.event_file import read_records  # noqa: E402


def _read(logdir):
    ea = EventAccumulator(str(logdir), size_guidance={"scalars": 0, "tensors": 0, "histograms": 0, "images": 0})
    ea.Reload()
    return ea


def _scalar_summary(tag, value):
    return tf.summary.Summary(value=[tf.summary.Summary.Value(tag=tag, simple_value=value)])


@pytest.mark.parametrize("data, expected", [
    (b"123456789", 0xE3069283),
    (bytes(32), 0x8A9136AA),                      # RFC 3720 B.4
    (b"\xff" * 32, 0x62A8AB43),
    (bytes(range(32)), 0x46DD794E),
    (bytes(range(31, -1, -1)), 0x113FDB5C),
    (b"", 0),
])
def test_crc32c_known_vectors(data, expected):
    assert crc32c(data) == expected


@pytest.mark.parametrize("n", [1, 7, 511, 512, 513, 4096, 65537, 300001])
def test_crc32c_matches_tensorboards_implementation(n):
    data = np.random.default_rng(n).integers(0, 256, n, dtype=np.uint8).tobytes()
    assert crc32c(data) == tb_stub.crc32c(data)  # long inputs take the lane-parallel path
    assert masked_crc32c(data) == tb_stub.masked_crc32c(data)
    assert unmask(masked_crc32c(data)) == crc32c(data)
    assert crc32c(data[n // 2:], crc32c(data[:n // 2])) == crc32c(data)  # continuing a CRC


def test_file_name_first_event_and_framing(tmp_path):
    writer = tf.summary.FileWriter(str(tmp_path), filename_suffix=".v2")
    writer.add_summary(_scalar_summary("a", 1.0).SerializeToString(), 5)
    writer.close()
    (path,) = list(tmp_path.iterdir())
    assert re.fullmatch(rf"events\.out\.tfevents\.\d{{10}}\.[^.]+.*\.{os.getpid()}\.\d+\.v2", path.name), path.name
    blob = path.read_bytes()
    (length,) = struct.unpack("<Q", blob[:8])
    assert struct.unpack("<I", blob[8:12])[0] == tb_stub.masked_crc32c(blob[:8])
    first = tf.summary.Event.FromString(blob[12:12 + length])
    assert first.file_version == "brain.Event:2" and first.wall_time > 0
    assert struct.unpack("<I", blob[12 + length:16 + length])[0] == tb_stub.masked_crc32c(blob[12:12 + length])
    events = [tf.summary.Event.FromString(r) for r in read_records(path)]
    assert events[1].step == 5 and events[1].summary.value[0].simple_value == 1.0
    assert writer.get_logdir() == str(tmp_path)


def test_a_truncated_last_record_does_not_break_reading(tmp_path):
    writer = tf.summary.FileWriter(str(tmp_path))
    for step in range(3):
        writer.add_summary(_scalar_summary("loss", float(step)), step)
    writer.close()
    (path,) = list(tmp_path.iterdir())
    blob = path.read_bytes()
    path.write_bytes(blob[:-7])  # a crash in the middle of the last record
    assert [e.step for e in _read(tmp_path).Scalars("loss")] == [0, 1]
    assert len(read_records(path)) == 3  # file_version + two events


def test_events_wait_in_memory_until_flush(tmp_path):
    writer = tf.summary.FileWriter(str(tmp_path), flush_secs=600, max_queue=1000)
    (path,) = list(tmp_path.iterdir())
    size = path.stat().st_size  # the file_version record is on disk at once
    assert size > 0 and len(read_records(path)) == 1
    for step in range(200):
        writer.add_summary(_scalar_summary("loss", 1.0), step)
    assert path.stat().st_size == size   # queued, not written
    writer.flush()
    assert len(read_records(path)) == 201
    writer.close()


def test_background_thread_flushes_every_flush_secs(tmp_path):
    writer = tf.summary.FileWriter(str(tmp_path), flush_secs=0.2)
    writer.add_summary(_scalar_summary("loss", 3.0), 1)
    (path,) = list(tmp_path.iterdir())
    deadline = time.time() + 10
    while len(read_records(path)) < 2 and time.time() < deadline:
        time.sleep(0.05)
    assert len(read_records(path)) == 2, "the background thread never flushed"
    writer.close()


def test_close_reopen_and_events_after_close(tmp_path):
    writer = tf.summary.FileWriter(str(tmp_path))
    writer.add_summary(_scalar_summary("a", 1.0), 0)
    writer.close()
    writer.close()  # idempotent
    writer.add_summary(_scalar_summary("a", 2.0), 1)  # dropped, as TensorFlow does
    time.sleep(0.01)
    writer.reopen()
    writer.add_summary(_scalar_summary("a", 3.0), 2)
    writer.close()
    files = sorted(tmp_path.iterdir())
    assert len(files) == 2
    values = [[tf.summary.Event.FromString(r).summary.value[0].simple_value for r in read_records(f)[1:]]
              for f in files]
    assert sorted(values) == [[1.0], [3.0]]
    assert [e.value for e in _read(tmp_path).Scalars("a")] == [1.0, 3.0]


def test_context_manager_and_session_log(tmp_path):
    with tf.summary.FileWriter(str(tmp_path)) as writer:
        writer.add_session_log(tf.summary.SessionLog(status=tf.summary.SessionLog.START), 7)
        writer.add_event(tf.summary.Event(wall_time=1.0, step=8, summary=_scalar_summary("b", 2.0)))
    (path,) = list(tmp_path.iterdir())
    events = [tf.summary.Event.FromString(r) for r in read_records(path)]
    assert events[1].session_log.status == tf.summary.SessionLog.START and events[1].step == 7
    assert events[2].step == 8 and events[2].wall_time == 1.0


def test_pending_events_are_written_at_interpreter_exit(tmp_path):
    code = ("import neuroflow as tf\n"
            f"w = tf.summary.FileWriter({str(tmp_path)!r}, flush_secs=600, max_queue=1000)\n"
            "w.add_summary(tf.summary.Summary(value=[tf.summary.Summary.Value(tag='t', simple_value=4.0)]), 9)\n")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
    assert [(e.step, e.value) for e in _read(tmp_path).Scalars("t")] == [(9, 4.0)]


def test_file_writer_and_merge_refuse_eager_mode(tmp_path):
    with tf.eager_mode():
        with pytest.raises(RuntimeError, match="not compatible with eager execution"):
            tf.summary.FileWriter(str(tmp_path))
        with pytest.raises(RuntimeError, match="not compatible with eager execution"):
            tf.summary.merge_all()


def test_eager_writer_as_default(tmp_path):
    with tf.eager_mode():
        writer = tf.summary.create_file_writer(str(tmp_path))
        with writer.as_default():
            for step in range(3):
                assert tf.summary.scalar("loss", tf.constant(1.0 / (step + 1)), step=step) is True
            tf.summary.scalar("lr", 0.5, 7)  # scalar(name, value, step) positionally
            tf.summary.histogram("w", tf.constant([1.0, 2.0, 3.0]), step=1)
            tf.summary.image("img", np.zeros((1, 2, 2, 3), np.uint8), step=1)
            tf.summary.text("note", "hello", step=1)
            with pytest.raises(ValueError, match="No step"):
                tf.summary.scalar("loss", 1.0)
        writer.close()
        # Without a default writer, the TF1 op runs eagerly and returns the serialized Summary.
        raw = tf.summary.scalar("x", tf.constant(2.0))
        assert tf.summary.Summary.FromString(raw.numpy()).value[0].simple_value == 2.0
    ea = _read(tmp_path)
    assert [(e.step, round(e.value, 4)) for e in ea.Scalars("loss")] == [(0, 1.0), (1, 0.5), (2, 0.3333)]
    assert [(e.step, e.value) for e in ea.Scalars("lr")] == [(7, 0.5)]
    assert ea.Histograms("w")[0].histogram_value.num == 3
    assert ea.Images("img/image/0")[0].width == 2
    assert ea.Tensors("note")[0].tensor_proto.string_val == [b"hello"]


def test_file_writer_cache_shares_one_writer_per_folder(tmp_path):
    a = tf.summary.FileWriterCache.get(str(tmp_path / "a"))
    assert tf.summary.FileWriterCache.get(str(tmp_path / "a")) is a
    assert tf.summary.FileWriterCache.get(str(tmp_path / "b")) is not a
    a.add_summary(_scalar_summary("x", 1.0), 0)
    tf.summary.FileWriterCache.clear()  # closes (and so flushes) them
    assert [e.value for e in _read(tmp_path / "a").Scalars("x")] == [1.0]
    assert tf.summary.FileWriterCache.get(str(tmp_path / "a")) is not a
    tf.summary.FileWriterCache.clear()


# --- error paths leave the writer as it was ----------------------------------------------------------------------
def _tagged_summary(tag, value):
    """A summary value carrying plugin metadata, as TensorBoard's dashboards need on a tag's first event."""
    from tensorboard.compat.proto.summary_pb2 import SummaryMetadata
    metadata = SummaryMetadata(plugin_data=SummaryMetadata.PluginData(plugin_name="scalars"))
    return tf.summary.Summary(value=[tf.summary.Summary.Value(tag=tag, simple_value=value, metadata=metadata)])


def test_a_rejected_add_summary_writes_nothing_and_keeps_the_tags_metadata(tmp_path):
    with tf.summary.FileWriter(str(tmp_path)) as writer:
        with pytest.raises((TypeError, ValueError)):
            writer.add_summary(_tagged_summary("loss", 1.0), global_step="not a step")
        writer.add_summary(_tagged_summary("loss", 2.0), 1)   # the tag's first written event: metadata kept
        writer.add_summary(_tagged_summary("loss", 3.0), 2)   # later ones: metadata dropped, as TensorFlow does
    (path,) = list(tmp_path.iterdir())
    events = [tf.summary.Event.FromString(r) for r in read_records(path)][1:]
    assert [(e.step, e.summary.value[0].simple_value) for e in events] == [(1, 2.0), (2, 3.0)]
    assert [e.summary.value[0].metadata.plugin_data.plugin_name for e in events] == ["scalars", ""]


def test_rejected_graphs_write_nothing(tmp_path):
    graph = tf.get_default_graph()
    tf.constant(1.0, name="c")
    with tf.summary.FileWriter(str(tmp_path)) as writer:
        with pytest.raises(ValueError, match="Please pass only graph, or graph_def"):
            writer.add_graph(graph, graph_def=graph.as_graph_def())
        with pytest.raises(TypeError):
            writer.add_graph("not a graph")
        writer.add_summary(_scalar_summary("a", 1.0), 0)
    (path,) = list(tmp_path.iterdir())
    events = [tf.summary.Event.FromString(r) for r in read_records(path)]
    assert len(events) == 2 and events[1].summary.value[0].tag == "a"
    assert not any(e.graph_def for e in events)
