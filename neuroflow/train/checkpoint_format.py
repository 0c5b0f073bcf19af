"""The checkpoint files themselves, written crash-safely and read back with every byte verified, in two formats:

- TensorFlow's (the V2 tensor bundle, what Saver writes): `<prefix>.index`, a table of BundleEntryProtos, and
  `<prefix>.data-00000-of-00001`, the tensors' bytes (see `tensor_bundle`). TensorFlow restores these files.
- neuroflow's earlier one, still read (and written on request): `<prefix>.index` holds names, dtypes, shapes,
  offsets and a CRC32 per tensor as JSON inside a checksummed frame; the data file starts with a save id.

    index: b"NFCKPTIX" | u32 format version | u64 header length | u32 CRC32 of header | header (UTF-8 JSON)
    data:  b"NFCKPTDT" | 16-byte save id (also in the index header) | tensor bytes, in index order
    (a string tensor's bytes are its element lengths, u64 each, then the elements' bytes; all little-endian)

`CheckpointFile` tells them apart by the index's magic number (neuroflow's at the start, the table's at the end).
No pickle anywhere: reading parses JSON or protobuf fields and copies bytes into NumPy arrays, never runs code
from the file.

Overwriting a prefix switches old -> new with one rename, the index's: the new data is first written complete
under a side name carrying the save's id (`<prefix>.data-00000-of-00001.save-<hex>`), then the index is renamed
into place, then the side file is renamed to the usual data name. A save's id is a random number in neuroflow's
format, and a digest of the index bytes in TensorFlow's (whose files have no room for an id), so an index always
names the side file of its own data. A reader looks for that data under both names (in TensorFlow's format it
re-reads the index after opening the usual name, to be sure it did not change meanwhile), so a crash or a
concurrent reader at any instant sees the whole old or the whole new save.
"""
import contextlib
import glob
import json
import os
import struct
import threading
import zlib

import numpy as np

from ..framework import dtypes as _dtypes
from ..framework import errors

__all__ = []

INDEX_SUFFIX = ".index"
DATA_SUFFIX = ".data-00000-of-00001"
DATA_GLOB = ".data-?????-of-?????"
_INDEX_MAGIC = b"NFCKPTIX"
_DATA_MAGIC = b"NFCKPTDT"
_VERSION = 1
_INDEX_FRAME = struct.Struct("<8sIQI")   # magic, version, header length, header crc32
_DATA_HEADER = 8 + 16                     # magic + save id
_SIDE_MARK = ".save-"                     # data of a save whose index switch may not have been followed yet
_READ_ATTEMPTS = 200                      # a reader re-reads a pair that changed under it this many times
TENSORFLOW, NEUROFLOW = "tensorflow", "neuroflow"   # the formats write_checkpoint writes


def side_data_path(prefix, save_id):
    """Where a save writes its data before its index is switched (see the module docstring)."""
    return prefix + DATA_SUFFIX + _SIDE_MARK + save_id.hex()


def side_data_files(prefix):
    """The side data files of `prefix` present now (left by an interrupted save, or one in progress)."""
    return glob.glob(glob.escape(prefix + DATA_SUFFIX + _SIDE_MARK) + "*")


# --- crash-safe writing ------------------------------------------------------------------------------------
def fsync_directory(directory):
    """Makes the renames inside `directory` durable (a no-op where directories cannot be opened, e.g. Windows)."""
    try:
        fd = os.open(directory or ".", os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


_host = []  # this machine's tag in temp-file names, made on first save (socket is not imported by import neuroflow)


def _host_tag():
    if not _host:
        import socket
        _host.append(f"{zlib.crc32(socket.gethostname().encode('utf-8', 'replace')):08x}")
    return _host[0]


def _temp_name(path):
    """A temp file's name for `path`: this machine and process, and 128 random bits."""
    return f"{path}.tmp.{_host_tag()}.{os.getpid()}.{os.urandom(16).hex()}"


def _remove_stale_temp_files(path):
    """Removes temp files for `path` left by processes of this machine that died mid-write (their pid is gone),
    so repeated crashes do not pile up partial checkpoints. POSIX only (there `kill(pid, 0)` only probes)."""
    if os.name != "posix":
        return
    for tmp in glob.glob(glob.escape(path) + ".tmp.*"):
        parts = tmp[len(path):].split(".")   # ["", "tmp", host, pid, hex]
        if len(parts) != 5 or parts[2] != _host_tag() or not parts[3].isdigit():
            continue
        try:
            os.kill(int(parts[3]), 0)
        except ProcessLookupError:
            with contextlib.suppress(OSError):
                os.remove(tmp)
        except (PermissionError, OverflowError, OSError):
            pass


@contextlib.contextmanager
def atomic_file(path):
    """Yields a binary file that becomes `path` only once it is complete: written to a temp file in the same
    folder, flushed and fsynced, then renamed over `path` (atomic). On an error the temp file is removed and
    `path` keeps its old content. The caller fsyncs the folder once after its last rename."""
    _remove_stale_temp_files(path)
    tmp = _temp_name(path)
    f = open(tmp, "wb")
    try:
        yield f
        f.flush()
        os.fsync(f.fileno())
        f.close()
        os.replace(tmp, path)
    except BaseException:
        f.close()
        with contextlib.suppress(OSError):
            os.remove(tmp)
        raise


def write_text_atomically(path, text):
    """Replaces the file `path` by `text` (UTF-8) so that readers see either the old or the new content."""
    with atomic_file(path) as f:
        f.write(text.encode("utf-8"))
    fsync_directory(os.path.dirname(path))


def _tensor_bytes(dtype, array):
    """The bytes stored for `array`: a buffer over the array itself where possible (no copy)."""
    if dtype is _dtypes.string:
        items = [x.encode("utf-8") if isinstance(x, str) else bytes(x) for x in np.asarray(array, object).ravel()]
        lengths = np.array([len(x) for x in items], dtype="<u8")
        return memoryview(lengths.tobytes() + b"".join(items))
    np_dtype = np.dtype(dtype.as_numpy_dtype).newbyteorder("<")
    array = np.ascontiguousarray(array, dtype=np_dtype)
    return memoryview(array.reshape(-1).view(np.uint8))


def write_checkpoint(prefix, entries, file_format=NEUROFLOW):
    """Writes the checkpoint `prefix` (`prefix.index` and `prefix.data-00000-of-00001`) crash-safely.

    Args:
        prefix: the checkpoint prefix (its folder must exist).
        entries: (name, DType, array) triples; names must be unique.
        file_format: TENSORFLOW (TensorFlow's V2 format, which TensorFlow restores; what Saver and keras'
            `save_weights` write) or NEUROFLOW (the earlier JSON-indexed format, still read; written only on request).

    The data is complete and durable under its side name before the index that names it is renamed into place;
    only then does the data move to its usual name. So after a crash at any instant, and for a reader at any
    instant, `prefix` holds either the previous save or this one, never a mix.
    """
    if file_format == TENSORFLOW:
        _write_tensorflow_checkpoint(prefix, sorted(entries, key=lambda e: e[0]))
    elif file_format == NEUROFLOW:
        _write_neuroflow_checkpoint(prefix, sorted(entries, key=lambda e: e[0]))
    else:
        raise ValueError(f"Unknown checkpoint file format {file_format!r}: use {TENSORFLOW!r} or {NEUROFLOW!r}")


def index_digest(index_bytes):
    """The id of a TensorFlow-format save: derived from its index, which names its side data file this way."""
    import hashlib  # here: OpenSSL's loading costs ~16 ms of `import neuroflow`
    return hashlib.sha256(index_bytes).digest()[:16]


def _write_tensorflow_checkpoint(prefix, entries):
    from . import tensor_bundle   # here: `import neuroflow` stays fast
    directory = os.path.dirname(prefix)
    data_path = prefix + DATA_SUFFIX
    _remove_stale_temp_files(data_path)
    tmp = _temp_name(data_path)
    side = None
    records, offset = {}, 0
    try:
        with open(tmp, "wb") as f:
            for name, dtype, array in entries:
                chunks, size, crc = tensor_bundle.tensor_chunks(dtype, array)
                for chunk in chunks:
                    f.write(chunk)
                records[name] = tensor_bundle.encode_entry(dtype, np.shape(array), offset, size, crc)
                offset += size
            f.flush()
            os.fsync(f.fileno())
        index = tensor_bundle.build_index(records)
        side = side_data_path(prefix, index_digest(index))
        os.replace(tmp, side)
        fsync_directory(directory)   # the side file's name is durable before an index can name it
        with atomic_file(prefix + INDEX_SUFFIX) as f:
            f.write(index)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(tmp)
        if side is not None and not _index_names(prefix, side):   # the same bytes as a save already switched to
            with contextlib.suppress(OSError):
                os.remove(side)
        raise
    _switch_data(prefix, side)


def _index_names(prefix, side):
    """Whether the index now in place names the side file `side` (an identical earlier save whose data move was
    interrupted): then the side file is that save's data and must stay."""
    try:
        with open(prefix + INDEX_SUFFIX, "rb") as f:
            return side_data_path(prefix, index_digest(f.read())) == side
    except OSError:
        return False


def _switch_data(prefix, side):
    """After the index switch: the side data takes the usual name, and older side files go."""
    directory = os.path.dirname(prefix)
    # From here on `prefix` is this save. The index rename must be durable before the old data goes.
    fsync_directory(directory)
    os.replace(side, prefix + DATA_SUFFIX)
    fsync_directory(directory)
    for stale in side_data_files(prefix):   # saves that died before their index switch, or after it (now superseded)
        with contextlib.suppress(OSError):
            os.remove(stale)


def _write_neuroflow_checkpoint(prefix, entries):
    directory = os.path.dirname(prefix)
    save_id = os.urandom(16)
    side = side_data_path(prefix, save_id)
    tensors = {}
    offset = _DATA_HEADER
    # The side file needs no temp name: no index names it until it is complete and fsynced.
    try:
        with open(side, "wb") as f:
            f.write(_DATA_MAGIC + save_id)
            for name, dtype, array in entries:
                buf = _tensor_bytes(dtype, array)
                f.write(buf)
                tensors[name] = {"dtype": dtype.name, "shape": [int(d) for d in np.shape(array)], "offset": offset,
                                 "nbytes": buf.nbytes, "crc32": zlib.crc32(buf)}
                offset += buf.nbytes
            f.flush()
            os.fsync(f.fileno())
        header = json.dumps({"format": "neuroflow-checkpoint", "save_id": save_id.hex(),
                             "data_file": os.path.basename(prefix + DATA_SUFFIX), "data_size": offset,
                             "tensors": tensors}, separators=(",", ":")).encode("utf-8")
        fsync_directory(directory)   # the side file's name is durable before an index can name it
        with atomic_file(prefix + INDEX_SUFFIX) as f:
            f.write(_INDEX_FRAME.pack(_INDEX_MAGIC, _VERSION, len(header), zlib.crc32(header)) + header)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(side)
        raise
    _switch_data(prefix, side)


# --- reading -----------------------------------------------------------------------------------------------------
def _data_loss(message):
    return errors.DataLossError(None, None, message)


def _is_v1_checkpoint(prefix):
    """Whether `prefix` is itself a table file: TensorFlow's V1 checkpoint (SavedSlice protos, one file)."""
    from .tensor_bundle_table import FOOTER_SIZE, TABLE_MAGIC
    try:
        with open(prefix, "rb") as f:
            if os.fstat(f.fileno()).st_size < FOOTER_SIZE:
                return False
            f.seek(-len(TABLE_MAGIC), os.SEEK_END)
            return f.read() == TABLE_MAGIC
    except OSError:
        return False


def _is_neuroflow_index(raw):
    """neuroflow's index starts with its magic (or, cut short, with part of it); TensorFlow's ends with its own."""
    return raw[:8] == _INDEX_MAGIC or bool(raw) and len(raw) < 8 and _INDEX_MAGIC.startswith(raw)


class TensorInfo:
    """Where one tensor lives in the data file, and its checksum."""

    __slots__ = ("name", "dtype", "shape", "offset", "nbytes", "crc32")

    def __init__(self, name, dtype, shape, offset, nbytes, crc32):
        self.name, self.dtype, self.shape = name, dtype, shape
        self.offset, self.nbytes, self.crc32 = offset, nbytes, crc32


def _parse_header(index_path, header):
    """The header's tensors as {name: TensorInfo}, after checking every field's type (a clear DataLossError
    rather than a KeyError or garbage on a damaged or foreign file)."""
    bad = _data_loss(f"Unable to read checkpoint index {index_path}: malformed header")
    try:
        meta = json.loads(header.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise bad from None
    if not isinstance(meta, dict) or meta.get("format") != "neuroflow-checkpoint":
        raise bad
    save_id, size, items = meta.get("save_id"), meta.get("data_size"), meta.get("tensors")
    if not isinstance(save_id, str) or not isinstance(size, int) or not isinstance(items, dict):
        raise bad
    infos = {}
    for name, item in items.items():
        try:
            dtype = _dtypes.as_dtype(item["dtype"])
            shape = tuple(int(d) for d in item["shape"])
            info = TensorInfo(name, dtype, shape, int(item["offset"]), int(item["nbytes"]), int(item["crc32"]))
        except (KeyError, TypeError, ValueError):
            raise bad from None
        expected = None if dtype is _dtypes.string else int(np.prod(shape)) * np.dtype(dtype.as_numpy_dtype).itemsize
        if (any(d < 0 for d in shape) or info.offset < _DATA_HEADER or info.offset + info.nbytes > size
                or expected is not None and expected != info.nbytes):
            raise bad
        infos[name] = info
    try:
        return infos, bytes.fromhex(save_id), size
    except ValueError:
        raise bad from None


class CheckpointFile:
    """A checkpoint on disk, opened for reading: the index is read and verified on construction, and the data file
    of the same save is opened and held, so every read sees that one save even while another process overwrites
    the prefix. Each tensor's bytes are verified against their checksum when read. Use it as a context manager
    (or call `close`) to release the data file.

    Raises (on construction):
        tf.errors.NotFoundError: no `<prefix>.index` (or no data file).
        tf.errors.DataLossError: a truncated, corrupted or foreign index or data file (the message names it).
        tf.errors.AbortedError: the checkpoint was replaced again and again while being opened (another process
            saving it in a tight loop).
    """

    def __init__(self, prefix):
        self.prefix = prefix
        self.index_path = prefix + INDEX_SUFFIX
        self.data_path = prefix + DATA_SUFFIX
        self.format = None
        self._data = self._bundle = None
        self._lock = threading.Lock()
        if os.path.isdir(prefix) and not os.path.exists(self.index_path):
            raise _data_loss(f"Unable to open table file {prefix}: it is a directory, not a checkpoint. Pass a "
                             "checkpoint prefix, e.g. tf.train.latest_checkpoint(directory).")
        for _ in range(_READ_ATTEMPTS):
            raw = self._read_index()
            if not _is_neuroflow_index(raw):
                from .tensor_bundle_file import BundleFile   # here: `import neuroflow` stays fast
                self._bundle = BundleFile.open(prefix, self.index_path, raw,
                                               side_data_path(prefix, index_digest(raw)), self._read_index)
                if self._bundle is not None:
                    self.format, self.tensors = TENSORFLOW, self._bundle.tensors
                    self.data_path = self._bundle.data_paths[0]
                    return
                continue   # another process saved this prefix meanwhile: read its new index
            self.tensors, save_id, size = self._parse_index(raw)
            self._data = self._open_data(save_id)
            if self._data is not None:
                self.format = NEUROFLOW
                self._check_size(size)
                return
            if self._read_index() == raw:   # the index did not move: the pair really is mismatched
                self._raise_mismatch()
            # else another process saved this prefix meanwhile: read its new index
        raise errors.AbortedError(None, None, f"Checkpoint {prefix} was overwritten {_READ_ATTEMPTS} times while "
                                              "being opened (another process keeps saving it); try again")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def close(self):
        """Releases the data file (reads after this raise ValueError)."""
        if self._data is not None:
            self._data.close()
        if self._bundle is not None:
            self._bundle.close()

    def __del__(self):
        with contextlib.suppress(Exception):
            self.close()

    def _read_index(self):
        try:
            with open(self.index_path, "rb") as f:
                return f.read()
        except FileNotFoundError:
            if _is_v1_checkpoint(self.prefix):
                raise errors.UnimplementedError(None, None, f"{self.prefix} is a checkpoint in TensorFlow's V1 format "
                                                            "(one file, no .index), which neuroflow does not read: "
                                                            "save it again with TensorFlow's V2 format (its "
                                                            "default) first") from None
            raise errors.NotFoundError(None, None, "Unsuccessful TensorSliceReader constructor: Failed to find any "
                                                   f"matching files for {self.prefix}") from None
        except OSError as e:
            raise _data_loss(f"Unable to open table file {self.index_path}: {e}") from None

    def _parse_index(self, raw):
        if len(raw) < _INDEX_FRAME.size:
            raise _data_loss(f"Checkpoint index {self.index_path} is truncated: {len(raw)} bytes")
        _, version, length, crc = _INDEX_FRAME.unpack_from(raw)
        if version != _VERSION:
            raise _data_loss(f"Checkpoint index {self.index_path} has format version {version}; this neuroflow "
                             f"reads version {_VERSION}")
        header = raw[_INDEX_FRAME.size:]
        if len(header) != length:
            raise _data_loss(f"Checkpoint index {self.index_path} is truncated or has trailing bytes: header of "
                             f"{len(header)} bytes, expected {length}")
        if zlib.crc32(header) != crc:
            raise _data_loss(f"Checkpoint index {self.index_path} is corrupted: checksum does not match")
        return _parse_header(self.index_path, header)

    def _open_data(self, save_id):
        """The open data file of save `save_id`, or None. The side name is tried first: its data moves to the
        usual name only after the index switch, so checking in this order cannot miss a save in flight."""
        for path in (side_data_path(self.prefix, save_id), self.data_path):
            try:
                f = open(path, "rb")
            except (FileNotFoundError, NotADirectoryError):
                continue
            except OSError as e:
                raise _data_loss(f"Unable to open checkpoint data file {path}: {e}") from None
            if f.read(_DATA_HEADER) == _DATA_MAGIC + save_id:
                self.data_path = path
                return f
            f.close()
        return None

    def _check_size(self, size):
        actual = os.fstat(self._data.fileno()).st_size
        if actual != size:
            self.close()
            raise _data_loss(f"Checkpoint data file {self.data_path} is truncated or overwritten: {actual} bytes, "
                             f"its index {self.index_path} expects {size}")

    def _raise_mismatch(self):
        if not os.path.exists(self.data_path):
            raise errors.NotFoundError(None, None, f"{self.data_path}; No such file or directory")
        raise _data_loss(f"Checkpoint data file {self.data_path} does not belong to its index "
                         f"{self.index_path} (a different or interrupted save, or a corrupted file)")

    def read(self, names):
        """{name: array} for `names` (all keys present: check first), each verified against its checksum.

        Arrays are fresh, owned, writable, C-contiguous and in native byte order (fit for in-place updates).
        """
        if self._bundle is not None:
            return self._bundle.read(names)
        out = {}
        with self._lock:   # one seek+read at a time on the shared file
            f = self._data
            for name in names:
                info = self.tensors[name]
                if info.dtype is _dtypes.string:
                    array, buf = None, bytearray(info.nbytes)
                else:   # read straight into the array: no intermediate copy of a large tensor
                    array = np.empty(info.shape, np.dtype(info.dtype.as_numpy_dtype).newbyteorder("<"))
                    buf = memoryview(array.reshape(-1).view(np.uint8))
                f.seek(info.offset)
                if f.readinto(buf) != info.nbytes:
                    raise _data_loss(f"Checkpoint data file {self.data_path} is truncated (tensor {name})")
                computed = zlib.crc32(buf)
                if computed != info.crc32:
                    raise _data_loss(f"Checksum does not match: stored {info.crc32} vs. calculated on the restored "
                                     f"bytes {computed} (tensor '{name}' in {self.data_path}: the file is "
                                     "corrupted)")
                if array is None:
                    out[name] = self._strings(info, buf)
                else:
                    out[name] = array if array.dtype.isnative else array.astype(array.dtype.newbyteorder("="))
        return out

    def _strings(self, info, buf):
        n = int(np.prod(info.shape))
        bad = _data_loss(f"Checkpoint data file {self.data_path}: bad string tensor '{info.name}'")
        if len(buf) < 8 * n:
            raise bad
        lengths = np.frombuffer(buf, "<u8", n).astype(np.int64)
        ends = 8 * n + np.cumsum(lengths)
        if (ends[-1] if n else 8 * n) != len(buf):
            raise bad
        out = np.empty(n, dtype=object)
        out[:] = [bytes(buf[s:e]) for s, e in zip((ends - lengths).tolist(), ends.tolist())]
        return out.reshape(info.shape)
