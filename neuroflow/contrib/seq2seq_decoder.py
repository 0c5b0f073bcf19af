"""`tf.contrib.seq2seq`'s basic decoding: the helpers that feed a decoder (TrainingHelper: the given inputs,
teacher forcing; GreedyEmbeddingHelper: the embedding of the previous argmax), BasicDecoder (an RNN cell, optionally
followed by an output layer) and dynamic_decode, which runs a decoder in a tf.while_loop until every sequence has
finished, as TensorFlow 1.x's contrib does."""
import collections

from ..framework import dtypes
from ..framework.apply import convert_to_tensor
from ..framework.graph import name_scope
from ..framework.tensor_shape import TensorShape
from ..ops import array_ops, math_ops
from ..ops.grad_support_ops import size, where, zeros_like
from ..ops.reduce_ops import reduce_all
from ..util import nest
from ..variables.scope import variable_scope

__all__ = ["Helper", "TrainingHelper", "GreedyEmbeddingHelper", "Decoder", "BasicDecoder", "BasicDecoderOutput",
           "dynamic_decode"]


def _cond(pred, true_fn, false_fn):
    from ..ops.control_flow_ops import cond
    return cond(pred, true_fn, false_fn)


def _transpose_batch_time(x):
    """[batch, time, ...] <-> [time, batch, ...]."""
    rank = x.shape.ndims
    if rank is None:
        raise ValueError(f"Expected a tensor of known rank, got {x}")
    if rank < 2:
        return x
    from ..ops.manip_ops import transpose
    return transpose(x, [1, 0] + list(range(2, rank)))


class Helper:
    """Interface of the objects that give a decoder its inputs and say when each sequence is finished."""

    @property
    def batch_size(self):
        raise NotImplementedError

    @property
    def sample_ids_shape(self):
        raise NotImplementedError

    @property
    def sample_ids_dtype(self):
        raise NotImplementedError

    def initialize(self, name=None):
        raise NotImplementedError

    def sample(self, time, outputs, state, name=None):
        raise NotImplementedError

    def next_inputs(self, time, outputs, state, sample_ids, name=None):
        raise NotImplementedError


class TrainingHelper(Helper):
    """Feeds the decoder `inputs[:, t]` at step t (teacher forcing); row i finishes after sequence_length[i] steps.

    Example:
        >>> helper = tf.contrib.seq2seq.TrainingHelper(decoder_inputs, target_lengths)
    """

    def __init__(self, inputs, sequence_length, time_major=False, name=None):
        from ..ops.tensor_array_ops import TensorArray
        with name_scope(name, "TrainingHelper", [inputs, sequence_length]):
            inputs = nest.map_structure(convert_to_tensor, inputs)
            if not time_major:
                inputs = nest.map_structure(_transpose_batch_time, inputs)
            self._input_tas = nest.map_structure(
                lambda x: TensorArray(x.dtype.base_dtype, size=array_ops.shape(x)[0],
                                      element_shape=x.shape[1:]).unstack(x), inputs)
            self._sequence_length = convert_to_tensor(sequence_length, name="sequence_length")
            if self._sequence_length.shape.ndims != 1:
                raise ValueError(f"Expected sequence_length to be a vector, but received shape: "
                                 f"{self._sequence_length.shape}")
            self._zero_inputs = nest.map_structure(lambda x: zeros_like(x[0]), inputs)
            self._batch_size = size(self._sequence_length)

    batch_size = property(lambda self: self._batch_size)
    sample_ids_shape = property(lambda self: TensorShape([]))
    sample_ids_dtype = property(lambda self: dtypes.int32)

    def _read(self, time):
        return _cond(reduce_all(self._finished_at(time)), lambda: self._zero_inputs,
                     lambda: nest.map_structure(lambda ta: ta.read(time), self._input_tas))

    def _finished_at(self, time):
        return math_ops.greater_equal(time, self._sequence_length)

    def initialize(self, name=None):
        with name_scope(name, "TrainingHelperInitialize"):
            return self._finished_at(0), self._read(0)

    def sample(self, time, outputs, state, name=None):
        from ..ops.argminmax_ops import argmax
        with name_scope(name, "TrainingHelperSample"):
            return math_ops.cast(argmax(outputs, axis=-1), dtypes.int32)

    def next_inputs(self, time, outputs, state, sample_ids, name=None):
        with name_scope(name, "TrainingHelperNextInputs"):
            next_time = time + 1
            return self._finished_at(next_time), self._read(next_time), state


class GreedyEmbeddingHelper(Helper):
    """Feeds the decoder the embedding of its previous output's argmax, starting from `start_tokens`; a row
    finishes when it emits `end_token`.

    Example:
        >>> helper = tf.contrib.seq2seq.GreedyEmbeddingHelper(embeddings, tf.fill([batch], GO), EOS)
    """

    def __init__(self, embedding, start_tokens, end_token):
        from ..nn.misc import embedding_lookup
        self._embedding_fn = embedding if callable(embedding) else (lambda ids: embedding_lookup(embedding, ids))
        self._start_tokens = convert_to_tensor(start_tokens, dtype=dtypes.int32, name="start_tokens")
        self._end_token = convert_to_tensor(end_token, dtype=dtypes.int32, name="end_token")
        if self._start_tokens.shape.ndims != 1:
            raise ValueError("start_tokens must be a vector")
        if self._end_token.shape.ndims != 0:
            raise ValueError("end_token must be a scalar")
        self._batch_size = size(self._start_tokens)
        self._start_inputs = self._embedding_fn(self._start_tokens)

    batch_size = property(lambda self: self._batch_size)
    sample_ids_shape = property(lambda self: TensorShape([]))
    sample_ids_dtype = property(lambda self: dtypes.int32)

    def initialize(self, name=None):
        finished = array_ops.fill(array_ops.stack([self._batch_size]), False)
        return finished, self._start_inputs

    def sample(self, time, outputs, state, name=None):
        from ..ops.argminmax_ops import argmax
        return argmax(outputs, axis=-1, output_type=dtypes.int32)

    def next_inputs(self, time, outputs, state, sample_ids, name=None):
        finished = math_ops.equal(sample_ids, self._end_token)
        next_inputs = _cond(reduce_all(finished), lambda: self._start_inputs, lambda: self._embedding_fn(sample_ids))
        return finished, next_inputs, state


class Decoder:
    """Interface of a decoder run by dynamic_decode: `initialize()` -> (finished, inputs, state);
    `step(time, inputs, state)` -> (outputs, next_state, next_inputs, finished)."""

    tracks_own_finished = False

    def finalize(self, outputs, final_state, sequence_lengths):
        raise NotImplementedError


class BasicDecoderOutput(collections.namedtuple("BasicDecoderOutput", ("rnn_output", "sample_id"))):
    pass


class BasicDecoder(Decoder):
    """An RNN cell (and optionally a dense `output_layer` on its outputs) stepped by a Helper.

    Example:
        >>> decoder = tf.contrib.seq2seq.BasicDecoder(cell, helper, encoder_state, output_layer=projection)
        >>> outputs, state, lengths = tf.contrib.seq2seq.dynamic_decode(decoder)
    """

    def __init__(self, cell, helper, initial_state, output_layer=None):
        if not callable(cell):
            raise TypeError(f"cell must be an RNNCell, received: {type(cell)}")
        if not isinstance(helper, Helper):
            raise TypeError(f"helper must be a Helper, received: {type(helper)}")
        self._cell, self._helper, self._initial_state = cell, helper, initial_state
        self._output_layer = output_layer

    batch_size = property(lambda self: self._helper.batch_size)

    def initialize(self, name=None):
        return self._helper.initialize() + (self._initial_state,)

    def step(self, time, inputs, state, name=None):
        with name_scope(name, "BasicDecoderStep", (time, inputs, state)):
            cell_outputs, cell_state = self._cell(inputs, state)
            if self._output_layer is not None:
                cell_outputs = self._output_layer(cell_outputs)
            sample_ids = self._helper.sample(time=time, outputs=cell_outputs, state=cell_state)
            finished, next_inputs, next_state = self._helper.next_inputs(time=time, outputs=cell_outputs,
                                                                         state=cell_state, sample_ids=sample_ids)
        return BasicDecoderOutput(cell_outputs, sample_ids), next_state, next_inputs, finished


def dynamic_decode(decoder, output_time_major=False, impute_finished=False, maximum_iterations=None,
                   parallel_iterations=32, swap_memory=False, scope=None):
    """Runs `decoder` step by step in a tf.while_loop until every row has finished (or `maximum_iterations`).

    Args:
        output_time_major: outputs [time, batch, ...] instead of [batch, time, ...].
        impute_finished: finished rows emit zeros and keep their state.

    Returns:
        (final_outputs, final_state, final_sequence_lengths): outputs stacked over the steps taken (a
        BasicDecoderOutput for a BasicDecoder), the last state, and each row's length (steps until it finished).
    """
    from ..ops.tensor_array_ops import TensorArray
    from ..ops.while_ops import while_loop
    if not isinstance(decoder, Decoder):
        raise TypeError(f"Expected decoder to be type Decoder, but saw: {type(decoder)}")
    with variable_scope(scope or "decoder"):
        if maximum_iterations is not None:
            maximum_iterations = convert_to_tensor(maximum_iterations, dtype=dtypes.int32, name="maximum_iterations")
            if maximum_iterations.shape.ndims != 0:
                raise ValueError("maximum_iterations must be a scalar")
        initial_finished, initial_inputs, initial_state = decoder.initialize()
        if maximum_iterations is not None:
            initial_finished = math_ops.logical_or(initial_finished, math_ops.greater_equal(0, maximum_iterations))
        initial_lengths = math_ops.cast(zeros_like(initial_finished), dtypes.int32)

        # One step outside the loop gives the outputs' structure, dtypes and shapes for the TensorArrays
        # (the loop body builds the same ops again; the cell's variables are created here, once).
        with name_scope("probe"):
            probe, _, _, _ = decoder.step(convert_to_tensor(0), initial_inputs, initial_state)
        output_tas = nest.map_structure(
            lambda out: TensorArray(out.dtype.base_dtype, size=0, dynamic_size=True, element_shape=out.shape), probe)
        zero_outputs = nest.map_structure(lambda out: _zeros_like_step(out, decoder.batch_size), probe)

        def condition(time, outputs_ta, state, inputs, finished, lengths):
            return math_ops.logical_not(reduce_all(finished))

        def body(time, outputs_ta, state, inputs, finished, lengths):
            outputs, decoder_state, next_inputs, decoder_finished = decoder.step(time, inputs, state)
            next_finished = decoder_finished if decoder.tracks_own_finished else \
                math_ops.logical_or(decoder_finished, finished)
            if maximum_iterations is not None:
                next_finished = math_ops.logical_or(next_finished, math_ops.greater_equal(time + 1,
                                                                                        maximum_iterations))
            next_lengths = where(math_ops.logical_not(finished), array_ops.fill(array_ops.shape(lengths), time + 1),
                                 lengths)
            if impute_finished:
                outputs = nest.map_structure(lambda out, zero: _select_rows(finished, zero, out), outputs,
                                             zero_outputs)
                decoder_state = nest.map_structure(lambda new, cur: _select_rows(finished, cur, new),
                                                   decoder_state, state)
            outputs_ta = nest.map_structure(lambda ta, out: ta.write(time, out), outputs_ta, outputs)
            return time + 1, outputs_ta, decoder_state, next_inputs, next_finished, next_lengths

        result = while_loop(condition, body, (convert_to_tensor(0), output_tas, initial_state, initial_inputs,
                                              initial_finished, initial_lengths),
                            parallel_iterations=parallel_iterations, maximum_iterations=maximum_iterations,
                            swap_memory=swap_memory)
        final_outputs = nest.map_structure(lambda ta: ta.stack(), result[1])
        final_state, final_lengths = result[2], result[5]
        try:
            final_outputs, final_state = decoder.finalize(final_outputs, final_state, final_lengths)
        except NotImplementedError:
            pass
        if not output_time_major:
            final_outputs = nest.map_structure(_transpose_batch_time, final_outputs)
    return final_outputs, final_state, final_lengths


def _zeros_like_step(out, batch_size):
    """Zeros shaped like one step's output, from static dims where known (so the probe step need not run)."""
    dims = out.shape[1:].as_list() if out.shape.ndims is not None else None
    if dims is None or None in dims:
        return zeros_like(out)
    from ..ops.concat_ops import concat
    from ..ops.grad_support_ops import expand_dims
    shape = concat([expand_dims(math_ops.cast(batch_size, dtypes.int32), 0),
                    convert_to_tensor(dims, dtype=dtypes.int32)], 0)
    return array_ops.zeros(shape, dtype=out.dtype.base_dtype)


def _select_rows(finished, when_finished, otherwise):
    """Per row (the first axis): `when_finished` where `finished`, else `otherwise`."""
    from ..ops.grad_support_ops import expand_dims
    rank = otherwise.shape.ndims
    mask = finished
    for _ in range((rank or 1) - 1):
        mask = expand_dims(mask, -1)
    return where(math_ops.logical_and(mask, array_ops.fill(array_ops.shape(otherwise), True)), when_finished,
                 otherwise)
