"""Keras BatchNormalization (on the tf.layers implementation): weights `batch_normalization/gamma:0`, `beta:0`
(trainable) and `moving_mean:0`, `moving_variance:0` (not trainable), updated through the layer's `updates`
when called in training (the learning phase, or `training=True`)."""
from .. import initializers, regularizers
from ...layers import normalization as _tfl_norm
from ..engine.base_layer import Layer

__all__ = ["BatchNormalization"]


class BatchNormalization(Layer, _tfl_norm.BatchNormalization):
    """Normalizes each feature (`axis`, the channels) by the batch's mean and variance in training, and by the
    moving averages otherwise; then scales by gamma and shifts by beta.

    The moving averages are updated (`moving = moving * momentum + batch * (1 - momentum)`) by the ops in
    `layer.updates` / `model.updates`, which `fit` runs with each training step (a hand-written training loop
    must run them too).

    Args:
        axis: the feature axis (-1: last; 1 for channels_first).
        momentum, epsilon, center, scale: as tf.layers.batch_normalization.
        *_initializer, *_regularizer, *_constraint: names or objects.

    Example:
        >>> x = tf.keras.layers.BatchNormalization()(x)
    """

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True, beta_initializer="zeros",
                 gamma_initializer="ones", moving_mean_initializer="zeros", moving_variance_initializer="ones",
                 beta_regularizer=None, gamma_regularizer=None, beta_constraint=None, gamma_constraint=None,
                 renorm=False, renorm_clipping=None, renorm_momentum=0.99, fused=None, trainable=True,
                 virtual_batch_size=None, adjustment=None, name=None, **kwargs):
        _tfl_norm.BatchNormalization.__init__(
            self, axis=axis, momentum=momentum, epsilon=epsilon, center=center, scale=scale,
            beta_initializer=initializers.get(beta_initializer), gamma_initializer=initializers.get(gamma_initializer),
            moving_mean_initializer=initializers.get(moving_mean_initializer),
            moving_variance_initializer=initializers.get(moving_variance_initializer),
            beta_regularizer=regularizers.get(beta_regularizer), gamma_regularizer=regularizers.get(gamma_regularizer),
            beta_constraint=beta_constraint, gamma_constraint=gamma_constraint, renorm=renorm,
            renorm_clipping=renorm_clipping, renorm_momentum=renorm_momentum, fused=fused, trainable=trainable,
            virtual_batch_size=virtual_batch_size, adjustment=adjustment)
        self._keras_init(name=name, trainable=trainable, **kwargs)
