"""TensorFlow's checkpoint format (the V2 "tensor bundle"), as bytes: the `.index` entries (BundleHeaderProto and
one BundleEntryProto per tensor, in the table of `tensor_bundle_table`) and each tensor's bytes in a `.data-*`
shard, both ways, every tensor verified by its masked CRC32C. Which files hold the bytes, and writing them
crash-safely, is `checkpoint_format`'s business; this module touches no file.

An entry: dtype (DataType enum), shape, shard_id, offset and size of its bytes in that shard, masked CRC32C of
them, and for a tensor saved in pieces (a partitioned variable) the slices instead: each slice is a tensor of its
own under a key that encodes the name and the slice (TensorFlow's OrderedCode), and those keys start with a
zero byte, so they sort first and are never variable names. A numeric tensor's bytes are its elements,
little-endian; a string tensor's are the varint64 length of each element, a masked CRC32C of the lengths (each
as a little-endian uint32, or uint64 when longer than 4 GiB), then the elements' bytes.
"""
import math
import struct

import numpy as np

from ..framework import dtypes as _dtypes
from ..framework import errors
from .proto_wire import DecodeError, _delimited, _read_varint, _skip, _varint
from .tensor_bundle_table import build_table, read_table

__all__ = []

HEADER_KEY = b""
_VERSION = 1                     # kTensorBundleVersion: the producer version written and the newest one read
_MASK_DELTA = 0xA282EAD8
_DATA_LOSS = errors.DataLossError


def _crc32c(data, crc=0):
    from .tensor_bundle_crc import crc32c   # here: `import neuroflow` stays fast
    return crc32c(data, crc)


def mask(crc):
    """TensorFlow's masked CRC32C of a raw CRC32C value."""
    return (((crc >> 15) | (crc << 17)) + _MASK_DELTA) & 0xFFFFFFFF


# --- protobuf messages -------------------------------------------------------------------------------------------
def _fields(buf, what):
    """(field number, wire type, value) of each field of the message `buf`: ints for varint and fixed fields,
    bytes for length-delimited ones."""
    pos, end = 0, len(buf)
    try:
        while pos < end:
            tag, pos = _read_varint(buf, pos)
            number, wire = tag >> 3, tag & 7
            if wire == 0:
                value, pos = _read_varint(buf, pos)
            elif wire == 2:
                n, pos = _read_varint(buf, pos)
                value, pos = bytes(buf[pos:pos + n]), pos + n
            elif wire == 5:
                value, pos = struct.unpack_from("<I", buf, pos)[0], pos + 4
            else:
                start, pos = pos, _skip(buf, pos, wire, end)
                value = bytes(buf[start:pos])
            if pos > end:
                raise DecodeError("truncated")
            yield number, wire, value
    except (IndexError, struct.error, DecodeError) as e:
        raise _DATA_LOSS(None, None, f"{what}: malformed protocol buffer ({e})") from None


def _int64(v):
    return v - (1 << 64) if v >= 1 << 63 else v


def _field(out, number, value):
    if value:
        _varint(out, number << 3)
        _varint(out, value)


def encode_header(num_shards=1):
    """BundleHeaderProto as TensorFlow writes it: num_shards, little-endian, version {producer: 1}."""
    out = bytearray()
    _field(out, 1, num_shards)
    version = bytearray()
    _field(version, 1, _VERSION)
    _delimited(out, 3, version)
    return bytes(out)


def decode_header(value, path):
    """(num_shards, big_endian) of a BundleHeaderProto, after TensorFlow's version checks."""
    what = f"Checkpoint index {path}: header"
    num_shards, endianness, producer, min_consumer, bad = 0, 0, 0, 0, []
    for number, wire, v in _fields(value, what):
        if number == 1 and wire == 0:
            num_shards = v
        elif number == 2 and wire == 0:
            endianness = v
        elif number == 3 and wire == 2:
            for n, w, x in _fields(v, what):
                if n == 1 and w == 0:
                    producer = _int64(x)
                elif n == 2 and w == 0:
                    min_consumer = _int64(x)
                elif n == 3 and w == 0:
                    bad.append(_int64(x))
    if min_consumer > _VERSION or _VERSION in bad or producer < 0:
        raise _DATA_LOSS(None, None, f"Checkpoint index {path} needs a newer reader: tensor bundle version "
                                     f"producer {producer}, min_consumer {min_consumer}; neuroflow reads version "
                                     f"{_VERSION}")
    if not 1 <= num_shards < 1 << 31 or endianness not in (0, 1):
        raise _DATA_LOSS(None, None, f"{what}: bad num_shards {num_shards} or endianness {endianness}")
    return num_shards, endianness == 1


# DataTypes of TensorFlow's types.proto that neuroflow has no DType for: their tensors are listed, not read.
UNSUPPORTED_DTYPES = {11: "qint8", 12: "quint8", 13: "qint32", 14: "bfloat16", 15: "qint16", 16: "quint16",
                      20: "resource", 21: "variant", 24: "float8_e5m2", 25: "float8_e4m3fn"}


def dtype_name(entry):
    """The entry's dtype as TensorFlow names it (`float32`, `bfloat16`), or "DataType <n>" when unknown."""
    if entry.dtype is not None:
        return entry.dtype.name
    return UNSUPPORTED_DTYPES.get(entry.dtype_enum, f"DataType {entry.dtype_enum}")


class BundleEntry:
    """One tensor of the index: where its bytes are and their checksum, or the slices it was saved in
    (each a list of (start, length) per dimension, length None for the whole dimension)."""

    __slots__ = ("name", "dtype", "dtype_enum", "shape", "shard_id", "offset", "size", "crc32c", "slices")

    def __init__(self, name, dtype_enum, shape, shard_id=0, offset=0, size=0, crc32c=0, slices=()):
        self.name, self.dtype_enum, self.shape = name, dtype_enum, shape
        self.dtype = _dtypes._BY_ENUM.get(dtype_enum) if 0 < dtype_enum < 100 else None
        self.shard_id, self.offset, self.size, self.crc32c = shard_id, offset, size, crc32c
        self.slices = list(slices)


def _decode_shape(value, what):
    dims = []
    for number, wire, v in _fields(value, what):
        if number == 2 and wire == 2:
            size = 0
            for n, w, x in _fields(v, what):
                if n == 1 and w == 0:
                    size = _int64(x)
            dims.append(size)
        elif number == 3 and wire == 0 and v:
            raise _DATA_LOSS(None, None, f"{what}: a tensor of unknown rank")
    if any(d < 0 for d in dims):
        raise _DATA_LOSS(None, None, f"{what}: negative dimension in shape {dims}")
    return tuple(dims)


def _decode_slice(value, what):
    extents = []
    for number, wire, v in _fields(value, what):
        if number == 1 and wire == 2:
            start, length = 0, None
            for n, w, x in _fields(v, what):
                if n == 1 and w == 0:
                    start = _int64(x)
                elif n == 2 and w == 0:
                    length = _int64(x)
            extents.append((start, length))
    return extents


def decode_entry(name, value, path):
    """The BundleEntry of tensor `name` from its BundleEntryProto bytes."""
    what = f"Checkpoint index {path}: entry of tensor '{name}'"
    dtype, shape, shard, offset, size, crc, slices = 0, (), 0, 0, 0, 0, []
    for number, wire, v in _fields(value, what):
        if number == 1 and wire == 0:
            dtype = v
        elif number == 2 and wire == 2:
            shape = _decode_shape(v, what)
        elif number == 3 and wire == 0:
            shard = _int64(v)
        elif number == 4 and wire == 0:
            offset = _int64(v)
        elif number == 5 and wire == 0:
            size = _int64(v)
        elif number == 6 and wire == 5:
            crc = v
        elif number == 7 and wire == 2:
            slices.append(_decode_slice(v, what))
    if shard < 0 or offset < 0 or size < 0:
        raise _DATA_LOSS(None, None, f"{what}: negative shard, offset or size")
    return BundleEntry(name, dtype, shape, shard, offset, size, crc, slices)


def encode_entry(dtype, shape, offset, size, crc32c):
    """A BundleEntryProto in shard 0, fields in TensorFlow's order and defaults left out (the same bytes)."""
    out = bytearray()
    _field(out, 1, dtype.as_datatype_enum)
    shape_bytes = bytearray()
    for d in shape:
        dim = bytearray()
        _field(dim, 1, int(d))
        _delimited(shape_bytes, 2, dim)
    _delimited(out, 2, shape_bytes)
    _field(out, 4, offset)
    _field(out, 5, size)
    out += b"\x35" + struct.pack("<I", crc32c)   # field 6, fixed32
    return bytes(out)


# --- slice keys (TensorFlow's OrderedCode encoding of "name + slice") ----------------------------------------------
_HEADER_BITS = [0, 0x80, 0xC0, 0xE0, 0xF0, 0xF8, 0xFC, 0xFE, 0xFF, 0xFF80, 0xFFC0]


def _increasing(out, value):
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    out.append(len(raw))
    out += raw


def _signed_increasing(out, value):
    length = (~value if value < 0 else value).bit_length() // 7 + 1
    raw = bytearray((value & ((1 << (8 * length)) - 1)).to_bytes(length, "big"))
    bits = _HEADER_BITS[length]
    if length >= 9:
        raw[0] ^= bits >> 8
        raw[1] ^= bits & 0xFF
    else:
        raw[0] ^= bits
    out += raw


def slice_key(name, extents):
    """The table key TensorFlow stores the slice `extents` of tensor `name` under."""
    out = bytearray()
    _increasing(out, 0)
    for byte in name.encode("utf-8"):   # 0x00 and 0xff are escaped; 0x00 0x01 ends the string
        out += b"\x00\xff" if byte == 0 else b"\xff\x00" if byte == 0xFF else bytes([byte])
    out += b"\x00\x01"
    _increasing(out, len(extents))
    for start, length in extents:
        _signed_increasing(out, start)
        _signed_increasing(out, -1 if length is None else length)
    return bytes(out)


# --- the index -----------------------------------------------------------------------------------------------------
def build_index(records):
    """The `.index` bytes for {name: BundleEntryProto bytes} (one shard)."""
    items = [(HEADER_KEY, encode_header())]
    items += sorted((name.encode("utf-8"), value) for name, value in records.items())
    return build_table(items)


def parse_index(raw, path):
    """(num_shards, big_endian, {name: BundleEntry}, {slice key: BundleEntry}) of the index bytes `raw`."""
    items = read_table(raw, path)
    if not items or items[0][0] != HEADER_KEY:
        raise _DATA_LOSS(None, None, f"Checkpoint index {path} has no header entry")
    num_shards, big_endian = decode_header(items[0][1], path)
    entries, slice_entries = {}, {}
    for key, value in items[1:]:
        if key[:1] == b"\x00":
            slice_entries[key] = decode_entry(repr(key), value, path)
            continue
        try:
            name = key.decode("utf-8")
        except UnicodeDecodeError:
            name = key.decode("latin-1")
        entry = decode_entry(name, value, path)
        if not entry.slices and entry.shard_id >= num_shards:
            raise _DATA_LOSS(None, None, f"Checkpoint index {path}: tensor '{name}' in shard {entry.shard_id} of "
                                         f"{num_shards}")
        entries[name] = entry
    return num_shards, big_endian, entries, slice_entries


# --- tensor bytes --------------------------------------------------------------------------------------------------
def _string_items(array):
    return [x.encode("utf-8") if isinstance(x, str) else bytes(x) for x in np.asarray(array, object).ravel()]


def _lengths_crc(lengths):
    packed = b"".join(struct.pack("<Q" if n > 0xFFFFFFFF else "<I", n) for n in lengths)
    return _crc32c(packed)


def tensor_chunks(dtype, array):
    """(buffers to write in order, their total size, masked CRC32C) of one tensor's bytes in TensorFlow's
    layout. A numeric tensor's buffer views the array itself where possible (no copy)."""
    if dtype is _dtypes.string:
        items = _string_items(array)
        lengths = bytearray()
        for item in items:
            _varint(lengths, len(item))
        crc = _lengths_crc([len(x) for x in items])
        checksum = struct.pack("<I", mask(crc))
        body = b"".join(items)
        crc = _crc32c(body, _crc32c(checksum, crc))
        return [bytes(lengths), checksum, body], len(lengths) + 4 + len(body), mask(crc)
    np_dtype = np.dtype(dtype.as_numpy_dtype).newbyteorder("<")
    buf = memoryview(np.ascontiguousarray(array, dtype=np_dtype).reshape(-1).view(np.uint8))
    return [buf], buf.nbytes, mask(_crc32c(buf))


def expected_size(entry):
    """The byte size a numeric entry must have (None for strings: it depends on their lengths)."""
    if entry.dtype is _dtypes.string:
        return None
    return math.prod(entry.shape) * np.dtype(entry.dtype.as_numpy_dtype).itemsize   # exact: no int64 overflow


def verify_bytes(entry, buf, where):
    """Checks a numeric tensor's bytes `buf` against the checksum of its entry; `where` names the file."""
    computed = mask(_crc32c(buf))
    if computed != entry.crc32c:
        raise _DATA_LOSS(None, None, f"Checksum does not match: stored {entry.crc32c} vs. calculated on the "
                                     f"restored bytes {computed} (tensor '{entry.name}' in {where}: the file is "
                                     "corrupted)")


def decode_strings(entry, raw, big_endian, where):
    """The object array of a string tensor from its bytes `raw`, after checking both its checksums."""
    bad = _DATA_LOSS(None, None, f"Checkpoint data file {where}: bad string tensor '{entry.name}' (the file is "
                                 "corrupted)")
    n = math.prod(entry.shape)
    lengths, pos = [], 0
    try:
        for _ in range(n):
            length, pos = _read_varint(raw, pos)
            lengths.append(length)
    except (IndexError, DecodeError):
        raise bad from None
    if pos + 4 + sum(lengths) != len(raw):
        raise bad
    checksum = raw[pos:pos + 4]
    stored = struct.unpack(">I" if big_endian else "<I", checksum)[0]
    crc = _lengths_crc(lengths)
    if mask(crc) != stored:
        raise _DATA_LOSS(None, None, f"Checksum does not match: the string lengths of tensor '{entry.name}' in "
                                         f"{where} (the file is corrupted)")
    body = raw[pos + 4:]
    computed = mask(_crc32c(body, _crc32c(checksum, crc)))
    if computed != entry.crc32c:
        raise _DATA_LOSS(None, None, f"Checksum does not match: stored {entry.crc32c} vs. calculated on the restored "
                                     f"bytes {computed} (tensor '{entry.name}' in {where}: the file is corrupted)")
    out = np.empty(n, dtype=object)
    ends = np.cumsum(lengths, dtype=np.int64).tolist()
    out[:] = [body[e - length:e] for e, length in zip(ends, lengths)]
    return out.reshape(entry.shape)


def slice_index(extents, shape, where):
    """The NumPy index of a slice within the full tensor, checked against the full shape."""
    if len(extents) != len(shape):
        raise _DATA_LOSS(None, None, f"{where}: a slice of rank {len(extents)} of a tensor of shape {list(shape)}")
    index = []
    for (start, length), dim in zip(extents, shape):
        stop = dim if length is None else start + length
        if not 0 <= start <= stop <= dim:
            raise _DATA_LOSS(None, None, f"{where}: a slice [{start}, {stop}) outside a dimension of size {dim}")
        index.append(slice(start, stop))
    return tuple(index)
