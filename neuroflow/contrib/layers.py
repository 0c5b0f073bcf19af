"""`tf.contrib.layers`: flatten, fully_connected and the regularizers."""
from ..regularizers import *  # noqa: F401,F403
