"""The fields of neuroflow's TensorFlow messages: how a message class declares a field (number, kind, repeated,
oneof, map), the type checks protobuf applies when a value is set, and the containers of repeated and map
fields (append/extend/add, a map that creates a missing message value on read)."""
import math
import numbers

from . import _wire

__all__ = ["field", "map_field", "check_scalar", "RepeatedScalarContainer", "RepeatedCompositeContainer",
           "MessageMap", "ScalarMap"]

_SCALAR_DEFAULTS = {"int32": 0, "int64": 0, "uint32": 0, "uint64": 0, "bool": False, "enum": 0, "float": 0.0,
                    "double": 0.0, "string": "", "bytes": b""}
_VARINT_KINDS = frozenset(("int32", "int64", "uint32", "uint64", "bool", "enum"))
_INT_RANGES = {"int32": (-2 ** 31, 2 ** 31 - 1), "int64": (-2 ** 63, 2 ** 63 - 1), "uint32": (0, 2 ** 32 - 1),
               "uint64": (0, 2 ** 64 - 1), "enum": (-2 ** 31, 2 ** 31 - 1)}
_MAX_DEPTH = 100   # protobuf's recursion limit: deeper nesting in a file is corrupt or hostile


class _Field:
    __slots__ = ("name", "number", "kind", "repeated", "message", "oneof", "key_kind", "value_kind", "default",
                 "packed")

    def __init__(self, name, number, kind, repeated=False, message=None, oneof=None, key_kind=None,
                 value_kind=None):
        self.name, self.number, self.kind, self.repeated = name, number, kind, repeated
        self.message, self.oneof, self.key_kind, self.value_kind = message, oneof, key_kind, value_kind
        self.default = _SCALAR_DEFAULTS.get(kind)
        self.packed = repeated and kind in _SCALAR_DEFAULTS and kind not in ("string", "bytes")


def field(name, number, kind, repeated=False, message=None, oneof=None):
    """A field of a message class: `kind` is a protobuf scalar type name, "enum", or "message" (then `message`
    is the class, or its name within the same module when it is defined later)."""
    return _Field(name, number, kind, repeated, message, oneof)


def map_field(name, number, key_kind, value_kind, message=None):
    """A `map<key_kind, value_kind>` field (value_kind "message": values of class `message`)."""
    return _Field(name, number, "map", True, message, None, key_kind, value_kind)


def check_scalar(f_name, kind, value):
    """`value` converted to what a field of `kind` holds, or TypeError/ValueError as protobuf raises them."""
    if kind in _INT_RANGES:
        if not isinstance(value, numbers.Integral):
            raise TypeError(f"{value!r} has type {type(value).__name__}, but expected one of: int "
                            f"(field {f_name})")
        value = int(value)
        low, high = _INT_RANGES[kind]
        if not low <= value <= high:
            raise ValueError(f"Value out of range: {value} (field {f_name})")
        return value
    if kind == "bool":
        if not isinstance(value, (bool, numbers.Integral)):
            raise TypeError(f"{value!r} has type {type(value).__name__}, but expected one of: bool, int "
                            f"(field {f_name})")
        return bool(value)
    if kind in ("float", "double"):
        if not isinstance(value, numbers.Real):
            raise TypeError(f"{value!r} has type {type(value).__name__}, but expected one of: int, float "
                            f"(field {f_name})")
        value = float(value)
        if kind == "float" and math.isfinite(value):
            value = _wire.unpack_float(_wire.pack_float(value))[0] if abs(value) < 3.4e38 else value
        return value
    if kind == "string":
        if isinstance(value, bytes):
            try:
                return value.decode("utf-8")
            except UnicodeDecodeError:
                raise ValueError(f"{value!r} has type bytes, but isn't valid UTF-8 encoding (field {f_name})") \
                    from None
        if not isinstance(value, str):
            raise TypeError(f"{value!r} has type {type(value).__name__}, but expected one of: bytes, str "
                            f"(field {f_name})")
        return value
    if isinstance(value, str):
        return value.encode("utf-8")
    if not isinstance(value, (bytes, bytearray, memoryview)):
        raise TypeError(f"{value!r} has type {type(value).__name__}, but expected one of: bytes (field {f_name})")
    return bytes(value)


class RepeatedScalarContainer(list):
    """A repeated number/string field: a list whose additions are type-checked like protobuf's."""
    __slots__ = ("_owner", "_f")

    def __init__(self, owner, f):
        super().__init__()
        self._owner, self._f = owner, f

    def _conv(self, value):
        return check_scalar(self._f.name, self._f.kind, value)

    def append(self, value):
        super().append(self._conv(value))
        self._owner._modified()

    def extend(self, values):
        super().extend([self._conv(v) for v in values])
        self._owner._modified()

    def insert(self, index, value):
        super().insert(index, self._conv(value))
        self._owner._modified()

    def __setitem__(self, index, value):
        if isinstance(index, slice):
            super().__setitem__(index, [self._conv(v) for v in value])
        else:
            super().__setitem__(index, self._conv(value))
        self._owner._modified()

    def MergeFrom(self, other):  # noqa: N802 - protobuf's name
        self.extend(other)

    def __eq__(self, other):
        return list(self) == list(other)

    __hash__ = None


class RepeatedCompositeContainer(list):
    """A repeated message field: `add(**fields)` appends a new message and returns it; `append`/`extend` copy."""
    __slots__ = ("_owner", "_cls")

    def __init__(self, owner, cls):
        super().__init__()
        self._owner, self._cls = owner, cls

    def add(self, **kwargs):
        msg = self._cls(**kwargs)
        super().append(msg)
        self._owner._modified()
        return msg

    def _copy(self, msg):
        if not isinstance(msg, self._cls):
            raise TypeError(f"Parameter to append/extend must be {self._cls.__name__}, not {type(msg).__name__}")
        new = self._cls()
        new.MergeFrom(msg)
        return new

    def append(self, msg):
        super().append(self._copy(msg))
        self._owner._modified()

    def extend(self, msgs):
        super().extend([self._copy(m) for m in msgs])
        self._owner._modified()

    def insert(self, index, msg):
        super().insert(index, self._copy(msg))
        self._owner._modified()

    def MergeFrom(self, other):  # noqa: N802
        self.extend(other)

    def __setitem__(self, index, value):
        raise TypeError("does not support assignment")

    def __eq__(self, other):
        return list(self) == list(other)

    __hash__ = None


class MessageMap(dict):
    """A map field whose values are messages: reading a missing key adds an empty message, as protobuf does."""
    __slots__ = ("_owner", "_f")

    def __init__(self, owner, f):
        super().__init__()
        self._owner, self._f = owner, f

    def _key(self, key):
        return check_scalar(self._f.name, self._f.key_kind, key)

    def __missing__(self, key):
        value = self._f.message()
        super().__setitem__(self._key(key), value)
        self._owner._modified()
        return value

    def get_or_create(self, key):
        return self[key]

    def __setitem__(self, key, value):
        if not isinstance(value, self._f.message):
            raise TypeError(f"map value must be {self._f.message.__name__}, not {type(value).__name__}")
        copy = self._f.message()
        copy.MergeFrom(value)
        super().__setitem__(self._key(key), copy)
        self._owner._modified()

    def MergeFrom(self, other):  # noqa: N802 - the other's value replaces this one's, key by key
        for k, v in other.items():
            self[k] = v

    def __eq__(self, other):
        return dict(self) == dict(other)

    __hash__ = None


class ScalarMap(dict):
    """A map field whose values are numbers or strings: a missing key reads as the default value."""
    __slots__ = ("_owner", "_f")

    def __init__(self, owner, f):
        super().__init__()
        self._owner, self._f = owner, f

    def __missing__(self, key):
        value = _SCALAR_DEFAULTS[self._f.value_kind]
        self[key] = value
        return value

    def __setitem__(self, key, value):
        super().__setitem__(check_scalar(self._f.name, self._f.key_kind, key),
                            check_scalar(self._f.name, self._f.value_kind, value))
        self._owner._modified()

    def MergeFrom(self, other):  # noqa: N802
        for k, v in other.items():
            self[k] = v

    def __eq__(self, other):
        return dict(self) == dict(other)

    __hash__ = None
