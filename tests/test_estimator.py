"""tf.estimator.Estimator with a custom model_fn on a synthetic, linearly separable set: trains (steps and
max_steps), resumes from model_dir, evaluates (accuracy, mean loss, global step, eval summaries), predicts, and
train_and_evaluate; numpy_input_fn's epochs and its explicit shuffle argument."""
import os

import logging

import numpy as np
import pytest

import neuroflow as tf
from neuroflow import estimator as tf_estimator
from neuroflow.train import basic_session_run_hooks


def _data(n=400, seed=0):
    rng = np.random.RandomState(seed)
    x = rng.normal(size=(n, 2)).astype(np.float32)
    y = (x[:, 0] - 0.5 * x[:, 1] > 0).astype(np.int64)
    return x, y


def model_fn(features, labels, mode, params):
    logits = tf.layers.dense(features["x"], 2, name="logits")
    classes = tf.argmax(logits, axis=1)
    if mode == tf_estimator.ModeKeys.PREDICT:
        return tf_estimator.EstimatorSpec(mode, predictions={"classes": classes,
                                                             "probabilities": tf.nn.softmax(logits)})
    loss = tf.losses.sparse_softmax_cross_entropy(labels=labels, logits=logits)
    if mode == tf_estimator.ModeKeys.EVAL:
        return tf_estimator.EstimatorSpec(mode, loss=loss,
                                          eval_metric_ops={"accuracy": tf.metrics.accuracy(labels, classes)})
    train_op = tf.train.GradientDescentOptimizer(params["lr"]).minimize(loss, global_step=tf.train.get_global_step())
    return tf_estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)


def test_train_evaluate_predict_and_resume(tmp_path):
    x, y = _data()
    train_input = tf_estimator.inputs.numpy_input_fn({"x": x}, y, batch_size=32, num_epochs=None, shuffle=True)
    eval_input = tf_estimator.inputs.numpy_input_fn({"x": x}, y, batch_size=100, num_epochs=1, shuffle=False)
    est = tf_estimator.Estimator(model_fn, model_dir=str(tmp_path), params={"lr": 0.5},
                                 config=tf_estimator.RunConfig(save_checkpoints_steps=50, log_step_count_steps=None))
    est.train(train_input, steps=120)
    assert est.latest_checkpoint().endswith("model.ckpt-120")
    metrics = est.evaluate(eval_input)
    assert metrics["global_step"] == 120 and metrics["accuracy"] >= 0.95 and metrics["loss"] < 0.3
    est.train(train_input, max_steps=200)                 # resumes at 120
    assert est.latest_checkpoint().endswith("model.ckpt-200")
    est.train(train_input, max_steps=150)                 # already past: skipped
    assert est.latest_checkpoint().endswith("model.ckpt-200")
    assert "logits/kernel" in est.get_variable_names() and est.get_variable_value("global_step") == 200
    predictions = list(est.predict(tf_estimator.inputs.numpy_input_fn({"x": x}, batch_size=64, shuffle=False)))
    assert len(predictions) == len(x) and set(predictions[0]) == {"classes", "probabilities"}
    accuracy = np.mean([p["classes"] for p in predictions] == y)
    assert accuracy >= 0.95
    np.testing.assert_allclose([p["probabilities"].sum() for p in predictions], 1.0, rtol=1e-5)
    assert os.listdir(tmp_path / "eval") if basic_session_run_hooks.tensorboard_installed() else True
    evaluated = []

    class CountEvaluations(tf.train.SessionRunHook):
        def end(self, session):
            evaluated.append(session.run(tf.train.get_global_step()))
    metrics, exports = tf_estimator.train_and_evaluate(
        est, tf_estimator.TrainSpec(train_input, max_steps=300),
        tf_estimator.EvalSpec(eval_input, steps=None, throttle_secs=0, hooks=[CountEvaluations()]))
    # Checkpoints at 200 (the start: not evaluated), 250 and 300 (saves every 50 steps), each evaluated.
    assert metrics["global_step"] == 300 and exports == [] and evaluated == [250, 300]
    metrics, _ = tf_estimator.train_and_evaluate(est, tf_estimator.TrainSpec(train_input, max_steps=300),
                                                 tf_estimator.EvalSpec(eval_input, steps=None))
    assert metrics["global_step"] == 300 and evaluated == [250, 300]   # nothing to train: the last one evaluated


def test_argument_errors():
    with pytest.raises(ValueError, match="shuffle must be provided"):
        tf_estimator.inputs.numpy_input_fn({"x": np.zeros((2, 1))})
    est = tf_estimator.Estimator(model_fn, params={"lr": 0.1})
    with pytest.raises(ValueError, match="Can not provide both steps and max_steps."):
        est.train(lambda: None, steps=1, max_steps=2)
    with pytest.raises(ValueError, match="Missing train_op."):
        tf_estimator.EstimatorSpec(tf_estimator.ModeKeys.TRAIN, loss=tf.constant(1.0))
    assert tf_estimator.ModeKeys.PREDICT == "infer"


def test_trains_evaluates_and_predicts_without_tensorboard(tmp_path, monkeypatch, caplog):
    # As in the light install: TensorBoard's protocol buffers cannot be loaded.
    from neuroflow.summary import _proto

    def missing():
        raise ImportError("no tensorboard")
    monkeypatch.setattr(basic_session_run_hooks, "tensorboard_installed", lambda: False)
    monkeypatch.setattr(_proto, "protos", missing)
    x, y = _data()
    est = tf_estimator.Estimator(model_fn, model_dir=str(tmp_path), params={"lr": 0.5},
                                 config=tf_estimator.RunConfig(save_checkpoints_steps=50, log_step_count_steps=None))
    with caplog.at_level(logging.WARNING):
        est.train(tf_estimator.inputs.numpy_input_fn({"x": x}, y, batch_size=32, num_epochs=None, shuffle=True),
                  steps=60)
        metrics = est.evaluate(tf_estimator.inputs.numpy_input_fn({"x": x}, y, batch_size=100, shuffle=False))
    assert metrics["global_step"] == 60 and metrics["accuracy"] >= 0.9
    assert "writes no eval summaries" in caplog.text
    assert not (tmp_path / "eval").exists() and not list(tmp_path.glob("events.out.tfevents.*"))
    assert len(list(est.predict(tf_estimator.inputs.numpy_input_fn({"x": x}, shuffle=False)))) == len(x)
