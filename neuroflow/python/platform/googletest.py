"""`tensorflow.python.platform.googletest`: `tf.test`."""
from ...test import *  # noqa: F401,F403
