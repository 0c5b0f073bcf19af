"""`tf.train.Example` and its messages (Features, Feature, Int64List, FloatList, BytesList; SequenceExample and
FeatureList(s) are in sequence_example_proto, the text form in example_text) with the protobuf Python API people
use — constructor keywords, field access that creates sub-messages and map entries, SerializeToString / FromString
/ ParseFromString, CopyFrom, MergeFrom, HasField, WhichOneof, ==, text-format repr — over a small own codec of
protobuf's wire format (TensorFlow's example.proto and feature.proto), so reading records needs no `protobuf`
package."""
import struct

import numpy as np

from .proto_wire import DecodeError, _delimited, _read_varint, _skip, _varint

__all__ = ["Example", "SequenceExample", "Features", "Feature", "Int64List", "FloatList", "BytesList",
           "FeatureList", "FeatureLists"]

_INT64_MIN, _INT64_MAX = -2 ** 63, 2 ** 63 - 1


# ----------------------------------------------------------------------------------------- repeated scalar fields
def _check_int(v):
    if isinstance(v, (float, np.floating)) or not isinstance(v, (int, np.integer)):
        raise TypeError(f"{v!r} has type {type(v).__name__}, but expected one of: int")
    v = int(v)
    if not _INT64_MIN <= v <= _INT64_MAX:
        raise ValueError(f"Value out of range: {v}")
    return v


def _check_float(v):
    if not isinstance(v, (int, float, np.integer, np.floating)):
        raise TypeError(f"{v!r} has type {type(v).__name__}, but expected one of: int, float")
    with np.errstate(over="ignore"):
        return float(np.float32(v))


def _check_bytes(v):
    if isinstance(v, str):
        return v.encode("utf-8")
    if not isinstance(v, (bytes, bytearray, np.bytes_)):
        raise TypeError(f"{v!r} has type {type(v).__name__}, but expected one of: bytes, str")
    return bytes(v)


class _Repeated(list):
    """A repeated scalar field: a list that checks each value and tells its message when it changes."""
    __slots__ = ("_owner", "_name", "_check")

    def __init__(self, owner, name, check):
        super().__init__()
        self._owner, self._name, self._check = owner, name, check

    def _changed(self):
        self._owner._touch(self._name)

    def append(self, value):
        super().append(self._check(value))
        self._changed()

    def extend(self, values):
        super().extend([self._check(v) for v in values])
        self._changed()

    def insert(self, index, value):
        super().insert(index, self._check(value))
        self._changed()

    def __setitem__(self, index, value):
        if isinstance(index, slice):
            super().__setitem__(index, [self._check(v) for v in value])
        else:
            super().__setitem__(index, self._check(value))
        self._changed()

    def __iadd__(self, values):
        self.extend(values)
        return self

    def MergeFrom(self, other):  # noqa: N802 - protobuf's name
        self.extend(other)

    def __reduce__(self):
        return list, (list(self),)


# ------------------------------------------------------------------------------------------------ containers
class _MessageMap:
    """A map<string, Message> field: `m[key]` creates the entry, like protobuf's message maps."""
    __slots__ = ("_owner", "_name", "_cls", "_data")

    def __init__(self, owner, name, cls):
        self._owner, self._name, self._cls, self._data = owner, name, cls, {}

    @staticmethod
    def _key(key):
        if isinstance(key, bytes):
            return key.decode("utf-8")
        if not isinstance(key, str):
            raise TypeError(f"{key!r} has type {type(key).__name__}, but expected one of: bytes, str")
        return key

    def __getitem__(self, key):
        key = self._key(key)
        value = self._data.get(key)
        if value is None:
            value = self._data[key] = self._cls()
            value._parent, value._name = self, key
            self._owner._touch(self._name)
        return value

    get_or_create = __getitem__

    def _touch(self, key):
        self._owner._touch(self._name)

    def get(self, key, default=None):
        return self._data.get(self._key(key), default)

    def __contains__(self, key):
        return self._key(key) in self._data

    def __delitem__(self, key):
        del self._data[self._key(key)]

    def __len__(self):
        return len(self._data)

    def __iter__(self):
        return iter(self._data)

    def keys(self):
        return self._data.keys()

    def values(self):
        return self._data.values()

    def items(self):
        return self._data.items()

    def clear(self):
        self._data.clear()

    def MergeFrom(self, other):  # noqa: N802
        for key, value in other.items():
            self[key].MergeFrom(value)

    def __eq__(self, other):
        return dict(self.items()) == dict(other.items()) if hasattr(other, "items") else NotImplemented

    def __repr__(self):
        return repr(self._data)


class _RepeatedMessages:
    """A repeated message field: `add(**fields)`, `append(msg)` (a copy), indexing, len, iteration."""
    __slots__ = ("_owner", "_name", "_cls", "_items")

    def __init__(self, owner, name, cls):
        self._owner, self._name, self._cls, self._items = owner, name, cls, []

    def _touch(self, _):
        self._owner._touch(self._name)

    def add(self, **fields):
        msg = self._cls(**fields)
        msg._parent, msg._name = self, None
        self._items.append(msg)
        self._owner._touch(self._name)
        return msg

    def append(self, message):
        self.add().CopyFrom(message)

    def extend(self, messages):
        for m in messages:
            self.append(m)

    def MergeFrom(self, other):  # noqa: N802
        self.extend(other)

    def __getitem__(self, index):
        return self._items[index]

    def __delitem__(self, index):
        del self._items[index]

    def __len__(self):
        return len(self._items)

    def __iter__(self):
        return iter(self._items)

    def __eq__(self, other):
        try:
            return list(self) == list(other)
        except TypeError:
            return NotImplemented

    def __repr__(self):
        return repr(self._items)


# --------------------------------------------------------------------------------------------------- messages
class _Message:
    """A message: `_FIELDS` = ((name, number, kind, type), ...) with kind one of message, map, messages, int64,
    float, bytes; `_ONEOF` names the members of the one oneof ("kind") a message may have."""
    _FIELDS = ()
    _ONEOF = ()
    __slots__ = ("_values", "_present", "_parent", "_name")

    def __init__(self, **fields):
        object.__setattr__(self, "_values", {})
        object.__setattr__(self, "_present", set())
        object.__setattr__(self, "_parent", None)
        object.__setattr__(self, "_name", None)
        spec = self._spec()
        for name, value in fields.items():
            if name not in spec:
                raise ValueError(f'Protocol message {type(self).__name__} has no "{name}" field.')
            if value is None:
                continue
            kind, cls = spec[name][1], spec[name][2]
            target = getattr(self, name)
            if kind == "message":
                target.CopyFrom(value if isinstance(value, cls) else cls(**value))
            elif kind == "map":
                for key, item in value.items():
                    target[key].CopyFrom(item if isinstance(item, cls) else cls(**item))
            elif kind == "messages":
                for item in value:
                    target.append(item if isinstance(item, cls) else cls(**item))
            else:
                if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
                    raise TypeError(f"Value must be iterable for repeated field {name!r}")
                target.extend(value)

    @classmethod
    def _spec(cls):
        spec = cls.__dict__.get("_SPEC")
        if spec is None:
            spec = {f[0]: f[1:] for f in cls._FIELDS}
            cls._SPEC = spec
        return spec

    def __getattr__(self, name):
        if name[:1] == "_":
            raise AttributeError(name)
        value = self._values.get(name)
        if value is not None:
            return value
        spec = self._spec().get(name)
        if spec is None:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        _, kind, cls = spec
        if kind == "message":
            value = cls()
            object.__setattr__(value, "_parent", self)
            object.__setattr__(value, "_name", name)
        elif kind == "map":
            value = _MessageMap(self, name, cls)
        elif kind == "messages":
            value = _RepeatedMessages(self, name, cls)
        else:
            value = _Repeated(self, name, {"int64": _check_int, "float": _check_float, "bytes": _check_bytes}[kind])
        self._values[name] = value
        return value

    def __setattr__(self, name, value):
        if name in self._spec():
            kind = self._spec()[name][1]
            word = "repeated field" if kind not in ("message",) else "field"
            raise AttributeError(f'Assignment not allowed to {word} "{name}" in protocol message object.')
        if name in ("_parent", "_name"):
            object.__setattr__(self, name, value)
            return
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def _touch(self, name):
        if name in self._ONEOF:
            for other in self._ONEOF:
                if other != name:
                    self._values.pop(other, None)
                    self._present.discard(other)
        self._present.add(name)
        if self._parent is not None:
            self._parent._touch(self._name)

    # ---- protobuf's message API
    def HasField(self, name):  # noqa: N802
        if name == "kind" and self._ONEOF:
            return any(n in self._present for n in self._ONEOF)
        spec = self._spec().get(name)
        if spec is None or spec[1] != "message":
            raise ValueError(f'Protocol message {type(self).__name__} has no singular "{name}" field.')
        return name in self._present

    def WhichOneof(self, oneof_group):  # noqa: N802
        if oneof_group != "kind" or not self._ONEOF:
            raise ValueError(f'Protocol message has no oneof "{oneof_group}" field.')
        for n in self._ONEOF:
            if n in self._present:
                return n
        return None

    def ClearField(self, name):  # noqa: N802
        if name not in self._spec():
            raise ValueError(f'Protocol message {type(self).__name__} has no "{name}" field.')
        self._values.pop(name, None)
        self._present.discard(name)

    def Clear(self):  # noqa: N802
        self._values.clear()
        self._present.clear()

    def SetInParent(self):  # noqa: N802
        if self._parent is not None:
            self._parent._touch(self._name)

    def CopyFrom(self, other):  # noqa: N802
        if other is self:
            return
        if not isinstance(other, type(self)):
            raise TypeError(f"Parameter to CopyFrom() must be instance of same class: expected "
                            f"{type(self).__name__} got {type(other).__name__}.")
        self.Clear()
        self.MergeFrom(other)

    def MergeFrom(self, other):  # noqa: N802
        if not isinstance(other, type(self)):
            raise TypeError(f"Parameter to MergeFrom() must be instance of same class: expected "
                            f"{type(self).__name__} got {type(other).__name__}.")
        self.MergeFromString(other.SerializeToString())
        self.SetInParent()

    def ByteSize(self):  # noqa: N802
        return len(self.SerializeToString())

    def IsInitialized(self):  # noqa: N802
        return True

    def ListFields(self):  # noqa: N802
        """(name, value) of each set field, in field-number order (protobuf gives a descriptor, not a name)."""
        return [(name, self._values[name]) for name, *_ in self._FIELDS if self._is_set(name)]

    def _is_set(self, name):
        if name not in self._values:
            return False
        if self._spec()[name][1] == "message":
            return name in self._present
        return len(self._values[name]) > 0

    def SerializeToString(self, deterministic=None):  # noqa: N802
        out = bytearray()
        self._write(out)
        return bytes(out)

    SerializePartialToString = SerializeToString

    def _write(self, out):
        for name, number, kind, cls in self._FIELDS:
            if not self._is_set(name):
                continue
            value = self._values[name]
            if kind == "message":
                _delimited(out, number, value.SerializeToString())
            elif kind == "map":
                for key, item in value.items():
                    entry = bytearray()
                    _delimited(entry, 1, key.encode("utf-8"))
                    _delimited(entry, 2, item.SerializeToString())
                    _delimited(out, number, entry)
            elif kind == "messages":
                for item in value:
                    _delimited(out, number, item.SerializeToString())
            elif kind == "int64":
                body = bytearray()
                for v in value:
                    _varint(body, v)
                _delimited(out, number, body)
            elif kind == "float":
                _delimited(out, number, np.asarray(value, dtype="<f4").tobytes())
            else:
                for v in value:
                    _delimited(out, number, v)

    @classmethod
    def FromString(cls, data):  # noqa: N802
        msg = cls()
        msg.MergeFromString(data)
        return msg

    def ParseFromString(self, data):  # noqa: N802
        self.Clear()
        return self.MergeFromString(data)

    def MergeFromString(self, data):  # noqa: N802
        buf = bytes(data)
        try:
            self._merge(buf, 0, len(buf))
        except (IndexError, struct.error, ValueError, UnicodeDecodeError) as e:
            raise DecodeError(f"Error parsing message with type '{self._full_name()}'") from e
        return len(buf)

    @classmethod
    def _full_name(cls):
        return "tensorflow." + cls.__name__

    def _merge(self, buf, pos, end):
        by_number = self.__class__.__dict__.get("_BY_NUMBER")
        if by_number is None:
            by_number = {f[1]: (f[0], f[2], f[3]) for f in self._FIELDS}
            type(self)._BY_NUMBER = by_number
        while pos < end:
            tag, pos = _read_varint(buf, pos)
            number, wire = tag >> 3, tag & 7
            field = by_number.get(number)
            if field is None:
                pos = _skip(buf, pos, wire, end)
                continue
            name, kind, cls = field
            if kind in ("message", "map", "messages", "bytes") or wire == 2:
                if wire != 2:
                    raise DecodeError("Error parsing message: wrong wire type")
                n, pos = _read_varint(buf, pos)
                stop = pos + n
                if stop > end:
                    raise DecodeError("Error parsing message: truncated")
            target = getattr(self, name)
            if kind == "message":
                target._merge(buf, pos, stop)
                self._touch(name)
            elif kind == "map":
                key, item = "", cls()
                p = pos
                while p < stop:
                    t, p = _read_varint(buf, p)
                    if t == 0x0A:
                        m, p = _read_varint(buf, p)
                        key = buf[p:p + m].decode("utf-8")
                        p += m
                    elif t == 0x12:
                        m, p = _read_varint(buf, p)
                        item._merge(buf, p, p + m)
                        p += m
                    else:
                        p = _skip(buf, p, t & 7, stop)
                if key in target:
                    del target[key]  # a repeated key: the last entry wins, as in protobuf
                target[key]._merge_from_parsed(item)
            elif kind == "messages":
                target.add()._merge(buf, pos, stop)
            elif kind == "bytes":
                list.append(target, buf[pos:stop])
                self._touch(name)
            elif kind == "float":
                if wire == 2:
                    list.extend(target, np.frombuffer(buf[pos:stop], dtype="<f4").tolist())
                elif wire == 5:
                    list.append(target, struct.unpack_from("<f", buf, pos)[0])
                    pos += 4
                else:
                    raise DecodeError("Error parsing message: wrong wire type")
                self._touch(name)
            else:  # int64
                values = []
                if wire == 2:
                    p = pos
                    while p < stop:
                        v, p = _read_varint(buf, p)
                        values.append(v - (1 << 64) if v >> 63 else v)
                elif wire == 0:
                    v, pos = _read_varint(buf, pos)
                    values.append(v - (1 << 64) if v >> 63 else v)
                else:
                    raise DecodeError("Error parsing message: wrong wire type")
                list.extend(target, values)
                self._touch(name)
            if wire == 2:
                pos = stop
        if pos != end:
            raise DecodeError("Error parsing message: truncated")

    def _merge_from_parsed(self, other):
        for name in other._values:
            if other._is_set(name):
                self._values[name] = value = other._values[name]
                if isinstance(value, _Message):
                    object.__setattr__(value, "_parent", self)
                else:
                    value._owner = self
                self._touch(name)

    # ---- comparison and text
    def _as_python(self):
        out = {}
        for name, _, kind, _cls in self._FIELDS:
            if not self._is_set(name):
                continue
            value = self._values[name]
            if kind == "message":
                out[name] = value._as_python()
            elif kind == "map":
                out[name] = {k: v._as_python() for k, v in value.items()}
            elif kind == "messages":
                out[name] = [v._as_python() for v in value]
            else:
                out[name] = list(value)
        return out

    def __eq__(self, other):
        if not isinstance(other, _Message):
            return NotImplemented
        return type(self) is type(other) and self._as_python() == other._as_python()

    __hash__ = None

    def __str__(self):
        from .example_text import message_text
        return message_text(self)

    __repr__ = __str__

    def __reduce__(self):
        return type(self).FromString, (self.SerializeToString(),)


class BytesList(_Message):
    """`repeated bytes value = 1`."""
    __slots__ = ()
    _FIELDS = (("value", 1, "bytes", None),)


class FloatList(_Message):
    """`repeated float value = 1 [packed = true]`; values read back rounded to float32, like protobuf's."""
    __slots__ = ()
    _FIELDS = (("value", 1, "float", None),)


class Int64List(_Message):
    """`repeated int64 value = 1 [packed = true]`."""
    __slots__ = ()
    _FIELDS = (("value", 1, "int64", None),)


class Feature(_Message):
    """One of bytes_list, float_list, int64_list (the oneof "kind")."""
    __slots__ = ()
    _FIELDS = (("bytes_list", 1, "message", BytesList), ("float_list", 2, "message", FloatList),
               ("int64_list", 3, "message", Int64List))
    _ONEOF = ("bytes_list", "float_list", "int64_list")


class Features(_Message):
    """`map<string, Feature> feature = 1`."""
    __slots__ = ()
    _FIELDS = (("feature", 1, "map", Feature),)


class Example(_Message):
    """`Features features = 1`: one record of named features.

    Example:
        >>> ex = tf.train.Example(features=tf.train.Features(feature={
        ...     "label": tf.train.Feature(int64_list=tf.train.Int64List(value=[3]))}))
        >>> tf.train.Example.FromString(ex.SerializeToString()) == ex
        True
    """
    __slots__ = ()
    _FIELDS = (("features", 1, "message", Features),)


# SequenceExample and its FeatureList(s) live in their own module; they are this module's names too
from .sequence_example_proto import FeatureList, FeatureLists, SequenceExample  # noqa: E402
