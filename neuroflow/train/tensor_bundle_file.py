"""A TensorFlow-format checkpoint opened for reading: its index parsed, its data shards held open (so every read
sees one save even while another process overwrites the prefix), and tensors read with their checksums verified,
a partitioned variable assembled from its slices. `checkpoint_format.CheckpointFile` uses it for such files."""
import contextlib
import math
import os
import threading

import numpy as np

from ..framework import errors
from . import tensor_bundle

__all__ = []


def _data_loss(message):
    return errors.DataLossError(None, None, message)


def shard_path(prefix, shard, num_shards):
    return f"{prefix}.data-{shard:05d}-of-{num_shards:05d}"


class BundleFile:
    """The open data shards of one TensorFlow-format index. Use `open`, which returns None when the index
    changed while the shards were being opened (the caller reads the new index and tries again)."""

    def __init__(self, index_path, parsed):
        self.index_path = index_path
        num_shards, self.big_endian, self.tensors, self._slices = parsed
        self.num_shards = num_shards
        self.data_paths = []
        self._files = []
        self._lock = threading.Lock()

    @classmethod
    def open(cls, prefix, index_path, raw, side_path, reread_index):
        """Opens the data of the index bytes `raw`: one shard under its side name `side_path` if present (a save
        whose data move is pending), else every shard under its usual name; then `reread_index()` must still
        return `raw`, or None is returned."""
        bundle = cls(index_path, tensor_bundle.parse_index(raw, index_path))
        if bundle.num_shards == 1 and bundle._open_file(side_path):
            bundle._check_sizes()
            return bundle
        for shard in range(bundle.num_shards):
            path = shard_path(prefix, shard, bundle.num_shards)
            if not bundle._open_file(path):
                bundle.close()
                if reread_index() != raw:
                    return None
                raise errors.NotFoundError(None, None, f"{path}; No such file or directory")
        if reread_index() != raw:   # a save switched the index after we read it: these files may be newer
            bundle.close()
            return None
        bundle._check_sizes()
        return bundle

    def _open_file(self, path):
        try:
            f = open(path, "rb")
        except (FileNotFoundError, NotADirectoryError):
            return False
        except OSError as e:
            raise _data_loss(f"Unable to open checkpoint data file {path}: {e}") from None
        self._files.append(f)
        self.data_paths.append(path)
        return True

    def _check_sizes(self):
        needed = [0] * self.num_shards
        for entry in list(self.tensors.values()) + list(self._slices.values()):
            if entry.slices:
                continue
            if entry.shard_id >= self.num_shards:
                raise _data_loss(f"Checkpoint index {self.index_path}: tensor '{entry.name}' in shard "
                                 f"{entry.shard_id} of {self.num_shards}")
            needed[entry.shard_id] = max(needed[entry.shard_id], entry.offset + entry.size)
        for f, path, size in zip(self._files, self.data_paths, needed):
            actual = os.fstat(f.fileno()).st_size
            if actual < size:
                self.close()
                raise _data_loss(f"Checkpoint data file {path} is truncated: {actual} bytes, its index "
                                 f"{self.index_path} expects at least {size}")

    def close(self):
        for f in self._files:
            f.close()

    def read(self, names):
        """{name: array} for `names` (all present), each verified; fresh, writable, native byte order."""
        with self._lock:   # one seek+read at a time on the shared files
            return {name: self._read(self.tensors[name]) for name in names}

    def _read(self, entry):
        if entry.dtype is None:
            raise errors.UnimplementedError(None, None, f"Tensor '{entry.name}' in checkpoint {self.index_path} has "
                                                        f"dtype {tensor_bundle.dtype_name(entry)} (DataType "
                                                        f"{entry.dtype_enum}), which neuroflow does not support")
        if entry.slices:
            return self._assemble(entry)
        f, path = self._files[entry.shard_id], self.data_paths[entry.shard_id]
        expected = tensor_bundle.expected_size(entry)
        if expected is not None and expected != entry.size:
            raise _data_loss(f"Checkpoint index {self.index_path}: tensor '{entry.name}' of shape "
                             f"{list(entry.shape)} has {entry.size} bytes, expected {expected}")
        if expected is None:
            buf = bytearray(entry.size)
            array = None
        else:   # read straight into the array: no intermediate copy of a large tensor
            order = ">" if self.big_endian else "<"
            array = np.empty(entry.shape, np.dtype(entry.dtype.as_numpy_dtype).newbyteorder(order))
            buf = memoryview(array.reshape(-1).view(np.uint8))
        f.seek(entry.offset)
        if f.readinto(buf) != entry.size:
            raise _data_loss(f"Checkpoint data file {path} is truncated (tensor {entry.name})")
        if array is None:
            return tensor_bundle.decode_strings(entry, bytes(buf), self.big_endian, path)
        tensor_bundle.verify_bytes(entry, buf, path)
        return array if array.dtype.isnative else array.astype(array.dtype.newbyteorder("="))

    def _assemble(self, entry):
        """A partitioned tensor: its slices, each a tensor of its own, put together."""
        where = f"Checkpoint index {self.index_path}: tensor '{entry.name}'"
        parts = []
        for extents in entry.slices:
            part = self._slices.get(tensor_bundle.slice_key(entry.name, extents))
            if part is None:
                raise _data_loss(f"{where}: slice {extents} is missing")
            index = tensor_bundle.slice_index(extents, entry.shape, where)
            if part.dtype is not entry.dtype or part.shape != tuple(s.stop - s.start for s in index):
                raise _data_loss(f"{where}: slice {extents} holds a {tensor_bundle.dtype_name(part)} tensor of "
                                 f"shape {list(part.shape)}")
            parts.append((part, index, extents))
        covered, total = sum(math.prod(p.shape) for p, _, _ in parts), math.prod(entry.shape)
        if covered != total:   # checked before allocating: the shape alone could ask for any amount of memory
            raise _data_loss(f"{where}: its slices cover {covered} of its {total} elements")
        full = np.empty(entry.shape, object if entry.dtype.name == "string" else entry.dtype.as_numpy_dtype)
        for part, index, extents in parts:
            part.name = f"{entry.name}' slice '{extents}"   # for the errors of reading it
            full[index] = self._read(part)
        return full

    def __del__(self):
        with contextlib.suppress(Exception):
            self.close()
