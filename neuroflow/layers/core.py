"""`tf.layers`' core layers: Dense/dense (outputs = activation(inputs @ kernel + bias)), Dropout/dropout (with the
`training=` flag) and Flatten/flatten."""
import numpy as np

from ..framework import dtypes
from ..framework.apply import _is_tensor_like
from ..framework.tensor_shape import TensorShape
from ..ops import array_ops, linalg_ops
from ..variables import initializers
from .base import Layer
from .training_flag import select_on_training

__all__ = ["Dense", "dense", "Dropout", "dropout", "Flatten", "flatten"]


class Dense(Layer):
    """A fully connected layer: `kernel` [input_dim, units] and `bias` [units] (zeros by default).

    Inputs of rank > 2 are multiplied along their last axis.

    Example:
        >>> h = tf.layers.Dense(512, activation=tf.nn.relu)(x)
    """

    def __init__(self, units, activation=None, use_bias=True, kernel_initializer=None,
                 bias_initializer=initializers.Zeros(), kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None, trainable=True, name=None,
                 **kwargs):
        super().__init__(trainable=trainable, name=name, **kwargs)
        self.units = int(units)
        self.activation = activation
        self.use_bias = use_bias
        self.kernel_initializer = kernel_initializer
        self.bias_initializer = bias_initializer
        self.kernel_regularizer = kernel_regularizer
        self.bias_regularizer = bias_regularizer
        self.activity_regularizer = activity_regularizer
        self.kernel_constraint = kernel_constraint
        self.bias_constraint = bias_constraint

    def build(self, input_shape):
        input_shape = TensorShape(input_shape)
        if input_shape.ndims is None or input_shape[-1].value is None:
            raise ValueError("The last dimension of the inputs to `Dense` should be defined. Found `None`.")
        dtype = self.dtype or dtypes.float32
        self.kernel = self.add_weight("kernel", [input_shape[-1].value, self.units], dtype=dtype,
                                      initializer=self.kernel_initializer, regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight("bias", [self.units], dtype=dtype, initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        self.built = True

    def call(self, inputs):
        from .. import nn
        rank = inputs.shape.ndims
        if rank is not None and rank > 2:
            from ..ops.linalg_ops import tensordot
            outputs = tensordot(inputs, self.kernel, [[rank - 1], [0]])
            outputs.set_shape(inputs.shape[:-1].concatenate([self.units]))
        else:
            outputs = linalg_ops.matmul(inputs, self.kernel)
        if self.use_bias:
            outputs = nn.bias_add(outputs, self.bias)
        if self.activation is not None:
            outputs = self.activation(outputs)
        if self.activity_regularizer is not None:
            self.add_loss(self.activity_regularizer(outputs))
        return outputs

    def compute_output_shape(self, input_shape):
        return TensorShape(input_shape)[:-1].concatenate([self.units])


def dense(inputs, units, activation=None, use_bias=True, kernel_initializer=None,
          bias_initializer=initializers.Zeros(), kernel_regularizer=None, bias_regularizer=None,
          activity_regularizer=None, kernel_constraint=None, bias_constraint=None, trainable=True, name=None,
          reuse=None):
    """activation(inputs @ kernel + bias) with variables `<name>/kernel` and `<name>/bias` (name default
    "dense", "dense_1", ...).

    Example:
        >>> logits = tf.layers.dense(h, 10)
    """
    layer = Dense(units, activation=activation, use_bias=use_bias, kernel_initializer=kernel_initializer,
                  bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
                  bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
                  kernel_constraint=kernel_constraint, bias_constraint=bias_constraint, trainable=trainable,
                  name=name, dtype=inputs.dtype.base_dtype if hasattr(inputs, "dtype") else None, _scope=name,
                  _reuse=reuse)
    return layer(inputs)


class Dropout(Layer):
    """Dropout as a layer: in training, each element is dropped with probability `rate` and the rest scaled by
    1 / (1 - rate); otherwise the identity. The training flag is given when calling: `layer(x, training=...)`.

    Args:
        rate: the probability of dropping an element.
        noise_shape: the shape of the keep/drop mask (None entries: the input's dims), e.g. [batch, 1, 1, c].
        seed: the op seed.
        name: the layer's scope name (default "dropout", "dropout_1", ...).
    """

    def __init__(self, rate=0.5, noise_shape=None, seed=None, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self.rate = rate
        self.noise_shape = noise_shape
        self.seed = seed
        self.supports_masking = True

    def _get_noise_shape(self, inputs):
        if self.noise_shape is None or _is_tensor_like(self.noise_shape):
            return self.noise_shape
        dims = list(self.noise_shape)
        if None not in dims:
            return dims
        concrete = array_ops.shape(inputs)
        return [concrete[i] if d is None else d for i, d in enumerate(dims)]

    def call(self, inputs, training=False):
        from ..nn.misc import dropout as nn_dropout

        def dropped():
            return nn_dropout(inputs, noise_shape=self._get_noise_shape(inputs), seed=self.seed, rate=self.rate)
        return select_on_training(training, dropped, lambda: array_ops.identity(inputs))

    def compute_output_shape(self, input_shape):
        return TensorShape(input_shape)


def dropout(inputs, rate=0.5, noise_shape=None, seed=None, training=False, name=None):
    """Dropout applied only when `training` is True (a Python bool or a bool tensor such as a placeholder).

    Note the argument is `rate` (the fraction dropped), not `keep_prob`, and training defaults to False.

    Example:
        >>> is_training = tf.placeholder_with_default(False, [])
        >>> h = tf.layers.dropout(h, rate=0.5, training=is_training)
    """
    layer = Dropout(rate, noise_shape=noise_shape, seed=seed, name=name, _scope=name)
    return layer.apply(inputs, training=training)


def _data_format(value):
    value = "channels_last" if value is None else str(value).lower()
    if value not in ("channels_first", "channels_last"):
        raise ValueError('The `data_format` argument must be one of "channels_first", "channels_last". Received: '
                         f"{value}")
    return value


class Flatten(Layer):
    """Flattens each example to a vector: [batch, d1, d2, ...] -> [batch, d1 * d2 * ...] (the batch dimension is
    kept, even when unknown). With data_format "channels_first", the channel axis is moved last first, so the
    order of the flattened values matches a channels-last model's."""

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = _data_format(data_format)

    def call(self, inputs):
        rank = inputs.shape.ndims
        if rank == 0:
            raise ValueError(f"Input 0 of layer {self.name} is incompatible with the layer: expected min_ndim=1, "
                             "found ndim=0. Full shape received: []")
        if self.data_format == "channels_first" and rank is not None and rank > 1:
            from ..ops.manip_ops import transpose
            inputs = transpose(inputs, [0] + list(range(2, rank)) + [1])
        dims = inputs.shape.as_list() if rank is not None else None
        if dims is not None and all(d is not None for d in dims[1:]):
            outputs = array_ops.reshape(inputs, [-1, int(np.prod(dims[1:], dtype=np.int64))])
        elif dims is not None and dims[0] is not None:
            outputs = array_ops.reshape(inputs, [dims[0], -1])
        else:
            outputs = array_ops.reshape(inputs, array_ops.stack([array_ops.shape(inputs)[0], -1]))
        outputs.set_shape(self.compute_output_shape(inputs.shape))
        return outputs

    def compute_output_shape(self, input_shape):
        input_shape = TensorShape(input_shape)
        if input_shape.ndims is None:
            return TensorShape([None, None])
        dims = input_shape.as_list()
        rest = None if any(d is None for d in dims[1:]) else int(np.prod(dims[1:], dtype=np.int64))
        return TensorShape([dims[0] if dims else None, rest])


def flatten(inputs, name=None, data_format="channels_last"):
    """Flattens all but the first (batch) dimension: [batch, 7, 7, 64] -> [batch, 3136].

    Example:
        >>> flat = tf.layers.flatten(pool2)
    """
    layer = Flatten(name=name, data_format=data_format, _scope=name)
    return layer.apply(inputs)
