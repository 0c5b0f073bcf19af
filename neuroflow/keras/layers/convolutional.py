"""Keras convolution layers Conv1D and Conv2D (Keras's argument names and defaults, on the tf.layers
implementations): weights `conv2d/kernel:0` [kh, kw, in_channels, filters] and `conv2d/bias:0`."""
from ...layers import convolutional as _tfl_conv
from .. import activations, backend, initializers, regularizers
from ..engine.base_layer import Layer

__all__ = ["Conv1D", "Conv2D", "Convolution1D", "Convolution2D"]


def _conv_arguments(activation, kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer):
    return dict(activation=activations.get(activation), kernel_initializer=initializers.get(kernel_initializer),
                bias_initializer=initializers.get(bias_initializer),
                kernel_regularizer=regularizers.get(kernel_regularizer),
                bias_regularizer=regularizers.get(bias_regularizer))


class Conv2D(Layer, _tfl_conv.Conv2D):
    """2-D convolution over [batch, height, width, channels] (data_format "channels_last", the default) plus
    bias and activation.

    Args:
        filters: the number of output channels.
        kernel_size, strides, dilation_rate: an int or a pair.
        padding: "valid" or "same".
        data_format: "channels_last" or "channels_first" (default `tf.keras.backend.image_data_format()`).
        activation, use_bias, *_initializer, *_regularizer, *_constraint: as Dense.

    Example:
        >>> tf.keras.layers.Conv2D(32, (3, 3), activation="relu", input_shape=(28, 28, 1))
    """

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format=None, dilation_rate=(1, 1),
                 activation=None, use_bias=True, kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, **kwargs):
        _tfl_conv.Conv2D.__init__(self, filters, kernel_size, strides=strides, padding=padding,
                                  data_format=data_format or backend.image_data_format(), dilation_rate=dilation_rate,
                                  use_bias=use_bias, kernel_constraint=kernel_constraint,
                                  bias_constraint=bias_constraint,
                                  **_conv_arguments(activation, kernel_initializer, bias_initializer,
                                                    kernel_regularizer, bias_regularizer))
        self._keras_init(activity_regularizer=activity_regularizer, **kwargs)


class Conv1D(Layer, _tfl_conv.Conv1D):
    """1-D convolution over [batch, steps, channels]; padding "valid", "same" or "causal".

    Example:
        >>> tf.keras.layers.Conv1D(16, 3, padding="causal", activation="relu", input_shape=(100, 8))
    """

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format="channels_last",
                 dilation_rate=1, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        _tfl_conv.Conv1D.__init__(self, filters, kernel_size, strides=strides, padding=padding,
                                  data_format=data_format, dilation_rate=dilation_rate, use_bias=use_bias,
                                  kernel_constraint=kernel_constraint, bias_constraint=bias_constraint,
                                  **_conv_arguments(activation, kernel_initializer, bias_initializer,
                                                    kernel_regularizer, bias_regularizer))
        self._keras_init(activity_regularizer=activity_regularizer, **kwargs)


Convolution1D = Conv1D
Convolution2D = Conv2D
