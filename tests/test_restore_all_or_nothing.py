"""All-or-nothing guarantees of restoring: `Saver.restore` and `tf.train.import_meta_graph` either succeed
completely or leave every variable value, graph node and collection as it was — checked with several variables,
where the bad one comes last, so that restoring (or importing) one item at a time would be caught."""
import json
import os
import struct
import zlib

import numpy as np
import pytest

import neuroflow as tf
from neuroflow.framework import graph_io

# Restore order is by checkpoint name: "z" comes after the others, so a Saver that assigned as it went would have
# overwritten a, b and c before discovering the problem with z.
SAVED = {"a": np.arange(6, dtype=np.float32).reshape(2, 3), "b": np.array([0.25, -4.0]),
         "c": np.array([7, 8, 9], dtype=np.int32), "z": np.array([[1.5, 2.5], [3.5, 4.5]], dtype=np.float32)}


def _fresh(value):
    """A value surely different from the saved one, of the same dtype and shape."""
    return (np.asarray(value) * 0 - 3).astype(np.asarray(value).dtype)


def _save(path, values):
    with tf.Graph().as_default():
        variables = [tf.Variable(v, name=name) for name, v in values.items()]
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            return tf.train.Saver(variables).save(sess, path, write_meta_graph=False)


def _restore_expecting(path, error, match, z_value=SAVED["z"]):
    """Builds a, b, c, z with fresh values (z's may differ in shape or dtype from the checkpoint), restores
    `path`, expects `error`, and checks every variable still holds its fresh value."""
    with tf.Graph().as_default():
        values = dict(SAVED, z=z_value)
        variables = {name: tf.Variable(_fresh(v), name=name) for name, v in values.items()}
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            with pytest.raises(error, match=match):
                tf.train.Saver().restore(sess, path)
            for name, var in variables.items():
                np.testing.assert_array_equal(sess.run(var), _fresh(values[name]), err_msg=f"{name} was restored")


def test_a_missing_later_key_restores_nothing(tmp_path):
    path = _save(str(tmp_path / "m"), {k: v for k, v in SAVED.items() if k != "z"})
    _restore_expecting(path, tf.errors.NotFoundError, "Key z not found in checkpoint")


def test_a_later_shape_mismatch_restores_nothing(tmp_path):
    path = _save(str(tmp_path / "m"), SAVED)
    _restore_expecting(path, tf.errors.InvalidArgumentError, r"lhs shape= \[4\] rhs shape= \[2,2\]",
                       z_value=np.zeros(4, np.float32))


def test_a_later_dtype_mismatch_restores_nothing(tmp_path):
    path = _save(str(tmp_path / "m"), SAVED)
    _restore_expecting(path, tf.errors.InvalidArgumentError, "tensor_name = z; expected dtype double",
                       z_value=np.zeros((2, 2), np.float64))


def test_a_corrupt_later_tensor_restores_nothing(tmp_path):
    path = _save(str(tmp_path / "m"), SAVED)
    data = path + ".data-00000-of-00001"
    raw = bytearray(open(data, "rb").read())
    raw[-3] ^= 0x10   # inside z, the last tensor in the file
    with open(data, "wb") as f:
        f.write(bytes(raw))
    _restore_expecting(path, tf.errors.DataLossError, "Checksum does not match.*tensor 'z'")


def test_a_later_mismatch_does_not_run_an_earlier_saveables_restore(tmp_path):
    class Spec:
        def __init__(self, tensor, name):
            self.tensor, self.name, self.slice_spec = tensor, name, ""

    class Saveable:   # saved under "a_saveable": restored before "z"
        def __init__(self, var):
            self.var, self.name, self.op = var, "a_saveable", var
            self.specs = [Spec(var.value(), "a_saveable")]

        def restore(self, restored_tensors, restored_shapes):
            return tf.assign(self.var, restored_tensors[0])

    def build(z_shape):
        s = tf.Variable([1.0, 2.0], name="s", collections=[])
        z = tf.Variable(np.ones(z_shape, np.float32), name="z")
        return s, z, tf.train.Saver({"a_saveable": Saveable(s), "z": z})

    with tf.Graph().as_default():
        s, z, saver = build((2, 2))
        with tf.Session() as sess:
            sess.run([s.initializer, z.initializer])
            path = saver.save(sess, str(tmp_path / "s"))
    with tf.Graph().as_default():
        s, z, saver = build((3,))
        with tf.Session() as sess:
            sess.run([s.initializer, z.initializer])
            sess.run(s.assign([-1.0, -1.0]))
            with pytest.raises(tf.errors.InvalidArgumentError, match="lhs shape= \\[3\\] rhs shape= \\[2,2\\]"):
                saver.restore(sess, path)
            np.testing.assert_array_equal(sess.run(s), [-1.0, -1.0])


def test_eager_restore_is_all_or_nothing_too(tmp_path):
    path = _save(str(tmp_path / "m"), SAVED)
    with tf.eager_mode():
        variables = {name: tf.Variable(_fresh(v), name=name) for name, v in SAVED.items() if name != "z"}
        variables["z"] = tf.Variable(np.zeros(5, np.float32), name="z")
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"lhs shape= \[5\] rhs shape= \[2,2\]"):
            tf.train.Saver(list(variables.values())).restore(None, path)
        for name, var in variables.items():
            expected = np.zeros(5, np.float32) if name == "z" else _fresh(SAVED[name])
            np.testing.assert_array_equal(var.numpy(), expected, err_msg=f"{name} was restored")


# --- checkpoints written before same-prefix overwrites became atomic ----------------------------------------------
def test_a_checkpoint_in_the_documented_two_file_layout_restores(tmp_path):
    """A checkpoint built byte by byte in the layout earlier versions wrote (data straight under its usual name,
    no side file) restores, and a save over it replaces it whole."""
    save_id, tensors, data = os.urandom(16), {}, b"NFCKPTDT"
    data += save_id
    for name in sorted(SAVED):
        raw = SAVED[name].astype(SAVED[name].dtype.newbyteorder("<")).tobytes()
        tensors[name] = {"dtype": SAVED[name].dtype.name, "shape": list(SAVED[name].shape), "offset": len(data),
                         "nbytes": len(raw), "crc32": zlib.crc32(raw)}
        data += raw
    header = json.dumps({"format": "neuroflow-checkpoint", "save_id": save_id.hex(),
                         "data_file": "old.data-00000-of-00001", "data_size": len(data),
                         "tensors": tensors}).encode()
    (tmp_path / "old.data-00000-of-00001").write_bytes(data)
    (tmp_path / "old.index").write_bytes(struct.pack("<8sIQI", b"NFCKPTIX", 1, len(header), zlib.crc32(header))
                                         + header)
    path = str(tmp_path / "old")
    with tf.Graph().as_default():
        variables = {name: tf.Variable(_fresh(v), name=name) for name, v in SAVED.items()}
        with tf.Session() as sess:
            tf.train.Saver().restore(sess, path)
            for name, var in variables.items():
                np.testing.assert_array_equal(sess.run(var), SAVED[name])
    _save(path, {k: v + 1 for k, v in SAVED.items()})
    assert sorted(os.listdir(tmp_path)) == ["checkpoint", "old.data-00000-of-00001", "old.index"]
    for name in SAVED:
        np.testing.assert_array_equal(tf.train.load_variable(path, name), SAVED[name] + 1)


@pytest.fixture(params=["tensorflow", "neuroflow"])
def file_format(request, monkeypatch):
    """The interrupted-save tests run for both formats Saver can write (TensorFlow's is the default)."""
    monkeypatch.setattr(tf.train.Saver, "_checkpoint_file_format", request.param)
    return request.param


def _crash_on_replace_to(monkeypatch, suffix):
    """Makes the rename onto a name ending in `suffix` raise, as if the process died there."""
    from neuroflow.train import checkpoint_format
    real_replace = os.replace

    def crash(src, dst):
        if dst.endswith(suffix):
            raise KeyboardInterrupt("killed")
        real_replace(src, dst)
    monkeypatch.setattr(checkpoint_format.os, "replace", crash)


def test_a_save_interrupted_after_its_index_switch_restores_as_the_new_save(tmp_path, monkeypatch, file_format):
    """A crash after the index names the new save but before its data took the usual name: the prefix is the
    new save (found under its side name), and the next save of the prefix tidies the side file away."""
    from neuroflow.train import checkpoint_format
    path = _save(str(tmp_path / "m"), SAVED)
    newer = {k: v + 1 for k, v in SAVED.items()}
    real_replace = os.replace

    def crash_before_the_data_rename(src, dst):
        if dst.endswith(".data-00000-of-00001"):
            raise KeyboardInterrupt("killed")
        real_replace(src, dst)
    monkeypatch.setattr(checkpoint_format.os, "replace", crash_before_the_data_rename)
    with pytest.raises(KeyboardInterrupt):
        _save(path, newer)
    monkeypatch.undo()
    assert any(".data-00000-of-00001.save-" in f for f in os.listdir(tmp_path))
    for name in SAVED:
        np.testing.assert_array_equal(tf.train.load_variable(path, name), newer[name])
    _save(path, SAVED)
    assert sorted(os.listdir(tmp_path)) == ["checkpoint", "m.data-00000-of-00001", "m.index"]
    for name in SAVED:
        np.testing.assert_array_equal(tf.train.load_variable(path, name), SAVED[name])


def test_the_same_save_repeated_and_failing_keeps_the_interrupted_ones_data(tmp_path, monkeypatch):
    """In TensorFlow's format a save's side file is named by its index's digest, so saving the same values again
    reuses the name. After a crash past the index switch, a repeat of that save failing before its own switch
    must not delete the side file: the index in place still names it."""
    path = _save(str(tmp_path / "m"), SAVED)
    newer = {k: v + 1 for k, v in SAVED.items()}
    _crash_on_replace_to(monkeypatch, ".data-00000-of-00001")
    with pytest.raises(KeyboardInterrupt):
        _save(path, newer)                 # the index names `newer`; its data is under the side name
    monkeypatch.undo()
    _crash_on_replace_to(monkeypatch, ".index")
    with pytest.raises(KeyboardInterrupt):
        _save(path, newer)                 # the same bytes again, failing at the index switch
    monkeypatch.undo()
    for name in SAVED:
        np.testing.assert_array_equal(tf.train.load_variable(path, name), newer[name])


def test_a_save_failing_before_its_index_switch_leaves_the_previous_one(tmp_path, monkeypatch, file_format):
    from neuroflow.train import checkpoint_format
    path = _save(str(tmp_path / "m"), SAVED)
    real_replace = os.replace

    def crash_at_the_index_rename(src, dst):
        if dst.endswith(".index"):
            raise KeyboardInterrupt("killed")
        real_replace(src, dst)
    monkeypatch.setattr(checkpoint_format.os, "replace", crash_at_the_index_rename)
    with pytest.raises(KeyboardInterrupt):
        _save(path, {k: v + 1 for k, v in SAVED.items()})
    monkeypatch.undo()
    assert sorted(os.listdir(tmp_path)) == ["checkpoint", "m.data-00000-of-00001", "m.index"]
    for name in SAVED:
        np.testing.assert_array_equal(tf.train.load_variable(path, name), SAVED[name])


# --- import_meta_graph ----------------------------------------------------------------------------------------------
def _meta_doc(tmp_path):
    tf.constant(1.0, name="a")
    b = tf.Variable(2.0, name="b")
    tf.add(b, 3.0, name="c")
    tf.add_to_collection("mine", tf.get_default_graph().get_tensor_by_name("c:0"))
    path = str(tmp_path / "g.meta")
    from neuroflow.train import meta_graph
    saved_format, meta_graph.EXPORT_META_GRAPH_FORMAT = meta_graph.EXPORT_META_GRAPH_FORMAT, "neuroflow"
    try:   # these tests edit the file's JSON form
        tf.train.export_meta_graph(path)
    finally:
        meta_graph.EXPORT_META_GRAPH_FORMAT = saved_format
    with open(path) as f:
        return json.load(f)


def _import_expecting(tmp_path, doc, error, match, **kwargs):
    """Imports `doc` into a graph holding one op and collection of its own; expects `error` and an unchanged
    graph: the same ops, collections and collection contents."""
    bad = tmp_path / "bad.meta"
    bad.write_text(json.dumps(doc))
    with tf.Graph().as_default() as graph:
        own = tf.constant(0.0, name="own")
        tf.add_to_collection("mine", own)
        before = ([op.name for op in graph.get_operations()], graph.get_all_collection_keys())
        with pytest.raises(error, match=match):
            tf.train.import_meta_graph(str(bad), **kwargs)
        assert ([op.name for op in graph.get_operations()], graph.get_all_collection_keys()) == before
        assert graph.get_collection("mine") == [own]
        assert tf.global_variables() == []


def test_an_unknown_op_in_a_later_node_imports_nothing(tmp_path):
    doc = _meta_doc(tmp_path)
    assert doc["graph_def"]["node"][-1]["name"] == "c"   # the last node: the others come before it
    doc["graph_def"]["node"][-1]["op"] = "NoSuchOp"
    _import_expecting(tmp_path, doc, ValueError, "Op type not registered 'NoSuchOp'")


def test_a_collection_naming_no_node_imports_nothing(tmp_path):
    doc = _meta_doc(tmp_path)
    doc["collection_def"]["mine"]["value"] = ["nosuch:0"]
    _import_expecting(tmp_path, doc, ValueError, "Collection 'mine' of the MetaGraphDef is invalid.*nosuch")


def test_an_input_map_key_not_in_the_graph_imports_nothing(tmp_path):
    doc = _meta_doc(tmp_path)
    bad = tmp_path / "g2.meta"
    bad.write_text(json.dumps(doc))
    with tf.Graph().as_default() as graph:
        replacement = tf.constant(5.0, name="replacement")
        before = [op.name for op in graph.get_operations()]
        with pytest.raises(ValueError, match=r"Attempted to map inputs that were not found in graph_def: \[q:0\]"):
            tf.train.import_meta_graph(str(bad), input_map={"q:0": replacement})
        assert [op.name for op in graph.get_operations()] == before and graph.get_all_collection_keys() == []


def test_a_valid_meta_graph_still_imports_with_input_map_and_scope(tmp_path):
    _meta_doc(tmp_path)
    with tf.Graph().as_default():
        replacement = tf.constant(10.0, name="replacement")
        saver = tf.train.import_meta_graph(str(tmp_path / "g.meta"), import_scope="imp",
                                           input_map={"b/read:0": replacement})
        with tf.Session() as sess:
            assert sess.run("imp/c:0") == 13.0
        assert [v.op.name for v in tf.global_variables()] == ["imp/b"] and saver is not None
        assert [t.name for t in tf.get_collection("mine")] == ["imp/c:0"]


# --- import_graph_def -----------------------------------------------------------------------------------------------
def _graph_def_with_later_failure(mutate):
    """A GraphDef of x -> y = x * 2 -> z = y + [1, 1, 1], with `mutate` applied to its last node (z)."""
    with tf.Graph().as_default() as source:
        x = tf.placeholder(tf.float32, [None], name="x")
        y = tf.multiply(x, 2.0, name="y")
        tf.add(y, tf.constant([1.0, 1.0, 1.0], name="ones"), name="z")
    graph_def = graph_io.as_graph_def(source)   # neuroflow's own form, whose nodes `mutate` edits
    assert graph_def.node[-1].name == "z"
    mutate(graph_def.node[-1])
    return graph_def


def _import_graph_def_expecting(graph_def, error, match, **kwargs):
    with tf.Graph().as_default() as graph:
        tf.constant([0.0, 0.0, 0.0], name="own")
        before = [op.name for op in graph.get_operations()]
        with pytest.raises(error, match=match):
            tf.import_graph_def(graph_def, **kwargs)
        assert [op.name for op in graph.get_operations()] == before


def test_import_graph_def_with_an_unknown_later_op_imports_nothing():
    def unknown(node):
        node.op = "NoSuchOp"
    _import_graph_def_expecting(_graph_def_with_later_failure(unknown), ValueError, "Op type not registered")


def test_import_graph_def_with_an_unused_input_map_key_imports_nothing():
    graph_def = _graph_def_with_later_failure(lambda node: None)
    with tf.Graph().as_default() as graph:
        replacement = tf.constant([1.0, 2.0, 3.0], name="replacement")
        before = [op.name for op in graph.get_operations()]
        with pytest.raises(ValueError, match=r"Attempted to map inputs that were not found in graph_def: \[q:0\]"):
            tf.import_graph_def(graph_def, input_map={"x:0": replacement, "q:0": replacement})
        assert [op.name for op in graph.get_operations()] == before
        z, = tf.import_graph_def(graph_def, input_map={"x:0": replacement}, return_elements=["z:0"])
        assert z.name == "import/z:0"
        with tf.Session() as sess:
            np.testing.assert_array_equal(sess.run(z), [3.0, 5.0, 7.0])


def test_import_graph_def_with_a_later_shape_clash_against_the_input_map_imports_nothing():
    graph_def = _graph_def_with_later_failure(lambda node: None)
    with tf.Graph().as_default() as graph:
        two = tf.constant([1.0, 2.0], name="two")   # y = x * 2 builds from it; z = y + [1, 1, 1] cannot
        before = [op.name for op in graph.get_operations()]
        with pytest.raises(ValueError, match="Dimensions must be equal, but are 2 and 3 for 'import/z'"):
            tf.import_graph_def(graph_def, input_map={"x:0": two})
        assert [op.name for op in graph.get_operations()] == before
