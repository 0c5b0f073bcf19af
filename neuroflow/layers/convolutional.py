"""`tf.layers` convolution layers: Conv1D/conv1d, Conv2D/conv2d, Conv2DTranspose/conv2d_transpose.

Each creates `kernel` ([*kernel_size, in_channels, filters]; [kh, kw, filters, in_channels] for the transpose)
and `bias` (zeros) in its scope on first call, then applies tf.nn's convolution, bias_add and the activation,
with TensorFlow 1.x's argument handling and messages.
"""
from ..framework.tensor_shape import TensorShape
from ..ops import array_ops
from ..variables import initializers
from .base import Layer

__all__ = ["Conv1D", "Conv2D", "Conv2DTranspose", "conv1d", "conv2d", "conv2d_transpose"]


# --- argument normalization shared with pooling.py --------------------------------------------------------------
def normalize_tuple(value, n, name):
    """An int or a sequence of n ints as a tuple of n ints (Keras's conv_utils rule and message)."""
    if isinstance(value, int):
        return (value,) * n
    try:
        values = tuple(value)
    except TypeError:
        raise ValueError(f"The `{name}` argument must be a tuple of {n} integers. Received: {value}") from None
    if len(values) != n or not all(isinstance(v, int) for v in values):
        raise ValueError(f"The `{name}` argument must be a tuple of {n} integers. Received: {value}")
    return values


def normalize_padding(value, allow_causal=False):
    padding = value.lower() if isinstance(value, str) else value
    if padding not in ("valid", "same") + (("causal",) if allow_causal else ()):
        raise ValueError('The `padding` argument must be a list/tuple or one of "valid", "same" (or "causal", only '
                         f"for `Conv1D). Received: {value}")
    return padding


def normalize_data_format(value):
    fmt = (value or "channels_last").lower()
    if fmt not in ("channels_first", "channels_last"):
        raise ValueError('The `data_format` argument must be one of "channels_first", "channels_last". Received: '
                         f"{value}")
    return fmt


def _shape_str(shape):
    return "(" + ", ".join(str(d) for d in shape.as_list()) + ("," if shape.ndims == 1 else "") + ")"


def check_input_rank(layer, shape, ndim, minimum=False):
    """Keras's input-spec message for an input of the wrong rank."""
    shape = TensorShape(shape)
    if shape.ndims is None:
        return
    if shape.ndims < ndim or (shape.ndims != ndim and not minimum):
        kind = "min_ndim" if minimum else "ndim"
        raise ValueError(f'Input 0 of layer "{layer.name}" is incompatible with the layer: expected {kind}={ndim}, '
                         f"found ndim={shape.ndims}. Full shape received: {_shape_str(shape)}")


def output_length(size, k, padding, stride, dilation=1):
    """A convolution's output length along one axis (None when unknown)."""
    if size is None:
        return None
    ek = (k - 1) * dilation + 1
    if padding in ("same", "causal"):
        return -(-size // stride)
    return max(-(-(size - ek + 1) // stride), 0)


def deconv_length(size, k, padding, stride):
    """A transposed convolution's output length: size * stride, plus what a VALID window sticks out."""
    if size is None:
        return None
    return size * stride + (max(k - stride, 0) if padding == "valid" else 0)


# --- layers ------------------------------------------------------------------------------------------------------
class _Conv(Layer):
    """N-D convolution (N = 1 or 2) + bias + activation."""

    rank = 2

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format="channels_last",
                 dilation_rate=1, activation=None, use_bias=True, kernel_initializer=None,
                 bias_initializer=initializers.Zeros(), kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None, trainable=True, name=None,
                 **kwargs):
        super().__init__(trainable=trainable, name=name, **kwargs)
        n = self.rank
        self.filters = int(filters)
        self.kernel_size = normalize_tuple(kernel_size, n, "kernel_size")
        self.strides = normalize_tuple(strides, n, "strides")
        self.padding = normalize_padding(padding, allow_causal=n == 1)
        self.data_format = normalize_data_format(data_format)
        self.dilation_rate = normalize_tuple(dilation_rate, n, "dilation_rate")
        self.activation = activation
        self.use_bias = use_bias
        self.kernel_initializer = kernel_initializer
        self.bias_initializer = bias_initializer
        self.kernel_regularizer = kernel_regularizer
        self.bias_regularizer = bias_regularizer
        self.activity_regularizer = activity_regularizer
        self.kernel_constraint = kernel_constraint
        self.bias_constraint = bias_constraint

    @property
    def _channel_axis(self):
        return 1 if self.data_format == "channels_first" else -1

    def _input_channels(self, input_shape):
        input_shape = TensorShape(input_shape)
        check_input_rank(self, input_shape, self.rank + 2, minimum=True)
        check_input_rank(self, input_shape, self.rank + 2)
        channels = input_shape[self._channel_axis].value if input_shape.ndims is not None else None
        if channels is None:
            raise ValueError("The channel dimension of the inputs should be defined. The input_shape received is "
                             f"{_shape_str(input_shape)}, where axis {self._channel_axis} (0-based) is the channel "
                             "dimension, which found to be `None`.")
        return channels

    def _kernel_shape(self, channels):
        return self.kernel_size + (channels, self.filters)

    def build(self, input_shape):
        channels = self._input_channels(input_shape)
        self.kernel = self.add_weight("kernel", list(self._kernel_shape(channels)), dtype=self.dtype,
                                      initializer=self.kernel_initializer, regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight("bias", [self.filters], dtype=self.dtype, initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        self.built = True

    def _convolve(self, inputs):
        from .. import nn
        last = self.data_format == "channels_last"
        if self.rank == 1:
            padding = self.padding.upper()
            if self.padding == "causal":  # all the padding in front: output t sees inputs up to t only
                front = (self.kernel_size[0] - 1) * self.dilation_rate[0]
                padding = [[0, 0], [front, 0], [0, 0]] if last else [[0, 0], [0, 0], [front, 0]]
            return nn.conv1d(inputs, self.kernel, self.strides[0], padding, data_format="NWC" if last else "NCW",
                             dilations=self.dilation_rate[0])
        return nn.conv2d(inputs, self.kernel, list(self.strides), self.padding.upper(),
                         data_format="NHWC" if last else "NCHW", dilations=list(self.dilation_rate), name="Conv2D")

    def call(self, inputs):
        from .. import nn
        outputs = self._convolve(inputs)
        if self.use_bias:
            outputs = nn.bias_add(outputs, self.bias, data_format="NHWC" if self.data_format == "channels_last"
                                  else "NCHW")
        if self.activation is not None:
            outputs = self.activation(outputs)
        if self.activity_regularizer is not None:
            self.add_loss(self.activity_regularizer(outputs))
        return outputs

    def compute_output_shape(self, input_shape):
        dims = TensorShape(input_shape).as_list()
        spatial = dims[1:-1] if self.data_format == "channels_last" else dims[2:]
        out = [output_length(s, k, self.padding, st, d) for s, k, st, d in
               zip(spatial, self.kernel_size, self.strides, self.dilation_rate)]
        if self.data_format == "channels_last":
            return TensorShape([dims[0]] + out + [self.filters])
        return TensorShape([dims[0], self.filters] + out)


class Conv1D(_Conv):
    """1-D convolution layer over [batch, width, channels] (kernel [width, in_channels, filters]); padding may also
    be "causal".

    Example:
        >>> y = tf.layers.Conv1D(16, 3, padding="same", activation=tf.nn.relu)(x)
    """

    rank = 1

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format="channels_last",
                 dilation_rate=1, activation=None, use_bias=True, kernel_initializer=None,
                 bias_initializer=initializers.Zeros(), kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None, trainable=True, name=None,
                 **kwargs):
        super().__init__(filters, kernel_size, strides, padding, data_format, dilation_rate, activation, use_bias,
                         kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer,
                         activity_regularizer, kernel_constraint, bias_constraint, trainable, name, **kwargs)


class Conv2D(_Conv):
    """2-D convolution layer (kernel [kh, kw, in_channels, filters], variables `conv2d/kernel`, `conv2d/bias`).

    Example:
        >>> h = tf.layers.Conv2D(32, 5, padding="same", activation=tf.nn.relu)(images)
    """

    rank = 2

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format="channels_last",
                 dilation_rate=(1, 1), activation=None, use_bias=True, kernel_initializer=None,
                 bias_initializer=initializers.Zeros(), kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None, trainable=True, name=None,
                 **kwargs):
        super().__init__(filters, kernel_size, strides, padding, data_format, dilation_rate, activation, use_bias,
                         kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer,
                         activity_regularizer, kernel_constraint, bias_constraint, trainable, name, **kwargs)


class Conv2DTranspose(Conv2D):
    """Transposed 2-D convolution layer (kernel [kh, kw, filters, in_channels]): the output is `strides` times
    larger (plus what a "valid" window sticks out).

    Example:
        >>> up = tf.layers.Conv2DTranspose(16, 3, strides=2, padding="same")(h)   # 7x7 -> 14x14
    """

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format="channels_last",
                 activation=None, use_bias=True, kernel_initializer=None, bias_initializer=initializers.Zeros(),
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, trainable=True, name=None, **kwargs):
        super().__init__(filters, kernel_size, strides, padding, data_format, 1, activation, use_bias,
                         kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer,
                         activity_regularizer, kernel_constraint, bias_constraint, trainable, name, **kwargs)

    def _kernel_shape(self, channels):
        return self.kernel_size + (self.filters, channels)

    def _convolve(self, inputs):
        from .. import nn
        last = self.data_format == "channels_last"
        h_axis, w_axis = (1, 2) if last else (2, 3)
        static = inputs.shape.as_list()
        dynamic = None
        dims = []
        for axis in (0, h_axis, w_axis):
            if static[axis] is None and dynamic is None:
                dynamic = array_ops.shape(inputs)
            dims.append(static[axis] if static[axis] is not None else dynamic[axis])
        batch, height, width = dims
        (kh, kw), (sh, sw) = self.kernel_size, self.strides
        out_h = deconv_length(height, kh, self.padding, sh) if isinstance(height, int) else \
            height * sh + (max(kh - sh, 0) if self.padding == "valid" else 0)
        out_w = deconv_length(width, kw, self.padding, sw) if isinstance(width, int) else \
            width * sw + (max(kw - sw, 0) if self.padding == "valid" else 0)
        shape = [batch, out_h, out_w, self.filters] if last else [batch, self.filters, out_h, out_w]
        output_shape = shape if all(isinstance(d, int) for d in shape) else array_ops.stack(shape)
        outputs = nn.conv2d_transpose(inputs, self.kernel, output_shape, [1, sh, sw, 1] if last else [1, 1, sh, sw],
                                      self.padding.upper(), data_format="NHWC" if last else "NCHW")
        outputs.set_shape(self.compute_output_shape(inputs.shape))
        return outputs

    def compute_output_shape(self, input_shape):
        dims = TensorShape(input_shape).as_list()
        last = self.data_format == "channels_last"
        spatial = dims[1:3] if last else dims[2:4]
        out = [deconv_length(s, k, self.padding, st) for s, k, st in zip(spatial, self.kernel_size, self.strides)]
        return TensorShape([dims[0]] + out + [self.filters] if last else [dims[0], self.filters] + out)


def _apply(cls, inputs, name, reuse, *args, **kwargs):
    layer = cls(*args, name=name, dtype=inputs.dtype.base_dtype if hasattr(inputs, "dtype") else None, _scope=name,
                _reuse=reuse, **kwargs)
    return layer(inputs)


def conv1d(inputs, filters, kernel_size, strides=1, padding="valid", data_format="channels_last", dilation_rate=1,
           activation=None, use_bias=True, kernel_initializer=None, bias_initializer=initializers.Zeros(),
           kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
           bias_constraint=None, trainable=True, name=None, reuse=None):
    """Functional Conv1D: variables `conv1d/kernel` [width, in, filters] and `conv1d/bias`."""
    return _apply(Conv1D, inputs, name, reuse, filters, kernel_size, strides, padding, data_format, dilation_rate,
                  activation, use_bias, kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer,
                  activity_regularizer, kernel_constraint, bias_constraint, trainable)


def conv2d(inputs, filters, kernel_size, strides=(1, 1), padding="valid", data_format="channels_last",
           dilation_rate=(1, 1), activation=None, use_bias=True, kernel_initializer=None,
           bias_initializer=initializers.Zeros(), kernel_regularizer=None, bias_regularizer=None,
           activity_regularizer=None, kernel_constraint=None, bias_constraint=None, trainable=True, name=None,
           reuse=None):
    """Functional Conv2D: activation(conv2d(inputs, kernel) + bias) with variables `conv2d/kernel`
    [kh, kw, in, filters] and `conv2d/bias` (names "conv2d", "conv2d_1", ... unless `name` is given).

    Example:
        >>> h = tf.layers.conv2d(x, 32, 5, padding="same", activation=tf.nn.relu)   # "conv2d/Relu:0"
    """
    return _apply(Conv2D, inputs, name, reuse, filters, kernel_size, strides, padding, data_format, dilation_rate,
                  activation, use_bias, kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer,
                  activity_regularizer, kernel_constraint, bias_constraint, trainable)


def conv2d_transpose(inputs, filters, kernel_size, strides=(1, 1), padding="valid", data_format="channels_last",
                     activation=None, use_bias=True, kernel_initializer=None, bias_initializer=initializers.Zeros(),
                     kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                     kernel_constraint=None, bias_constraint=None, trainable=True, name=None, reuse=None):
    """Functional Conv2DTranspose: variables `conv2d_transpose/kernel` [kh, kw, filters, in] and its bias."""
    return _apply(Conv2DTranspose, inputs, name, reuse, filters, kernel_size, strides, padding, data_format,
                  activation, use_bias, kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer,
                  activity_regularizer, kernel_constraint, bias_constraint, trainable)
