"""`tf.test.compute_gradient` / `compute_gradient_error`: a tensor's Jacobian from the gradient engine next to one
from central differences, run in the default session (TensorFlow 1.x's gradient_checker)."""
import numpy as np

from .autodiff import gradients
from .framework.tensor import Tensor

__all__ = ["compute_gradient", "compute_gradient_error"]


def _session():
    from .runtime.session import get_default_session
    sess = get_default_session()
    if sess is None:
        raise ValueError("Cannot compute gradients without a default session: run it inside "
                         "`with tf.Session().as_default():` or a tf.test.TestCase session")
    return sess


def _theoretical(sess, x, x_value, y, y_shape, feed):
    """Row i of the Jacobian [x size, y size]: the gradient of y's element j, as column j."""
    from .ops.array_ops import placeholder
    y_size = int(np.prod(y_shape, dtype=np.int64))
    dy = placeholder(y.dtype.base_dtype, y_shape)
    grad = gradients(y, x, grad_ys=dy)[0]
    jacobian = np.zeros((x_value.size, y_size), dtype=np.float64)
    if grad is None:  # y does not depend on x
        return jacobian
    for j in range(y_size):
        one_hot = np.zeros(y_size, dtype=y.dtype.base_dtype.as_numpy_dtype)
        one_hot[j] = 1
        value = sess.run(grad, {**feed, x: x_value, dy: one_hot.reshape(y_shape)})
        jacobian[:, j] = np.asarray(value, dtype=np.float64).reshape(-1)
    return jacobian


def _numerical(sess, x, x_value, y, y_shape, delta, feed):
    y_size = int(np.prod(y_shape, dtype=np.int64))
    jacobian = np.zeros((x_value.size, y_size), dtype=np.float64)
    flat = x_value.reshape(-1)
    for i in range(flat.size):
        saved = flat[i]
        flat[i] = saved + delta
        y_plus = np.asarray(sess.run(y, {**feed, x: x_value}), dtype=np.float64)
        flat[i] = saved - delta
        y_minus = np.asarray(sess.run(y, {**feed, x: x_value}), dtype=np.float64)
        flat[i] = saved
        jacobian[i, :] = ((y_plus - y_minus) / (2 * delta)).reshape(-1)
    return jacobian


def compute_gradient(x, x_shape, y, y_shape, x_init_value=None, delta=1e-3, init_targets=None,
                     extra_feed_dict=None):
    """The theoretical and numerical Jacobians of `y` with respect to `x` (each [x size, y size]).

    Args:
        x: a tensor (fed with `x_init_value`), or a list of tensors (then `x_shape` and `x_init_value` are lists).
        x_shape, y_shape: the shapes, as lists of ints.
        x_init_value: where to evaluate (default: uniform in [0, 1)).
        delta: the central-difference step.
        init_targets: ops run first (e.g. variable initializers).
        extra_feed_dict: further feeds.

    Returns:
        (theoretical, numerical), or a list of such pairs when `x` is a list.

    Example:
        >>> with tf.Session():
        ...     x = tf.placeholder(tf.float64, [3])
        ...     err = tf.test.compute_gradient_error(x, [3], tf.square(x), [3])
    """
    sess = _session()
    if init_targets is not None:
        sess.run(init_targets)
    feed = dict(extra_feed_dict or {})
    if isinstance(x, (list, tuple)):
        inits = x_init_value if x_init_value is not None else [None] * len(x)
        values = [_initial(t, s, v) for t, s, v in zip(x, x_shape, inits)]
        pairs = []
        for i, (t, value) in enumerate(zip(x, values)):
            others = {u: v for j, (u, v) in enumerate(zip(x, values)) if j != i}
            pairs.append(_pair(sess, t, value, y, y_shape, delta, {**feed, **others}))
        return pairs
    return _pair(sess, x, _initial(x, x_shape, x_init_value), y, y_shape, delta, feed)


def _initial(x, shape, value):
    dtype = x.dtype.base_dtype.as_numpy_dtype
    if value is None:
        return np.random.random_sample(shape).astype(dtype)
    value = np.array(value, dtype=dtype)
    if list(value.shape) != list(shape):
        raise ValueError(f"x_init_value's shape {list(value.shape)} does not match x_shape {list(shape)}")
    return value


def _pair(sess, x, x_value, y, y_shape, delta, feed):
    if not isinstance(x, Tensor) or not isinstance(y, Tensor):
        raise TypeError("compute_gradient takes graph tensors x and y")
    return (_theoretical(sess, x, x_value, y, list(y_shape), feed),
            _numerical(sess, x, x_value.copy(), y, list(y_shape), delta, feed))


def compute_gradient_error(x, x_shape, y, y_shape, x_init_value=None, delta=1e-3, init_targets=None,
                           extra_feed_dict=None):
    """The largest absolute difference between the theoretical and numerical Jacobians (over all of `x`)."""
    result = compute_gradient(x, x_shape, y, y_shape, x_init_value, delta, init_targets, extra_feed_dict)
    pairs = result if isinstance(x, (list, tuple)) else [result]
    return max((float(np.max(np.abs(t - n))) if t.size else 0.0) for t, n in pairs)
