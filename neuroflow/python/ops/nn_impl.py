"""`tensorflow.python.ops.nn_impl`: moments, batch normalization, l2_normalize, sampled losses (`tf.nn`)."""
from ...util.lazy_alias import delegating_module

delegating_module(globals(), ["nn"])
