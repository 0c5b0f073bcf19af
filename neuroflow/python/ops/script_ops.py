"""`tensorflow.python.ops.script_ops`: py_func, numpy_function (names of `tf`)."""
from ...util.lazy_alias import delegating_module

delegating_module(globals(), [""])
