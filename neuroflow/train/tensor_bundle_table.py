"""The sorted key/value table TensorFlow's checkpoint `.index` file is (TensorFlow's `lib/io/table`, LevelDB's
SSTable format): building one from sorted items, and reading one back with every block's checksum verified.

Layout: data blocks, an (empty) metaindex block, an index block, and a 48-byte footer. A block is entries
(varint shared-key length, varint unshared length, varint value length, the unshared key bytes, the value; keys
share a prefix with the previous key except at restart points) followed by the restart offsets (u32 each) and
their count (u32), then a 5-byte trailer: the compression type (0: none) and the masked CRC32C of the block and
that byte. A block handle is varint offset, varint size. The footer is the metaindex and index handles, zero-padded
to 40 bytes, then the magic number. The index block maps a key >= every key of a data block to that block's handle.
All integers little-endian.
"""
import struct

from ..framework import errors
from .proto_wire import DecodeError, _read_varint, _varint

__all__ = []

TABLE_MAGIC = struct.pack("<Q", 0xDB4775248B80FB57)
FOOTER_SIZE = 48
_BLOCK_SIZE = 262144          # TensorFlow's table::Options default: a data block is cut once it reaches this size
_RESTART_INTERVAL = 16        # keys between restart points in data blocks (the index block restarts at every key)
_TRAILER_SIZE = 5
_NO_COMPRESSION, _SNAPPY = 0, 1


def _masked_crc32c(data):
    from ..summary.crc32c import masked_crc32c   # here: neuroflow.summary loads only when checkpoints are used
    return masked_crc32c(data)


# --- writing -------------------------------------------------------------------------------------------------------
class _BlockBuilder:
    def __init__(self, restart_interval):
        self.restart_interval = restart_interval
        self.buf = bytearray()
        self.restarts = [0]
        self.count = 0            # entries since the last restart point
        self.last_key = b""
        self.empty = True

    def add(self, key, value):
        shared = 0
        if self.count < self.restart_interval:
            limit = min(len(key), len(self.last_key))
            while shared < limit and key[shared] == self.last_key[shared]:
                shared += 1
        else:
            self.restarts.append(len(self.buf))
            self.count = 0
        _varint(self.buf, shared)
        _varint(self.buf, len(key) - shared)
        _varint(self.buf, len(value))
        self.buf += key[shared:]
        self.buf += value
        self.last_key = key
        self.count += 1
        self.empty = False

    def size(self):
        return len(self.buf) + 4 * len(self.restarts) + 4

    def finish(self):
        return bytes(self.buf) + struct.pack(f"<{len(self.restarts) + 1}I", *self.restarts, len(self.restarts))


def _handle(offset, size):
    out = bytearray()
    _varint(out, offset)
    _varint(out, size)
    return bytes(out)


def _shortest_separator(start, limit):
    """A short key k with start <= k < limit (LevelDB's comparator: the index block need not hold full keys)."""
    common = 0
    while common < min(len(start), len(limit)) and start[common] == limit[common]:
        common += 1
    if common < min(len(start), len(limit)):
        byte = start[common]
        if byte < 0xFF and byte + 1 < limit[common]:
            return start[:common] + bytes([byte + 1])
    return start


def _short_successor(key):
    """A short key >= `key` (for the last data block's index entry)."""
    for i, byte in enumerate(key):
        if byte != 0xFF:
            return key[:i] + bytes([byte + 1])
    return key


def build_table(items):
    """The bytes of a table holding `items`: (key bytes, value bytes) pairs, keys strictly increasing. The
    blocks, restart points and index keys are the ones TensorFlow's TableBuilder makes, so the bytes match."""
    out = bytearray()

    def write_block(contents):
        offset = len(out)
        out.extend(contents)
        out.append(_NO_COMPRESSION)
        out.extend(struct.pack("<I", _masked_crc32c(contents + bytes([_NO_COMPRESSION]))))
        return _handle(offset, len(contents))

    index = _BlockBuilder(1)
    block = _BlockBuilder(_RESTART_INTERVAL)
    pending = None     # (last key, handle) of a written block whose index key waits for the next block's first key
    for key, value in items:
        if block.last_key and key <= block.last_key or pending and key <= pending[0]:
            raise ValueError(f"table keys must be strictly increasing: {key!r}")
        if pending:
            index.add(_shortest_separator(pending[0], key), pending[1])
            pending = None
        block.add(key, value)
        if block.size() >= _BLOCK_SIZE:
            pending = (block.last_key, write_block(block.finish()))
            block = _BlockBuilder(_RESTART_INTERVAL)
    if not block.empty:
        pending = (block.last_key, write_block(block.finish()))
    if pending:
        index.add(_short_successor(pending[0]), pending[1])
    metaindex_handle = write_block(_BlockBuilder(_RESTART_INTERVAL).finish())
    index_handle = write_block(index.finish())
    footer = (metaindex_handle + index_handle).ljust(FOOTER_SIZE - len(TABLE_MAGIC), b"\x00") + TABLE_MAGIC
    return bytes(out + footer)


# --- reading -------------------------------------------------------------------------------------------------------
def _corrupted(path, what):
    return errors.DataLossError(None, None, f"Checkpoint index {path} is corrupted: {what}")


def looks_truncated(raw):
    """True when `raw` could be a table cut short: shorter than a footer, or ending in part of the magic number."""
    if len(raw) < FOOTER_SIZE:
        return True
    return any(raw.endswith(TABLE_MAGIC[:k]) for k in range(3, len(TABLE_MAGIC)))


def _block(raw, handle_bytes, path):
    """The verified contents of the block `handle_bytes` points to."""
    try:
        offset, pos = _read_varint(handle_bytes, 0)
        size, pos = _read_varint(handle_bytes, pos)
    except (IndexError, DecodeError):
        raise _corrupted(path, "bad block handle") from None
    end = offset + size
    if end + _TRAILER_SIZE > len(raw) - FOOTER_SIZE:
        raise _corrupted(path, f"block at offset {offset} of {size} bytes lies beyond the end of the file")
    contents = raw[offset:end]
    kind = raw[end]
    stored = struct.unpack_from("<I", raw, end + 1)[0]
    if _masked_crc32c(contents + bytes([kind])) != stored:
        raise _corrupted(path, f"block checksum mismatch (block at offset {offset})")
    if kind == _SNAPPY:
        raise errors.DataLossError(None, None, f"Checkpoint index {path} holds a snappy-compressed block, which "
                                               "neuroflow does not read (TensorFlow writes checkpoint indexes "
                                               "uncompressed)")
    if kind != _NO_COMPRESSION:
        raise _corrupted(path, f"bad block type {kind}")
    return contents


def _block_items(contents, path):
    """The (key, value) pairs of a block, in order."""
    if len(contents) < 4:
        raise _corrupted(path, "block too short")
    restarts = struct.unpack_from("<I", contents, len(contents) - 4)[0]
    limit = len(contents) - 4 - 4 * restarts
    if restarts < 1 or limit < 0:
        raise _corrupted(path, "bad restart array")
    items, key, pos = [], b"", 0
    try:
        while pos < limit:
            shared, pos = _read_varint(contents, pos)
            unshared, pos = _read_varint(contents, pos)
            length, pos = _read_varint(contents, pos)
            if shared > len(key) or pos + unshared + length > limit:
                raise _corrupted(path, "bad block entry")
            key = key[:shared] + contents[pos:pos + unshared]
            pos += unshared
            items.append((key, contents[pos:pos + length]))
            pos += length
    except (IndexError, DecodeError):
        raise _corrupted(path, "bad block entry") from None
    return items


def read_table(raw, path):
    """[(key, value)] of every entry of the table `raw` (the bytes of the file `path`), in key order.

    Raises:
        tf.errors.DataLossError: not a table, truncated, a block failing its checksum, or a malformed block
            (the message names `path`).
    """
    if looks_truncated(raw) and raw[-8:] != TABLE_MAGIC:
        raise errors.DataLossError(None, None, f"Checkpoint index {path} is truncated: {len(raw)} bytes")
    if raw[-8:] != TABLE_MAGIC:
        raise errors.DataLossError(None, None, f"Unable to open table file {path}: Data loss: not an sstable (bad "
                                               "magic number): perhaps your file is in a different file format")
    footer = raw[-FOOTER_SIZE:]
    try:
        meta_offset, pos = _read_varint(footer, 0)
        meta_size, pos = _read_varint(footer, pos)
        index_offset, end = _read_varint(footer, pos)
        index_size, end = _read_varint(footer, end)
    except (IndexError, DecodeError):
        raise _corrupted(path, "bad footer") from None
    # Writers encode the handles minimally and zero the padding: anything else there is damage.
    canonical = _handle(meta_offset, meta_size) + _handle(index_offset, index_size)
    if footer[:FOOTER_SIZE - len(TABLE_MAGIC)] != canonical.ljust(FOOTER_SIZE - len(TABLE_MAGIC), b"\x00"):
        raise _corrupted(path, "bad footer")
    _block_items(_block(raw, footer[:pos], path), path)   # the metaindex: unused, but verified like the rest
    items = []
    for _, handle in _block_items(_block(raw, footer[pos:end], path), path):
        items.extend(_block_items(_block(raw, handle, path), path))
    for (a, _), (b, _) in zip(items, items[1:]):
        if a >= b:
            raise _corrupted(path, "keys out of order")
    return items
