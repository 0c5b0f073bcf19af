"""TensorFlow graphs that use what neuroflow's import once lacked run on neuroflow as they ran on TensorFlow: models
with resource variables (use_resource=True) trained by each TF1 optimizer (ResourceApply*, ResourceSparseApply*,
ResourceGather, ResourceScatterAdd) and resource-variable updates (AssignAdd/SubVariableOp, ResourceScatterUpdate),
against TensorFlow 2.21's own results (tests/data/tf_import_coverage, make_fixtures.py)."""
import json
import os

import numpy as np
import pytest

import neuroflow as tf
from neuroflow.framework.tf_protos import MetaGraphDef

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "tf_import_coverage")
OPTIMIZERS = ["gradient_descent", "momentum", "nesterov", "adam", "adagrad", "rmsprop", "centered_rmsprop",
              "adadelta"]


def _written_types(path):
    with open(path, "rb") as f:
        return {n.op for n in MetaGraphDef.FromString(f.read()).graph_def.node}


@pytest.mark.parametrize("kind", OPTIMIZERS)
def test_resource_variable_model_trains_two_steps_as_tensorflow_did(kind):
    meta = os.path.join(DATA, kind, "model.ckpt.meta")
    written = _written_types(meta)
    assert "ResourceGather" in written and any(t.startswith("ResourceApply") for t in written)
    assert any(t.startswith("ResourceSparseApply") or t == "ResourceScatterAdd" for t in written)
    inputs, labels = np.load(os.path.join(DATA, "inputs.npy")), np.load(os.path.join(DATA, "labels.npy"))
    expected = np.load(os.path.join(DATA, kind, "probs_after_2_steps.npy"))
    with tf.Graph().as_default() as graph:
        saver = tf.train.import_meta_graph(meta)
        types = {op.type for op in graph.get_operations()}
        assert not any(t.startswith("Resource") for t in types)
        train_op = tf.get_collection("train_op")[0]
        feed = {"ids:0": inputs, "y:0": labels}
        with tf.Session() as sess:
            saver.restore(sess, os.path.join(DATA, kind, "model.ckpt"))
            before = sess.run("probs:0", feed)
            for _ in range(2):
                sess.run(train_op, feed)
            after = sess.run("probs:0", feed)
    assert np.abs(before - expected).max() > 1e-3   # the two steps changed the predictions
    np.testing.assert_allclose(after, expected, rtol=1e-5, atol=1e-6)


def test_resource_variable_updates_give_tensorflows_values():
    meta = os.path.join(DATA, "variable_updates", "graph.meta")
    assert {"AssignAddVariableOp", "AssignSubVariableOp", "ResourceScatterUpdate", "ResourceScatterAdd",
            "ResourceScatterSub", "ResourceGather"} <= _written_types(meta)
    expected = np.load(os.path.join(DATA, "variable_updates", "values_after_2_runs.npz"))
    with tf.Graph().as_default() as graph:
        tf.train.import_meta_graph(meta)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for _ in range(2):
                sess.run("update", {"delta:0": [0.5, -1.5]})
            got = sess.run({"counter": "v/counter:0", "table": "v/table:0", "other": "v/other:0",
                            "gathered": "gathered:0"})
    for name in ("counter", "table", "other", "gathered"):
        np.testing.assert_allclose(got[name], expected[name], rtol=0, atol=1e-6, err_msg=name)


def test_reverse_sequence_is_one_op_with_tensorflows_values_and_gradients():
    reference = np.load(os.path.join(DATA, "reverse_sequence.npz"))
    x = tf.constant(reference["x"])
    with tf.Session() as sess:
        for key, (seq, batch) in {"s1b0": (1, 0), "s0b1": (0, 1), "s2b0": (2, 0), "s1b2": (1, 2)}.items():
            y = tf.reverse_sequence(x, reference[key + "_lengths"], seq_axis=seq, batch_axis=batch)
            assert y.op.type == "ReverseSequence" and y.shape.as_list() == [2, 4, 3]
            grad, = tf.gradients(tf.reduce_sum(y * reference["weights"]), x)
            got, got_grad = sess.run([y, grad])
            np.testing.assert_array_equal(got, reference[key], err_msg=key)
            np.testing.assert_array_equal(got_grad, reference[key + "_grad"], err_msg=key)


def test_reverse_sequence_rejects_bad_lengths_as_tensorflow_does():
    x, lengths = tf.placeholder(tf.float32, [2, 3]), tf.placeholder(tf.int32, [2])
    y = tf.reverse_sequence(x, lengths, seq_axis=1)
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"seq_lens\(0\) > input.dims\(1\)"):
            sess.run(y, {x: np.zeros((2, 3)), lengths: [4, 1]})
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"seq_lens\(1\) < 0"):
            sess.run(y, {x: np.zeros((2, 3)), lengths: [1, -1]})
    with pytest.raises(ValueError, match="seq_dim must be < input rank: 3 vs. 2"):
        tf.reverse_sequence(x, lengths, seq_axis=3)
    with pytest.raises(ValueError, match="Dimensions must be equal, but are 2 and 5"):
        tf.reverse_sequence(x, tf.placeholder(tf.int32, [5]), seq_axis=1)


def test_tensorflows_frozen_bidirectional_rnn_predicts_tensorflows_outputs():
    reference = np.load(os.path.join(DATA, "bidirectional_rnn.npz"))
    graph_def = tf.GraphDef()
    with open(os.path.join(DATA, "bidirectional_rnn_frozen.pb"), "rb") as f:
        graph_def.ParseFromString(f.read())
    assert "ReverseSequence" in {n.op for n in graph_def.node}
    with tf.Graph().as_default() as graph:
        outputs, = tf.import_graph_def(graph_def, return_elements=["outputs:0"], name="")
        assert "ReverseSequence" in {op.type for op in graph.get_operations()}
        with tf.Session() as sess:
            got = sess.run(outputs, {"x:0": reference["inputs"], "lengths:0": reference["lengths"]})
    np.testing.assert_allclose(got, reference["outputs"], rtol=1e-5, atol=1e-6)


def _tensorflow_runs(code, *args):
    from anchor_tf import run_tf
    prelude = "import json, sys\nimport numpy as np\nv1 = tf.compat.v1\nv1.disable_v2_behavior()\n"
    return json.loads(run_tf(prelude + code, *args).strip().splitlines()[-1])


def _needs_tensorflow():
    from anchor_tf import ANCHOR_PYTHON
    if ANCHOR_PYTHON is None:
        pytest.skip("the anchors' TensorFlow is not installed")


def test_tensorflow_trains_neuroflows_batch_norm_and_embedding_meta_graph_as_neuroflow_does(tmp_path):
    # FusedBatchNormGradV3 needs TF's attr U, ScatterSub (the embedding's sparse step) Tindices, ReverseSequence
    # Tlen (int32 lengths: TF's default is int64), Unique out_idx.
    _needs_tensorflow()
    ids = tf.placeholder(tf.int32, [None, 3], name="ids")
    lengths = tf.placeholder(tf.int32, [None], name="lengths")
    y = tf.placeholder(tf.int32, [None], name="y")
    table = tf.Variable(np.linspace(-1, 1, 24, dtype=np.float32).reshape(6, 4), name="table")
    steps = tf.reverse_sequence(tf.nn.embedding_lookup(table, ids), lengths, seq_axis=1)
    scale = tf.Variable(np.linspace(0.5, 1.5, 4, dtype=np.float32), name="scale")
    offset = tf.Variable(np.zeros(4, np.float32), name="offset")
    normed = tf.nn.fused_batch_norm(tf.reshape(steps, [-1, 1, 3, 4]), scale, offset, is_training=True)[0]
    w = tf.Variable(np.linspace(-1, 1, 36, dtype=np.float32).reshape(12, 3), name="w")
    logits = tf.identity(tf.matmul(tf.reshape(normed, [-1, 12]), w), name="logits")
    tf.identity(tf.unique(tf.reshape(ids, [-1])).idx, name="unique_idx")
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
    train = tf.train.GradientDescentOptimizer(0.5).minimize(loss, name="train")
    feed = {ids: [[0, 1, 2], [3, 3, 5], [5, 0, 1]], lengths: [3, 2, 0], y: [0, 2, 1]}
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        prefix = tf.train.Saver().save(sess, str(tmp_path / "model.ckpt"))
        sess.run(train, feed)
        ours = sess.run(["logits:0", "unique_idx:0"], feed)
    with open(prefix + ".meta", "rb") as f:
        written = {n.op for n in MetaGraphDef.FromString(f.read()).graph_def.node}
    assert {"FusedBatchNormGradV3", "ScatterSub", "ReverseSequence", "Unique"} <= written
    theirs = _tensorflow_runs("""
saver = v1.train.import_meta_graph(sys.argv[1] + ".meta")
feed = {"ids:0": [[0, 1, 2], [3, 3, 5], [5, 0, 1]], "lengths:0": [3, 2, 0], "y:0": [0, 2, 1]}
with v1.Session() as sess:
    saver.restore(sess, sys.argv[1])
    sess.run("train", feed)
    print(json.dumps([v.tolist() for v in sess.run(["logits:0", "unique_idx:0"], feed)]))
""", prefix)
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-5, atol=1e-5)
    assert ours[1].tolist() == theirs[1] == [0, 1, 2, 3, 3, 4, 4, 0, 1]


def test_reductions_over_axes_tensorflow_computes_at_run_time_import_and_give_tensorflows_values():
    # Range(0, Rank(p), 1) of the reduced input itself (p of unknown rank): all axes; Range of constants
    # (tf.losses, frozen): folded; Range(1, Rank(t), 1) of another tensor: folded from t's recorded shape.
    reference = np.load(os.path.join(DATA, "computed_axes.npz"))
    graph_def = tf.GraphDef()
    with open(os.path.join(DATA, "computed_axes_frozen.pb"), "rb") as f:
        graph_def.ParseFromString(f.read())
    by_name = {n.name: n for n in graph_def.node}
    ranges = [n for n in graph_def.node if n.op == "Range"]
    assert {by_name[n.input[1]].op for n in ranges} == {"Rank", "Const"} and len(ranges) == 6
    names = [f"out{k}:0" for k in range(6)]
    with tf.Graph().as_default():
        outputs = tf.import_graph_def(graph_def, return_elements=names, name="")
        with tf.Session() as sess:
            got = sess.run(outputs, {"p:0": reference["p"], "labels:0": reference["labels"]})
            assert sess.run(outputs[1], {"p:0": reference["p"][0], "labels:0": reference["labels"]}).shape == (1, 1)
    for k, value in enumerate(got):
        np.testing.assert_allclose(value, reference[f"out{k}"], rtol=1e-5, atol=1e-6, err_msg=names[k])


def test_tensorflows_parsing_serving_graph_imports_and_parses_as_tensorflow_did():
    # tf.compat.v1.parse_example writes ParseExampleV2 (keys as vector inputs); TF1's ParseExample op takes each key
    # as a scalar input. Both become neuroflow's ParseExample; FixedLenSequenceFeature's shape is [-1].
    reference = np.load(os.path.join(DATA, "parse_example.npz"))
    graph_def = tf.GraphDef()
    with open(os.path.join(DATA, "parse_example_frozen.pb"), "rb") as f:
        graph_def.ParseFromString(f.read())
    assert {"ParseExampleV2", "ParseExample"} <= {n.op for n in graph_def.node}
    names = [f"parsed{k}:0" for k in range(8)]
    with tf.Graph().as_default() as graph:
        outputs = tf.import_graph_def(graph_def, return_elements=names, name="")
        assert [op.type for op in graph.get_operations()].count("ParseExample") == 2
        with tf.Session() as sess:
            ends = np.cumsum(reference["example_lengths"])
            examples = [reference["example_bytes"][end - n:end].tobytes()
                        for n, end in zip(reference["example_lengths"], ends)]
            got = sess.run(outputs, {"examples:0": examples})
    for k, value in enumerate(got):
        expected = reference[f"parsed{k}"]
        if expected.dtype.kind == "S":
            assert [v.decode() if isinstance(v, bytes) else v for v in np.ravel(value)] == \
                [v.decode() for v in np.ravel(expected)], names[k]
        else:
            assert value.dtype == expected.dtype, names[k]
            np.testing.assert_array_equal(value, expected, err_msg=names[k])


def _parsing_graph():
    serialized = tf.placeholder(tf.string, [None], name="examples")
    features = tf.parse_example(serialized, {
        "a": tf.FixedLenFeature([2], tf.float32, default_value=[0.0, 1.0]), "b": tf.VarLenFeature(tf.int64),
        "c": tf.FixedLenFeature([], tf.string, default_value="none"),
        "d": tf.FixedLenSequenceFeature([], tf.float32, allow_missing=True, default_value=-1.0)})
    outputs = [features["a"], features["b"].indices, features["b"].values, features["b"].dense_shape,
               features["c"], features["d"]]
    return [tf.identity(o, name=f"parsed{k}") for k, o in enumerate(outputs)]


def test_neuroflows_parse_example_is_written_in_tensorflows_form_and_parses_alike(tmp_path):
    reference = np.load(os.path.join(DATA, "parse_example.npz"))
    ends = np.cumsum(reference["example_lengths"])
    examples = [reference["example_bytes"][end - n:end].tobytes()
                for n, end in zip(reference["example_lengths"], ends)]
    outputs = _parsing_graph()
    with tf.Session() as sess:
        ours = sess.run(outputs, {"examples:0": examples})
        graph_def = sess.graph_def
    node, = [n for n in graph_def.node if n.op == "ParseExample"]
    assert (node.attr["Nsparse"].i, node.attr["Ndense"].i) == (1, 3) and len(node.input) == 2 + 4 + 3
    for k in range(6):   # neuroflow parses as TensorFlow did (its fixture)
        expected = reference[f"parsed{k}"]
        got = [v.decode() for v in np.ravel(ours[k])] if expected.dtype.kind == "S" else ours[k]
        np.testing.assert_array_equal(got, [v.decode() for v in np.ravel(expected)] if expected.dtype.kind == "S"
                                      else expected)
    message = tf.GraphDef()
    message.ParseFromString(graph_def.SerializeToString())   # TF's form (bytes) reads back into neuroflow
    with tf.Graph().as_default():
        again = tf.import_graph_def(message, return_elements=[o.name for o in outputs], name="")
        with tf.Session() as sess:
            for got, want in zip(sess.run(again, {"examples:0": examples}), ours):
                np.testing.assert_array_equal(got, want)
    from anchor_tf import ANCHOR_PYTHON
    if ANCHOR_PYTHON is None:
        return
    path = tmp_path / "parsing.pb"
    path.write_bytes(graph_def.SerializeToString())
    np.save(tmp_path / "examples.npy", np.array(examples, object), allow_pickle=True)
    theirs = _tensorflow_runs("""
graph_def = v1.GraphDef()
graph_def.ParseFromString(open(sys.argv[1], "rb").read())
v1.import_graph_def(graph_def, name="")
examples = [bytes(e) for e in np.load(sys.argv[2], allow_pickle=True)]
with v1.Session() as sess:
    values = sess.run([f"parsed{k}:0" for k in range(6)], {"examples:0": examples})
print(json.dumps([[x.decode() for x in v.ravel()] if v.dtype == object else v.tolist() for v in values]))
""", path, tmp_path / "examples.npy")
    for k, want in enumerate(ours):
        want = [v.decode() for v in np.ravel(want)] if want.dtype == object else want.tolist()
        assert theirs[k] == want, k


def test_tensorflow_loads_an_estimator_exported_with_a_parsing_receiver_and_predicts_the_same(tmp_path):
    _needs_tensorflow()
    from anchor_tf import run_tf
    rng = np.random.RandomState(4)
    x, columns = rng.randn(32, 3).astype(np.float32), [tf.feature_column.numeric_column("x", shape=[3])]
    labels = (x[:, 0] + x[:, 1] > 0).astype(np.int64)
    estimator = tf.estimator.LinearClassifier(columns, n_classes=2, model_dir=str(tmp_path / "model"))
    estimator.train(tf.estimator.inputs.numpy_input_fn({"x": x}, labels, batch_size=8, num_epochs=1, shuffle=False))
    receiver = tf.estimator.export.build_parsing_serving_input_receiver_fn(
        tf.feature_column.make_parse_example_spec(columns))
    export_dir = os.fsdecode(estimator.export_saved_model(str(tmp_path / "export"), receiver))
    got = list(estimator.predict(tf.estimator.inputs.numpy_input_fn({"x": x[:4]}, shuffle=False)))
    ours = np.stack([p["probabilities"] for p in got])
    np.save(tmp_path / "x.npy", x[:4])
    theirs = json.loads(run_tf("""
import json, sys
import numpy as np
v1 = tf.compat.v1
v1.disable_v2_behavior()
examples = [tf.train.Example(features=tf.train.Features(feature={"x": tf.train.Feature(
    float_list=tf.train.FloatList(value=row.tolist()))})).SerializeToString() for row in np.load(sys.argv[2])]
with v1.Session(graph=v1.Graph()) as sess:
    meta = v1.saved_model.loader.load(sess, ["serve"], sys.argv[1])
    ops = sorted({n.op for n in meta.graph_def.node})
    sig = meta.signature_def["classification"]
    scores = sess.run(sig.outputs["scores"].name, {sig.inputs["inputs"].name: examples})
print(json.dumps({"scores": scores.tolist(), "ops": ops}))
""", export_dir, tmp_path / "x.npy").strip().splitlines()[-1])
    assert "ParseExample" in theirs["ops"]
    np.testing.assert_allclose(theirs["scores"], ours, rtol=1e-5, atol=1e-6)


def test_tensorflows_frozen_raw_rnn_predicts_tensorflows_outputs():
    reference = np.load(os.path.join(DATA, "raw_rnn.npz"))
    graph_def = tf.GraphDef()
    with open(os.path.join(DATA, "raw_rnn_frozen.pb"), "rb") as f:
        graph_def.ParseFromString(f.read())
    assert {"LoopCond", "Switch", "All", "TensorArrayReadV3"} <= {n.op for n in graph_def.node}
    with tf.Graph().as_default():
        outputs = tf.import_graph_def(graph_def, return_elements=["outputs:0", "final_state:0"], name="")
        with tf.Session() as sess:
            got = sess.run(outputs, {"x:0": reference["inputs"], "lengths:0": reference["lengths"]})
    np.testing.assert_allclose(got[0], reference["outputs"], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got[1], reference["final_state"], rtol=1e-5, atol=1e-6)


def test_tensorflow_trains_neuroflows_embedding_with_adam_as_neuroflow_does(tmp_path):
    # Adam has no row-sparse update in neuroflow: the embedding's gradient is made dense by GatherV2Grad, written
    # as TensorFlow's UnsortedSegmentSum (the .meta was neuroflow's JSON form before, which TensorFlow cannot read).
    _needs_tensorflow()
    ids = tf.placeholder(tf.int32, [None, 3], name="ids")
    y = tf.placeholder(tf.int32, [None], name="y")
    table = tf.Variable(np.linspace(-1, 1, 24, dtype=np.float32).reshape(6, 4), name="table")
    w = tf.Variable(np.linspace(-1, 1, 12, dtype=np.float32).reshape(4, 3), name="w")
    logits = tf.identity(tf.matmul(tf.reduce_sum(tf.nn.embedding_lookup(table, ids), 1), w), name="logits")
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
    train = tf.train.AdamOptimizer(0.1).minimize(loss, name="train")
    assert "GatherV2Grad" in {op.type for op in tf.get_default_graph().get_operations()}
    feed = {ids: [[0, 1, 1], [3, 3, 5], [5, 0, 2]], y: [0, 2, 1]}
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        prefix = tf.train.Saver().save(sess, str(tmp_path / "model.ckpt"))
        for _ in range(2):
            sess.run(train, feed)
        ours = sess.run(logits, feed)
    with open(prefix + ".meta", "rb") as f:
        written = {n.op for n in MetaGraphDef.FromString(f.read()).graph_def.node}
    assert "UnsortedSegmentSum" in written and "GatherV2Grad" not in written
    theirs = _tensorflow_runs("""
saver = v1.train.import_meta_graph(sys.argv[1] + ".meta")
feed = {"ids:0": [[0, 1, 1], [3, 3, 5], [5, 0, 2]], "y:0": [0, 2, 1]}
with v1.Session() as sess:
    saver.restore(sess, sys.argv[1])
    for _ in range(2):
        sess.run("train", feed)
    print(json.dumps(sess.run("logits:0", feed).tolist()))
""", prefix)
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)
    with tf.Graph().as_default():   # and neuroflow reads its TensorFlow form back
        saver = tf.train.import_meta_graph(prefix + ".meta")
        with tf.Session() as sess:
            saver.restore(sess, prefix)
            for _ in range(2):
                sess.run("train", {"ids:0": feed[ids], "y:0": feed[y]})
            np.testing.assert_allclose(sess.run("logits:0", {"ids:0": feed[ids]}), ours, rtol=1e-6, atol=1e-6)
