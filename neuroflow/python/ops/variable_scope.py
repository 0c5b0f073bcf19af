"""`tensorflow.python.ops.variable_scope`: variable_scope, get_variable and their helpers."""
from ...util.lazy_alias import delegating_module

delegating_module(globals(), ["variables.scope", ""])
