"""More of `tf.contrib.layers` that TF1 tutorials use: layer_norm (`LayerNorm/beta`, `gamma`), embed_sequence
(`EmbedSequence/embeddings`), conv2d_transpose (`Conv2d_transpose/weights`, `biases`) and one_hot_encoding."""
from ..framework import dtypes
from ..framework.apply import convert_to_tensor
from ..framework.graph import name_scope
from ..nn.activations import relu
from ..ops import array_ops, math_ops
from ..variables import initializers
from ..variables.scope import variable_scope
from .layers_conv import finish_conv_layer

__all__ = ["layer_norm", "embed_sequence", "conv2d_transpose", "convolution2d_transpose", "one_hot_encoding"]


def layer_norm(inputs, center=True, scale=True, activation_fn=None, reuse=None, variables_collections=None,
               outputs_collections=None, trainable=True, begin_norm_axis=1, begin_params_axis=-1, scope=None):
    """Normalizes each example over the axes from `begin_norm_axis` on (mean 0, variance 1, epsilon 1e-12), then
    scales by `gamma` and shifts by `beta`, whose shape is inputs.shape[begin_params_axis:].

    Raises:
        ValueError: inputs of unknown rank, axes beyond the rank, or parameter dims not known.

    Example:
        >>> h = tf.contrib.layers.layer_norm(h)   # over all but the batch axis
    """
    from ..nn.impl import moments
    from ..nn.misc import batch_normalization
    from .layers import _collect_outputs, _model_variable
    with variable_scope(scope, "LayerNorm", [inputs], reuse=reuse):
        inputs = convert_to_tensor(inputs)
        shape, rank = inputs.shape, inputs.shape.ndims
        if rank is None:
            raise ValueError(f"Inputs {inputs.name} has undefined rank.")
        if begin_norm_axis < 0:
            begin_norm_axis += rank
        if begin_params_axis >= rank or begin_norm_axis >= rank:
            raise ValueError(f"begin_params_axis ({begin_params_axis}) and begin_norm_axis ({begin_norm_axis}) must "
                             f"be < rank(inputs) ({rank})")
        params_shape = shape[begin_params_axis:]
        if not params_shape.is_fully_defined():
            raise ValueError(f"Inputs {inputs.name}: shape(inputs)[{begin_params_axis}:] is not fully defined: "
                             f"{shape}")
        dtype = inputs.dtype.base_dtype
        beta = gamma = None
        if center:
            beta = _model_variable("beta", params_shape.as_list(), dtype, initializers.Zeros(), None, trainable,
                                   variables_collections, "beta")
        if scale:
            gamma = _model_variable("gamma", params_shape.as_list(), dtype, initializers.Ones(), None, trainable,
                                    variables_collections, "gamma")
        mean, variance = moments(inputs, list(range(begin_norm_axis, rank)), keep_dims=True)
        outputs = batch_normalization(inputs, mean, variance, offset=beta, scale=gamma, variance_epsilon=1e-12)
        outputs.set_shape(shape)
        if activation_fn is not None:
            outputs = activation_fn(outputs)
        return _collect_outputs(outputs_collections, outputs)


def embed_sequence(ids, vocab_size=None, embed_dim=None, unique=False, initializer=None, regularizer=None,
                   trainable=True, scope=None, reuse=None):
    """The rows of a new `EmbedSequence/embeddings` [vocab_size, embed_dim] variable at `ids` [batch, time].

    Raises:
        ValueError: vocab_size or embed_dim missing.

    Example:
        >>> encoder_inputs = tf.contrib.layers.embed_sequence(source_ids, vocab_size=10000, embed_dim=128)
    """
    from ..nn.misc import embedding_lookup
    from .layers import _model_variable
    if vocab_size is None or embed_dim is None:
        raise ValueError("Must specify vocab size and embedding dimension")
    with variable_scope(scope, "EmbedSequence", [ids], reuse=reuse):
        embeddings = _model_variable("embeddings", [vocab_size, embed_dim], dtypes.float32, initializer, regularizer,
                                     trainable, None, "embeddings")
        del unique  # one lookup either way: its gradient is already row-sparse (IndexedSlices)
        return embedding_lookup(embeddings, ids)


def _transposed_size(size, kernel, stride, padding):
    if size is None:
        return None
    return size * stride if padding == "SAME" else size * stride + max(kernel - stride, 0)


def conv2d_transpose(inputs, num_outputs, kernel_size, stride=1, padding="SAME", data_format="NHWC",
                     activation_fn=relu, normalizer_fn=None, normalizer_params=None, weights_initializer=None,
                     weights_regularizer=None, biases_initializer=initializers.Zeros(), biases_regularizer=None,
                     reuse=None, variables_collections=None, outputs_collections=None, trainable=True, scope=None):
    """The transposed convolution ("deconvolution") growing each spatial dim by `stride`, with variables
    `<scope>/weights` [kh, kw, num_outputs, in_channels] and `<scope>/biases` (scope default "Conv2d_transpose").

    Example:
        >>> up = tf.contrib.layers.conv2d_transpose(net, 64, [5, 5], stride=2)   # [b, 2h, 2w, 64]
    """
    from .. import nn
    from .layers import _model_variable, xavier_initializer
    from .layers_conv import _pair, _window
    if data_format not in ("NHWC", "NCHW"):
        raise ValueError("data_format has to be either NCHW or NHWC.")
    kernel, strides, padding = _pair(kernel_size, "kernel_size"), _pair(stride, "stride"), padding.upper()
    with variable_scope(scope, "Conv2d_transpose", [inputs], reuse=reuse):
        inputs = convert_to_tensor(inputs)
        if inputs.shape.ndims != 4:
            raise ValueError(f"Inputs should have rank 4. Received input shape: {inputs.shape}")
        spatial = (1, 2) if data_format == "NHWC" else (2, 3)
        channels = inputs.shape[3 if data_format == "NHWC" else 1].value
        if channels is None:
            raise ValueError("The channel dimension of the inputs should be defined. Found `None`.")
        dtype = inputs.dtype.base_dtype
        weights = _model_variable("weights", kernel + [num_outputs, channels], dtype,
                                  weights_initializer or xavier_initializer(), weights_regularizer, trainable,
                                  variables_collections, "weights")
        dynamic = array_ops.shape(inputs)
        sizes = [_transposed_size(dynamic[a], k, s, padding) for a, k, s in zip(spatial, kernel, strides)]
        dims = [dynamic[0]] + (sizes + [num_outputs] if data_format == "NHWC" else [num_outputs] + sizes)
        outputs = nn.conv2d_transpose(inputs, weights, array_ops.stack(dims), _window(strides, data_format),
                                      padding=padding, data_format=data_format)
        static = [inputs.shape[0].value] + [_transposed_size(inputs.shape[a].value, k, s, padding)
                                            for a, k, s in zip(spatial, kernel, strides)]
        outputs.set_shape(static + [num_outputs] if data_format == "NHWC" else
                          static[:1] + [num_outputs] + static[1:])
        return finish_conv_layer(outputs, num_outputs, dtype, data_format, normalizer_fn, normalizer_params,
                                 activation_fn, biases_initializer, biases_regularizer, trainable,
                                 variables_collections, outputs_collections)


convolution2d_transpose = conv2d_transpose


def one_hot_encoding(labels, num_classes, on_value=1.0, off_value=0.0, outputs_collections=None, scope=None):
    """One-hot rows of `num_classes` for integer `labels` (ops under "OneHotEncoding/").

    Example:
        >>> targets = tf.contrib.layers.one_hot_encoding(labels, 10)
    """
    from ..ops.index_ops import one_hot
    from .layers import _collect_outputs
    with name_scope(scope, "OneHotEncoding", [labels, num_classes]):
        labels = convert_to_tensor(labels)
        if labels.dtype.base_dtype is dtypes.int32:
            labels = math_ops.cast(labels, dtypes.int64)
        return _collect_outputs(outputs_collections, one_hot(labels, num_classes, on_value=on_value,
                                                             off_value=off_value))
