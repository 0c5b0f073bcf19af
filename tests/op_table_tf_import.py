"""Op-table rows for the primitives added so TensorFlow's graphs import: unique (Unique: TF's optimizers deduplicate
sparse gradients with it), against a plain-Python first-appearance reference."""
import numpy as np

import neuroflow as tf
from op_table_base import Row, _noncontiguous


def _unique_reference(x):
    """(y, idx) by walking x once: each new value is appended, each entry points at its value's place."""
    seen, y, idx = {}, [], []
    for value in x.tolist():
        if value not in seen:
            seen[value] = len(y)
            y.append(value)
        idx.append(seen[value])
    return np.array(y, x.dtype), np.array(idx, np.int64)


_UNIQUE_SAMPLES = [(np.array([4, 1, 4, 4, -3, 1, 0], np.int32),), (np.array([2.5, -1.0, 2.5, 7.0]),),
                   (np.array([], np.int64),), (np.array([9], np.int64),),
                   (np.ascontiguousarray(_noncontiguous((3, 4), (-2, 2), np.int32)[:, 0]),),
                   (_noncontiguous((3, 4), (-2, 2), np.int32)[:, 1],)]

ROWS = [
    Row("unique_y", lambda x: tf.unique(x).y, lambda x: _unique_reference(x)[0], _UNIQUE_SAMPLES, grad=False,
        data_dependent_shape=True, foldable=False),   # y's length is known only at run time
    Row("unique_idx_int64", lambda x: tf.unique(x, out_idx=tf.int64).idx, lambda x: _unique_reference(x)[1],
        _UNIQUE_SAMPLES, grad=False),
]
COVERED_ELSEWHERE = set()
