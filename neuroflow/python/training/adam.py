"""`tensorflow.python.training.adam`: AdamOptimizer (`tf.train`)."""
from ...util.lazy_alias import delegating_module

delegating_module(globals(), ["train"])
