"""Op-table rows for dropout, batch normalization, LRN, embedding_lookup, top_k, in_top_k."""
import numpy as np  # noqa: F401

import neuroflow as tf  # noqa: F401
from op_table_base import Row, _noncontiguous, _values, binary_samples, unary_samples  # noqa: F401

ROWS = []
COVERED_ELSEWHERE = set()
