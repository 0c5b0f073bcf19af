"""`tf.contrib.seq2seq` attention: BahdanauAttention (additive) and LuongAttention (multiplicative) over an
encoder's memory (masked past each row's memory_sequence_length), AttentionWrapper (an RNN cell that attends after
each step and feeds the attention back with the next input), AttentionWrapperState, and tile_batch."""
import collections

import numpy as np

from ..framework import dtypes
from ..framework.apply import convert_to_tensor
from ..framework.graph import name_scope
from ..ops import array_ops, math_ops
from ..ops.concat_ops import concat
from ..ops.grad_support_ops import expand_dims, ones_like, where
from ..ops.reduce_ops import reduce_sum
from ..util import nest
from ..variables.scope import get_variable, variable_scope
from ..nn.rnn_cell import RNNCell

__all__ = ["BahdanauAttention", "LuongAttention", "AttentionWrapper", "AttentionWrapperState", "tile_batch"]


def tile_batch(t, multiplier, name=None):
    """Each batch row repeated `multiplier` times in place ([a, b] -> [a, a, b, b]), through nested structures:
    what beam search needs of an encoder's outputs and state."""
    from ..ops.manip_ops import tile as tile_op

    def tile(x):
        x = convert_to_tensor(x)
        shape = array_ops.shape(x)
        tiled = array_ops.reshape(
            tile_op(expand_dims(x, 1), concat([[1, multiplier], ones_like(shape[1:])], 0)),
            concat([[shape[0] * multiplier], shape[1:]], 0))
        if x.shape.ndims is not None:
            first = x.shape[0].value
            tiled.set_shape([None if first is None else first * multiplier] + x.shape.as_list()[1:])
        return tiled
    with name_scope(name, "tile_batch"):
        return nest.map_structure(tile, t)


class _BaseAttention:
    """Keys = memory_layer(memory) (made at construction); `__call__(query, state)` -> (alignments, next state)."""

    def __init__(self, num_units, memory, memory_sequence_length, probability_fn, score_mask_value, dtype,
                 name):
        from ..layers.core import Dense
        from ..nn.activations import softmax
        self._num_units, self._name = num_units, name
        self._probability_fn = probability_fn or softmax
        with name_scope(None, "memory_layer", [memory]):
            memory = convert_to_tensor(memory, name="memory")
            self._dtype = dtype or memory.dtype.base_dtype
            self._mask = None
            if memory_sequence_length is not None:
                steps = array_ops.shape(memory)[1]
                self._mask = _sequence_mask(memory_sequence_length, steps)
                memory = math_ops.multiply(memory, math_ops.cast(expand_dims(self._mask, 2), memory.dtype))
            self._values = memory
        self.memory_layer = Dense(num_units, name="memory_layer", use_bias=False, dtype=self._dtype)
        self._keys = self.memory_layer(memory)
        self._score_mask_value = -np.inf if score_mask_value is None else score_mask_value

    values = property(lambda self: self._values)
    keys = property(lambda self: self._keys)
    alignments_size = property(lambda self: self._keys.shape[1].value or array_ops.shape(self._keys)[1])
    state_size = alignments_size

    @property
    def batch_size(self):
        return self._keys.shape[0].value or array_ops.shape(self._keys)[0]

    def initial_alignments(self, batch_size, dtype):
        size = self.alignments_size
        return array_ops.zeros(array_ops.stack([batch_size, size]) if not isinstance(size, int) or
                               not isinstance(batch_size, int) else [batch_size, size], dtype=dtype)

    def initial_state(self, batch_size, dtype):
        return self.initial_alignments(batch_size, dtype)

    def _alignments(self, score):
        if self._mask is not None:
            score = where(self._mask, score, array_ops.fill(array_ops.shape(score), convert_to_tensor(
                self._score_mask_value, dtype=score.dtype.base_dtype)))
        return self._probability_fn(score)


def _sequence_mask(lengths, steps):
    from ..ops.index_ops import sequence_mask
    return sequence_mask(lengths, steps)


class BahdanauAttention(_BaseAttention):
    """Additive attention: score_j = v . tanh(keys_j + query_layer(query)) (`normalize`: weight-normalized v
    with gain g and bias b, as TensorFlow's option).

    Example:
        >>> attention = tf.contrib.seq2seq.BahdanauAttention(256, encoder_outputs, source_lengths)
    """

    def __init__(self, num_units, memory, memory_sequence_length=None, normalize=False, probability_fn=None,
                 score_mask_value=None, dtype=None, name="BahdanauAttention"):
        from ..layers.core import Dense
        super().__init__(num_units, memory, memory_sequence_length, probability_fn, score_mask_value, dtype, name)
        self.query_layer = Dense(num_units, name="query_layer", use_bias=False, dtype=self._dtype)
        self._normalize = normalize

    def __call__(self, query, state):
        with variable_scope(None, "bahdanau_attention", [query]):
            processed = expand_dims(self.query_layer(query), 1)
            v = get_variable("attention_v", [self._num_units], dtype=self._dtype)
            if self._normalize:
                g = get_variable("attention_g", dtype=self._dtype,
                                 initializer=np.float32(np.sqrt(1.0 / self._num_units)).astype(
                                     self._dtype.as_numpy_dtype))
                b = get_variable("attention_b", [self._num_units], dtype=self._dtype,
                                 initializer=np.zeros(self._num_units, self._dtype.as_numpy_dtype))
                v = g * v * math_ops.rsqrt(reduce_sum(math_ops.square(v)))
                score = reduce_sum(v * math_ops.tanh(self._keys + processed + b), [2])
            else:
                score = reduce_sum(v * math_ops.tanh(self._keys + processed), [2])
        alignments = self._alignments(score)
        return alignments, alignments


class LuongAttention(_BaseAttention):
    """Multiplicative attention: score_j = query . keys_j (`scale`: times a learned scalar g).

    Example:
        >>> attention = tf.contrib.seq2seq.LuongAttention(256, encoder_outputs, source_lengths)
    """

    def __init__(self, num_units, memory, memory_sequence_length=None, scale=False, probability_fn=None,
                 score_mask_value=None, dtype=None, name="LuongAttention"):
        super().__init__(num_units, memory, memory_sequence_length, probability_fn, score_mask_value, dtype, name)
        self._scale = scale

    def __call__(self, query, state):
        from ..ops.linalg_ops import matmul
        with variable_scope(None, "luong_attention", [query]):
            depth = query.shape[-1].value
            if depth is not None and depth != self._num_units:
                raise ValueError(f"Incompatible or unknown inner dimensions between query and keys.  Query "
                                 f"({query.name}) has units: {depth}.  Keys ({self._keys.name}) have units: "
                                 f"{self._num_units}.  Perhaps you need to set num_units to the keys' dimension "
                                 f"({self._num_units})?")
            score = array_ops.reshape(matmul(expand_dims(query, 1), self._keys, transpose_b=True),
                                      array_ops.shape(self._keys)[:2])
            if self._scale:
                score = get_variable("attention_g", dtype=self._dtype,
                                     initializer=np.asarray(1.0, self._dtype.as_numpy_dtype)) * score
        alignments = self._alignments(score)
        return alignments, alignments


class AttentionWrapperState(collections.namedtuple("AttentionWrapperState", (
        "cell_state", "attention", "time", "alignments", "alignment_history", "attention_state"))):
    """The state of an AttentionWrapper: the wrapped cell's state, the last attention vector, the step count, the
    last alignments (and their history when kept)."""

    def clone(self, **kwargs):
        """This state with the given fields replaced (e.g. `cell_state=encoder_state`)."""
        return self._replace(**kwargs)


class AttentionWrapper(RNNCell):
    """Wraps `cell` so that each step's input is [input, previous attention], and after the step the attention
    mechanism reads the memory with the cell's output as query; the attention vector (attention_layer of
    [cell output, context] when attention_layer_size is set, else the context) is the wrapper's output.

    Example:
        >>> cell = tf.contrib.seq2seq.AttentionWrapper(lstm, attention, attention_layer_size=256)
        >>> state = cell.zero_state(batch_size, tf.float32).clone(cell_state=encoder_state)
    """

    def __init__(self, cell, attention_mechanism, attention_layer_size=None, alignment_history=False,
                 cell_input_fn=None, output_attention=True, initial_cell_state=None, name=None, attention_layer=None):
        from ..layers.core import Dense
        super().__init__(name=name)
        if isinstance(attention_mechanism, (list, tuple)):
            raise NotImplementedError("neuroflow's AttentionWrapper takes one attention mechanism")
        if alignment_history:
            raise NotImplementedError("neuroflow's AttentionWrapper does not keep alignment_history")
        self._cell, self._mechanism = cell, attention_mechanism
        self._cell_input_fn = cell_input_fn or (lambda inputs, attention: concat([inputs, attention], -1))
        self._output_attention, self._initial_cell_state = output_attention, initial_cell_state
        if attention_layer is not None and attention_layer_size is not None:
            raise ValueError("Only one of attention_layer_size and attention_layer should be set")
        self._attention_layer = attention_layer
        if attention_layer_size is not None:
            self._attention_layer = Dense(attention_layer_size, name="attention_layer", use_bias=False,
                                          dtype=attention_mechanism._dtype)
        self._attention_size = attention_layer_size if attention_layer_size is not None else \
            (attention_layer.units if attention_layer is not None else attention_mechanism.values.shape[-1].value)

    @property
    def output_size(self):
        return self._attention_size if self._output_attention else self._cell.output_size

    @property
    def state_size(self):
        return AttentionWrapperState(cell_state=self._cell.state_size, attention=self._attention_size, time=(),
                                     alignments=self._mechanism.alignments_size, alignment_history=(),
                                     attention_state=self._mechanism.state_size)

    def zero_state(self, batch_size, dtype):
        with name_scope(type(self).__name__ + "ZeroState", values=[batch_size]):
            cell_state = self._initial_cell_state if self._initial_cell_state is not None else \
                self._cell.zero_state(batch_size, dtype)
            size = array_ops.stack([batch_size, self._attention_size])
            alignments = self._mechanism.initial_alignments(batch_size, dtype)
            return AttentionWrapperState(cell_state=cell_state, attention=array_ops.zeros(size, dtype=dtype),
                                         time=convert_to_tensor(0, dtype=dtypes.int32), alignments=alignments,
                                         alignment_history=(), attention_state=alignments)

    def build(self, inputs_shape):
        self.built = True

    def call(self, inputs, state):
        if not isinstance(state, AttentionWrapperState):
            raise TypeError(f"Expected state to be instance of AttentionWrapperState. Received type {type(state)} "
                            "instead.")
        cell_inputs = self._cell_input_fn(inputs, state.attention)
        cell_output, next_cell_state = self._cell(cell_inputs, state.cell_state)
        alignments, next_attention_state = self._mechanism(cell_output, state=state.attention_state)
        context = array_ops.reshape(  # the alignment-weighted sum of the memory
            _weighted_sum(alignments, self._mechanism.values),
            array_ops.stack([array_ops.shape(alignments)[0], array_ops.shape(self._mechanism.values)[2]]))
        context.set_shape([cell_output.shape[0].value, self._mechanism.values.shape[-1].value])
        attention = self._attention_layer(concat([cell_output, context], 1)) if self._attention_layer is not None \
            else context
        next_state = AttentionWrapperState(time=state.time + 1, cell_state=next_cell_state, attention=attention,
                                           alignments=alignments, alignment_history=(),
                                           attention_state=next_attention_state)
        return (attention if self._output_attention else cell_output), next_state


def _weighted_sum(alignments, values):
    from ..ops.linalg_ops import matmul
    return matmul(expand_dims(alignments, 1), values)

