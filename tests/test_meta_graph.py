"""Graph serialization: meta graphs (export / import with collections, variables and the Saver; reloaded in a
fresh process with a checkpoint), GraphDefs (write_graph, import_graph_def with input_map / return_elements),
freezing (convert_variables_to_constants), and the safety of the format (JSON, no pickle)."""
import json
import logging
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import neuroflow as tf
from neuroflow import graph_util
from neuroflow.framework import graph_io
from neuroflow.framework.graph_io_import import import_graph_def
from neuroflow.train import meta_graph
from neuroflow.train.meta_graph import MetaGraphDef

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _mlp(seed=0):
    tf.set_random_seed(seed)
    x = tf.placeholder(tf.float32, [None, 5], name="x")
    y = tf.placeholder(tf.int32, [None], name="y")
    h = tf.layers.dense(x, 8, activation=tf.nn.relu)
    logits = tf.layers.dense(h, 3)
    probs = tf.nn.softmax(logits, name="probs")
    loss = tf.losses.sparse_softmax_cross_entropy(y, logits)
    train = tf.train.MomentumOptimizer(0.1, 0.9).minimize(loss, global_step=tf.train.get_or_create_global_step())
    tf.add_to_collection("train_op", train)
    return x, y, probs, loss, train


def _data():
    rng = np.random.default_rng(3)
    return rng.standard_normal((16, 5)).astype(np.float32), rng.integers(0, 3, 16).astype(np.int32)


def test_checkpoint_and_meta_graph_reload_in_a_fresh_process(tmp_path):
    x, y, probs, loss, train = _mlp()
    X, Y = _data()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(3):
            sess.run(train, {x: X, y: Y})
        prefix = tf.train.Saver().save(sess, str(tmp_path / "model.ckpt"))
        assert os.path.isfile(prefix + ".meta")
        before = sess.run(probs, {x: X})
        sess.run(train, {x: X, y: Y})   # one more step, to compare with the reloaded graph's
        after = sess.run(probs, {x: X})
    np.save(tmp_path / "x.npy", X)
    np.save(tmp_path / "y.npy", Y)
    script = textwrap.dedent(f"""
        import numpy as np
        import neuroflow as tf
        d = {str(tmp_path)!r}
        saver = tf.train.import_meta_graph(d + "/model.ckpt.meta")
        X, Y = np.load(d + "/x.npy"), np.load(d + "/y.npy")
        with tf.Session() as sess:
            saver.restore(sess, d + "/model.ckpt")
            np.save(d + "/before.npy", sess.run("probs:0", {{"x:0": X}}))
            sess.run(tf.get_collection("train_op")[0], {{"x:0": X, "y:0": Y}})
            np.save(d + "/after.npy", sess.run("probs:0", {{"x:0": X}}))
            print(len(tf.trainable_variables()), len(tf.global_variables()), sess.run(tf.train.get_global_step()))
    """)
    env = dict(os.environ, PYTHONPATH=ROOT)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["4", "9", "4"]   # kernels and biases; + momentum slots and global step
    np.testing.assert_array_equal(np.load(tmp_path / "before.npy"), before)
    np.testing.assert_array_equal(np.load(tmp_path / "after.npy"), after)


def test_import_rebuilds_collections_and_variables(tmp_path):
    x, y, probs, loss, train = _mlp()
    tf.add_to_collection("notes", "hello")
    tf.add_to_collection("numbers", 3)
    tf.add_to_collection("rates", 0.5)
    tf.add_to_collection("objects", object())   # not serializable: skipped with a warning
    path = str(tmp_path / "graph.meta")
    meta = tf.train.export_meta_graph(path, as_text=True)
    assert isinstance(meta, tf.MetaGraphDef) and "objects" not in meta.collection_def   # TensorFlow's message
    names = [v.name for v in tf.global_variables()]
    with tf.Graph().as_default() as g:
        saver = tf.train.import_meta_graph(path)
        assert [v.name for v in tf.global_variables()] == names
        assert [v.name for v in tf.trainable_variables()] == names[:4]
        assert tf.get_collection("notes") == [b"hello"] and tf.get_collection("numbers") == [3]   # as TF: bytes
        assert tf.get_collection("rates") == [0.5]
        assert tf.get_collection("train_op")[0] is g.get_operation_by_name(train.name)
        assert tf.get_collection(tf.GraphKeys.LOSSES)[0] is g.get_tensor_by_name(loss.name)
        kernel = tf.trainable_variables()[0]
        assert kernel.value() is g.get_tensor_by_name("dense/kernel/read:0")
        assert tf.get_collection(tf.GraphKeys.GLOBAL_STEP)[0] in tf.global_variables()
        assert isinstance(saver, tf.train.Saver)
        X, Y = _data()
        with tf.Session() as sess:   # the imported initializers run: train from scratch in the new graph
            sess.run(tf.global_variables_initializer())
            first = sess.run("sparse_softmax_cross_entropy_loss/value:0", {"x:0": X, "y:0": Y})
            for _ in range(5):
                sess.run(tf.get_collection("train_op")[0], {"x:0": X, "y:0": Y})
            assert sess.run(loss.name, {"x:0": X, "y:0": Y}) < first


def test_import_scope_and_saver_checkpoint_names(tmp_path):
    v = tf.Variable([1.0, 2.0], name="v")
    w = tf.Variable(3.0, name="w")
    tf.multiply(v, w, name="out")
    saver = tf.train.Saver({"renamed_v": v, "w": w})
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(v.assign([5.0, 6.0]))
        prefix = saver.save(sess, str(tmp_path / "ckpt"))
    with tf.Graph().as_default() as g:
        restored = tf.train.import_meta_graph(prefix + ".meta", import_scope="model")
        assert [x.name for x in tf.global_variables()] == ["model/v:0", "model/w:0"]
        with tf.Session() as sess:
            restored.restore(sess, prefix)   # checkpoint names as the original Saver wrote them
            np.testing.assert_array_equal(sess.run("model/out:0"), [15.0, 18.0])
        assert g.get_operation_by_name("model/out").type == "Mul"


def test_export_scope_and_clear_devices():
    with tf.device("/cpu:0"):
        with tf.name_scope("tower"):
            a = tf.constant(2.0, name="a")
            tf.multiply(a, 3.0, name="b")
    tf.constant(1.0, name="outside")
    meta = tf.train.export_meta_graph(export_scope="tower", clear_devices=True)
    assert sorted(n.name for n in meta.graph_def.node) == ["a", "b", "b/y"]
    assert all(n.device == "" for n in meta.graph_def.node)
    with tf.Graph().as_default():
        tf.train.import_meta_graph(meta)
        with tf.Session() as sess:
            assert sess.run("b:0") == 6.0
    with tf.name_scope("other"):
        tf.add(a, 1.0, name="c")
    with pytest.raises(ValueError, match="outside the scope"):
        tf.train.export_meta_graph(export_scope="other")


def test_iterators_are_skipped_with_a_warning_and_saving_still_works(tmp_path, caplog):
    data = tf.data.Dataset.from_tensor_slices(np.arange(6, dtype=np.float32)).batch(2)
    batch = data.make_one_shot_iterator().get_next()
    v = tf.Variable(1.0, name="v")
    total = tf.add(tf.reduce_sum(batch), v, name="total")
    kept = tf.multiply(v, 2.0, name="kept")
    with caplog.at_level(logging.WARNING, logger="neuroflow"):
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            prefix = tf.train.Saver().save(sess, str(tmp_path / "m"))
        assert caplog.text == ""   # saving notes it at INFO level only; exporting explicitly warns
        tf.train.export_meta_graph(str(tmp_path / "explicit.meta"))
        assert "OneShotIterator" in caplog.text and "Dataset" in caplog.text
    meta = MetaGraphDef.FromString(open(prefix + ".meta", "rb").read())
    skipped = {s["name"] for s in meta.graph_def.skipped}
    assert {"OneShotIterator", "IteratorGetNext", total.op.name} <= skipped
    caplog.clear()
    with tf.Graph().as_default(), caplog.at_level(logging.WARNING, logger="neuroflow"):
        saver = tf.train.import_meta_graph(prefix + ".meta")
        assert "written without 4 op(s)" in caplog.text   # the iterator, get_next, Sum, total
        with tf.Session() as sess:
            saver.restore(sess, prefix)
            assert sess.run(kept.name) == 2.0


def test_neuroflows_json_format_stays_readable_and_bad_files_give_clear_errors(tmp_path, monkeypatch):
    monkeypatch.setattr(meta_graph, "EXPORT_META_GRAPH_FORMAT", "neuroflow")
    tf.constant(np.arange(6, dtype=np.int64).reshape(2, 3), name="ints")
    tf.constant([b"a", b"\xffb"], name="strings")
    tf.constant([np.nan, np.inf], name="special")
    path = str(tmp_path / "g.meta")
    tf.train.export_meta_graph(path)
    doc = json.loads(open(path, "rb").read())
    assert doc["format"] == "neuroflow.MetaGraphDef"
    with tf.Graph().as_default():
        tf.train.import_meta_graph(path)
        with tf.Session() as sess:
            ints, strings, special = sess.run(["ints:0", "strings:0", "special:0"])
    assert ints.dtype == np.int64 and ints.tolist() == [[0, 1, 2], [3, 4, 5]]
    assert strings.tolist() == [b"a", b"\xffb"]
    assert np.isnan(special[0]) and special[1] == np.inf
    bad = tmp_path / "bad.meta"
    bad.write_bytes(b"\x80\x04pickle!")
    with pytest.raises(tf.errors.DataLossError, match="Cannot parse MetaGraphDef from .*bad.meta"):
        tf.train.import_meta_graph(str(bad))
    truncated = tmp_path / "truncated.meta"
    truncated.write_bytes(open(path, "rb").read()[:-20])
    with pytest.raises(ValueError, match="truncated"):
        tf.train.import_meta_graph(str(truncated))
    with pytest.raises(OSError, match="does not exist"):
        tf.train.import_meta_graph(str(tmp_path / "missing.meta"))
    doc["graph_def"]["node"][0]["op"] = "NoSuchOp"
    (tmp_path / "unknown.meta").write_text(json.dumps(doc))
    with tf.Graph().as_default(), pytest.raises(ValueError, match="Op type not registered 'NoSuchOp'"):
        tf.train.import_meta_graph(str(tmp_path / "unknown.meta"))


# --- GraphDefs ---------------------------------------------------------------------------------------------------
def test_graph_def_round_trip_keeps_names_shapes_devices_and_control_inputs(tmp_path):
    x = tf.placeholder(tf.float32, None, name="x")
    x.set_shape([None, 3])   # a shape known only from set_shape survives
    with tf.device("/cpu:0"):
        a = tf.identity(x, name="a")
    with tf.control_dependencies([a]):
        b = tf.add(x, 1.0, name="b")
    gd = graph_io.as_graph_def(tf.get_default_graph())
    from neuroflow.framework.tf_graph_export import graph_to_tf_graph_def
    written = graph_to_tf_graph_def(tf.get_default_graph(), add_shapes=True)   # write_graph writes TF's form
    for as_text in (True, False):
        path = tf.io.write_graph(tf.get_default_graph(), str(tmp_path / "dir"), f"g{as_text}.pb", as_text=as_text)
        assert tf.io.read_graph(path) == written
    assert graph_io.GraphDef.FromString(gd.SerializeToString()) == gd
    with tf.Graph().as_default() as g:
        import_graph_def(gd, name="")
        b2 = g.get_tensor_by_name("b:0")
        assert g.get_tensor_by_name("x:0").shape.as_list() == [None, 3]
        controls = {op.name: [c.name for c in op.control_inputs] for op in g.get_operations()}
        assert controls == {op.name: [c.name for c in op.control_inputs] for op in b.graph.get_operations()}
        assert controls["b/y"] == ["a"]
        assert g.get_operation_by_name("a").device == b.graph.get_operation_by_name("a").device
        with tf.Session() as sess:
            np.testing.assert_array_equal(sess.run(b2, {"x:0": [[1, 2, 3]]}), [[2, 3, 4]])


def test_import_graph_def_prefix_input_map_and_return_elements():
    x = tf.placeholder(tf.float32, [None], name="x")
    tf.multiply(x, 2.0, name="y")
    gd = graph_io.as_graph_def(tf.get_default_graph())
    with tf.Graph().as_default() as g:
        z = tf.constant([1.0, 2.0], name="z")
        y, op = import_graph_def(gd, input_map={"x": z}, return_elements=["y:0", "y"])
        assert y.name == "import/y:0" and op is y.op
        y2, = import_graph_def(gd, input_map={"x:0": z}, return_elements=["y:0"])
        assert y2.name == "import_1/y:0"
        with tf.Session() as sess:
            np.testing.assert_array_equal(sess.run(y2), [2.0, 4.0])
        with pytest.raises(ValueError, match=r"Attempted to map inputs that were not found in graph_def: \[w:0\]"):
            import_graph_def(gd, input_map={"w:0": z})
        with pytest.raises(ValueError, match="Requested return_element 'q:0' not found in graph_def"):
            import_graph_def(gd, return_elements=["q:0"])
        with pytest.raises(TypeError, match="graph_def must be a GraphDef proto"):
            import_graph_def(b"bytes")
        g.get_operation_by_name("import/y")


def test_public_names():
    assert tf.train.export_meta_graph and tf.train.import_meta_graph and tf.train.write_graph is tf.io.write_graph
    if hasattr(tf, "import_graph_def"):
        assert tf.import_graph_def is import_graph_def
    if hasattr(tf.Graph, "as_graph_def"):
        assert isinstance(tf.Graph().as_graph_def(), tf.GraphDef)   # TensorFlow's message


# --- freezing ------------------------------------------------------------------------------------------------------
def test_convert_variables_to_constants_freezes_a_trained_model(rng):
    x, y, probs, loss, train = _mlp()
    X, Y = _data()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(2):
            sess.run(train, {x: X, y: Y})
        expected = sess.run(probs, {x: X})
        frozen = graph_util.convert_variables_to_constants(sess, graph_io.as_graph_def(sess.graph), ["probs"])
        partial = graph_util.convert_variables_to_constants(sess, sess.graph, ["probs"],
                                                            variable_names_blacklist=["dense/bias"])
    ops = {n.op for n in frozen.node}
    assert "VariableV2" not in ops and "ApplyMomentum" not in ops and "Assign" not in ops
    assert {n.name for n in partial.node if n.op == "VariableV2"} == {"dense/bias"}
    data = frozen.SerializeToString()
    with tf.Graph().as_default():
        features = tf.placeholder(tf.float32, [None, 5], name="features")
        out, = import_graph_def(graph_io.GraphDef.FromString(data), input_map={"x:0": features},
                                return_elements=["probs:0"], name="frozen")
        with tf.Session() as sess:   # nothing to initialize
            np.testing.assert_array_equal(sess.run(out, {features: X}), expected)
    with pytest.raises(AssertionError, match="nope is not in graph"):
        graph_util.extract_sub_graph(frozen, ["nope"])
    with pytest.raises(TypeError, match="dest_nodes must be an iterable of strings"):
        graph_util.extract_sub_graph(frozen, "probs")


def test_freezing_an_op_that_writes_a_variable_is_an_error():
    v = tf.Variable(1.0, name="v")
    update = tf.assign_add(v, 1.0, name="update")
    with tf.Session() as sess:
        sess.run(v.initializer)
        with pytest.raises(ValueError, match="op 'update' \\(AssignAdd\\) writes variable 'v'"):
            graph_util.convert_variables_to_constants(sess, sess.graph, [update.op.name])


def test_remove_training_nodes():
    x = tf.placeholder(tf.float32, [2], name="x")
    a = tf.identity(x, name="a")
    b = tf.check_numerics(a, "bad", name="b")
    tf.multiply(b, 2.0, name="out")
    gd = graph_util.remove_training_nodes(graph_io.as_graph_def(tf.get_default_graph()), protected_nodes=["out"])
    assert [n.name for n in gd.node] == ["x", "out/y", "out"]
    assert gd.node[-1].input == ["x", "out/y"]
