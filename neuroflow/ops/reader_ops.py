"""TF1 readers: `tf.TextLineReader`, `tf.WholeFileReader`, `tf.FixedLengthRecordReader`, `tf.TFRecordReader`.

A reader is a handle op whose per-session state (the file being read and the position in it) lives in the session
context's `resources`; `read(queue)` takes the next file name from a queue of file names (blocking, as a dequeue
does) whenever the current file is used up, and returns a (key, value) pair of string scalars with TensorFlow's
keys ("file:line" from 1, "file:record" from 0, "file:offset", or the file name).
"""
import threading

import numpy as np

from ..framework import dtypes
from ..framework.apply import apply_op, convert_to_tensor
from ..framework.op_def import OpDef, register
from ..framework.tensor_shape import TensorShape
from .queue_ops import _key

__all__ = ["ReaderBase", "TextLineReader", "WholeFileReader", "FixedLengthRecordReader", "TFRecordReader"]


def _text_lines(name, data, attrs):
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    for number, line in enumerate(lines, 1):
        if number > attrs["skip_header_lines"]:
            yield f"{name}:{number}".encode(), line.replace(b"\r", b"")


def _whole_file(name, data, attrs):
    yield name.encode(), data


def _fixed_length(name, data, attrs):
    size, hop = attrs["record_bytes"], attrs["hop_bytes"] or attrs["record_bytes"]
    body = data[attrs["header_bytes"]:len(data) - attrs["footer_bytes"]]
    for index, start in enumerate(range(0, len(body) - size + 1, hop)):
        yield f"{name}:{index}".encode(), body[start:start + size]


def _tfrecords(name, data, attrs):
    from ..io_records import read_tfrecord_file
    offset = 0
    for record in read_tfrecord_file(name, attrs["compression_type"] or None):
        yield f"{name}:{offset}".encode(), record
        offset += len(record) + 16


class ReaderResource:
    """One reader's state in one session: the records left in its current file and how many it produced."""

    def __init__(self, records):
        self.records_of = records
        self.current = None
        self.produced = 0
        self.completed = 0
        self.lock = threading.Lock()

    def next_records(self, queue, attrs, n):
        """Up to `n` (key, value) pairs, all from one file; opens the next file from `queue` when needed."""
        with self.lock:
            while True:
                if self.current is None:
                    name = queue.dequeue(1)[0][0]
                    name = name.decode() if isinstance(name, bytes) else str(name)
                    data = b"" if self.records_of is _tfrecords else _read(name)
                    self.current = self.records_of(name, data, attrs)
                out = []
                for pair in self.current:
                    out.append(pair)
                    if len(out) == n:
                        break
                if len(out) < n:
                    self.current = None
                    self.completed += 1
                if out:
                    self.produced += len(out)
                    return out

    def reset(self):
        with self.lock:
            self.current, self.produced, self.completed = None, 0, 0


def _read(name):
    from ..io_records import _file_bytes
    return _file_bytes(name, None)


_RECORDS = {"TextLineReaderV2": _text_lines, "WholeFileReaderV2": _whole_file,
            "FixedLengthRecordReaderV2": _fixed_length, "TFRecordReaderV2": _tfrecords}


class _ReaderHandle(OpDef):
    input_names = ()
    stateful = True
    foldable = False
    grad = None

    def infer(self, inputs, attrs):
        return [(TensorShape([]), dtypes.string)]

    def kernel(self, op, ctx):
        key = op.name.encode()
        handle = np.array(key, dtype=object)
        resources = ctx.resources
        records = _RECORDS[op.type]

        def run():
            if key not in resources:
                resources[key] = ReaderResource(records)
            return handle
        return run


@register
class TextLineReaderV2(_ReaderHandle):
    type_name = "TextLineReaderV2"


@register
class WholeFileReaderV2(_ReaderHandle):
    type_name = "WholeFileReaderV2"


@register
class FixedLengthRecordReaderV2(_ReaderHandle):
    type_name = "FixedLengthRecordReaderV2"


@register
class TFRecordReaderV2(_ReaderHandle):
    type_name = "TFRecordReaderV2"


class _ReaderOp(OpDef):
    stateful = True
    foldable = False
    grad = None


class _Read(_ReaderOp):
    input_names = ("reader_handle", "queue_handle")
    up_to = False

    def infer(self, inputs, attrs):
        shape = TensorShape([None]) if self.up_to else TensorShape([])
        return [(shape, dtypes.string), (shape, dtypes.string)]

    def kernel(self, op, ctx):
        resources = ctx.resources
        attrs = op.get_attr("reader_attrs")
        up_to = self.up_to

        def run(reader, queue, n=1):
            pairs = resources[_key(reader)].next_records(resources[_key(queue)], attrs, int(n))
            keys = np.empty(len(pairs), object)
            values = np.empty(len(pairs), object)
            keys[:] = [k for k, _ in pairs]
            values[:] = [v for _, v in pairs]
            if up_to:
                return keys, values
            return np.array(keys[0], object), np.array(values[0], object)
        return run


@register
class ReaderReadV2(_Read):
    type_name = "ReaderReadV2"


@register
class ReaderReadUpToV2(_Read):
    type_name = "ReaderReadUpToV2"
    input_names = ("reader_handle", "queue_handle", "num_records")
    up_to = True


@register
class ReaderNumRecordsProducedV2(_ReaderOp):
    type_name = "ReaderNumRecordsProducedV2"
    input_names = ("reader_handle",)

    def infer(self, inputs, attrs):
        return [(TensorShape([]), dtypes.int64)]

    def kernel(self, op, ctx):
        resources = ctx.resources
        field = op.get_attr("field")
        return lambda reader: np.int64(getattr(resources[_key(reader)], field))


@register
class ReaderResetV2(_ReaderOp):
    type_name = "ReaderResetV2"
    input_names = ("reader_handle",)

    def infer(self, inputs, attrs):
        return []

    def kernel(self, op, ctx):
        resources = ctx.resources
        return lambda reader: resources[_key(reader)].reset()


class ReaderBase:
    """A reader of records from the files named in a queue (`tf.ReaderBase`)."""

    _handle_op = None

    def __init__(self, name, **attrs):
        self._attrs = attrs
        self._reader_ref = apply_op(self._handle_op, [], dict(attrs), name=name)

    @property
    def reader_ref(self):
        return self._reader_ref

    @property
    def supports_serialize(self):
        return False

    @staticmethod
    def _queue_ref(queue):
        return queue.queue_ref if hasattr(queue, "queue_ref") else convert_to_tensor(queue)

    def read(self, queue, name=None):
        """The next (key, value) record; takes a new file name from `queue` when the current file is done."""
        return apply_op(ReaderReadV2, [self._reader_ref, self._queue_ref(queue)], {"reader_attrs": self._attrs},
                        name=name or "ReaderReadV2")

    def read_up_to(self, queue, num_records, name=None):
        """Up to `num_records` (keys, values), from the current file."""
        return apply_op(ReaderReadUpToV2, [self._reader_ref, self._queue_ref(queue),
                                           convert_to_tensor(num_records, dtypes.int64)],
                        {"reader_attrs": self._attrs}, name=name or "ReaderReadUpToV2")

    def num_records_produced(self, name=None):
        return apply_op(ReaderNumRecordsProducedV2, [self._reader_ref], {"field": "produced"},
                        name=name or "ReaderNumRecordsProducedV2")

    def num_work_units_completed(self, name=None):
        return apply_op(ReaderNumRecordsProducedV2, [self._reader_ref], {"field": "completed"},
                        name=name or "ReaderNumWorkUnitsCompletedV2")

    def reset(self, name=None):
        return apply_op(ReaderResetV2, [self._reader_ref], {}, name=name or "ReaderResetV2")


class TextLineReader(ReaderBase):
    """Reads the lines of text files (without the newline); keys "file:line" counting from 1."""

    _handle_op = TextLineReaderV2

    def __init__(self, skip_header_lines=None, name=None):
        super().__init__(name or "TextLineReaderV2", skip_header_lines=int(skip_header_lines or 0))


class WholeFileReader(ReaderBase):
    """Reads each file whole: key the file name, value its bytes."""

    _handle_op = WholeFileReaderV2

    def __init__(self, name=None):
        super().__init__(name or "WholeFileReaderV2")


class FixedLengthRecordReader(ReaderBase):
    """Reads records of `record_bytes` bytes between a header and a footer; keys "file:index" from 0."""

    _handle_op = FixedLengthRecordReaderV2

    def __init__(self, record_bytes, header_bytes=None, footer_bytes=None, hop_bytes=None, name=None,
                 encoding=None):
        if encoding:
            raise NotImplementedError("FixedLengthRecordReader: compressed files (encoding) are not supported")
        super().__init__(name or "FixedLengthRecordReaderV2", record_bytes=int(record_bytes),
                         header_bytes=int(header_bytes or 0), footer_bytes=int(footer_bytes or 0),
                         hop_bytes=int(hop_bytes or 0))


class TFRecordReader(ReaderBase):
    """Reads the records of TFRecord files (`options`: a TFRecordOptions or compression name); keys
    "file:offset"."""

    _handle_op = TFRecordReaderV2

    def __init__(self, name=None, options=None):
        from ..io_records import TFRecordOptions
        kind = TFRecordOptions.get_compression_type_string(options) if options is not None else ""
        super().__init__(name or "TFRecordReaderV2", compression_type=kind or "")
