"""The Keras path end to end on scikit-learn's 8x8 digits (1,797 images), with `tf.keras` on neuroflow:

1. build a small convolutional network with `tf.keras.Sequential` and print its `summary()`,
2. `compile` it with an optimizer, a loss and an accuracy metric, all by name,
3. `fit` it with a validation split, early stopping that keeps the best weights, and a checkpoint of the best
   model, watching Keras's progress bar,
4. `evaluate` on the held-out test set and `predict` a few digits,
5. `save` the whole model to one file and load it back with `tf.keras.models.load_model`. The file is
   neuroflow's own single-file format (JSON and raw tensors, no pickle), not HDF5: it is named `.keras`, not `.h5`.

Run: python examples/keras_digits.py   (needs scikit-learn: pip install "neuroflow[examples]")
"""
import os
import sys
import tempfile

import numpy as np

try:
    from sklearn.datasets import load_digits
except ImportError:
    sys.exit("examples/keras_digits.py needs scikit-learn for its dataset: "
             "pip install \"neuroflow[examples]\" (or pip install scikit-learn)")

import neuroflow as tf

keras = tf.keras

digits = load_digits()
images = (digits.data / 16.0).astype(np.float32).reshape(-1, 8, 8, 1)   # NHWC, pixel values 0..1
labels = digits.target

# Hold out a test set that training never sees (the validation split is taken from the training part).
x_train, x_test, y_train, y_test = tf.data.split(images, labels, ratios=(0.8, 0.2), seed=0)

# 1. The model: conv -> pool -> dense, ending in a softmax over the ten digits.
tf.set_random_seed(0)
np.random.seed(0)
model = keras.Sequential([
    keras.layers.Conv2D(16, 3, padding="same", activation="relu", input_shape=(8, 8, 1)),
    keras.layers.MaxPooling2D(2),
    keras.layers.Flatten(),
    keras.layers.Dense(64, activation="relu"),
    keras.layers.Dropout(0.2),
    keras.layers.Dense(10, activation="softmax"),
])
model.summary()

# 2. Integer labels with a softmax output: sparse categorical cross-entropy; "accuracy" follows the loss.
model.compile(optimizer=keras.optimizers.Adam(lr=0.005), loss="sparse_categorical_crossentropy",
              metrics=["accuracy"])

# 3. Train; stop when the validation loss stops improving and go back to the best epoch's weights.
# A scratch folder for the checkpoint and the saved model, deleted at the end (or when the program exits).
scratch = tempfile.TemporaryDirectory(prefix="keras-digits-")
folder = scratch.name
callbacks = [keras.callbacks.EarlyStopping(patience=3, restore_best_weights=True),
             keras.callbacks.ModelCheckpoint(os.path.join(folder, "best.keras"), save_best_only=True)]
history = model.fit(x_train, y_train, batch_size=32, epochs=30, validation_split=0.15, callbacks=callbacks,
                    verbose=2)
best = int(np.argmin(history.history["val_loss"]))
print(f"best epoch {best + 1}: val_loss {history.history['val_loss'][best]:.4f}, "
      f"val_accuracy {history.history['val_accuracy'][best]:.4f}")

# 4. The test set, once.
test_loss, test_accuracy = model.evaluate(x_test, y_test, verbose=0)
print(f"test loss {test_loss:.4f}, test accuracy {test_accuracy:.4f}")
predicted = model.predict(x_test[:10]).argmax(axis=1)
print("predicted:", " ".join(map(str, predicted)))
print("actual:   ", " ".join(map(str, y_test[:10])))

# 5. One file holds the architecture, the weights and the optimizer; the loaded model predicts the same.
path = os.path.join(folder, "digits_cnn.keras")
model.save(path)
restored = keras.models.load_model(path)
same = np.allclose(restored.predict(x_test), model.predict(x_test), atol=1e-6)
print(f"reloaded from {os.path.basename(path)}: same predictions: {same}")
scratch.cleanup()
