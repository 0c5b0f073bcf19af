"""`tensorflow.python.ops.control_flow_ops`: cond, while_loop, case, group, tuple, no_op."""
from ...util.lazy_alias import delegating_module

delegating_module(globals(), ["ops.control_flow_ops", ""])
