"""`tensorflow.python.framework.constant_op`: `constant`."""
from ...framework.constant_op import constant  # noqa: F401
