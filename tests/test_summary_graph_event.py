"""The GraphDef of a TensorBoard graph event (summary/graph_def.py): what TensorFlow's FileWriter.add_graph writes
for the same program (tests/data/tensorboard_graph, made by real TensorFlow), built with neuroflow's one GraphDef
codec without the tensorboard package, and read back by TensorBoard's own event reader where it is installed."""
import os
import sys

import numpy as np
import pytest

import neuroflow as tf
from neuroflow.framework import tf_graph_export, tf_protos
from neuroflow.summary import _proto
from neuroflow.summary.graph_def import graph_event_bytes

_FIXTURE = os.path.join(os.path.dirname(__file__), "data", "tensorboard_graph", "tf_graph_event.pbtxt")
# What TensorFlow 2.21 writes that neuroflow's GraphDef export does not: MatMul's newer attrs at their defaults and
# TensorFlow 2's mark on an op used in control_dependencies (TensorFlow 1 writes none).
_KNOWN_GAPS = {("mm", "grad_a"), ("mm", "grad_b"), ("total", "_has_manual_control_dependencies")}


def _program():
    """The program of tests/data/tensorboard_graph/make_tf_graph_event.py."""
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, [None, 3], name="x")
        w = tf.constant(np.arange(6, dtype=np.float32).reshape(3, 2), name="w")
        b = tf.constant(np.array([0.5, -0.5], dtype=np.float32), name="b")
        h = tf.nn.relu(tf.nn.bias_add(tf.matmul(x, w, name="mm"), b, name="ba"), name="relu")
        total = tf.reduce_sum(h, axis=[1], name="total")
        probs = tf.nn.softmax(h, name="probs")
        with tf.control_dependencies([total]):
            tf.identity(probs, name="out")
    return graph


def _tensorflows():
    with open(_FIXTURE) as f:
        return tf_protos.text_format.Parse(f.read(), tf_protos.GraphDef())


def test_the_graph_event_holds_what_tensorflow_writes():
    ours = tf_protos.GraphDef.FromString(graph_event_bytes(_program()))
    theirs = {n.name: n for n in _tensorflows().node}
    assert sorted(n.name for n in ours.node) == sorted(theirs)
    for node in ours.node:
        tf_node = theirs[node.name]
        assert (node.op, list(node.input), node.device) == (tf_node.op, list(tf_node.input), tf_node.device)
        for key in set(node.attr) | set(tf_node.attr):
            if (node.name, key) in _KNOWN_GAPS:
                assert key not in node.attr, f"{node.name}: {key} is written now: take it out of _KNOWN_GAPS"
                continue
            assert key in node.attr and key in tf_node.attr, (node.name, key)
            assert node.attr[key] == tf_node.attr[key], (node.name, key)
    assert not theirs["mm"].attr["grad_a"].b and not theirs["mm"].attr["grad_b"].b   # the defaults


@pytest.fixture
def without_tensorboard(monkeypatch):
    monkeypatch.setattr(_proto, "_cache", [])
    monkeypatch.setitem(sys.modules, "tensorboard.compat.proto", None)
    with pytest.raises(ImportError):
        _proto.protos()


def test_the_graph_bytes_need_no_tensorboard(without_tensorboard):
    graph = _program()
    assert tf_protos.GraphDef.FromString(graph_event_bytes(graph)) == \
        tf_protos.GraphDef.FromString(graph.as_graph_def(add_shapes=True).SerializeToString())
    with tf.Graph().as_default() as drawn:   # no TensorFlow form: neuroflow's ops are drawn
        flag = tf.placeholder(tf.bool, [], name="flag")
        tf.cond(flag, lambda: tf.constant(1.0), lambda: tf.constant(2.0), name="pick")
        dataset = tf.data.Dataset.from_tensor_slices(np.zeros((4, 2), np.float32))
        dataset.make_one_shot_iterator().get_next()
    nodes = {n.name: n for n in tf_protos.GraphDef.FromString(graph_event_bytes(drawn)).node}
    assert nodes["pick"].op in ("If", "StatelessIf") and "pick/then_branch/Const" in nodes
    texts = [a.s for n in nodes.values() for k, a in n.attr.items() if k == "dataset"]
    assert texts and all(t.startswith(b"<") for t in texts)   # a Python object: its text, cut to 200 characters
    from_def = tf_protos.GraphDef.FromString(graph_event_bytes(drawn.as_graph_def()))
    assert "pick/then_branch/Const" in {n.name for n in from_def.node}


def test_an_object_array_attribute_is_drawn_as_text():
    graph = tf.Graph()
    with graph.as_default():
        tf.py_func(lambda v: v, [tf.constant([1.0])], tf.float32, name="f")
        op = graph.get_operation_by_name("f")
        op._attrs["objects"] = np.array([object(), 3], dtype=object)   # no TensorProto holds these
    node = next(n for n in tf_protos.GraphDef.FromString(graph_event_bytes(graph)).node if n.name == "f")
    assert node.attr["objects"].s.startswith(b"array([<object")


def test_writing_the_graph_again_reuses_its_bytes(monkeypatch, tmp_path):
    pytest.importorskip("tensorboard", reason="FileWriter writes its events with the tensorboard package")
    calls = []
    build = tf_graph_export.graph_to_tf_graph_def
    monkeypatch.setattr(tf_graph_export, "graph_to_tf_graph_def", lambda *a, **k: calls.append(1) or build(*a, **k))
    graph = _program()
    for k in range(3):
        tf.summary.FileWriter(str(tmp_path / str(k)), graph).close()
    assert len(calls) == 1


def test_tensorboards_reader_loads_the_graph_event(tmp_path):
    pytest.importorskip("tensorboard", reason="reads the event with TensorBoard's own reader")
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    graph = _program()
    with tf.summary.FileWriter(str(tmp_path), graph):
        pass
    accumulator = EventAccumulator(str(tmp_path))
    accumulator.Reload()
    read = accumulator.Graph()
    assert tf_protos.GraphDef.FromString(read.SerializeToString()) == \
        tf_protos.GraphDef.FromString(graph_event_bytes(graph))
    assert [n.name for n in read.node] == [n.name for n in tf_protos.GraphDef.FromString(graph_event_bytes(graph))
                                           .node]
