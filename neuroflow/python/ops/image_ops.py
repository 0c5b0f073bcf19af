"""`tensorflow.python.ops.image_ops`: `tf.image`."""
from ...util.lazy_alias import delegating_module

delegating_module(globals(), ["image"])
