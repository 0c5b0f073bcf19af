"""`tensorflow.python.ops.gradients`: `gradients`."""
from ...util.lazy_alias import delegating_module

delegating_module(globals(), [""])
