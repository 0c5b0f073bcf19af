"""TFRecord files (`tf.io.TFRecordWriter`, `tf.python_io.tf_record_iterator`, `TFRecordOptions`,
`TFRecordCompressionType`): TensorFlow's record framing — uint64 length, masked CRC32C of the length, the bytes,
masked CRC32C of the bytes, little endian — optionally inside one GZIP or ZLIB stream, byte-compatible with the
files real TensorFlow reads and writes."""
import os
import struct
import zlib

from .framework import errors

__all__ = ["TFRecordWriter", "TFRecordOptions", "TFRecordCompressionType", "tf_record_iterator",
           "read_tfrecord_file"]


class TFRecordCompressionType:
    """The compression of a TFRecord file."""
    NONE = 0
    ZLIB = 1
    GZIP = 2


_NAMES = {TFRecordCompressionType.NONE: "", TFRecordCompressionType.ZLIB: "ZLIB",
          TFRecordCompressionType.GZIP: "GZIP"}


class TFRecordOptions:
    """Options for a TFRecord file: its compression ("", "ZLIB", "GZIP" or a TFRecordCompressionType) and
    zlib's compression level; the buffer and flush settings are accepted for compatibility."""
    compression_type_map = {TFRecordCompressionType.ZLIB: "ZLIB", TFRecordCompressionType.GZIP: "GZIP",
                            TFRecordCompressionType.NONE: ""}

    def __init__(self, compression_type=None, flush_mode=None, input_buffer_size=None, output_buffer_size=None,
                 window_bits=None, compression_level=None, compression_method=None, mem_level=None,
                 compression_strategy=None):
        if compression_type in _NAMES:
            compression_type = _NAMES[compression_type]
        compression_type = (compression_type or "").upper()
        if compression_type not in ("", "ZLIB", "GZIP"):
            raise ValueError(f"Unsupported compression type: {compression_type}")
        self.compression_type = compression_type
        self.flush_mode = flush_mode
        self.input_buffer_size = input_buffer_size
        self.output_buffer_size = output_buffer_size
        self.window_bits = window_bits
        self.compression_level = compression_level
        self.compression_method = compression_method
        self.mem_level = mem_level
        self.compression_strategy = compression_strategy

    @classmethod
    def get_compression_type_string(cls, options):
        """"", "ZLIB" or "GZIP" for `options` (a TFRecordOptions, a compression type or its name, or None)."""
        if not options:
            return ""
        if isinstance(options, TFRecordOptions):
            return options.compression_type
        return TFRecordOptions(options).compression_type


def _compression(options):
    return TFRecordOptions.get_compression_type_string(options)


class TFRecordWriter:
    """Writes records (bytes) to a TFRecord file.

    Args:
        path: the file to write (replaced if it exists).
        options: a TFRecordOptions or a compression name ("", "ZLIB", "GZIP").

    Example:
        >>> with tf.io.TFRecordWriter("train.tfrecord") as w:
        ...     w.write(example.SerializeToString())
    """

    def __init__(self, path, options=None):
        opts = options if isinstance(options, TFRecordOptions) else TFRecordOptions(_compression(options))
        self._kind = opts.compression_type
        level = opts.compression_level
        level = 6 if level is None or level < 0 else level  # zlib's default, as TensorFlow's writer uses
        path = os.fspath(path)
        try:
            self._file = open(path, "wb")
        except OSError as e:
            raise errors.NotFoundError(None, None, f"{path}; {e.strerror or e}") from None
        if self._kind == "GZIP":
            self._zip = zlib.compressobj(level, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
        elif self._kind == "ZLIB":
            self._zip = zlib.compressobj(level, zlib.DEFLATED, opts.window_bits or zlib.MAX_WBITS)
        else:
            self._zip = None

    def _put(self, data):
        if self._file is None:
            raise errors.FailedPreconditionError(None, None, "Writer is closed.")
        self._file.write(self._zip.compress(data) if self._zip else data)

    def write(self, record):
        """Appends one record (bytes or str)."""
        if isinstance(record, str):
            record = record.encode("utf-8")
        from .summary.event_file import frame_record   # here: neuroflow.summary is loaded only when used
        self._put(frame_record(bytes(record)))

    def flush(self):
        """Pushes what was written so far to the file (a full zlib flush for compressed files)."""
        if self._file is None:
            raise errors.FailedPreconditionError(None, None, "Writer is closed.")
        if self._zip is not None:
            self._file.write(self._zip.flush(zlib.Z_FULL_FLUSH))
        self._file.flush()

    def close(self):
        """Finishes the file; further writes raise FailedPreconditionError."""
        if self._file is None:
            return
        if self._zip is not None:
            self._file.write(self._zip.flush(zlib.Z_FINISH))
        self._file.close()
        self._file = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:  # noqa: BLE001 - interpreter shutdown
            pass


def _file_bytes(path, kind):
    path = os.fspath(path)
    try:
        with open(path, "rb") as f:
            blob = f.read()
    except OSError as e:
        raise errors.NotFoundError(None, None, f"{path}; {e.strerror or e}") from None
    if kind == "GZIP":
        try:
            import gzip  # here: `import neuroflow` does not load it
            return gzip.decompress(blob) if blob else b""
        except (OSError, EOFError, zlib.error) as e:
            raise errors.DataLossError(None, None, f"{path}: corrupted GZIP stream ({e})") from None
    if kind == "ZLIB":
        try:
            return zlib.decompressobj(zlib.MAX_WBITS).decompress(blob) if blob else b""
        except zlib.error as e:
            raise errors.DataLossError(None, None, f"{path}: corrupted ZLIB stream ({e})") from None
    return blob


def read_tfrecord_file(path, compression_type=None):
    """Yields the records of one TFRecord file, checking both CRCs like TensorFlow's reader.

    Raises:
        NotFoundError: the file cannot be opened.
        DataLossError: a checksum does not match or the file ends inside a record.
    """
    from .summary.crc32c import masked_crc32c   # here: neuroflow.summary is loaded only when used
    blob = _file_bytes(path, _compression(compression_type))
    pos, n = 0, len(blob)
    while pos < n:
        if pos + 12 > n:
            raise errors.DataLossError(None, None, f"truncated record at {pos}")
        header = blob[pos:pos + 8]
        (length,) = struct.unpack("<Q", header)
        if struct.unpack("<I", blob[pos + 8:pos + 12])[0] != masked_crc32c(header):
            raise errors.DataLossError(None, None, f"corrupted record at {pos}")
        start, end = pos + 12, pos + 12 + length
        if end + 4 > n:
            raise errors.DataLossError(None, None, f"truncated record at {pos}")
        data = blob[start:end]
        if struct.unpack("<I", blob[end:end + 4])[0] != masked_crc32c(data):
            raise errors.DataLossError(None, None, f"corrupted record at {pos}")
        yield data
        pos = end + 4


def tf_record_iterator(path, options=None):
    """An iterator over the records (bytes) of a TFRecord file.

    Args:
        path: the file.
        options: a TFRecordOptions or a compression name.

    Raises:
        DataLossError: while iterating, for a corrupt or truncated record.
    """
    return read_tfrecord_file(path, options)
