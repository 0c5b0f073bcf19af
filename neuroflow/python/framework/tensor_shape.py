"""`tensorflow.python.framework.tensor_shape`: TensorShape, Dimension and their helpers."""
from ...framework.tensor_shape import *  # noqa: F401,F403
from ...framework.tensor_shape import Dimension, TensorShape  # noqa: F401
from ...util.lazy_alias import alias_module

alias_module(globals(), {name: f"framework.tensor_shape.{name}"
                         for name in ("as_shape", "unknown_shape", "scalar", "vector", "matrix", "as_dimension",
                                      "dimension_value", "dimension_at_index")})
