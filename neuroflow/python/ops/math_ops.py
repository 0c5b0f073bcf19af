"""`tensorflow.python.ops.math_ops`: elementwise math, reductions, matmul (names of `tf` and `tf.math`)."""
from ...util.lazy_alias import delegating_module

delegating_module(globals(), ["", "math"])
