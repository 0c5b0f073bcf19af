"""`tensorflow.python.training.optimizer`: the Optimizer base class (`tf.train`)."""
from ...util.lazy_alias import delegating_module

delegating_module(globals(), ["train"])
