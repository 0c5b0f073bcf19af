"""`tensorflow.python.ops.functional_ops`: map_fn, foldl, foldr, scan (names of `tf`)."""
from ...util.lazy_alias import delegating_module

delegating_module(globals(), [""])
