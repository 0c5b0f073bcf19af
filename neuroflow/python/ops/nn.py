"""`tensorflow.python.ops.nn`: the `tf.nn` namespace."""
from ...util.lazy_alias import delegating_module

delegating_module(globals(), ["nn"])
