"""`tensorflow.python.ops.rnn_cell`: the RNN cells (`tf.nn.rnn_cell`)."""
from ...util.lazy_alias import delegating_module

delegating_module(globals(), ["nn.rnn_cell"])
