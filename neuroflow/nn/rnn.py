"""`tf.nn.dynamic_rnn`, `static_rnn`, `bidirectional_dynamic_rnn`, `static_bidirectional_rnn`: running a cell over
time, plus `reverse_sequence` (which the backward direction needs).

A plain LSTM cell runs the whole sequence as one fused BlockLSTM node, whose number of time steps may be known
only at run time (a [None, None, depth] input). Other cells are unrolled over the time steps when the graph knows
their number (the usual TF 1.x case, e.g. a placeholder of shape [None, 28, 28]), and run in a tf.while_loop
over time when it does not (nn/rnn_loop.py, also home of `raw_rnn`). The results are TensorFlow's: outputs past
a sequence's length are zero and its final state is the state at its last valid step.
"""
from ..framework import dtypes
from ..framework.apply import convert_to_tensor
from ..framework.constant_op import constant
from ..ops import array_ops, index_ops, manip_ops, math_ops, reduce_ops
from ..ops.concat_ops import concat
from ..ops.grad_support_ops import expand_dims, where
from ..ops.reverse_sequence_op import reverse_sequence_op
from ..variables.scope import variable_scope
from ..util import nest
from .rnn_cell import RNNCell, _is_sequence
from .rnn_loop import loop_dynamic_rnn, raw_rnn

__all__ = ["dynamic_rnn", "static_rnn", "bidirectional_dynamic_rnn", "static_bidirectional_rnn", "reverse_sequence",
           "raw_rnn"]


def _check_cell(cell, what="cell"):
    if not (isinstance(cell, RNNCell) or all(hasattr(cell, a) for a in ("output_size", "state_size", "__call__"))):
        raise TypeError(f"{what} must be an instance of RNNCell")


def _batch_size(flat_inputs, batch_axis):
    """The batch size: a Python int when some input knows it statically, else a scalar tensor."""
    sizes = [x.shape[batch_axis].value for x in flat_inputs]
    known = {s for s in sizes if s is not None}
    if len(known) > 1:
        raise ValueError("Batch_size is not the same for all the elements in the input.")
    if known:
        return known.pop()
    return array_ops.shape(flat_inputs[0])[batch_axis]


def _checked_lengths(sequence_length):
    """sequence_length as an int32 vector named like TF's (a ValueError when it is not a vector)."""
    seq = math_ops.cast(sequence_length, dtypes.int32)
    if seq.shape.ndims not in (None, 1):
        raise ValueError(f"sequence_length must be a vector of length batch_size, but saw shape: {seq.shape}")
    return array_ops.identity(seq, name="sequence_length")


def _sequence_masks(sequence_length, steps):
    """Where each step is inside its sequence: one [batch, 1] boolean mask per step."""
    mask = expand_dims(index_ops.sequence_mask(_checked_lengths(sequence_length), steps), 2)
    return array_ops.unstack(mask, num=steps, axis=1, name="mask")


def _unroll(cell, step_inputs, initial_state, dtype, batch_size, sequence_length, varscope):
    """Runs `cell` over the list of per-step inputs; returns (list of per-step outputs, final state)."""
    state = _initial_state(cell, initial_state, dtype, batch_size)
    masks = _sequence_masks(sequence_length, len(step_inputs)) if sequence_length is not None else None
    outputs = []
    for t, x_t in enumerate(step_inputs):
        if t > 0:
            varscope.reuse_variables()  # as TF's static_rnn: cells that call get_variable directly share them
        output, new_state = cell(x_t, state)
        if masks is not None:
            # Past its length a sequence emits zeros and carries its state through unchanged (TF's semantics).
            m = masks[t]
            output = nest.map_structure(lambda o: where(m, o, constant(0, dtype=o.dtype.base_dtype)), output)
            new_state = nest.map_structure(lambda n, p: where(m, n, p), new_state, state)
        outputs.append(output)
        state = new_state
    return outputs, state


def _initial_state(cell, initial_state, dtype, batch_size):
    if initial_state is not None:
        return initial_state
    if not dtype:
        raise ValueError("If there is no initial_state, you must give a dtype.")
    return cell.zero_state(batch_size, dtype)


def _state_at(all_steps, initial, lengths):
    """The value of each batch entry at its last valid step: all_steps[lengths[b] - 1, b] (initial[b] when
    lengths[b] is 0), by a gather on the [time + 1, batch]-flattened states."""
    stacked = concat([expand_dims(initial, 0), all_steps], 0)
    width = all_steps.shape[-1].value
    batch = array_ops.shape(all_steps)[1]
    flat = array_ops.reshape(stacked, [-1, width])
    out = index_ops.gather(flat, lengths * batch + index_ops.range(batch))
    out.set_shape(initial.shape)
    return out


def _fused_dynamic_rnn(cell, x, steps, batch, sequence_length, initial_state, dtype, time_major):
    """dynamic_rnn for a plain LSTM cell as one BlockLSTM op over the whole sequence (same results as the
    unrolled cell, a fraction of the nodes). `steps` is an int, or a scalar tensor when the number of time steps
    is known only at run time; then, with `sequence_length`, steps past the longest sequence are not computed.
    (A static number of steps stays a constant of the graph, which ONNX export needs.)"""
    state = _initial_state(cell, initial_state, dtype, batch)
    x_tm = x if time_major else manip_ops.transpose(x, [1, 0, 2])
    if sequence_length is None:
        h_all, c_all = cell._call_sequence(x_tm, state)
        c_last, h_last, outputs = c_all[-1], h_all[-1], h_all
    else:
        lengths = _checked_lengths(sequence_length)
        longest = reduce_ops.reduce_max(lengths) if not isinstance(steps, int) else None
        h_all, c_all = cell._call_sequence(x_tm, state, seq_len_max=longest)
        masks = expand_dims(manip_ops.transpose(index_ops.sequence_mask(lengths, steps), [1, 0]), 2)  # [T, B, 1]
        c0, h0 = cell._split_state(state)
        c_last, h_last = _state_at(c_all, c0, lengths), _state_at(h_all, h0, lengths)
        outputs = where(masks, h_all, constant(0, dtype=h_all.dtype.base_dtype))
    if not time_major:
        outputs = manip_ops.transpose(outputs, [1, 0, 2])
    return outputs, cell._make_state(c_last, h_last)


def _time_steps(flat_inputs, time_axis):
    """The number of time steps when the graph knows it, else None (it is known only at run time)."""
    steps = set()
    for x in flat_inputs:
        if x.shape.ndims is not None and x.shape.ndims < 3:
            raise ValueError(f"Shape {x.shape} must have rank at least 3")
        d = x.shape[time_axis].value if x.shape.ndims is not None else None
        if d is not None:
            steps.add(d)
    if len(steps) > 1:
        raise ValueError(f"All inputs should have the same number of time steps, got {sorted(steps)}")
    return steps.pop() if steps else None


def dynamic_rnn(cell, inputs, sequence_length=None, initial_state=None, dtype=None, parallel_iterations=None,
                swap_memory=False, time_major=False, scope=None):
    """Runs `cell` over the time axis of `inputs`.

    Args:
        cell: an RNNCell.
        inputs: [batch, time, depth] (or [time, batch, depth] with time_major), or a nested tuple of such;
            the number of time steps may be unknown until run time.
        sequence_length: optional int vector [batch]: outputs past a sequence's length are zeros and its final
            state is the state at its last valid step.
        initial_state: the cell's initial state (default: zeros, which needs `dtype`).
        dtype: the dtype of the initial state and outputs.
        parallel_iterations, swap_memory: passed to the while loop (iterations run in order either way).
        time_major: whether inputs and outputs are [time, batch, ...].
        scope: the variable scope (default "rnn": variables are `rnn/<cell name>/...`).

    Returns:
        (outputs, state): outputs [batch, time, cell.output_size] (time-major if `time_major`), and the final
        state shaped like `cell.state_size`.

    Raises:
        ValueError: no initial_state and no dtype; inputs of rank below 3 or of unknown depth; a
            sequence_length that is not a vector.
        TypeError: `cell` is not an RNNCell.

    Example:
        >>> x = tf.placeholder(tf.float32, [None, 28, 28])
        >>> outputs, state = tf.nn.dynamic_rnn(tf.nn.rnn_cell.LSTMCell(128), x, dtype=tf.float32)
        >>> last = outputs[:, -1]      # [batch, 128]; state.h is the same tensor's value
        >>> x = tf.placeholder(tf.float32, [None, None, 8])       # the length of each batch only at run time
        >>> lengths = tf.placeholder(tf.int32, [None])
        >>> outputs, state = tf.nn.dynamic_rnn(tf.nn.rnn_cell.GRUCell(32), x, sequence_length=lengths,
        ...                                    dtype=tf.float32)  # state: each sequence's last valid step
    """
    _check_cell(cell)
    with variable_scope(scope or "rnn") as varscope:
        flat = [convert_to_tensor(x) for x in nest.flatten(inputs)]
        time_axis, batch_axis = (0, 1) if time_major else (1, 0)
        steps = _time_steps(flat, time_axis)
        for x in flat:
            if x.shape.ndims is not None and x.shape[-1].value is None:
                raise ValueError("Input size (depth of inputs) must be accessible via shape inference, but saw "
                                 "value None.")
        batch = _batch_size(flat, batch_axis)
        if not _is_sequence(inputs) and getattr(cell, "_fused_sequence_ok", lambda: False)():
            if steps is None:
                steps = array_ops.shape(flat[0])[time_axis]
            return _fused_dynamic_rnn(cell, flat[0], steps, batch, sequence_length, initial_state, dtype,
                                      time_major)
        if steps is None:
            lengths = _checked_lengths(sequence_length) if sequence_length is not None else None
            state = _initial_state(cell, initial_state, dtype, batch)
            return loop_dynamic_rnn(cell, inputs, flat, state, lengths, time_major, parallel_iterations,
                                    swap_memory)
        per_input = [array_ops.unstack(x, num=steps, axis=time_axis) for x in flat]
        step_inputs = [nest.pack_sequence_as(inputs, [p[t] for p in per_input]) for t in range(steps)]
        outputs, state = _unroll(cell, step_inputs, initial_state, dtype, batch, sequence_length, varscope)
        flat_out = [array_ops.stack(list(column), axis=time_axis) for column in zip(*[nest.flatten(o) for o in outputs])]
        return nest.pack_sequence_as(outputs[0], flat_out), state


def static_rnn(cell, inputs, initial_state=None, dtype=None, sequence_length=None, scope=None):
    """Runs `cell` over a Python list of per-step inputs (each [batch, depth]).

    Returns:
        (outputs, state): a list with one [batch, output_size] output per step, and the final state.
        With `sequence_length`, outputs past a sequence's length are zeros and its state is carried through.

    Raises:
        TypeError: `inputs` is not a list or tuple, or `cell` is not an RNNCell.
        ValueError: `inputs` is empty, or no initial_state and no dtype.

    Example:
        >>> xs = tf.unstack(x, 28, axis=1)
        >>> outputs, state = tf.nn.static_rnn(tf.nn.rnn_cell.BasicLSTMCell(128), xs, dtype=tf.float32)
    """
    _check_cell(cell)
    if not _is_sequence(inputs):
        raise TypeError("inputs must be a sequence")
    if not inputs:
        raise ValueError("inputs must not be empty")
    with variable_scope(scope or "rnn") as varscope:
        flat0 = [convert_to_tensor(x) for x in nest.flatten(inputs[0])]
        for x in flat0:
            if x.shape.ndims is not None and x.shape.ndims >= 2 and x.shape[-1].value is None:
                raise ValueError(f"Input size (dimension {x.shape.ndims - 1} of inputs) must be accessible via "
                                 "shape inference, but saw value None.")
        batch = _batch_size(flat0, 0)
        outputs, state = _unroll(cell, list(inputs), initial_state, dtype, batch, sequence_length, varscope)
        return outputs, state


def reverse_sequence(input, seq_lengths, seq_axis=None, batch_axis=None, name=None, seq_dim=None,  # noqa: A002
                     batch_dim=None):
    """Reverses the first `seq_lengths[b]` entries along `seq_axis` of each batch entry b (the rest stay put).

    One ReverseSequence op (ops/reverse_sequence_op.py), as TensorFlow writes it; differentiable.

    Args:
        input: a tensor of rank 2 or more.
        seq_lengths: int vector [batch], each at most the size of `seq_axis`.
        seq_axis, batch_axis: the time and batch axes (`seq_dim`, `batch_dim`: TF's deprecated names);
            batch_axis defaults to 0.

    Example:
        >>> tf.nn.reverse_sequence([[1, 2, 3], [4, 5, 6]], [2, 3], seq_axis=1)   # [[2, 1, 3], [6, 5, 4]]
    """
    seq_axis = seq_axis if seq_axis is not None else seq_dim
    batch_axis = batch_axis if batch_axis is not None else (batch_dim if batch_dim is not None else 0)
    if seq_axis is None:
        raise ValueError("reverse_sequence needs seq_axis")
    x = convert_to_tensor(input, name="input")
    rank = x.shape.ndims
    if rank is not None:   # negative axes count from the end (TensorFlow's op takes only 0 <= axis < rank)
        seq_axis, batch_axis = (a + rank if -rank <= a < 0 else a for a in (seq_axis, batch_axis))
    if seq_axis == batch_axis:
        raise ValueError(f"seq_axis ({seq_axis}) and batch_axis ({batch_axis}) must differ")
    return reverse_sequence_op(x, seq_lengths, seq_axis, batch_axis, name=name)


def _reverse(x, seq_lengths, seq_axis, batch_axis):
    if seq_lengths is not None:
        return reverse_sequence(x, seq_lengths, seq_axis=seq_axis, batch_axis=batch_axis)
    return manip_ops.reverse(x, axis=[seq_axis])


def bidirectional_dynamic_rnn(cell_fw, cell_bw, inputs, sequence_length=None, initial_state_fw=None,
                              initial_state_bw=None, dtype=None, parallel_iterations=None, swap_memory=False,
                              time_major=False, scope=None):
    """A forward and a backward `dynamic_rnn` over the same inputs; the backward one reads each sequence in
    reverse within its length, and its outputs are reversed back so both are aligned with the inputs.

    Variables live under `bidirectional_rnn/fw/...` and `bidirectional_rnn/bw/...`.

    Returns:
        ((output_fw, output_bw), (output_state_fw, output_state_bw)).

    Example:
        >>> (out_fw, out_bw), _ = tf.nn.bidirectional_dynamic_rnn(fw, bw, x, dtype=tf.float32)
        >>> out = tf.concat([out_fw, out_bw], axis=2)
    """
    _check_cell(cell_fw, "cell_fw")
    _check_cell(cell_bw, "cell_bw")
    with variable_scope(scope or "bidirectional_rnn"):
        with variable_scope("fw") as fw_scope:
            output_fw, state_fw = dynamic_rnn(cell_fw, inputs, sequence_length=sequence_length,
                                              initial_state=initial_state_fw, dtype=dtype, time_major=time_major,
                                              scope=fw_scope)
        time_axis, batch_axis = (0, 1) if time_major else (1, 0)
        with variable_scope("bw") as bw_scope:
            inputs_reverse = nest.map_structure(lambda x: _reverse(convert_to_tensor(x), sequence_length, time_axis, batch_axis),
                                  inputs)
            tmp, state_bw = dynamic_rnn(cell_bw, inputs_reverse, sequence_length=sequence_length,
                                        initial_state=initial_state_bw, dtype=dtype, time_major=time_major,
                                        scope=bw_scope)
    output_bw = nest.map_structure(lambda x: _reverse(x, sequence_length, time_axis, batch_axis), tmp)
    return (output_fw, output_bw), (state_fw, state_bw)


def _reverse_list(inputs, sequence_length):
    """A list of per-step tensors reversed in time (within each sequence's length when given)."""
    if sequence_length is None:
        return list(reversed(inputs))
    flat_steps = [nest.flatten(x) for x in inputs]
    columns = []
    for column in zip(*flat_steps):
        stacked = array_ops.stack(list(column))
        reversed_ = reverse_sequence(stacked, sequence_length, seq_axis=0, batch_axis=1)
        columns.append(array_ops.unstack(reversed_, num=len(inputs)))
    return [nest.pack_sequence_as(inputs[t], [c[t] for c in columns]) for t in range(len(inputs))]


def static_bidirectional_rnn(cell_fw, cell_bw, inputs, initial_state_fw=None, initial_state_bw=None, dtype=None,
                             sequence_length=None, scope=None):
    """The bidirectional `static_rnn`: returns (outputs, output_state_fw, output_state_bw) where each output is
    concat([forward output, backward output], 1).

    Example:
        >>> outputs, s_fw, s_bw = tf.nn.static_bidirectional_rnn(fw, bw, tf.unstack(x, 28, 1), dtype=tf.float32)
    """
    _check_cell(cell_fw, "cell_fw")
    _check_cell(cell_bw, "cell_bw")
    if not _is_sequence(inputs):
        raise TypeError("inputs must be a sequence")
    if not inputs:
        raise ValueError("inputs must not be empty")
    with variable_scope(scope or "bidirectional_rnn"):
        with variable_scope("fw") as fw_scope:
            output_fw, state_fw = static_rnn(cell_fw, inputs, initial_state_fw, dtype, sequence_length,
                                             scope=fw_scope)
        with variable_scope("bw") as bw_scope:
            tmp, state_bw = static_rnn(cell_bw, _reverse_list(inputs, sequence_length), initial_state_bw, dtype,
                                       sequence_length, scope=bw_scope)
    output_bw = _reverse_list(tmp, sequence_length)
    outputs = [nest.map_structure(lambda f, b: concat([f, b], 1), fw, bw) for fw, bw in zip(output_fw, output_bw)]
    return outputs, state_fw, state_bw
