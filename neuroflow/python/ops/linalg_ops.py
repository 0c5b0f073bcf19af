"""`tensorflow.python.ops.linalg_ops`: matrix decompositions and solvers (`tf.linalg`)."""
from ...util.lazy_alias import delegating_module

delegating_module(globals(), ["linalg", ""])
