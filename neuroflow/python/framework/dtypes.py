"""`tensorflow.python.framework.dtypes`: the element types (`tf.dtypes`)."""
from ...dtypes import *  # noqa: F401,F403
from ...dtypes import __all__  # noqa: F401
