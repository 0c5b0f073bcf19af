"""`tensorflow.python.platform.test`: `tf.test`."""
from ...test import *  # noqa: F401,F403
