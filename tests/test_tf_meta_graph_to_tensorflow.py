"""The other direction: what neuroflow writes, real TensorFlow reads. neuroflow saves a checkpoint with its
`.meta`, a frozen GraphDef and a SavedModel of a small MLP and CNN; the anchors' TensorFlow 2.21 (a subprocess,
skipped where it is absent) restores / imports / loads each and its predictions equal neuroflow's."""
import json

import numpy as np
import pytest
from anchor_tf import ANCHOR_PYTHON, run_tf

import neuroflow as tf
from neuroflow import graph_util

pytestmark = pytest.mark.skipif(ANCHOR_PYTHON is None, reason="the anchors' TensorFlow is not installed")


def _dense(x, n_in, n_out, name):
    with tf.variable_scope(name):
        w = tf.get_variable("kernel", [n_in, n_out], initializer=tf.glorot_uniform_initializer(seed=1))
        b = tf.get_variable("bias", [n_out], initializer=tf.random_uniform_initializer(-0.1, 0.1, seed=2))
        return tf.nn.bias_add(tf.matmul(x, w), b)


def _model(kind):
    """x -> probs of an MLP or CNN; returns (x, probs, inputs)."""
    rng = np.random.RandomState(5)
    if kind == "mlp":
        x = tf.placeholder(tf.float32, [None, 4], name="x")
        logits = _dense(tf.nn.relu(_dense(x, 4, 8, "hidden")), 8, 3, "logits")
        inputs = rng.randn(5, 4).astype(np.float32)
    else:
        x = tf.placeholder(tf.float32, [None, 8, 8, 1], name="x")
        with tf.variable_scope("conv"):
            k = tf.get_variable("kernel", [3, 3, 1, 4], initializer=tf.glorot_uniform_initializer(seed=3))
            conv = tf.nn.relu(tf.nn.conv2d(x, k, [1, 1, 1, 1], "SAME"))
        pooled = tf.nn.max_pool(conv, [1, 2, 2, 1], [1, 2, 2, 1], "VALID")
        logits = _dense(tf.reshape(pooled, [-1, 64]), 64, 3, "logits")
        inputs = rng.randn(3, 8, 8, 1).astype(np.float32)
    return x, tf.nn.softmax(logits, name="probs"), inputs


def _tf_probs(code, *args):
    """Runs `code` (which prints TensorFlow's probabilities as JSON) under the anchors' TensorFlow."""
    prelude = "import json, sys\nimport numpy as np\nv1 = tf.compat.v1\nv1.disable_v2_behavior()\n"
    return np.array(json.loads(run_tf(prelude + code, *args).strip().splitlines()[-1]), np.float32)


@pytest.mark.parametrize("kind", ["mlp", "cnn"])
def test_tensorflow_restores_neuroflows_checkpoint_with_its_meta_graph(kind, tmp_path):
    x, probs, inputs = _model(kind)
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        prefix = saver.save(sess, str(tmp_path / "model.ckpt"))
        ours = sess.run(probs, {x: inputs})
    np.save(tmp_path / "inputs.npy", inputs)
    theirs = _tf_probs("""
saver = v1.train.import_meta_graph(sys.argv[1] + ".meta")
with v1.Session() as sess:
    saver.restore(sess, sys.argv[1])
    print(json.dumps(sess.run("probs:0", {"x:0": np.load(sys.argv[2])}).tolist()))
""", prefix, tmp_path / "inputs.npy")
    np.testing.assert_allclose(theirs, ours, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("kind", ["mlp", "cnn"])
def test_tensorflow_runs_neuroflows_frozen_graph(kind, tmp_path):
    x, probs, inputs = _model(kind)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        frozen = graph_util.convert_variables_to_constants(sess, sess.graph.as_graph_def(), ["probs"])
        ours = sess.run(probs, {x: inputs})
    tf.train.write_graph(frozen, str(tmp_path), "frozen.pb", as_text=False)
    np.save(tmp_path / "inputs.npy", inputs)
    theirs = _tf_probs("""
graph_def = v1.GraphDef()
graph_def.ParseFromString(open(sys.argv[1], "rb").read())
v1.import_graph_def(graph_def, name="")
with v1.Session() as sess:
    print(json.dumps(sess.run("probs:0", {"x:0": np.load(sys.argv[2])}).tolist()))
""", tmp_path / "frozen.pb", tmp_path / "inputs.npy")
    np.testing.assert_allclose(theirs, ours, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("kind", ["mlp", "cnn"])
def test_tensorflow_loads_neuroflows_saved_model(kind, tmp_path):
    x, probs, inputs = _model(kind)
    export_dir = str(tmp_path / "export")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        tf.saved_model.simple_save(sess, export_dir, inputs={"images": x}, outputs={"scores": probs})
        ours = sess.run(probs, {x: inputs})
    np.save(tmp_path / "inputs.npy", inputs)
    theirs = _tf_probs("""
with v1.Session(graph=tf.Graph()) as sess:
    meta = v1.saved_model.loader.load(sess, ["serve"], sys.argv[1])
    signature = meta.signature_def["serving_default"]
    assert signature.method_name == "tensorflow/serving/predict"
    print(json.dumps(sess.run(signature.outputs["scores"].name,
                              {signature.inputs["images"].name: np.load(sys.argv[2])}).tolist()))
""", export_dir, tmp_path / "inputs.npy")
    np.testing.assert_allclose(theirs, ours, rtol=1e-5, atol=1e-6)


def test_tensorflow_runs_the_restore_op_neuroflow_wrote_into_the_saved_model(tmp_path):
    # TF Serving's C++ loader restores through saver_def.restore_op_name with the variables path fed to
    # saver_def.filename_tensor_name: the SavedModel must hold TensorFlow's Saver nodes, not only the checkpoint.
    x, probs, inputs = _model("mlp")
    export_dir = str(tmp_path / "export")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        tf.saved_model.simple_save(sess, export_dir, inputs={"x": x}, outputs={"probs": probs})
        ours = sess.run(probs, {x: inputs})
    np.save(tmp_path / "inputs.npy", inputs)
    theirs = _tf_probs("""
from tensorflow.core.protobuf import saved_model_pb2
model = saved_model_pb2.SavedModel()
model.ParseFromString(open(sys.argv[1] + "/saved_model.pb", "rb").read())
meta = model.meta_graphs[0]
with tf.Graph().as_default(), v1.Session() as sess:
    v1.import_graph_def(meta.graph_def, name="")
    variables = sys.argv[1] + "/variables/variables"
    sess.run(meta.saver_def.restore_op_name, {meta.saver_def.filename_tensor_name: variables})
    print(json.dumps(sess.run("probs:0", {"x:0": np.load(sys.argv[2])}).tolist()))
""", export_dir, tmp_path / "inputs.npy")
    np.testing.assert_allclose(theirs, ours, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("kind", ["mlp", "cnn"])
def test_tensorflow_trains_on_from_neuroflows_meta_graph_as_neuroflow_does(kind, tmp_path):
    # The .meta holds neuroflow's training graph in TensorFlow's ops (SumToShape as BroadcastGradientArgs + Sum +
    # Reshape) with the updates ordered after all gradients: TensorFlow runs ops in parallel, neuroflow in order.
    y = tf.placeholder(tf.int64, [None], name="y")
    if kind == "mlp":
        x = tf.placeholder(tf.float32, [None, 4], name="x")
        hidden = tf.layers.dense(x, 8, activation=tf.nn.relu, kernel_initializer=tf.glorot_uniform_initializer(seed=4))
        # + 0 * x[:, :1] broadcasts [None, 1] against [None, 3]: its gradient is a SumToShape
        logits = tf.layers.dense(hidden, 3, kernel_initializer=tf.glorot_uniform_initializer(seed=5)) + 0.0 * x[:, :1]
        optimizer = tf.train.AdamOptimizer(0.1)
        inputs = np.random.RandomState(6).randn(5, 4).astype(np.float32)
    else:
        x = tf.placeholder(tf.float32, [None, 8, 8, 1], name="x")
        conv = tf.layers.conv2d(x, 4, 3, padding="same", activation=tf.nn.relu,
                                kernel_initializer=tf.glorot_uniform_initializer(seed=4))
        pooled = tf.layers.dropout(tf.layers.max_pooling2d(conv, 2, 2), 0.0, training=True)
        logits = tf.layers.dense(tf.layers.flatten(pooled), 3, kernel_initializer=tf.glorot_uniform_initializer(seed=5))
        optimizer = tf.train.MomentumOptimizer(0.1, 0.9)
        inputs = np.random.RandomState(6).randn(5, 8, 8, 1).astype(np.float32)
    probs = tf.nn.softmax(logits, name="probs")
    loss = tf.losses.sparse_softmax_cross_entropy(y, logits)
    train = optimizer.minimize(loss, global_step=tf.train.get_or_create_global_step())
    tf.add_to_collection("train_op", train)
    labels = np.array([0, 1, 2, 0, 1])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        prefix = tf.train.Saver().save(sess, str(tmp_path / "model.ckpt"))
        for _ in range(3):
            sess.run(train, {x: inputs, y: labels})
        ours = sess.run(probs, {x: inputs})
    np.save(tmp_path / "inputs.npy", inputs)
    np.save(tmp_path / "labels.npy", labels)
    theirs = _tf_probs("""
saver = v1.train.import_meta_graph(sys.argv[1] + ".meta")
with v1.Session() as sess:
    saver.restore(sess, sys.argv[1])
    feed = {"x:0": np.load(sys.argv[2]), "y:0": np.load(sys.argv[3])}
    for _ in range(3):
        sess.run(v1.get_collection("train_op")[0], feed)
    assert sess.run(v1.train.get_global_step()) == 3
    print(json.dumps(sess.run("probs:0", {"x:0": feed["x:0"]}).tolist()))
""", prefix, tmp_path / "inputs.npy", tmp_path / "labels.npy")
    np.testing.assert_allclose(theirs, ours, rtol=1e-5, atol=1e-6)


def test_tensorflow_loads_neuroflows_saved_model_with_an_asset_and_main_op(tmp_path):
    source = tmp_path / "vocab.txt"
    source.write_text("cat\ndog\n")
    asset = tf.constant(str(source), name="vocab_path")
    tf.add_to_collection(tf.GraphKeys.ASSET_FILEPATHS, asset)
    remembered = tf.Variable("", name="remembered", trainable=False)
    x = tf.placeholder(tf.float32, [None], name="x")
    export_dir = str(tmp_path / "export")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        tf.saved_model.simple_save(sess, export_dir, {"x": x}, {"y": tf.identity(x, name="y")},
                                   legacy_init_op=tf.assign(remembered, asset).op)
    path = run_tf("""
import sys
v1 = tf.compat.v1
v1.disable_v2_behavior()
with v1.Session(graph=tf.Graph()) as sess:
    v1.saved_model.loader.load(sess, ["serve"], sys.argv[1])
    print(sess.run("remembered:0").decode())
""", export_dir).strip().splitlines()[-1]
    assert path == f"{export_dir}/assets/vocab.txt"
