"""`tensorflow.python.ops.init_ops`: initializer classes and the `*_initializer` functions."""
from ...util.lazy_alias import delegating_module

delegating_module(globals(), ["variables.initializers", ""])
