"""`tensorflow.python.ops.variables`: Variable and the variable collections and initializers."""
from ...util.lazy_alias import delegating_module

delegating_module(globals(), ["variables.variable", "variables.collections", ""])
