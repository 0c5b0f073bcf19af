"""tf.keras training: losses, metrics and optimizers against NumPy formulas, the progress bar, each callback, and
compile/fit/evaluate/predict/*_on_batch end to end (digits MLP and CNN, an LSTM, save/load round trips)."""
import csv
import os
import re

import numpy as np
import pytest

import neuroflow as tf

keras = tf.keras


def run(t, feed=None):
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        return sess.run(t, feed)


@pytest.fixture(autouse=True)
def fresh_graph():
    tf.reset_default_graph()
    yield
    tf.reset_default_graph()


# --- losses ----------------------------------------------------------------------------------------------------
RNG = np.random.default_rng(0)
Y_TRUE = RNG.uniform(0.1, 2.0, (6, 4)).astype(np.float32)
Y_PRED = RNG.uniform(0.1, 2.0, (6, 4)).astype(np.float32)
LOGITS = RNG.standard_normal((6, 4)).astype(np.float32)
ONE_HOT = np.eye(4, dtype=np.float32)[[0, 1, 2, 3, 1, 0]]
SIGNS = np.where(RNG.random((6, 4)) > 0.5, 1.0, -1.0).astype(np.float32)


def softmax(z):
    e = np.exp(z - z.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def softplus(z):
    return np.log1p(np.exp(-np.abs(z))) + np.maximum(z, 0)


@pytest.mark.parametrize("name,fn,ref", [
    ("mse", keras.losses.mse, lambda t, p: np.mean((p - t) ** 2, -1)),
    ("mae", keras.losses.mae, lambda t, p: np.mean(np.abs(p - t), -1)),
    ("mape", keras.losses.mape, lambda t, p: 100 * np.mean(np.abs((t - p) / t), -1)),
    ("msle", keras.losses.msle, lambda t, p: np.mean((np.log(p + 1) - np.log(t + 1)) ** 2, -1)),
    ("logcosh", keras.losses.logcosh, lambda t, p: np.mean(np.log(np.cosh(p - t)), -1)),
    ("poisson", keras.losses.poisson, lambda t, p: np.mean(p - t * np.log(p + 1e-7), -1)),
    ("huber", keras.losses.huber_loss,
     lambda t, p: np.mean(np.where(np.abs(p - t) <= 1, 0.5 * (p - t) ** 2, np.abs(p - t) - 0.5), -1)),
    ("cosine", keras.losses.cosine_proximity,
     lambda t, p: -np.sum(t / np.linalg.norm(t, axis=-1, keepdims=True) * p / np.linalg.norm(p, axis=-1,
                                                                                             keepdims=True), -1)),
])
def test_regression_losses_match_numpy(name, fn, ref):
    got = run(fn(tf.constant(Y_TRUE), tf.constant(Y_PRED)))
    assert got.shape == (6,)
    np.testing.assert_allclose(got, ref(Y_TRUE, Y_PRED), rtol=1e-5, atol=1e-6)
    assert keras.losses.get(name) is fn


def test_hinge_losses_accept_signed_and_binary_labels():
    hinge = np.mean(np.maximum(1 - SIGNS * LOGITS, 0), -1)
    np.testing.assert_allclose(run(keras.losses.hinge(SIGNS, tf.constant(LOGITS))), hinge, rtol=1e-6)
    binary = (SIGNS > 0).astype(np.float32)   # {0, 1} labels are mapped to {-1, 1}
    np.testing.assert_allclose(run(keras.losses.hinge(binary, tf.constant(LOGITS))), hinge, rtol=1e-6)
    np.testing.assert_allclose(run(keras.losses.squared_hinge(SIGNS, tf.constant(LOGITS))),
                               np.mean(np.maximum(1 - SIGNS * LOGITS, 0) ** 2, -1), rtol=1e-6)
    pos = np.sum(ONE_HOT * LOGITS, -1)
    neg = np.max((1 - ONE_HOT) * LOGITS, -1)
    np.testing.assert_allclose(run(keras.losses.categorical_hinge(ONE_HOT, tf.constant(LOGITS))),
                               np.maximum(neg - pos + 1, 0), rtol=1e-6)


def test_crossentropies_match_numpy_on_probabilities_and_logits():
    probs = softmax(LOGITS)
    ce = -np.sum(ONE_HOT * np.log(probs), -1)
    logits = tf.constant(LOGITS)
    np.testing.assert_allclose(run(keras.losses.categorical_crossentropy(ONE_HOT, tf.constant(probs))), ce, rtol=1e-5)
    np.testing.assert_allclose(run(keras.losses.categorical_crossentropy(ONE_HOT, logits, from_logits=True)), ce,
                               rtol=1e-5)
    # A softmax output is traced back to its logits (no log of a rounded probability).
    softmax_out = tf.nn.softmax(logits)
    loss = keras.losses.categorical_crossentropy(ONE_HOT, softmax_out)
    assert "SoftmaxCrossEntropyWithLogits" in {op.type for op in tf.get_default_graph().get_operations()}
    np.testing.assert_allclose(run(loss), ce, rtol=1e-5)
    labels = ONE_HOT.argmax(-1)
    for y in (labels, labels[:, None].astype(np.float32)):
        np.testing.assert_allclose(run(keras.losses.sparse_categorical_crossentropy(y, softmax_out)), ce, rtol=1e-5)
        np.testing.assert_allclose(run(keras.losses.sparse_categorical_crossentropy(y, tf.constant(probs))), ce,
                                   rtol=1e-5)
    smoothed = ONE_HOT * 0.9 + 0.1 / 4
    np.testing.assert_allclose(run(keras.losses.categorical_crossentropy(ONE_HOT, logits, True, 0.1)),
                               -np.sum(smoothed * np.log(probs), -1), rtol=1e-5)


def test_sparse_crossentropy_on_sequences_keeps_the_leading_dims():
    logits = RNG.standard_normal((2, 3, 5)).astype(np.float32)
    labels = RNG.integers(0, 5, (2, 3))
    ref = -np.log(np.take_along_axis(softmax(logits), labels[..., None], -1))[..., 0]
    got = run(keras.losses.sparse_categorical_crossentropy(labels, tf.constant(logits), from_logits=True))
    np.testing.assert_allclose(got, ref, rtol=1e-5)


def test_binary_crossentropy_matches_numpy():
    t = (RNG.random((6, 4)) > 0.5).astype(np.float32)
    p = 1 / (1 + np.exp(-LOGITS))
    ref = np.mean(-(t * np.log(p) + (1 - t) * np.log(1 - p)), -1)
    np.testing.assert_allclose(run(keras.losses.binary_crossentropy(t, tf.constant(p))), ref, rtol=1e-5)
    np.testing.assert_allclose(run(keras.losses.binary_crossentropy(t, tf.sigmoid(tf.constant(LOGITS)))), ref,
                               rtol=1e-5)
    np.testing.assert_allclose(run(keras.losses.binary_crossentropy(t, tf.constant(LOGITS), from_logits=True)),
                               ref, rtol=1e-5)
    # Saturated probabilities stay finite (clipped to [eps, 1 - eps]).
    assert np.isfinite(run(keras.losses.binary_crossentropy(t, tf.constant(np.round(p))))).all()


def test_kld_matches_numpy():
    t, p = softmax(Y_TRUE), softmax(Y_PRED)
    np.testing.assert_allclose(run(keras.losses.kld(t, tf.constant(p))), np.sum(t * np.log(t / p), -1), rtol=1e-5)


def test_loss_classes_reduce_and_weight():
    loss = keras.losses.MeanSquaredError()
    per_sample = np.mean((Y_PRED - Y_TRUE) ** 2, -1)
    np.testing.assert_allclose(run(loss(Y_TRUE, tf.constant(Y_PRED))), per_sample.mean(), rtol=1e-6)
    w = np.arange(6, dtype=np.float32)
    np.testing.assert_allclose(run(loss(Y_TRUE, tf.constant(Y_PRED), sample_weight=w)), (per_sample * w).mean(),
                               rtol=1e-6)
    summed = keras.losses.MeanAbsoluteError(reduction="sum")
    np.testing.assert_allclose(run(summed(Y_TRUE, tf.constant(Y_PRED))), np.abs(Y_PRED - Y_TRUE).mean(-1).sum(),
                               rtol=1e-6)
    sce = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    assert sce.get_config()["from_logits"] is True
    again = keras.losses.deserialize(keras.losses.serialize(sce))
    assert isinstance(again, keras.losses.SparseCategoricalCrossentropy) and again.get_config() == sce.get_config()
    assert keras.losses.Huber(2.0).get_config()["delta"] == 2.0


def test_unknown_loss_names_raise():
    with pytest.raises(ValueError, match="Unknown loss function:nope"):
        keras.losses.get("nope")
    with pytest.raises(ValueError, match="Could not interpret loss function identifier"):
        keras.losses.get(42)


# --- metrics ---------------------------------------------------------------------------------------------------
def test_accuracy_metrics_match_numpy():
    probs = softmax(LOGITS)
    labels = RNG.integers(0, 4, 6)
    one_hot = np.eye(4, dtype=np.float32)[labels]
    p = tf.constant(probs)
    np.testing.assert_array_equal(run(keras.metrics.categorical_accuracy(one_hot, p)),
                                  (probs.argmax(-1) == labels).astype(np.float32))
    np.testing.assert_array_equal(run(keras.metrics.sparse_categorical_accuracy(labels[:, None].astype(np.float32),
                                                                                p)),
                                  (probs.argmax(-1) == labels).astype(np.float32))
    top2 = np.argsort(-probs, -1)[:, :2]
    np.testing.assert_array_equal(run(keras.metrics.sparse_top_k_categorical_accuracy(labels, p, k=2)),
                                  (top2 == labels[:, None]).any(-1).astype(np.float32))
    t = (RNG.random((6, 1)) > 0.5).astype(np.float32)
    s = RNG.random((6, 1)).astype(np.float32)
    np.testing.assert_array_equal(run(keras.metrics.binary_accuracy(t, tf.constant(s))),
                                  (t == (s > 0.5)).astype(np.float32).mean(-1))


def test_accuracy_is_picked_from_the_loss_like_keras():
    m = keras.metrics
    assert m.resolve("accuracy", keras.losses.sparse_categorical_crossentropy, (None, 10))[1] is \
        m.sparse_categorical_accuracy
    assert m.resolve("acc", keras.losses.SparseCategoricalCrossentropy(), (None, 10))[1] is \
        m.sparse_categorical_accuracy
    assert m.resolve("acc", keras.losses.categorical_crossentropy, (None, 10))[1] is m.categorical_accuracy
    assert m.resolve("accuracy", keras.losses.binary_crossentropy, (None, 3))[1] is m.binary_accuracy
    assert m.resolve("accuracy", keras.losses.mse, (None, 1))[1] is m.binary_accuracy
    assert m.resolve("mae", None, None) == ("mae", keras.losses.mean_absolute_error)

    def my_metric(y_true, y_pred):
        return y_pred
    assert m.resolve(my_metric, None, None) == ("my_metric", my_metric)
    with pytest.raises(ValueError, match="Unknown metric function"):
        m.resolve("nope", None, None)


# --- optimizers ------------------------------------------------------------------------------------------------
G1 = np.array([0.5, -1.0, 2.0], np.float32)
G2 = np.array([-0.25, 0.5, 1.0], np.float32)
W0 = np.array([1.0, 2.0, -1.0], np.float32)


def two_steps(optimizer):
    """The variable after two updates with gradients G1 then G2 (loss = sum(w * g), g fed)."""
    w = tf.Variable(W0, name="w")
    g = tf.placeholder(tf.float32, [3])
    update = optimizer.get_updates(tf.reduce_sum(w * g), [w])
    sess = keras.backend.get_session()
    sess.run(update, {g: G1})
    sess.run(update, {g: G2})
    return sess.run(w), sess


def test_sgd_and_momentum_follow_keras():
    w, _ = two_steps(keras.optimizers.SGD(lr=0.1))
    np.testing.assert_allclose(w, W0 - 0.1 * G1 - 0.1 * G2, rtol=1e-6)
    tf.reset_default_graph()
    w, _ = two_steps(keras.optimizers.SGD(learning_rate=0.1, momentum=0.9))
    v1 = -0.1 * G1
    v2 = 0.9 * v1 - 0.1 * G2
    np.testing.assert_allclose(w, W0 + v1 + v2, rtol=1e-6)


def test_adam_follows_keras():
    opt = keras.optimizers.Adam(learning_rate=0.01)
    w, sess = two_steps(opt)
    m = v = 0
    ref = W0.copy()
    for t, g in enumerate((G1, G2), 1):
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        lr_t = 0.01 * np.sqrt(1 - 0.999 ** t) / (1 - 0.9 ** t)
        ref = ref - lr_t * m / (np.sqrt(v) + 1e-7)
    np.testing.assert_allclose(w, ref, rtol=1e-5)
    assert sess.run(opt.iterations) == 2
    assert opt.get_config()["learning_rate"] == pytest.approx(0.01)
    assert opt.get_config()["epsilon"] == 1e-7


def test_rmsprop_adagrad_adadelta_follow_their_rules():
    w, _ = two_steps(keras.optimizers.RMSprop(0.01))
    ms, ref = 0, W0.copy()   # Keras starts the mean square at zero
    for g in (G1, G2):
        ms = 0.9 * ms + 0.1 * g * g
        ref = ref - 0.01 * g / np.sqrt(ms + 1e-7)
    np.testing.assert_allclose(w, ref, rtol=1e-5)
    tf.reset_default_graph()
    w, _ = two_steps(keras.optimizers.Adagrad(0.1))
    acc, ref = 0.1, W0.copy()
    for g in (G1, G2):
        acc = acc + g * g
        ref = ref - 0.1 * g / np.sqrt(acc)
    np.testing.assert_allclose(w, ref, rtol=1e-5)
    tf.reset_default_graph()
    w, _ = two_steps(keras.optimizers.Adadelta(1.0))
    acc = acc_up = 0
    ref = W0.copy()
    for g in (G1, G2):
        acc = 0.95 * acc + 0.05 * g * g
        up = np.sqrt(acc_up + 1e-7) / np.sqrt(acc + 1e-7) * g
        acc_up = 0.95 * acc_up + 0.05 * up * up
        ref = ref - up
    np.testing.assert_allclose(w, ref, rtol=1e-4)


def test_decay_and_gradient_clipping():
    w, _ = two_steps(keras.optimizers.SGD(lr=0.1, decay=0.5))
    np.testing.assert_allclose(w, W0 - 0.1 * G1 - 0.1 / 1.5 * G2, rtol=1e-6)
    tf.reset_default_graph()
    w, _ = two_steps(keras.optimizers.SGD(lr=1.0, clipvalue=0.6))
    np.testing.assert_allclose(w, W0 - np.clip(G1, -0.6, 0.6) - np.clip(G2, -0.6, 0.6), rtol=1e-6)
    tf.reset_default_graph()
    w, _ = two_steps(keras.optimizers.SGD(lr=1.0, clipnorm=1.0))
    clip = [g / max(1.0, np.linalg.norm(g)) for g in (G1, G2)]
    np.testing.assert_allclose(w, W0 - clip[0] - clip[1], rtol=1e-5)


def test_learning_rate_is_a_variable_that_can_be_changed():
    opt = keras.optimizers.SGD(lr=0.5)
    assert opt.lr == 0.5
    w = tf.Variable(W0, name="w")
    update = opt.get_updates(tf.reduce_sum(w * G1), [w])
    sess = keras.backend.get_session()
    assert keras.backend.get_value(opt.lr) == pytest.approx(0.5)
    keras.backend.set_value(opt.lr, 0.1)
    sess.run(update)
    np.testing.assert_allclose(sess.run(w), W0 - 0.1 * G1, rtol=1e-6)
    opt.lr = 0.2
    assert keras.backend.get_value(opt.learning_rate) == pytest.approx(0.2)


def test_optimizer_lookup():
    assert isinstance(keras.optimizers.get("adam"), keras.optimizers.Adam)
    assert keras.optimizers.get("SGD").get_config()["learning_rate"] == 0.01
    assert keras.optimizers.get("rmsprop").get_config()["learning_rate"] == 0.001
    wrapped = keras.optimizers.get(tf.train.GradientDescentOptimizer(0.1))
    assert isinstance(wrapped, keras.optimizers.TFOptimizer)
    config = keras.optimizers.serialize(keras.optimizers.Adam(lr=0.02, beta_1=0.8))
    again = keras.optimizers.deserialize(config)
    assert isinstance(again, keras.optimizers.Adam) and again.get_config() == config["config"]
    with pytest.raises(ValueError, match="Unknown optimizer: nope"):
        keras.optimizers.get("nope")
    with pytest.raises(TypeError, match="Unexpected keyword argument passed to optimizer: momentum"):
        keras.optimizers.Adam(momentum=0.9)


# --- the progress bar ------------------------------------------------------------------------------------------
def test_progbar_lines(capsys):
    from neuroflow.keras.progbar import Progbar
    bar = Progbar(1000, unit_name="sample", interval=0)
    bar.update(32, [("loss", 0.5), ("acc", 0.25)])
    bar.update(1000, [("loss", 0.3), ("acc", 0.75)])
    lines = capsys.readouterr().out.splitlines()
    assert re.fullmatch(r"  32/1000 \[\.{30}\] - ETA: \d+s - loss: 0\.5000 - acc: 0\.2500", lines[0]), lines[0]
    # The values are averaged over the steps: (0.5 * 32 + 0.3 * 968) / 1000.
    assert re.fullmatch(r"1000/1000 \[={30}\] - \d+s \d+(us|ms|s)/sample - loss: 0\.3064 - acc: 0\.7340", lines[1]), \
        lines[1]
    bar = Progbar(10, verbose=2)
    bar.update(5, [("loss", 1e-5)])
    bar.update(10, [("loss", 1e-5)])
    assert re.fullmatch(r"10/10 - \d+s - loss: 1\.0000e-05\n", capsys.readouterr().out)
    bar = Progbar(10, interval=0)
    bar.update(3)
    assert capsys.readouterr().out.startswith(" 3/10 [========>")


# --- callbacks on their own (a stand-in model) --------------------------------------------------------------------
class FakeModel:
    def __init__(self):
        self.stop_training = False
        self.weights = [np.zeros(2)]
        self.saved = []

    def get_weights(self):
        return [w.copy() for w in self.weights]

    def set_weights(self, weights):
        self.weights = [w.copy() for w in weights]

    def save(self, path, overwrite=True):
        self.saved.append(("model", path))

    def save_weights(self, path, overwrite=True):
        self.saved.append(("weights", path))


def drive(callback, values, monitor="val_loss", model=None):
    """Runs `callback` over epochs whose `monitor` takes `values` (the fake weights hold the epoch number); returns
    the number of epochs run before it stopped training."""
    model = model or FakeModel()
    callback.set_model(model)
    callback.set_params({"epochs": len(values), "verbose": 0, "metrics": ["loss", monitor]})
    callback.on_train_begin({})
    for epoch, value in enumerate(values):
        model.weights = [np.full(2, epoch, float)]
        callback.on_epoch_begin(epoch, {})
        callback.on_epoch_end(epoch, {monitor: value, "loss": value})
        if model.stop_training:
            break
    callback.on_train_end({})
    return epoch + 1, model


def test_early_stopping_patience_mode_and_restore(capsys):
    runs, model = drive(keras.callbacks.EarlyStopping(patience=2), [1.0, 0.5, 0.6, 0.7, 0.1])
    assert runs == 4 and model.weights[0][0] == 3   # not restored unless asked
    stop = keras.callbacks.EarlyStopping(patience=2, restore_best_weights=True, verbose=1)
    runs, model = drive(stop, [1.0, 0.5, 0.6, 0.7, 0.1])
    assert runs == 4 and model.weights[0][0] == 1 and stop.stopped_epoch == 3
    out = capsys.readouterr().out
    assert "Restoring model weights from the end of the best epoch." in out and "Epoch 00004: early stopping" in out
    runs, _ = drive(keras.callbacks.EarlyStopping(monitor="val_acc"), [0.5, 0.6, 0.7, 0.65], monitor="val_acc")
    assert runs == 4   # 'acc' in the name: higher is better
    runs, _ = drive(keras.callbacks.EarlyStopping(min_delta=0.1, patience=1), [1.0, 0.95, 0.9])
    assert runs == 2
    runs, _ = drive(keras.callbacks.EarlyStopping(baseline=0.5, patience=1), [0.9, 0.8, 0.4])
    assert runs == 1


def test_model_checkpoint_formats_paths_and_saves_best_only(tmp_path, capsys):
    path = str(tmp_path / "w.{epoch:02d}-{val_loss:.2f}.h5")
    _, model = drive(keras.callbacks.ModelCheckpoint(path, save_weights_only=True), [0.5, 0.25])
    assert model.saved == [("weights", str(tmp_path / "w.01-0.50.h5")), ("weights", str(tmp_path / "w.02-0.25.h5"))]
    best = keras.callbacks.ModelCheckpoint(str(tmp_path / "best.h5"), save_best_only=True, verbose=1)
    _, model = drive(best, [0.5, 0.7, 0.3])
    assert [p for _, p in model.saved] == [str(tmp_path / "best.h5")] * 2
    out = capsys.readouterr().out
    assert "Epoch 00001: val_loss improved from inf to 0.50000, saving model to" in out
    assert "Epoch 00002: val_loss did not improve from 0.50000" in out
    _, model = drive(keras.callbacks.ModelCheckpoint(str(tmp_path / "m{epoch}.h5"), period=2), [1, 1, 1, 1])
    assert model.saved == [("model", str(tmp_path / "m2.h5")), ("model", str(tmp_path / "m4.h5"))]


def test_reduce_lr_on_plateau_and_scheduler(capsys):
    model = FakeModel()
    model.optimizer = keras.optimizers.SGD(lr=1.0)
    w = tf.Variable(W0)
    model.optimizer.get_updates(tf.reduce_sum(w), [w])
    reduce = keras.callbacks.ReduceLROnPlateau(factor=0.5, patience=1, min_lr=0.2, verbose=1)
    drive(reduce, [1.0, 1.0, 1.0, 1.0], model=model)
    assert keras.backend.get_value(model.optimizer.lr) == pytest.approx(0.2)
    assert "ReduceLROnPlateau reducing learning rate to 0.5." in capsys.readouterr().out
    with pytest.raises(ValueError, match="does not support a factor >= 1.0"):
        keras.callbacks.ReduceLROnPlateau(factor=1.0)
    drive(keras.callbacks.LearningRateScheduler(lambda epoch: 0.1 * (epoch + 1)), [1.0, 1.0, 1.0], model=model)
    assert keras.backend.get_value(model.optimizer.lr) == pytest.approx(0.3)
    drive(keras.callbacks.LearningRateScheduler(lambda epoch, lr: lr / 2), [1.0], model=model)
    assert keras.backend.get_value(model.optimizer.lr) == pytest.approx(0.15)
    model.optimizer = keras.optimizers.TFOptimizer(tf.train.GradientDescentOptimizer(0.1))
    with pytest.raises(ValueError, match='Optimizer must have a "lr" attribute.'):
        drive(keras.callbacks.ReduceLROnPlateau(), [1.0], model=model)


def test_csv_logger_lambda_terminate_and_history(tmp_path):
    path = str(tmp_path / "log.csv")
    drive(keras.callbacks.CSVLogger(path), [0.5, 0.25])
    with open(path) as f:
        rows = list(csv.reader(f))
    assert rows == [["epoch", "loss", "val_loss"], ["0", "0.5", "0.5"], ["1", "0.25", "0.25"]]
    drive(keras.callbacks.CSVLogger(path, append=True, separator=";"), [0.125])
    with open(path) as f:
        assert f.read().splitlines()[-1] == "0;0.125;0.125"
    seen = []
    drive(keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append((epoch, logs["loss"]))),
          [3.0, 2.0])
    assert seen == [(0, 3.0), (1, 2.0)]
    model = FakeModel()
    nan = keras.callbacks.TerminateOnNaN()
    nan.set_model(model)
    nan.on_batch_end(0, {"loss": 1.0})
    assert not model.stop_training
    nan.on_batch_end(1, {"loss": np.nan})
    assert model.stop_training
    history = keras.callbacks.History()
    drive(history, [2.0, 1.0])
    assert history.epoch == [0, 1] and history.history == {"val_loss": [2.0, 1.0], "loss": [2.0, 1.0]}


# --- end to end on digits -----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def digits():
    from sklearn.datasets import load_digits
    data = load_digits()
    x = (data.data / 16.0).astype(np.float32)
    y = data.target.astype(np.int64)
    order = np.random.default_rng(1).permutation(len(x))
    x, y = x[order], y[order]
    return x[:1400], y[:1400], x[1400:], y[1400:]


def accuracy(model, x, y):
    return float(np.mean(model.predict(x).argmax(-1) == y))


def test_sequential_mlp_reaches_95_percent_on_digits(digits):
    x, y, x_test, y_test = digits
    tf.set_random_seed(0)
    np.random.seed(0)
    model = keras.Sequential([keras.layers.Dense(128, activation="relu", input_shape=(64,)),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile(keras.optimizers.Adam(lr=0.005), "sparse_categorical_crossentropy", metrics=["accuracy"])
    stop = keras.callbacks.EarlyStopping(patience=5, restore_best_weights=True)
    history = model.fit(x, y, batch_size=32, epochs=40, validation_split=0.15, callbacks=[stop], verbose=0)
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert len(history.epoch) == len(history.history["loss"]) <= 40
    assert history.history["loss"][-1] < history.history["loss"][0]
    if stop.stopped_epoch:   # the weights are those of the best epoch
        best = int(np.argmin(history.history["val_loss"]))
        val_x, val_y = x[int(len(x) * 0.85):], y[int(len(x) * 0.85):]
        loss, _ = model.evaluate(val_x, val_y, verbose=0)
        assert loss == pytest.approx(history.history["val_loss"][best], rel=1e-4)
    assert accuracy(model, x_test, y_test) > 0.95
    loss, acc = model.evaluate(x_test, y_test, verbose=0)
    assert acc == pytest.approx(accuracy(model, x_test, y_test), abs=1e-6)
    assert model.metrics_names == ["loss", "accuracy"]


def test_small_cnn_reaches_95_percent_on_digits(digits):
    x, y, x_test, y_test = digits
    tf.set_random_seed(0)
    np.random.seed(0)
    model = keras.Sequential([
        keras.layers.Conv2D(16, 3, padding="same", activation="relu", input_shape=(8, 8, 1)),
        keras.layers.MaxPooling2D(2),
        keras.layers.Flatten(),
        keras.layers.Dense(10, activation="softmax")])
    model.compile(keras.optimizers.Adam(lr=0.01), "sparse_categorical_crossentropy", metrics=["acc"])
    stop = keras.callbacks.EarlyStopping(patience=4, restore_best_weights=True)
    history = model.fit(x.reshape(-1, 8, 8, 1), y, batch_size=32, epochs=30, validation_split=0.15, callbacks=[stop],
                        verbose=0)
    assert "val_acc" in history.history
    assert accuracy(model, x_test.reshape(-1, 8, 8, 1), y_test) > 0.95


def test_lstm_learns_a_sequence_task():
    # Is the first value of the sequence positive? The LSTM must carry it over 8 steps of noise.
    rng = np.random.default_rng(0)
    x = rng.standard_normal((1200, 8, 1)).astype(np.float32)
    y = (x[:, 0, 0] > 0).astype(np.float32)
    tf.set_random_seed(0)
    np.random.seed(0)
    model = keras.Sequential([keras.layers.LSTM(16, input_shape=(8, 1)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile(keras.optimizers.Adam(lr=0.02), "binary_crossentropy", metrics=["accuracy"])
    model.fit(x[:1000], y[:1000], batch_size=50, epochs=12, verbose=0)
    loss, acc = model.evaluate(x[1000:], y[1000:], verbose=0)
    assert acc > 0.9, (loss, acc)


# --- fit's options ------------------------------------------------------------------------------------------------
def small_model(units=10, activation="softmax", loss="sparse_categorical_crossentropy", metrics=("accuracy",),
                optimizer="sgd"):
    model = keras.Sequential([keras.layers.Dense(16, activation="relu", input_shape=(64,)),
                              keras.layers.Dense(units, activation=activation)])
    model.compile(optimizer, loss, metrics=list(metrics))
    return model


def test_progress_output_of_fit_and_evaluate(digits, capsys):
    x, y, _, _ = digits
    model = small_model()
    model.fit(x[:200], y[:200], batch_size=50, epochs=2, validation_data=(x[200:300], y[200:300]))
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0] == "Train on 200 samples, validate on 100 samples"
    assert lines[1] == "Epoch 1/2"
    assert re.fullmatch(r"200/200 \[={30}\] - \d+s \d+(us|ms)/sample - loss: \d\.\d{4} - accuracy: \d\.\d{4} - "
                        r"val_loss: \d\.\d{4} - val_accuracy: \d\.\d{4}", lines[-1]), lines[-1]
    assert "Epoch 2/2" in lines
    model.fit(x[:200], y[:200], batch_size=50, epochs=1, verbose=2)
    assert re.fullmatch(r"Train on 200 samples\n200/200 - \d+s - loss: \d\.\d{4} - accuracy: \d\.\d{4}\n",
                        capsys.readouterr().out)
    model.fit(x[:200], y[:200], epochs=1, verbose=0)
    assert capsys.readouterr().out == ""
    model.evaluate(x[:100], y[:100])
    assert re.search(r"100/100 \[={30}\] - \d+s \d+(us|ms)/sample - loss: \d\.\d{4} - accuracy: \d\.\d{4}\n$",
                     capsys.readouterr().out)


def test_fit_options_and_return_values(digits):
    x, y, _, _ = digits
    model = small_model()
    history = model.fit(x[:100], y[:100], batch_size=30, epochs=3, initial_epoch=1, shuffle=False, verbose=0)
    assert history.epoch == [1, 2] and history is model.history
    out = model.train_on_batch(x[:10], y[:10])
    assert len(out) == 2 and np.isfinite(out).all()
    loss, acc = model.test_on_batch(x[:10], y[:10])
    assert 0 <= acc <= 1
    probs = model.predict(x[:70], batch_size=16)
    assert probs.shape == (70, 10)
    np.testing.assert_allclose(probs.sum(-1), 1, rtol=1e-5)
    np.testing.assert_allclose(model.predict_on_batch(x[:5]), probs[:5], rtol=1e-5)
    only_loss = small_model(metrics=())
    assert isinstance(only_loss.evaluate(x[:10], y[:10], verbose=0), float)
    assert np.ndim(only_loss.train_on_batch(x[:10], y[:10])) == 0


def test_sample_and_class_weights(digits):
    x, y, _, _ = digits
    model = small_model()
    before = model.get_weights()
    # All-zero weights: zero loss and no update at all.
    loss = model.train_on_batch(x[:20], y[:20], sample_weight=np.zeros(20))[0]
    assert loss == 0
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)
    # The weighted loss is sum(w * l) / n.
    per_sample = -np.log(model.predict(x[:20])[np.arange(20), y[:20]])
    w = np.linspace(0, 2, 20).astype(np.float32)
    assert model.test_on_batch(x[:20], y[:20], sample_weight=w)[0] == pytest.approx(np.mean(w * per_sample),
                                                                                    rel=1e-4)
    assert model.evaluate(x[:20], y[:20], sample_weight=w, verbose=0)[0] == pytest.approx(np.mean(w * per_sample),
                                                                                          rel=1e-4)
    weights = {c: 0.0 for c in range(10)}
    weights[3] = 1.0
    class_w = (y[:20] == 3).astype(np.float32)
    expected = np.mean(class_w * per_sample)
    assert model.test_on_batch(x[:20], y[:20])[0] == pytest.approx(per_sample.mean(), rel=1e-4)
    assert model.train_on_batch(x[:20], y[:20], class_weight=weights)[0] == pytest.approx(expected, rel=1e-4)
    with pytest.raises(ValueError, match="`class_weight` must contain all classes"):
        model.fit(x[:20], y[:20], class_weight={0: 1.0}, verbose=0)
    model.fit(x[:40], y[:40], sample_weight=np.ones(40), validation_data=(x[40:60], y[40:60], np.ones(20)),
              epochs=1, verbose=0)


def test_fit_on_tf_data_and_generators(digits):
    x, y, _, _ = digits
    model = small_model(optimizer=keras.optimizers.SGD(lr=0.1))
    dataset = tf.data.Dataset.from_tensor_slices((x[:300], y[:300])).batch(32)
    history = model.fit(dataset, epochs=3, verbose=0, validation_data=tf.data.Dataset.from_tensor_slices(
        (x[300:400], y[300:400])).batch(50))
    assert len(history.history["loss"]) == 3 and history.history["loss"][2] < history.history["loss"][0]
    repeated = tf.data.Dataset.from_tensor_slices((x[:300], y[:300])).batch(30).repeat()
    history = model.fit(repeated, steps_per_epoch=5, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2
    loss, acc = model.evaluate(tf.data.Dataset.from_tensor_slices((x[:100], y[:100])).batch(25), verbose=0)
    assert loss == pytest.approx(model.evaluate(x[:100], y[:100], verbose=0)[0], rel=1e-5)
    np.testing.assert_allclose(model.predict(tf.data.Dataset.from_tensor_slices(x[:50]).batch(20)),
                               model.predict(x[:50]), rtol=1e-6)

    def batches():
        while True:
            for i in range(0, 300, 50):
                yield x[i:i + 50], y[i:i + 50]
    history = model.fit_generator(batches(), steps_per_epoch=6, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2
    assert model.evaluate_generator(batches(), steps=2)[0] > 0
    assert model.predict_generator(batches(), steps=2).shape == (100, 10)


def test_fit_errors_are_keras_errors(digits):
    x, y, _, _ = digits
    model = keras.Sequential([keras.layers.Dense(10, input_shape=(64,))])
    with pytest.raises(RuntimeError, match="You must compile your model before training/testing"):
        model.fit(x, y)
    model.compile("sgd", "categorical_crossentropy")
    with pytest.raises(ValueError, match=r"expected dense(_\d+)?_input to have shape \(64,\) but got array with "
                                         r"shape \(10,\)"):
        model.fit(x[:, :10], np.eye(10)[y], verbose=0)
    with pytest.raises(ValueError, match="expected dense(_\\d+)?_input to have 2 dimensions"):
        model.predict(x.reshape(-1, 8, 8))
    with pytest.raises(ValueError, match=r"expected dense(_\d+)? to have shape \(10,\) but got array with shape "
                                         r"\(1,\). `categorical_crossentropy` expects targets to be binary matrices"):
        model.fit(x, y, verbose=0)
    with pytest.raises(ValueError, match="Found 100 input samples and 90 target samples"):
        model.fit(x[:100], np.eye(10)[y[:90]], verbose=0)
    with pytest.raises(ValueError, match="Unknown loss function:nope"):
        model.compile("sgd", "nope")
    with pytest.raises(ValueError, match="Unknown optimizer"):
        model.compile("nope", "mse")
    with pytest.raises(ValueError, match="validation_split must be in the range"):
        small_model().fit(x, y, validation_split=1.5, verbose=0)


# --- other kinds of models ----------------------------------------------------------------------------------------
def test_multi_output_functional_model_with_loss_dict_and_weights(digits):
    x, y, _, _ = digits
    inputs = keras.Input(shape=(64,), name="pixels")
    h = keras.layers.Dense(16, activation="relu")(inputs)
    digit = keras.layers.Dense(10, activation="softmax", name="digit")(h)
    even = keras.layers.Dense(1, activation="sigmoid", name="even")(h)
    model = keras.Model(inputs, [digit, even])
    model.compile("adam", loss={"digit": "sparse_categorical_crossentropy", "even": "binary_crossentropy"},
                  loss_weights={"digit": 1.0, "even": 0.5}, metrics=["accuracy"])
    assert model.metrics_names == ["loss", "digit_loss", "even_loss", "digit_accuracy", "even_accuracy"]
    targets = {"digit": y[:200], "even": (y[:200] % 2 == 0).astype(np.float32)}
    history = model.fit({"pixels": x[:200]}, targets, epochs=2, batch_size=50, verbose=0)
    assert set(history.history) == set(model.metrics_names)
    loss, digit_loss, even_loss, _, _ = model.evaluate(x[:200], [targets["digit"], targets["even"]], verbose=0)
    assert loss == pytest.approx(digit_loss + 0.5 * even_loss, rel=1e-5)
    digits_out, even_out = model.predict(x[:7])
    assert digits_out.shape == (7, 10) and even_out.shape == (7, 1)
    with pytest.raises(ValueError, match='Unknown entry in loss dictionary: "odd"'):
        model.compile("adam", loss={"odd": "mse"})
    with pytest.raises(ValueError, match="it should have one entry per model outputs"):
        model.compile("adam", loss=["mse"])


def test_subclassed_model_trains_from_data(digits):
    x, y, _, _ = digits

    class MLP(keras.Model):
        def __init__(self):
            super().__init__()
            self.hidden = keras.layers.Dense(32, activation="relu")
            self.out = keras.layers.Dense(10)

        def call(self, inputs):
            return self.out(self.hidden(inputs))

    model = MLP()
    model.compile(keras.optimizers.Adam(0.01), keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    history = model.fit(x[:500], y[:500], epochs=5, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert history.history["accuracy"][-1] > 0.8
    assert len(model.trainable_weights) == 4
    with pytest.raises(NotImplementedError, match="does not work for subclassed models"):
        model.save("unused.h5")


def test_regularization_batch_norm_updates_and_dropout(digits):
    x, y, _, _ = digits
    model = keras.Sequential([
        keras.layers.Dense(32, input_shape=(64,), kernel_regularizer=keras.regularizers.l2(0.1)),
        keras.layers.BatchNormalization(),
        keras.layers.Activation("relu"),
        keras.layers.Dropout(0.5),
        keras.layers.Dense(10, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy")
    # The total loss includes the weight penalty.
    kernel = model.layers[0].get_weights()[0]
    probs = model.predict(x[:50])
    data_loss = np.mean(-np.log(probs[np.arange(50), y[:50]]))
    assert model.evaluate(x[:50], y[:50], verbose=0) == pytest.approx(data_loss + 0.1 * np.sum(kernel ** 2), rel=1e-4)
    bn = model.layers[1]
    moving_mean = [w for w in bn.weights if "moving_mean" in w.name][0]
    before = keras.backend.get_value(moving_mean)
    model.fit(x[:200], y[:200], epochs=1, verbose=0)
    assert not np.allclose(before, keras.backend.get_value(moving_mean))   # the update ops ran with the step
    # Dropout is active in training only: predictions are deterministic.
    np.testing.assert_array_equal(model.predict(x[:20]), model.predict(x[:20]))


def test_tf_train_optimizer_and_callable_loss(digits):
    x, y, _, _ = digits

    def my_loss(y_true, y_pred):
        return keras.losses.sparse_categorical_crossentropy(y_true, y_pred)
    model = small_model(loss=my_loss, optimizer=tf.train.GradientDescentOptimizer(0.5))
    history = model.fit(x[:300], y[:300], epochs=3, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]


# --- saving -------------------------------------------------------------------------------------------------------
def test_save_and_load_model_round_trip(digits, tmp_path):
    x, y, _, _ = digits
    model = small_model(optimizer=keras.optimizers.Adam(lr=0.005))
    model.fit(x[:300], y[:300], epochs=2, verbose=0)
    path = str(tmp_path / "model.h5")
    model.save(path)
    expected = model.predict(x[:50])
    step = keras.backend.get_value(model.optimizer.iterations)
    tf.reset_default_graph()
    loaded = keras.models.load_model(path)
    assert [layer.name for layer in loaded.layers] == ["dense", "dense_1"]
    np.testing.assert_allclose(loaded.predict(x[:50]), expected, rtol=1e-6)
    assert isinstance(loaded.optimizer, keras.optimizers.Adam)
    assert loaded.optimizer.get_config()["learning_rate"] == pytest.approx(0.005)
    assert keras.backend.get_value(loaded.optimizer.iterations) == step   # optimizer state came back
    assert loaded.metrics_names == ["loss", "accuracy"]
    history = loaded.fit(x[:300], y[:300], epochs=1, verbose=0)
    assert keras.backend.get_value(loaded.optimizer.iterations) == step + 10
    assert np.isfinite(history.history["loss"][0])
    uncompiled = keras.models.load_model(path, compile=False)
    assert uncompiled.optimizer is None
    with open(path, "rb") as f:
        assert f.read(8) == b"NFKERAS\0"   # neuroflow's container, no pickle


def test_save_weights_in_both_formats_and_by_name(digits, tmp_path):
    x, _, _, _ = digits
    model = small_model()
    expected = model.predict(x[:10])
    prefix = str(tmp_path / "ckpt" / "weights")
    os.makedirs(os.path.dirname(prefix))
    model.save_weights(prefix)
    assert os.path.exists(prefix + ".index") and tf.train.latest_checkpoint(str(tmp_path / "ckpt")) == prefix
    model.save_weights(str(tmp_path / "weights.h5"))
    for source in (prefix, str(tmp_path / "weights.h5")):
        tf.reset_default_graph()
        other = small_model()
        assert not np.allclose(other.predict(x[:10]), expected)
        other.load_weights(source)
        np.testing.assert_allclose(other.predict(x[:10]), expected, rtol=1e-6)
    # A TF-format weights checkpoint is an ordinary checkpoint: tf.train readers see the variables.
    assert "dense/kernel" in dict(tf.train.list_variables(prefix))
    tf.reset_default_graph()
    wider = keras.Sequential([keras.layers.Dense(16, activation="relu", input_shape=(64,), name="dense"),
                              keras.layers.Dense(3, name="other")])
    wider.load_weights(prefix, by_name=True)   # only "dense" matches
    np.testing.assert_allclose(wider.layers[0].get_weights()[0], model_weights_of(prefix)["dense/kernel"])
    with pytest.raises(ValueError, match=r"Layer weight shape \(16, 3\) not compatible"):
        wider.load_weights(prefix)
    with pytest.raises(OSError, match="No such file or directory"):
        wider.load_weights(str(tmp_path / "missing.h5"))


def model_weights_of(prefix):
    return {name: tf.train.load_variable(prefix, name) for name, _ in tf.train.list_variables(prefix)}


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def write_bytes(path, data):
    with open(path, "wb") as f:
        f.write(data)


def test_saving_is_crash_safe_and_rejects_damage(digits, tmp_path, monkeypatch):
    x, y, _, _ = digits
    model = small_model()
    path = str(tmp_path / "model.keras")
    model.save(path)
    good = read_bytes(path)
    model.fit(x[:100], y[:100], epochs=1, verbose=0)

    def broken_fsync(fd):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError, match="No space left"):
        model.save(path)
    monkeypatch.undo()
    assert read_bytes(path) == good   # the old file is untouched, no temp file is left
    assert os.listdir(tmp_path) == ["model.keras"]
    damaged = bytearray(good)
    damaged[-3] ^= 0xFF
    write_bytes(path, bytes(damaged))
    with pytest.raises(OSError, match="corrupted"):
        keras.models.load_model(path)
    write_bytes(path, good[:len(good) // 2])
    with pytest.raises(OSError, match="truncated"):
        keras.models.load_model(path)
    write_bytes(path, b"\x89HDF\r\n\x1a\n" + bytes(100))
    with pytest.raises(OSError, match="not a neuroflow Keras file"):
        keras.models.load_model(path)


# --- callbacks in a real fit --------------------------------------------------------------------------------------
def test_callbacks_in_fit(digits, tmp_path):
    x, y, _, _ = digits
    model = small_model(optimizer=keras.optimizers.SGD(lr=0.05))
    batches = []
    log = str(tmp_path / "log.csv")
    checkpoint = keras.callbacks.ModelCheckpoint(str(tmp_path / "best-{epoch:02d}.h5"), monitor="val_accuracy",
                                                 save_best_only=True, save_weights_only=True)
    reduce = keras.callbacks.ReduceLROnPlateau(monitor="loss", patience=0, factor=0.5, min_delta=10.0)
    history = model.fit(x[:200], y[:200], batch_size=50, epochs=3, validation_split=0.25, verbose=0,
                        callbacks=[keras.callbacks.LambdaCallback(on_batch_end=lambda b, logs: batches.append(
                            (b, logs["size"]))), keras.callbacks.CSVLogger(log), checkpoint, reduce])
    assert batches == [(0, 50), (1, 50), (2, 50)] * 3
    with open(log) as f:
        rows = list(csv.DictReader(f))
    assert [r["epoch"] for r in rows] == ["0", "1", "2"]
    assert float(rows[1]["loss"]) == pytest.approx(history.history["loss"][1])
    # The first epoch sets the best loss; each later one fails to beat it by min_delta and halves the rate.
    # ReduceLROnPlateau logs the rate each epoch ran with as 'lr'.
    assert history.history["lr"] == pytest.approx([0.05, 0.05, 0.025])
    assert keras.backend.get_value(model.optimizer.lr) == pytest.approx(0.0125)
    assert any(name.startswith("best-01") for name in os.listdir(tmp_path))
    stop = keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: setattr(model, "stop_training", True))
    assert model.fit(x[:100], y[:100], epochs=5, verbose=0, callbacks=[stop]).epoch == [0]


def test_tensorboard_callback_writes_scalars_and_the_graph(digits, tmp_path):
    pytest.importorskip("tensorboard")
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    x, y, _, _ = digits
    model = small_model()
    model.fit(x[:100], y[:100], epochs=2, validation_split=0.2, verbose=0,
              callbacks=[keras.callbacks.TensorBoard(str(tmp_path))])
    events = EventAccumulator(str(tmp_path))
    events.Reload()
    assert set(events.Tags()["scalars"]) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert [e.step for e in events.Scalars("loss")] == [0, 1]
    assert events.Tags()["graph"]


def test_deferred_sequential_builds_from_the_data(digits):
    x, y, _, _ = digits
    model = keras.Sequential([keras.layers.Dense(16, activation="relu"), keras.layers.Dense(10, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["acc"])
    history = model.fit(x[:100], y[:100], epochs=2, verbose=0)
    assert model.inputs[0].shape.as_list() == [None, 64] and len(history.history["acc"]) == 2
    assert model.predict(x[:3]).shape == (3, 10)


def test_loading_into_the_same_graph_restores_the_optimizer_state(digits, tmp_path):
    x, y, _, _ = digits
    model = small_model(optimizer="adam")
    model.fit(x[:64], y[:64], batch_size=16, epochs=1, verbose=0)
    model.save(str(tmp_path / "m.h5"))
    twin = keras.models.load_model(str(tmp_path / "m.h5"))   # layer names differ: dense_2, dense_3
    assert keras.backend.get_value(twin.optimizer.iterations) == 4
    for a, b in zip(model.optimizer.get_weights(), twin.optimizer.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_the_keras_example_runs():
    import subprocess
    import sys
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = subprocess.run([sys.executable, os.path.join(root, "examples", "keras_digits.py")], capture_output=True,
                         text=True, check=True, timeout=300, env=dict(os.environ, PYTHONPATH=root)).stdout
    assert "Total params" in out and "Epoch 1/30" in out
    accuracy_line = [line for line in out.splitlines() if line.startswith("test loss")][0]
    assert float(accuracy_line.split()[-1]) > 0.95
    assert out.rstrip().endswith("same predictions: True")


def test_a_model_trained_by_its_own_add_loss(digits):
    # An autoencoder-style model whose loss is added inside the model: compile without a loss, fit without y.
    x, _, _, _ = digits
    inputs = keras.Input(shape=(64,))
    code = keras.layers.Dense(8, activation="relu")(inputs)
    decoded = keras.layers.Dense(64)(code)
    model = keras.Model(inputs, decoded)
    model.add_loss(tf.reduce_mean(tf.square(decoded - inputs)))
    model.compile(keras.optimizers.Adam(0.01))
    assert model.metrics_names == ["loss"]
    history = model.fit(x[:400], epochs=4, batch_size=50, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert model.predict(x[:3]).shape == (3, 64)


def test_custom_loss_and_metric_round_trip_through_custom_objects(digits, tmp_path):
    x, y, _, _ = digits

    def doubled_loss(y_true, y_pred):
        return 2.0 * keras.losses.sparse_categorical_crossentropy(y_true, y_pred)
    model = small_model(loss=doubled_loss, metrics=["accuracy"])
    path = str(tmp_path / "custom.h5")
    model.save(path)
    with pytest.raises(ValueError, match="Unknown loss or metric function: doubled_loss"):
        keras.models.load_model(path)
    loaded = keras.models.load_model(path, custom_objects={"doubled_loss": doubled_loss})
    assert loaded.evaluate(x[:50], y[:50], verbose=0)[0] == pytest.approx(
        model.evaluate(x[:50], y[:50], verbose=0)[0], rel=1e-5)
    assert keras.models.load_model(path, compile=False).optimizer is None


def test_a_subclassed_model_built_from_a_dataset(digits):
    x, y, _, _ = digits

    class Linear(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = keras.layers.Dense(10, activation="softmax")

        def call(self, inputs):
            return self.dense(inputs)

    model = Linear()
    model.compile(keras.optimizers.SGD(0.5), "sparse_categorical_crossentropy", metrics=["acc"])
    history = model.fit(tf.data.Dataset.from_tensor_slices((x[:200], y[:200])).batch(50), epochs=3, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    with pytest.raises(ValueError, match="must yield \\(inputs, targets\\)"):
        model.fit(tf.data.Dataset.from_tensor_slices(x[:100]).batch(50), verbose=0)


def test_weighted_metrics_use_the_sample_weights(digits):
    x, y, _, _ = digits
    model = keras.Sequential([keras.layers.Dense(10, activation="softmax", input_shape=(64,))])
    model.compile("sgd", "sparse_categorical_crossentropy", metrics=["accuracy"], weighted_metrics=["accuracy"])
    assert model.metrics_names == ["loss", "accuracy", "weighted_accuracy"]
    right = (model.predict(x[:60]).argmax(-1) == y[:60]).astype(np.float32)
    w = right + 0.1 * (1 - right)
    # (One batch: like the loss, a metric is averaged per batch, then over the batches by their sizes.)
    _, plain, weighted = model.evaluate(x[:60], y[:60], sample_weight=w, batch_size=60, verbose=0)
    assert plain == pytest.approx(right.mean(), abs=1e-6)
    assert weighted == pytest.approx(np.sum(right * w) / np.sum(w), abs=1e-6)


def test_weight_constraints_apply_after_each_step(digits):
    x, y, _, _ = digits
    model = keras.Sequential([keras.layers.Dense(10, activation="softmax", input_shape=(64,),
                                                 kernel_constraint=lambda w: tf.clip_by_value(w, -0.01, 0.01))])
    model.compile(keras.optimizers.SGD(lr=1.0), "sparse_categorical_crossentropy")
    model.fit(x[:64], y[:64], batch_size=32, epochs=1, verbose=0)
    kernel, bias = model.get_weights()
    assert np.abs(kernel).max() <= 0.01 + 1e-7 and np.abs(bias).max() > 0.01
