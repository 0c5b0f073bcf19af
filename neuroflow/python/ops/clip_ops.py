"""`tensorflow.python.ops.clip_ops`: clip_by_value, clip_by_norm, clip_by_global_norm, global_norm."""
from ...util.lazy_alias import delegating_module

delegating_module(globals(), [""])
