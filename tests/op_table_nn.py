"""Op-table rows for neural-network basics (activations, softmax, cross-entropies, bias_add, l2_loss, moments, ...)."""
import numpy as np  # noqa: F401

import neuroflow as tf  # noqa: F401
from op_table_base import Row, _noncontiguous, _values, binary_samples, unary_samples  # noqa: F401

ROWS = []
COVERED_ELSEWHERE = set()
