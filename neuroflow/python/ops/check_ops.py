"""`tensorflow.python.ops.check_ops`: the assert_* checks (`tf.debugging`)."""
from ...util.lazy_alias import delegating_module

delegating_module(globals(), ["debugging", ""])
