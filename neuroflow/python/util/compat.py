"""`tensorflow.python.util.compat`: as_bytes, as_text, as_str and the type groups (`tf.compat`)."""
from ...compat.text import *  # noqa: F401,F403
