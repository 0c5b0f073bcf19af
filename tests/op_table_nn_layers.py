"""Op-table rows for dropout, batch normalization, LRN, embedding_lookup, top_k, in_top_k.

References are plain NumPy. Rows whose `fn` calls `tf.gradients` check the gradient compositions' forward values
against NumPy (numeric differences), and, through test_gradients, second-order gradients. Dropout is random:
it is tested in test_nn_misc.py.
"""
import numpy as np

import neuroflow as tf
from op_table_base import Row, _noncontiguous, _values

F16, F32, F64, I32, I64 = np.float16, np.float32, np.float64, np.int32, np.int64
LOOSE = {"rtol": 1e-5, "atol": 1e-5}  # rows that include float32 samples


def V(*shape, dtype=F64, domain=(-2.0, 2.0)):  # noqa: N802 - short on purpose: many samples below
    return _values(shape, domain, dtype)


def P(*shape, dtype=F64):  # noqa: N802 - positive values (variances, scales)
    return _values(shape, (0.5, 2.0), dtype)


def _numeric_grad(f, x, eps=1e-6):
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        d = np.zeros_like(x)
        d[i] = eps
        g[i] = (f(x + d) - f(x - d)) / (2 * eps)
    return g


# --- NumPy references ----------------------------------------------------------------------------------------
def np_batchnorm(x, mean, var, offset, scale, eps):
    return (x - mean) / np.sqrt(var + eps) * scale + offset


def np_fused_train(x, scale, offset, fmt="NHWC", eps=1e-3):
    """(y, batch mean, unbiased batch variance) of TensorFlow's FusedBatchNorm in training mode."""
    axes = (0, 2, 3) if fmt == "NCHW" else (0, 1, 2)
    view = (1, -1, 1, 1) if fmt == "NCHW" else (1, 1, 1, -1)
    mean, var = x.mean(axes), x.var(axes)
    n = x.size // x.shape[axes[-1] + 1 if fmt == "NHWC" else 1]
    y = (x - mean.reshape(view)) / np.sqrt(var.reshape(view) + eps) * scale.reshape(view) + offset.reshape(view)
    return y.astype(x.dtype), mean, var * n / max(n - 1, 1)


def np_fused_infer(x, scale, offset, mean, var, fmt="NHWC", eps=1e-3):
    view = (1, -1, 1, 1) if fmt == "NCHW" else (1, 1, 1, -1)
    r = [a.reshape(view) for a in (scale, offset, mean, var)]
    return ((x - r[2]) / np.sqrt(r[3] + eps) * r[0] + r[1]).astype(x.dtype)


def np_lrn(x, radius=5, bias=1.0, alpha=1.0, beta=0.5):
    x64 = x.astype(F64)
    sq = x64 ** 2
    depth = x.shape[-1]
    window = np.stack([sq[..., max(0, j - radius):j + radius + 1].sum(-1) for j in range(depth)], axis=-1)
    return (x64 / (bias + alpha * window) ** beta).astype(x.dtype)


def np_top_k(x, k):
    """The k largest along the last axis, lower index first among equal values (by explicit ranking)."""
    n = x.shape[-1]
    rows = x.reshape(-1, n)
    idx = np.array([sorted(range(n), key=lambda i, r=r: (-r[i], i))[:k] for r in rows], dtype=I32)
    idx = idx.reshape(x.shape[:-1] + (k,))
    return np.take_along_axis(x, idx, -1), idx


def np_in_top_k(predictions, targets, k):
    out = []
    for row, t in zip(predictions, targets):
        ok = 0 <= t < row.size and np.all(np.isfinite(row))
        out.append(bool(ok and np.sum(row > row[t]) < k))
    return np.array(out, dtype=bool)


def _mod_parts(params, n):
    return [params[i::n] for i in range(n)]


def _div_parts(params, n):
    total = params.shape[0]
    sizes = [total // n + (1 if i < total % n else 0) for i in range(n)]
    bounds = np.cumsum([0] + sizes)
    return [params[a:b] for a, b in zip(bounds[:-1], bounds[1:])]


IDS = np.array([[0, 5, 3], [6, 6, 1]], dtype=I32)  # repeated ids: their gradients add up
WEIGHTS = V(2, 3, 4, 5, domain=(-1, 1))            # fixed upstream gradients for the gradient rows


def _rows():
    rows = []
    # --- batch_normalization (composition) --------------------------------------------------------------------
    bn_samples = [(V(4, 3), V(3), P(3), V(3), P(3)), (V(2, 3, 2, 3), V(3), P(3), V(3), P(3)),
                  (V(0, 3), V(3), P(3), V(3), P(3)), (_noncontiguous((4, 3), (-2, 2), F64), V(3), P(3), V(3), P(3)),
                  (V(2, 3, 1, 1), V(3, 1, 1), P(3, 1, 1), V(3, 1, 1), P(3, 1, 1)),
                  (V(4, 3, dtype=F32), V(3, dtype=F32), P(3, dtype=F32), V(3, dtype=F32), P(3, dtype=F32))]
    rows.append(Row("nn.batch_normalization", lambda x, m, v, o, s: tf.nn.batch_normalization(x, m, v, o, s, 1e-3),
                    lambda x, m, v, o, s: np_batchnorm(x, m, v, o, s, np.asarray(1e-3, x.dtype)), bn_samples,
                    **LOOSE))
    rows.append(Row("nn.batch_normalization_no_affine",
                    lambda x, m, v: tf.nn.batch_normalization(x, m, v, None, None, 0.01),
                    lambda x, m, v: (x - m) / np.sqrt(v + 0.01), [(V(4, 3), V(3), P(3)), (V(2, 5), V(5), P(5))]))
    rows.append(Row("nn.batch_norm_with_global_normalization",
                    lambda x, m, v, b, g: tf.nn.batch_norm_with_global_normalization(x, m, v, b, g, 1e-3, True),
                    lambda x, m, v, b, g: np_batchnorm(x, m, v, b, g, 1e-3), [bn_samples[1]]))
    # --- fused_batch_norm: training (batch statistics) and inference, NHWC and NCHW ---------------------------
    train_samples = [(V(2, 3, 4, 5), P(5), V(5)), (V(1, 1, 1, 3), P(3), V(3)), (V(3, 2, 2, 1), P(1), V(1)),
                     (V(2, 2, 3, 4, dtype=F32), P(4, dtype=F32), V(4, dtype=F32))]
    for index, what in enumerate(("y", "mean", "variance")):
        samples = train_samples if what == "y" else train_samples[:1] + train_samples[3:]
        rows.append(Row(f"nn.fused_batch_norm_train_{what}",
                        lambda x, s, o, i=index: tf.nn.fused_batch_norm(x, s, o)[i],
                        lambda x, s, o, i=index: np_fused_train(x, s, o)[i].astype(x.dtype), samples, **LOOSE))
    rows.append(Row("nn.fused_batch_norm_train_nchw",
                    lambda x, s, o: tf.nn.fused_batch_norm(x, s, o, data_format="NCHW", epsilon=1e-6)[0],
                    lambda x, s, o: np_fused_train(x, s, o, "NCHW", 1.001e-5)[0],  # epsilon clamped as in TF
                    [(V(2, 3, 2, 2), P(3), V(3))]))
    rows.append(Row("nn.fused_batch_norm_train_f16", lambda x, s, o: tf.nn.fused_batch_norm(x, s, o)[0],
                    lambda x, s, o: np_fused_train(x.astype(F32), s, o)[0].astype(F16),
                    [(V(2, 2, 2, 3, dtype=F16), P(3, dtype=F32), V(3, dtype=F32))], rtol=5e-3, atol=5e-3))
    infer_samples = [(V(2, 3, 4, 5), P(5), V(5), V(5), P(5)), (V(0, 2, 2, 3), P(3), V(3), V(3), P(3)),
                     (V(2, 2, 2, 3, dtype=F32), P(3, dtype=F32), V(3, dtype=F32), V(3, dtype=F32), P(3, dtype=F32))]
    rows.append(Row("nn.fused_batch_norm_inference",
                    lambda x, s, o, m, v: tf.nn.fused_batch_norm(x, s, o, m, v, is_training=False)[0],
                    np_fused_infer, infer_samples, **LOOSE))
    rows.append(Row("nn.fused_batch_norm_inference_stats",   # the statistics pass through, with their gradients
                    lambda x, s, o, m, v: sum(tf.nn.fused_batch_norm(x, s, o, m, v, is_training=False)[1:]) * 1.0,
                    lambda x, s, o, m, v: m + v, infer_samples[:1]))
    rows.append(Row("nn.fused_batch_norm_inference_nchw",
                    lambda x, s, o, m, v: tf.nn.fused_batch_norm(x, s, o, m, v, data_format="NCHW",
                                                                 is_training=False)[0],
                    lambda x, s, o, m, v: np_fused_infer(x, s, o, m, v, "NCHW"),
                    [(V(2, 3, 2, 2), P(3), V(3), V(3), P(3))]))
    # Gradient compositions against numeric differences of the NumPy forward (then second order).
    w = WEIGHTS
    rows.append(Row("nn.fused_batch_norm_train_grad",
                    lambda x, s, o: tf.gradients(tf.reduce_sum(tf.nn.fused_batch_norm(x, s, o)[0] * w), x)[0],
                    lambda x, s, o: _numeric_grad(lambda v: np.sum(np_fused_train(v, s, o)[0] * w), x),
                    [(V(2, 3, 4, 5), P(5), V(5))], rtol=1e-5, atol=1e-6, graph_only=True))
    rows.append(Row("nn.fused_batch_norm_inference_grad",
                    lambda x, s, o, m, v: tf.gradients(tf.reduce_sum(tf.square(
                        tf.nn.fused_batch_norm(x, s, o, m, v, is_training=False)[0])), v)[0],
                    lambda x, s, o, m, v: _numeric_grad(lambda q: np.sum(np_fused_infer(x, s, o, m, q) ** 2), v),
                    infer_samples[:1], rtol=1e-5, atol=1e-6, graph_only=True))
    # --- lrn --------------------------------------------------------------------------------------------------
    lrn_samples = [(V(2, 3, 4, 7),), (V(1, 2, 2, 3),), (V(1, 1, 1, 1),), (V(0, 2, 2, 3),),
                   (_noncontiguous((2, 2, 3, 4), (-2, 2), F64),), (V(2, 2, 2, 6, dtype=F32),)]
    rows.append(Row("nn.lrn", tf.nn.lrn, np_lrn, lrn_samples, **LOOSE))
    rows.append(Row("nn.local_response_normalization_params",
                    lambda x: tf.nn.local_response_normalization(x, depth_radius=2, bias=2.0, alpha=0.3, beta=0.75),
                    lambda x: np_lrn(x, 2, 2.0, 0.3, 0.75), lrn_samples, **LOOSE))
    rows.append(Row("nn.lrn_radius0", lambda x: tf.nn.lrn(x, 0, 1.0, 1.0, 1.0), lambda x: np_lrn(x, 0, 1.0, 1.0, 1.0),
                    [(V(2, 2, 2, 3),)]))
    rows.append(Row("nn.lrn_f16", tf.nn.lrn, lambda x: np_lrn(x.astype(F32)).astype(F16),
                    [(V(1, 2, 2, 5, dtype=F16),)], rtol=2e-3, atol=2e-3))
    rows.append(Row("nn.lrn_grad", lambda x: tf.gradients(tf.reduce_sum(tf.nn.lrn(x, 2, 1.5, 0.4, 0.75) * w[:1]), x)[0],
                    lambda x: _numeric_grad(lambda v: np.sum(np_lrn(v, 2, 1.5, 0.4, 0.75) * w[:1]), x),
                    [(V(1, 3, 4, 5),)], rtol=1e-5, atol=1e-6, graph_only=True))
    # --- embedding_lookup -------------------------------------------------------------------------------------
    rows.append(Row("nn.embedding_lookup", tf.nn.embedding_lookup, lambda p, i: p[i],
                    [(V(7, 3), IDS), (V(5), np.array([4, 0, 4], I64)), (V(4, 2, 3), np.array(2, I32)),
                     (V(3, 2), np.zeros((0,), I32))], grad=False))
    for ids in (IDS, IDS[0]):
        rows.append(Row(f"nn.embedding_lookup_grad_{ids.ndim}", lambda p, i=ids: tf.nn.embedding_lookup(p, i),
                        lambda p, i=ids: p[i], [(V(7, 3),), (V(8, 2, 2),)]))
    for strategy, split in (("mod", _mod_parts), ("div", _div_parts)):
        for n in (2, 3):
            rows.append(Row(f"nn.embedding_lookup_{strategy}{n}",
                            lambda *ps, s=strategy: tf.nn.embedding_lookup(list(ps), IDS, partition_strategy=s),
                            lambda *ps, s=strategy, n=n: _joined(ps, s, n)[IDS],
                            [tuple(split(V(7, 3), n))]))
    rows.append(Row("nn.embedding_lookup_max_norm", lambda p: tf.nn.embedding_lookup(p, IDS, max_norm=1.0),
                    lambda p: _clip_rows(p[IDS], 1.0), [(V(7, 3),)]))
    # --- top_k, in_top_k --------------------------------------------------------------------------------------
    ties = np.array([[1, 3, 3, 2, 3], [0, 0, 0, 0, 0], [5, -1, 5, 2, 2]])
    for k in (1, 3):
        rows.append(Row(f"nn.top_k_values_k{k}", lambda x, k=k: tf.nn.top_k(x, k=k).values,
                        lambda x, k=k: np_top_k(x, k)[0],
                        [(V(3, 5),), (V(2, 3, 4),), (V(6),), (_noncontiguous((3, 5), (-2, 2), F64),),
                         (V(0, 4),), (V(2, 4, dtype=F32),)]))
        # Tied values: top_k has a kink there, so central differences do not apply (gradient: nn.top_k_grad).
        rows.append(Row(f"nn.top_k_values_ties_k{k}", lambda x, k=k: tf.nn.top_k(x, k=k).values,
                        lambda x, k=k: np_top_k(x, k)[0], [(ties.astype(F32),), (ties.astype(I32),)], grad=False))
        rows.append(Row(f"nn.top_k_indices_k{k}", lambda x, k=k: tf.nn.top_k(x, k=k)[1],
                        lambda x, k=k: np_top_k(x, k)[1],
                        [(V(3, 5),), (ties.astype(F32),), (ties.astype(I64),), (V(2, 2, 3),)], grad=False))
    rows.append(Row("nn.top_k_all", lambda x: tf.nn.top_k(x, k=4, sorted=False).values,
                    lambda x: np_top_k(x, 4)[0], [(V(3, 4),)]))
    rows.append(Row("nn.top_k_tensor_k", lambda x: tf.nn.top_k(x, k=tf.constant(2)).values,
                    lambda x: np_top_k(x, 2)[0], [(V(2, 5),)]))
    rows.append(Row("nn.top_k_grad", lambda x: tf.gradients(tf.reduce_sum(tf.square(tf.nn.top_k(x, 2).values)), x)[0],
                    lambda x: _numeric_grad(lambda v: np.sum(np_top_k(v, 2)[0] ** 2), x), [(V(3, 4),), (V(2, 2, 3),)],
                    rtol=1e-5, atol=1e-6, graph_only=True))
    preds = np.array([[0.1, 0.5, 0.5, 0.2], [0.3, 0.3, 0.3, 0.3], [1.0, 2.0, 3.0, 4.0], [0.4, np.nan, 0.1, 0.2],
                      [0.9, 0.1, 0.1, 0.1]], F32)
    targets = np.array([2, 3, 1, 0, 7], I32)
    for k in (1, 2, 3):
        rows.append(Row(f"nn.in_top_k_{k}", lambda p, t, k=k: tf.nn.in_top_k(p, t, k),
                        lambda p, t, k=k: np_in_top_k(p, t, k),
                        [(preds, targets), (preds, targets.astype(I64)), (V(6, 3, dtype=F32), np.array(
                            [0, 1, 2, 0, 1, 2], I32)), (np.zeros((0, 3), F32), np.zeros((0,), I32))], grad=False))
    return rows


def _joined(parts, strategy, n):
    """The full table back from its partitions (the inverse of _mod_parts / _div_parts)."""
    if strategy == "div":
        return np.concatenate(parts)
    total = sum(p.shape[0] for p in parts)
    out = np.empty((total,) + parts[0].shape[1:], parts[0].dtype)
    for i, p in enumerate(parts):
        out[i::n] = p
    return out


def _clip_rows(e, max_norm):
    norm = np.sqrt(np.sum(e ** 2, axis=-1, keepdims=True))
    return e * max_norm / np.maximum(norm, max_norm)


ROWS = _rows()
COVERED_ELSEWHERE = {"Dropout"}  # random: statistics, seeds and gradients in test_nn_misc.py
