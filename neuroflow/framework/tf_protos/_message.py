"""The message machinery behind neuroflow's copies of TensorFlow's protobuf messages: a message class lists its
fields once (`_fields`), and gets protobuf's Python API from here — field access, HasField/ClearField/WhichOneof,
CopyFrom/MergeFrom, and binary ParseFromString/SerializeToString that write what protobuf writes (fields in number
order, proto3 defaults left out, numbers packed, unknown fields kept)."""
import math
import struct

from . import _wire
from ._fields import (_MAX_DEPTH, _SCALAR_DEFAULTS, _VARINT_KINDS, MessageMap, RepeatedCompositeContainer,
                      RepeatedScalarContainer, ScalarMap, check_scalar, field, map_field)
from ._wire import DecodeError, read_varint, write_varint

__all__ = ["Message", "field", "map_field", "DecodeError"]


class Message:
    """A protobuf message. Subclasses set `_FIELDS` (a list of `field(...)`/`map_field(...)`); message-typed
    fields read as an empty message until something is set in them, as in protobuf."""
    _FIELDS = ()
    _by_name = {}
    _by_number = {}
    _oneofs = {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "_FIELDS" not in cls.__dict__:
            return   # a subclass adding behaviour (tf.GraphDef) keeps its message's fields
        fields = sorted(cls.__dict__["_FIELDS"], key=lambda f: f.number)
        cls._FIELDS = fields
        cls._by_name = {f.name: f for f in fields}
        cls._by_number = {f.number: f for f in fields}
        cls._oneofs = {}
        for f in fields:
            if f.oneof:
                cls._oneofs.setdefault(f.oneof, []).append(f.name)
            if not f.repeated and f.kind != "message":
                setattr(cls, f.name, f.default)   # unset scalars read their default from the class

    @classmethod
    def _resolve(cls):
        """Turns message-class names in the field list into the classes (done once, on first use)."""
        owner = next(c for c in cls.__mro__ if "_FIELDS" in c.__dict__)   # names are those of its module
        module = __import__(owner.__module__, fromlist=["_"])
        for f in cls._FIELDS:
            if isinstance(f.message, str):
                target = module
                for part in f.message.split("."):
                    target = getattr(target, part)
                f.message = target
        cls._resolved = True

    def __init__(self, **kwargs):
        d = self.__dict__
        d["_present"] = set()
        d["_parent"] = None
        d["_unknown"] = None
        if not self.__class__.__dict__.get("_resolved"):
            self.__class__._resolve()
        for key, value in kwargs.items():
            f = self._by_name.get(key)
            if f is None:
                raise ValueError(f'Protocol message {type(self).__name__} has no "{key}" field.')
            if value is None:
                continue
            if f.kind == "map":
                for k, v in value.items():
                    getattr(self, key)[k] = v
            elif f.repeated:
                getattr(self, key).extend(value)
            elif f.kind == "message":
                if isinstance(value, dict):
                    value = f.message(**value)
                getattr(self, key).CopyFrom(value)
            else:
                setattr(self, key, value)

    def _materialize(self):
        """Fills in fields a subclass computes on first use (tf.GraphDef read from neuroflow's JSON form)."""

    # --- field access ---------------------------------------------------------------------------------------
    def __getattr__(self, name):
        f = self._by_name.get(name)
        if f is not None and self.__dict__.get("_pending"):
            self._materialize()
            if name in self.__dict__:
                return self.__dict__[name]
        if f is None:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        if f.kind == "map":
            value = MessageMap(self, f) if f.value_kind == "message" else ScalarMap(self, f)
        elif f.repeated:
            value = RepeatedCompositeContainer(self, f.message) if f.kind == "message" \
                else RepeatedScalarContainer(self, f)
        else:
            value = f.message()
            value.__dict__["_parent"] = (self, name)
        self.__dict__[name] = value
        return value

    def __setattr__(self, name, value):
        f = self._by_name.get(name)
        if f is None:
            if name.startswith("_"):
                self.__dict__[name] = value
                return
            raise AttributeError(f'Protocol message {type(self).__name__} has no "{name}" field.')
        if f.repeated or f.kind == "message":
            raise AttributeError(f'Assignment not allowed to field "{name}" in protocol message object.')
        self.__dict__[name] = check_scalar(name, f.kind, value)
        if f.oneof:
            self._set_oneof(f)
        self._modified()

    def _set_oneof(self, f):
        for other in self._oneofs[f.oneof]:
            if other != f.name:
                self._present.discard(other)
                self.__dict__.pop(other, None)
        self._present.add(f.name)

    def _modified(self):
        """Something was set in this message: it becomes present in its parent (and the parent in its own)."""
        link = self.__dict__["_parent"]
        while link is not None:
            parent, name = link
            self.__dict__["_parent"] = None
            if parent.__dict__.get(name) is not self:
                return   # replaced or cleared meanwhile: this message is no longer the parent's field
            f = parent._by_name[name]
            if f.oneof:
                parent._set_oneof(f)
            else:
                parent._present.add(name)
            self, link = parent, parent.__dict__["_parent"]

    def HasField(self, name):  # noqa: N802 - protobuf's names
        f = self._by_name.get(name)
        if f is None:
            if name in self._oneofs:
                return any(n in self._present for n in self._oneofs[name])
            raise ValueError(f'Protocol message {type(self).__name__} has no field {name}.')
        if f.repeated:
            raise ValueError(f'Protocol message has no singular "{name}" field.')
        if f.kind == "message" or f.oneof:
            return name in self._present
        raise ValueError(f"Can't test non-optional, non-submessage field \"{type(self).__name__}.{name}\" for "
                         "presence in proto3.")

    def WhichOneof(self, oneof_group):  # noqa: N802
        if oneof_group not in self._oneofs:
            raise ValueError(f'Protocol message has no oneof "{oneof_group}" field.')
        for name in self._oneofs[oneof_group]:
            if name in self._present:
                return name
        return None

    def ClearField(self, name):  # noqa: N802
        if name in self._oneofs:
            for n in self._oneofs[name]:
                self.ClearField(n)
            return
        if name not in self._by_name:
            raise ValueError(f'Protocol message {type(self).__name__} has no "{name}" field.')
        self.__dict__.pop(name, None)
        self._present.discard(name)

    def Clear(self):  # noqa: N802
        for name in list(self.__dict__):
            if name in self._by_name:
                del self.__dict__[name]
        self._present.clear()
        self.__dict__["_unknown"] = None

    def SetInParent(self):  # noqa: N802
        self._modified()

    def ListFields(self):  # noqa: N802
        """(field name, value) of each field that is set, in field-number order (protobuf gives descriptors)."""
        self._materialize()
        out = []
        for f in self._FIELDS:
            value = self.__dict__.get(f.name)
            if f.repeated:
                if value:
                    out.append((f.name, value))
            elif f.kind == "message" or f.oneof:
                if f.name in self._present:
                    out.append((f.name, getattr(self, f.name)))
            elif value is not None and _is_set(f, value):
                out.append((f.name, value))
        return out

    def IsInitialized(self):  # noqa: N802 - proto3 has no required fields
        return True

    def CopyFrom(self, other):  # noqa: N802
        if other is self:
            return
        if not _same_message(self, other):
            raise TypeError(f"Parameter to CopyFrom() must be instance of same class: expected "
                            f"{type(self).__name__} got {type(other).__name__}.")
        self.Clear()
        self.MergeFrom(other)

    def MergeFrom(self, other):  # noqa: N802
        if not _same_message(self, other):
            raise TypeError(f"Parameter to MergeFrom() must be instance of same class: expected "
                            f"{type(self).__name__} got {type(other).__name__}.")
        other._materialize()
        od = other.__dict__
        for f in self._FIELDS:
            if f.name not in od:
                continue
            value = od[f.name]
            if f.repeated:
                if value:
                    getattr(self, f.name).MergeFrom(value)
            elif f.kind == "message":
                if f.name in other._present:
                    getattr(self, f.name).MergeFrom(value)
                    self.__dict__[f.name]._modified()
            elif f.oneof:
                if f.name in other._present:
                    setattr(self, f.name, value)
            elif _is_set(f, value):
                setattr(self, f.name, value)
        if other._unknown:
            self.__dict__["_unknown"] = (self._unknown or b"") + other._unknown
        self._modified()

    def __eq__(self, other):
        if not _same_message(self, other):
            return NotImplemented
        return self.SerializeToString(deterministic=True) == other.SerializeToString(deterministic=True)

    __hash__ = None

    def __deepcopy__(self, memo=None):
        copy = type(self)()
        copy.MergeFrom(self)
        return copy

    def __repr__(self):
        return self.__str__()

    def __str__(self):
        from .text_format import MessageToString
        return MessageToString(self)

    # --- binary form ----------------------------------------------------------------------------------------
    def SerializeToString(self, deterministic=False):  # noqa: N802
        """The message's binary form. `deterministic`: map entries sorted by key (else in insertion order,
        which keeps a parsed message's bytes unchanged)."""
        out = bytearray()
        self._encode(out, deterministic)
        return bytes(out)

    SerializePartialToString = SerializeToString

    def ByteSize(self):  # noqa: N802
        return len(self.SerializeToString())

    def ParseFromString(self, data):  # noqa: N802
        """Replaces the content by the message in `data` (bytes); returns the number of bytes read.

        Raises:
            DecodeError: `data` is not a valid message of this type.
        """
        self.Clear()
        return self.MergeFromString(data)

    def MergeFromString(self, data):  # noqa: N802
        if isinstance(data, str):
            raise TypeError("memoryview: a bytes-like object is required, not 'str'")
        view = memoryview(data).cast("B") if not isinstance(data, bytes) else data
        try:
            _decode(self, view, 0, len(view), 0)
        except (IndexError, struct.error, UnicodeDecodeError, RecursionError) as e:
            raise DecodeError(f"Error parsing message with type '{self._full_name()}': {e}") from None
        except DecodeError as e:
            raise DecodeError(f"Error parsing message with type '{self._full_name()}': {e}") from None
        self._modified()
        return len(view)

    @classmethod
    def FromString(cls, data):  # noqa: N802
        msg = cls()
        msg.ParseFromString(data)
        return msg

    @classmethod
    def _full_name(cls):
        return getattr(cls, "_PROTO_NAME", cls.__name__)

    def _encode(self, out, deterministic):
        self._materialize()
        d = self.__dict__
        present = d["_present"]
        for f in self._FIELDS:
            name = f.name
            if name not in d:
                if f.oneof and name in present:   # a oneof scalar set to its default is still written
                    _encode_scalar(out, f.number, f.kind, f.default)
                continue
            value = d[name]
            if f.kind == "map":
                if value:
                    _encode_map(out, f, value, deterministic)
            elif f.repeated:
                if not value:
                    continue
                if f.kind == "message":
                    for m in value:
                        _encode_message(out, f.number, m, deterministic)
                elif f.packed:
                    _encode_packed(out, f, value)
                else:
                    for v in value:
                        _encode_scalar(out, f.number, f.kind, v)
            elif f.kind == "message":
                if name in present:
                    _encode_message(out, f.number, value, deterministic)
            elif f.oneof:
                if name in present:
                    _encode_scalar(out, f.number, f.kind, value)
            elif _is_set(f, value):
                _encode_scalar(out, f.number, f.kind, value)
        if d["_unknown"]:
            out += d["_unknown"]


def _same_message(a, b):
    """Whether `b` is a message of `a`'s type (a subclass that adds behaviour, such as `tf.GraphDef`, counts)."""
    return isinstance(b, Message) and (isinstance(b, type(a)) or isinstance(a, type(b))) and a._FIELDS is b._FIELDS


def _is_set(f, value):
    """Whether a proto3 scalar differs from its default (so is written); -0.0 is written, as protobuf does."""
    if f.kind in ("float", "double"):
        return value != 0.0 or math.copysign(1.0, value) < 0
    return value != f.default


def _encode_scalar(out, number, kind, value):
    if kind in _VARINT_KINDS:
        write_varint(out, number << 3)
        write_varint(out, int(value))
    elif kind == "float":
        write_varint(out, (number << 3) | 5)
        out += _wire.pack_float(value)
    elif kind == "double":
        write_varint(out, (number << 3) | 1)
        out += _wire.pack_double(value)
    else:
        data = value.encode("utf-8") if kind == "string" else value
        write_varint(out, (number << 3) | 2)
        write_varint(out, len(data))
        out += data


def _encode_message(out, number, msg, deterministic):
    body = bytearray()
    msg._encode(body, deterministic)
    write_varint(out, (number << 3) | 2)
    write_varint(out, len(body))
    out += body


def _encode_packed(out, f, values):
    if f.kind == "float":
        body = struct.pack(f"<{len(values)}f", *values)
    elif f.kind == "double":
        body = struct.pack(f"<{len(values)}d", *values)
    else:
        body = bytearray()
        for v in values:
            write_varint(body, int(v))
    write_varint(out, (f.number << 3) | 2)
    write_varint(out, len(body))
    out += body


def _encode_map(out, f, mapping, deterministic):
    keys = sorted(mapping) if deterministic else mapping
    for key in keys:
        value = dict.__getitem__(mapping, key)
        body = bytearray()
        _encode_scalar(body, 1, f.key_kind, key)    # protobuf writes both key and value of every entry
        if f.value_kind == "message":
            _encode_message(body, 2, value, deterministic)
        else:
            _encode_scalar(body, 2, f.value_kind, value)
        write_varint(out, (f.number << 3) | 2)
        write_varint(out, len(body))
        out += body


# --- decoding -----------------------------------------------------------------------------------------------
def _scalar_from_varint(kind, raw):
    if kind == "int64":
        return _wire.signed64(raw)
    if kind in ("int32", "enum"):
        return _wire.signed32(raw)
    if kind == "uint32":
        return raw & 0xFFFFFFFF
    if kind == "bool":
        return raw != 0
    return raw


def _read_scalar(buf, pos, end, kind, wire_type):
    """(value, new pos) of one scalar of `kind` sent with `wire_type`; None as value when the wire type does
    not fit the kind (then the field is treated as unknown)."""
    if kind in _VARINT_KINDS:
        if wire_type != 0:
            return None, pos
        raw, pos = read_varint(buf, pos, end)
        return _scalar_from_varint(kind, raw), pos
    if kind == "float":
        if wire_type != 5 or pos + 4 > end:
            return None, pos
        return _wire.unpack_float(buf, pos)[0], pos + 4
    if kind == "double":
        if wire_type != 1 or pos + 8 > end:
            return None, pos
        return _wire.unpack_double(buf, pos)[0], pos + 8
    if wire_type != 2:
        return None, pos
    n, pos = read_varint(buf, pos, end)
    if pos + n > end:
        raise DecodeError("truncated string or bytes field")
    data = bytes(buf[pos:pos + n])
    return (data.decode("utf-8") if kind == "string" else data), pos + n


def _read_packed(buf, pos, end, kind):
    n, pos = read_varint(buf, pos, end)
    stop = pos + n
    if stop > end:
        raise DecodeError("truncated packed field")
    if kind in ("float", "double"):
        size = 4 if kind == "float" else 8
        if n % size:
            raise DecodeError("packed field length is not a multiple of the element size")
        return list(struct.unpack_from(f"<{n // size}{'f' if size == 4 else 'd'}", buf, pos)), stop
    values = []
    while pos < stop:
        raw, pos = read_varint(buf, pos, stop)
        values.append(_scalar_from_varint(kind, raw))
    return values, stop


def _sub_range(buf, pos, end):
    n, pos = read_varint(buf, pos, end)
    if pos + n > end:
        raise DecodeError("truncated message field")
    return pos, pos + n


def _decode(msg, buf, pos, end, depth):
    if depth > _MAX_DEPTH:
        raise DecodeError("message nested too deeply")
    cls = type(msg)
    if not cls.__dict__.get("_resolved"):
        cls._resolve()
    by_number = cls._by_number
    d = msg.__dict__
    while pos < end:
        start = pos
        key, pos = read_varint(buf, pos, end)
        number, wire_type = key >> 3, key & 7
        f = by_number.get(number)
        if f is not None:
            kind = f.kind
            if kind == "message":
                if wire_type == 2:
                    lo, hi = _sub_range(buf, pos, end)
                    if f.repeated:
                        child = f.message()
                        _decode(child, buf, lo, hi, depth + 1)
                        list.append(getattr(msg, f.name), child)
                    else:
                        child = getattr(msg, f.name)
                        _decode(child, buf, lo, hi, depth + 1)
                        child.__dict__["_parent"] = None
                        if f.oneof:
                            msg._set_oneof(f)
                        else:
                            d["_present"].add(f.name)
                    pos = hi
                    continue
            elif kind == "map":
                if wire_type == 2:
                    lo, hi = _sub_range(buf, pos, end)
                    k, v = _decode_map_entry(f, buf, lo, hi, depth + 1)
                    dict.__setitem__(getattr(msg, f.name), k, v)
                    pos = hi
                    continue
            elif f.repeated:
                if wire_type == 2 and f.packed:
                    values, pos = _read_packed(buf, pos, end, kind)
                    list.extend(getattr(msg, f.name), values)
                    continue
                value, new_pos = _read_scalar(buf, pos, end, kind, wire_type)
                if value is not None:
                    list.append(getattr(msg, f.name), value)
                    pos = new_pos
                    continue
            else:
                value, new_pos = _read_scalar(buf, pos, end, kind, wire_type)
                if value is not None:
                    d[f.name] = value
                    if f.oneof:
                        msg._set_oneof(f)
                    pos = new_pos
                    continue
        if wire_type == 4 or wire_type == 3:
            raise DecodeError(f"unexpected wire type {wire_type} (groups are not used by TensorFlow's messages)")
        pos = _wire.skip_field(buf, pos, wire_type, end)
        d["_unknown"] = (d["_unknown"] or b"") + bytes(buf[start:pos])
    if pos != end:
        raise DecodeError("field runs past the end of its message")


def _decode_map_entry(f, buf, pos, end, depth):
    key = _SCALAR_DEFAULTS[f.key_kind]
    value = None
    while pos < end:
        tag_value, pos = read_varint(buf, pos, end)
        number, wire_type = tag_value >> 3, tag_value & 7
        if number == 1:
            got, new_pos = _read_scalar(buf, pos, end, f.key_kind, wire_type)
            if got is not None:
                key, pos = got, new_pos
                continue
        elif number == 2:
            if f.value_kind == "message" and wire_type == 2:
                lo, hi = _sub_range(buf, pos, end)
                value = f.message()
                _decode(value, buf, lo, hi, depth)
                pos = hi
                continue
            if f.value_kind != "message":
                got, new_pos = _read_scalar(buf, pos, end, f.value_kind, wire_type)
                if got is not None:
                    value, pos = got, new_pos
                    continue
        pos = _wire.skip_field(buf, pos, wire_type, end)
    if value is None:
        value = f.message() if f.value_kind == "message" else _SCALAR_DEFAULTS[f.value_kind]
    return key, value
