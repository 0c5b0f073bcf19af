"""`tensorflow.python.ops.io_ops`: read_file, write_file, matching_files (`tf.io` and `tf`)."""
from ...util.lazy_alias import delegating_module

delegating_module(globals(), ["io", ""])
