"""Keras core layers: Dense, Activation, Dropout, Flatten, Reshape, Permute, RepeatVector, Lambda (Keras's
argument names and defaults; Dense, Dropout and Flatten reuse the tf.layers implementations)."""
import numpy as np

from ...framework.tensor_shape import TensorShape
from ...layers import core as _tfl_core
from ...layers.convolutional import check_input_rank
from ...ops import array_ops
from .. import activations, backend, initializers, regularizers
from ..engine.base_layer import Layer

__all__ = ["Dense", "Activation", "Dropout", "Flatten", "Reshape", "Permute", "RepeatVector", "Lambda"]


class Dense(Layer, _tfl_core.Dense):
    """`activation(inputs @ kernel + bias)`: weights `dense/kernel:0` [input_dim, units] and `dense/bias:0`.

    Args:
        units: the output size.
        activation: a name ("relu", "softmax", ...), a function, or None (linear).
        use_bias: add a bias.
        kernel_initializer, bias_initializer: names or initializers ("glorot_uniform", "zeros").
        kernel_regularizer, bias_regularizer, activity_regularizer: e.g. tf.keras.regularizers.l2(1e-4).
        kernel_constraint, bias_constraint: functions applied to the weights after each update.
        input_dim / input_shape: the input size, for the first layer of a Sequential.

    Example:
        >>> tf.keras.layers.Dense(64, activation="relu", input_shape=(784,))
    """

    def __init__(self, units, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        _tfl_core.Dense.__init__(self, units, activation=activations.get(activation), use_bias=use_bias,
                                 kernel_initializer=initializers.get(kernel_initializer),
                                 bias_initializer=initializers.get(bias_initializer),
                                 kernel_regularizer=regularizers.get(kernel_regularizer),
                                 bias_regularizer=regularizers.get(bias_regularizer),
                                 kernel_constraint=kernel_constraint, bias_constraint=bias_constraint)
        self._keras_init(activity_regularizer=activity_regularizer, **kwargs)

    def build(self, input_shape):
        check_input_rank(self, input_shape, 2, minimum=True)
        _tfl_core.Dense.build(self, input_shape)


class Activation(Layer):
    """Applies an activation function: `Activation("relu")`."""

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.activation = activations.get(activation)

    def call(self, inputs):
        return self.activation(inputs)

    def compute_output_shape(self, input_shape):
        return TensorShape(input_shape)


class Dropout(Layer, _tfl_core.Dropout):
    """In training (the learning phase, or `training=True`), zeroes each input with probability `rate` and scales
    the rest by 1 / (1 - rate); otherwise the identity.

    Example:
        >>> tf.keras.layers.Dropout(0.5)
    """

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        if not 0 <= rate < 1:
            raise ValueError(f"Invalid value received for `rate`, expected a value between 0 and 1, got: {rate}")
        _tfl_core.Dropout.__init__(self, rate, noise_shape=noise_shape, seed=seed)
        self._keras_init(**kwargs)

    def call(self, inputs, training=None):
        if not self.rate:
            return array_ops.identity(inputs)
        return _tfl_core.Dropout.call(self, inputs, training=training)


class Flatten(Layer, _tfl_core.Flatten):
    """Flattens each example: [batch, d1, d2, ...] -> [batch, d1 * d2 * ...]."""

    def __init__(self, data_format=None, **kwargs):
        _tfl_core.Flatten.__init__(self, data_format=data_format or backend.image_data_format())
        self._keras_init(**kwargs)


class Reshape(Layer):
    """Reshapes each example to `target_shape` (no batch dimension; one entry may be -1).

    Example:
        >>> tf.keras.layers.Reshape((28, 28, 1), input_shape=(784,))
    """

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        self.target_shape = tuple(int(d) for d in target_shape)

    def _fix_unknown(self, input_shape):
        """The target shape with its -1 resolved from the input's size per example (when known)."""
        output = list(self.target_shape)
        unknown = [i for i, d in enumerate(output) if d < 0]
        if len(unknown) > 1:
            raise ValueError("Can only specify one unknown dimension.")
        dims = TensorShape(input_shape).as_list()[1:] if TensorShape(input_shape).ndims is not None else None
        if dims is None or any(d is None for d in dims):
            return output
        total = int(np.prod(dims, dtype=np.int64))
        known = int(np.prod([d for d in output if d >= 0], dtype=np.int64))
        if unknown:
            if known == 0 or total % known:
                raise ValueError("total size of new array must be unchanged")
            output[unknown[0]] = total // known
        elif known != total:
            raise ValueError("total size of new array must be unchanged")
        return output

    def call(self, inputs):
        target = self._fix_unknown(inputs.shape)
        batch = inputs.shape[0].value if inputs.shape.ndims else None
        if batch is not None:
            outputs = array_ops.reshape(inputs, [batch] + target)
        else:
            outputs = array_ops.reshape(inputs, [-1] + target) if -1 not in target else \
                array_ops.reshape(inputs, array_ops.stack([array_ops.shape(inputs)[0]] + target))
        outputs.set_shape(self.compute_output_shape(inputs.shape))
        return outputs

    def compute_output_shape(self, input_shape):
        input_shape = TensorShape(input_shape)
        batch = input_shape[0].value if input_shape.ndims else None
        return TensorShape([batch] + [None if d < 0 else d for d in self._fix_unknown(input_shape)])


class Permute(Layer):
    """Permutes the non-batch axes: `Permute((2, 1))` swaps the two axes of [batch, a, b]."""

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        self.dims = tuple(int(d) for d in dims)
        if sorted(self.dims) != list(range(1, len(self.dims) + 1)):
            raise ValueError(f"Invalid permutation `dims` for Permute Layer: {dims}. The set of indices in `dims` "
                             "must be consecutive and start from 1.")

    def call(self, inputs):
        from ...ops.manip_ops import transpose
        return transpose(inputs, (0,) + self.dims)

    def compute_output_shape(self, input_shape):
        dims = TensorShape(input_shape).as_list()
        return TensorShape([dims[0]] + [dims[d] for d in self.dims])


class RepeatVector(Layer):
    """Repeats each input vector n times: [batch, features] -> [batch, n, features]."""

    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        self.n = int(n)

    def call(self, inputs):
        from ...ops.grad_support_ops import expand_dims
        from ...ops.manip_ops import tile
        check_input_rank(self, inputs.shape, 2)
        outputs = tile(expand_dims(inputs, 1), [1, self.n, 1])
        outputs.set_shape(self.compute_output_shape(inputs.shape))
        return outputs

    def compute_output_shape(self, input_shape):
        dims = TensorShape(input_shape).as_list()
        return TensorShape([dims[0], self.n, dims[1]])


class Lambda(Layer):
    """Wraps a function of tensors as a layer: `Lambda(lambda x: x ** 2)`.

    Args:
        function: called as `function(inputs, **arguments)` (with `training=` too if it accepts it).
        output_shape: the output's shape without the batch axis, or a function of the input shape, for
            `compute_output_shape` (by default the function is traced on placeholders to find it).
        arguments: extra keyword arguments for the function.

    A Lambda has no weights of its own; variables made inside `function` are not tracked. Models containing a
    Lambda cannot be saved as JSON (a Python function has no safe serialized form).
    """

    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        self.function = function
        self.arguments = dict(arguments or {})
        self._output_shape = output_shape

    def call(self, inputs, training=None):
        import inspect
        kwargs = dict(self.arguments)
        try:
            if "training" in inspect.signature(self.function).parameters:
                kwargs["training"] = training
        except (TypeError, ValueError):
            pass
        return self.function(inputs, **kwargs)

    def compute_output_shape(self, input_shape):
        """From `output_shape` when given (a shape without the batch axis, or a function of the input shape),
        else by calling the function on placeholders of `input_shape` in a scratch graph."""
        if callable(self._output_shape):
            return TensorShape(self._output_shape(input_shape))
        if self._output_shape is not None:
            batch = TensorShape(input_shape[0] if isinstance(input_shape, list) else input_shape).as_list()[0]
            return TensorShape([batch] + list(self._output_shape))
        from ...framework.graph import Graph
        from ...ops.array_ops import placeholder
        from ...util import nest
        with Graph().as_default():
            shapes = input_shape if isinstance(input_shape, list) else [input_shape]
            stand_ins = [placeholder(self.dtype or "float32", TensorShape(shape)) for shape in shapes]
            outputs = self.call(stand_ins if isinstance(input_shape, list) else stand_ins[0])
            return nest.map_structure(lambda t: t.shape, outputs)
