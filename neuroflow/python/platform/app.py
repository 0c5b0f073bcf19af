"""`tensorflow.python.platform.app`: `run` (`tf.app`)."""
from ...app import flags, run  # noqa: F401
