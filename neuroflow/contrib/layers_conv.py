"""`tf.contrib.layers` convolution and pooling: conv2d (convolution2d; variables `Conv/weights`, `Conv/biases`),
max_pool2d and avg_pool2d, with contrib's argument conventions (int or pair kernel sizes and strides, "SAME"
padding for convolutions, stride 2 and "VALID" for pooling)."""
from ..framework.apply import convert_to_tensor
from ..framework.graph import name_scope
from ..nn.activations import relu
from ..variables import initializers
from ..variables.scope import variable_scope

__all__ = ["conv2d", "convolution2d", "max_pool2d", "avg_pool2d"]


def _pair(value, what):
    if isinstance(value, int):
        return [value, value]
    value = list(value)
    if len(value) != 2:
        raise ValueError(f"{what} must be an int or a list/tuple of 2 ints, got {value}")
    return [int(v) for v in value]


def _window(pair, data_format):
    return [1, 1] + pair if data_format.startswith("NC") else [1] + pair + [1]


def conv2d(inputs, num_outputs, kernel_size, stride=1, padding="SAME", data_format=None, rate=1,
           activation_fn=relu, normalizer_fn=None, normalizer_params=None, weights_initializer=None,
           weights_regularizer=None, biases_initializer=initializers.Zeros(), biases_regularizer=None, reuse=None,
           variables_collections=None, outputs_collections=None, trainable=True, scope=None):
    """activation_fn(conv2d(inputs, weights) + biases) over NHWC (or NCHW) `inputs`, with variables
    `<scope>/weights` [kh, kw, in, num_outputs] and `<scope>/biases` (scope default "Conv", "Conv_1", ...).

    Args:
        kernel_size, stride, rate: an int or [height, width] (`rate` > 1: dilated, with stride 1).
        normalizer_fn: e.g. batch_norm; it replaces the biases. Other arguments as for fully_connected.

    Example:
        >>> net = tf.contrib.layers.conv2d(images, 32, [5, 5])
        >>> net = tf.contrib.layers.max_pool2d(net, [2, 2])
    """
    from .. import nn
    from .layers import _model_variable, xavier_initializer
    data_format = data_format or "NHWC"
    if data_format not in ("NHWC", "NCHW"):
        raise ValueError("data_format has to be either NCHW or NHWC.")
    kernel, strides, rates = _pair(kernel_size, "kernel_size"), _pair(stride, "stride"), _pair(rate, "rate")
    if max(rates) > 1 and max(strides) > 1:
        raise ValueError("strides > 1 not supported in conjunction with dilation_rate > 1")
    with variable_scope(scope, "Conv", [inputs], reuse=reuse):
        inputs = convert_to_tensor(inputs)
        if inputs.shape.ndims != 4:
            raise ValueError(f"Input 0 of layer conv2d is incompatible with the layer: expected ndim=4, found "
                             f"ndim={inputs.shape.ndims}. Full shape received: {inputs.shape.as_list()}")
        channels = inputs.shape[1 if data_format == "NCHW" else 3].value
        if channels is None:
            raise ValueError("The channel dimension of the inputs should be defined. Found `None`.")
        dtype = inputs.dtype.base_dtype
        weights = _model_variable("weights", kernel + [channels, num_outputs], dtype,
                                  weights_initializer or xavier_initializer(), weights_regularizer, trainable,
                                  variables_collections, "weights")
        outputs = nn.conv2d(inputs, weights, _window(strides, data_format), padding.upper(),
                            data_format=data_format, dilations=_window(rates, data_format))
        return finish_conv_layer(outputs, num_outputs, dtype, data_format, normalizer_fn, normalizer_params,
                                 activation_fn, biases_initializer, biases_regularizer, trainable,
                                 variables_collections, outputs_collections)


convolution2d = conv2d


def finish_conv_layer(outputs, num_outputs, dtype, data_format, normalizer_fn, normalizer_params, activation_fn,
                      biases_initializer, biases_regularizer, trainable, variables_collections, outputs_collections):
    """What contrib's convolution layers do after the convolution: biases (only without a normalizer), the
    normalizer, the activation, and the outputs collections."""
    from .. import nn
    from .layers import _collect_outputs, _model_variable
    if normalizer_fn is None and biases_initializer is not None:
        biases = _model_variable("biases", [num_outputs], dtype, biases_initializer, biases_regularizer,
                                 trainable, variables_collections, "biases")
        outputs = nn.bias_add(outputs, biases, data_format=data_format)
    if normalizer_fn is not None:
        outputs = normalizer_fn(outputs, **(normalizer_params or {}))
    if activation_fn is not None:
        outputs = activation_fn(outputs)
    return _collect_outputs(outputs_collections, outputs)


def _pool(pool_fn, default_scope, inputs, kernel_size, stride, padding, data_format, outputs_collections, scope):
    from .layers import _collect_outputs
    if data_format not in ("NHWC", "NCHW"):
        raise ValueError("data_format has to be either NCHW or NHWC.")
    with name_scope(scope, default_scope, [inputs]):
        inputs = convert_to_tensor(inputs)
        outputs = pool_fn(inputs, _window(_pair(kernel_size, "kernel_size"), data_format),
                          _window(_pair(stride, "stride"), data_format), padding.upper(), data_format=data_format)
        return _collect_outputs(outputs_collections, outputs)


def max_pool2d(inputs, kernel_size, stride=2, padding="VALID", data_format="NHWC", outputs_collections=None,
               scope=None):
    """The maximum of each kernel_size window moved by `stride` (default 2, "VALID" padding), node
    "MaxPool2D/MaxPool"."""
    from ..nn.convolution import max_pool
    return _pool(max_pool, "MaxPool2D", inputs, kernel_size, stride, padding, data_format, outputs_collections,
                 scope)


def avg_pool2d(inputs, kernel_size, stride=2, padding="VALID", data_format="NHWC", outputs_collections=None,
               scope=None):
    """The mean of each kernel_size window moved by `stride` (default 2, "VALID" padding)."""
    from ..nn.convolution import avg_pool
    return _pool(avg_pool, "AvgPool2D", inputs, kernel_size, stride, padding, data_format, outputs_collections,
                 scope)
