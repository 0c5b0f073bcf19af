"""`tensorflow.python.ops.rnn`: dynamic_rnn, static_rnn, bidirectional_dynamic_rnn (`tf.nn`)."""
from ...util.lazy_alias import delegating_module

delegating_module(globals(), ["nn"])
