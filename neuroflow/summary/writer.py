"""`tf.summary.FileWriter` (TF1): summaries, graphs and session logs into an event file that TensorBoard reads,
and `tf.summary.FileWriterCache` (one writer per log folder)."""
import threading
import time

from ..framework import context as _mode
from ._proto import protos, require
from .event_file import EventFileWriter
from .graph_def import graph_event_bytes

__all__ = ["FileWriter", "FileWriterCache"]


def _step(global_step):
    """`global_step` as an int (or None), or TypeError / ValueError for something that is not a step."""
    return None if global_step is None else int(global_step)


class FileWriter:
    """Writes Summary protocol buffers and the graph to an event file in `logdir`, for TensorBoard.

    Writing is buffered: a background thread writes once `max_queue` events wait and flushes every
    `flush_secs`; `flush()` and `close()` (and interpreter exit) write everything now.

    Args:
        logdir: the folder (created if missing); point `tensorboard --logdir` at it or its parent.
        graph: a `tf.Graph` (usually `sess.graph`) to show in TensorBoard's Graphs dashboard.
        max_queue: events queued before the background thread writes them.
        flush_secs: how often the background thread flushes the file to disk.
        graph_def: deprecated: a GraphDef proto (or a Graph) to write.
        filename_suffix: appended to the event file's name.
        session: accepted for compatibility; events go to `logdir` either way.
    Raises:
        RuntimeError: called in eager mode (use `tf.summary.create_file_writer`).
        ImportError: the optional `tensorboard` package is missing.

    Example:
        >>> writer = tf.summary.FileWriter("runs/mlp", sess.graph)
        >>> writer.add_summary(sess.run(merged, feed), global_step=step)
        >>> writer.close()
    """

    def __init__(self, logdir, graph=None, max_queue=10, flush_secs=120, graph_def=None, filename_suffix=None,
                 session=None):
        if _mode.executing_eagerly():
            raise RuntimeError("tf.summary.FileWriter is not compatible with eager execution. Use "
                               "tf.summary.create_file_writer(logdir).as_default() instead.")
        require()
        self._writer = EventFileWriter(logdir, max_queue, flush_secs, filename_suffix)
        self._seen_summary_tags = set()
        self._lock = threading.Lock()
        if graph is not None or graph_def is not None:
            self.add_graph(graph=graph, graph_def=graph_def)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def get_logdir(self):
        """The folder this writer writes to."""
        return self._writer.get_logdir()

    # --- events ---------------------------------------------------------------------------------------
    def add_event(self, event):
        """Adds an `Event` protocol buffer as it is."""
        self._writer.add_event(event)

    def _add_event(self, event, step):
        step = _step(step)
        event.wall_time = time.time()
        if step is not None:
            event.step = step
        self._writer.add_event(event)

    def add_summary(self, summary, global_step=None):
        """Adds a Summary (the serialized bytes `sess.run` returns for a summary op, or a `Summary` proto).

        Plugin metadata is kept only on the first value of each tag, as TensorFlow does, to save space.

        Args:
            summary: serialized `Summary` bytes or a `Summary` protocol buffer.
            global_step: the step to record (the x axis in TensorBoard).
        """
        pb = protos()
        step = _step(global_step)   # before the tags below are marked seen: a bad step must change nothing
        if isinstance(summary, bytes) or hasattr(summary, "item"):  # bytes, or a NumPy scalar holding them
            raw = summary if isinstance(summary, bytes) else summary.item()
            summary = pb.summary_pb2.Summary()
            summary.ParseFromString(raw)
        with self._lock:
            for value in summary.value:
                if not value.HasField("metadata"):
                    continue
                if value.tag in self._seen_summary_tags:
                    value.ClearField("metadata")
                else:
                    self._seen_summary_tags.add(value.tag)
        self._add_event(pb.event_pb2.Event(summary=summary), step)

    def add_session_log(self, session_log, global_step=None):
        """Adds a `SessionLog` proto (e.g. `SessionLog(status=SessionLog.START)` after a restart)."""
        self._add_event(protos().event_pb2.Event(session_log=session_log), global_step)

    def add_graph(self, graph, global_step=None, graph_def=None):
        """Adds a Graph (its GraphDef with output shapes, as TensorFlow writes it), a GraphDef from
        `graph.as_graph_def()`, or a TensorFlow GraphDef proto.

        Raises:
            ValueError: both `graph` and `graph_def` given.
            TypeError: neither a Graph nor a GraphDef.
        """
        if graph is not None and graph_def is not None:
            raise ValueError("Please pass only graph, or graph_def (deprecated), but not both.")
        event = protos().event_pb2.Event(graph_def=graph_event_bytes(graph if graph is not None else graph_def))
        self._add_event(event, global_step)

    def add_run_metadata(self, run_metadata, tag, global_step=None):
        """Adds a `RunMetadata` proto under `tag` (TensorBoard shows it next to the graph)."""
        from .run_metadata_proto import run_metadata_proto
        pb = protos().event_pb2
        tagged = pb.TaggedRunMetadata(tag=tag, run_metadata=run_metadata_proto(run_metadata).SerializeToString())
        self._add_event(pb.Event(tagged_run_metadata=tagged), global_step)

    # --- lifecycle ------------------------------------------------------------------------------------
    def flush(self):
        """Writes every pending event to disk now."""
        self._writer.flush()

    def close(self):
        """Flushes and closes the event file; `reopen()` starts a new one."""
        self._writer.close()

    def reopen(self):
        """After `close()`, opens a new event file in the same folder (does nothing while open)."""
        self._writer.reopen()


class FileWriterCache:
    """One shared FileWriter per log folder: `FileWriterCache.get(logdir)`; `clear()` closes them all."""

    _cache = {}
    _lock = threading.RLock()

    @staticmethod
    def get(logdir):
        with FileWriterCache._lock:
            writer = FileWriterCache._cache.get(logdir)
            if writer is None:
                from ..framework.graph import get_default_graph
                writer = FileWriter(logdir, graph=get_default_graph())
                FileWriterCache._cache[logdir] = writer
            return writer

    @staticmethod
    def clear():
        with FileWriterCache._lock:
            for writer in FileWriterCache._cache.values():
                writer.close()
            FileWriterCache._cache.clear()
