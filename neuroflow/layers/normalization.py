"""`tf.layers.batch_normalization` / BatchNormalization, with moving statistics updated through UPDATE_OPS."""
from ..framework import dtypes
from ..framework.constant_op import constant
from ..framework.graph import name_scope
from ..framework.tensor_shape import TensorShape
from ..ops import array_ops, math_ops
from ..ops.grad_support_ops import size
from ..ops.state_ops import assign_sub
from ..variables import initializers
from .base import Layer
from .training_flag import select_on_training, static_training

__all__ = ["BatchNormalization", "batch_normalization"]


class BatchNormalization(Layer):
    """Batch normalization (Ioffe & Szegedy, 2015) over all axes but `axis`.

    Variables (in the layer's scope, e.g. `batch_normalization/`): `gamma` (if scale) and `beta` (if center),
    trainable; `moving_mean` and `moving_variance`, not trainable (in GLOBAL_VARIABLES only).

    When called with `training=True` the layer normalizes with the batch's statistics and adds to
    `tf.GraphKeys.UPDATE_OPS` the updates `moving = moving - (moving - batch) * (1 - momentum)`, which the
    training op must run (`with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):`). As in
    TensorFlow, the fused path (4-D inputs, axis 1 or 3) uses the unbiased batch variance for that update, the
    other path the biased one. With `training=False` it normalizes with the moving statistics and adds no
    updates. `training` may be a bool tensor (a placeholder): the choice is then made at run time.

    Args:
        axis: the axis (or list of axes) of the features, normally the channels (-1: last; 1 for NCHW).
        momentum: the moving averages' decay.
        epsilon: added to the variance before dividing.
        center, scale: whether to add beta / multiply by gamma.
        renorm, virtual_batch_size, adjustment: not supported (NotImplementedError if used).
        fused: None or True: use the fused kernel when possible; False: never.
    """

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                 beta_initializer=initializers.Zeros(), gamma_initializer=initializers.Ones(),
                 moving_mean_initializer=initializers.Zeros(), moving_variance_initializer=initializers.Ones(),
                 beta_regularizer=None, gamma_regularizer=None, beta_constraint=None, gamma_constraint=None,
                 renorm=False, renorm_clipping=None, renorm_momentum=0.99, fused=None, trainable=True,
                 virtual_batch_size=None, adjustment=None, name=None, **kwargs):
        super().__init__(trainable=trainable, name=name, **kwargs)
        if renorm or virtual_batch_size is not None or adjustment is not None:
            raise NotImplementedError("neuroflow's BatchNormalization does not support renorm, virtual_batch_size "
                                      "or adjustment")
        self.axis = list(axis) if isinstance(axis, (list, tuple)) else axis
        self.momentum = momentum
        self.epsilon = epsilon
        self.center, self.scale = center, scale
        self.beta_initializer, self.gamma_initializer = beta_initializer, gamma_initializer
        self.moving_mean_initializer = moving_mean_initializer
        self.moving_variance_initializer = moving_variance_initializer
        self.beta_regularizer, self.gamma_regularizer = beta_regularizer, gamma_regularizer
        self.beta_constraint, self.gamma_constraint = beta_constraint, gamma_constraint
        self.renorm = renorm
        self.fused = True if fused is None else fused  # TF 1.x: fused whenever the input allows it

    def build(self, input_shape):
        input_shape = TensorShape(input_shape)
        if input_shape.ndims is None:
            raise ValueError(f"Input has undefined rank: {input_shape}")
        ndims = input_shape.ndims
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        for a in axes:
            if not -ndims <= a < ndims:
                raise ValueError(f"Invalid axis: {a}")
        axes = [a % ndims for a in axes]
        if len(set(axes)) != len(axes):
            raise ValueError(f"Duplicate axis: {axes}")
        self.axis = axes
        self.fused = bool(self.fused) and ndims == 4 and axes in ([1], [3])
        self._data_format = "NCHW" if axes == [1] else "NHWC"
        dims = {a: input_shape[a].value for a in axes}
        if any(d is None for d in dims.values()):
            raise ValueError(f"Input has undefined `axis` dimension. Input shape: {input_shape}")
        param_shape = [dims[axes[0]]] if len(axes) == 1 else [dims.get(i, 1) for i in range(ndims)]
        input_dtype = self.dtype or dtypes.float32
        param_dtype = dtypes.float32 if input_dtype is dtypes.float16 else input_dtype
        self.gamma = self.beta = None
        if self.scale:
            self.gamma = self.add_weight("gamma", param_shape, dtype=param_dtype, initializer=self.gamma_initializer,
                                         regularizer=self.gamma_regularizer, constraint=self.gamma_constraint)
        if self.center:
            self.beta = self.add_weight("beta", param_shape, dtype=param_dtype, initializer=self.beta_initializer,
                                        regularizer=self.beta_regularizer, constraint=self.beta_constraint)
        self.moving_mean = self.add_weight("moving_mean", param_shape, dtype=param_dtype,
                                           initializer=self.moving_mean_initializer, trainable=False)
        self.moving_variance = self.add_weight("moving_variance", param_shape, dtype=param_dtype,
                                               initializer=self.moving_variance_initializer, trainable=False)
        self.built = True

    # --- the two ways to normalize ---------------------------------------------------------------------------
    def _fused(self, inputs, training):
        from ..nn.misc import fused_batch_norm
        u = self.moving_mean.dtype.base_dtype
        channels = self.moving_mean.shape.as_list()
        gamma = self.gamma if self.gamma is not None else constant(1.0, u, shape=channels)
        beta = self.beta if self.beta is not None else constant(0.0, u, shape=channels)
        if training:
            return fused_batch_norm(inputs, gamma, beta, epsilon=self.epsilon, data_format=self._data_format,
                                    is_training=True)
        y, _, _ = fused_batch_norm(inputs, gamma, beta, mean=self.moving_mean, variance=self.moving_variance,
                                   epsilon=self.epsilon, data_format=self._data_format, is_training=False)
        return y

    def _broadcast(self, v, ndims):
        """A [channels] parameter viewed so that it broadcasts against the input along the feature axis."""
        if v is None or len(self.axis) > 1 or self.axis == [ndims - 1]:
            return v
        shape = [1] * ndims
        shape[self.axis[0]] = -1
        return array_ops.reshape(v, shape)

    def _batch_moments(self, inputs, ndims):
        from ..nn.impl import moments
        reduction_axes = [i for i in range(ndims) if i not in self.axis]
        u = self.moving_mean.dtype.base_dtype
        return moments(math_ops.cast(inputs, u), reduction_axes, keep_dims=len(self.axis) > 1)

    def _unbiased(self, inputs, variance):
        """variance * n / (n - 1), n the number of values per feature (the fused kernel's batch variance)."""
        u = variance.dtype.base_dtype
        n = math_ops.cast(math_ops.truediv(size(inputs), size(variance)), u)
        return math_ops.multiply(variance, math_ops.truediv(n, math_ops.maximum(math_ops.subtract(n, 1.0), 1.0)))

    def _assign_moving_average(self, variable, value, training):
        """variable -= (variable - value) * (1 - momentum), or by zero while `training` is False at run time."""
        with name_scope("AssignMovingAvg") as scope:
            u = variable.dtype.base_dtype
            decay = constant(1.0 - self.momentum, u, name="decay")
            delta = math_ops.multiply(math_ops.subtract(variable, math_ops.cast(value, u)), decay)
            if static_training(training) is None:
                from ..ops.grad_support_ops import where, zeros_like
                delta = where(training, delta, zeros_like(delta))
            return assign_sub(variable, delta, name=scope)

    def call(self, inputs, training=False):
        from ..nn.misc import batch_normalization
        ndims = inputs.shape.ndims
        mode = static_training(training)
        if mode is False:
            if self.fused:
                return self._fused(inputs, training=False)
            mean, variance = self.moving_mean, self.moving_variance
        elif mode is True and self.fused:
            outputs, mean, variance = self._fused(inputs, training=True)
            self._add_updates(mean, variance, training)
            return outputs
        else:
            batch_mean, batch_var = self._batch_moments(inputs, ndims)
            update_var = self._unbiased(inputs, batch_var) if self.fused else batch_var
            self._add_updates(batch_mean, update_var, training)
            mean = select_on_training(training, lambda: batch_mean, lambda: self.moving_mean.value())
            variance = select_on_training(training, lambda: batch_var, lambda: self.moving_variance.value())
        epsilon = max(self.epsilon, 1.001e-5) if self.fused else self.epsilon
        def as_input(v):  # parameters of half-precision inputs are float32: compute in the input's dtype
            return None if v is None else self._broadcast(math_ops.cast(v, inputs.dtype), ndims)
        outputs = batch_normalization(inputs, as_input(mean), as_input(variance), as_input(self.beta),
                                      as_input(self.gamma), epsilon)
        outputs.set_shape(inputs.shape)
        return outputs

    def _add_updates(self, mean, variance, training):
        self.add_update([self._assign_moving_average(self.moving_mean, mean, training),
                         self._assign_moving_average(self.moving_variance, variance, training)])

    def compute_output_shape(self, input_shape):
        return TensorShape(input_shape)


def batch_normalization(inputs, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                        beta_initializer=initializers.Zeros(), gamma_initializer=initializers.Ones(),
                        moving_mean_initializer=initializers.Zeros(), moving_variance_initializer=initializers.Ones(),
                        beta_regularizer=None, gamma_regularizer=None, beta_constraint=None, gamma_constraint=None,
                        training=False, trainable=True, name=None, reuse=None, renorm=False, renorm_clipping=None,
                        renorm_momentum=0.99, fused=None, virtual_batch_size=None, adjustment=None):
    """Batch normalization as a function (see `BatchNormalization`); variables under `name` (default
    "batch_normalization", "batch_normalization_1", ...).

    Example:
        >>> h = tf.layers.batch_normalization(h, training=is_training)
        >>> with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        ...     train_op = tf.train.AdamOptimizer(1e-3).minimize(loss)
    """
    layer = BatchNormalization(axis=axis, momentum=momentum, epsilon=epsilon, center=center, scale=scale,
                               beta_initializer=beta_initializer, gamma_initializer=gamma_initializer,
                               moving_mean_initializer=moving_mean_initializer,
                               moving_variance_initializer=moving_variance_initializer,
                               beta_regularizer=beta_regularizer, gamma_regularizer=gamma_regularizer,
                               beta_constraint=beta_constraint, gamma_constraint=gamma_constraint, renorm=renorm,
                               renorm_clipping=renorm_clipping, renorm_momentum=renorm_momentum, fused=fused,
                               trainable=trainable, virtual_batch_size=virtual_batch_size, adjustment=adjustment,
                               name=name, dtype=inputs.dtype.base_dtype if hasattr(inputs, "dtype") else None,
                               _scope=name, _reuse=reuse)
    return layer.apply(inputs, training=training)
