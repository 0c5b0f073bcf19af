"""`tensorflow.python.training.saver`: Saver and the checkpoint helpers (`tf.train`)."""
from ...util.lazy_alias import delegating_module

delegating_module(globals(), ["train"])
