"""Parsing primitives of TF1 input pipelines: DecodeCSV (`tf.decode_csv`: CSV records into one tensor per column,
with defaults for missing fields) and DecodeRaw (`tf.decode_raw`: a string's bytes as numbers). Host kernels over
bytes, not differentiable, with TensorFlow's messages for malformed input."""
import csv

from ..framework import dtypes
from ..framework.apply import apply_op, convert_to_tensor
from ..framework.op_def import InferenceError, OpDef, register
from ..framework.tensor import Tensor
from .op_util import invalid_argument
from .string_ops import _check_string, _strings

__all__ = ["decode_csv", "decode_raw"]

_CSV_TYPES = (dtypes.float32, dtypes.float64, dtypes.int32, dtypes.int64, dtypes.string)
_TYPE_WORDS = {dtypes.float32: "float", dtypes.float64: "double", dtypes.int32: "int32", dtypes.int64: "int64"}
_INT_RANGE = {dtypes.int32: (-2 ** 31, 2 ** 31 - 1), dtypes.int64: (-2 ** 63, 2 ** 63 - 1)}


def _fields(record, delim, use_quote_delim):
    """The fields of one record (bytes), or None when its quoting is malformed."""
    text = record.decode("utf-8", errors="surrogateescape")
    reader = csv.reader([text], delimiter=delim, quotechar='"', strict=True, skipinitialspace=False,
                        quoting=csv.QUOTE_MINIMAL if use_quote_delim else csv.QUOTE_NONE)
    try:
        row = next(reader, [])
    except csv.Error:
        return None
    fields = [f.encode("utf-8", errors="surrogateescape") for f in row]
    return fields if text else [b""]  # an empty record is one empty field, as TensorFlow reads it


@register
class DecodeCSV(OpDef):
    """Input 0 is the records; inputs 1.. are the column defaults (0 or 1 elements each: empty means required)."""

    type_name = "DecodeCSV"
    input_names = ("records",)
    variadic = True
    grad = None

    def canonicalize_attrs(self, inputs, attrs):
        return {**attrs, "OUT_TYPE": [t.dtype.base_dtype.name for t in inputs[1:]]}

    def infer(self, inputs, attrs):
        records, defaults = inputs[0], inputs[1:]
        _check_string(records, "DecodeCSV", "records")
        if not defaults:
            raise ValueError("record_defaults must not be empty")
        for i, d in enumerate(defaults):
            if d.dtype.base_dtype not in _CSV_TYPES:
                raise TypeError(f"Value passed to parameter 'record_defaults' has DataType {d.dtype.base_dtype.name}"
                                f" not in list of allowed values: float32, float64, int32, int64, string")
            if d.shape.ndims is not None and d.shape.ndims > 1:
                raise InferenceError("Shape of a default must be a length-0 or length-1 vector, or a scalar.")
            if d.shape.ndims == 1 and d.shape[0].value is not None and d.shape[0].value > 1:
                raise InferenceError("Shape of a default must be a length-0 or length-1 vector, or a scalar.")
        if len(attrs["field_delim"]) != 1:
            raise ValueError("field_delim should be only 1 char")
        return [(records.shape, d.dtype.base_dtype) for d in defaults]

    def forward(self, xp, records, *defaults, field_delim, use_quote_delim, na_value, select_cols, OUT_TYPE):
        types = [dtypes.as_dtype(t) for t in OUT_TYPE]
        records = xp.asarray(records)
        flat = records.reshape(-1).tolist()
        outs = [xp.empty(records.shape, dtype=object if t is dtypes.string else t.as_numpy_dtype) for t in types]
        out_flat = [o.reshape(-1) for o in outs]
        default_values = [xp.asarray(d).reshape(-1).tolist() for d in defaults]
        na = na_value.encode("utf-8")
        for r, record in enumerate(flat):
            fields = _fields(record if isinstance(record, bytes) else str(record).encode(), field_delim,
                             use_quote_delim)
            if fields is None:
                raise invalid_argument(f"Quoted field has to end with quote followed by delim or end in record {r}")
            if select_cols:
                if len(fields) <= max(select_cols):
                    raise invalid_argument(f"Expect {max(select_cols) + 1} fields but have {len(fields)} in record "
                                           f"{r}")
                fields = [fields[c] for c in select_cols]
            if len(fields) != len(types):
                raise invalid_argument(f"Expect {len(types)} fields but have {len(fields)} in record {r}")
            for c, (field, dtype) in enumerate(zip(fields, types)):
                out_flat[c][r] = self._value(field, dtype, default_values[c], na, c, r)
        return outs[0] if len(outs) == 1 else tuple(outs)

    @staticmethod
    def _value(field, dtype, default, na, column, record):
        if field == b"" or (na and field == na):
            if not default:
                raise invalid_argument(f"Field {column} is required but missing in record {record}!")
            return default[0]
        if dtype is dtypes.string:
            return field
        text = field.decode("utf-8", errors="replace")
        try:
            if dtype in _INT_RANGE:
                value = int(text, 10)
                low, high = _INT_RANGE[dtype]
                if not low <= value <= high:
                    raise ValueError(text)
                return value
            return float(text)
        except ValueError:
            raise invalid_argument(f"Field {column} in record {record} is not a valid {_TYPE_WORDS[dtype]}: "
                                   f"{text}") from None


_RAW_TYPES = (dtypes.float16, dtypes.float32, dtypes.float64, dtypes.int8, dtypes.int16, dtypes.int32, dtypes.int64,
              dtypes.uint8, dtypes.uint16, dtypes.complex64, dtypes.complex128)


@register
class DecodeRaw(OpDef):
    """Each string's bytes read as a vector of attr `out_type` (all strings the same length)."""

    type_name = "DecodeRaw"
    input_names = ("bytes",)
    grad = None
    data_dependent_shape = True  # the last dimension is the strings' length, which may change from run to run

    def infer(self, inputs, attrs):
        _check_string(inputs[0], "DecodeRaw", "bytes")
        out = dtypes.as_dtype(attrs["out_type"])
        if out not in _RAW_TYPES:
            raise TypeError(f"Value passed to parameter 'out_type' has DataType {out.name} not in list of allowed "
                            f"values: " + ", ".join(t.name for t in _RAW_TYPES))
        # The last dimension is the strings' length over the item size: known only at run time.
        return [(inputs[0].shape.concatenate([None]), out)]

    def forward(self, xp, data, out_type, little_endian):
        out = dtypes.as_dtype(out_type)
        item = xp.dtype(out.as_numpy_dtype)
        data = xp.asarray(data)
        strings = data.reshape(-1).tolist()
        size = len(strings[0]) if strings else 0
        for i, s in enumerate(strings):
            if len(s) != size:
                raise invalid_argument(f"DecodeRaw requires input strings to all be the same size, but element {i} "
                                       f"has size {len(s)} != {size}")
        if size % item.itemsize:
            raise invalid_argument(f"Input to DecodeRaw has length {size} that is not a multiple of "
                                   f"{item.itemsize}, the size of {out.name}")
        order = item.newbyteorder("<" if little_endian else ">")
        joined = b"".join(strings)
        values = xp.frombuffer(joined, dtype=order).astype(item) if joined else xp.zeros(0, dtype=item)
        return values.reshape(data.shape + (size // item.itemsize,))


def decode_csv(records, record_defaults, field_delim=",", use_quote_delim=True, name=None, na_value="",
               select_cols=None):
    """Splits CSV `records` (a string tensor) into one tensor per column, each of the records' shape and of its
    default's dtype; an empty field takes its default (an empty default makes the column required).

    Example:
        >>> a, b = tf.decode_csv(["1,x", "2,"], record_defaults=[[0], ["none"]])   # [1, 2], [b"x", b"none"]
    """
    defaults = [d if isinstance(d, Tensor) else convert_to_tensor(d) for d in record_defaults]
    if select_cols is not None:
        select_cols = [int(c) for c in select_cols]
        if any(b <= a for a, b in zip(select_cols, select_cols[1:])) or (select_cols and select_cols[0] < 0):
            raise ValueError("select_cols is not strictly increasing.")
        if len(select_cols) != len(defaults):
            raise ValueError("Length of select_cols and record_defaults do not match.")
    attrs = {"field_delim": field_delim, "use_quote_delim": bool(use_quote_delim), "na_value": na_value,
             "select_cols": select_cols or []}
    outputs = apply_op(DecodeCSV, [_strings(records, "records")] + defaults, attrs, name=name or "DecodeCSV")
    return list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]


def decode_raw(input_bytes=None, out_type=None, little_endian=True, name=None, bytes=None):  # noqa: A002
    """Each string's bytes as a vector of `out_type` numbers: shape [..., length / size of out_type].

    Example:
        >>> tf.decode_raw(tf.constant(b"\\x01\\x00\\x02\\x00"), tf.int16)   # [1, 2]
    """
    data = input_bytes if input_bytes is not None else bytes
    return apply_op(DecodeRaw, [_strings(data, "bytes")],
                    {"out_type": dtypes.as_dtype(out_type), "little_endian": bool(little_endian)},
                    name=name or "DecodeRaw")
