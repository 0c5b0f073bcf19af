"""`tensorflow.python.training.checkpoint_utils`: reading checkpoints (`tf.train`)."""
from ...util.lazy_alias import delegating_module

delegating_module(globals(), ["train"])
