"""`tf.layers` Dropout/dropout (training=) and Flatten/flatten, and the run-time choice on a `training` flag that
the layers with a training mode share."""
import numpy as np

from ..framework import dtypes
from ..framework.apply import _is_tensor_like, convert_to_tensor
from ..framework.tensor_shape import TensorShape
from ..ops import array_ops
from .base import Layer

__all__ = ["Dropout", "dropout", "Flatten", "flatten"]


def static_training(training):
    """`training` as a Python bool when known while building the graph (a bool, or a constant tensor), else None
    (a placeholder or another tensor: the choice is made at run time)."""
    if training is None:
        return False
    if not _is_tensor_like(training):
        return bool(training)
    t = convert_to_tensor(training)
    if t.dtype.base_dtype is not dtypes.bool:
        raise TypeError(f"`training` must be a bool or a bool tensor, got a {t.dtype.base_dtype.name} tensor")
    if not t.shape.is_compatible_with(TensorShape([])):
        raise ValueError(f"`training` must be a scalar, got shape {t.shape}")
    from ..nn.misc import known_value   # here: neuroflow.nn imports the layers package while it loads
    value = known_value(t)
    return None if value is None else bool(value)


def select_on_training(training, true_fn, false_fn):
    """true_fn() or false_fn() when `training` is known at build time; otherwise both, chosen at run time by
    `tf.where` (no control flow: both branches are computed, only the chosen one is used and differentiated)."""
    from ..ops.grad_support_ops import where
    value = static_training(training)
    if value is not None:
        return true_fn() if value else false_fn()
    return where(training, true_fn(), false_fn())


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
