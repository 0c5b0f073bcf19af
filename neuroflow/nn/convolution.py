"""`tf.nn` convolution and pooling functions: conv2d, conv2d_transpose, depthwise_conv2d, conv1d, max_pool, avg_pool.

They turn TensorFlow's flexible arguments (ints or lists for strides, padding strings or explicit pairs, the
1-D variants) into the static attributes of the Conv2D/Depthwise/MaxPool/AvgPool primitives (ops/conv_ops.py,
ops/pool_ops.py); 1-D versions insert a height of 1 and call the 2-D ones, as TensorFlow does.
"""
from ..framework.apply import apply_op, convert_to_tensor
from ..framework.graph import name_scope
from ..framework.tensor_util import build_time_value
from ..ops import conv_ops, pool_ops
from ..ops.array_ops import stack
from ..ops.grad_support_ops import expand_dims
from ..ops.manip_ops import squeeze
from ._args import deprecated_argument_lookup

__all__ = ["conv2d", "conv2d_transpose", "depthwise_conv2d", "depthwise_conv2d_native", "conv1d", "conv1d_transpose",
           "conv2d_backprop_input", "conv2d_backprop_filter", "depthwise_conv2d_native_backprop_input",
           "depthwise_conv2d_native_backprop_filter", "separable_conv2d", "atrous_conv2d", "convolution", "max_pool",
           "avg_pool", "max_pool2d", "avg_pool2d", "max_pool1d", "avg_pool1d", "pool"]


# --- argument conversion (TensorFlow's rules and messages) ---------------------------------------------------------
def _channels_last(data_format, op_type):
    if data_format is None or data_format in ("NHWC", "NWC"):
        return True
    if data_format in ("NCHW", "NCW"):
        return False
    raise ValueError(f"Attr 'data_format' of '{op_type}' Op passed string '{data_format}' not in: \"NHWC\", \"NCHW\".")


def _sequence(value, n, channels_last, what):
    """A length-(n+2) list in data-format order from an int or a list of 1, n or n+2 ints (TF's _get_sequence)."""
    value = build_time_value(value, what)
    if value is None:
        return [1] * (n + 2)
    if hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, int):
        value = [value]
    value = [int(v) for v in value]
    if len(value) == n + 2:
        return value
    if len(value) == 1:
        value = value * n
    elif len(value) != n:
        raise ValueError(f"{what} should be of length 1, {n} or {n + 2}. Received: {what}={value} of length "
                         f"{len(value)}")
    return [1] + value + [1] if channels_last else [1, 1] + value


def _check_outer(values, channels_last, what):
    c = 3 if channels_last else 1
    if values[0] != 1 or values[c] != 1:
        raise ValueError(f"Current implementation does not yet support {what} in the batch and depth dimensions.")
    if any(v < 1 for v in values):
        raise ValueError(f"{what.capitalize()} must be positive, got {values}")


def _padding(padding, op_type, channels_last, allow_explicit=True):
    """(padding string, explicit_paddings tuple) from "SAME"/"VALID" or a list of 4 [before, after] pairs."""
    if isinstance(padding, bytes):
        padding = padding.decode()
    if isinstance(padding, (list, tuple)) and allow_explicit:
        if len(padding) != 4:
            raise ValueError(f"When padding is a list, it must be of size 4. Received: padding={padding} of size "
                             f"{len(padding)}")
        flat = []
        for i, pair in enumerate(padding):
            if not isinstance(pair, (list, tuple)) or len(pair) != 2:
                size = len(pair) if hasattr(pair, "__len__") else 1
                raise ValueError(f"When `padding` is a list, each element of `padding` must be a list/tuple of size "
                                 f"2. Received: padding={padding} with element at index {i} of size {size}")
            flat += [int(pair[0]), int(pair[1])]
        if any(p < 0 for p in flat):
            raise ValueError("All elements of explicit_paddings must be nonnegative")
        outer = (0, 3) if channels_last else (0, 1)
        if any(flat[2 * d] or flat[2 * d + 1] for d in outer):
            raise ValueError("Nonzero explicit padding in the batch or depth dimensions is not supported")
        return "EXPLICIT", tuple(flat)
    if padding not in ("SAME", "VALID"):
        raise ValueError(f"Attr 'padding' of '{op_type}' Op passed string '{padding}' not in: \"SAME\", \"VALID\", "
                         "\"EXPLICIT\".")
    return padding, ()


def _conv_attrs(op_type, strides, padding, data_format, dilations, explicit=True):
    last = _channels_last(data_format, op_type)
    strides = _sequence(strides, 2, last, "strides")
    dilations = _sequence(dilations, 2, last, "dilations")
    _check_outer(strides, last, "strides")
    _check_outer(dilations, last, "dilations")
    padding, explicit_paddings = _padding(padding, op_type, last, explicit)
    return {"strides": tuple(strides), "padding": padding, "explicit_paddings": explicit_paddings,
            "data_format": "NHWC" if last else "NCHW", "dilations": tuple(dilations)}


def _pool_attrs(op_type, ksize, strides, padding, data_format):
    last = _channels_last(data_format, op_type)
    ksize = _sequence(ksize, 2, last, "ksize")
    strides = _sequence(strides, 2, last, "strides")
    _check_outer(ksize, last, "pooling")
    _check_outer(strides, last, "strides")
    padding, _ = _padding(padding, op_type, last, allow_explicit=False)
    return {"ksize": tuple(ksize), "strides": tuple(strides), "padding": padding,
            "data_format": "NHWC" if last else "NCHW"}


def _sizes(value, name):
    """A shape argument (input_sizes, filter_sizes) as an int32 tensor, unless it already is a tensor."""
    if hasattr(value, "op") or hasattr(value, "dtype") and not hasattr(value, "tolist"):
        return value
    return convert_to_tensor([int(v) for v in (value.tolist() if hasattr(value, "tolist") else value)], name=name)


# --- 2-D convolution -----------------------------------------------------------------------------------------------
def conv2d(input, filter=None, strides=None, padding=None, use_cudnn_on_gpu=True,  # noqa: A002 - TF's names
           data_format="NHWC", dilations=[1, 1, 1, 1], name=None, filters=None):  # noqa: B006 - TF's default
    """2-D cross-correlation of a 4-D `input` with a [height, width, in_channels, out_channels] filter.

    Args:
        input: [batch, height, width, channels] (NHWC) or [batch, channels, height, width] (NCHW).
        filter: [filter_height, filter_width, in_channels, out_channels]; `filters` is the same argument.
        strides: an int or a list of 1, 2 or 4 ints (4: in data_format order, batch and depth 1).
        padding: "SAME" (output size ceil(in / stride); an odd total padding puts the extra pixel at the bottom/
            right), "VALID" (no padding), or explicit [[0, 0], [top, bottom], [left, right], [0, 0]].
        dilations: the filter's dilation rate, like `strides`.

    Returns:
        A tensor of input's dtype (node "Conv2D").

    Raises:
        ValueError: a bad padding string, strides/dilations of the wrong length, input depth not matching the filter.

    Example:
        >>> h = tf.nn.conv2d(images, W, strides=[1, 1, 1, 1], padding="SAME")
    """
    filter = deprecated_argument_lookup("filters", filters, "filter", filter)  # noqa: A001
    attrs = _conv_attrs("Conv2D", strides, padding, data_format, dilations)
    return apply_op(conv_ops.Conv2D, [input, filter], attrs, name=name or "Conv2D")


def conv2d_backprop_input(input_sizes, filter=None, out_backprop=None, strides=None, padding=None,  # noqa: A002
                          use_cudnn_on_gpu=True, data_format="NHWC", dilations=[1, 1, 1, 1],  # noqa: B006
                          name=None, filters=None):
    """The gradient of conv2d with respect to its input, of shape `input_sizes` (node "Conv2DBackpropInput")."""
    filter = deprecated_argument_lookup("filters", filters, "filter", filter)  # noqa: A001
    attrs = _conv_attrs("Conv2DBackpropInput", strides, padding, data_format, dilations)
    with name_scope(name, "Conv2DBackpropInput", [filter, out_backprop]) as scope:
        return apply_op(conv_ops.Conv2DBackpropInput, [_sizes(input_sizes, "input_sizes"), filter, out_backprop],
                        attrs, name=scope)


def conv2d_backprop_filter(input, filter_sizes, out_backprop, strides, padding, use_cudnn_on_gpu=True,  # noqa: A002
                           data_format="NHWC", dilations=[1, 1, 1, 1], name=None):  # noqa: B006
    """The gradient of conv2d with respect to its filter, of shape `filter_sizes` (node "Conv2DBackpropFilter")."""
    attrs = _conv_attrs("Conv2DBackpropFilter", strides, padding, data_format, dilations)
    with name_scope(name, "Conv2DBackpropFilter", [input, out_backprop]) as scope:
        return apply_op(conv_ops.Conv2DBackpropFilter, [input, _sizes(filter_sizes, "filter_sizes"), out_backprop],
                        attrs, name=scope)


def conv2d_transpose(value=None, filter=None, output_shape=None, strides=None, padding="SAME",  # noqa: A002
                     data_format="NHWC", name=None, input=None, filters=None, dilations=None):  # noqa: A002
    """The transpose of conv2d (the gradient of conv2d with respect to its input), sometimes called deconvolution.

    Args:
        value: [batch, height, width, in_channels] (`input` is the same argument).
        filter: [height, width, output_channels, in_channels] (note the order; `filters` is the same argument).
        output_shape: the 4 output dims (a list or a 1-D tensor).
        strides, padding, dilations: as for conv2d (of the convolution being transposed).

    Returns:
        A tensor of shape `output_shape` (node "conv2d_transpose").

    Example:
        >>> up = tf.nn.conv2d_transpose(h, W, [batch, 28, 28, 1], strides=[1, 2, 2, 1], padding="SAME")
    """
    value = deprecated_argument_lookup("input", input, "value", value)
    filter = deprecated_argument_lookup("filters", filters, "filter", filter)  # noqa: A001
    attrs = _conv_attrs("Conv2DBackpropInput", strides, padding, data_format, dilations)
    with name_scope(name, "conv2d_transpose", [value, filter, output_shape]) as scope:
        sizes = output_shape if hasattr(output_shape, "op") else (
            stack(list(output_shape), name="input_sizes") if any(hasattr(d, "op") for d in output_shape)
            else convert_to_tensor([int(d) for d in output_shape], name="input_sizes"))
        return apply_op(conv_ops.Conv2DBackpropInput, [sizes, filter, value], attrs, name=scope)


def depthwise_conv2d_native(input, filter, strides, padding, data_format="NHWC",  # noqa: A002
                            dilations=[1, 1, 1, 1], name=None):  # noqa: B006
    """Each input channel convolved with its own filters: filter [h, w, in_channels, multiplier] gives
    in_channels * multiplier outputs (node "DepthwiseConv2dNative")."""
    attrs = _conv_attrs("DepthwiseConv2dNative", strides, padding, data_format, dilations)
    return apply_op(conv_ops.DepthwiseConv2dNative, [input, filter], attrs, name=name or "DepthwiseConv2dNative")


def depthwise_conv2d_native_backprop_input(input_sizes, filter, out_backprop, strides, padding,  # noqa: A002
                                           data_format="NHWC", dilations=[1, 1, 1, 1], name=None):  # noqa: B006
    attrs = _conv_attrs("DepthwiseConv2dNativeBackpropInput", strides, padding, data_format, dilations)
    with name_scope(name, "DepthwiseConv2dNativeBackpropInput", [filter, out_backprop]) as scope:
        return apply_op(conv_ops.DepthwiseConv2dNativeBackpropInput,
                        [_sizes(input_sizes, "input_sizes"), filter, out_backprop], attrs, name=scope)


def depthwise_conv2d_native_backprop_filter(input, filter_sizes, out_backprop, strides, padding,  # noqa: A002
                                            data_format="NHWC", dilations=[1, 1, 1, 1], name=None):  # noqa: B006
    attrs = _conv_attrs("DepthwiseConv2dNativeBackpropFilter", strides, padding, data_format, dilations)
    with name_scope(name, "DepthwiseConv2dNativeBackpropFilter", [input, out_backprop]) as scope:
        return apply_op(conv_ops.DepthwiseConv2dNativeBackpropFilter,
                        [input, _sizes(filter_sizes, "filter_sizes"), out_backprop], attrs, name=scope)


def depthwise_conv2d(input, filter, strides, padding, rate=None, name=None, data_format=None,  # noqa: A002
                     dilations=None):
    """Depthwise 2-D convolution (see depthwise_conv2d_native) with an optional dilation `rate` (2 ints).

    Example:
        >>> y = tf.nn.depthwise_conv2d(x, tf.ones([3, 3, 8, 1]), [1, 1, 1, 1], "SAME")   # node "depthwise"
    """
    rate = deprecated_argument_lookup("dilations", dilations, "rate", rate)
    with name_scope(name, "depthwise", [input, filter]) as scope:
        attrs = _conv_attrs("DepthwiseConv2dNative", strides, padding, data_format, rate)
        return apply_op(conv_ops.DepthwiseConv2dNative, [input, filter], attrs, name=scope)


def separable_conv2d(input, depthwise_filter, pointwise_filter, strides, padding, rate=None,  # noqa: A002
                     name=None, data_format=None, dilations=None):
    """A depthwise convolution followed by a 1x1 convolution mixing the channels (node "separable_conv2d")."""
    with name_scope(name, "separable_conv2d", [input, depthwise_filter, pointwise_filter]) as scope:
        depthwise = depthwise_conv2d(input, depthwise_filter, strides, padding, rate=rate, name="depthwise",
                                     data_format=data_format, dilations=dilations)
        return conv2d(depthwise, pointwise_filter, [1, 1, 1, 1], "VALID", data_format=data_format or "NHWC",
                      name=scope)


def atrous_conv2d(value, filters, rate, padding, name=None):
    """conv2d with the filter dilated by `rate` (stride 1)."""
    return conv2d(value, filters, [1, 1, 1, 1], padding, dilations=[1, rate, rate, 1], name=name or "convolution")


# --- 1-D convolution (through 2-D with a height of 1) ------------------------------------------------------------
def _one_d_format(data_format):
    if data_format is None or data_format in ("NWC", "NHWC"):
        return True
    if data_format in ("NCW", "NCHW"):
        return False
    raise ValueError(f"data_format must be \"NWC\" or \"NCW\". Received: data_format={data_format}")


def _one_d(value, last, what):
    """A 1-D stride/dilation/ksize as the 4-element 2-D one (height 1)."""
    seq = _sequence(value, 1, last, what)
    return [1, 1, seq[1], 1] if last else [1, 1, 1, seq[2]]


def conv1d(value=None, filters=None, stride=None, padding=None, use_cudnn_on_gpu=None, data_format=None,
           name=None, input=None, dilations=None):  # noqa: A002
    """1-D convolution of [batch, width, channels] with a [width, in_channels, out_channels] filter, computed as
    conv2d on inputs with a height of 1 (node "conv1d/Squeeze").

    Example:
        >>> y = tf.nn.conv1d(x, tf.ones([3, 4, 8]), stride=1, padding="SAME")
    """
    value = deprecated_argument_lookup("input", input, "value", value)
    last = _one_d_format(data_format)
    with name_scope(name, "conv1d", [value, filters]) as scope:
        axis = -3 if last else -2
        value = expand_dims(value, axis)
        filters = expand_dims(filters, 0)
        if isinstance(padding, (list, tuple)):
            if len(padding) != 3:
                raise ValueError(f"When padding is a list, it must be of size 3. Received: padding={padding} of "
                                 f"size {len(padding)}")
            p = [list(pair) for pair in padding]
            padding = [p[0], [0, 0], p[1], p[2]] if last else [p[0], p[1], [0, 0], p[2]]
        result = conv2d(value, filters, _one_d(stride, last, "stride"), padding,
                        data_format="NHWC" if last else "NCHW", dilations=_one_d(dilations, last, "dilations"),
                        name=scope)
        return squeeze(result, [axis])


def conv1d_transpose(input, filters, output_shape, strides, padding="SAME", data_format="NWC",  # noqa: A002
                     dilations=None, name=None):
    """The transpose of conv1d (node "conv1d_transpose/Squeeze")."""
    last = _one_d_format(data_format)
    with name_scope(name, "conv1d_transpose", [input, filters, output_shape]) as scope:
        axis = -3 if last else -2
        shape = list(output_shape)
        shape.insert(len(shape) + axis + 1, 1)
        result = conv2d_transpose(expand_dims(input, axis), expand_dims(filters, 0), shape,
                                  _one_d(strides, last, "strides"), padding, "NHWC" if last else "NCHW",
                                  dilations=_one_d(dilations, last, "dilations"), name=scope)
        return squeeze(result, [axis])


def convolution(input, filter, padding, strides=None, dilation_rate=None, name=None,  # noqa: A002
                data_format=None, filters=None, dilations=None):
    """N-D convolution for N = 1 or 2 (3-D inputs go to conv1d, 4-D to conv2d); node "convolution"."""
    filter = deprecated_argument_lookup("filters", filters, "filter", filter)  # noqa: A001
    dilation_rate = deprecated_argument_lookup("dilations", dilations, "dilation_rate", dilation_rate)
    x = convert_to_tensor(input, name="input")
    rank = x.shape.ndims
    if rank == 3:
        with name_scope(name, "convolution", [x, filter]) as scope:
            return conv1d(x, filter, strides or 1, padding, data_format=data_format, dilations=dilation_rate,
                          name=scope)
    if rank == 4:
        return conv2d(x, filter, strides, padding, data_format=data_format or "NHWC", dilations=dilation_rate,
                      name=name or "convolution")
    raise ValueError(f"neuroflow supports 1-D and 2-D convolution (inputs of rank 3 or 4); got rank {rank}")


# --- pooling -----------------------------------------------------------------------------------------------------
def max_pool(value, ksize, strides, padding, data_format="NHWC", name=None, input=None):  # noqa: A002
    """The maximum of each ksize window, moved by `strides` (node "MaxPool").

    Args:
        value: a 4-D tensor (NHWC or NCHW; `input` is the same argument).
        ksize, strides: an int or a list of 1, 2 or 4 ints.
        padding: "SAME" (padded positions never win) or "VALID".

    Example:
        >>> h = tf.nn.max_pool(h, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="SAME")
    """
    value = deprecated_argument_lookup("input", input, "value", value)
    attrs = _pool_attrs("MaxPool", ksize, strides, padding, data_format)
    return apply_op(pool_ops.MaxPool, [value], attrs, name=name or "MaxPool")


def avg_pool(value, ksize, strides, padding, data_format="NHWC", name=None, input=None):  # noqa: A002
    """The mean of each window; with SAME padding only real (unpadded) elements count (node "AvgPool").

    Example:
        >>> h = tf.nn.avg_pool(h, 2, 2, "VALID")
    """
    value = deprecated_argument_lookup("input", input, "value", value)
    attrs = _pool_attrs("AvgPool", ksize, strides, padding, data_format)
    return apply_op(pool_ops.AvgPool, [value], attrs, name=name or "AvgPool")


def max_pool2d(input, ksize, strides, padding, data_format="NHWC", name=None):  # noqa: A002
    """max_pool under its TF 2 name (node "MaxPool2d")."""
    return max_pool(input, ksize, strides, padding, data_format, name=name or "MaxPool2d")


def avg_pool2d(value, ksize, strides, padding, data_format="NHWC", name=None, input=None):  # noqa: A002
    """avg_pool under its TF 2 name."""
    return avg_pool(value, ksize, strides, padding, data_format, name=name, input=input)


def _pool1d(pool, default_name, input, ksize, strides, padding, data_format, name):  # noqa: A002
    last = _one_d_format(data_format)
    with name_scope(name, default_name, [input]):
        axis = -3 if last else -2
        result = pool(expand_dims(input, axis), _one_d(ksize, last, "ksize"), _one_d(strides, last, "strides"),
                      padding, "NHWC" if last else "NCHW")
        return squeeze(result, [axis])


def max_pool1d(input, ksize, strides, padding, data_format="NWC", name=None):  # noqa: A002
    """max_pool over [batch, width, channels] (node "MaxPool1d/Squeeze")."""
    return _pool1d(max_pool, "MaxPool1d", input, ksize, strides, padding, data_format, name)


def avg_pool1d(input, ksize, strides, padding, data_format="NWC", name=None):  # noqa: A002
    """avg_pool over [batch, width, channels] (node "AvgPool1D/Squeeze")."""
    return _pool1d(avg_pool, "AvgPool1D", input, ksize, strides, padding, data_format, name)


def pool(input, window_shape, pooling_type, padding, dilation_rate=None, strides=None, name=None,  # noqa: A002
         data_format=None, dilations=None):
    """1-D or 2-D "MAX" or "AVG" pooling with `window_shape` and `strides` (dilation 1 only).

    Raises:
        ValueError: another pooling type, another rank, or a dilation rate other than 1.
    """
    dilation_rate = deprecated_argument_lookup("dilations", dilations, "dilation_rate", dilation_rate)
    window_shape = list(window_shape)
    n = len(window_shape)
    if pooling_type not in ("MAX", "AVG"):
        raise ValueError(f"{n}-D {pooling_type} pooling is not supported.")
    if dilation_rate is not None and any(int(d) != 1 for d in dilation_rate):
        raise ValueError("neuroflow's pool supports dilation_rate 1 only")
    strides = list(strides) if strides is not None else [1] * n
    with name_scope(name, f"{pooling_type.lower()}_pool", [input]) as scope:
        if n == 1:
            fn = max_pool1d if pooling_type == "MAX" else avg_pool1d
            return fn(input, window_shape, strides, padding, data_format or "NWC", name=scope)
        if n == 2:
            fn = max_pool if pooling_type == "MAX" else avg_pool
            return fn(input, window_shape, strides, padding, data_format or "NHWC", name=scope)
    raise ValueError(f"neuroflow supports 1-D and 2-D pooling; got window_shape of length {n}")
