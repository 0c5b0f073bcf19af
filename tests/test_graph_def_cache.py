"""The reuse of a graph's serialized forms (framework/graph_def_cache): `Graph.as_graph_def()` and the `.meta` of
`Saver.save` are built once while the graph is unchanged, never stale after a change, and never shared between
callers. Builds are counted by wrapping the builders, not timed."""
import os

import numpy as np
import pytest

import neuroflow as tf
from neuroflow.framework import tf_graph_export
from neuroflow.train import meta_graph, tf_meta_graph


@pytest.fixture
def conversions(monkeypatch):
    """Counts the conversions of a graph into TensorFlow's GraphDef (the expensive part of both forms)."""
    calls = []
    build = tf_graph_export.graph_to_tf_graph_def

    def counted(*args, **kwargs):
        calls.append(args[0])
        return build(*args, **kwargs)
    monkeypatch.setattr(tf_graph_export, "graph_to_tf_graph_def", counted)
    return calls


def _graph():
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, [None, 3], name="x")
        w = tf.Variable(np.arange(6, dtype=np.float32).reshape(3, 2), name="w")
        tf.matmul(x, w, name="y")
    return graph


def _node_names(graph_def):
    return [n.name for n in graph_def.node]


def test_as_graph_def_is_built_once_while_the_graph_is_unchanged(conversions):
    graph = _graph()
    first = graph.as_graph_def()
    second = graph.as_graph_def()
    third = graph.as_graph_def()
    assert len(conversions) == 1
    assert second is not first and third is not second
    assert second == first and second.SerializeToString() == first.SerializeToString()
    # the reused message imports exactly as the built one (its exact neuroflow form is recorded)
    with tf.Graph().as_default() as copy:
        tf.import_graph_def(third, name="")
    assert [op.type for op in copy.get_operations()] == [op.type for op in graph.get_operations()]


def test_add_shapes_is_its_own_form(conversions):
    graph = _graph()
    plain, shaped = graph.as_graph_def(), graph.as_graph_def(add_shapes=True)
    assert "_output_shapes" not in plain.node[0].attr and "_output_shapes" in shaped.node[0].attr
    assert "_output_shapes" in graph.as_graph_def(add_shapes=True).node[0].attr
    assert "_output_shapes" not in graph.as_graph_def().node[0].attr


def test_a_caller_editing_its_message_does_not_change_the_next_callers(conversions):
    graph = _graph()
    mine = graph.as_graph_def()
    expected = mine.SerializeToString()
    mine.node[0].name = "renamed"
    mine.node.add(name="extra", op="NoOp")
    del mine.node[1]
    theirs = graph.as_graph_def()
    assert theirs.SerializeToString() == expected
    assert _node_names(theirs) == [op.name for op in graph.get_operations()]


def test_a_new_op_gives_a_fresh_def(conversions):
    graph = _graph()
    before = graph.as_graph_def()
    with graph.as_default():
        tf.identity(graph.get_tensor_by_name("y:0"), name="out")
    after = graph.as_graph_def()
    assert "out" in _node_names(after) and "out" not in _node_names(before)
    assert len(conversions) == 2


def test_a_shape_set_after_creation_gives_a_fresh_def():
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, name="x")
        tf.identity(x, name="y")
    shapes = lambda: graph.as_graph_def(add_shapes=True).node[1].attr["_output_shapes"].list.shape[0]  # noqa: E731
    assert shapes().unknown_rank
    graph.get_tensor_by_name("y:0").set_shape([2, 5])
    assert [d.size for d in shapes().dim] == [2, 5]


def test_a_control_input_or_device_set_after_creation_gives_a_fresh_def():
    graph = _graph()
    graph.as_graph_def()
    y, x = graph.get_operation_by_name("y"), graph.get_operation_by_name("x")
    y._add_control_input(graph.get_operation_by_name("w/Assign"))
    assert "^w/Assign" in graph.as_graph_def().node[_node_names(graph.as_graph_def()).index("y")].input
    x._device = "/device:CPU:0"   # what import_graph_def and device functions do after creating an op
    assert graph.as_graph_def().node[0].device == "/device:CPU:0"


def test_a_graph_without_tensorflow_form_is_not_cached():
    graph = tf.Graph()
    with graph.as_default():
        p = tf.placeholder(tf.bool, [], name="p")
        tf.cond(p, lambda: tf.constant(1.0), lambda: tf.constant(2.0))
    first, second = graph.as_graph_def(), graph.as_graph_def()
    assert first is not second and first == second   # neuroflow's own GraphDef, built each time
    assert "_serialized_forms" not in graph.__dict__


# --- Saver.save's .meta --------------------------------------------------------------------------------------------
@pytest.fixture
def meta_exports(monkeypatch):
    calls = []
    export = tf_meta_graph.export_tf_meta_graph

    def counted(*args, **kwargs):
        calls.append(1)
        return export(*args, **kwargs)
    monkeypatch.setattr(tf_meta_graph, "export_tf_meta_graph", counted)
    return calls


def _read(path):
    with open(path, "rb") as f:
        return f.read()


def _collection_keys(path):
    return set(meta_graph.read_meta_graph_file(path).collection_def)


def test_repeated_saves_write_the_meta_built_once(tmp_path, meta_exports):
    graph = _graph()
    with graph.as_default():
        saver = tf.train.Saver()
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            first = saver.save(sess, str(tmp_path / "a" / "model"))
            second = saver.save(sess, str(tmp_path / "b" / "model"), global_step=3)
            third = saver.save(sess, str(tmp_path / "c" / "model"))
        explicit = saver.export_meta_graph(str(tmp_path / "explicit.meta"))
    assert len(meta_exports) == 2   # the first save and the explicit export (which returns the message)
    assert explicit is not None
    data = _read(first + ".meta")
    assert _read(second + ".meta") == data == _read(third + ".meta") == _read(tmp_path / "explicit.meta")
    with tf.Graph().as_default():
        restored = tf.train.import_meta_graph(third + ".meta")
        with tf.Session() as sess:
            restored.restore(sess, third)
            np.testing.assert_array_equal(sess.run("w:0"), np.arange(6, dtype=np.float32).reshape(3, 2))


def test_a_changed_collection_or_graph_gives_a_fresh_meta(tmp_path, meta_exports):
    graph = _graph()
    with graph.as_default():
        saver = tf.train.Saver()
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            path = saver.save(sess, str(tmp_path / "model"))
            assert "outputs" not in _collection_keys(path + ".meta")
            tf.add_to_collection("outputs", graph.get_tensor_by_name("y:0"))
            path = saver.save(sess, str(tmp_path / "model"))
            assert "outputs" in _collection_keys(path + ".meta")
            tf.get_collection_ref("outputs").clear()   # a change made on the list itself
            path = saver.save(sess, str(tmp_path / "model"))
            assert "outputs" not in _collection_keys(path + ".meta")
            tf.identity(graph.get_tensor_by_name("y:0"), name="later")
            path = saver.save(sess, str(tmp_path / "model"))
            names = {n.name for n in meta_graph.read_meta_graph_file(path + ".meta").graph_def.node}
            assert "later" in names
            assert len(meta_exports) == 4
            saver.save(sess, str(tmp_path / "model"))
    assert len(meta_exports) == 4


def test_another_saver_of_the_graph_writes_its_own_meta(tmp_path, meta_exports):
    graph = _graph()
    with graph.as_default():
        v = tf.Variable(1.0, name="v")
        everything, only_v = tf.train.Saver(), tf.train.Saver([v])
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            a = everything.save(sess, str(tmp_path / "all"))
            b = only_v.save(sess, str(tmp_path / "v"))
    assert _read(a + ".meta") != _read(b + ".meta")
    assert len(meta_exports) == 2


def test_a_graph_written_in_neuroflows_form_is_exported_on_every_save(tmp_path):
    graph = tf.Graph()
    with graph.as_default():
        p = tf.placeholder(tf.bool, [], name="p")
        v = tf.Variable(1.0, name="v")
        tf.cond(p, lambda: v + 1.0, lambda: v - 1.0, name="branch")
        saver = tf.train.Saver()
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            path = saver.save(sess, str(tmp_path / "model"))
            assert _read(path + ".meta").lstrip().startswith(b"{")   # neuroflow's JSON form
            tf.identity(v, name="later")
            path = saver.save(sess, str(tmp_path / "model"))
    assert b'"later"' in _read(path + ".meta")
    assert "saver_meta" not in graph.__dict__.get("_serialized_forms", {})
    assert os.path.exists(path + ".index")
