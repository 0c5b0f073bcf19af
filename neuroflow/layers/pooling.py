"""`tf.layers` pooling layers: max/average pooling in 1-D and 2-D.

They hold no variables; each applies tf.nn.max_pool/avg_pool in its own name scope ("max_pooling2d/MaxPool").
1-D pooling inserts a height of 1, pools in 2-D and squeezes it away, as TensorFlow does.
"""
from ..framework.tensor_shape import TensorShape
from ..ops.grad_support_ops import expand_dims
from ..ops.manip_ops import squeeze
from .base import Layer
from .convolutional import check_input_rank, normalize_data_format, normalize_padding, normalize_tuple, output_length

__all__ = ["MaxPooling1D", "MaxPooling2D", "AveragePooling1D", "AveragePooling2D", "max_pooling1d", "max_pooling2d",
           "average_pooling1d", "average_pooling2d"]


class _Pooling(Layer):
    """Pools windows of `pool_size` moved by `strides` with `pool_function` (tf.nn.max_pool or avg_pool)."""

    rank = 2

    def __init__(self, pool_function, pool_size, strides, padding="valid", data_format="channels_last", name=None,
                 **kwargs):
        super().__init__(name=name, **kwargs)
        self.pool_function = pool_function
        self.pool_size = normalize_tuple(pool_size, self.rank, "pool_size")
        self.strides = normalize_tuple(self.pool_size if strides is None else strides, self.rank, "strides")
        self.padding = normalize_padding(padding)
        self.data_format = normalize_data_format(data_format)

    def call(self, inputs):
        check_input_rank(self, inputs.shape, self.rank + 2)
        last = self.data_format == "channels_last"
        if self.rank == 1:
            axis = 1 if last else 2
            (k,), (s,) = self.pool_size, self.strides
            ksize, strides = ([1, 1, k, 1], [1, 1, s, 1]) if last else ([1, 1, 1, k], [1, 1, 1, s])
            pooled = self.pool_function(expand_dims(inputs, axis), ksize, strides, self.padding.upper(),
                                        "NHWC" if last else "NCHW")
            return squeeze(pooled, [axis])
        (kh, kw), (sh, sw) = self.pool_size, self.strides
        ksize, strides = ([1, kh, kw, 1], [1, sh, sw, 1]) if last else ([1, 1, kh, kw], [1, 1, sh, sw])
        return self.pool_function(inputs, ksize, strides, self.padding.upper(), "NHWC" if last else "NCHW")

    def compute_output_shape(self, input_shape):
        dims = TensorShape(input_shape).as_list()
        last = self.data_format == "channels_last"
        spatial = dims[1:-1] if last else dims[2:]
        out = [output_length(d, k, self.padding, s) for d, k, s in zip(spatial, self.pool_size, self.strides)]
        return TensorShape([dims[0]] + out + [dims[-1]] if last else dims[:2] + out)


def _max_pool(*args):
    from ..nn import max_pool
    return max_pool(*args)


def _avg_pool(*args):
    from ..nn import avg_pool
    return avg_pool(*args)


class MaxPooling1D(_Pooling):
    """Max pooling over [batch, width, channels].

    Example:
        >>> y = tf.layers.MaxPooling1D(2, 2)(x)
    """

    rank = 1

    def __init__(self, pool_size, strides, padding="valid", data_format="channels_last", name=None, **kwargs):
        super().__init__(_max_pool, pool_size, strides, padding, data_format, name, **kwargs)


class AveragePooling1D(_Pooling):
    """Average pooling over [batch, width, channels]."""

    rank = 1

    def __init__(self, pool_size, strides, padding="valid", data_format="channels_last", name=None, **kwargs):
        super().__init__(_avg_pool, pool_size, strides, padding, data_format, name, **kwargs)


class MaxPooling2D(_Pooling):
    """Max pooling over [batch, height, width, channels] (or channels_first).

    Example:
        >>> h = tf.layers.MaxPooling2D(pool_size=2, strides=2)(h)   # "max_pooling2d/MaxPool:0"
    """

    def __init__(self, pool_size, strides, padding="valid", data_format="channels_last", name=None, **kwargs):
        super().__init__(_max_pool, pool_size, strides, padding, data_format, name, **kwargs)


class AveragePooling2D(_Pooling):
    """Average pooling over [batch, height, width, channels]; with "same" padding only real elements count."""

    def __init__(self, pool_size, strides, padding="valid", data_format="channels_last", name=None, **kwargs):
        super().__init__(_avg_pool, pool_size, strides, padding, data_format, name, **kwargs)


def _apply(cls, inputs, pool_size, strides, padding, data_format, name):
    return cls(pool_size, strides, padding=padding, data_format=data_format, name=name, _scope=name)(inputs)


def max_pooling1d(inputs, pool_size, strides, padding="valid", data_format="channels_last", name=None):
    """Functional MaxPooling1D (node "max_pooling1d/Squeeze")."""
    return _apply(MaxPooling1D, inputs, pool_size, strides, padding, data_format, name)


def average_pooling1d(inputs, pool_size, strides, padding="valid", data_format="channels_last", name=None):
    """Functional AveragePooling1D (node "average_pooling1d/Squeeze")."""
    return _apply(AveragePooling1D, inputs, pool_size, strides, padding, data_format, name)


def max_pooling2d(inputs, pool_size, strides, padding="valid", data_format="channels_last", name=None):
    """Functional MaxPooling2D (node "max_pooling2d/MaxPool").

    Example:
        >>> h = tf.layers.max_pooling2d(h, 2, 2)
    """
    return _apply(MaxPooling2D, inputs, pool_size, strides, padding, data_format, name)


def average_pooling2d(inputs, pool_size, strides, padding="valid", data_format="channels_last", name=None):
    """Functional AveragePooling2D (node "average_pooling2d/AvgPool")."""
    return _apply(AveragePooling2D, inputs, pool_size, strides, padding, data_format, name)
