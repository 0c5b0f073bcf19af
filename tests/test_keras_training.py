"""tf.keras training end to end: compile/fit/evaluate/predict/*_on_batch on digits (MLP and CNN), an LSTM,
weights and callbacks in fit, save/load round trips."""
import csv
import os
import re

import numpy as np
import pytest

import neuroflow as tf

keras = tf.keras


@pytest.fixture(autouse=True)
def fresh_graph():
    tf.reset_default_graph()
    yield
    tf.reset_default_graph()

# --- end to end on digits -----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def digits():
    data = pytest.importorskip("sklearn.datasets").load_digits()
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
    assert accuracy(model, x_test, y_test) > 0.97  # the seeded run reaches 389/397 = 0.980
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
    assert accuracy(model, x_test.reshape(-1, 8, 8, 1), y_test) > 0.975  # the seeded run: 391/397 = 0.985


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
    assert acc > 0.98, (loss, acc)  # the seeded run reaches 1.0 on these 200 test sequences


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
    assert history.history["accuracy"][-1] > 0.93  # the seeded run: 0.942 in the fifth epoch
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
    pytest.importorskip("sklearn")  # the example trains on scikit-learn's digits
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = subprocess.run([sys.executable, os.path.join(root, "examples", "keras_digits.py")], capture_output=True,
                         text=True, check=True, timeout=300, env=dict(os.environ, PYTHONPATH=root)).stdout
    assert "Total params" in out and "Epoch 1/30" in out
    accuracy_line = [line for line in out.splitlines() if line.startswith("test loss")][0]
    assert float(accuracy_line.split()[-1]) > 0.975  # the example reaches 0.986
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
