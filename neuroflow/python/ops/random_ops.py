"""`tensorflow.python.ops.random_ops`: random_normal, random_uniform, truncated_normal, ..."""
from ...util.lazy_alias import delegating_module

delegating_module(globals(), ["", "random"])
