"""TensorFlow's `DataType` enum (types.proto): the numbers its messages use for dtypes, by TensorFlow's names."""

__all__ = ["DataType"]

_BASE = ["DT_INVALID", "DT_FLOAT", "DT_DOUBLE", "DT_INT32", "DT_UINT8", "DT_INT16", "DT_INT8", "DT_STRING",
         "DT_COMPLEX64", "DT_INT64", "DT_BOOL", "DT_QINT8", "DT_QUINT8", "DT_QINT32", "DT_BFLOAT16", "DT_QINT16",
         "DT_QUINT16", "DT_UINT16", "DT_COMPLEX128", "DT_HALF", "DT_RESOURCE", "DT_VARIANT", "DT_UINT32",
         "DT_UINT64", "DT_FLOAT8_E5M2", "DT_FLOAT8_E4M3FN", "DT_FLOAT8_E4M3FNUZ", "DT_FLOAT8_E4M3B11FNUZ",
         "DT_FLOAT8_E5M2FNUZ", "DT_INT4", "DT_UINT4", "DT_INT2", "DT_UINT2", "DT_FLOAT4_E2M1FN"]
_REF_OFFSET = 100   # a reference type is its base type's number plus 100 (DT_FLOAT_REF = 101)


class _Enum:
    """An enum type as protobuf's generated modules offer it: `Name(number)`, `Value(name)`, `keys()`,
    `values()`, `items()`, and each value as an attribute."""

    def __init__(self, name, pairs):
        self._name = name
        self._by_name = dict(pairs)
        self._by_number = {}
        for key, number in pairs:
            self._by_number.setdefault(number, key)
            setattr(self, key, number)

    def Name(self, number):  # noqa: N802 - protobuf's names
        try:
            return self._by_number[number]
        except (KeyError, TypeError):
            raise ValueError(f"Enum {self._name} has no name defined for value {number!r}") from None

    def Value(self, name):  # noqa: N802
        try:
            return self._by_name[name]
        except (KeyError, TypeError):
            raise ValueError(f"Enum {self._name} has no value defined for name {name!r}") from None

    def keys(self):
        return list(self._by_name)

    def values(self):
        return list(self._by_name.values())

    def items(self):
        return list(self._by_name.items())


DataType = _Enum("DataType", [(n, i) for i, n in enumerate(_BASE)] +
                 [(n + "_REF", i + _REF_OFFSET) for i, n in enumerate(_BASE) if i])
