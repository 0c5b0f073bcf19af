"""Summaries in eager mode, TF2 style: `create_file_writer(logdir)` and, inside `writer.as_default()`,
`tf.summary.scalar(name, value, step)` (also `histogram`, `image`, `text`) writes straight to the event file.

Example:
    >>> tf.enable_eager_execution()
    >>> writer = tf.summary.create_file_writer("runs/eager")
    >>> with writer.as_default():
    ...     for step in range(100):
    ...         loss = train_step()
    ...         tf.summary.scalar("loss", loss, step=step)
    >>> writer.close()
"""
import contextlib
import threading
import time

import numpy as np

from . import encoders
from ._proto import protos, require
from .event_file import EventFileWriter

__all__ = ["create_file_writer", "SummaryWriter", "default_writer"]

_state = threading.local()


def _stack():
    if not hasattr(_state, "writers"):
        _state.writers = []
    return _state.writers


def default_writer():
    """The writer of the innermost `as_default()` block on this thread (or `set_as_default`), else None."""
    stack = _stack()
    return stack[-1] if stack else None


def _numpy(value):
    return np.asarray(value.numpy() if hasattr(value, "numpy") else value)


def _step(step):
    if step is None:
        raise ValueError("No step set. Pass one with the `step` argument, e.g. "
                         "tf.summary.scalar('loss', loss, step=step).")
    return int(_numpy(step))


class SummaryWriter:
    """Writes summaries to an event file in `logdir` (made by `create_file_writer`); buffered like FileWriter."""

    def __init__(self, logdir, max_queue=10, flush_millis=120000, filename_suffix=None):
        require()
        self._writer = EventFileWriter(logdir, max_queue, flush_millis / 1000.0, filename_suffix)

    @contextlib.contextmanager
    def as_default(self, step=None):
        """Makes this the writer `tf.summary.*` functions write to inside the `with` block."""
        _stack().append(self)
        try:
            yield self
        finally:
            _stack().remove(self)

    def set_as_default(self, step=None):
        """Makes this the default writer until another one is set."""
        _stack().append(self)

    def init(self):
        """Nothing to do: the file opens at creation (kept for TF2 compatibility)."""

    def flush(self):
        self._writer.flush()

    def close(self):
        self._writer.close()
        while self in _stack():
            _stack().remove(self)

    def get_logdir(self):
        return self._writer.get_logdir()

    # --- one value ----------------------------------------------------------------------------------
    def _write(self, value, step):
        pb = protos()
        event = pb.event_pb2.Event(wall_time=time.time(), step=_step(step),
                                   summary=pb.summary_pb2.Summary(value=[value] if not isinstance(value, list)
                                                                  else value))
        self._writer.add_event(event)
        return True

    def scalar(self, name, value, step):
        pb = protos().summary_pb2
        return self._write(pb.Summary.Value(tag=name, simple_value=float(_numpy(value))), step)

    def histogram(self, name, values, step):
        v = _numpy(values).astype(np.float64)
        if not np.isfinite(v).all():
            raise ValueError(f"{'Nan' if np.isnan(v).any() else 'Infinity'} in summary histogram for: {name}")
        pb = protos().summary_pb2
        return self._write(pb.Summary.Value(tag=name, histo=encoders.histogram_proto(v)), step)

    def image(self, name, data, step, max_outputs=3):
        from .kernels import ImageSummary
        raw = ImageSummary.forward(np, name.encode("utf-8"), _numpy(data), max_images=int(max_outputs))
        summary = protos().summary_pb2.Summary.FromString(raw.item())
        return self._write(list(summary.value), step)

    def text(self, name, data, step):
        pb = protos().summary_pb2
        metadata = pb.SummaryMetadata(plugin_data=pb.SummaryMetadata.PluginData(plugin_name="text"))
        arr = _numpy(data).astype(object)
        tensor = encoders.tensor_proto(arr, dtype=_string())
        return self._write(pb.Summary.Value(tag=name, metadata=metadata, tensor=tensor), step)


def _string():
    from ..framework import dtypes
    return dtypes.string


def create_file_writer(logdir, max_queue=None, flush_millis=None, filename_suffix=None, name=None):
    """A SummaryWriter for `logdir`. In eager mode, inside `with writer.as_default():`, `tf.summary.scalar`,
    `histogram`, `image` and `text` write to it at the `step` they are given. (Graph mode keeps TF1's
    summary ops and `tf.summary.FileWriter`.)

    Args:
        logdir: the folder for the event file (created if missing).
        max_queue: events buffered before the background thread writes them (default 10).
        flush_millis: how often the file is flushed (default 120000 ms).
        filename_suffix: appended to the event file name.
        name: unused (TF2 compatibility).
    Raises:
        ImportError: the optional `tensorboard` package is missing.
    """
    return SummaryWriter(logdir, 10 if max_queue is None else max_queue,
                         120000 if flush_millis is None else flush_millis, filename_suffix)
