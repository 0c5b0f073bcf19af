"""Argument helpers shared by the `tf.nn` modules: TensorFlow's deprecated-alias lookup and static axes."""
from ..framework.tensor_util import build_time_value

__all__ = []


def deprecated_argument_lookup(new_name, new_value, old_name, old_value):
    """The value of an argument that has a deprecated alias (`axis`/`dim`, `keepdims`/`keep_dims`).

    Raises:
        ValueError: both were given, as in TensorFlow.
    """
    if old_value is not None:
        if new_value is not None:
            raise ValueError(f"Cannot specify both '{new_name}' and '{old_name}'")
        return old_value
    return new_value


def static_int(value, what):
    """An int from a Python/NumPy integer or a tensor whose value is known while building the graph."""
    return int(build_time_value(value, what))
