"""Argument helpers shared by the `tf.nn` modules: TensorFlow's deprecated-alias lookup and static axes."""
from ..framework.deprecation import deprecated_argument_lookup  # noqa: F401 - re-exported for tf.nn
from ..framework.tensor_util import build_time_value

__all__ = []


def static_int(value, what):
    """An int from a Python/NumPy integer or a tensor whose value is known while building the graph."""
    return int(build_time_value(value, what))
