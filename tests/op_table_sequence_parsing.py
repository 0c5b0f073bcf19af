"""Op-table rows for ParseSequenceExample (tf.io.parse_single_sequence_example's feature lists): SequenceExamples
built from random values with neuroflow's proto codec, each row's reference being the values they were built from.
TensorFlow's own bytes and the messages: test_parse_sequence_example.py."""
import numpy as np

import neuroflow as tf
from op_table_base import Row, _rng

_SOURCE = {}  # serialized record -> (frames: [T, 2] float32, tokens: list of lists of ints)


def _record(steps):
    frames = _rng.uniform(-3, 3, size=(steps, 2)).astype(np.float32)
    tokens = [[int(v) for v in _rng.integers(-9, 9, size=int(_rng.integers(0, 3)))] for _ in range(steps)]
    se = tf.train.SequenceExample()
    lists = se.feature_lists.feature_list
    for s in range(steps):
        lists["frames"].feature.add().float_list.value.extend(frames[s].tolist())
        lists["tokens"].feature.add().int64_list.value.extend(tokens[s])
    data = se.SerializeToString()
    _SOURCE[data] = (frames, tokens)
    return np.array(data, dtype=object)


_FEATURES = {"frames": tf.io.FixedLenSequenceFeature([2], tf.float32, allow_missing=True),
             "tokens": tf.io.VarLenFeature(tf.int64)}


def _dense_tokens(record):
    sp = tf.io.parse_single_sequence_example(record, sequence_features=_FEATURES)[1]["tokens"]
    return tf.sparse_tensor_to_dense(sp)


def _ref_tokens(record):
    tokens = _SOURCE[record.item()][1]
    out = np.zeros((len(tokens), max([len(t) for t in tokens] + [0])), dtype=np.int64)
    for s, t in enumerate(tokens):
        out[s, :len(t)] = t
    return out


_SAMPLES = [(_record(n),) for n in (3, 1, 0)]
ROWS = [
    Row("parse_sequence_example_fixed_len", lambda r: tf.io.parse_single_sequence_example(
        r, sequence_features=_FEATURES)[1]["frames"], lambda r: _SOURCE[r.item()][0], _SAMPLES, grad=False,
        data_dependent_shape=True, foldable=False),  # the number of steps is known only when it runs
    Row("parse_sequence_example_var_len", _dense_tokens, _ref_tokens, _SAMPLES, grad=False,
        data_dependent_shape=True, foldable=False),  # SparseToDense of a sparse result
]
COVERED_ELSEWHERE = set()
