"""Op-table rows for array manipulation and indexing ops (transpose, squeeze, concat, split, slice, gather, one_hot, tile, pad, range, ...)."""
import numpy as np  # noqa: F401

import neuroflow as tf  # noqa: F401
from op_table_base import Row, _noncontiguous, _values, binary_samples, unary_samples  # noqa: F401

ROWS = []
COVERED_ELSEWHERE = set()
