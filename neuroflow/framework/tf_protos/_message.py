"""The message machinery behind neuroflow's copies of TensorFlow's protobuf messages: a message class lists its
fields once (`_fields`), and gets protobuf's Python API from here — field access, HasField/ClearField/WhichOneof,
CopyFrom/MergeFrom, and binary ParseFromString/SerializeToString that write what protobuf writes (fields in number
order, proto3 defaults left out, numbers packed, unknown fields kept)."""
import gc
import math
import struct

from . import _wire
from ._fields import (_VARINT_KINDS, MessageMap, RepeatedCompositeContainer,
                      RepeatedScalarContainer, ScalarMap, check_scalar, field, map_field)
from ._decode import decode
from ._wire import DecodeError, write_varint

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
        data = data if isinstance(data, bytes) else bytes(data)
        # The decoder makes many small objects, none of them cyclic garbage: without the cycle collector running
        # over the growing heap again and again, a graph of many nodes loads several times faster.
        collecting = gc.isenabled()
        gc.disable()
        try:
            decode(self, data, 0, len(data), 0)
        except (IndexError, struct.error, UnicodeDecodeError, RecursionError) as e:
            raise DecodeError(f"Error parsing message with type '{self._full_name()}': {e}") from None
        except DecodeError as e:
            raise DecodeError(f"Error parsing message with type '{self._full_name()}': {e}") from None
        finally:
            if collecting:
                gc.enable()
        self._modified()
        return len(data)

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
