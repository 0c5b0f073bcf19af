"""Decoding protobuf's binary form into neuroflow's message objects, table-driven for speed: each message class
gets, on first use, a table from wire tag to a small reader for its field, so the loop over a message's bytes
does one dictionary lookup per field. Only bytes are read; a malformed message raises DecodeError."""
import struct

from . import _wire
from ._fields import (_MAX_DEPTH, _SCALAR_DEFAULTS, MessageMap, RepeatedCompositeContainer,
                      RepeatedScalarContainer, ScalarMap)
from ._wire import DecodeError, read_varint

__all__ = ["decode", "blank"]

_unpack_float, _unpack_double = _wire.unpack_float, _wire.unpack_double


def blank(cls):
    """An empty message of `cls` without running __init__ (the decoder makes very many)."""
    obj = object.__new__(cls)
    obj.__dict__.update(_present=set(), _parent=None, _unknown=None)
    return obj


def _varint(buf, pos, end):
    if pos < end:
        b = buf[pos]
        if b < 0x80:
            return b, pos + 1
    return read_varint(buf, pos, end)


def _length(buf, pos, end):
    n, pos = _varint(buf, pos, end)
    stop = pos + n
    if stop > end:
        raise DecodeError("a length-delimited field runs past the end of its message")
    return pos, stop


def _convert(kind):
    if kind == "int64":
        return _wire.signed64
    if kind in ("int32", "enum"):
        return _wire.signed32
    if kind == "uint32":
        return lambda raw: raw & 0xFFFFFFFF
    if kind == "bool":
        return bool
    return None


def _mark(msg, d, f):
    """Field `f` was read: present (a oneof member also clears the members read before it)."""
    present = d["_present"]
    if f.oneof:
        siblings = msg._oneofs[f.oneof]
        if not present.isdisjoint(siblings):
            msg._set_oneof(f)
            return
    present.add(f.name)


# --- field readers: (msg, its __dict__, bytes, position after the tag, end, depth) -> new position ------------
def _scalar_reader(f, wire_type):
    name, kind, oneof = f.name, f.kind, f.oneof
    if wire_type == 0:
        convert = _convert(kind)

        def read(msg, d, buf, pos, end, depth):
            raw, pos = _varint(buf, pos, end)
            d[name] = convert(raw) if convert else raw
            if oneof:
                _mark(msg, d, f)
            return pos
    elif wire_type in (1, 5):
        size, unpack = (4, _unpack_float) if wire_type == 5 else (8, _unpack_double)

        def read(msg, d, buf, pos, end, depth):
            if pos + size > end:
                raise DecodeError("truncated fixed-width field")
            d[name] = unpack(buf, pos)[0]
            if oneof:
                _mark(msg, d, f)
            return pos + size
    else:
        is_text = kind == "string"

        def read(msg, d, buf, pos, end, depth):
            n = buf[pos]
            if n < 0x80:
                pos += 1
                stop = pos + n
                if stop > end:
                    raise DecodeError("a length-delimited field runs past the end of its message")
            else:
                pos, stop = _length(buf, pos, end)
            d[name] = str(buf[pos:stop], "utf-8") if is_text else buf[pos:stop]
            if oneof:
                _mark(msg, d, f)
            return stop
    return read


def _container(msg, d, f):
    c = d.get(f.name)
    if c is None:
        if f.kind == "map":
            c = MessageMap(msg, f) if f.value_kind == "message" else ScalarMap(msg, f)
        elif f.kind == "message":
            c = RepeatedCompositeContainer(msg, f.message)
        else:
            c = RepeatedScalarContainer(msg, f)
        d[f.name] = c
    return c


def _repeated_scalar_reader(f, wire_type):
    kind = f.kind
    single = _scalar_reader(type("Slot", (), {"name": "v", "kind": kind, "oneof": None})(), wire_type)
    convert = _convert(kind)

    def read_one(msg, d, buf, pos, end, depth):
        slot = {}
        pos = single(None, slot, buf, pos, end, depth)
        list.append(_container(msg, d, f), slot["v"])
        return pos

    def read_packed(msg, d, buf, pos, end, depth):
        pos, stop = _length(buf, pos, end)
        target = _container(msg, d, f)
        if kind in ("float", "double"):
            size = 4 if kind == "float" else 8
            if (stop - pos) % size:
                raise DecodeError("packed field length is not a multiple of the element size")
            list.extend(target, struct.unpack_from(f"<{(stop - pos) // size}{'f' if size == 4 else 'd'}", buf, pos))
            return stop
        values = []
        while pos < stop:
            raw, pos = _varint(buf, pos, stop)
            values.append(convert(raw) if convert else raw)
        list.extend(target, values)
        return stop
    if wire_type == 2 and f.packed:
        return read_packed
    return read_one


def _message_reader(f):
    name, oneof = f.name, f.oneof

    def read(msg, d, buf, pos, end, depth):
        pos, stop = _length(buf, pos, end)
        child = d.get(name)
        if child is None:
            child = d[name] = blank(f.message)
        decode(child, buf, pos, stop, depth + 1)
        child.__dict__["_parent"] = None
        if oneof:
            _mark(msg, d, f)
        else:
            d["_present"].add(name)
        return stop
    return read


def _repeated_message_reader(f):
    def read(msg, d, buf, pos, end, depth):
        pos, stop = _length(buf, pos, end)
        child = blank(f.message)
        decode(child, buf, pos, stop, depth + 1)
        list.append(_container(msg, d, f), child)
        return stop
    return read


def _map_reader(f):
    key_reader = _scalar_reader(type("Slot", (), {"name": "k", "kind": f.key_kind, "oneof": None})(),
                                0 if f.key_kind not in ("string", "bytes") else 2)
    key_tag = 0x0A if f.key_kind in ("string", "bytes") else 0x08
    value_is_message = f.value_kind == "message"
    if not value_is_message:
        value_wire = 2 if f.value_kind in ("string", "bytes") else 5 if f.value_kind == "float" else \
            1 if f.value_kind == "double" else 0
        value_reader = _scalar_reader(type("Slot", (), {"name": "v", "kind": f.value_kind, "oneof": None})(),
                                      value_wire)
        value_tag = 0x10 | value_wire

    def read(msg, d, buf, pos, end, depth):
        pos, stop = _length(buf, pos, end)
        slot = {}
        value = None
        while pos < stop:
            tag, pos = _varint(buf, pos, stop)
            if tag == key_tag:
                pos = key_reader(None, slot, buf, pos, stop, depth)
            elif value_is_message and tag == 0x12:
                lo, hi = _length(buf, pos, stop)
                value = blank(f.message)
                decode(value, buf, lo, hi, depth + 1)
                pos = hi
            elif not value_is_message and tag == value_tag:
                pos = value_reader(None, slot, buf, pos, stop, depth)
                value = slot["v"]
            else:
                pos = _wire.skip_field(buf, pos, tag & 7, stop)
        if value is None:
            value = blank(f.message) if value_is_message else _SCALAR_DEFAULTS[f.value_kind]
        dict.__setitem__(_container(msg, d, f), slot.get("k", _SCALAR_DEFAULTS[f.key_kind]), value)
        return stop
    return read


_WIRE_OF = {"float": 5, "double": 1, "string": 2, "bytes": 2}


def _table(cls):
    """{tag: reader of that field} of `cls`, built once."""
    table = cls.__dict__.get("_decode_table")
    if table is not None:
        return table
    if not cls.__dict__.get("_resolved"):
        cls._resolve()
    table = {}
    for f in cls._FIELDS:
        tag = f.number << 3
        if f.kind == "map":
            table[tag | 2] = _map_reader(f)
        elif f.kind == "message":
            table[tag | 2] = _repeated_message_reader(f) if f.repeated else _message_reader(f)
        else:
            wire = _WIRE_OF.get(f.kind, 0)
            if f.repeated:
                table[tag | wire] = _repeated_scalar_reader(f, wire)
                if f.packed:
                    table[tag | 2] = _repeated_scalar_reader(f, 2)
            else:
                table[tag | wire] = _scalar_reader(f, wire)
    cls._decode_table = table
    return table


def decode(msg, buf, pos, end, depth=0):
    """Reads the fields in `buf[pos:end]` (bytes) into `msg`; unknown fields are kept as their bytes."""
    if depth > _MAX_DEPTH:
        raise DecodeError("message nested too deeply")
    cls = type(msg)
    table = cls.__dict__.get("_decode_table") or _table(cls)
    d = msg.__dict__
    while pos < end:
        start = pos
        tag = buf[pos]
        if tag < 0x80:
            pos += 1
        else:
            tag, pos = read_varint(buf, pos, end)
        reader = table.get(tag)
        if reader is not None:
            pos = reader(msg, d, buf, pos, end, depth)
            continue
        wire_type = tag & 7
        if wire_type in (3, 4):
            raise DecodeError(f"unexpected wire type {wire_type} (groups are not used by TensorFlow's messages)")
        pos = _wire.skip_field(buf, pos, wire_type, end)
        d["_unknown"] = (d["_unknown"] or b"") + buf[start:pos]
    if pos != end:
        raise DecodeError("field runs past the end of its message")
