"""Op-table rows for StringToHashBucketFast: each string's bucket is looked up in TensorFlow 2.21's own answers
(tests/data/feature_column/feature_column_reference.json), so the reference is TensorFlow, not our farmhash."""
import json
import os

import numpy as np

import neuroflow as tf
from op_table_base import Row

_rng = np.random.default_rng(19)  # its own draws: the shared generator's sequence stays the other tables'

_REFERENCE = json.load(open(os.path.join(os.path.dirname(__file__), "data", "feature_column",
                                         "feature_column_reference.json")))
_STRINGS = [s.encode("utf-8") for s in _REFERENCE["hash_strings"]]


def _tf_buckets(buckets):
    table = dict(zip(_STRINGS, _REFERENCE["hash_buckets"][str(buckets)]))
    return np.vectorize(table.__getitem__, otypes=[np.int64])


def _strings(shape):
    out = np.empty(shape, dtype=object)
    flat = out.reshape(-1)
    for i in range(flat.size):
        flat[i] = _STRINGS[int(_rng.integers(0, len(_STRINGS)))]
    return out


_SAMPLES = [(_strings(s),) for s in [(), (7,), (3, 4), (2, 1, 3, 2), (0, 2)]] + [(np.array(_STRINGS, object),)]

ROWS = [Row(f"string_to_hash_bucket_fast_{n}", lambda s, n=n: tf.strings.to_hash_bucket_fast(s, n), _tf_buckets(n),
            _SAMPLES, grad=False) for n in (7, 1000, 2 ** 63 - 1)]
COVERED_ELSEWHERE = set()
