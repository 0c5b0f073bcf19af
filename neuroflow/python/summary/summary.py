"""`tensorflow.python.summary.summary`: `tf.summary`."""
from ...util.lazy_alias import delegating_module

delegating_module(globals(), ["summary"])
