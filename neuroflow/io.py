"""`tf.io`: write_graph (a graph, GraphDef or MetaGraphDef to a file in TensorFlow's binary or text form,
crash-safely) and read_graph; `tf.io.gfile`."""
import logging
import os

from . import io_gfile as gfile
from .framework import graph_io

__all__ = ["write_graph", "read_graph", "gfile"]

_log = logging.getLogger("neuroflow")


def _tf_message(graph_or_graph_def, warn=True):
    """TensorFlow's GraphDef message of a Graph or of neuroflow's GraphDef, or None (with a warning, or a debug
    line when not `warn`) when the graph holds what TensorFlow's messages cannot (cond branches, loop bodies,
    Python objects)."""
    from .framework.graph import Graph
    from .framework.tf_graph_export import graph_def_to_tf, graph_to_tf_graph_def
    from .framework.tf_proto_convert import UnconvertibleAttr
    try:
        if isinstance(graph_or_graph_def, Graph):
            return graph_to_tf_graph_def(graph_or_graph_def, add_shapes=True)
        return graph_def_to_tf(graph_or_graph_def, add_shapes=True)
    except UnconvertibleAttr as e:
        (_log.warning if warn else _log.debug)(
            "write_graph: writing neuroflow's own GraphDef format, which TensorFlow cannot read: %s", e)
        return None


def write_graph(graph_or_graph_def, logdir, name, as_text=True):
    """Writes a graph to `logdir/name` (creating `logdir`), replacing the file atomically: TensorFlow's GraphDef
    in protobuf's text form (as_text, a `.pbtxt`) or binary form (a `.pb`), which TensorFlow reads. A graph that
    TensorFlow's GraphDef cannot describe (tf.cond / tf.while_loop sub-graphs) is written in neuroflow's own JSON
    form instead, with a warning; `read_graph` and `tf.GraphDef` read both.

    Args:
        graph_or_graph_def: a Graph, a GraphDef (TensorFlow's message or neuroflow's), or a MetaGraphDef.
        logdir: the folder.
        name: the file name.
        as_text: protobuf's text form (True) or its binary form.

    Returns:
        The path written.

    Example:
        >>> tf.train.write_graph(sess.graph, "/tmp/model", "graph.pbtxt")
        '/tmp/model/graph.pbtxt'
        >>> tf.train.write_graph(frozen_graph_def, "/tmp/model", "frozen.pb", as_text=False)
        '/tmp/model/frozen.pb'
    """
    return write_graph_file(graph_or_graph_def, logdir, name, as_text)


def write_graph_file(graph_or_graph_def, logdir, name, as_text=True, warn=True):
    """`write_graph`, with `warn=False` for files the user did not ask for (the graph.pbtxt that checkpoint hooks
    write beside checkpoints, as TensorFlow does): what could not be written in TensorFlow's form is then logged
    at debug level instead of warned about on every run."""
    from .framework import tf_protos
    from .framework.graph import Graph
    from .train.checkpoint_format import atomic_file, fsync_directory
    if not isinstance(graph_or_graph_def, Graph) and not hasattr(graph_or_graph_def, "SerializeToString"):
        raise TypeError(f"graph_or_graph_def must be a Graph, GraphDef or MetaGraphDef, not "
                        f"{type(graph_or_graph_def).__name__}")
    value = graph_or_graph_def
    if isinstance(value, (Graph, graph_io.GraphDef)):
        value = _tf_message(value, warn) or (graph_io.as_graph_def(value, warn=warn) if isinstance(value, Graph)
                                             else value)
    if isinstance(value, tf_protos.Message):
        data = tf_protos.text_format.MessageToString(value) if as_text else value.SerializeToString()
    elif hasattr(value, "to_text"):   # neuroflow's JSON forms
        data = value.to_text() if as_text else value.SerializeToString().decode("utf-8")
    else:                             # a message of the protobuf package: its __str__ is the text form
        data = str(value) if as_text else value.SerializeToString()
    logdir = os.fspath(logdir)
    if logdir:
        os.makedirs(logdir, exist_ok=True)
    path = os.path.join(logdir, os.fspath(name))
    with atomic_file(path) as f:
        f.write(data.encode("utf-8") if isinstance(data, str) else data)
    fsync_directory(os.path.dirname(path) or ".")
    return path


def read_graph(path):
    """The graph in a file written by `write_graph` or by TensorFlow: TensorFlow's GraphDef message (`tf.GraphDef`)
    for its binary or text form, neuroflow's GraphDef for neuroflow's JSON form.

    Raises:
        OSError: a missing file.
        DataLossError: a file that holds no GraphDef in any of these forms (a corrupt or truncated file).
    """
    from .framework.graph_def_files import read_graph_file
    return read_graph_file(path)


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
