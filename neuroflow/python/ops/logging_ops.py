"""`tensorflow.python.ops.logging_ops`: Print, print, Assert."""
from ...util.lazy_alias import delegating_module

delegating_module(globals(), [""])
