"""`tf.debugging`: run-time numerical checks and assertions."""
from .ops.check_ops import *  # noqa: F401,F403 - assert_equal, assert_less, assert_positive, ...
from .ops.debug_ops import check_numerics  # noqa: F401
from .ops.logging_ops import Assert  # noqa: F401
