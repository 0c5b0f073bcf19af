"""Op-table rows for TF1's Select (`tf.where` with a row-picking vector condition, or one of unknown rank)."""
import numpy as np

import neuroflow as tf
from op_table_base import Row, _noncontiguous, _values

_F = np.float64


def _rows_ref(c, x, y):
    return np.where(c.reshape(c.shape + (1,) * (x.ndim - 1)), x, y)


def _unknown_rank_where(c, x, y):
    # A condition whose rank is unknown while building: TF1's Select, whatever the sample's rank.
    return tf.where(tf.placeholder_with_default(c, None), x, y)


ROWS = [
    Row("where_rows", tf.where, _rows_ref,
        [(_values((3,), (0, 1), np.bool_), _values((3, 4), (-1, 1), _F), _values((3, 4), (-1, 1), _F)),
         (_values((2,), (0, 1), np.bool_), _values((2, 3, 2), (-1, 1), _F), _noncontiguous((2, 3, 2), (-1, 1), _F)),
         (_values((0,), (0, 1), np.bool_), _values((0, 3), (-1, 1), _F), _values((0, 3), (-1, 1), _F)),
         (_values((4,), (0, 1), np.bool_), _values((4, 2), (-9, 9), np.int32), _values((4, 2), (-9, 9), np.int32))]),
    Row("where_unknown_rank_condition", _unknown_rank_where, lambda c, x, y: _rows_ref(c, x, y) if c.ndim == 1
        and x.ndim > 1 else np.where(c, x, y),
        [(_values((3, 4), (0, 1), np.bool_), _values((3, 4), (-1, 1), _F), _values((3, 4), (-1, 1), _F)),
         (np.array(True), _values((2, 3), (-1, 1), _F), _values((2, 3), (-1, 1), _F)),
         (_values((2,), (0, 1), np.bool_), _values((2, 5), (-1, 1), _F), _values((2, 5), (-1, 1), _F))],
        foldable=False),
]
COVERED_ELSEWHERE = set()
