"""`tensorflow.python.framework.errors_impl`: TensorFlow's OpError classes and status codes (`tf.errors`)."""
from ...errors import *  # noqa: F401,F403
from ...framework.errors import OpError  # noqa: F401
