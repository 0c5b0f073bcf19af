"""`tensorflow.python.training.training_util`: global-step helpers (`tf.train`)."""
from ...util.lazy_alias import delegating_module

delegating_module(globals(), ["train"])
