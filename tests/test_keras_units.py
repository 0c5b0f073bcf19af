"""tf.keras pieces in isolation: losses, metrics and optimizers against NumPy formulas, the progress bar and
each callback (driven by a stand-in model)."""
import csv
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
