"""Keras recurrent layers SimpleRNN, GRU and LSTM (TF 1.x tf.keras: `recurrent_activation="hard_sigmoid"`,
`recurrent_initializer="orthogonal"`, GRU `reset_after=False`) over [batch, time, features] inputs.

Weights follow Keras's layout: `kernel` [input_dim, gates * units], `recurrent_kernel` [units, gates * units],
`bias` [gates * units] (GRU with reset_after: [2, 3 * units]), gates in the order i, f, c, o (LSTM) and z, r, h
(GRU). The time loop is unrolled when the graph is built (the number of steps must be known), with the input
projection of all steps done as one matmul. An LSTM with sigmoid gates and tanh (and no recurrent dropout) runs
as one fused BlockLSTM op, its weights reordered to TensorFlow's i, c, f, o gates inside the graph.
"""
from ...framework import dtypes
from ...framework.tensor import Tensor
from ...ops import array_ops, concat_ops, linalg_ops
from .. import activations, initializers, regularizers
from ..engine.base_layer import Layer

__all__ = ["SimpleRNN", "GRU", "LSTM"]


def _steps_of(inputs, layer):
    shape = inputs.shape
    if shape.ndims is not None and shape.ndims != 3:
        raise ValueError(f'Input 0 of layer "{layer.name}" is incompatible with the layer: expected ndim=3, found '
                         f"ndim={shape.ndims}. Full shape received: {tuple(shape.as_list())}")
    steps = shape[1].value if shape.ndims is not None else None
    if steps is None:
        raise ValueError(f"{type(layer).__name__} layer '{layer.name}': the number of time steps of its input "
                         f"{inputs.name} (shape {shape}) is not known when the graph is built. neuroflow unrolls "
                         "recurrent layers over time, so give the input a fixed length, e.g. "
                         "tf.keras.Input(shape=(20, 8)) or input_shape=(20, 8), and pad shorter sequences.")
    return steps


class _RNN(Layer):
    """What SimpleRNN, GRU and LSTM share: arguments, weights, dropout masks, the unrolled loop and outputs."""

    _gates = 1
    _num_states = 1

    def __init__(self, units, activation="tanh", recurrent_activation="hard_sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 dropout=0.0, recurrent_dropout=0.0, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        if stateful:
            raise NotImplementedError("neuroflow's recurrent layers do not support stateful=True")
        self.units = int(units)
        if self.units <= 0:
            raise ValueError(f"Received an invalid value for argument `units`, expected a positive integer, got "
                             f"{units}.")
        self.activation = activations.get(activation)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint, self.recurrent_constraint = kernel_constraint, recurrent_constraint
        self.bias_constraint = bias_constraint
        self.dropout = min(1.0, max(0.0, float(dropout)))
        self.recurrent_dropout = min(1.0, max(0.0, float(recurrent_dropout)))
        self.return_sequences, self.return_state = return_sequences, return_state
        self.go_backwards, self.stateful, self.unroll = go_backwards, stateful, unroll

    # --- weights -------------------------------------------------------------------------------------------------
    def _bias_shape(self):
        return (self._gates * self.units,)

    def _bias_init(self):
        return self.bias_initializer

    def build(self, input_shape):
        from ...framework.tensor_shape import TensorShape
        input_shape = TensorShape(input_shape)
        dim = input_shape[-1].value if input_shape.ndims else None
        if dim is None:
            raise ValueError(f"The last dimension of the inputs to `{type(self).__name__}` should be defined. Found "
                             "`None`.")
        n = self._gates * self.units
        self.kernel = self.add_weight("kernel", (dim, n), initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight("recurrent_kernel", (self.units, n),
                                                initializer=self.recurrent_initializer,
                                                regularizer=self.recurrent_regularizer,
                                                constraint=self.recurrent_constraint)
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight("bias", self._bias_shape(), initializer=self._bias_init(),
                                        regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        self.built = True

    # --- calling --------------------------------------------------------------------------------------------------
    def _dropout_mask(self, like, rate, training):
        """A [batch, n] mask of kept (scaled) entries in training, ones otherwise (the same mask at every step)."""
        from ...layers.training_flag import select_on_training
        from ...nn.misc import dropout
        from ...ops.grad_support_ops import ones_like
        ones = ones_like(like)
        return select_on_training(training, lambda: dropout(ones, rate=rate), lambda: ones)

    def _initial_states(self, inputs, initial_state):
        if initial_state is not None:
            states = list(initial_state) if isinstance(initial_state, (list, tuple)) else [initial_state]
            if len(states) != self._num_states:
                raise ValueError(f"Layer {self.name} expects {self._num_states} states, but it received "
                                 f"{len(states)} initial states.")
            return [s if isinstance(s, Tensor) else array_ops.identity(s) for s in states]
        batch = inputs.shape[0].value
        shape = [batch, self.units] if batch is not None else \
            array_ops.stack([array_ops.shape(inputs)[0], self.units])
        zeros = array_ops.zeros(shape, dtype=inputs.dtype.base_dtype)
        return [zeros] * self._num_states

    def _project_inputs(self, inputs, steps):
        """x @ kernel (+ bias) for all steps at once, as a list of [batch, gates * units] tensors in time order."""
        depth = inputs.shape[-1].value
        flat = array_ops.reshape(inputs, [-1, depth])
        projected = linalg_ops.matmul(flat, self.kernel)
        bias = self._input_bias()
        if bias is not None:
            from ...nn import bias_add
            projected = bias_add(projected, bias)
        projected = array_ops.reshape(projected, [-1, steps, self._gates * self.units])
        return array_ops.unstack(projected, num=steps, axis=1)

    def _input_bias(self):
        return self.bias

    def call(self, inputs, mask=None, training=None, initial_state=None):
        if mask is not None:
            raise NotImplementedError("neuroflow's recurrent layers do not support masking")
        steps = _steps_of(inputs, self)
        states = self._initial_states(inputs, initial_state)
        if self.dropout:   # one mask for all steps (Keras's variational dropout)
            from ...ops.grad_support_ops import expand_dims
            inputs = inputs * expand_dims(self._dropout_mask(inputs[:, 0, :], self.dropout, training), 1)
        fused = self._fused(inputs, states, steps) if not self.recurrent_dropout else None
        if fused is not None:
            outputs, last_states = fused
        else:
            rec_mask = self._dropout_mask(states[0], self.recurrent_dropout, training) if self.recurrent_dropout \
                else None
            projected = self._project_inputs(inputs, steps)
            if self.go_backwards:
                projected = projected[::-1]
            hs, weights = [], self._recurrent_weights()
            for x_t in projected:
                states = self._step(x_t, states, rec_mask, weights)
                hs.append(states[0])
            last_states = states
            outputs = array_ops.stack(hs, axis=1) if self.return_sequences else hs[-1]
        if self.return_state:
            return [outputs] + list(last_states)
        return outputs

    def _fused(self, inputs, states, steps):
        return None

    def _recurrent_weights(self):
        """Tensors the steps share, made once per call."""
        return self.recurrent_kernel

    def compute_output_shape(self, input_shape):
        from ...framework.tensor_shape import TensorShape
        dims = TensorShape(input_shape).as_list()
        out = TensorShape(dims[:2] + [self.units] if self.return_sequences else [dims[0], self.units])
        if self.return_state:
            return [out] + [TensorShape([dims[0], self.units])] * self._num_states
        return out


class SimpleRNN(_RNN):
    """A fully connected RNN: h_t = activation(x_t @ kernel + h_{t-1} @ recurrent_kernel + bias).

    Example:
        >>> tf.keras.layers.SimpleRNN(32, input_shape=(10, 8))
    """

    def __init__(self, units, activation="tanh", use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros", kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0, recurrent_dropout=0.0,
                 return_sequences=False, return_state=False, go_backwards=False, stateful=False, unroll=False,
                 **kwargs):
        super().__init__(units, activation, None, use_bias, kernel_initializer, recurrent_initializer,
                         bias_initializer, kernel_regularizer, recurrent_regularizer, bias_regularizer,
                         activity_regularizer, kernel_constraint, recurrent_constraint, bias_constraint, dropout,
                         recurrent_dropout, return_sequences, return_state, go_backwards, stateful, unroll, **kwargs)

    def _step(self, x_t, states, rec_mask, kernel):
        h = states[0] if rec_mask is None else states[0] * rec_mask
        return [self.activation(x_t + linalg_ops.matmul(h, kernel))]


class GRU(_RNN):
    """Gated Recurrent Unit (Cho et al. 2014), Keras's formulation:
    z = ra(x Wz + h Uz + bz), r = ra(x Wr + h Ur + br), hh = act(x Wh + (r * h) Uh + bh), h' = z * h + (1 - z) * hh.
    With reset_after=True the reset gate is applied after the recurrent matmul (r * (h Uh + b'h)) and the bias is
    [2, 3 * units] (input and recurrent biases), as CuDNN does.

    Example:
        >>> tf.keras.layers.GRU(32, input_shape=(10, 8))
    """

    _gates = 3

    def __init__(self, units, activation="tanh", recurrent_activation="hard_sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 dropout=0.0, recurrent_dropout=0.0, implementation=1, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, reset_after=False, **kwargs):
        super().__init__(units, activation, recurrent_activation, use_bias, kernel_initializer,
                         recurrent_initializer, bias_initializer, kernel_regularizer, recurrent_regularizer,
                         bias_regularizer, activity_regularizer, kernel_constraint, recurrent_constraint,
                         bias_constraint, dropout, recurrent_dropout, return_sequences, return_state, go_backwards,
                         stateful, unroll, **kwargs)
        self.implementation = implementation
        self.reset_after = reset_after

    def _bias_shape(self):
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def _input_bias(self):
        if self.bias is None or not self.reset_after:
            return self.bias
        return self.bias[0]

    def _recurrent_weights(self):
        if self.reset_after:
            return self.recurrent_kernel, (self.bias[1] if self.bias is not None else None)
        return tuple(concat_ops.split(self.recurrent_kernel.value(), [2 * self.units, self.units], axis=1))

    def _step(self, x_t, states, rec_mask, weights):
        u = self.units
        h = states[0]
        h_in = h if rec_mask is None else h * rec_mask
        x_zr, x_h = concat_ops.split(x_t, [2 * u, u], axis=1)
        if self.reset_after:
            kernel, rec_bias = weights
            rec = linalg_ops.matmul(h_in, kernel)
            if rec_bias is not None:
                from ...nn import bias_add
                rec = bias_add(rec, rec_bias)
            rec_zr, rec_h = concat_ops.split(rec, [2 * u, u], axis=1)
            z, r = concat_ops.split(self.recurrent_activation(x_zr + rec_zr), 2, axis=1)
            hh = self.activation(x_h + r * rec_h)
        else:
            k_zr, k_h = weights
            z, r = concat_ops.split(self.recurrent_activation(x_zr + linalg_ops.matmul(h_in, k_zr)), 2, axis=1)
            hh = self.activation(x_h + linalg_ops.matmul(r * h_in, k_h))
        return [hh + z * (h - hh)]


class LSTM(_RNN):
    """Long Short-Term Memory (Hochreiter & Schmidhuber 1997), Keras's formulation with gates i, f, c, o:
    i = ra(x Wi + h Ui + bi), f = ra(x Wf + h Uf + bf), c' = f * c + i * act(x Wc + h Uc + bc),
    o = ra(x Wo + h Uo + bo), h' = o * act(c'). States [h, c]; `return_state` gives [output, h, c].

    Args:
        units: the size of h and c.
        recurrent_activation: the gates' activation ("hard_sigmoid" in TF 1.x Keras; "sigmoid" selects the fused
            BlockLSTM kernel).
        unit_forget_bias: initialize the forget gate's bias to 1.
        return_sequences: output h at every step [batch, time, units] instead of the last [batch, units].
        other arguments: as SimpleRNN.

    Example:
        >>> tf.keras.layers.LSTM(64, return_sequences=True, input_shape=(20, 8))
    """

    _gates = 4
    _num_states = 2

    def __init__(self, units, activation="tanh", recurrent_activation="hard_sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 dropout=0.0, recurrent_dropout=0.0, implementation=1, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, **kwargs):
        super().__init__(units, activation, recurrent_activation, use_bias, kernel_initializer,
                         recurrent_initializer, bias_initializer, kernel_regularizer, recurrent_regularizer,
                         bias_regularizer, activity_regularizer, kernel_constraint, recurrent_constraint,
                         bias_constraint, dropout, recurrent_dropout, return_sequences, return_state, go_backwards,
                         stateful, unroll, **kwargs)
        self.unit_forget_bias = unit_forget_bias
        self.implementation = implementation

    def _bias_init(self):
        if not self.unit_forget_bias:
            return self.bias_initializer
        base, u = self.bias_initializer, self.units

        def init(shape, dtype=None, partition_info=None):
            return concat_ops.concat([base([u], dtype=dtype), array_ops.ones([u], dtype=dtype or dtypes.float32),
                                      base([2 * u], dtype=dtype)], 0)
        return init

    def _step(self, x_t, states, rec_mask, kernel):
        h, c = states
        h_in = h if rec_mask is None else h * rec_mask
        z = x_t + linalg_ops.matmul(h_in, kernel)
        i, f, _, o = concat_ops.split(self.recurrent_activation(z), 4, axis=1)
        candidate = self.activation(concat_ops.split(z, 4, axis=1)[2])
        c = f * c + i * candidate
        h = o * self.activation(c)
        return [h, c]

    def _fused(self, inputs, states, steps):
        """The whole sequence as one BlockLSTM op when the math is TensorFlow's LSTM cell's (sigmoid gates, tanh)."""
        if not (self.recurrent_activation is activations.sigmoid and self.activation is activations.tanh):
            return None
        from ...ops.manip_ops import reverse, transpose
        from ...ops.rnn_ops import block_lstm
        h0, c0 = states
        dt = inputs.dtype.base_dtype

        def reorder(w, axis):   # Keras i, f, c, o -> TensorFlow i, c(j), f, o
            i, f, c, o = concat_ops.split(w, 4, axis=axis)
            return concat_ops.concat([i, c, f, o], axis)
        w = reorder(concat_ops.concat([self.kernel.value(), self.recurrent_kernel.value()], 0), 1)
        b = reorder(self.bias.value(), 0) if self.bias is not None else \
            array_ops.zeros([4 * self.units], dtype=dt)
        x = transpose(inputs, [1, 0, 2])
        if self.go_backwards:
            x = reverse(x, [0])
        outs = block_lstm(x, c0, h0, w, b, forget_bias=0.0)
        cs, h_all = outs[1], outs[6]
        h_last, c_last = h_all[steps - 1], cs[steps - 1]
        outputs = transpose(h_all, [1, 0, 2]) if self.return_sequences else h_last
        return outputs, [h_last, c_last]
