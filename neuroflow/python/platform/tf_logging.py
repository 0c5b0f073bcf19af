"""`tensorflow.python.platform.tf_logging`: `tf.logging`."""
from ...tf_logging import *  # noqa: F401,F403
