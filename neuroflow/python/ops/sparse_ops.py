"""`tensorflow.python.ops.sparse_ops`: the sparse-tensor ops (`tf.sparse` and the `tf.sparse_*` names)."""
from ...util.lazy_alias import delegating_module

delegating_module(globals(), ["sparse", ""])
