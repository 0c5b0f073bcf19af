"""Op-table rows for the primitives added so TensorFlow's graphs import: unique (Unique: TF's optimizers deduplicate
sparse gradients with it), against a plain-Python first-appearance reference; reverse_sequence (ReverseSequence,
which bidirectional RNNs use), against a per-entry slice reversal."""
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

def _reverse_sequence_reference(seq_axis, batch_axis):
    def reference(x, lengths):
        out = np.array(x, copy=True)
        for b, n in enumerate(lengths.tolist()):
            index = [slice(None)] * x.ndim
            index[batch_axis], index[seq_axis] = b, slice(0, n)
            out[tuple(index)] = np.flip(x[tuple(index)], axis=seq_axis - (batch_axis < seq_axis))
        return out
    return reference


def _reverse_sequence_row(name, seq_axis, batch_axis, samples):
    return Row(name, lambda x, n: tf.reverse_sequence(x, n, seq_axis=seq_axis, batch_axis=batch_axis),
               _reverse_sequence_reference(seq_axis, batch_axis), samples)


_X = _noncontiguous((3, 4), (-2, 2), np.float64)
ROWS = [
    _reverse_sequence_row("reverse_sequence", 1, 0, [
        (_X, np.array([2, 0, 4], np.int32)), (np.arange(6.0).reshape(2, 3), np.array([3, 1], np.int64)),
        (np.zeros((0, 3)), np.zeros((0,), np.int32)), (np.ones((2, 0)), np.array([0, 0], np.int32))]),
    _reverse_sequence_row("reverse_sequence_time_major", 0, 1, [
        (np.linspace(-1, 1, 24).reshape(4, 3, 2), np.array([4, 1, 3], np.int64))]),
    _reverse_sequence_row("reverse_sequence_rank4", 2, 0, [
        (np.linspace(-1, 1, 48).reshape(2, 2, 4, 3).astype(np.float32), np.array([3, 4], np.int32))]),
    Row("unique_y", lambda x: tf.unique(x).y, lambda x: _unique_reference(x)[0], _UNIQUE_SAMPLES, grad=False,
        data_dependent_shape=True, foldable=False),   # y's length is known only at run time
    Row("unique_idx_int64", lambda x: tf.unique(x, out_idx=tf.int64).idx, lambda x: _unique_reference(x)[1],
        _UNIQUE_SAMPLES, grad=False),
]
COVERED_ELSEWHERE = set()
