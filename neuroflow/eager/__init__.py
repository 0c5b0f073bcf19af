"""Eager execution: tensors with values, GradientTape, eager variables, and tf.function tracing."""
from . import execute as _execute  # noqa: F401 - registers the eager executor with apply_op
from .function import Function, function
from .tape import GradientTape
from .tensor import EagerTensor
from .variable import EagerVariable

__all__ = ["EagerTensor", "EagerVariable", "GradientTape", "Function", "function"]

from ..ops.overloads import install as _install_operators  # noqa: E402

_install_operators(EagerTensor)
_install_operators(EagerVariable)
