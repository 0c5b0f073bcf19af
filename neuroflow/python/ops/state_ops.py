"""`tensorflow.python.ops.state_ops`: assign, assign_add, assign_sub and the variable ops."""
from ...util.lazy_alias import delegating_module

delegating_module(globals(), ["ops.state_ops", ""])
