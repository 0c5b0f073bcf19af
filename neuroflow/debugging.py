"""`tf.debugging`: run-time numerical checks."""
from .ops.debug_ops import check_numerics  # noqa: F401
