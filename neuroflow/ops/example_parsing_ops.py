"""Parsing serialized `tf.train.Example` protos: the ParseExample op (a host kernel over bytes, decoded with
neuroflow.train.example_proto's codec) and `tf.parse_example` / `tf.parse_single_example` with `FixedLenFeature`
(dense, with defaults and shapes), `VarLenFeature` (a SparseTensor) and `FixedLenSequenceFeature` with
allow_missing=True (a flat list read as [steps] + shape, padded to the batch's longest), with TensorFlow's messages."""
import collections

import numpy as np

from ..framework import dtypes
from ..framework.apply import apply_op, convert_to_tensor
from ..framework.op_def import InferenceError, OpDef, register
from ..framework.sparse_tensor import SparseTensor
from ..framework.tensor_shape import TensorShape
from .op_util import invalid_argument
from .string_ops import _check_string, _strings

__all__ = ["FixedLenFeature", "VarLenFeature", "parse_example", "parse_single_example"]

_KINDS = {dtypes.int64: ("int64_list", "int64"), dtypes.float32: ("float_list", "float"),
          dtypes.string: ("bytes_list", "string")}


class FixedLenFeature(collections.namedtuple("FixedLenFeature", ["shape", "dtype", "default_value"])):
    """A feature of a fixed shape: `shape`, `dtype` (int64, float32 or string), `default_value` (None: required)."""
    __slots__ = ()

    def __new__(cls, shape, dtype, default_value=None):
        return super().__new__(cls, shape, dtype, default_value)


class VarLenFeature(collections.namedtuple("VarLenFeature", ["dtype"])):
    """A feature of any length, parsed into a SparseTensor."""
    __slots__ = ()


def _check_type(dtype):
    dtype = dtypes.as_dtype(dtype).base_dtype
    if dtype not in _KINDS:
        raise ValueError(f"Unsupported dtype {dtype.name}: parsing supports int64, float32 and string.")
    return dtype


def _values(example_features, key, dtype, index):
    """The values of feature `key` (None when absent), checking its kind against `dtype`."""
    found = example_features.get(key)
    if found is None:
        return None
    kind, values = found
    if kind is None:
        return []
    want, word = _KINDS[dtype]
    if kind != want:
        have = {"int64_list": "int64", "float_list": "float", "bytes_list": "string"}[kind]
        raise invalid_argument(f"Name: <unknown>, Key: {key}, Index: {index}.  Data types don't match. Data type: "
                               f"{have} but expected type: {word}")
    return values


@register
class ParseExample(OpDef):
    """Input 0: serialized Examples (a scalar or a vector); inputs 1..: the dense features' defaults (empty: the
    feature is required). Outputs: each sparse feature's indices, then values, then dense shapes; then each dense
    feature's values, of the input's shape followed by the feature's shape (a leading -1 in a dense shape: a
    FixedLenSequenceFeature, [steps] padded with the default input's one value)."""

    type_name = "ParseExample"
    input_names = ("serialized",)
    variadic = True
    grad = None
    data_dependent_shape = True  # sparse outputs' sizes depend on the data

    def infer(self, inputs, attrs):
        serialized = inputs[0]
        _check_string(serialized, "ParseExample", "serialized")
        if serialized.shape.ndims is not None and serialized.shape.ndims > 1:
            raise InferenceError(f"Shape must be rank 0 or 1 but is rank {serialized.shape.ndims} for "
                                 f"'ParseExample' (input 'serialized').")
        width = serialized.shape.ndims + 1 if serialized.shape.ndims is not None else None
        sparse_types = [dtypes.as_dtype(t) for t in attrs["sparse_types"]]
        outs = [(TensorShape([None, width]), dtypes.int64) for _ in sparse_types]
        outs += [(TensorShape([None]), t) for t in sparse_types]
        outs += [(TensorShape([width]), dtypes.int64) for _ in sparse_types]
        for d, shape in zip(inputs[1:], attrs["dense_shapes"]):
            # A leading -1 (TensorFlow's unknown dimension) is a FixedLenSequenceFeature's step count.
            shape = TensorShape([None if int(dim) == -1 else dim for dim in shape])
            outs.append((serialized.shape.concatenate(shape), d.dtype.base_dtype))
        return outs

    def forward(self, xp, serialized, *defaults, sparse_keys, sparse_types, dense_keys, dense_shapes):
        from ..train.example_decode import decode_example_features
        serialized = xp.asarray(serialized)
        batch_shape = tuple(serialized.shape)
        parsed = []
        for r in serialized.reshape(-1).tolist():
            if isinstance(r, np.ndarray):  # a batch of 0-d string arrays (as Dataset.batch may stack them)
                r = r.item()
            try:
                parsed.append(decode_example_features(r))
            except Exception:  # noqa: BLE001 - any decoding failure is TensorFlow's "Could not parse"
                raise invalid_argument("Could not parse example input, value: '" + repr(r)[2:-1][:64] + "'")
        outs_idx, outs_val, outs_shape = [], [], []
        for key, t in zip(sparse_keys, sparse_types):
            dtype = dtypes.as_dtype(t)
            idx, vals, width = [], [], 0
            for b, feats in enumerate(parsed):
                values = _values(feats, key, dtype, b) or []
                width = max(width, len(values))
                idx += [[b, j] if batch_shape else [j] for j in range(len(values))]
                vals += values
            np_type = object if dtype is dtypes.string else dtype.as_numpy_dtype
            outs_idx.append(xp.asarray(idx, dtype=np.int64).reshape(-1, len(batch_shape) + 1))
            outs_val.append(xp.asarray(vals, dtype=np_type).reshape(-1))
            outs_shape.append(xp.asarray(list(batch_shape[:1]) + [width], dtype=np.int64))
        dense = []
        for key, shape, default in zip(dense_keys, dense_shapes, defaults):
            default = xp.asarray(default)
            np_type = default.dtype
            dtype = dtypes.string if np_type == object else dtypes.as_dtype(np_type)
            default = default.reshape(-1).tolist()
            if shape and int(shape[0]) == -1:
                dense.append(_sequence_rows(xp, parsed, key, dtype, np_type, [int(d) for d in shape[1:]], default[0],
                                            batch_shape))
                continue
            size = 1
            for dim in shape:
                size *= int(dim)
            rows = []
            for b, feats in enumerate(parsed):
                values = _values(feats, key, dtype, b)
                if values is None:
                    if not default:
                        raise invalid_argument(f"Name: <unknown>, Feature: {key} (data type: {_KINDS[dtype][1]}) "
                                               f"is required but could not be found.")
                    values = default * size if len(default) == 1 else default
                elif len(values) != size:
                    raise invalid_argument(f"Name: <unknown>, Key: {key}, Index: {b}.  Number of {_KINDS[dtype][1]}"
                                           f" values != expected.  Values size: {len(values)} but output shape: "
                                           f"[{','.join(str(int(s)) for s in shape)}]")
                rows.append(values)
            out = xp.asarray(rows, dtype=np_type) if rows else xp.zeros((0, size), dtype=np_type)
            dense.append(out.reshape(batch_shape + tuple(int(d) for d in shape)))
        outs = outs_idx + outs_val + outs_shape + dense
        return outs if len(outs) > 1 else outs[0]  # a one-output op's kernel returns the array itself


def _sequence_rows(xp, parsed, key, dtype, np_type, step_shape, padding, batch_shape):
    """A FixedLenSequenceFeature of each Example: its flat values as [steps] + step_shape, padded with `padding` to
    the batch's most steps (a missing feature has none)."""
    stride = int(np.prod(step_shape, dtype=np.int64))
    rows = []
    for b, feats in enumerate(parsed):
        values = _values(feats, key, dtype, b) or []
        if stride == 0 or len(values) % stride:
            raise invalid_argument(f"Name: <unknown>, Key: {key}, Index: {b}.  Number of values is not a multiple of "
                                   f"stride length. Saw {len(values)} values but output shape is: "
                                   f"[?,{','.join(str(d) for d in step_shape)}]")
        rows.append(values)
    steps = max([len(r) // stride for r in rows], default=0)
    out = np.full((len(rows), steps * stride), padding, dtype=np_type)
    for b, values in enumerate(rows):
        out[b, :len(values)] = values
    return xp.asarray(out.reshape(batch_shape + (steps,) + tuple(step_shape)))


def _sequence_default(spec, key):
    """FixedLenSequenceFeature in an Example: the padding value (default_value, else 0 or b'') and the shape
    [-1] + shape; TensorFlow allows it only with allow_missing=True."""
    if not spec.allow_missing:
        raise ValueError("Unsupported: FixedLenSequenceFeature requires allow_missing to be True.")
    dtype = _check_type(spec.dtype)
    shape = TensorShape(spec.shape)
    if not shape.is_fully_defined():
        raise ValueError(f"All dimensions of shape for feature {key} need to be known but received {spec.shape}.")
    pad = spec.default_value
    if pad is None:
        pad = b"" if dtype is dtypes.string else 0
    elif np.size(pad) != 1:
        raise ValueError(f"FixedLenSequenceFeature {key}: default_value (the padding) must be a scalar, got {pad}")
    pad = np.asarray(pad).reshape(-1)[0]
    if dtype is dtypes.string:
        value = np.array([pad.encode() if isinstance(pad, str) else bytes(pad)], dtype=object)
    else:
        value = np.array([pad], dtype=dtype.as_numpy_dtype)
    return convert_to_tensor(value, dtype=dtype), [-1] + shape.as_list()


def _dense_default(spec, key):
    dtype = _check_type(spec.dtype)
    shape = TensorShape(spec.shape)
    if not shape.is_fully_defined():
        raise ValueError(f"All dimensions of shape for feature {key} need to be known but received {spec.shape}.")
    np_type = object if dtype is dtypes.string else dtype.as_numpy_dtype
    if spec.default_value is None:
        return convert_to_tensor(np.zeros([0], dtype=np_type), dtype=dtype), shape.as_list()
    value = np.asarray(spec.default_value if dtype is not dtypes.string else
                       np.vectorize(lambda s: s.encode() if isinstance(s, str) else s, otypes=[object])(
                           np.asarray(spec.default_value, dtype=object)), dtype=np_type)
    if value.size not in (1, int(np.prod(shape.as_list(), dtype=np.int64))):
        raise ValueError(f"Cannot reshape a tensor with {value.size} elements to shape {shape.as_list()} for "
                         f"feature {key}'s default value.")
    return convert_to_tensor(value.reshape(-1), dtype=dtype), shape.as_list()


def parse_example(serialized, features, name=None, example_names=None):
    """Parses a batch (vector) of serialized Examples into a dict of Tensors (FixedLenFeature: shape [batch] +
    feature shape) and SparseTensors (VarLenFeature: dense shape [batch, longest]).

    Example:
        >>> parsed = tf.parse_example(serialized, {"x": tf.FixedLenFeature([2], tf.float32),
        ...                                        "tags": tf.VarLenFeature(tf.string)})
    """
    from .sequence_example_parsing_ops import FixedLenSequenceFeature  # it builds on this module
    if not features:
        raise ValueError("Missing: features was {}.")
    sparse_keys, sparse_types, dense_keys, dense_shapes, defaults = [], [], [], [], []
    for key in sorted(features):
        spec = features[key]
        if isinstance(spec, VarLenFeature):
            sparse_keys.append(key)
            sparse_types.append(_check_type(spec.dtype).name)
        elif isinstance(spec, (FixedLenFeature, FixedLenSequenceFeature)):
            make = _dense_default if isinstance(spec, FixedLenFeature) else _sequence_default
            default, shape = make(spec, key)
            dense_keys.append(key)
            dense_shapes.append(shape)
            defaults.append(default)
        else:
            raise ValueError(f"Unsupported feature type for {key}: {type(spec).__name__}")
    attrs = {"sparse_keys": sparse_keys, "sparse_types": sparse_types, "dense_keys": dense_keys,
             "dense_shapes": dense_shapes}
    outs = apply_op(ParseExample, [_strings(serialized, "serialized")] + defaults, attrs,
                    name=name or "ParseExample")
    outs = list(outs) if isinstance(outs, (list, tuple)) else [outs]
    n = len(sparse_keys)
    result = {}
    for i, key in enumerate(sparse_keys):
        result[key] = SparseTensor(outs[i], outs[n + i], outs[2 * n + i])
    for i, key in enumerate(dense_keys):
        result[key] = outs[3 * n + i]
    return result


def parse_single_example(serialized, features, name=None, example_names=None):
    """Parses one serialized Example (a scalar string) into a dict of Tensors (FixedLenFeature: the feature's
    shape) and SparseTensors (VarLenFeature: dense shape [length]).

    Example:
        >>> parsed = tf.parse_single_example(record, {"label": tf.FixedLenFeature([], tf.int64, default_value=0)})
    """
    return parse_example(serialized, features, name=name or "ParseSingleExample")
