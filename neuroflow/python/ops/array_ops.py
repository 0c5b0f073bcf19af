"""`tensorflow.python.ops.array_ops`: shapes, reshaping, slicing, gathering, placeholders (names of `tf`)."""
from ...util.lazy_alias import delegating_module

delegating_module(globals(), [""])
