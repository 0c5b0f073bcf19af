"""Feature crosses: TensorFlow's SparseCross op (every combination of one value from each input, per batch row)
and `tf.sparse.cross` / `tf.sparse.cross_hashed`. Hashed crosses chain farmhash fingerprints with FingerprintCat64
exactly as TensorFlow does (bucket ids equal TensorFlow 2.21's, tests/data/feature_column/crossed_reference.json);
`tf.feature_column.crossed_column` is built on it. A host kernel: the inputs are few, small id or string lists."""
import itertools

import numpy as np

from ..framework import dtypes
from ..framework.apply import apply_op, convert_to_tensor
from ..framework.op_def import InferenceError, OpDef, register
from ..framework.sparse_tensor import SparseTensor
from ..framework.tensor_shape import TensorShape
from .string_hash_ops import fingerprint64, fingerprint_cat64

__all__ = ["sparse_cross", "sparse_cross_hashed"]

DEFAULT_HASH_KEY = 0xDECAFCAFFE  # TensorFlow's default hash_key for hashed crosses
_INT64_MAX = (1 << 63) - 1


def _row_lists(xp, indices, values, shapes, dense, n_sparse):
    """Each input's values per batch row: sparse inputs (in order of their entries), then dense ones."""
    batch = None
    columns = []
    for k in range(n_sparse):
        rows_of = xp.asarray(indices[k])[:, 0].tolist() if len(indices[k]) else []
        batch = int(xp.asarray(shapes[k])[0]) if batch is None else batch
        per_row = {}
        for row, value in zip(rows_of, xp.asarray(values[k]).reshape(-1).tolist()):
            per_row.setdefault(row, []).append(value)
        columns.append(per_row)
    for d in dense:
        d = xp.asarray(d)
        batch = int(d.shape[0]) if batch is None else batch
        rows = d.reshape(d.shape[0], -1).tolist() if d.size else []
        columns.append(dict(enumerate(rows)))
    return columns, batch or 0


def _hash_part(value):
    if isinstance(value, (bytes, str)):
        return fingerprint64(value)
    return int(value) & ((1 << 64) - 1)  # an int64 value as its uint64 bits, as TensorFlow's crosser reads it


def _text_part(value):
    return value if isinstance(value, bytes) else str(int(value)).encode()


@register
class SparseCross(OpDef):
    """Inputs: N sparse inputs' indices, then their values, then their dense shapes, then the dense inputs ([batch,
    k]). Outputs: the cross as a SparseTensor's indices, values (int64 hashes, or strings joined by "_X_") and
    dense shape [batch, most combinations in a row]. Attrs N, hashed_output, num_buckets, hash_key, sparse_types,
    dense_types, out_type, internal_type (TensorFlow's)."""

    type_name = "SparseCross"
    input_names = ("indices",)
    variadic = True
    allowed_dtypes = None
    grad = None
    data_dependent_shape = True  # how many combinations each row has depends on the data

    def infer(self, inputs, attrs):
        n, types = attrs["N"], attrs["sparse_types"] + attrs["dense_types"]
        if len(inputs) != 3 * n + len(attrs["dense_types"]):
            raise InferenceError(f"SparseCross expects {3 * n + len(attrs['dense_types'])} inputs, got {len(inputs)}")
        for t, want in zip(inputs[n:2 * n] + inputs[3 * n:], types):
            if t.dtype.base_dtype.name != want or want not in ("int64", "string"):
                raise TypeError(f"SparseCross inputs must be int64 or string tensors; got {t.dtype.base_dtype.name}")
        for d in inputs[3 * n:]:
            if d.shape.ndims is not None and d.shape.ndims != 2:
                raise InferenceError(f"Dense inputs should be a matrix but received shape {d.shape.bracket_str()}")
        out_type = dtypes.as_dtype(attrs["out_type"])
        return [(TensorShape([None, 2]), dtypes.int64), (TensorShape([None]), out_type),
                (TensorShape([2]), dtypes.int64)]

    def forward(self, xp, *arrays, N, hashed_output, num_buckets, hash_key, sparse_types, dense_types, out_type,
                internal_type):
        columns, batch = _row_lists(xp, arrays[:N], arrays[N:2 * N], arrays[2 * N:3 * N], arrays[3 * N:], N)
        out_indices, out_values, widest = [], [], 0
        for b in range(batch):
            combos = itertools.product(*[column.get(b, []) for column in columns])  # the last input varies fastest
            count = 0
            for combo in combos:
                if hashed_output:
                    h = hash_key
                    for value in combo:
                        h = fingerprint_cat64(h, _hash_part(value))
                    out_values.append(h % num_buckets if num_buckets > 0 else h % _INT64_MAX)
                else:
                    out_values.append(b"_X_".join(_text_part(v) for v in combo))
                out_indices.append([b, count])
                count += 1
            widest = max(widest, count)
        values = np.array(out_values, dtype=np.int64 if hashed_output else object).reshape(-1)
        return (xp.asarray(np.array(out_indices, np.int64).reshape(-1, 2)), xp.asarray(values),
                xp.asarray(np.array([batch, widest], np.int64)))


def _cross(inputs, hashed_output, num_buckets, hash_key, name):
    if not isinstance(inputs, (list, tuple)) or not inputs:
        raise TypeError("Inputs must be a list")
    sparse, dense = [], []
    for x in inputs:
        if isinstance(x, SparseTensor):
            sparse.append(x)
        else:
            dense.append(convert_to_tensor(x))
    for t in [s.values for s in sparse] + dense:
        if t.dtype.base_dtype not in (dtypes.int64, dtypes.string):
            raise TypeError(f"All inputs must be int64 or string tensors; got {t.dtype.base_dtype.name} in {t}")
    types = lambda ts: [t.dtype.base_dtype.name for t in ts]  # noqa: E731
    attrs = {"N": len(sparse), "hashed_output": hashed_output, "num_buckets": int(num_buckets),
             "hash_key": int(hash_key), "sparse_types": types([s.values for s in sparse]),
             "dense_types": types(dense), "out_type": "int64" if hashed_output else "string",
             "internal_type": "string" if any(t.dtype.base_dtype == dtypes.string for t in
                                              [s.values for s in sparse] + dense) else "int64"}
    ins = [s.indices for s in sparse] + [s.values for s in sparse] + [s.dense_shape for s in sparse] + dense
    indices, values, shape = apply_op(SparseCross, ins, attrs, name=name or "SparseCross")
    return SparseTensor(indices, values, shape)


def sparse_cross(inputs, name=None):
    """The cross of `inputs` (SparseTensors or 2-D Tensors, int64 or string) as strings "a_X_b_X_c", one per
    combination of a value from each input in the same batch row (sparse inputs first, then dense, as TensorFlow).

    Example: `tf.sparse.cross([sp_words, dense_ids])`."""
    return _cross(inputs, False, 0, 0, name)


def sparse_cross_hashed(inputs, num_buckets=0, hash_key=None, name=None):
    """As `sparse_cross`, but each combination hashed (FingerprintCat64 of the parts' fingerprints, from `hash_key`)
    into [0, num_buckets) (num_buckets 0: [0, 2**63 - 1)), as TensorFlow does.

    Example: `tf.sparse.cross_hashed([sp_words, dense_ids], num_buckets=1000)`."""
    return _cross(inputs, True, num_buckets, DEFAULT_HASH_KEY if hash_key is None else hash_key, name)
