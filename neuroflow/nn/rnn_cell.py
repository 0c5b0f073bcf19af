"""`tf.nn.rnn_cell`: the TF 1.x RNN cells (BasicRNNCell, BasicLSTMCell, LSTMCell, GRUCell), MultiRNNCell and the
wrappers (DropoutWrapper, ResidualWrapper, DeviceWrapper), with TensorFlow's variable names, shapes and gate
order, so weights can be copied from TensorFlow.

A cell is a `tf.layers.Layer`: its variables are made on first call inside its own variable scope
(`rnn/lstm_cell/kernel`) and reused on every later call (every time step).
"""
import collections

import numpy as np

from ..framework import dtypes
from ..framework.apply import convert_to_tensor
from ..framework.constant_op import constant
from ..framework.graph import name_scope
from ..framework.tensor_shape import TensorShape
from ..layers.base import Layer
from ..ops import array_ops, clip_ops, concat_ops, linalg_ops, manip_ops, math_ops
from ..ops.rnn_ops import block_lstm, lstm_block_cell
from ..util import nest
from ..variables import initializers
from ..variables.scope import variable_scope
from .impl import bias_add

__all__ = ["RNNCell", "LayerRNNCell", "BasicRNNCell", "BasicLSTMCell", "LSTMCell", "GRUCell", "MultiRNNCell",
           "DropoutWrapper", "ResidualWrapper", "DeviceWrapper", "LSTMStateTuple"]


# --- nested structures (tuples, lists, namedtuples of tensors) ----------------------------------------------------
def _is_sequence(x):
    return isinstance(x, (tuple, list))


class LSTMStateTuple(collections.namedtuple("LSTMStateTuple", ("c", "h"))):
    """The state of an LSTM cell: `c` (the cell state) and `h` (the output)."""

    __slots__ = ()

    @property
    def dtype(self):
        c, h = self
        if c.dtype != h.dtype:
            raise TypeError(f"Inconsistent internal state: {c.dtype!r} vs {h.dtype!r}")
        return c.dtype


def _activation(activation):
    """The activation function: a callable, a name ("tanh", "relu", ...), or None for tanh."""
    if activation is None:
        return math_ops.tanh
    if isinstance(activation, str):
        from .. import nn
        fn = getattr(math_ops, activation, None) or getattr(nn, activation, None)
        if fn is None:
            raise ValueError(f"Unknown activation function: {activation}")
        return fn
    return activation


def _zeros(size, batch_size, dtype):
    """zeros [batch_size] + size (size an int or a TensorShape-like)."""
    dims = TensorShape(size).as_list() if not isinstance(size, int) else [size]
    if isinstance(batch_size, np.integer):
        batch_size = int(batch_size)
    if not isinstance(batch_size, int):  # a tensor: the shape is stacked at run time
        batch_size = convert_to_tensor(batch_size, dtype=dtypes.int32)
        shape = array_ops.stack([batch_size] + [constant(d, dtype=dtypes.int32) for d in dims])
        return array_ops.zeros(shape, dtype=dtype)
    return array_ops.zeros([batch_size] + dims, dtype=dtype)


def _concat_last(values):
    return concat_ops.concat(values, 1)


# --- the base classes -----------------------------------------------------------------------------------------------
class RNNCell(Layer):
    """Abstract RNN cell: `output, new_state = cell(inputs, state)`.

    Subclasses define `state_size`, `output_size` and `call(inputs, state)` (and `build(inputs_shape)` to make
    variables). `state_size` is an int, a TensorShape, or a (nested) tuple of them.
    """

    def __init__(self, trainable=True, name=None, dtype=None, **kwargs):
        super().__init__(trainable=trainable, name=name, dtype=dtype, **kwargs)

    @property
    def state_size(self):
        raise NotImplementedError("Abstract method")

    @property
    def output_size(self):
        raise NotImplementedError("Abstract method")

    def __call__(self, inputs, state, scope=None):
        """Runs the cell one step: returns `(output, new_state)`.

        Args:
            inputs: a [batch, input_size] tensor.
            state: a tensor or tuple of tensors shaped like `state_size` (with a batch dimension).
            scope: on the first call, the variable scope for the cell's variables (default: the cell's name
                under the current scope, e.g. `rnn/lstm_cell`).
        """
        if scope is not None and self._scope is None:
            self._scope = scope  # TF: an explicit scope becomes the cell's own variable scope
        return super().__call__(inputs, state)

    def build(self, inputs_shape):
        self.built = True

    def zero_state(self, batch_size, dtype):
        """Zeros shaped like `state_size` with a leading `batch_size` (an int or a scalar tensor).

        Example:
            >>> state = cell.zero_state(tf.shape(x)[0], tf.float32)
        """
        with name_scope(type(self).__name__ + "ZeroState", values=[batch_size]):
            size = self.state_size
            if _is_sequence(size):
                return nest.map_structure(lambda s: _zeros(s, batch_size, dtype), size)
            return _zeros(size, batch_size, dtype)

    def get_initial_state(self, inputs=None, batch_size=None, dtype=None):
        if inputs is not None:
            inputs = convert_to_tensor(inputs)
            batch_size = inputs.shape[0].value
            if batch_size is None:
                batch_size = array_ops.shape(inputs)[0]
            dtype = dtype or inputs.dtype
        return self.zero_state(batch_size, dtype)


LayerRNNCell = RNNCell  # in neuroflow every cell is a layer already


def _input_depth(inputs_shape, cell):
    shape = TensorShape(inputs_shape)
    if shape.ndims is None or shape[-1].value is None:
        raise ValueError(f"Expected inputs.shape[-1] to be known, saw shape: {shape}")
    return shape[-1].value


class BasicRNNCell(RNNCell):
    """output = new_state = activation(concat([inputs, state]) @ kernel + bias).

    Variables: `basic_rnn_cell/kernel` [input_depth + num_units, num_units], `basic_rnn_cell/bias` (zeros).
    """

    def __init__(self, num_units, activation=None, reuse=None, name=None, dtype=None, **kwargs):
        super().__init__(name=name, dtype=dtype, _reuse=reuse, **kwargs)
        self._num_units = int(num_units)
        self._activation = _activation(activation)

    @property
    def state_size(self):
        return self._num_units

    @property
    def output_size(self):
        return self._num_units

    def build(self, inputs_shape):
        depth = _input_depth(inputs_shape, self)
        self._kernel = self.add_weight("kernel", [depth + self._num_units, self._num_units])
        self._bias = self.add_weight("bias", [self._num_units], initializer=initializers.Zeros())
        self.built = True

    def call(self, inputs, state):
        gate_inputs = bias_add(linalg_ops.matmul(_concat_last([inputs, state]), self._kernel), self._bias)
        output = self._activation(gate_inputs)
        return output, output


class GRUCell(RNNCell):
    """Gated recurrent unit (Cho et al. 2014), as TF 1.x computes it:
    r, u = sigmoid(concat([x, h]) @ gates/kernel + gates/bias); c = act(concat([x, r * h]) @ candidate/kernel +
    candidate/bias); new_h = u * h + (1 - u) * c.

    Variables: `gru_cell/gates/kernel` [depth + units, 2 units], `gru_cell/gates/bias` (ones),
    `gru_cell/candidate/kernel` [depth + units, units], `gru_cell/candidate/bias` (zeros).
    """

    def __init__(self, num_units, activation=None, reuse=None, kernel_initializer=None, bias_initializer=None,
                 name=None, dtype=None, **kwargs):
        super().__init__(name=name, dtype=dtype, _reuse=reuse, **kwargs)
        self._num_units = int(num_units)
        self._activation = _activation(activation)
        self._kernel_initializer = kernel_initializer
        self._bias_initializer = bias_initializer

    @property
    def state_size(self):
        return self._num_units

    @property
    def output_size(self):
        return self._num_units

    def build(self, inputs_shape):
        depth = _input_depth(inputs_shape, self)
        n = self._num_units
        self._gate_kernel = self.add_weight("gates/kernel", [depth + n, 2 * n], initializer=self._kernel_initializer)
        self._gate_bias = self.add_weight("gates/bias", [2 * n], initializer=(
            self._bias_initializer if self._bias_initializer is not None else initializers.Constant(1.0)))
        self._candidate_kernel = self.add_weight("candidate/kernel", [depth + n, n],
                                                 initializer=self._kernel_initializer)
        self._candidate_bias = self.add_weight("candidate/bias", [n], initializer=(
            self._bias_initializer if self._bias_initializer is not None else initializers.Zeros()))
        self.built = True

    def call(self, inputs, state):
        gate_inputs = bias_add(linalg_ops.matmul(_concat_last([inputs, state]), self._gate_kernel), self._gate_bias)
        r, u = concat_ops.split(math_ops.sigmoid(gate_inputs), 2, axis=1)
        candidate = bias_add(linalg_ops.matmul(_concat_last([inputs, r * state]), self._candidate_kernel),
                             self._candidate_bias)
        c = self._activation(candidate)
        new_h = u * state + (1 - u) * c
        return new_h, new_h


def _is_tanh(activation):
    from .. import nn
    return activation is math_ops.tanh or activation is getattr(nn, "tanh", None)


def _lstm_step(inputs, c_prev, h_prev, kernel, bias, forget_bias, activation, peepholes=None, cell_clip=None):
    """One LSTM step in TensorFlow's gate layout (i, j, f, o); returns (c, h) before any projection. With the
    default tanh this is one fused LSTMBlockCell node; any other activation is composed from elementary ops."""
    outs = lstm_block_cell(inputs, c_prev, h_prev, kernel, bias, forget_bias, cell_clip, peepholes,
                           activation=None if _is_tanh(activation) else activation)
    return outs[1], outs[6]


class _LSTMBase(RNNCell):
    """What BasicLSTMCell and LSTMCell share: the state layout and the fused whole-sequence path."""

    _use_peepholes = False
    _cell_clip = None
    _num_proj = None

    def _split_state(self, state):
        """(c, h) from a state tuple, or from concat([c, h], 1) when state_is_tuple is False."""
        if self._state_is_tuple:
            c, h = state
            return c, h
        n = self._num_units
        return (manip_ops.slice(state, [0, 0], [-1, n]),
                manip_ops.slice(state, [0, n], [-1, self._num_proj or n]))

    def _make_state(self, c, h):
        return LSTMStateTuple(c, h) if self._state_is_tuple else _concat_last([c, h])

    def _peepholes(self):
        return (self._w_i_diag, self._w_f_diag, self._w_o_diag) if self._use_peepholes else None

    def _fused_sequence_ok(self):
        """Whether `dynamic_rnn` may run this cell over a whole sequence as one BlockLSTM op: `call` is this
        class's (a subclass may change it), the activation is tanh and there is no projection in the loop."""
        return type(self).call is _LSTMBase.call and _is_tanh(self._activation) and self._num_proj is None

    def _call_sequence(self, inputs, state, seq_len_max=None):
        """All steps of time-major `inputs` [time, batch, depth] (the number of steps possibly known only at run
        time) from `state`, in the cell's variable scope: returns (h of every step, c of every step), each
        [time, batch, units]; steps at or after `seq_len_max` (default: none) are skipped and zero."""
        return Layer.__call__(self, inputs, state, _whole_sequence=True, _seq_len_max=seq_len_max)

    def call(self, inputs, state, _whole_sequence=False, _seq_len_max=None):
        c_prev, h_prev = self._split_state(state)
        if _whole_sequence:
            outs = block_lstm(inputs, c_prev, h_prev, self._kernel, self._bias, self._forget_bias, self._cell_clip,
                              self._peepholes(), seq_len_max=_seq_len_max)
            return outs[6], outs[1]
        if inputs.shape.with_rank(2)[1].value is None:
            raise ValueError("Could not infer input size from inputs.get_shape()[-1]")
        c, m = _lstm_step(inputs, c_prev, h_prev, self._kernel, self._bias, self._forget_bias, self._activation,
                          self._peepholes(), self._cell_clip)
        if self._num_proj is not None:
            m = linalg_ops.matmul(m, self._proj_kernel)
            if self._proj_clip is not None:
                m = clip_ops.clip_by_value(m, -self._proj_clip, self._proj_clip)
        return m, self._make_state(c, m)


class BasicLSTMCell(_LSTMBase):
    """The basic LSTM cell (no peepholes, no projection): gates i, j, f, o = split(concat([x, h]) @ kernel +
    bias); c = c_prev * sigmoid(f + forget_bias) + sigmoid(i) * act(j); h = act(c) * sigmoid(o).

    Variables: `basic_lstm_cell/kernel` [depth + units, 4 units], `basic_lstm_cell/bias` [4 units] (zeros).
    State: `LSTMStateTuple(c, h)` (or concat([c, h], 1) with state_is_tuple=False).

    Example:
        >>> cell = tf.nn.rnn_cell.BasicLSTMCell(128)
        >>> outputs, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)
    """

    def __init__(self, num_units, forget_bias=1.0, state_is_tuple=True, activation=None, reuse=None, name=None,
                 dtype=None, **kwargs):
        super().__init__(name=name, dtype=dtype, _reuse=reuse, **kwargs)
        self._num_units = int(num_units)
        self._forget_bias = float(forget_bias)
        self._state_is_tuple = state_is_tuple
        self._activation = _activation(activation)

    @property
    def state_size(self):
        n = self._num_units
        return LSTMStateTuple(n, n) if self._state_is_tuple else 2 * n

    @property
    def output_size(self):
        return self._num_units

    def build(self, inputs_shape):
        depth = _input_depth(inputs_shape, self)
        self._kernel = self.add_weight("kernel", [depth + self._num_units, 4 * self._num_units])
        self._bias = self.add_weight("bias", [4 * self._num_units], initializer=initializers.Zeros())
        self.built = True


class LSTMCell(_LSTMBase):
    """The LSTM cell with optional peepholes (`use_peepholes`), cell clipping and a projection of the output
    (`num_proj`, clipped by `proj_clip`), as TF 1.x's `LSTMCell`.

    Variables: `lstm_cell/kernel` [depth + (num_proj or units), 4 units], `lstm_cell/bias` (zeros), with
    peepholes `lstm_cell/w_f_diag`, `w_i_diag`, `w_o_diag` [units], with a projection
    `lstm_cell/projection/kernel` [units, num_proj]. State: `LSTMStateTuple(c, m)`.
    `num_unit_shards`/`num_proj_shards` (deprecated partitioning) are accepted and ignored.

    Example:
        >>> cell = tf.nn.rnn_cell.LSTMCell(128, use_peepholes=True, num_proj=64)
    """

    def __init__(self, num_units, use_peepholes=False, cell_clip=None, initializer=None, num_proj=None,
                 proj_clip=None, num_unit_shards=None, num_proj_shards=None, forget_bias=1.0, state_is_tuple=True,
                 activation=None, reuse=None, name=None, dtype=None, **kwargs):
        super().__init__(name=name, dtype=dtype, _reuse=reuse, **kwargs)
        self._num_units = int(num_units)
        self._use_peepholes = use_peepholes
        self._cell_clip = cell_clip
        self._initializer = initializer
        self._num_proj = None if num_proj is None else int(num_proj)
        self._proj_clip = proj_clip
        self._forget_bias = float(forget_bias)
        self._state_is_tuple = state_is_tuple
        self._activation = _activation(activation)

    @property
    def state_size(self):
        n, p = self._num_units, self._num_proj or self._num_units
        return LSTMStateTuple(n, p) if self._state_is_tuple else n + p

    @property
    def output_size(self):
        return self._num_proj or self._num_units

    def build(self, inputs_shape):
        depth = _input_depth(inputs_shape, self)
        n, h_depth = self._num_units, self._num_proj or self._num_units
        self._kernel = self.add_weight("kernel", [depth + h_depth, 4 * n], initializer=self._initializer)
        self._bias = self.add_weight("bias", [4 * n], initializer=initializers.Zeros())
        if self._use_peepholes:
            self._w_f_diag = self.add_weight("w_f_diag", [n], initializer=self._initializer)
            self._w_i_diag = self.add_weight("w_i_diag", [n], initializer=self._initializer)
            self._w_o_diag = self.add_weight("w_o_diag", [n], initializer=self._initializer)
        if self._num_proj is not None:
            self._proj_kernel = self.add_weight("projection/kernel", [n, self._num_proj],
                                                initializer=self._initializer)
        self.built = True


class MultiRNNCell(RNNCell):
    """Cells stacked in layers: the output of cell k is the input of cell k+1; the state is a tuple with one
    entry per cell. Each cell's variables live under `multi_rnn_cell/cell_<k>/`.

    Example:
        >>> cell = tf.nn.rnn_cell.MultiRNNCell([tf.nn.rnn_cell.LSTMCell(64) for _ in range(2)])
    """

    def __init__(self, cells, state_is_tuple=True):
        super().__init__()
        if not cells:
            raise ValueError("Must specify at least one cell for MultiRNNCell.")
        if not _is_sequence(cells):
            raise TypeError(f"cells must be a list or tuple, but saw: {cells}.")
        self._cells = list(cells)
        self._state_is_tuple = state_is_tuple
        if not state_is_tuple and any(_is_sequence(c.state_size) for c in self._cells):
            raise ValueError("Some cells return tuples of states, but the flag state_is_tuple is not set.  "
                             f"State sizes are: {[c.state_size for c in self._cells]}")

    @property
    def state_size(self):
        if self._state_is_tuple:
            return tuple(cell.state_size for cell in self._cells)
        return sum(cell.state_size for cell in self._cells)

    @property
    def output_size(self):
        return self._cells[-1].output_size

    def zero_state(self, batch_size, dtype):
        if not self._state_is_tuple:
            return super().zero_state(batch_size, dtype)
        with name_scope(type(self).__name__ + "ZeroState", values=[batch_size]):
            return tuple(cell.zero_state(batch_size, dtype) for cell in self._cells)

    @property
    def trainable_weights(self):
        return [w for cell in self._cells for w in cell.trainable_weights] if self.trainable else []

    @property
    def non_trainable_weights(self):
        return [w for cell in self._cells for w in cell.non_trainable_weights]

    trainable_variables = trainable_weights
    non_trainable_variables = non_trainable_weights

    def call(self, inputs, state):
        cur_inp, pos, new_states = inputs, 0, []
        for i, cell in enumerate(self._cells):
            with variable_scope(f"cell_{i}"):
                if self._state_is_tuple:
                    if not _is_sequence(state):
                        raise ValueError(f"Expected state to be a tuple of length {len(self.state_size)}, but "
                                         f"received: {state}")
                    cur_state = state[i]
                else:
                    cur_state = manip_ops.slice(state, [0, pos], [-1, cell.state_size])
                    pos += cell.state_size
                cur_inp, new_state = cell(cur_inp, cur_state)
                new_states.append(new_state)
        return cur_inp, (tuple(new_states) if self._state_is_tuple else _concat_last(new_states))


# --- wrappers: no variable scope of their own (the wrapped cell's names are unchanged) ----------------------------


from .rnn_cell_wrappers import DeviceWrapper, DropoutWrapper, ResidualWrapper  # noqa: E402,F401
