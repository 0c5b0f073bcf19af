"""Op-table rows for SparseCross (tf.sparse.cross / cross_hashed) over dense int64 and string inputs. The reference is
written here from TensorFlow's rule (every combination per row, the last input fastest; hashes chained with
FingerprintCat64 from the hash key); the fingerprints themselves are checked against TensorFlow's stored values in
test_feature_column.py, and whole crosses in test_feature_column_crossed.py."""
import itertools

import numpy as np

import neuroflow as tf
from neuroflow.ops.string_hash_ops import fingerprint64
from op_table_base import Row

_rng = np.random.default_rng(19)  # its own draws: the shared generator's sequence stays the other tables'

_M = (1 << 64) - 1


def _cat(a, b):
    mul = 0xC6A4A7935BD1E995
    mix = lambda v: v ^ (v >> 47)  # noqa: E731
    r = a ^ mul
    r ^= (mix((b * mul) & _M) * mul) & _M
    r = (mix((r * mul) & _M) * mul) & _M
    return mix(r)


def _ref(buckets, key=0xDECAFCAFFE):
    def ref(*inputs):
        out = []
        for row in zip(*[(np.asarray(x).reshape(len(x), -1).tolist() if np.size(x) else []) for x in inputs]):
            for combo in itertools.product(*row):
                h = key
                for v in combo:
                    h = _cat(h, fingerprint64(v) if isinstance(v, bytes) else v & _M)
                out.append(h % buckets)
        return np.array(out, np.int64)
    return ref


def _text_ref(*inputs):
    out = []
    for row in zip(*[(np.asarray(x).reshape(len(x), -1).tolist() if np.size(x) else []) for x in inputs]):
        out += [b"_X_".join(v if isinstance(v, bytes) else str(v).encode() for v in c) for c in itertools.product(*row)]
    return np.array([len(s) for s in out], np.int32)


def _words(*shape):
    out = np.empty(shape, dtype=object)
    for i in np.ndindex(*shape):
        out[i] = b"w" * int(_rng.integers(0, 4)) + str(int(_rng.integers(0, 99))).encode()
    return out


def _ints(*shape):
    return _rng.integers(-5, 1000, size=shape).astype(np.int64)


ROWS = [
    Row("sparse_cross_hashed", lambda a, b: tf.sparse.cross_hashed([a, b], 1000).values, _ref(1000),
        [(_ints(3, 2), _words(3, 1)), (_ints(1, 3), _ints(1, 2)), (_ints(0, 2), _words(0, 1))], grad=False,
        data_dependent_shape=True, foldable=False),
    Row("sparse_cross_hashed_key", lambda a, b, c: tf.sparse.cross_hashed([a, b, c], 0, hash_key=99).values,
        _ref((1 << 63) - 1, 99), [(_words(2, 2), _ints(2, 1), _words(2, 3))], grad=False,
        data_dependent_shape=True, foldable=False),
    Row("sparse_cross", lambda a, b: tf.strings.length(tf.sparse.cross([a, b]).values), _text_ref,
        [(_words(3, 2), _ints(3, 2)), (_ints(0, 1), _words(0, 2))], grad=False, data_dependent_shape=True,
        foldable=False),
]
COVERED_ELSEWHERE = set()
