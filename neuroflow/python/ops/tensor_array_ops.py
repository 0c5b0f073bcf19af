"""`tensorflow.python.ops.tensor_array_ops`: TensorArray."""
from ...util.lazy_alias import delegating_module

delegating_module(globals(), [""])
