"""`tf.contrib`: the TF 1.x contrib modules tutorials use (`from neuroflow.contrib import rnn`)."""
from . import layers, rnn, seq2seq  # noqa: F401
