"""Keras pooling layers: MaxPooling1D/2D, AveragePooling1D/2D (Keras's defaults: pool_size 2, strides =
pool_size, on the tf.layers implementations) and the global poolings (a mean or max over the spatial axes)."""
from ...framework.tensor_shape import TensorShape
from ...layers import pooling as _tfl_pool
from ...layers.convolutional import check_input_rank, normalize_data_format
from ...ops import reduce_ops
from .. import backend
from ..engine.base_layer import Layer

__all__ = ["MaxPooling1D", "MaxPooling2D", "AveragePooling1D", "AveragePooling2D", "MaxPool1D", "MaxPool2D",
           "AvgPool1D", "AvgPool2D", "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalMaxPooling1D",
           "GlobalMaxPooling2D", "GlobalAvgPool1D", "GlobalAvgPool2D", "GlobalMaxPool1D", "GlobalMaxPool2D"]


def _pooling_class(base, default_pool, doc, default_format):
    class Pooling(Layer, base):
        def __init__(self, pool_size=default_pool, strides=None, padding="valid", data_format=default_format,
                     **kwargs):
            base.__init__(self, pool_size, strides, padding=padding,
                          data_format=data_format or backend.image_data_format())
            self._keras_init(**kwargs)

    Pooling.__name__ = Pooling.__qualname__ = base.__name__
    Pooling.__doc__ = doc
    Pooling.__module__ = __name__
    return Pooling


MaxPooling2D = _pooling_class(_tfl_pool.MaxPooling2D, (2, 2), """Max over pool_size windows of [batch, height,
    width, channels], moved by `strides` (default pool_size).

    Example:
        >>> tf.keras.layers.MaxPooling2D((2, 2))
    """, None)
AveragePooling2D = _pooling_class(_tfl_pool.AveragePooling2D, (2, 2), """Mean over pool_size windows of [batch,
    height, width, channels] ("same" padding averages the real elements only).""", None)
MaxPooling1D = _pooling_class(_tfl_pool.MaxPooling1D, 2, "Max over windows of [batch, steps, channels].",
                              "channels_last")
AveragePooling1D = _pooling_class(_tfl_pool.AveragePooling1D, 2, "Mean over windows of [batch, steps, channels].",
                                  "channels_last")
MaxPool1D, MaxPool2D, AvgPool1D, AvgPool2D = MaxPooling1D, MaxPooling2D, AveragePooling1D, AveragePooling2D


class _GlobalPooling(Layer):
    rank = 2
    reduce = staticmethod(reduce_ops.reduce_mean)

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        default = "channels_last" if self.rank == 1 else backend.image_data_format()
        self.data_format = normalize_data_format(data_format or default)

    def call(self, inputs):
        check_input_rank(self, inputs.shape, self.rank + 2)
        axes = list(range(1, self.rank + 1)) if self.data_format == "channels_last" else \
            list(range(2, self.rank + 2))
        return self.reduce(inputs, axis=axes)

    def compute_output_shape(self, input_shape):
        dims = TensorShape(input_shape).as_list()
        return TensorShape([dims[0], dims[-1] if self.data_format == "channels_last" else dims[1]])


class GlobalAveragePooling2D(_GlobalPooling):
    """The mean over height and width: [batch, h, w, channels] -> [batch, channels]."""


class GlobalMaxPooling2D(_GlobalPooling):
    """The max over height and width: [batch, h, w, channels] -> [batch, channels]."""

    reduce = staticmethod(reduce_ops.reduce_max)


class GlobalAveragePooling1D(_GlobalPooling):
    """The mean over steps: [batch, steps, channels] -> [batch, channels]."""

    rank = 1


class GlobalMaxPooling1D(_GlobalPooling):
    """The max over steps: [batch, steps, channels] -> [batch, channels]."""

    rank = 1
    reduce = staticmethod(reduce_ops.reduce_max)


GlobalAvgPool1D, GlobalAvgPool2D = GlobalAveragePooling1D, GlobalAveragePooling2D
GlobalMaxPool1D, GlobalMaxPool2D = GlobalMaxPooling1D, GlobalMaxPooling2D
