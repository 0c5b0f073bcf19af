"""`tensorflow.python.platform.flags`: `tf.flags`."""
from ...flags import *  # noqa: F401,F403
