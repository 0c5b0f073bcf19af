"""`tf.contrib.rnn`: the RNN cells and runners under their TF 1.x contrib names (`from tensorflow.contrib import
rnn; rnn.BasicLSTMCell(128)`): the same classes and functions as `tf.nn.rnn_cell` and `tf.nn`, plus contrib's
`LSTMBlockCell` and `stack_bidirectional_dynamic_rnn`."""
from ..nn.rnn import bidirectional_dynamic_rnn, static_bidirectional_rnn, static_rnn
from ..nn.rnn_cell import (BasicLSTMCell, BasicRNNCell, DeviceWrapper, DropoutWrapper, GRUCell, LSTMCell,
                           LSTMStateTuple, MultiRNNCell, ResidualWrapper, RNNCell)
from ..ops.concat_ops import concat
from ..variables.scope import variable_scope

__all__ = ["RNNCell", "BasicRNNCell", "BasicLSTMCell", "LSTMCell", "LSTMBlockCell", "GRUCell", "MultiRNNCell",
           "DropoutWrapper", "ResidualWrapper", "DeviceWrapper", "LSTMStateTuple", "static_rnn",
           "static_bidirectional_rnn", "bidirectional_dynamic_rnn", "stack_bidirectional_dynamic_rnn"]


class LSTMBlockCell(LSTMCell):
    """contrib's fused LSTM cell: the LSTMCell equations (optional peepholes and cell clipping, no projection)
    with variables `lstm_cell/kernel`, `lstm_cell/bias`. neuroflow's LSTMCell is fused already; this is the
    same cell under contrib's constructor.

    Example:
        >>> cell = tf.contrib.rnn.LSTMBlockCell(128, use_peephole=True)
    """

    def __init__(self, num_units, forget_bias=1.0, cell_clip=None, use_peephole=False, dtype=None, reuse=None,
                 name="lstm_cell"):
        super().__init__(num_units, use_peepholes=use_peephole, cell_clip=cell_clip, forget_bias=forget_bias,
                         reuse=reuse, name=name, dtype=dtype)


def stack_bidirectional_dynamic_rnn(cells_fw, cells_bw, inputs, initial_states_fw=None, initial_states_bw=None,
                                    dtype=None, sequence_length=None, parallel_iterations=None, time_major=False,
                                    scope=None, swap_memory=False):
    """Layers of `bidirectional_dynamic_rnn`: each layer's input is the previous layer's forward and backward
    outputs concatenated. Variables live under `stack_bidirectional_rnn/cell_<k>/bidirectional_rnn/fw|bw/`.

    Returns:
        (outputs of the last layer [..., fw + bw units], tuple of forward final states, tuple of backward ones).

    Raises:
        ValueError: no cells, or not as many backward cells as forward ones.
    """
    if not cells_fw:
        raise ValueError("Must specify at least one fw cell for BidirectionalRNN.")
    if not cells_bw:
        raise ValueError("Must specify at least one bw cell for BidirectionalRNN.")
    if not isinstance(cells_fw, list) or not isinstance(cells_bw, list):
        raise ValueError("cells_fw and cells_bw must be a list of RNNCells (one per layer).")
    if len(cells_fw) != len(cells_bw):
        raise ValueError("Forward and Backward cells must have the same depth.")
    states_fw, states_bw, layer = [], [], inputs
    with variable_scope(scope or "stack_bidirectional_rnn"):
        for i, (cell_fw, cell_bw) in enumerate(zip(cells_fw, cells_bw)):
            with variable_scope(f"cell_{i}"):
                outputs, (state_fw, state_bw) = bidirectional_dynamic_rnn(
                    cell_fw, cell_bw, layer, sequence_length=sequence_length,
                    initial_state_fw=initial_states_fw[i] if initial_states_fw else None,
                    initial_state_bw=initial_states_bw[i] if initial_states_bw else None,
                    dtype=dtype, time_major=time_major)
                layer = concat(list(outputs), 2)
            states_fw.append(state_fw)
            states_bw.append(state_bw)
    return layer, tuple(states_fw), tuple(states_bw)
