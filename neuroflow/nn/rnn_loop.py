"""RNNs as a `tf.while_loop` over time: `dynamic_rnn` for cells without a fused whole-sequence kernel when the
number of time steps is known only at run time (inputs read from, outputs written to TensorArrays, as
TensorFlow's own dynamic_rnn does), and `tf.nn.raw_rnn`, whose `loop_fn` decides each step's input and when
each batch entry is finished."""
from ..framework import dtypes
from ..framework.apply import convert_to_tensor
from ..framework.constant_op import constant
from ..framework.tensor_shape import TensorShape
from ..ops import array_ops, manip_ops, math_ops, reduce_ops
from ..ops.concat_ops import concat
from ..ops.grad_support_ops import ones_like, where
from ..util import nest
from ..variables.scope import get_variable_scope

__all__ = ["raw_rnn"]


def _size_shape(size):
    """The per-entry shape of a cell's output_size / state_size entry (an int or a TensorShape-like)."""
    return TensorShape([size]) if isinstance(size, int) else TensorShape(size)


def _rows(mask, like):
    """A [batch] boolean `mask` shaped to select whole rows of `like` [batch, ...] in `where`."""
    rank = like.shape.ndims
    if rank is None:
        extra = ones_like(array_ops.shape(like)[1:])
        return array_ops.reshape(mask, concat([array_ops.shape(mask), extra], 0))
    return array_ops.reshape(mask, [-1] + [1] * (rank - 1)) if rank > 1 else mask


def _zeros_for(batch, size, dtype):
    """zeros [batch] + size: size an int, a TensorShape or a run-time shape vector."""
    if isinstance(size, (int, TensorShape)):
        from .rnn_cell import _zeros
        return _zeros(size, batch, dtype)
    return array_ops.zeros(concat([array_ops.reshape(convert_to_tensor(batch, dtype=dtypes.int32), [1]), size], 0),
                           dtype=dtype)


def _assert_same_structure(a, b):
    """TensorFlow's check that two nests nest alike (containers and lengths; the leaves may differ)."""
    def skeleton(s):
        if isinstance(s, dict):
            return {k: skeleton(v) for k, v in s.items()}
        if isinstance(s, (list, tuple)):
            return [skeleton(v) for v in s]
        return None
    if skeleton(a) != skeleton(b):
        raise ValueError(f"The two structures don't have the same nested structure.\n\nFirst structure: {a!r}\n\n"
                         f"Second structure: {b!r}")


def _make_variables_outside(cell, first_input, state):
    """A variable made inside a loop body would belong to the body's sub-graph: one call outside the loop (on the
    first step's input) makes the cell's variables in the graph, as TensorFlow lifts them out of its loops.
    Nothing fetches that call's ops, so a Session never runs them. A cell that is no Layer (one calling
    get_variable itself) then finds its variables by reuse, as in a static unroll's later steps."""
    if not getattr(cell, "built", False):
        cell(first_input, state)
        if not hasattr(cell, "built"):
            get_variable_scope().reuse_variables()


def _static_dim(flat, axis):
    """The size of `axis` that the inputs' static shapes agree on, else None."""
    sizes = {x.shape[axis].value for x in flat if x.shape.ndims is not None and x.shape[axis].value is not None}
    return sizes.pop() if len(sizes) == 1 else None


def loop_dynamic_rnn(cell, inputs, flat, state, lengths, time_major, parallel_iterations, swap_memory):
    """`dynamic_rnn`'s loop: `flat` the flattened inputs (laid out as `time_major` says), `state` the initial
    state, `lengths` the int32 sequence lengths or None. Steps run up to the longest sequence (at least one,
    at most the time dimension); outputs past each length are zeros and the state is carried through there.
    Returns (outputs in `cell.output_size`'s structure, laid out like the inputs, and the final state)."""
    from ..ops.tensor_array_ops import TensorArray
    from ..ops.while_ops import while_loop
    flat_tm = [x if time_major else manip_ops.transpose(x, [1, 0] + list(range(2, x.shape.ndims))) for x in flat]
    time_steps = array_ops.shape(flat_tm[0])[0]
    static_steps = _static_dim(flat_tm, 0)
    static_batch = _static_dim(flat_tm, 1)
    flat_state = nest.flatten(state)
    out_dtype = flat_state[0].dtype.base_dtype
    flat_sizes = [_size_shape(s) for s in nest.flatten(cell.output_size)]
    if lengths is None:
        loop_bound = time_steps
    else:
        loop_bound = math_ops.minimum(time_steps, math_ops.maximum(1, reduce_ops.reduce_max(lengths)))
    input_tas = [TensorArray(x.dtype.base_dtype, size=time_steps, element_shape=x.shape[1:],
                             tensor_array_name=f"input_{k}").unstack(x) for k, x in enumerate(flat_tm)]
    output_tas = tuple(TensorArray(out_dtype, size=loop_bound, tensor_array_name=f"output_{k}",
                                   element_shape=TensorShape([static_batch]).concatenate(size))
                       for k, size in enumerate(flat_sizes))

    _make_variables_outside(cell, nest.pack_sequence_as(inputs, [x[0] for x in flat_tm]), state)

    def step(time, outputs_ta, state):
        x_t = [ta.read(time) for ta in input_tas]
        for x, x_tm in zip(x_t, flat_tm):
            x.set_shape(x_tm.shape[1:])
        output, new_state = cell(nest.pack_sequence_as(inputs, x_t), state)
        if lengths is not None:
            live = math_ops.less(time, lengths)      # [batch]: past its length an entry keeps its state
            output = nest.map_structure(lambda o: where(_rows(live, o), o, constant(0, dtype=o.dtype.base_dtype)),
                                        output)
            new_state = nest.map_structure(lambda n, p: where(_rows(live, n), n, p), new_state, state)
        outputs_ta = tuple(ta.write(time, o) for ta, o in zip(outputs_ta, nest.flatten(output)))
        return time + 1, outputs_ta, new_state

    _, outputs_ta, final_state = while_loop(
        lambda time, *_: math_ops.less(time, loop_bound), step,
        (constant(0, dtypes.int32, name="time"), output_tas, state),
        parallel_iterations=parallel_iterations or 32, swap_memory=swap_memory, maximum_iterations=time_steps)
    outputs = []
    for ta, size in zip(outputs_ta, flat_sizes):
        out = ta.stack()
        if lengths is not None:   # the steps after the longest sequence: zeros
            pad_shape = concat([[time_steps - loop_bound], array_ops.shape(out)[1:]], 0)
            out = concat([out, array_ops.zeros(pad_shape, dtype=out.dtype)], 0)
        out.set_shape(TensorShape([static_steps, static_batch]).concatenate(size))
        outputs.append(out if time_major else manip_ops.transpose(out, [1, 0] + list(range(2, out.shape.ndims))))
    return nest.pack_sequence_as(cell.output_size, outputs), final_state


def raw_rnn(cell, loop_fn, parallel_iterations=None, swap_memory=False, scope=None):
    """Runs `cell` in a while loop whose every step `loop_fn` steers (TensorFlow's `tf.nn.raw_rnn`).

    `loop_fn(time, cell_output, cell_state, loop_state)` returns `(finished, next_input, next_cell_state,
    emit_output, next_loop_state)`. It is called once before the loop with `cell_output`, `cell_state` and
    `loop_state` None (then `next_cell_state` is the initial state and `emit_output` the structure, dtype and
    shape of what is emitted, or None for `cell.output_size`), and after each step. Entries already finished
    emit zeros and keep their state. The loop ends when every entry is finished.

    Returns:
        (emit_ta, final_state, final_loop_state): TensorArrays (in the emit structure) holding each step's
        emitted [batch, ...] value, the final cell state, and the final loop state (None if loop_fn gave none).

    Raises:
        TypeError: `cell` is not an RNNCell or `loop_fn` is not callable.

    Example:
        >>> def loop_fn(time, cell_output, cell_state, loop_state):
        ...     state = cell.zero_state(batch, tf.float32) if cell_output is None else cell_state
        ...     finished = time >= lengths
        ...     next_input = tf.cond(tf.reduce_all(finished), lambda: tf.zeros([batch, depth]),
        ...                          lambda: inputs_ta.read(time))
        ...     return finished, next_input, state, cell_output, None
        >>> outputs_ta, final_state, _ = tf.nn.raw_rnn(cell, loop_fn)
        >>> outputs = outputs_ta.stack()          # [time, batch, cell.output_size]
    """
    from ..ops.tensor_array_ops import TensorArray
    from ..ops.while_ops import while_loop
    from ..variables.scope import variable_scope
    from .rnn import _check_cell
    _check_cell(cell)
    if not callable(loop_fn):
        raise TypeError("loop_fn must be a callable")
    parallel_iterations = parallel_iterations or 32
    with variable_scope(scope or "rnn"):
        time = constant(0, dtype=dtypes.int32)
        finished, next_input, initial_state, emit_structure, init_loop_state = loop_fn(time, None, None, None)
        flat_input = [convert_to_tensor(x) for x in nest.flatten(next_input)]
        loop_state = init_loop_state if init_loop_state is not None else constant(0, dtype=dtypes.int32)
        const_batch = _static_dim(flat_input, 0)
        batch = const_batch if const_batch is not None else array_ops.shape(flat_input[0])[0]
        _assert_same_structure(initial_state, cell.state_size)
        state = nest.map_structure(convert_to_tensor, initial_state)
        _make_variables_outside(cell, next_input, state)
        if emit_structure is not None:
            flat_emit = nest.flatten(emit_structure)
            flat_emit_size = [e.shape if e.shape.is_fully_defined() else array_ops.shape(e) for e in flat_emit]
            flat_emit_dtypes = [e.dtype.base_dtype for e in flat_emit]
        else:
            emit_structure = cell.output_size
            flat_emit_size = nest.flatten(emit_structure)
            flat_emit_dtypes = [nest.flatten(state)[0].dtype.base_dtype] * len(flat_emit_size)

        def static_shape(size):
            return size if isinstance(size, TensorShape) else (
                _size_shape(size) if isinstance(size, (int, list, tuple)) else TensorShape(None))
        flat_emit_ta = [TensorArray(dt, size=0, dynamic_size=True, name=f"rnn_output_{k}",
                                    element_shape=TensorShape([const_batch]).concatenate(static_shape(size)))
                        for k, (dt, size) in enumerate(zip(flat_emit_dtypes, flat_emit_size))]
        emit_ta = nest.pack_sequence_as(emit_structure, flat_emit_ta)
        zero_emit = nest.pack_sequence_as(emit_structure, [_zeros_for(batch, size, dt)
                                                           for size, dt in zip(flat_emit_size, flat_emit_dtypes)])

        def condition(unused_time, finished, *_):
            return math_ops.logical_not(reduce_ops.reduce_all(finished))

        def body(time, finished, current_input, emit_ta, state, loop_state):
            next_output, cell_state = cell(current_input, state)
            _assert_same_structure(state, cell_state)
            _assert_same_structure(cell.output_size, next_output)
            next_time = time + 1
            next_finished, next_input, next_state, emit_output, next_loop_state = loop_fn(
                next_time, next_output, cell_state, loop_state)
            _assert_same_structure(state, next_state)
            _assert_same_structure(current_input, next_input)
            _assert_same_structure(emit_ta, emit_output)
            loop_state = loop_state if next_loop_state is None else next_loop_state

            def copy_some_through(current, candidate):
                # finished entries keep `current` (zeros for the emitted output, the old state)
                def copy(cur, cand):
                    if isinstance(cur, TensorArray) or cur.shape.ndims == 0:
                        return cand
                    return where(_rows(finished, cand), cur, cand)
                return nest.map_structure(copy, current, candidate)
            emit_output = copy_some_through(zero_emit, emit_output)
            next_state = copy_some_through(state, next_state)
            emit_ta = nest.map_structure(lambda ta, emit: ta.write(time, emit), emit_ta, emit_output)
            finished = math_ops.logical_or(finished, next_finished)
            return next_time, finished, next_input, emit_ta, next_state, loop_state

        returned = while_loop(condition, body, [time, finished, next_input, emit_ta, state, loop_state],
                              parallel_iterations=parallel_iterations, swap_memory=swap_memory)
        emit_ta, final_state, final_loop_state = returned[-3:]
        if init_loop_state is None:
            final_loop_state = None
        return emit_ta, final_state, final_loop_state
