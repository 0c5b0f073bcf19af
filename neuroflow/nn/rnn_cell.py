"""`tf.nn.rnn_cell`: RNN cells (BasicRNNCell, BasicLSTMCell, LSTMCell, GRUCell, MultiRNNCell, DropoutWrapper)."""
__all__ = []
