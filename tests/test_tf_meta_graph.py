"""TensorFlow's own files run on neuroflow: the checkpoint + binary `.meta` and the frozen GraphDef of a small MLP
and CNN written by TensorFlow 2.21 (tests/data/tf_models, make_fixtures.py) predict what TensorFlow predicted, and
training continues from TensorFlow's checkpoint exactly as TensorFlow's next step did; corrupt files fail clearly;
examples/tf_models_without_tensorflow.py runs."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

import neuroflow as tf
from neuroflow.framework.tf_protos import MetaGraphDef

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "tf_models")
MODELS = ["mlp", "cnn"]


def _file(kind, name):
    return os.path.join(DATA, kind, name)


def _arrays(kind):
    return {name: np.load(_file(kind, name + ".npy")) for name in ("inputs", "labels", "probs", "probs_after_step")}


@pytest.mark.parametrize("kind", MODELS)
def test_tensorflows_meta_graph_and_checkpoint_predict_what_tensorflow_predicted(kind):
    data = _arrays(kind)
    saver = tf.train.import_meta_graph(_file(kind, "model.ckpt-3.meta"))
    with tf.Session() as sess:
        saver.restore(sess, tf.train.latest_checkpoint(os.path.join(DATA, kind)))
        probs = sess.run("probs:0", {"x:0": data["inputs"]})
    np.testing.assert_allclose(probs, data["probs"], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("kind", MODELS)
def test_training_continues_from_tensorflows_checkpoint_as_tensorflow_did(kind):
    data = _arrays(kind)
    saver = tf.train.import_meta_graph(_file(kind, "model.ckpt-3.meta"))
    names = [v.op.name for v in tf.trainable_variables()]
    assert all(isinstance(v, tf.Variable) for v in tf.global_variables())
    assert {n.split("/")[0] for n in names} == ({"hidden", "logits"} if kind == "mlp" else {"conv", "logits"})
    assert [v.op.name for v in tf.global_variables()] == names + ["global_step"]
    train_op, = set(tf.get_collection("train_op"))   # TensorFlow lists it twice (minimize and the fixture)
    with tf.Session() as sess:
        saver.restore(sess, _file(kind, "model.ckpt-3"))
        assert sess.run(tf.train.get_global_step()) == 3
        sess.run(train_op, {"x:0": data["inputs"], "y:0": data["labels"]})
        probs = sess.run("probs:0", {"x:0": data["inputs"]})
        assert sess.run(tf.train.get_global_step()) == 4
    np.testing.assert_allclose(probs, data["probs_after_step"], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("kind", MODELS)
def test_tensorflows_frozen_graph_predicts_what_tensorflow_predicted(kind):
    data = _arrays(kind)
    graph_def = tf.GraphDef()
    with open(_file(kind, "frozen.pb"), "rb") as f:
        graph_def.ParseFromString(f.read())
    tf.import_graph_def(graph_def, name="")
    with tf.Session() as sess:
        probs = sess.run("probs:0", {"x:0": data["inputs"]})
    np.testing.assert_allclose(probs, data["probs"], rtol=1e-5, atol=1e-6)


def test_every_op_type_of_the_fixtures_outside_the_savers_is_imported():
    for kind in MODELS:
        with open(_file(kind, "model.ckpt-3.meta"), "rb") as f:
            meta = MetaGraphDef.FromString(f.read())
        with open(_file(kind, "op_types.json")) as f:
            recorded = json.load(f)
        assert sorted({n.op for n in meta.graph_def.node}) == recorded["meta"]
        with tf.Graph().as_default() as graph:
            tf.train.import_meta_graph(meta)
            imported = {op.type for op in graph.get_operations()}
        outside_saver = {n.op for n in meta.graph_def.node if not n.name.startswith("save/")}
        assert outside_saver == imported, sorted(outside_saver ^ imported)


def test_import_scope_restore_predicate_and_the_default_graph_untouched_on_error(tmp_path):
    data = _arrays("mlp")
    saver = tf.train.import_meta_graph(_file("mlp", "model.ckpt-3.meta"), import_scope="tf_model",
                                       restore_collections_predicate=lambda key: key != "train_op")
    assert tf.get_collection("train_op") == []
    assert [v.op.name for v in tf.global_variables()][0] == "tf_model/hidden/kernel"
    with tf.Session() as sess:
        saver.restore(sess, _file("mlp", "model.ckpt-3"))   # checkpoint names have no scope
        np.testing.assert_allclose(sess.run("tf_model/probs:0", {"tf_model/x:0": data["inputs"]}), data["probs"],
                                   rtol=1e-5, atol=1e-6)
    with open(_file("mlp", "model.ckpt-3.meta"), "rb") as f:
        meta = MetaGraphDef.FromString(f.read())
    meta.collection_def["train_op"].node_list.value.append("no_such_node")
    with tf.Graph().as_default() as graph:
        with pytest.raises(ValueError, match="Collection 'train_op' of the MetaGraphDef is invalid.*no_such_node"):
            tf.train.import_meta_graph(meta)
        assert graph.get_operations() == [] and graph.get_all_collection_keys() == []


def test_corrupt_meta_files_raise_data_loss_naming_the_file(tmp_path):
    with open(_file("mlp", "model.ckpt-3.meta"), "rb") as f:
        data = f.read()
    truncated = tmp_path / "truncated.meta"
    truncated.write_bytes(data[: len(data) // 2])
    with pytest.raises(tf.errors.DataLossError, match="truncated.meta"):
        tf.train.import_meta_graph(str(truncated))
    meta = MetaGraphDef.FromString(data)
    meta.collection_def["variables"].bytes_list.value[0] = b"\xff\xff\xff"   # a VariableDef cut short
    with pytest.raises(tf.errors.DataLossError, match="Collection 'variables' of the MetaGraphDef is corrupt"):
        tf.train.import_meta_graph(meta)
    garbage = tmp_path / "garbage.meta"
    garbage.write_bytes(b"\xff" * 40)
    with pytest.raises(tf.errors.DataLossError, match="garbage.meta"):
        tf.train.import_meta_graph(str(garbage))
    assert tf.get_default_graph().get_operations() == []


def test_the_example_runs_tensorflows_frozen_graph_and_saved_model():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    done = subprocess.run([sys.executable, os.path.join(root, "examples", "tf_models_without_tensorflow.py")],
                          capture_output=True, text=True, timeout=300, env=dict(os.environ, PYTHONPATH=root))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert [line.split(" predicts classes ")[0] for line in lines if " predicts classes " in line] == [
        "frozen graph", "SavedModel"]
    tf_classes = np.load(_file("cnn", "probs.npy")).argmax(1).tolist()
    for line in lines:
        if " predicts classes " in line:
            assert line.split(" predicts classes ")[1].startswith(str(tf_classes))
            assert float(line.rsplit(": ", 1)[1].rstrip(")")) < 1e-5


def test_resource_variables_of_tensorflow_2s_compat_v1_become_variables():
    data = {name: np.load(_file("mlp_resource", name + ".npy")) for name in ("inputs", "probs")}
    with open(_file("mlp_resource", "model.ckpt.meta"), "rb") as f:
        meta = MetaGraphDef.FromString(f.read())
    assert "VarHandleOp" in {n.op for n in meta.graph_def.node}
    saver = tf.train.import_meta_graph(meta)
    assert [v.op.name for v in tf.trainable_variables()] == ["res/hidden/kernel", "res/hidden/bias",
                                                             "res/logits/kernel", "res/logits/bias"]
    with tf.Session() as sess:
        saver.restore(sess, _file("mlp_resource", "model.ckpt"))
        probs = sess.run("probs:0", {"res/x:0": data["inputs"]})
    np.testing.assert_allclose(probs, data["probs"], rtol=1e-5, atol=1e-6)
    with tf.Session(graph=tf.Graph()) as sess:
        meta = tf.saved_model.loader.load(sess, ["serve"], _file("mlp_resource", "saved_model"))
        signature = meta.signature_def["serving_default"]
        probs = sess.run(signature.outputs["probs"].name, {signature.inputs["x"].name: data["inputs"]})
    np.testing.assert_allclose(probs, data["probs"], rtol=1e-5, atol=1e-6)


def test_broadcast_gradient_args_gives_tensorflows_axes():
    from neuroflow.ops.broadcast_gradient_args_op import broadcast_gradient_args
    with open(os.path.join(DATA, "broadcast_gradient_args.json")) as f:
        reference = json.load(f)
    s0, s1 = tf.placeholder(tf.int32, [None]), tf.placeholder(tf.int32, [None])
    r0, r1 = broadcast_gradient_args(s0, s1)
    with tf.Session() as sess:
        for case in reference["cases"]:
            got = sess.run([r0, r1], {s0: case["s0"], s1: case["s1"]})
            assert [g.tolist() for g in got] == [case["r0"], case["r1"]], case
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"Incompatible shapes: \[2,3\] vs. \[4\]"):
            sess.run(r0, {s0: [2, 3], s1: [4]})
    assert "Incompatible shapes: [2,3] vs. [4]" in reference["incompatible_error"]


@pytest.mark.parametrize("kind", ["broadcast", "reduction"])
def test_tensorflows_broadcasting_gradients_train_on_as_tensorflow_did(kind):
    # TensorFlow's gradient of `prediction - t` sums through BroadcastGradientArgs axes known only at run time;
    # the import folds Reshape(Sum(g, BroadcastGradientArgs(...)), shape) into SumToShape. The gradient of
    # reduce_sum(x * w, axis=1) computes its kept shape with DynamicStitch.
    arrays = {n: np.load(_file(kind, n + ".npy"))
              for n in ("inputs", "targets", "prediction", "prediction_after_step")}
    with open(_file(kind, "model.ckpt.meta"), "rb") as f:
        meta = MetaGraphDef.FromString(f.read())
    written = {n.op for n in meta.graph_def.node}
    assert "BroadcastGradientArgs" in written and ("DynamicStitch" in written) == (kind == "reduction")
    saver = tf.train.import_meta_graph(meta)
    types = {op.type for op in tf.get_default_graph().get_operations()}
    assert "SumToShape" in types and "BroadcastGradientArgs" not in types
    feed = {"x:0": arrays["inputs"], "t:0": arrays["targets"]}
    with tf.Session() as sess:
        saver.restore(sess, _file(kind, "model.ckpt"))
        np.testing.assert_allclose(sess.run("prediction:0", feed), arrays["prediction"], rtol=1e-6, atol=1e-6)
        sess.run(tf.get_collection("train_op")[0], feed)
        np.testing.assert_allclose(sess.run("prediction:0", feed), arrays["prediction_after_step"], rtol=1e-5,
                                   atol=1e-6)


def test_neuroflows_training_graph_is_written_in_tensorflows_ops_and_reads_back(tmp_path):
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    t = tf.placeholder(tf.float32, [None], name="t")
    w = tf.Variable([0.5, -1.0, 2.0], name="w")
    prediction = tf.identity(tf.reduce_sum(x * w, axis=1) - 0.5, name="prediction")   # x * w broadcasts
    train = tf.train.AdamOptimizer(0.1).minimize(tf.reduce_mean(tf.square(prediction - t)))
    tf.add_to_collection("train_op", train)
    rng = np.random.RandomState(0)
    feed = {"x:0": rng.randn(4, 3).astype(np.float32), "t:0": rng.randn(4).astype(np.float32)}
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        prefix = tf.train.Saver().save(sess, str(tmp_path / "model.ckpt"))
        for _ in range(2):
            sess.run(train, feed)
        expected = sess.run(prediction, feed)
    with open(prefix + ".meta", "rb") as f:
        meta = MetaGraphDef.FromString(f.read())   # TensorFlow's format: no op type of neuroflow's own
    written = {n.op for n in meta.graph_def.node}
    assert "SumToShape" not in written and {"BroadcastGradientArgs", "SaveV2", "RestoreV2"} <= written
    with tf.Graph().as_default() as graph:
        saver = tf.train.import_meta_graph(prefix + ".meta")
        assert "SumToShape" in {op.type for op in graph.get_operations()}
        with tf.Session() as sess:
            saver.restore(sess, prefix)
            for _ in range(2):
                sess.run(tf.get_collection("train_op")[0], feed)
            np.testing.assert_allclose(sess.run("prediction:0", feed), expected, rtol=1e-6, atol=1e-6)


def test_tensorflows_graph_initializes_and_trains_from_scratch():
    data = _arrays("mlp")
    tf.train.import_meta_graph(_file("mlp", "model.ckpt-3.meta"))
    loss = tf.get_default_graph().get_tensor_by_name("loss:0")
    feed = {"x:0": data["inputs"], "y:0": data["labels"]}
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())   # TensorFlow's initializer ops, run by neuroflow
        assert sess.run(tf.train.get_global_step()) == 0
        first = sess.run(loss, feed)
        for _ in range(20):
            sess.run(tf.get_collection("train_op")[0], feed)
        assert sess.run(loss, feed) < 0.5 * first and sess.run(tf.train.get_global_step()) == 20


def test_tensorflows_adam_graph_restores_its_slots_and_trains_on_as_tensorflow_did():
    arrays = {n: np.load(_file("mlp_adam", n + ".npy")) for n in ("inputs", "labels", "probs", "probs_after_2_steps")}
    saver = tf.train.import_meta_graph(_file("mlp_adam", "model.ckpt.meta"))
    names = {v.op.name for v in tf.global_variables()}
    assert {"hidden/kernel/Adam", "hidden/kernel/Adam_1", "beta1_power", "beta2_power", "global_step"} <= names
    feed = {"x:0": arrays["inputs"], "y:0": arrays["labels"]}
    with tf.Session() as sess:
        saver.restore(sess, _file("mlp_adam", "model.ckpt"))
        np.testing.assert_allclose(sess.run("probs:0", feed), arrays["probs"], rtol=1e-5, atol=1e-6)
        for _ in range(2):
            sess.run(tf.get_collection("train_op")[0], feed)
        np.testing.assert_allclose(sess.run("probs:0", feed), arrays["probs_after_2_steps"], rtol=1e-5, atol=1e-6)


def test_graphs_with_dropout_or_cond_save_and_reload_whatever_form_their_meta_graph_takes(tmp_path):
    # A cond's branches have no TensorFlow form here, and dropout (one neuroflow op, several TensorFlow nodes) can
    # collide with a name the graph holds: then Saver.save writes neuroflow's JSON form, which reloads all the same.
    x = tf.placeholder(tf.float32, [None, 4], name="x")
    kept = tf.identity(tf.layers.dropout(x, 0.5, training=True), name="kept")
    flag = tf.placeholder_with_default(True, [], name="flag")
    scale = tf.Variable(2.0, name="scale")
    chosen = tf.identity(tf.cond(flag, lambda: x * scale, lambda: x), name="chosen")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        prefix = tf.train.Saver().save(sess, str(tmp_path / "model.ckpt"))
    with open(prefix + ".meta", "rb") as f:
        assert f.read(1) == b"{"   # the cond's sub-graphs: neuroflow's form
    with tf.Graph().as_default():
        saver = tf.train.import_meta_graph(prefix + ".meta")
        with tf.Session() as sess:
            saver.restore(sess, prefix)
            feed = {"x:0": np.ones((2, 4), np.float32)}
            assert sess.run(kept.name, feed).shape == (2, 4)
            np.testing.assert_array_equal(sess.run(chosen.name, feed), np.full((2, 4), 2.0))


def test_a_graph_with_ops_written_under_tensorflows_other_names_gets_a_tensorflow_meta_file(tmp_path):
    """random_normal is written as TF's RandomStandardNormal, which neuroflow reads back under its own name: the
    .meta stays TensorFlow's (it fell back to neuroflow's JSON, which TensorFlow cannot read)."""
    path = str(tmp_path / "model.meta")
    with tf.Graph().as_default():
        tf.set_random_seed(7)
        x = tf.placeholder(tf.float32, [None, 3], name="x")
        w = tf.Variable(tf.random_normal([3, 2]), name="w")
        tf.identity(tf.matmul(x, w), name="y")
        tf.train.export_meta_graph(path)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            expected = sess.run(w)
    with open(path, "rb") as f:
        meta = MetaGraphDef.FromString(f.read())
    assert "RandomStandardNormal" in {n.op for n in meta.graph_def.node}
    with tf.Graph().as_default():
        tf.train.import_meta_graph(path)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            np.testing.assert_array_equal(sess.run("w:0"), expected)   # the same seeds, the same stream
