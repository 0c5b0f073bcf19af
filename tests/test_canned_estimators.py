"""The canned estimators on synthetic sets (no scikit-learn): LinearClassifier (binary, with a hashed and a
vocabulary column, and 3 classes with a weight column), LinearRegressor, DNNClassifier (3 classes, dropout,
'Adam' by name) and DNNRegressor reach stated accuracies / losses; TensorFlow's prediction and metric keys and
variable names; training resumes from model_dir; one SGD step and the metrics against NumPy (TF1's summed loss);
label_vocabulary and weight_column. Runs without the tensorboard extra (no eval summaries then). TensorFlow 2.21 has
no tf.estimator any more, so these are checked against NumPy and TF1's documented behaviour, not stored values."""
import numpy as np
import pytest

import neuroflow as tf
from neuroflow import estimator as est_lib

fc = tf.feature_column
CONFIG = est_lib.RunConfig(log_step_count_steps=None, save_checkpoints_steps=1000, tf_random_seed=1)


def _input(x, y=None, batch=32, epochs=None, shuffle=True):
    return est_lib.inputs.numpy_input_fn(x, y, batch_size=batch, num_epochs=epochs, shuffle=shuffle)


def _binary_set(n=400, seed=0):
    rng = np.random.RandomState(seed)
    x = rng.normal(size=n).astype(np.float32)
    color = rng.choice(["red", "green", "blue"], size=n)
    shift = np.select([color == "red", color == "green"], [1.5, -1.5], 0.0)
    y = (x + shift + 0.1 * rng.normal(size=n) > 0).astype(np.int64)
    return {"x": x, "color": color, "tag": color}, y


def _three_classes(n=600, seed=1):
    rng = np.random.RandomState(seed)
    y = rng.randint(0, 3, size=n)
    centers = np.array([[2.0, 0.0], [-1.0, 1.7], [-1.0, -1.7]])
    x = (centers[y] + 0.6 * rng.normal(size=(n, 2))).astype(np.float32)
    return {"x": x, "w": np.ones(n, np.float32)}, y.astype(np.int64)


def test_linear_classifier_binary(tmp_path):
    x, y = _binary_set()
    columns = [fc.numeric_column("x"),
               fc.categorical_column_with_vocabulary_list("color", ["red", "green", "blue"]),
               fc.categorical_column_with_hash_bucket("tag", 20)]
    est = est_lib.LinearClassifier(columns, model_dir=str(tmp_path), config=CONFIG)
    est.train(_input(x, y), steps=300)
    metrics = est.evaluate(_input(x, y, batch=100, epochs=1, shuffle=False))
    assert set(metrics) == {"accuracy", "accuracy_baseline", "auc", "auc_precision_recall", "average_loss",
                            "label/mean", "loss", "precision", "prediction/mean", "recall", "global_step"}
    assert metrics["accuracy"] >= 0.95 and metrics["auc"] >= 0.98 and metrics["global_step"] == 300
    np.testing.assert_allclose(metrics["label/mean"], y.mean(), rtol=1e-6)
    np.testing.assert_allclose(metrics["accuracy_baseline"], max(y.mean(), 1 - y.mean()), rtol=1e-6)
    # The loss is summed over each batch (TF1's Reduction.SUM), average_loss is per example.
    np.testing.assert_allclose(metrics["loss"], 100 * metrics["average_loss"], rtol=1e-4)
    predictions = list(est.predict(_input(x, batch=64, epochs=1, shuffle=False)))
    assert set(predictions[0]) == {"logits", "logistic", "probabilities", "class_ids", "classes"}
    class_ids = np.array([p["class_ids"][0] for p in predictions])
    assert np.mean(class_ids == y) == pytest.approx(metrics["accuracy"], abs=1e-6)
    assert predictions[0]["classes"][0] == str(class_ids[0]).encode()
    np.testing.assert_allclose(predictions[0]["probabilities"],
                               [1 - predictions[0]["logistic"][0], predictions[0]["logistic"][0]], rtol=1e-6)
    names = est.get_variable_names()
    assert {"linear/linear_model/x/weights", "linear/linear_model/color/weights", "linear/linear_model/tag/weights",
            "linear/linear_model/bias_weights", "global_step"} <= set(names)
    assert any(n.endswith("/Ftrl") for n in names)         # the default optimizer's slots
    est.train(_input(x, y), max_steps=350)                 # resumes from model_dir
    assert est.get_variable_value("global_step") == 350


def test_linear_classifier_multi_class_weighted_and_regressor(tmp_path):
    x, y = _three_classes()
    est = est_lib.LinearClassifier([fc.numeric_column("x", shape=2)], n_classes=3, weight_column="w",
                                   model_dir=str(tmp_path / "c"), config=CONFIG)
    est.train(_input(x, y), steps=200)
    metrics = est.evaluate(_input(x, y, batch=200, epochs=1, shuffle=False))
    assert set(metrics) == {"accuracy", "average_loss", "loss", "global_step"} and metrics["accuracy"] >= 0.95
    first = next(est.predict(_input(x, batch=10, epochs=1, shuffle=False)))
    assert set(first) == {"logits", "probabilities", "class_ids", "classes"} and first["logits"].shape == (3,)

    rng = np.random.RandomState(2)
    features = {"a": rng.normal(size=300).astype(np.float32), "b": rng.normal(size=300).astype(np.float32)}
    target = (3.0 * features["a"] - 2.0 * features["b"] + 0.5).astype(np.float32)
    reg = est_lib.LinearRegressor([fc.numeric_column("a"), fc.numeric_column("b")],
                                  optimizer=tf.train.GradientDescentOptimizer(0.01),
                                  model_dir=str(tmp_path / "r"), config=CONFIG)
    reg.train(_input(features, target), steps=300)
    metrics = reg.evaluate(_input(features, target, batch=100, epochs=1, shuffle=False))
    assert set(metrics) == {"average_loss", "label/mean", "prediction/mean", "loss", "global_step"}
    assert metrics["average_loss"] < 1e-3
    np.testing.assert_allclose(reg.get_variable_value("linear/linear_model/a/weights"), [[3.0]], atol=0.02)
    predicted = [p["predictions"][0] for p in reg.predict(_input(features, batch=50, epochs=1, shuffle=False))]
    np.testing.assert_allclose(predicted, target, atol=0.1)


def test_dnn_classifier_and_regressor(tmp_path):
    rng = np.random.RandomState(3)
    x = rng.uniform(-1, 1, size=(600, 2)).astype(np.float32)
    y = (np.hypot(x[:, 0], x[:, 1]) > 0.6).astype(np.int64) + (x[:, 0] > 0.6)   # a ring: not linearly separable
    est = est_lib.DNNClassifier([32, 16], [fc.numeric_column("x", shape=2)], n_classes=3, optimizer="Adam",
                                dropout=0.1, model_dir=str(tmp_path / "c"), config=CONFIG)
    est.train(_input({"x": x}, y), steps=600)
    metrics = est.evaluate(_input({"x": x}, y, batch=200, epochs=1, shuffle=False))
    assert metrics["accuracy"] >= 0.9, metrics
    assert {"dnn/hiddenlayer_0/kernel", "dnn/hiddenlayer_1/bias", "dnn/logits/kernel"} <= set(est.get_variable_names())
    assert est.get_variable_value("dnn/hiddenlayer_0/kernel").shape == (2, 32)

    target = np.sin(3 * x[:, :1]).astype(np.float32)
    reg = est_lib.DNNRegressor([32], [fc.numeric_column("x", shape=2)], activation_fn=tf.nn.tanh,
                               optimizer=lambda: tf.train.AdamOptimizer(0.01), model_dir=str(tmp_path / "r"),
                               config=CONFIG)
    reg.train(_input({"x": x}, target), steps=500)
    metrics = reg.evaluate(_input({"x": x}, target, batch=200, epochs=1, shuffle=False))
    assert metrics["average_loss"] < 0.01, metrics


def test_argument_errors():
    column = [fc.numeric_column("x")]
    with pytest.raises(ValueError, match="n_classes must be > 1"):
        est_lib.LinearClassifier(column, n_classes=1)
    with pytest.raises(ValueError, match="feature_columns must be defined"):
        est_lib.DNNRegressor([4], [])
    with pytest.raises(ValueError, match="Unsupported optimizer name: Nope"):
        est_lib.LinearRegressor(column, optimizer="Nope").train(_input({"x": np.zeros(4, np.float32)},
                                                                       np.zeros(4, np.float32)), steps=1)


def test_one_step_against_numpy(tmp_path):
    # From zero weights one SGD step on the summed squared error (TF1's Reduction.SUM) moves the weights by
    # lr * sum(2 * y * x) and the bias by lr * sum(2 * y); the regressor then predicts x @ w + b.
    x = np.array([1.0, -2.0, 0.5, 3.0], np.float32)
    y = np.array([2.0, 1.0, -1.0, 0.5], np.float32)
    reg = est_lib.LinearRegressor([fc.numeric_column("x")], optimizer=tf.train.GradientDescentOptimizer(0.1),
                                  model_dir=str(tmp_path), config=CONFIG)
    reg.train(_input({"x": x}, y, batch=4, shuffle=False), steps=1)
    w = reg.get_variable_value("linear/linear_model/x/weights")
    b = reg.get_variable_value("linear/linear_model/bias_weights")
    np.testing.assert_allclose(w, [[0.1 * np.sum(2 * y * x)]], rtol=1e-6)
    np.testing.assert_allclose(b, [0.1 * np.sum(2 * y)], rtol=1e-6)
    metrics = reg.evaluate(_input({"x": x}, y, batch=4, epochs=1, shuffle=False))
    per_example = (x * w[0, 0] + b[0] - y) ** 2
    np.testing.assert_allclose(metrics["average_loss"], per_example.mean(), rtol=1e-5)
    np.testing.assert_allclose(metrics["loss"], per_example.sum(), rtol=1e-5)
    np.testing.assert_allclose(metrics["prediction/mean"], np.mean(x * w[0, 0] + b[0]), rtol=1e-5)


def test_label_vocabulary_and_weight_column(tmp_path):
    x, y = _binary_set()
    names = np.array(["no", "yes"])[y]
    weights = np.where(y == 1, 3.0, 1.0).astype(np.float32)
    features = {"x": x["x"], "color": x["color"], "w": weights}
    columns = [fc.numeric_column("x"), fc.categorical_column_with_vocabulary_list("color", ["red", "green", "blue"])]
    est = est_lib.DNNClassifier([8], [columns[0], fc.indicator_column(columns[1])],
                                label_vocabulary=["no", "yes"], weight_column="w", optimizer="Adam",
                                model_dir=str(tmp_path), config=CONFIG)
    est.train(_input(features, names), steps=300)
    metrics = est.evaluate(_input(features, names, batch=400, epochs=1, shuffle=False))
    assert metrics["accuracy"] >= 0.95
    # Weighted label mean: the 'yes' examples count three times.
    np.testing.assert_allclose(metrics["label/mean"], np.sum(weights * y) / np.sum(weights), rtol=1e-5)
    predictions = list(est.predict(_input(features, batch=100, epochs=1, shuffle=False)))
    assert {p["classes"][0] for p in predictions} == {b"no", b"yes"}
    assert all(p["classes"][0] == [b"no", b"yes"][p["class_ids"][0]] for p in predictions)
    with pytest.raises(ValueError, match="label_vocabulary should be a list or tuple of n_classes"):
        est_lib.LinearClassifier(columns, label_vocabulary=["a", "b", "c"])


def test_trains_from_tfrecord_examples_parsed_with_the_columns_spec(tmp_path):
    # The TF1 flow: Examples in a TFRecord file, parsed with make_parse_example_spec(columns) (a VarLenFeature
    # becomes a SparseTensor feature), fed to a canned estimator.
    x, y = _binary_set(300)
    path = str(tmp_path / "train.tfrecord")
    with tf.python_io.TFRecordWriter(path) as writer:
        for xi, ci, yi in zip(x["x"], x["color"], y):
            feature = {"x": tf.train.Feature(float_list=tf.train.FloatList(value=[xi])),
                       "color": tf.train.Feature(bytes_list=tf.train.BytesList(value=[ci.encode()])),
                       "label": tf.train.Feature(int64_list=tf.train.Int64List(value=[yi]))}
            writer.write(tf.train.Example(features=tf.train.Features(feature=feature)).SerializeToString())
    columns = [fc.numeric_column("x"), fc.categorical_column_with_vocabulary_list("color", ["red", "green", "blue"])]
    spec = dict(fc.make_parse_example_spec(columns), label=tf.FixedLenFeature([], tf.int64))
    assert isinstance(spec["color"], tf.VarLenFeature)

    def input_fn(epochs):
        def fn():
            records = tf.data.TFRecordDataset(path).repeat(epochs).batch(50)
            parsed = tf.parse_example(tf.data.make_one_shot_iterator(records).get_next(), spec)
            return parsed, parsed.pop("label")
        return fn
    est = est_lib.LinearClassifier(columns, model_dir=str(tmp_path / "model"), config=CONFIG)
    est.train(input_fn(None), steps=150)
    metrics = est.evaluate(input_fn(1))
    assert metrics["accuracy"] >= 0.95 and metrics["global_step"] == 150


def test_wide_and_deep(tmp_path):
    # The label's logit is a sum of a term from the cross of two categories (only the wide part sees them) and a
    # nonlinear function of x (only the deep part sees x): neither part alone reaches the stated accuracy.
    rng = np.random.RandomState(4)
    n = 800
    a, b = rng.choice(["p", "q"], size=n), rng.choice(["u", "v"], size=n)
    x = rng.uniform(-1, 1, size=n).astype(np.float32)
    y = (np.where((a == "p") == (b == "u"), 1.0, -1.0) + 4.0 * (np.abs(x) - 0.5) > 0).astype(np.int64)
    features = {"a": a, "b": b, "x": x}
    wide = [fc.crossed_column(["a", "b"], 16)]
    deep = [fc.numeric_column("x")]
    est = est_lib.DNNLinearCombinedClassifier(linear_feature_columns=wide, linear_optimizer="Ftrl",
                                              dnn_feature_columns=deep, dnn_hidden_units=[16, 8],
                                              dnn_optimizer="Adam", model_dir=str(tmp_path), config=CONFIG)
    est.train(_input(features, y), steps=500)
    metrics = est.evaluate(_input(features, y, batch=400, epochs=1, shuffle=False))
    assert metrics["accuracy"] >= 0.9 and metrics["global_step"] == 500, metrics   # either part alone: <= 0.75
    names = set(est.get_variable_names())
    assert {"linear/linear_model/a_X_b/weights", "dnn/hiddenlayer_0/kernel", "dnn/logits/kernel"} <= names
    assert "linear/linear_model/a_X_b/weights/Ftrl" in names and "dnn/hiddenlayer_0/kernel/Adam" in names
    with pytest.raises(ValueError, match="Either linear_feature_columns or dnn_feature_columns must be defined"):
        est_lib.DNNLinearCombinedRegressor()
    with pytest.raises(ValueError, match="dnn_hidden_units must be defined"):
        est_lib.DNNLinearCombinedRegressor(dnn_feature_columns=deep)


def test_baselines_learn_the_prior(tmp_path):
    rng = np.random.RandomState(5)
    y = rng.choice(3, size=600, p=[0.2, 0.5, 0.3])
    features = {"x": rng.normal(size=600).astype(np.float32)}
    est = est_lib.BaselineClassifier(n_classes=3, optimizer=lambda: tf.train.AdamOptimizer(0.05),
                                     model_dir=str(tmp_path / "c"), config=CONFIG)
    est.train(_input(features, y), steps=300)
    first = next(est.predict(_input(features, batch=10, epochs=1, shuffle=False)))
    np.testing.assert_allclose(first["probabilities"], np.bincount(y) / len(y), atol=0.03)
    assert est.get_variable_value("baseline/bias").shape == (3,)
    target = (rng.normal(size=600) + 2.5).astype(np.float32)
    reg = est_lib.BaselineRegressor(optimizer=lambda: tf.train.AdamOptimizer(0.05), model_dir=str(tmp_path / "r"),
                                    config=CONFIG)
    reg.train(_input(features, target), steps=300)
    np.testing.assert_allclose(reg.get_variable_value("baseline/bias"), [target.mean()], atol=0.1)
