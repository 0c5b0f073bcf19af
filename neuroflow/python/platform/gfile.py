"""`tensorflow.python.platform.gfile`: `tf.gfile`."""
from ...gfile import *  # noqa: F401,F403
