"""`tf.keras.utils`: small NumPy helpers for preparing data (`to_categorical`, `normalize`)."""
import numpy as np

__all__ = ["to_categorical", "normalize"]


def to_categorical(y, num_classes=None, dtype="float32"):
    """One-hot rows from integer class labels: shape `y.shape + (num_classes,)` (a trailing axis of size 1 in y is
    dropped).

    Args:
        y: integer labels in [0, num_classes).
        num_classes: default max(y) + 1.
        dtype: of the result.

    Example:
        >>> tf.keras.utils.to_categorical([0, 2, 1], 3)
        array([[1., 0., 0.], [0., 0., 1.], [0., 1., 0.]], dtype=float32)
    """
    y = np.asarray(y, dtype="int64")
    shape = y.shape
    if shape and shape[-1] == 1 and len(shape) > 1:
        shape = shape[:-1]
    y = y.ravel()
    if num_classes is None:
        num_classes = int(y.max()) + 1 if y.size else 0
    if y.size and (y.min() < 0 or y.max() >= num_classes):
        raise IndexError(f"to_categorical: labels must be in [0, {num_classes}), got values from {y.min()} to "
                         f"{y.max()}")
    out = np.zeros((y.size, num_classes), dtype=dtype)
    out[np.arange(y.size), y] = 1
    return out.reshape(shape + (num_classes,))


def normalize(x, axis=-1, order=2):
    """`x` divided by its `order`-norm along `axis` (zero vectors stay zero)."""
    x = np.asarray(x)
    norm = np.atleast_1d(np.linalg.norm(x, order, axis))
    norm[norm == 0] = 1
    return x / np.expand_dims(norm, axis)

from .progbar import Progbar  # noqa: E402,F401 - tf.keras.utils.Progbar, as in TensorFlow
