"""`tf.nn.dynamic_rnn`, `static_rnn`, `bidirectional_dynamic_rnn`: running a cell over time."""
__all__ = []
