"""RNN cell wrappers: DropoutWrapper (input/output/state dropout, variational), ResidualWrapper, DeviceWrapper."""
from ..framework.apply import convert_to_tensor
from ..framework.graph import name_scope
from ..framework.tensor_shape import TensorShape
from ..ops import array_ops, math_ops, random_ops
from ..util import nest
from .rnn_cell import LSTMStateTuple, RNNCell, _is_sequence

class _Wrapper(RNNCell):
    def __init__(self, cell):
        super().__init__()
        self._cell = cell

    @property
    def wrapped_cell(self):
        return self._cell

    @property
    def state_size(self):
        return self._cell.state_size

    @property
    def output_size(self):
        return self._cell.output_size

    @property
    def trainable_weights(self):
        return self._cell.trainable_weights

    @property
    def non_trainable_weights(self):
        return self._cell.non_trainable_weights

    trainable_variables = trainable_weights
    non_trainable_variables = non_trainable_weights

    def zero_state(self, batch_size, dtype):
        with name_scope(type(self).__name__ + "ZeroState", values=[batch_size]):
            return self._cell.zero_state(batch_size, dtype)


def _dropout(x, keep_prob, noise=None, seed=None):
    """TF's inverted dropout as a composition: x / keep_prob * floor(keep_prob + uniform[0, 1))."""
    with name_scope(None, "dropout", [x]):
        keep = convert_to_tensor(keep_prob, dtype=x.dtype.base_dtype, name="keep_prob")
        if noise is None:
            noise = random_ops.random_uniform(array_ops.shape(x), dtype=x.dtype.base_dtype, seed=seed)
        return math_ops.truediv(x, keep) * math_ops.floor(keep + noise)


class DropoutWrapper(_Wrapper):
    """Dropout on the inputs, outputs and/or state of a cell (the `c` part of an LSTM state is never dropped).

    Args:
        input_keep_prob, output_keep_prob, state_keep_prob: keep probabilities (floats or scalar tensors; a
            constant 1 adds no op).
        variational_recurrent: one mask per run, reused at every time step (as Gal & Ghahramani); needs
            `dtype`, and `input_size` when inputs are dropped. As TensorFlow, the mask is shared by the batch.
        seed: the seed for the random masks.

    Example:
        >>> cell = tf.nn.rnn_cell.DropoutWrapper(tf.nn.rnn_cell.LSTMCell(128), output_keep_prob=keep_prob)
    """

    def __init__(self, cell, input_keep_prob=1.0, output_keep_prob=1.0, state_keep_prob=1.0,
                 variational_recurrent=False, input_size=None, dtype=None, seed=None, dropout_state_filter_visitor=None,
                 **kwargs):
        super().__init__(cell)
        for name, p in (("input_keep_prob", input_keep_prob), ("state_keep_prob", state_keep_prob),
                        ("output_keep_prob", output_keep_prob)):
            if isinstance(p, (int, float)) and not 0 < p <= 1:
                raise ValueError(f"Parameter {name} must be between 0 and 1: {p:g}")
        self._input_keep_prob = input_keep_prob
        self._output_keep_prob = output_keep_prob
        self._state_keep_prob = state_keep_prob
        self._variational = variational_recurrent
        self._seed = seed
        self._state_filter = dropout_state_filter_visitor
        self._noise = {}
        self._calls = 0
        if variational_recurrent:
            if dtype is None:
                raise ValueError("When variational_recurrent=True, dtype must be provided")

            def noise(size, salt):
                dims = [1] + (TensorShape(size).as_list() if not isinstance(size, int) else [size])
                s = None if seed is None else seed + salt
                return random_ops.random_uniform(dims, dtype=dtype, seed=s)
            if self._should_drop(input_keep_prob):
                if input_size is None:
                    raise ValueError("When variational_recurrent=True and input_keep_prob < 1.0 or is unknown, "
                                     "input_size must be provided")
                self._noise["input"] = nest.map_structure(lambda s: noise(s, 1), input_size) if _is_sequence(input_size) \
                    else noise(input_size, 1)
            self._noise["state"] = nest.map_structure(lambda s: noise(s, 2), cell.state_size) if _is_sequence(cell.state_size) \
                else noise(cell.state_size, 2)
            self._noise["output"] = noise(cell.output_size, 3)

    @staticmethod
    def _should_drop(p):
        return not (isinstance(p, (int, float)) and p == 1)

    def _apply(self, values, keep_prob, which, salt, state=False):
        if not self._should_drop(keep_prob):
            return values
        # Each call (time step) gets masks of its own, as TF's loop draws anew each iteration: with a seed, a
        # distinct op seed per call and per use.
        seed = None if self._seed is None else self._seed + 1009 * self._calls + salt
        noise = self._noise.get(which)
        keep_mask = nest.map_structure(self._state_filter, values) if (state and self._state_filter) else None
        if state and keep_mask is None and isinstance(values, LSTMStateTuple):
            keep_mask = LSTMStateTuple(False, True)  # TF's default filter: never drop the memory c
        flat = nest.flatten(values)
        flat_noise = nest.flatten(noise) if noise is not None else [None] * len(flat)
        flat_keep = nest.flatten(keep_mask) if keep_mask is not None else [True] * len(flat)
        out = [_dropout(v, keep_prob, n, seed) if k else v for v, n, k in zip(flat, flat_noise, flat_keep)]
        return nest.pack_sequence_as(values, out)

    def __call__(self, inputs, state, scope=None):
        self._calls += 1
        inputs = self._apply(inputs, self._input_keep_prob, "input", 1)
        output, new_state = self._cell(inputs, state, scope=scope)
        new_state = self._apply(new_state, self._state_keep_prob, "state", 2, state=True)
        output = self._apply(output, self._output_keep_prob, "output", 3)
        return output, new_state


class ResidualWrapper(_Wrapper):
    """output = cell_output + inputs (or `residual_fn(inputs, outputs)`); the state is the cell's."""

    def __init__(self, cell, residual_fn=None):
        super().__init__(cell)
        self._residual_fn = residual_fn

    def __call__(self, inputs, state, scope=None):
        outputs, new_state = self._cell(inputs, state, scope=scope)
        if self._residual_fn is not None:
            return self._residual_fn(inputs, outputs), new_state
        return nest.map_structure(lambda i, o: i + o, inputs, outputs), new_state


class DeviceWrapper(_Wrapper):
    """Runs the cell on `device` (accepted for compatibility: neuroflow places ops itself)."""

    def __init__(self, cell, device):
        super().__init__(cell)
        self._device = device

    def __call__(self, inputs, state, scope=None):
        from ..framework.graph import get_default_graph
        with get_default_graph().device(self._device):
            return self._cell(inputs, state, scope=scope)
