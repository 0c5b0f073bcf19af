"""`tf.summary`: summary ops, FileWriter and event files that TensorBoard reads.

Graph mode (TF1):
    >>> tf.summary.scalar("loss", loss)
    >>> tf.summary.histogram("weights", w)
    >>> merged = tf.summary.merge_all()
    >>> writer = tf.summary.FileWriter("runs/mlp", sess.graph)
    >>> writer.add_summary(sess.run(merged, feed), step)
    >>> writer.close()          # then: tensorboard --logdir runs

Eager mode: `with tf.summary.create_file_writer("runs/eager").as_default(): tf.summary.scalar("loss", v, step)`.
Without TensorBoard: `tf.summary.graph_to_html(graph)` draws a graph as a self-contained web page.

The protocol buffers come from the optional `tensorboard` package (`pip install neuroflow[tensorboard]`),
imported on first use.
"""
from .eager import SummaryWriter, create_file_writer
from .html import graph_to_html
from .summary_ops import audio, histogram, image, merge, merge_all, scalar, tensor_summary, text
from .writer import FileWriter, FileWriterCache

__all__ = ["scalar", "histogram", "image", "audio", "text", "tensor_summary", "merge", "merge_all", "FileWriter",
           "FileWriterCache", "create_file_writer", "SummaryWriter", "graph_to_html", "Summary", "Event",
           "SessionLog", "SummaryDescription", "TaggedRunMetadata"]

# TF1 also exposes the protocol buffer classes here; they load with the `tensorboard` package on first use.
_PROTO_CLASSES = {"Summary": "summary_pb2", "SummaryDescription": "summary_pb2", "Event": "event_pb2",
                  "SessionLog": "event_pb2", "TaggedRunMetadata": "event_pb2"}


def __getattr__(name):
    if name in _PROTO_CLASSES:
        from ._proto import protos
        return getattr(getattr(protos(), _PROTO_CLASSES[name]), name)
    raise AttributeError(f"module 'neuroflow.summary' has no attribute {name!r}")
