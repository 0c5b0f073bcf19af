"""Estimator.export_saved_model / export_savedmodel: a SavedModel in a timestamped folder with the signatures of the
EstimatorSpec's export outputs (the canned heads' 'serving_default', 'classification', 'regression', 'predict' as
TensorFlow 1's), loaded back with tf.saved_model.loader.load in a fresh graph (and, where the anchors' TensorFlow
is installed, by TensorFlow itself), predicting what Estimator.predict predicts."""
import json
import os

import numpy as np
import pytest
from anchor_tf import ANCHOR_PYTHON, run_tf

import neuroflow as tf
from neuroflow.estimator import export as export_lib

RNG = np.random.RandomState(0)
X = RNG.randn(48, 4).astype(np.float32)
Y3 = ((X[:, 0] > 0).astype(np.int64) + (X[:, 1] > 0)).astype(np.int64)
COLUMNS = [tf.feature_column.numeric_column("x", shape=[4])]


def _train_input(labels):
    return tf.estimator.inputs.numpy_input_fn({"x": X}, labels, batch_size=16, num_epochs=2, shuffle=False)


def _bytes_receiver():
    """A receiver of one string per example (its 4 float32s, little-endian): a single string input, so the
    classify and regress signatures are valid, built from ops TensorFlow has."""
    serialized = tf.placeholder(tf.string, [None], name="input_example_tensor")
    x = tf.reshape(tf.decode_raw(serialized, tf.float32), [-1, 4])
    return tf.estimator.export.ServingInputReceiver({"x": x}, {"examples": serialized})


def _as_bytes(x):
    return np.array([row.astype("<f4").tobytes() for row in x], dtype=object)


def _predictions(estimator, x):
    got = list(estimator.predict(tf.estimator.inputs.numpy_input_fn({"x": x}, shuffle=False)))
    return {k: np.stack([p[k] for p in got]) for k in got[0]}


def _load_and_run(export_dir, key, feeds):
    """{output key: value} of signature `key` of the SavedModel, fed {input key: value}, in a fresh graph."""
    with tf.Session(graph=tf.Graph()) as sess:
        meta = tf.saved_model.loader.load(sess, [tf.saved_model.tag_constants.SERVING], export_dir)
        signature = meta.signature_def[key]
        return sess.run({k: v.name for k, v in signature.outputs.items()},
                        {signature.inputs[k].name: v for k, v in feeds.items()}), meta


@pytest.fixture(scope="module")
def classifier(tmp_path_factory):
    estimator = tf.estimator.DNNClassifier([8], COLUMNS, n_classes=3, config=tf.estimator.RunConfig(tf_random_seed=1),
                                           model_dir=str(tmp_path_factory.mktemp("dnn")))
    return estimator.train(_train_input(Y3))


def test_canned_classifier_exports_tensorflows_signatures(classifier, tmp_path):
    path = classifier.export_saved_model(str(tmp_path), _bytes_receiver)
    assert isinstance(path, bytes) and os.path.dirname(path) == os.fsencode(str(tmp_path))
    assert os.path.basename(path).isdigit()
    export_dir = os.fsdecode(path)
    assert sorted(os.listdir(tmp_path)) == [os.path.basename(export_dir)]   # no temp folder left
    expected = _predictions(classifier, X[:6])
    got, meta = _load_and_run(export_dir, "classification", {"inputs": _as_bytes(X[:6])})
    assert sorted(meta.signature_def) == ["classification", "predict", "serving_default"]
    assert meta.signature_def["serving_default"] == meta.signature_def["classification"]
    assert meta.signature_def["classification"].method_name == "tensorflow/serving/classify"
    np.testing.assert_allclose(got["scores"], expected["probabilities"], rtol=1e-6)
    assert got["classes"].tolist() == [[b"0", b"1", b"2"]] * 6
    got, _ = _load_and_run(export_dir, "predict", {"examples": _as_bytes(X[:6])})
    assert sorted(got) == sorted(expected)
    np.testing.assert_array_equal(got["classes"], expected["classes"])
    np.testing.assert_array_equal(got["class_ids"], expected["class_ids"])
    for key in ("logits", "probabilities"):
        np.testing.assert_allclose(got[key], expected[key], rtol=1e-6)


def test_a_raw_receiver_leaves_only_the_predict_signature(classifier, tmp_path):
    """TensorFlow leaves out the classify signature (it needs one string input) when the features are fed raw."""
    receiver_fn = tf.estimator.export.build_raw_serving_input_receiver_fn(
        {"x": tf.placeholder(tf.float32, [None, 4], name="x")}, default_batch_size=None)
    export_dir = os.fsdecode(classifier.export_saved_model(str(tmp_path), receiver_fn))
    got, meta = _load_and_run(export_dir, "predict", {"x": X[:5]})
    assert sorted(meta.signature_def) == ["predict"]
    assert meta.signature_def["predict"].inputs["x"].name == "x:0"
    np.testing.assert_allclose(got["probabilities"], _predictions(classifier, X[:5])["probabilities"], rtol=1e-6)


def test_binary_classifier_and_regressor_signatures(tmp_path):
    binary = tf.estimator.DNNClassifier([4], COLUMNS, model_dir=str(tmp_path / "b"),
                                        config=tf.estimator.RunConfig(tf_random_seed=2))
    binary.train(_train_input((X[:, 0] > 0).astype(np.int64)))
    export_dir = os.fsdecode(binary.export_savedmodel(str(tmp_path / "eb"), _bytes_receiver))
    got, meta = _load_and_run(export_dir, "regression", {"inputs": _as_bytes(X[:4])})
    assert sorted(meta.signature_def) == ["classification", "predict", "regression", "serving_default"]
    np.testing.assert_allclose(got["outputs"], _predictions(binary, X[:4])["logistic"], rtol=1e-6)

    regressor = tf.estimator.DNNRegressor([4], COLUMNS, model_dir=str(tmp_path / "r"),
                                          config=tf.estimator.RunConfig(tf_random_seed=3))
    regressor.train(_train_input(X[:, :1] * 2.0))
    export_dir = os.fsdecode(regressor.export_saved_model(str(tmp_path / "er"), _bytes_receiver))
    got, meta = _load_and_run(export_dir, "serving_default", {"inputs": _as_bytes(X[:4])})
    assert sorted(meta.signature_def) == ["predict", "regression", "serving_default"]
    assert meta.signature_def["serving_default"].method_name == "tensorflow/serving/regress"
    np.testing.assert_allclose(got["outputs"], _predictions(regressor, X[:4])["predictions"], rtol=1e-6)


def _custom_model_fn(features, labels, mode):
    w = tf.get_variable("w", [4, 2], initializer=tf.constant_initializer(np.arange(8).reshape(4, 2) / 10.0))
    scores = tf.matmul(features["x"], w)
    predictions = {"scores": scores, "top": tf.argmax(scores, axis=1)}
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions=predictions,
                                          export_outputs={"out": tf.estimator.export.PredictOutput(predictions)})
    loss = tf.reduce_mean(tf.square(scores - tf.cast(labels, tf.float32)))
    train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss, global_step=tf.train.get_global_step())
    return tf.estimator.EstimatorSpec(mode, predictions=predictions, loss=loss, train_op=train_op)


@pytest.fixture(scope="module")
def custom(tmp_path_factory):
    estimator = tf.estimator.Estimator(_custom_model_fn, model_dir=str(tmp_path_factory.mktemp("custom")))
    return estimator.train(_train_input(np.stack([X[:, 0], -X[:, 1]], 1)), steps=3)


def test_custom_model_fn_export_with_assets_extra_and_as_text(custom, tmp_path):
    extra = tmp_path / "vocab.txt"
    extra.write_text("a\nb\n")
    export_dir = os.fsdecode(custom.export_saved_model(str(tmp_path / "e"), _bytes_receiver, as_text=True,
                                                       assets_extra={"data/vocab.txt": str(extra)}))
    assert sorted(os.listdir(export_dir)) == ["assets.extra", "saved_model.pbtxt", "variables"]
    assert open(os.path.join(export_dir, "assets.extra", "data", "vocab.txt")).read() == "a\nb\n"
    expected = _predictions(custom, X[:5])
    got, meta = _load_and_run(export_dir, "serving_default", {"examples": _as_bytes(X[:5])})
    assert sorted(meta.signature_def) == ["out", "serving_default"]   # the one output is also the default
    np.testing.assert_allclose(got["scores"], expected["scores"], rtol=1e-6)
    np.testing.assert_array_equal(got["top"], expected["top"])
    # the trained weights, not the initial ones: a step of training moved them
    assert not np.allclose(custom.get_variable_value("w"), np.arange(8).reshape(4, 2) / 10.0)


def test_an_older_checkpoint_is_exported_when_named(tmp_path):
    estimator = tf.estimator.Estimator(_custom_model_fn, model_dir=str(tmp_path / "m"),
                                       config=tf.estimator.RunConfig(save_checkpoints_steps=1))
    estimator.train(_train_input(np.stack([X[:, 0], -X[:, 1]], 1)), steps=2)
    first = os.path.join(str(tmp_path / "m"), "model.ckpt-1")
    export_dir = os.fsdecode(estimator.export_saved_model(str(tmp_path / "e"), _bytes_receiver,
                                                          checkpoint_path=first))
    got, _ = _load_and_run(export_dir, "out", {"examples": _as_bytes(X[:3])})
    w1 = tf.train.load_variable(first, "w")
    np.testing.assert_allclose(got["scores"], X[:3] @ w1, rtol=1e-5)
    assert not np.allclose(w1, estimator.get_variable_value("w"))


def test_export_errors_leave_nothing_behind(tmp_path):
    untrained = tf.estimator.Estimator(_custom_model_fn, model_dir=str(tmp_path / "m"))
    with pytest.raises(ValueError, match="Couldn't find trained model at"):
        untrained.export_saved_model(str(tmp_path / "e"), _bytes_receiver)
    with pytest.raises(ValueError, match="An input_receiver_fn must be defined"):
        untrained.export_saved_model(str(tmp_path / "e"), None)

    def several_outputs(features, mode):
        p = tf.estimator.export.PredictOutput(features["x"])
        return tf.estimator.EstimatorSpec(mode, predictions=features["x"], export_outputs={"a": p, "b": p})

    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="none of them is specified as the default"):
            several_outputs({"x": tf.zeros([1, 4])}, tf.estimator.ModeKeys.PREDICT)
        with pytest.raises(TypeError, match="Values in export_outputs must be ExportOutput objects"):
            tf.estimator.EstimatorSpec("infer", predictions=tf.zeros([1]), export_outputs={"a": tf.zeros([1])})

    def broken_receiver():
        raise RuntimeError("receiver failed")

    trained = tf.estimator.Estimator(_custom_model_fn, model_dir=str(tmp_path / "t"))
    trained.train(_train_input(np.stack([X[:, 0], -X[:, 1]], 1)), steps=1)
    os.makedirs(tmp_path / "e2")
    with pytest.raises(RuntimeError, match="receiver failed"):
        trained.export_saved_model(str(tmp_path / "e2"), broken_receiver)
    assert os.listdir(tmp_path / "e2") == []


def test_a_taken_timestamp_waits_for_the_next_second(monkeypatch, tmp_path):
    clock = iter([1000.0, 1000.0, 1001.0])
    slept = []
    monkeypatch.setattr(export_lib, "time", type("Clock", (), {"time": staticmethod(lambda: next(clock)),
                                                               "sleep": staticmethod(slept.append)}))
    os.makedirs(tmp_path / "1000")
    assert export_lib.timestamped_export_dir(str(tmp_path)) == os.fsencode(str(tmp_path / "1001"))
    assert slept == [1, 1]   # one second after each taken name


def test_export_output_and_receiver_checks():
    with tf.Graph().as_default():
        floats, strings = tf.zeros([2, 3]), tf.constant([["a"], ["b"]])
        with pytest.raises(ValueError, match="At least one of scores and classes must be set."):
            tf.estimator.export.ClassificationOutput()
        with pytest.raises(ValueError, match="Classification scores must be a float32 Tensor"):
            tf.estimator.export.ClassificationOutput(scores=strings)
        with pytest.raises(ValueError, match="Classification classes must be a string Tensor"):
            tf.estimator.export.ClassificationOutput(classes=floats)
        with pytest.raises(ValueError, match="Regression output value must be a float32 Tensor"):
            tf.estimator.export.RegressionOutput(tf.zeros([2], tf.int32))
        with pytest.raises(ValueError, match="Prediction output key must be a string"):
            tf.estimator.export.PredictOutput({1: floats})
        with pytest.raises(ValueError, match="Classification input must be a single string Tensor"):
            tf.estimator.export.ClassificationOutput(scores=floats).as_signature_def({"x": floats})
        receiver = tf.estimator.export.ServingInputReceiver(floats, strings)
        assert set(receiver.features) == {"feature"} and set(receiver.receiver_tensors) == {"input"}
        with pytest.raises(ValueError, match="features must be defined."):
            tf.estimator.export.ServingInputReceiver(None, strings)
        with pytest.raises(ValueError, match="feature x must be a Tensor or SparseTensor."):
            tf.estimator.export.ServingInputReceiver({"x": 3}, strings)


def test_parsing_receiver_parses_serialized_examples():
    spec = {"x": tf.FixedLenFeature([2], tf.float32), "k": tf.FixedLenFeature([], tf.int64, default_value=7)}
    with tf.Graph().as_default():
        receiver = tf.estimator.export.build_parsing_serving_input_receiver_fn(spec)()
        (examples,) = receiver.receiver_tensors.values()
        assert list(receiver.receiver_tensors) == ["examples"] and examples.op.name == "input_example_tensor"
        records = [tf.train.Example(features=tf.train.Features(feature={
            "x": tf.train.Feature(float_list=tf.train.FloatList(value=[1.5, -2.0])),
            "k": tf.train.Feature(int64_list=tf.train.Int64List(value=[3]))})).SerializeToString(),
                   tf.train.Example(features=tf.train.Features(feature={
                       "x": tf.train.Feature(float_list=tf.train.FloatList(value=[0.25, 4.0]))})).SerializeToString()]
        with tf.Session() as sess:
            got = sess.run(receiver.features, {examples: records})
    np.testing.assert_array_equal(got["x"], [[1.5, -2.0], [0.25, 4.0]])
    np.testing.assert_array_equal(got["k"], [3, 7])


@pytest.mark.skipif(ANCHOR_PYTHON is None, reason="the anchors' TensorFlow is not installed")
def test_tensorflow_loads_the_export_and_predicts_the_same(classifier, custom, tmp_path):
    code = """
import json, sys
import numpy as np
v1 = tf.compat.v1
v1.disable_v2_behavior()
out = {}
for export_dir, key in ((sys.argv[1], "classification"), (sys.argv[2], "serving_default")):
    with v1.Session(graph=v1.Graph()) as sess:
        meta = v1.saved_model.loader.load(sess, ["serve"], export_dir)
        sig = meta.signature_def[key]
        rows = np.load(sys.argv[3])
        feed = {sig.inputs[k].name: [r.astype("<f4").tobytes() for r in rows] for k in sig.inputs}
        got = sess.run({k: v.name for k, v in sig.outputs.items()}, feed)
        out[key] = {k: (v.astype(str).tolist() if v.dtype.kind in "OSU" else v.tolist()) for k, v in got.items()}
print(json.dumps(out))
"""
    canned = os.fsdecode(classifier.export_saved_model(str(tmp_path / "c"), _bytes_receiver))
    own = os.fsdecode(custom.export_saved_model(str(tmp_path / "o"), _bytes_receiver))
    np.save(tmp_path / "x.npy", X[:5])
    theirs = json.loads(run_tf(code, canned, own, tmp_path / "x.npy").strip().splitlines()[-1])
    np.testing.assert_allclose(theirs["classification"]["scores"], _predictions(classifier, X[:5])["probabilities"],
                               rtol=1e-5)
    assert theirs["classification"]["classes"] == [["0", "1", "2"]] * 5
    expected = _predictions(custom, X[:5])
    np.testing.assert_allclose(theirs["serving_default"]["scores"], expected["scores"], rtol=1e-5)
    np.testing.assert_array_equal(theirs["serving_default"]["top"], expected["top"])


def test_a_failed_write_leaves_no_folder(custom, tmp_path, monkeypatch):
    """A failure after the SavedModel is written in full (here: the disk fills while copying assets_extra) leaves
    export_dir_base as it was: no timestamped folder, no temp folder."""
    (tmp_path / "e").mkdir()
    (tmp_path / "e" / "kept.txt").write_text("the user's")

    def disk_full(assets_extra, export_dir):
        assert os.path.isfile(os.path.join(export_dir, "saved_model.pb"))   # it fails after the SavedModel
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(export_lib, "_copy_assets_extra", disk_full)
    with pytest.raises(OSError, match="No space left on device"):
        custom.export_saved_model(str(tmp_path / "e"), _bytes_receiver, assets_extra={"a": "b"})
    assert os.listdir(tmp_path / "e") == ["kept.txt"]


def test_a_graph_that_cannot_be_written_leaves_no_folder(custom, tmp_path, monkeypatch):
    """The variables are saved before the graph is written: a graph the SavedModel cannot hold (an op without a
    TensorFlow form) must not leave them behind in export_dir_base (nor the builder's staging folder)."""
    from neuroflow.saved_model import builder

    def unwritable(*args, **kwargs):
        raise ValueError("Cannot write op 'X' as a TensorFlow NodeDef")

    monkeypatch.setattr(builder.SavedModelBuilder, "_meta_graph", unwritable)
    with pytest.raises(ValueError, match="Cannot write op") as caught:
        custom.export_saved_model(str(tmp_path / "e"), _bytes_receiver)
    # while the error is kept (as an interactive session keeps the last one), nothing is left behind either
    assert caught.value is not None and os.listdir(tmp_path / "e") == []


def test_assets_extra_destinations_stay_inside_the_export(custom, tmp_path):
    source = tmp_path / "s.txt"
    source.write_text("x")
    with pytest.raises(ValueError, match="must be a relative path inside assets.extra/"):
        custom.export_saved_model(str(tmp_path / "e"), _bytes_receiver, assets_extra={"../../escape.txt": str(source)})
    assert not os.path.exists(tmp_path / "escape.txt") and os.listdir(tmp_path / "e") == []


def test_train_and_evaluate_runs_the_exporters(tmp_path):
    """The last evaluation (at max_steps: the final export) is followed by each exporter's export into
    model_dir/export/<name>; LatestExporter then keeps only the newest exports_to_keep timestamped folders."""
    model_dir = tmp_path / "m"
    for old in ("100", "200"):
        (model_dir / "export" / "latest" / old).mkdir(parents=True)
    (model_dir / "export" / "latest" / "notes").mkdir()   # not a timestamp: never collected
    estimator = tf.estimator.Estimator(_custom_model_fn, model_dir=str(model_dir))
    train = tf.estimator.TrainSpec(_train_input(np.stack([X[:, 0], -X[:, 1]], 1)), max_steps=3)
    exporters = [tf.estimator.FinalExporter("final", _bytes_receiver),
                 tf.estimator.LatestExporter("latest", _bytes_receiver, exports_to_keep=1)]
    evaluation = tf.estimator.EvalSpec(_train_input(np.stack([X[:, 0], -X[:, 1]], 1)), steps=1, exporters=exporters,
                                       throttle_secs=10 ** 6)
    metrics, exports = tf.estimator.train_and_evaluate(estimator, train, evaluation)
    assert metrics["global_step"] == 3 and len(exports) == 2
    final, latest = (os.fsdecode(e) for e in exports)
    assert os.path.dirname(final) == str(model_dir / "export" / "final")
    assert sorted(os.listdir(model_dir / "export" / "latest")) == sorted([os.path.basename(latest), "notes"])
    got, _ = _load_and_run(final, "serving_default", {"examples": _as_bytes(X[:3])})
    np.testing.assert_allclose(got["scores"], _predictions(estimator, X[:3])["scores"], rtol=1e-6)


def test_exporter_checks():
    receiver = _bytes_receiver
    assert tf.estimator.FinalExporter("f", receiver).export(None, "unused", "unused", {}, False) is None
    with pytest.raises(ValueError, match="`exports_to_keep`, if provided, must be a positive number"):
        tf.estimator.LatestExporter("l", receiver, exports_to_keep=0)
    same = [tf.estimator.LatestExporter("a", receiver), tf.estimator.FinalExporter("a", receiver)]
    with pytest.raises(ValueError, match="`exporters` must have unique names"):
        tf.estimator.EvalSpec(lambda: None, exporters=same)
    with pytest.raises(TypeError, match="`exporters` must be an Exporter, an iterable of Exporter, or `None`"):
        tf.estimator.EvalSpec(lambda: None, exporters=[receiver])
    assert tf.estimator.EvalSpec(lambda: None, exporters=same[0]).exporters == (same[0],)


def test_the_graphs_asset_files_are_exported(custom, tmp_path):
    """Files the model_fn lists in GraphKeys.ASSET_FILEPATHS (a vocabulary, ...) go into the SavedModel's assets/,
    as TensorFlow's export does."""
    vocabulary = tmp_path / "words.txt"
    vocabulary.write_text("alpha\nbeta\n")

    def model_fn(features, labels, mode):
        tf.add_to_collection(tf.GraphKeys.ASSET_FILEPATHS, tf.constant(str(vocabulary)))
        return _custom_model_fn(features, labels, mode)

    estimator = tf.estimator.Estimator(model_fn, model_dir=custom.model_dir)
    export_dir = os.fsdecode(estimator.export_saved_model(str(tmp_path / "e"), _bytes_receiver))
    assert open(os.path.join(export_dir, "assets", "words.txt")).read() == "alpha\nbeta\n"
