"""`tf.io`: write_graph (a graph, GraphDef or MetaGraphDef to a file, crash-safely) and read_graph; `tf.io.gfile`."""
import os

from . import io_gfile as gfile
from .framework import graph_io

__all__ = ["write_graph", "read_graph", "gfile"]


def write_graph(graph_or_graph_def, logdir, name, as_text=True):
    """Writes a graph to `logdir/name` (creating `logdir`), replacing the file atomically.

    Args:
        graph_or_graph_def: a Graph, a GraphDef or a MetaGraphDef.
        logdir: the folder.
        name: the file name.
        as_text: the indented text form (True) or the compact form; both are JSON, no pickle.

    Returns:
        The path written.

    Example:
        >>> tf.io.write_graph(sess.graph, "/tmp/model", "graph.pbtxt")
        '/tmp/model/graph.pbtxt'
    """
    from .framework.graph import Graph
    from .train.checkpoint_format import write_text_atomically
    if isinstance(graph_or_graph_def, Graph):
        graph_or_graph_def = graph_io.as_graph_def(graph_or_graph_def)
    if not hasattr(graph_or_graph_def, "SerializeToString"):
        raise TypeError(f"graph_or_graph_def must be a Graph, GraphDef or MetaGraphDef, not "
                        f"{type(graph_or_graph_def).__name__}")
    logdir = os.fspath(logdir)
    if logdir:
        os.makedirs(logdir, exist_ok=True)
    path = os.path.join(logdir, os.fspath(name))
    if as_text:
        text = graph_or_graph_def.to_text()
    else:
        text = graph_or_graph_def.SerializeToString().decode("utf-8")
    write_text_atomically(path, text)
    return path


def read_graph(path):
    """The GraphDef in a file written by `write_graph` (either form). Raises OSError for a missing file and
    ValueError for a file that is not a neuroflow GraphDef."""
    with open(os.fspath(path), "rb") as f:
        return graph_io.GraphDef.FromString(f.read())


# TensorFlow's other `tf.io` names are aliases of implementations that live with their family (tf.image's codecs,
# the file ops); each resolves when neuroflow has it.
from .util.lazy_alias import alias_module  # noqa: E402

alias_module(globals(), {
    "decode_png": "image.decode_png", "encode_png": "image.encode_png", "decode_jpeg": "image.decode_jpeg",
    "encode_jpeg": "image.encode_jpeg", "decode_image": "image.decode_image", "decode_bmp": "image.decode_bmp",
    "decode_gif": "image.decode_gif", "extract_jpeg_shape": "image.extract_jpeg_shape", "is_jpeg": "image.is_jpeg",
    "decode_raw": "decode_raw", "decode_csv": "decode_csv", "read_file": "read_file", "write_file": "write_file",
    "matching_files": "matching_files", "serialize_tensor": "serialize_tensor", "parse_tensor": "parse_tensor",
    "decode_base64": "decode_base64", "encode_base64": "encode_base64", "FixedLenFeature": "FixedLenFeature",
    "VarLenFeature": "VarLenFeature", "parse_example": "parse_example",
    "parse_single_example": "parse_single_example",
    "TFRecordWriter": "io_records.TFRecordWriter", "TFRecordOptions": "io_records.TFRecordOptions",
    "TFRecordCompressionType": "io_records.TFRecordCompressionType",
    "tf_record_iterator": "io_records.tf_record_iterator",
    "FixedLenSequenceFeature": "FixedLenSequenceFeature",
    "parse_single_sequence_example": "parse_single_sequence_example",
})
