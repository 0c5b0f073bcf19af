"""`tensorflow.python.ops.nn_ops`: convolution, pooling, activations, softmax and its losses (`tf.nn`)."""
from ...util.lazy_alias import delegating_module

delegating_module(globals(), ["nn"])
