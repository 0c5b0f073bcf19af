"""`tensorflow.core.framework.graph_pb2`: GraphDef (the `tf.GraphDef` class)."""
from ...framework.graph_def_files import GraphDef  # noqa: F401
