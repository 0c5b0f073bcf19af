"""`tensorflow.python.ops.data_flow_ops`: TensorArray and the other names of `tf` it holds."""
from ...util.lazy_alias import delegating_module

delegating_module(globals(), [""])
