"""`tensorflow.python.training.learning_rate_decay`: the decay schedules (`tf.train`)."""
from ...util.lazy_alias import delegating_module

delegating_module(globals(), ["train"])
