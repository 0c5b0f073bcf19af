"""Op-table rows for ParseExample (tf.parse_example / tf.parse_single_example): Examples built from random values
with neuroflow's proto codec, each row's reference being the values the records were built from. TensorFlow's own
files and the error messages: test_parse_example.py."""
import numpy as np

import neuroflow as tf
from op_table_base import Row, _rng

_SOURCE = {}  # serialized record -> (x: 3 floats or None, label: int, tags: list of bytes)


def _records(shape):
    out = np.empty(shape, dtype=object)
    flat = out.reshape(-1)
    for i in range(flat.size):
        x = None if i % 3 == 2 else _rng.uniform(-5, 5, size=3).astype(np.float32)
        label = int(_rng.integers(-2 ** 40, 2 ** 40))
        tags = [b"t%d" % int(_rng.integers(0, 99)) for _ in range(int(_rng.integers(0, 4)))]
        ex = tf.train.Example()
        f = ex.features.feature
        if x is not None:
            f["x"].float_list.value.extend(x.tolist())
        f["label"].int64_list.value.append(label)
        f["tags"].bytes_list.value.extend(tags)
        flat[i] = ex.SerializeToString()
        _SOURCE[flat[i]] = (x, label, tags)
    return out


_FEATURES = {"x": tf.FixedLenFeature([3], tf.float32, default_value=[1.0, 2.0, 3.0]),
             "label": tf.FixedLenFeature([], tf.int64), "tags": tf.VarLenFeature(tf.string)}


def _ref_x(records):
    rows = [_SOURCE[r][0] if _SOURCE[r][0] is not None else np.float32([1, 2, 3]) for r in records.reshape(-1)]
    return np.array(rows, dtype=np.float32).reshape(records.shape + (3,))


def _ref_label(records):
    return np.array([_SOURCE[r][1] for r in records.reshape(-1)], dtype=np.int64).reshape(records.shape)


def _ref_tag_lengths(records):
    # the dense form of the VarLenFeature, as string lengths (padding: 0)
    flat = [_SOURCE[r][2] for r in records.reshape(-1)]
    width = max([len(t) for t in flat] + [0])
    out = np.zeros((len(flat), width), dtype=np.int32)
    for b, tags in enumerate(flat):
        out[b, :len(tags)] = [len(t) for t in tags]
    return out


def _tag_lengths(records):
    sp = tf.parse_example(records, _FEATURES)["tags"]
    return tf.sparse_tensor_to_dense(tf.SparseTensor(sp.indices, tf.strings.length(sp.values), sp.dense_shape))


_SAMPLES = [(_records(s),) for s in [(), (5,), (0,)]]
ROWS = [
    Row("parse_example_fixed_len_default", lambda r: tf.parse_example(r, _FEATURES)["x"], _ref_x, _SAMPLES,
        grad=False),
    Row("parse_example_fixed_len_int64", lambda r: tf.parse_example(r, _FEATURES)["label"], _ref_label, _SAMPLES,
        grad=False),
    Row("parse_example_var_len", _tag_lengths, _ref_tag_lengths, [(_records(s),) for s in [(6,), (0,)]],
        grad=False, data_dependent_shape=True, foldable=False),  # SparseToDense of a sparse result
]
COVERED_ELSEWHERE = set()
