"""Tensor element types (`tf.float32`, ...): TensorFlow's DType objects and their NumPy counterparts."""
import numbers

import numpy as np

__all__ = ["DType", "as_dtype"]


class DType:
    """An element type of a tensor, e.g. `tf.float32`.

    Reference types (`float32_ref`) are what TF1 variable ops output; `base_dtype` strips the reference.

    Example:
        >>> tf.float32.as_numpy_dtype
        <class 'numpy.float32'>
    """

    __slots__ = ("_name", "_np", "_is_ref", "_proto_name", "_enum")

    def __init__(self, name, np_type, proto_name, enum, is_ref=False):
        self._name = name
        self._np = np_type
        self._proto_name = proto_name
        self._enum = enum
        self._is_ref = is_ref

    # --- identity -------------------------------------------------------------------------
    @property
    def name(self):
        return self._name + "_ref" if self._is_ref else self._name

    @property
    def as_numpy_dtype(self):
        return self._np

    @property
    def as_datatype_enum(self):
        return self._enum + 100 if self._is_ref else self._enum

    @property
    def base_dtype(self):
        return _BY_NAME[self._name] if self._is_ref else self

    @property
    def real_dtype(self):
        base = self.base_dtype
        if base is complex64:
            return float32
        if base is complex128:
            return float64
        return base

    @property
    def _as_ref(self):
        return self if self._is_ref else _REFS[self._name]

    @property
    def is_ref_dtype(self):
        return self._is_ref

    @property
    def proto_name(self):
        """TensorFlow's short C++ name (`float`, `double`, `int32`), used in its error messages."""
        return self._proto_name

    # --- classification --------------------------------------------------------------------
    @property
    def is_floating(self):
        return self._np is not None and self._np is not np.object_ and issubclass(self._np, np.floating)

    @property
    def is_integer(self):
        return self._np is not None and issubclass(self._np, np.integer)

    @property
    def is_unsigned(self):
        return self._np is not None and issubclass(self._np, np.unsignedinteger)

    @property
    def is_complex(self):
        return self._np is not None and issubclass(self._np, np.complexfloating)

    @property
    def is_bool(self):
        return self._np is np.bool_

    @property
    def is_numpy_compatible(self):
        return True

    @property
    def size(self):
        return 0 if self._np is np.object_ else np.dtype(self._np).itemsize

    @property
    def min(self):
        if self.is_floating:
            return np.finfo(self._np).min
        if self.is_integer:
            return np.iinfo(self._np).min
        if self.is_bool:
            return False
        raise TypeError(f"Cannot find minimum value of {self.name}.")

    @property
    def max(self):
        if self.is_floating:
            return np.finfo(self._np).max
        if self.is_integer:
            return np.iinfo(self._np).max
        if self.is_bool:
            return True
        raise TypeError(f"Cannot find maximum value of {self.name}.")

    def is_compatible_with(self, other):
        other = as_dtype(other)
        return self.as_datatype_enum in (other.as_datatype_enum, other.base_dtype.as_datatype_enum)

    # --- Python protocol --------------------------------------------------------------------
    def __eq__(self, other):
        if other is None:
            return False
        if isinstance(other, DType):
            return self is other
        try:
            return self is as_dtype(other)
        except TypeError:
            return False

    def __ne__(self, other):
        return not self.__eq__(other)

    def __hash__(self):
        return self.as_datatype_enum

    def __repr__(self):
        return f"tf.{self.name}"

    def __str__(self):
        return f"<dtype: '{self.name}'>"

    def __reduce__(self):
        return as_dtype, (self.name,)


_SPECS = [
    # name, numpy type, TF C++ short name, DataType enum value (as in types.proto)
    ("float16", np.float16, "half", 19),
    ("float32", np.float32, "float", 1),
    ("float64", np.float64, "double", 2),
    ("int8", np.int8, "int8", 6),
    ("int16", np.int16, "int16", 5),
    ("int32", np.int32, "int32", 3),
    ("int64", np.int64, "int64", 9),
    ("uint8", np.uint8, "uint8", 4),
    ("uint16", np.uint16, "uint16", 17),
    ("uint32", np.uint32, "uint32", 22),
    ("uint64", np.uint64, "uint64", 23),
    ("bool", np.bool_, "bool", 10),
    ("string", np.object_, "string", 7),
    ("complex64", np.complex64, "complex64", 8),
    ("complex128", np.complex128, "complex128", 18),
]

_BY_NAME = {}
_REFS = {}
for _name, _np_type, _proto, _enum in _SPECS:
    _BY_NAME[_name] = DType(_name, _np_type, _proto, _enum)
    _REFS[_name] = DType(_name, _np_type, _proto, _enum, is_ref=True)

float16 = half = _BY_NAME["float16"]
float32 = _BY_NAME["float32"]
float64 = double = _BY_NAME["float64"]
int8 = _BY_NAME["int8"]
int16 = _BY_NAME["int16"]
int32 = _BY_NAME["int32"]
int64 = _BY_NAME["int64"]
uint8 = _BY_NAME["uint8"]
uint16 = _BY_NAME["uint16"]
uint32 = _BY_NAME["uint32"]
uint64 = _BY_NAME["uint64"]
bool = _BY_NAME["bool"]  # noqa: A001 - TensorFlow's public name
string = _BY_NAME["string"]
complex64 = _BY_NAME["complex64"]
complex128 = _BY_NAME["complex128"]
float32_ref = _REFS["float32"]
float64_ref = _REFS["float64"]
int32_ref = _REFS["int32"]
int64_ref = _REFS["int64"]

# Names TensorFlow's `as_dtype` also accepts (`tf.placeholder("float")`).
_ALIASES = {"half": float16, "float": float32, "double": float64, "str": string, "bytes": string}
_BY_ENUM = {d.as_datatype_enum: d for d in _BY_NAME.values()}
_BY_ENUM.update({d.as_datatype_enum: d for d in _REFS.values()})
_BY_NUMPY = {np.dtype(d.as_numpy_dtype): d for d in _BY_NAME.values() if d is not string}

FLOATING = (float16, float32, float64)
INTEGER = (int8, int16, int32, int64, uint8, uint16, uint32, uint64)
COMPLEX = (complex64, complex128)
NUMBER = FLOATING + INTEGER + COMPLEX
REAL = FLOATING + INTEGER


def as_dtype(type_value):
    """Converts a DType, NumPy dtype/type, Python type, enum value or name (`"float32"`, `"float"`) to a DType.

    Raises:
        TypeError: if `type_value` names no known type.
    """
    if isinstance(type_value, DType):
        return type_value
    if isinstance(type_value, str):
        if type_value in _BY_NAME:
            return _BY_NAME[type_value]
        if type_value in _ALIASES:
            return _ALIASES[type_value]
        if type_value.endswith("_ref") and type_value[:-4] in _REFS:
            return _REFS[type_value[:-4]]
    elif isinstance(type_value, numbers.Integral) and not isinstance(type_value, type(True)):
        if type_value in _BY_ENUM:
            return _BY_ENUM[type_value]
    elif type_value is float:
        return float32
    elif type_value is int:
        return int32
    elif type_value is type(True):
        return bool
    elif type_value in (str, bytes):
        return string
    elif type_value is complex:
        return complex128
    else:
        try:
            np_dtype = np.dtype(type_value)
        except (TypeError, ValueError):
            np_dtype = None
        if np_dtype is not None:
            if np_dtype.kind in "OSU":
                return string
            if np_dtype in _BY_NUMPY:
                return _BY_NUMPY[np_dtype]
    raise TypeError(f"Cannot convert value {type_value!r} to a TensorFlow DType.")
