"""`tensorflow.python.framework.graph_io`: `write_graph` (`tf.io.write_graph`, `tf.train.write_graph`)."""
from ...io import write_graph  # noqa: F401
