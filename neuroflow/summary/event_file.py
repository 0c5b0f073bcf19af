"""Event files: TFRecord framing with masked CRC32C, the `events.out.tfevents.*` name, and a buffered writer
whose background thread does the framing, checksums and disk writes so that training never waits on them.

Record: uint64 length | uint32 masked_crc32c(length) | data | uint32 masked_crc32c(data), little endian.
"""
import atexit
import itertools
import logging
import os
import socket
import struct
import threading
import time
import weakref

from .crc32c import masked_crc32c

__all__ = ["EventFileWriter", "frame_record", "read_records"]

_log = logging.getLogger("neuroflow")
_file_counter = itertools.count()
_open_writers = weakref.WeakSet()


def frame_record(data):
    """`data` framed as one TFRecord: length, its masked CRC, the bytes, their masked CRC."""
    header = struct.pack("<Q", len(data))
    return header + struct.pack("<I", masked_crc32c(header)) + data + struct.pack("<I", masked_crc32c(data))


def read_records(path):
    """The data of each complete, checksum-valid record in `path` (stops quietly at a truncated tail);
    a small reader for tests and tools that need no TensorBoard."""
    out = []
    with open(path, "rb") as f:
        blob = f.read()
    pos = 0
    while pos + 12 <= len(blob):
        header = blob[pos:pos + 8]
        (length,) = struct.unpack("<Q", header)
        if struct.unpack("<I", blob[pos + 8:pos + 12])[0] != masked_crc32c(header):
            raise ValueError(f"{path}: corrupt record header at byte {pos}")
        end = pos + 12 + length + 4
        if end > len(blob):
            break
        data = blob[pos + 12:pos + 12 + length]
        if struct.unpack("<I", blob[end - 4:end])[0] != masked_crc32c(data):
            raise ValueError(f"{path}: corrupt record data at byte {pos}")
        out.append(data)
        pos = end
    return out


class EventFileWriter:
    """Appends serialized Events to a new event file in `logdir`.

    `add_event` only queues bytes. A background thread writes the queue out when `max_queue` events are
    waiting and flushes the file every `flush_secs`; `flush()`, `close()` and interpreter exit write
    everything at once. The file starts with the `file_version` Event, flushed at once, so it is always valid.
    """

    def __init__(self, logdir, max_queue=10, flush_secs=120, filename_suffix=None):
        self._logdir = os.fspath(logdir)
        self._max_queue = max(1, int(max_queue))
        self._flush_secs = max(0.05, float(flush_secs))  # 0 would make the thread spin
        self._suffix = filename_suffix or ""
        self._io_lock = threading.Lock()       # held while records go to the file: keeps them in order
        self._cond = threading.Condition()     # guards the queue and wakes the thread
        self._closed = True
        self._open()

    # --- lifecycle ---------------------------------------------------------------------------------------
    def _open(self):
        from ._proto import protos
        os.makedirs(self._logdir, exist_ok=True)
        name = (f"events.out.tfevents.{int(time.time()):010d}.{socket.gethostname()}.{os.getpid()}."
                f"{next(_file_counter)}{self._suffix}")
        self._path = os.path.join(self._logdir, name)
        self._file = open(self._path, "wb")
        self._queue = []
        self._error = None
        self._stop = False
        self._last_flush = time.monotonic()
        first = protos().event_pb2.Event(wall_time=time.time(), file_version="brain.Event:2")
        self._file.write(frame_record(first.SerializeToString()))
        self._file.flush()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="neuroflow-event-writer", daemon=True)
        self._thread.start()
        _open_writers.add(self)

    def reopen(self):
        """After `close()`: starts a new event file in the same folder. Does nothing while open."""
        if self._closed:
            self._open()

    def close(self):
        """Writes everything queued, flushes, and closes the file (idempotent)."""
        if self._closed:
            return
        with self._cond:
            self._stop = True
            self._cond.notify()
        if self._thread is not threading.current_thread():
            self._thread.join(timeout=10)
        try:
            self.flush()
        finally:
            self._closed = True
            self._file.close()
            _open_writers.discard(self)

    @property
    def path(self):
        """The event file being written."""
        return self._path

    def get_logdir(self):
        return self._logdir

    @property
    def closed(self):
        return self._closed

    # --- writing ------------------------------------------------------------------------------------------
    def add_event(self, event):
        """Queues an Event (a proto, or its serialized bytes); never blocks on the disk."""
        if self._closed:
            return  # TensorFlow drops events added to a closed writer
        data = event if isinstance(event, bytes) else event.SerializeToString()
        with self._cond:
            self._queue.append(data)
            if len(self._queue) >= self._max_queue:
                self._cond.notify()

    def flush(self):
        """Writes every queued event to the file and flushes it to the operating system.

        Raises:
            OSError: an earlier background write failed (e.g. the disk is full).
        """
        if self._file.closed:
            return
        self._drain(flush=True)
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def _drain(self, flush):
        with self._io_lock:  # take the batch under the I/O lock so batches reach the file in queue order
            with self._cond:
                batch, self._queue = self._queue, []
            if self._file.closed:
                return
            try:
                if batch:
                    self._file.write(b"".join(frame_record(d) for d in batch))
                if flush:
                    self._file.flush()
                    self._last_flush = time.monotonic()
            except OSError as e:
                self._error = e
                _log.warning("neuroflow: writing %s failed: %s", self._path, e)

    def _run(self):
        while True:
            with self._cond:
                while True:
                    if self._stop:
                        return
                    wait = self._last_flush + self._flush_secs - time.monotonic()
                    if len(self._queue) >= self._max_queue or wait <= 0:
                        break
                    self._cond.wait(timeout=wait)
            self._drain(flush=time.monotonic() >= self._last_flush + self._flush_secs)


@atexit.register
def _close_all():
    """Interpreter exit: nothing queued is lost."""
    for writer in list(_open_writers):
        try:
            writer.close()
        except Exception as e:  # noqa: BLE001 - exit must go on; say what was lost
            _log.warning("neuroflow: closing event file %s failed: %s", writer.path, e)
