"""`tf.nn` layer arithmetic and statistics: bias_add (a primitive), and the compositions xw_plus_b,
l2_normalize and moments, with TensorFlow's argument names, defaults and node names."""
from ..autodiff import stop_gradient
from ..framework import dtypes
from ..framework.apply import apply_op, convert_to_tensor
from ..framework.graph import name_scope
from ..ops import array_ops, math_ops, nn_ops
from ..ops.linalg_ops import matmul
from ..ops.reduce_ops import reduce_mean, reduce_sum
from ._args import deprecated_argument_lookup

__all__ = ["bias_add", "xw_plus_b", "l2_normalize", "moments"]


def bias_add(value, bias, data_format=None, name=None):
    """value + bias, with the 1-D `bias` added along the channel axis (node "BiasAdd").

    Args:
        value: a tensor of rank >= 2 (>= 3 for channels-first data).
        bias: a 1-D tensor as long as the channel axis, of value's dtype.
        data_format: "NHWC"/`N...C` (channels last, the default) or "NCHW"/`NC...` (channels at axis 1).
        name: the node name.

    Raises:
        ValueError: a bias that is not 1-D or does not match the channel axis, or a bad data_format.

    Example:
        >>> logits = tf.nn.bias_add(tf.matmul(x, W), b)
    """
    with name_scope(name, "BiasAdd", [value, bias]) as scope:
        if data_format is not None:
            if data_format.startswith("NC"):
                data_format = "NCHW"
            elif data_format.startswith("N") and data_format.endswith("C"):
                data_format = "NHWC"
            else:
                raise ValueError("data_format must be of the form `N...C` or `NC...`")
        value = convert_to_tensor(value, name="input")
        bias = convert_to_tensor(bias, dtype=value.dtype.base_dtype, name="bias")
        return apply_op(nn_ops.BiasAdd, [value, bias], {"data_format": data_format or "NHWC"}, name=scope)


def xw_plus_b(x, weights, biases, name=None):
    """matmul(x, weights) + biases (node "xw_plus_b", a BiasAdd).

    Example:
        >>> h = tf.nn.relu(tf.nn.xw_plus_b(x, W, b))
    """
    with name_scope(name, "xw_plus_b", [x, weights, biases]) as scope:
        x = convert_to_tensor(x, name="x")
        weights = convert_to_tensor(weights, name="weights")
        biases = convert_to_tensor(biases, name="biases")
        return bias_add(matmul(x, weights), biases, name=scope)


def l2_normalize(x, axis=None, epsilon=1e-12, name=None, dim=None):
    """x / sqrt(max(sum(x ** 2, axis), epsilon)) (node "l2_normalize"); all axes when `axis` is None.

    Args:
        x: a float tensor.
        axis: the axis or axes to normalize along (`dim` is its deprecated name).
        epsilon: the lower bound on the squared norm, which keeps zero vectors (and their gradients) finite.
        name: the node name.

    Example:
        >>> tf.nn.l2_normalize([3.0, 4.0])   # [0.6, 0.8]
    """
    axis = deprecated_argument_lookup("axis", axis, "dim", dim)
    with name_scope(name, "l2_normalize", [x]) as scope:
        x = convert_to_tensor(x, name="x")
        square_sum = reduce_sum(math_ops.square(x), axis, keepdims=True)
        x_inv_norm = math_ops.rsqrt(math_ops.maximum(square_sum, epsilon))
        return math_ops.multiply(x, x_inv_norm, name=scope)


def moments(x, axes, shift=None, name=None, keep_dims=None, keepdims=None):
    """The mean and (population) variance of `x` over `axes` (ops under "moments/").

    Args:
        x: a float tensor.
        axes: the axes to reduce, e.g. [0] for a batch of vectors, [0, 1, 2] for NHWC images.
        shift: unused (as in TensorFlow).
        name: the scope name.
        keepdims: keep the reduced axes with size 1 (`keep_dims` is its deprecated name).

    Returns:
        (mean, variance). half-precision inputs are computed in float32 and cast back, as in TensorFlow.

    Example:
        >>> mean, variance = tf.nn.moments(h, axes=[0])
    """
    keep = deprecated_argument_lookup("keepdims", keepdims, "keep_dims", keep_dims)
    with name_scope(name, "moments", [x, axes]):
        x = convert_to_tensor(x, name="x")
        half = x.dtype.base_dtype is dtypes.float16
        y = math_ops.cast(x, dtypes.float32) if half else x
        mean = reduce_mean(y, axes, keepdims=True, name="mean")
        # The variance's gradient into the mean is zero, so the mean need not be differentiated through there.
        variance = reduce_mean(math_ops.squared_difference(y, stop_gradient(mean)), axes, keepdims=bool(keep),
                               name="variance")
        if not keep:
            mean = array_ops.reshape(mean, array_ops.shape(variance), name="Squeeze")
        if half:
            return math_ops.cast(mean, dtypes.float16), math_ops.cast(variance, dtypes.float16)
        return mean, variance
