"""Keras layer wrappers: Bidirectional (a recurrent layer run forwards and backwards, outputs merged) and
TimeDistributed (a layer applied to every time step)."""
import inspect

from ...framework.tensor_shape import TensorShape
from ...ops import array_ops, concat_ops, math_ops
from ..engine.base_layer import Layer

__all__ = ["Bidirectional", "TimeDistributed", "Wrapper"]


def _clone(layer, **overrides):
    """A new layer of the same class built from the arguments `layer` was constructed with, with overrides."""
    args, kwargs = layer.__dict__.get("_init_arguments", ((), {}))
    bound = inspect.signature(type(layer).__init__).bind(layer, *args, **kwargs)
    arguments = {}
    for key, value in list(bound.arguments.items())[1:]:
        kind = inspect.signature(type(layer).__init__).parameters[key].kind
        if kind is inspect.Parameter.VAR_KEYWORD:
            arguments.update(value)
        elif kind is not inspect.Parameter.VAR_POSITIONAL:
            arguments[key] = value
    arguments.update(overrides)
    return type(layer)(**arguments)


class Wrapper(Layer):
    """A layer that wraps another (`self.layer`)."""

    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(f"Please initialize `{type(self).__name__}` layer with a `Layer` instance. You passed: "
                             f"{layer}")
        super().__init__(**kwargs)
        self.layer = layer


class Bidirectional(Wrapper):
    """Runs a recurrent layer over the sequence forwards and (a copy, `go_backwards=True`) backwards and merges
    the two outputs. Weights: `bidirectional/forward_lstm/kernel:0`, `bidirectional/backward_lstm/kernel:0`, ...

    Args:
        layer: a SimpleRNN, GRU or LSTM (copied: the forward and backward layers are new layers named
            `forward_<name>` and `backward_<name>`).
        merge_mode: "concat" (default), "sum", "mul", "ave", or None (a list [forward, backward]).
        backward_layer: a layer to use backwards instead of a copy (it must have go_backwards=True).

    Example:
        >>> tf.keras.layers.Bidirectional(tf.keras.layers.LSTM(32), input_shape=(20, 8))
    """

    def __init__(self, layer, merge_mode="concat", weights=None, backward_layer=None, **kwargs):
        if merge_mode not in ("sum", "mul", "ave", "concat", None):
            raise ValueError('Invalid merge mode. Merge mode should be one of {"sum", "mul", "ave", "concat", None}')
        if not isinstance(layer, Layer):
            raise ValueError("Please initialize `Bidirectional` layer with a `Layer` instance. You passed: "
                             f"{layer}")
        Layer.__init__(self, **kwargs)
        # The given layer is only a template: keep it out of the tracked sublayers (it never gets weights).
        self.__dict__["layer"] = layer
        self.forward_layer = _clone(layer, name=f"forward_{layer.name}")
        if backward_layer is None:
            backward_layer = _clone(layer, name=f"backward_{layer.name}", go_backwards=not layer.go_backwards)
        elif not isinstance(backward_layer, Layer):
            raise ValueError(f"`backward_layer` need to be a `tf.keras.layers.Layer` instance. You passed: "
                             f"{backward_layer}")
        self.backward_layer = backward_layer
        self.merge_mode = merge_mode
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        if weights is not None:
            half = len(weights) // 2
            self.forward_layer._initial_weights = list(weights[:half])
            self.backward_layer._initial_weights = list(weights[half:])

    def build(self, input_shape):
        self.built = True

    def compute_output_shape(self, input_shape):
        shapes = self.forward_layer.compute_output_shape(input_shape)
        output, states = (shapes[0], list(shapes[1:])) if self.return_state else (shapes, [])
        output = TensorShape(output)
        if self.merge_mode == "concat":
            last = output.as_list()[-1]
            output = TensorShape(output.as_list()[:-1] + [None if last is None else 2 * last])
        merged = [output, output] if self.merge_mode is None else [output]
        if self.return_state:
            return merged + states * 2
        return merged if self.merge_mode is None else output

    def call(self, inputs, training=None, mask=None, initial_state=None):
        from ...ops.manip_ops import reverse
        fw_state = bw_state = None
        if initial_state is not None:
            states = list(initial_state)
            half = len(states) // 2
            fw_state, bw_state = states[:half], states[half:]
        y = self.forward_layer(inputs, training=training, initial_state=fw_state)
        y_rev = self.backward_layer(inputs, training=training, initial_state=bw_state)
        states = []
        if self.return_state:
            states = list(y[1:]) + list(y_rev[1:])
            y, y_rev = y[0], y_rev[0]
        if self.return_sequences:
            y_rev = reverse(y_rev, [1])
        if self.merge_mode == "concat":
            output = concat_ops.concat([y, y_rev], axis=-1)
        elif self.merge_mode == "sum":
            output = math_ops.add(y, y_rev)
        elif self.merge_mode == "ave":
            output = math_ops.multiply(math_ops.add(y, y_rev), 0.5)
        elif self.merge_mode == "mul":
            output = math_ops.multiply(y, y_rev)
        else:
            output = [y, y_rev]
        if self.return_state:
            return (output if isinstance(output, list) else [output]) + states
        return output


class TimeDistributed(Wrapper):
    """Applies `layer` to every time step of [batch, time, ...] (one call on [batch * time, ...]); the wrapped
    layer's weights are the wrapper's (`time_distributed/kernel:0`).

    Example:
        >>> tf.keras.layers.TimeDistributed(tf.keras.layers.Dense(8))   # [batch, 10, 16] -> [batch, 10, 8]
    """

    def build(self, input_shape):
        shape = TensorShape(input_shape)
        if shape.ndims is None or shape.ndims < 3:
            raise ValueError("`TimeDistributed` Layer should be passed an `input_shape ` with at least 3 dimensions, "
                             f"received: {shape}")
        if not self.layer.built:
            if self.layer.dtype is None:
                self.layer.dtype = self.dtype
            self.layer.build(TensorShape([None]).concatenate(shape[2:]))
            self.layer.built = True
        self.built = True

    def compute_output_shape(self, input_shape):
        dims = TensorShape(input_shape).as_list()
        inner = TensorShape(self.layer.compute_output_shape(TensorShape([dims[0]] + dims[2:]))).as_list()
        return TensorShape(dims[:2] + inner[1:])

    def call(self, inputs, training=None, mask=None):
        dims = inputs.shape.as_list()
        inner = array_ops.reshape(inputs, [-1] + dims[2:])
        kwargs = {"training": training} if self.layer._expects_training_arg else {}
        y = self.layer.call(inner, **kwargs)
        out_dims = y.shape.as_list()[1:]
        steps = dims[1] if dims[1] is not None else array_ops.shape(inputs)[1]
        if dims[0] is not None and dims[1] is not None and None not in out_dims:
            shape = [dims[0], dims[1]] + out_dims
        elif None not in out_dims and dims[1] is not None:
            shape = [-1, dims[1]] + out_dims
        else:
            shape = array_ops.stack([array_ops.shape(inputs)[0], steps] +
                                    [d if d is not None else array_ops.shape(y)[i + 1]
                                     for i, d in enumerate(out_dims)])
        outputs = array_ops.reshape(y, shape)
        outputs.set_shape([dims[0], dims[1]] + out_dims)
        return outputs
