"""`tensorflow.python.ops.bitwise_ops`: `tf.bitwise`."""
from ...util.lazy_alias import delegating_module

delegating_module(globals(), ["bitwise"])
