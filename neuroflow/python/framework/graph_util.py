"""`tensorflow.python.framework.graph_util`: freezing and extracting graphs (`tf.graph_util`)."""
from ...graph_util import *  # noqa: F401,F403
