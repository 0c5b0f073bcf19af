"""Op-table rows for StringToHashBucketFast and VocabularyLookup: each string's bucket is looked up in TensorFlow
2.21's own answers (tests/data/feature_column/feature_column_reference.json), so the reference is TensorFlow, not our
farmhash; vocabulary ids are positions in a Python list."""
import json
import os

import numpy as np

import neuroflow as tf
from neuroflow.ops.vocabulary_lookup_ops import vocabulary_lookup
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

_VOCABULARY = _STRINGS[:40]


def _vocabulary_ref(oov_buckets, default):
    position = {w: i for i, w in enumerate(_VOCABULARY)}
    buckets = _tf_buckets(7)
    return np.vectorize(lambda s: position[s] if s in position else (
        len(_VOCABULARY) + int(buckets(s)) if oov_buckets else default), otypes=[np.int64])


def _ids_ref(keys):
    vocabulary = [5, -3, 12, 40]
    return np.vectorize(lambda k: vocabulary.index(k) if k in vocabulary else 2, otypes=[np.int64])(keys)


ROWS += [
    Row("vocabulary_lookup_oov", lambda s: vocabulary_lookup(s, _VOCABULARY, num_oov_buckets=7),
        _vocabulary_ref(7, None), _SAMPLES, grad=False),
    Row("vocabulary_lookup_default", lambda s: vocabulary_lookup(s, _VOCABULARY, default_value=-1),
        _vocabulary_ref(0, -1), _SAMPLES, grad=False),
    Row("vocabulary_lookup_int64", lambda k: vocabulary_lookup(k, [5, -3, 12, 40], default_value=2), _ids_ref,
        [(_rng.choice([5, -3, 12, 40, 7, 0], size=s).astype(np.int64),) for s in [(), (6,), (2, 3), (0,)]],
        grad=False),
]
COVERED_ELSEWHERE = set()
