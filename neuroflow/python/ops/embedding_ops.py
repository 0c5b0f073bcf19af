"""`tensorflow.python.ops.embedding_ops`: embedding_lookup and embedding_lookup_sparse (`tf.nn`)."""
from ...util.lazy_alias import delegating_module

delegating_module(globals(), ["nn"])
