"""Op-table rows for coordinate indexing and sparse tensors: gather_nd / scatter_nd (GatherNd, ScatterNd),
sparse_to_dense (SparseToDense), sparse_reorder (SparseReorder), sparse_reshape (SparseReshape), edit_distance
(EditDistance) and CTC (CTCLoss, CTCGreedyDecoder, CTCBeamSearchDecoder). Feeding, fetching and the
compositions are in test_sparse.py, CTC's options in test_ctc.py."""
import numpy as np

import neuroflow as tf
from op_table_base import Row, _values

F64, I64 = np.float64, np.int64


def V(*shape, dtype=F64, domain=(-2.0, 2.0)):  # noqa: N802 - short on purpose
    return _values(shape, domain, dtype)


def _scatter_ref(indices, updates, shape):
    out = np.zeros(shape, updates.dtype)
    np.add.at(out, tuple(np.moveaxis(np.asarray(indices), -1, 0)), updates)
    return out


def _to_dense_ref(indices, shape, values, default=0.0):
    out = np.full(shape, default, dtype=np.asarray(values).dtype)
    out[tuple(np.asarray(indices).reshape(len(np.asarray(indices)), -1).T)] = values
    return out


# The gradient cases feed 0-d samples as [1] (np.ascontiguousarray): rows reshape them back to scalars.
_IDX = np.array([[0, 1], [2, 0], [2, 3]], I64)


def _rows():
    rows = []
    rows.append(Row("gather_nd", lambda p: tf.gather_nd(p, [[1, 0], [0, 2], [1, 0]]),
                    lambda p: p[[1, 0, 1], [0, 2, 0]],
                    [(V(2, 3),), (V(2, 3, 2),), (V(2, 4, dtype=I64, domain=(-5, 5)),)]))
    rows.append(Row("gather_nd_slices", lambda p: tf.gather_nd(p, [[[1]], [[0]]]), lambda p: p[[[1], [0]]],
                    [(V(2, 3),), (V(3, 0),)]))
    rows.append(Row("scatter_nd", lambda u: tf.scatter_nd([[1], [3], [1]], u, [5]),
                    lambda u: _scatter_ref([[1], [3], [1]], u, (5,)), [(V(3),), (V(3, dtype=I64, domain=(-5, 5)),)]))
    rows.append(Row("scatter_nd_rows", lambda u: tf.scatter_nd([[0, 1], [2, 0]], u, [3, 2, 2]),
                    lambda u: _scatter_ref([[0, 1], [2, 0]], u, (3, 2, 2)), [(V(2, 2),)]))
    rows.append(Row("sparse_to_dense", lambda v: tf.sparse_to_dense(_IDX, [3, 4], v),
                    lambda v: _to_dense_ref(_IDX, (3, 4), v), [(V(3),), (V(3, dtype=I64, domain=(-5, 5)),)]))
    rows.append(Row("sparse_to_dense_default", lambda v, d: tf.sparse_to_dense(_IDX, [3, 4], v, tf.reshape(d, [])),
                    lambda v, d: _to_dense_ref(_IDX, (3, 4), v, d), [(V(3), V())]))
    rows.append(Row("sparse_to_dense_scalar_value", lambda v: tf.sparse_to_dense([1, 3], [5], tf.reshape(v, []), -1.0),
                    lambda v: _to_dense_ref([[1], [3]], (5,), v, -1.0), [(V(),)]))
    rows.append(Row("sparse_to_dense_empty", lambda v: tf.sparse_to_dense(np.zeros((0, 2), I64), [2, 2], v),
                    lambda v: np.zeros((2, 2)), [(V(0),)], grad=False))  # no value to differentiate
    rows.append(Row("sparse_reorder", lambda v: tf.sparse_reorder(tf.SparseTensor([[1, 0], [0, 3], [0, 1]], v,
                                                                                 [2, 4])).values,
                    lambda v: v[[2, 1, 0]], [(V(3),)]))
    rows.append(Row("sparse_reorder_indices",
                    lambda i: tf.sparse_reorder(tf.SparseTensor(i, [1.0, 2.0, 3.0], [2, 4])).indices,
                    lambda i: i[np.argsort(i[:, 0] * 4 + i[:, 1], kind="stable")],
                    [(np.array([[1, 0], [0, 3], [0, 1]], I64),)], grad=False))
    rows.append(Row("sparse_reshape", lambda i: tf.sparse_reshape(tf.SparseTensor(i, [1, 2, 3], [2, 3]), [3, -1])
                    .indices, lambda i: np.stack(np.unravel_index(i[:, 0] * 3 + i[:, 1], (3, 2)), 1).astype(I64),
                    [(np.array([[0, 2], [1, 0], [1, 2]], I64),)], grad=False))
    # Hypothesis and truth sequences at [0, 0] and [1, 0]/[1, 1] (last axis: the sequence), values fed.
    hyp_idx, truth_idx = [[0, 0, 0], [0, 0, 1], [1, 1, 0]], [[0, 0, 0], [0, 0, 1], [0, 0, 2], [1, 0, 0]]
    for normalize in (True, False):
        rows.append(Row(f"edit_distance_{'normalized' if normalize else 'raw'}",
                        lambda h, t, n=normalize: tf.edit_distance(tf.SparseTensor(hyp_idx, h, [2, 2, 2]),
                                                                   tf.SparseTensor(truth_idx, t, [2, 1, 3]), n),
                        lambda h, t, n=normalize: _edit_distance_ref(h, t, n),
                        [(np.array([1, 2, 5], I64), np.array([1, 3, 2, 7], I64)),
                         (np.array([4, 4, 4], I64), np.array([4, 4, 4, 4], I64))], grad=False))
    # CTC over time-major logits [4, 2, 3] (blank = 2) for the labels [[0, 1], [1]] with lengths [4, 3].
    ctc_labels = tf.SparseTensorValue(np.array([[0, 0], [0, 1], [1, 0]], I64), np.array([0, 1, 1], np.int32),
                                      np.array([2, 2], I64))
    rows.append(Row("ctc_loss", lambda x: tf.nn.ctc_loss(tf.SparseTensor(*ctc_labels), x, [4, 3]),
                    lambda x: np.array([_ctc_ref(x[:4, 0], [0, 1]), _ctc_ref(x[:3, 1], [1])], x.dtype),
                    [(V(4, 2, 3),), (V(4, 2, 3, dtype=np.float32),)], rtol=1e-5, atol=1e-6))
    rows.append(Row("ctc_greedy_decoder", lambda x: tf.nn.ctc_greedy_decoder(x, [4, 3])[0][0].values,
                    lambda x: np.array(_collapse(x[:4, 0].argmax(1), 2) + _collapse(x[:3, 1].argmax(1), 2), I64),
                    [(V(4, 2, 3),)], grad=False, data_dependent_shape=True, foldable=False))
    rows.append(Row("ctc_beam_search_decoder",
                    lambda x: tf.nn.ctc_beam_search_decoder(x, [4, 3], beam_width=64,
                                                            merge_repeated=False)[0][0].values,
                    lambda x: np.array(_best_labelling(x[:4, 0]) + _best_labelling(x[:3, 1]), I64),
                    [(V(4, 2, 3),)], grad=False, data_dependent_shape=True, foldable=False))
    return rows


def _best_labelling(logits):
    """The labelling of highest total probability over all frame labellings (brute force; a wide beam finds it)."""
    steps, classes = logits.shape
    probs = np.exp(logits - logits.max(1, keepdims=True))
    paths = np.array(np.meshgrid(*[np.arange(classes)] * steps, indexing="ij")).reshape(steps, -1).T
    totals = {}
    for p in paths:
        key = tuple(_collapse(p, classes - 1))
        totals[key] = totals.get(key, 0.0) + np.prod(probs[np.arange(steps), p])
    return list(max(totals, key=totals.get))


def _collapse(path, blank):
    out = []
    for i, k in enumerate(path):
        if k != blank and (i == 0 or k != path[i - 1]):
            out.append(int(k))
    return out


def _ctc_ref(logits, labels):
    """-log of the summed probability of every frame labelling that collapses to `labels` (brute force)."""
    steps, classes = logits.shape
    probs = np.exp(logits - logits.max(1, keepdims=True))
    probs /= probs.sum(1, keepdims=True)
    paths = np.array(np.meshgrid(*[np.arange(classes)] * steps, indexing="ij")).reshape(steps, -1).T
    return -np.log(sum(np.prod(probs[np.arange(steps), p]) for p in paths if _collapse(p, classes - 1) == labels))


def _levenshtein(a, b):
    d = np.arange(len(b) + 1)
    for i, x in enumerate(a, 1):
        prev, d[0] = d.copy(), i
        for j, y in enumerate(b, 1):
            d[j] = min(prev[j] + 1, d[j - 1] + 1, prev[j - 1] + (x != y))
    return d[-1]


def _edit_distance_ref(h, t, normalize):
    """The rows' layout: [0, 0]: h[:2] vs t[:3]; [1, 0]: nothing vs t[3:]; [1, 1]: h[2:] vs nothing."""
    pairs = {(0, 0): (list(h[:2]), list(t[:3])), (1, 0): ([], list(t[3:])), (1, 1): (list(h[2:]), [])}
    out = np.zeros((2, 2), np.float32)
    for key, (a, b) in pairs.items():
        dist = _levenshtein(a, b)
        out[key] = (dist / len(b) if b else np.inf) if normalize else dist
    return out


ROWS = _rows()
# Variable updates (stateful): values and messages in test_indexed_slices.py.
COVERED_ELSEWHERE = {"ScatterAdd", "ScatterSub", "ScatterUpdate", "SparseApplyMomentum", "SparseApplyAdagrad",
                     "SparseApplyAdadelta", "SparseApplyRMSProp", "SparseApplyCenteredRMSProp",
                     # random draws: test_sampled_losses.py (probabilities, expected counts, seeds)
                     "UniformCandidateSampler", "LogUniformCandidateSampler"}
