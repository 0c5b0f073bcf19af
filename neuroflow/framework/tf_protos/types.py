"""TensorFlow's `DataType` enum (types.proto): the numbers its messages use for dtypes, by TensorFlow's names."""

__all__ = ["DataType", "FullTypeId", "CheckpointFormatVersion"]

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

# full_type.proto's FullTypeId (the type of NodeDef.experimental_type, which TensorFlow 2 writes in graphs)
FullTypeId = _Enum("FullTypeId", [
    ("TFT_UNSET", 0), ("TFT_VAR", 1), ("TFT_ANY", 2), ("TFT_PRODUCT", 3), ("TFT_NAMED", 4), ("TFT_FOR_EACH", 20),
    ("TFT_CALLABLE", 100), ("TFT_TENSOR", 1000), ("TFT_ARRAY", 1001), ("TFT_OPTIONAL", 1002),
    ("TFT_LITERAL", 1003), ("TFT_ENCODED", 1004), ("TFT_SHAPE_TENSOR", 1005), ("TFT_BOOL", 200),
    ("TFT_UINT8", 201), ("TFT_UINT16", 202), ("TFT_UINT32", 203), ("TFT_UINT64", 204), ("TFT_INT8", 205),
    ("TFT_INT16", 206), ("TFT_INT32", 207), ("TFT_INT64", 208), ("TFT_HALF", 209), ("TFT_FLOAT", 210),
    ("TFT_DOUBLE", 211), ("TFT_BFLOAT16", 215), ("TFT_COMPLEX64", 212), ("TFT_COMPLEX128", 213),
    ("TFT_STRING", 214), ("TFT_DATASET", 10102), ("TFT_RAGGED", 10103), ("TFT_ITERATOR", 10104),
    ("TFT_MUTEX_LOCK", 10202), ("TFT_LEGACY_VARIANT", 10203)])

# saver.proto's SaverDef.CheckpointFormatVersion
CheckpointFormatVersion = _Enum("CheckpointFormatVersion", [("LEGACY", 0), ("V1", 1), ("V2", 2)])
