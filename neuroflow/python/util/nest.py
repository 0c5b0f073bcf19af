"""`tensorflow.python.util.nest`: flatten, pack_sequence_as, map_structure, ... (`tf.nest`)."""
from ...util.nest import *  # noqa: F401,F403
