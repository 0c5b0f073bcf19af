"""`tensorflow.python.ops.string_ops`: the string ops (`tf.strings` and the TF1 names of `tf`)."""
from ...util.lazy_alias import delegating_module

delegating_module(globals(), ["strings", ""])
