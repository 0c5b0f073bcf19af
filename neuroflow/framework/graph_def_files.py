"""The `tf.GraphDef` programs see, and graph files in either format: TensorFlow's GraphDef message (binary `.pb`,
text `.pbtxt`), which also reads neuroflow's own JSON GraphDef bytes, and the reading of a graph file that tells
the formats apart and reports a corrupt file as DataLossError naming it."""
import os

from . import errors, tf_protos
from .graph_io import GraphDef as NeuroflowGraphDef

__all__ = ["GraphDef", "parse_graph_bytes", "read_graph_file", "is_json_graph"]


def is_json_graph(data):
    """Whether `data` is neuroflow's JSON form (a JSON object): TensorFlow's binary form never starts with '{'
    (it would be field 15 with the group wire type, which no GraphDef has)."""
    return bytes(data[:64]).lstrip()[:1] == b"{"


class GraphDef(tf_protos.GraphDef):
    """TensorFlow's GraphDef message (`node`, `versions`, `library`); `ParseFromString` / `FromString` also read
    neuroflow's own JSON GraphDef (`graph.as_graph_def().SerializeToString()`), which `tf.import_graph_def` then
    imports exactly as written (cond branches and loop bodies included).

    Example:
        >>> graph_def = tf.GraphDef()
        >>> with tf.gfile.GFile("frozen_inference_graph.pb", "rb") as f:
        ...     graph_def.ParseFromString(f.read())
        >>> tf.import_graph_def(graph_def, name="")
    """

    def ParseFromString(self, data):  # noqa: N802 - protobuf's name
        if not is_json_graph(data):
            self.__dict__["_neuroflow_form"] = None
            self.__dict__["_pending"] = False
            return super().ParseFromString(data)
        parsed = NeuroflowGraphDef.FromString(data)
        self.Clear()
        # TensorFlow's form of the nodes is made on first use: an import needs only neuroflow's form, and making
        # the other loads the OpDefs of every op type in the graph
        self.__dict__["_neuroflow_form"] = (parsed, None)
        self.__dict__["_pending"] = True
        return len(data)

    def _materialize(self):
        if not self.__dict__.get("_pending"):
            return
        self.__dict__["_pending"] = False
        parsed = self.__dict__["_neuroflow_form"][0]
        from .tf_graph_export import graph_def_to_tf
        from .tf_proto_convert import UnconvertibleAttr
        try:
            self.MergeFrom(graph_def_to_tf(parsed, add_shapes=True))
        except (UnconvertibleAttr, ValueError):
            pass   # a graph TensorFlow's messages cannot describe (sub-graphs): only the import can read it
        self.__dict__["_neuroflow_form"] = (parsed, super().SerializeToString())

    def neuroflow_form(self):
        """neuroflow's GraphDef this message was read from, while its nodes are unchanged since; else None."""
        form = self.__dict__.get("_neuroflow_form")
        if form is None:
            return None
        if self.__dict__.get("_pending") or form[1] == super().SerializeToString():
            return form[0]
        return None


def parse_graph_bytes(data, filename="<bytes>"):
    """The graph in a file's bytes: neuroflow's GraphDef for its JSON form, else TensorFlow's GraphDef message
    (binary, or text format when the bytes read as text).

    Raises:
        DataLossError: the bytes are no GraphDef in any of the forms (naming `filename`).
    """
    if is_json_graph(data):
        try:
            return NeuroflowGraphDef.FromString(data)
        except ValueError as e:
            raise errors.DataLossError(None, None, f"Cannot parse GraphDef file '{filename}': {e}") from None
    text = _as_text(data)
    try:
        if text is not None:
            return tf_protos.text_format.Parse(text, GraphDef())
        return GraphDef.FromString(data)
    except (tf_protos.DecodeError, tf_protos.text_format.ParseError) as e:
        raise errors.DataLossError(None, None, f"Cannot parse GraphDef file '{filename}': not a GraphDef in "
                                               f"TensorFlow's binary or text form, or corrupt ({e})") from None


def _as_text(data):
    """`data` as text when it looks like protobuf's text format (a field name first), else None."""
    head = bytes(data[:256]).lstrip()
    while head.startswith(b"#"):
        head = head.partition(b"\n")[2].lstrip()
    if not head[:1].isalpha():
        return None
    try:
        return bytes(data).decode("utf-8")
    except UnicodeDecodeError:
        return None


def read_graph_file(path):
    """The graph in the file at `path` (see `parse_graph_bytes`). Raises OSError for a missing file."""
    path = os.fspath(path)
    with open(path, "rb") as f:
        data = f.read()
    return parse_graph_bytes(data, path)
