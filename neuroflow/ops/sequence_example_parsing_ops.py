"""`tf.io.parse_single_sequence_example`: a SequenceExample's context (parsed like an Example: its bytes are an
Example's with one more field) and its feature lists — `FixedLenSequenceFeature` (dense, [steps] + shape) and
`VarLenFeature` (sparse, [steps, longest]) — through the ParseSequenceExample host kernel."""
import collections

import numpy as np

from ..framework import dtypes
from ..framework.apply import apply_op
from ..framework.op_def import OpDef, register
from ..framework.sparse_tensor import SparseTensor
from ..framework.tensor_shape import TensorShape
from .example_parsing_ops import FixedLenFeature, VarLenFeature, _KINDS, _check_type, _values, parse_example
from .op_util import invalid_argument
from .string_ops import _check_string, _strings

__all__ = ["FixedLenSequenceFeature", "parse_single_sequence_example"]


class FixedLenSequenceFeature(collections.namedtuple(
        "FixedLenSequenceFeature", ["shape", "dtype", "allow_missing", "default_value"])):
    """A feature list whose every step has shape `shape`: parsed to [steps] + shape."""
    __slots__ = ()

    def __new__(cls, shape, dtype, allow_missing=False, default_value=None):
        return super().__new__(cls, shape, dtype, allow_missing, default_value)


@register
class ParseSequenceExample(OpDef):
    """Input: one serialized SequenceExample (a scalar). Outputs: each sparse feature list's indices, values and
    dense shape, then each dense feature list's values ([steps] + shape)."""

    type_name = "ParseSequenceExample"
    input_names = ("serialized",)
    grad = None
    data_dependent_shape = True

    def infer(self, inputs, attrs):
        _check_string(inputs[0], "ParseSequenceExample", "serialized")
        sparse = [dtypes.as_dtype(t) for t in attrs["sparse_types"]]
        outs = [(TensorShape([None, 2]), dtypes.int64) for _ in sparse] + [(TensorShape([None]), t) for t in sparse]
        outs += [(TensorShape([2]), dtypes.int64) for _ in sparse]
        outs += [(TensorShape([None] + list(s)), dtypes.as_dtype(t))
                 for t, s in zip(attrs["dense_types"], attrs["dense_shapes"])]
        return outs

    def forward(self, xp, serialized, sparse_keys, sparse_types, dense_keys, dense_types, dense_shapes,
                dense_allow_missing):
        from ..train.example_decode import decode_feature_lists
        record = xp.asarray(serialized).reshape(-1).tolist()[0]
        try:
            lists = decode_feature_lists(record)
        except Exception:  # noqa: BLE001
            raise invalid_argument("Could not parse example input, value: '" + repr(record)[2:-1][:64] + "'")
        outs_idx, outs_val, outs_shape, dense = [], [], [], []
        for key, t in zip(sparse_keys, sparse_types):
            dtype = dtypes.as_dtype(t)
            steps = lists.get(key, [])
            idx, vals, width = [], [], 0
            for s, step in enumerate(steps):
                values = _values({key: step}, key, dtype, s)
                width = max(width, len(values))
                idx += [[s, j] for j in range(len(values))]
                vals += values
            outs_idx.append(xp.asarray(idx, dtype=np.int64).reshape(-1, 2))
            outs_val.append(xp.asarray(vals, dtype=object if dtype is dtypes.string else dtype.as_numpy_dtype))
            outs_shape.append(xp.asarray([len(steps), width], dtype=np.int64))
        for key, t, shape, allow in zip(dense_keys, dense_types, dense_shapes, dense_allow_missing):
            dtype = dtypes.as_dtype(t)
            np_type = object if dtype is dtypes.string else dtype.as_numpy_dtype
            size = int(np.prod(shape, dtype=np.int64))
            if key not in lists and not allow:
                raise invalid_argument(f"Name: <unknown>, Feature list '{key}' is required but could not be found."
                                       f"  Did you mean to include it in feature_list_dense_missing_assumed_empty "
                                       f"or feature_list_dense_defaults?")
            rows = []
            for s, step in enumerate(lists.get(key, [])):
                values = _values({key: step}, key, dtype, s)
                if len(values) != size:
                    raise invalid_argument(f"Name: <unknown>, Key: {key}, Index: {s}.  Number of "
                                           f"{_KINDS[dtype][1]} values != expected.  values size: {len(values)} "
                                           f"but output shape: [{','.join(str(int(d)) for d in shape)}]")
                rows.append(values)
            out = xp.asarray(rows, dtype=np_type) if rows else xp.zeros((0, size), dtype=np_type)
            dense.append(out.reshape((len(rows),) + tuple(int(d) for d in shape)))
        outs = outs_idx + outs_val + outs_shape + dense
        return outs if len(outs) > 1 else outs[0]  # a one-output op's kernel returns the array itself


def parse_single_sequence_example(serialized, context_features=None, sequence_features=None, example_name=None,
                                  name=None):
    """Parses one serialized SequenceExample: (context dict, feature-list dict).

    Example:
        >>> ctx, seq = tf.io.parse_single_sequence_example(record, {"len": tf.io.FixedLenFeature([], tf.int64)},
        ...     {"tokens": tf.io.FixedLenSequenceFeature([], tf.int64), "tags": tf.io.VarLenFeature(tf.string)})
    """
    if not context_features and not sequence_features:
        raise ValueError("Missing features.")
    serialized = _strings(serialized, "serialized")
    context = parse_example(serialized, context_features, name=name or "ParseSingleSequenceExample") \
        if context_features else {}
    sequence = {}
    if sequence_features:
        sparse_keys, sparse_types, dense_keys, dense_types, dense_shapes, allow = [], [], [], [], [], []
        for key in sorted(sequence_features):
            spec = sequence_features[key]
            if isinstance(spec, VarLenFeature):
                sparse_keys.append(key)
                sparse_types.append(_check_type(spec.dtype).name)
            elif isinstance(spec, FixedLenSequenceFeature):
                shape = TensorShape(spec.shape)
                if not shape.is_fully_defined():
                    raise ValueError(f"All dimensions of shape for feature {key} need to be known but received "
                                     f"{spec.shape}.")
                if spec.default_value is not None:
                    raise NotImplementedError("FixedLenSequenceFeature's default_value is not supported yet")
                dense_keys.append(key)
                dense_types.append(_check_type(spec.dtype).name)
                dense_shapes.append(shape.as_list())
                allow.append(bool(spec.allow_missing))
            elif isinstance(spec, FixedLenFeature):
                raise ValueError(f"Unsupported feature type for {key} in sequence_features: FixedLenFeature "
                                 f"(use FixedLenSequenceFeature).")
            else:
                raise ValueError(f"Unsupported feature type for {key}: {type(spec).__name__}")
        attrs = {"sparse_keys": sparse_keys, "sparse_types": sparse_types, "dense_keys": dense_keys,
                 "dense_types": dense_types, "dense_shapes": dense_shapes, "dense_allow_missing": allow}
        outs = apply_op(ParseSequenceExample, [serialized], attrs, name=name or "ParseSequenceExample")
        outs = list(outs) if isinstance(outs, (list, tuple)) else [outs]
        n = len(sparse_keys)
        for i, key in enumerate(sparse_keys):
            sequence[key] = SparseTensor(outs[i], outs[n + i], outs[2 * n + i])
        for i, key in enumerate(dense_keys):
            sequence[key] = outs[3 * n + i]
    return context, sequence
