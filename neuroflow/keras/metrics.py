"""`tf.keras.metrics`: metric functions for `compile(metrics=[...])` (per-sample values that `fit` averages over
each epoch), and the rule by which 'accuracy' becomes binary, categorical or sparse categorical accuracy.

Example:
    >>> model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])  # sparse_categorical_accuracy
"""
import neuroflow as _tf
from ..framework import dtypes
from ..framework.apply import convert_to_tensor
from . import losses as _losses
from .losses import (binary_crossentropy, categorical_crossentropy, cosine_proximity, hinge,
                     kullback_leibler_divergence, logcosh, mean_absolute_error, mean_absolute_percentage_error,
                     mean_squared_error, mean_squared_logarithmic_error, poisson, sparse_categorical_crossentropy,
                     squared_hinge)

__all__ = ["binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy", "top_k_categorical_accuracy",
           "sparse_top_k_categorical_accuracy", "mean_squared_error", "mean_absolute_error",
           "mean_absolute_percentage_error", "mean_squared_logarithmic_error", "squared_hinge", "hinge",
           "categorical_crossentropy", "sparse_categorical_crossentropy", "binary_crossentropy",
           "kullback_leibler_divergence", "poisson", "cosine_proximity", "logcosh", "mse", "MSE", "mae", "MAE",
           "mape", "MAPE", "msle", "MSLE", "cosine", "get", "serialize", "deserialize"]


def _float(x):
    return _tf.cast(x, dtypes.float32)


def binary_accuracy(y_true, y_pred, threshold=0.5):
    """mean(y_true == (y_pred > threshold), axis=-1): for sigmoid outputs and 0/1 targets."""
    y_pred = convert_to_tensor(y_pred)
    y_true = _tf.cast(convert_to_tensor(y_true), y_pred.dtype.base_dtype)
    predicted = _tf.cast(_tf.greater(y_pred, threshold), y_pred.dtype.base_dtype)
    return _tf.reduce_mean(_float(_tf.equal(y_true, predicted)), axis=-1)


def categorical_accuracy(y_true, y_pred):
    """1.0 where argmax(y_true) == argmax(y_pred) (one-hot targets), else 0.0."""
    return _float(_tf.equal(_tf.argmax(y_true, axis=-1), _tf.argmax(y_pred, axis=-1)))


def _class_ids(y_true, y_pred):
    """Integer targets of shape y_pred.shape[:-1] (a trailing dimension of 1 removed), as int64."""
    y_true = convert_to_tensor(y_true)
    if y_true.shape.ndims is not None and y_pred.shape.ndims is not None and y_true.shape.ndims == y_pred.shape.ndims:
        y_true = _tf.squeeze(y_true, axis=[-1])
    return _tf.cast(y_true, dtypes.int64)


def sparse_categorical_accuracy(y_true, y_pred):
    """1.0 where the integer target equals argmax(y_pred), else 0.0."""
    y_pred = convert_to_tensor(y_pred)
    return _float(_tf.equal(_class_ids(y_true, y_pred), _tf.argmax(y_pred, axis=-1)))


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    """1.0 where the one-hot target's class is among the k largest predictions."""
    y_pred = convert_to_tensor(y_pred)
    return _float(_tf.nn.in_top_k(y_pred, _tf.argmax(y_true, axis=-1), k))


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5):
    """1.0 where the integer target is among the k largest predictions."""
    y_pred = convert_to_tensor(y_pred)
    return _float(_tf.nn.in_top_k(y_pred, _class_ids(y_true, y_pred), k))


mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
cosine = cosine_proximity

_ACCURACY_NAMES = ("accuracy", "acc")
_CROSSENTROPY_NAMES = ("crossentropy", "ce")


def accuracy_for(loss_fn, output_shape):
    """The accuracy function 'accuracy' means for an output trained with `loss_fn` (Keras's rule): binary for a
    one-unit output or binary cross-entropy, sparse categorical for sparse categorical cross-entropy, categorical
    otherwise."""
    fn = getattr(loss_fn, "fn", loss_fn)   # a Loss object's function
    last = output_shape[-1] if output_shape is not None and len(output_shape) else None
    if last == 1 or fn is binary_crossentropy:
        return binary_accuracy
    if fn is sparse_categorical_crossentropy:
        return sparse_categorical_accuracy
    return categorical_accuracy


def crossentropy_for(loss_fn, output_shape):
    """The cross-entropy 'crossentropy' means, by the same rule."""
    acc = accuracy_for(loss_fn, output_shape)
    return {binary_accuracy: binary_crossentropy,
            sparse_categorical_accuracy: sparse_categorical_crossentropy}.get(acc, categorical_crossentropy)


def resolve(metric, loss_fn, output_shape):
    """(display name, function) for one entry of `compile(metrics=...)`: 'accuracy'/'acc' and 'crossentropy'/'ce'
    resolved from the loss; other names looked up here; callables named by their `__name__`.

    Raises:
        ValueError: an unknown metric name.
    """
    if metric in _ACCURACY_NAMES:
        return metric, accuracy_for(loss_fn, output_shape)
    if metric in _CROSSENTROPY_NAMES:
        return metric, crossentropy_for(loss_fn, output_shape)
    if isinstance(metric, str):
        return metric, deserialize(metric)
    if callable(metric):
        name = getattr(metric, "name", None) or getattr(metric, "__name__", None) or type(metric).__name__
        return name, metric
    raise ValueError(f"Could not interpret metric function identifier: {metric}")


def deserialize(name, custom_objects=None):
    """The metric function named `name` ('mae', 'categorical_accuracy', ...), looking in `custom_objects` first.

    Raises:
        ValueError: unknown name.
    """
    if custom_objects and name in custom_objects:
        return custom_objects[name]
    fn = globals().get(name) if name in __all__ else None
    if fn is None or fn in (get, serialize, deserialize):
        try:
            return _losses.deserialize(name)
        except ValueError:
            raise ValueError(f"Unknown metric function:{name}") from None
    return fn


def serialize(metric):
    """A metric's name (strings are kept as given)."""
    return metric if isinstance(metric, str) else getattr(metric, "__name__", str(metric))


def get(identifier):
    """A metric function from a name or a callable.

    Raises:
        ValueError: neither a known name nor a callable.
    """
    if isinstance(identifier, str):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret metric function identifier: {identifier}")
