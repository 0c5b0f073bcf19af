"""Values between neuroflow and TensorFlow's messages: DType <-> DataType number, TensorShape <->
TensorShapeProto, ndarray <-> TensorProto (tensor_content or the typed value lists, as TensorFlow reads and
writes them) and attribute values <-> AttrValue. Shared by the GraphDef import and export and the meta graph /
SavedModel code; reading only copies numbers out of messages."""
import numbers

import numpy as np

from . import dtypes
from .tensor_shape import TensorShape
from .tf_protos import AttrValue, TensorProto, TensorShapeProto

__all__ = ["dtype_from_enum", "shape_from_proto", "shape_to_proto", "tensor_from_proto", "tensor_to_proto",
           "attr_from_tf", "attr_to_tf", "UnconvertibleAttr"]


class UnconvertibleAttr(ValueError):
    """An attribute value with no form in the other format (a sub-graph, a Python object, a function)."""


def dtype_from_enum(number, where="a tensor"):
    """The DType of DataType `number`; ValueError naming `where` for types neuroflow does not have."""
    try:
        return dtypes.as_dtype(int(number))
    except (TypeError, ValueError):
        from .tf_protos import DataType
        try:
            name = DataType.Name(int(number))
        except ValueError:
            name = f"DataType {number}"
        raise ValueError(f"{where} has type {name}, which neuroflow does not support") from None


def shape_from_proto(proto):
    """TensorShape of a TensorShapeProto (unknown rank, -1 dims as None)."""
    if proto.unknown_rank:
        return TensorShape(None)
    return TensorShape([None if d.size < 0 else d.size for d in proto.dim])


def shape_to_proto(shape):
    """TensorShapeProto of a TensorShape (or list of dims)."""
    shape = shape if isinstance(shape, TensorShape) else TensorShape(shape)
    proto = TensorShapeProto()
    if shape.ndims is None:
        proto.unknown_rank = True
        return proto
    for d in shape.dims:
        proto.dim.add(size=-1 if d.value is None else d.value)
    return proto


_VALUE_FIELDS = {  # DataType -> the typed list TensorFlow uses when tensor_content is empty
    "float32": "float_val", "float64": "double_val", "int32": "int_val", "int16": "int_val", "int8": "int_val",
    "uint8": "int_val", "uint16": "int_val", "int64": "int64_val", "bool": "bool_val", "string": "string_val",
    "complex64": "scomplex_val", "complex128": "dcomplex_val", "float16": "half_val", "uint32": "uint32_val",
    "uint64": "uint64_val"}


def tensor_from_proto(proto, where="a tensor"):
    """The ndarray a TensorProto holds (read-only when it is a view of the message's bytes).

    Raises:
        ValueError: the dtype is unsupported, or the data does not fit the shape (naming `where`).
    """
    dtype = dtype_from_enum(proto.dtype, where).base_dtype
    shape = shape_from_proto(proto.tensor_shape)
    if shape.ndims is None or any(d is None for d in shape.as_list()):
        raise ValueError(f"{where} has a tensor of incomplete shape {shape}")
    dims = tuple(shape.as_list())
    count = int(np.prod(dims, dtype=np.int64))
    if dtype is dtypes.string:
        items = list(proto.string_val)
        return _fill(items, count, dims, np.dtype(object), where)
    np_dtype = np.dtype(dtype.as_numpy_dtype)
    content = proto.tensor_content
    if content:
        if len(content) != count * np_dtype.itemsize:
            raise ValueError(f"{where}: tensor_content holds {len(content)} bytes, but a {dtype.name} tensor of "
                             f"shape {list(dims)} needs {count * np_dtype.itemsize}")
        # a read-only view of the message's bytes: no copy of a large constant (TensorFlow's data is little-endian)
        array = np.frombuffer(content, dtype=np_dtype.newbyteorder("<")).reshape(dims)
        return array if array.dtype == np_dtype else array.astype(np_dtype)
    values = getattr(proto, _VALUE_FIELDS[dtype.name])
    if dtype is dtypes.float16:
        values = np.asarray(values, dtype=np.uint16).view(np.float16)
    elif dtype.name in ("complex64", "complex128"):
        pairs = np.asarray(values, dtype=np.float64).reshape(-1, 2) if len(values) % 2 == 0 else None
        if pairs is None:
            raise ValueError(f"{where}: a complex tensor holds an odd number of components")
        values = pairs[:, 0] + 1j * pairs[:, 1]
    return _fill(np.asarray(values).astype(np_dtype) if len(values) else [], count, dims, np_dtype, where)


def _fill(values, count, dims, np_dtype, where):
    """TensorFlow's rule for short value lists: the last value repeats to fill the shape; none means zeros."""
    n = len(values)
    if n > count:
        raise ValueError(f"{where}: {n} values for a tensor of shape {list(dims)}")
    if np_dtype == object:
        out = np.empty(count, dtype=object)
        out[:n] = values
        out[n:] = values[-1] if n else b""
        return out.reshape(dims)
    out = np.empty(count, dtype=np_dtype)
    out[:n] = values
    out[n:] = values[-1] if n else 0
    return out.reshape(dims)


def tensor_to_proto(value):
    """A TensorProto of an array, as TensorFlow's make_tensor_proto writes it: strings in string_val, a single
    number in its typed value list (float_val, int_val, ...), more numbers in tensor_content."""
    array = np.asarray(value)
    proto = TensorProto()
    if array.dtype.kind in "OSU":
        proto.dtype = dtypes.string.as_datatype_enum
        proto.tensor_shape.CopyFrom(shape_to_proto(list(array.shape)))
        proto.string_val.extend(x.encode("utf-8") if isinstance(x, str) else bytes(x) for x in array.ravel())
        return proto
    dtype = dtypes.as_dtype(array.dtype)
    proto.dtype = dtype.as_datatype_enum
    proto.tensor_shape.CopyFrom(shape_to_proto(list(array.shape)))
    if not array.size:
        return proto
    if (array.size == 1 or dtype.name not in _CONTENT_TYPES) and dtype.name in _VALUE_FIELDS:
        getattr(proto, _VALUE_FIELDS[dtype.name]).extend(_typed_values(array, dtype))
    else:
        le = np.ascontiguousarray(array, dtype=np.dtype(dtype.as_numpy_dtype).newbyteorder("<"))
        proto.tensor_content = le.tobytes()
    return proto


# the dtypes TensorFlow's make_tensor_proto writes in tensor_content when a tensor has more than one element
_CONTENT_TYPES = frozenset(("float16", "bfloat16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8",
                            "uint32", "uint64"))


def _typed_values(array, dtype):
    """The numbers as their typed value list holds them: float16 as its bits, complex as (real, imaginary) pairs."""
    flat = array.ravel()
    if dtype.name == "float16":
        return flat.astype(np.float16).view(np.uint16).tolist()
    if dtype.name in ("complex64", "complex128"):
        return np.stack([flat.real, flat.imag], axis=-1).ravel().tolist()
    return flat.tolist()


# --- attributes -------------------------------------------------------------------------------------------------
def attr_from_tf(av, where="an attribute"):
    """The neuroflow value of an AttrValue: DType, TensorShape, ndarray, bytes, int, float, bool or a list.

    Raises:
        UnconvertibleAttr: a function (`func`) or placeholder attribute.
    """
    kind = av.WhichOneof("value")
    if kind is None:
        return []    # an empty list is written as an AttrValue with nothing set
    if kind == "type":
        return dtype_from_enum(av.type, where)
    if kind == "shape":
        return shape_from_proto(av.shape)
    if kind == "tensor":
        return tensor_from_proto(av.tensor, where)
    if kind == "s":
        return _text(av.s)
    if kind in ("i", "f", "b"):
        return getattr(av, kind)
    if kind == "list":
        lv = av.list
        if lv.s:
            return [_text(s) for s in lv.s]
        for name in ("i", "f", "b"):
            if getattr(lv, name):
                return list(getattr(lv, name))
        if lv.type:
            return [dtype_from_enum(t, where) for t in lv.type]
        if lv.shape:
            return [shape_from_proto(s) for s in lv.shape]
        if lv.tensor:
            return [tensor_from_proto(t, where) for t in lv.tensor]
        if lv.func:
            raise UnconvertibleAttr(f"{where} is a list of functions")
        return []
    raise UnconvertibleAttr(f"{where} is a {'function' if kind == 'func' else kind} attribute")


def _text(data):
    """neuroflow's string attributes (padding, data_format, ...) are str; bytes that are not UTF-8 stay bytes."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data


def attr_to_tf(value, where="an attribute"):
    """The AttrValue of a neuroflow attribute value (None gives None: the attribute is left out).

    Raises:
        UnconvertibleAttr: a value with no AttrValue form (a sub-graph, a Python object, a dict).
    """
    if value is None:
        return None
    av = AttrValue()
    if isinstance(value, dtypes.DType):
        av.type = value.as_datatype_enum
    elif isinstance(value, TensorShape):
        av.shape.CopyFrom(shape_to_proto(value))
    elif isinstance(value, (bool, np.bool_)):
        av.b = bool(value)
    elif isinstance(value, numbers.Integral):
        av.i = int(value)
    elif isinstance(value, numbers.Real):
        av.f = float(value)
    elif isinstance(value, str):
        av.s = value.encode("utf-8")
    elif isinstance(value, bytes):
        av.s = value
    elif isinstance(value, np.ndarray):
        if value.dtype == object and not all(isinstance(v, (bytes, str)) for v in value.ravel()):
            raise UnconvertibleAttr(f"{where} is an object array holding other values than strings")
        av.tensor.CopyFrom(tensor_to_proto(value))
    elif isinstance(value, (list, tuple)):
        _list_to_tf(av, list(value), where)
    else:
        raise UnconvertibleAttr(f"{where} holds a {type(value).__name__}, which a TensorFlow AttrValue cannot")
    return av


def _list_to_tf(av, items, where):
    lv = av.list
    lv.SetInParent()
    if not items:
        return
    if all(isinstance(v, (bool, np.bool_)) for v in items):
        lv.b.extend(bool(v) for v in items)
    elif all(isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in items):
        lv.i.extend(int(v) for v in items)
    elif all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in items):
        lv.f.extend(float(v) for v in items)
    elif all(isinstance(v, (str, bytes)) for v in items):
        lv.s.extend(v.encode("utf-8") if isinstance(v, str) else v for v in items)
    elif all(isinstance(v, dtypes.DType) for v in items):
        lv.type.extend(v.as_datatype_enum for v in items)
    elif all(isinstance(v, TensorShape) for v in items):
        lv.shape.extend(shape_to_proto(v) for v in items)
    elif all(isinstance(v, np.ndarray) for v in items):
        lv.tensor.extend(tensor_to_proto(v) for v in items)
    else:
        raise UnconvertibleAttr(f"{where} is a list mixing kinds TensorFlow's AttrValue cannot hold")
