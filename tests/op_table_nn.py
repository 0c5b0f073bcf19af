"""Op-table rows for neural-network basics (activations, softmax, cross-entropies, bias_add, l2_loss, moments, ...).

References are plain NumPy. Rows that call `tf.gradients` inside `fn` check the gradient ops' forward values
(ReluGrad, BiasAddGrad, the cross-entropies' backprop) and, through test_gradients, second-order gradients.
"""
import numpy as np

import neuroflow as tf
from op_table_base import Row, _noncontiguous, _values, unary_samples

F16, F32, F64, I32, I64 = np.float16, np.float32, np.float64, np.int32, np.int64
SELU_SCALE, SELU_ALPHA = 1.0507009873554805, 1.6732632423543772
LOOSE = {"rtol": 1e-5, "atol": 1e-6}  # rows that include float32 samples


def V(*shape, dtype=F64, domain=(-2.0, 2.0)):  # noqa: N802 - short on purpose: many samples below
    return _values(shape, domain, dtype)


# --- NumPy references ----------------------------------------------------------------------------------------
def np_softmax(x, axis=-1):
    if x.size == 0:
        return x.copy()
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def np_log_softmax(x, axis=-1):
    if x.size == 0:
        return x.copy()
    m = np.max(x, axis=axis, keepdims=True)
    return x - m - np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True))


def np_xent(labels, logits, axis=-1):
    return -np.sum(labels * np_log_softmax(logits, axis), axis=axis)


def np_sparse_xent(labels, logits):
    labels = labels.astype(np.int64)
    picked = np.take_along_axis(np_log_softmax(logits), labels[..., None], axis=-1)[..., 0]
    return -picked


def np_one_hot(labels, depth, dtype):
    return (labels.astype(np.int64)[..., None] == np.arange(depth)).astype(dtype)


def np_elu(x):
    return np.where(x > 0, x, np.exp(x) - 1)


def np_sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _distribution(shape, axis=-1, dtype=F64):
    """Labels that sum to one along `axis` (TensorFlow's backprop output assumes they do); in float16/float32
    exactly so (multiples of 1/64), so that their float64 versions in the gradient check still do."""
    p = V(*shape, dtype=F64, domain=(0.1, 1.0))
    p = p / p.sum(axis=axis, keepdims=True)
    if dtype != F64:
        p = np.moveaxis(np.floor(p * 64) / 64, axis, -1)
        p[..., 0] += 1 - p.sum(-1)
        p = np.moveaxis(p, -1, axis)
    return p.astype(dtype)


def _label_indices(shape, classes):
    """Class indices stored as float64 k + 0.5: cast to int32 inside `fn`, they survive the gradient check's
    perturbations, so the logits' gradient is checked with all-float64 samples."""
    return np.asarray(np.random.default_rng(sum(shape) + classes).integers(0, classes, size=shape) + 0.5)


def _rows():
    rows = []
    # --- activations ---------------------------------------------------------------------------------------------
    for name, fn, ref, domain in [
        ("nn.relu", tf.nn.relu, lambda x: np.maximum(x, 0), (-2, 2)),
        ("nn.relu6", tf.nn.relu6, lambda x: np.minimum(np.maximum(x, 0), 6), (-2, 8)),
        ("nn.leaky_relu", tf.nn.leaky_relu, lambda x: np.where(x > 0, x, x * 0.2), (-2, 2)),
        ("nn.elu", tf.nn.elu, np_elu, (-3, 3)),
        ("nn.selu", tf.nn.selu, lambda x: SELU_SCALE * np.where(x > 0, x, SELU_ALPHA * (np.exp(x) - 1)), (-3, 3)),
        ("nn.softplus", tf.nn.softplus, lambda x: np.log1p(np.exp(x)), (-5, 5)),
        ("nn.softsign", tf.nn.softsign, lambda x: x / (1 + np.abs(x)), (-3, 3)),
    ]:
        samples = unary_samples(domain) + [(V(3, 4, dtype=F32, domain=domain),),
                                           (V(2, 3, 2, 2, dtype=F32, domain=domain),)]
        rows.append(Row(name, fn, ref, samples, **LOOSE))
        # Second order: d/dx sum(f(x)^2) = 2 f f', whose gradient needs the gradient of f's gradient ops.
        rows.append(Row(name + "_grad", lambda x, fn=fn: tf.gradients(tf.reduce_sum(tf.square(fn(x))), x)[0],
                        lambda x, ref=ref: 2 * ref(x) * _slope(ref, x),
                        [(V(3, 4, domain=domain),), (V(2, 3, 2, 2, domain=domain),)], rtol=1e-5, graph_only=True))
    rows.append(Row("nn.relu_int", tf.nn.relu, lambda x: np.maximum(x, 0),
                    [(V(3, 4, dtype=I32, domain=(-5, 5)),), (V(5, dtype=I64, domain=(-5, 5)),)], grad=False))
    rows.append(Row("nn.relu6_int", tf.nn.relu6, lambda x: np.clip(x, 0, 6), [(V(3, 4, dtype=I32, domain=(-9, 9)),)],
                    grad=False))
    for alpha in (0.01, 1.0, 1.5):
        rows.append(Row(f"nn.leaky_relu_{alpha}", lambda x, a=alpha: tf.nn.leaky_relu(x, alpha=a),
                        lambda x, a=alpha: np.where(x > 0, x, x * a), [(V(3, 4),), (V(2, 3, 1, 2),)]))
    rows.append(Row("nn.leaky_relu_int", tf.nn.leaky_relu,
                    lambda x: np.where(x > 0, x, x * 0.2).astype(F32), [(V(3, 4, dtype=I32, domain=(-5, 5)),)],
                    grad=False))
    rows.append(Row("nn.leaky_relu_tensor_alpha", lambda x, a: tf.nn.leaky_relu(x, alpha=a),
                    lambda x, a: np.maximum(a * x, x), [(V(3, 4), np.array(0.3))]))
    # --- softmax / log_softmax over each axis, ranks 1-4 ----------------------------------------------------------
    for name, fn, ref in [("nn.softmax", tf.nn.softmax, np_softmax),
                          ("nn.log_softmax", tf.nn.log_softmax, np_log_softmax)]:
        rows.append(Row(name, fn, ref, [(V(5),), (V(3, 4),), (V(2, 3, 4),), (V(2, 3, 1, 4),), (V(0, 3),),
                                        (_noncontiguous((3, 4), (-2, 2), F64),), (V(4, 6, dtype=F32),),
                                        (V(2, 3, 5, dtype=F32, domain=(-50, 50)),)], **LOOSE))
        for axis in (0, 1, -2):
            rows.append(Row(f"{name}_axis{axis}", lambda x, fn=fn, a=axis: fn(x, axis=a),
                            lambda x, ref=ref, a=axis: ref(x, a),
                            [(V(3, 4, 2),), (V(2, 3, 4, 2),), (V(4, 3, 2, dtype=F32),)], **LOOSE))
        rows.append(Row(f"{name}_dim", lambda x, fn=fn: fn(x, dim=0), lambda x, ref=ref: ref(x, 0), [(V(3, 4),)]))
        rows.append(Row(f"{name}_f16", fn, lambda x, ref=ref: ref(x.astype(F32)).astype(F16),
                        [(V(3, 5, dtype=F16),)], rtol=2e-3, atol=2e-3))
        rows.append(Row(f"{name}_grad", lambda x, fn=fn: tf.gradients(tf.reduce_sum(tf.square(fn(x, axis=1))), x)[0],
                        lambda x, ref=ref: _numeric_grad(lambda v: np.sum(ref(v, 1) ** 2), x),
                        [(V(2, 3, 2),)], rtol=1e-5, atol=1e-6, graph_only=True))
    # --- dense softmax cross-entropy --------------------------------------------------------------------------------
    xent_samples = [(_distribution((4, 5)), V(4, 5)), (_distribution((2, 3, 4)), V(2, 3, 4)),
                    (_distribution((2, 2, 3, 4)), V(2, 2, 3, 4, domain=(-20, 20))), (_distribution((6,)), V(6)),
                    (_distribution((3, 4), dtype=F32), V(3, 4, dtype=F32)), (V(0, 4), V(0, 4))]
    rows.append(Row("nn.softmax_cross_entropy_with_logits_v2",
                    lambda z, x: tf.nn.softmax_cross_entropy_with_logits_v2(labels=z, logits=x), np_xent,
                    xent_samples, **LOOSE))
    rows.append(Row("nn.softmax_cross_entropy_with_logits_v2_axis",
                    lambda z, x: tf.nn.softmax_cross_entropy_with_logits_v2(labels=z, logits=x, axis=1),
                    lambda z, x: np_xent(z, x, 1),
                    [(_distribution((3, 4, 2), axis=1), V(3, 4, 2)), (_distribution((2, 3, 4, 2), axis=1),
                                                                      V(2, 3, 4, 2))]))
    rows.append(Row("nn.softmax_cross_entropy_with_logits_v2_f16",
                    lambda z, x: tf.nn.softmax_cross_entropy_with_logits_v2(labels=z, logits=x),
                    lambda z, x: np_xent(z.astype(F32), x.astype(F32)).astype(F16),
                    [(_distribution((3, 4), dtype=F16), V(3, 4, dtype=F16))], rtol=2e-3, atol=2e-3))
    rows.append(Row("nn.softmax_cross_entropy_with_logits_grad",   # backprop output, then second order
                    lambda z, x: tf.gradients(tf.reduce_sum(tf.square(
                        tf.nn.softmax_cross_entropy_with_logits_v2(labels=z, logits=x))), x)[0],
                    lambda z, x: 2 * np_xent(z, x)[..., None] * (np_softmax(x) - z),
                    [(_distribution((3, 4)), V(3, 4)), (_distribution((2, 2, 3)), V(2, 2, 3))], rtol=1e-5,
                    graph_only=True))
    rows.append(Row("nn.softmax_cross_entropy_with_logits_label_grad",
                    lambda z, x: tf.gradients(tf.reduce_sum(tf.square(
                        tf.nn.softmax_cross_entropy_with_logits_v2(labels=z, logits=x))), z)[0],
                    lambda z, x: -2 * np_xent(z, x)[..., None] * np_log_softmax(x),
                    [(_distribution((3, 4)), V(3, 4))], rtol=1e-5, graph_only=True))
    fixed = _distribution((3, 4))
    rows.append(Row("nn.softmax_cross_entropy_with_logits_v1",   # labels constant: their gradient is stopped
                    lambda x: tf.nn.softmax_cross_entropy_with_logits(labels=fixed, logits=x),
                    lambda x: np_xent(fixed, x), [(V(3, 4),), (V(3, 4, domain=(-30, 30)),)]))
    rows.append(Row("nn.softmax_cross_entropy_with_logits_v1_dim",
                    lambda x: tf.nn.softmax_cross_entropy_with_logits(labels=fixed.T, logits=x, dim=0),
                    lambda x: np_xent(fixed.T, x, 0), [(V(4, 3),)]))
    # --- sparse softmax cross-entropy -------------------------------------------------------------------------------
    sparse = [(_label_indices((4,), 5), V(4, 5)), (_label_indices((2, 3), 4), V(2, 3, 4)),
              (_label_indices((2, 1, 3), 6), V(2, 1, 3, 6, domain=(-20, 20))),
              (_label_indices((0,), 3), V(0, 3))]
    rows.append(Row("nn.sparse_softmax_cross_entropy_with_logits",
                    lambda z, x: tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.cast(z, tf.int32),
                                                                                logits=x),
                    np_sparse_xent, sparse))
    rows.append(Row("nn.sparse_softmax_cross_entropy_with_logits_int",
                    lambda z, x: tf.nn.sparse_softmax_cross_entropy_with_logits(labels=z, logits=x),
                    np_sparse_xent, [(np.array([0, 3, 1], I32), V(3, 4, dtype=F32)),
                                     (np.array([[2, 0]], I64), V(1, 2, 3)),
                                     (np.array([1, 0], I64), V(2, 3, dtype=F16)), (np.array(2, I32), V(3))],
                    rtol=2e-3, atol=2e-3))
    rows.append(Row("nn.sparse_softmax_cross_entropy_with_logits_grad",
                    lambda z, x: tf.gradients(tf.reduce_sum(tf.square(
                        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.cast(z, tf.int32), logits=x))),
                        x)[0],
                    lambda z, x: 2 * np_sparse_xent(z, x)[..., None] * (np_softmax(x) - np_one_hot(z, x.shape[-1],
                                                                                                   F64)),
                    [(_label_indices((4,), 3), V(4, 3)), (_label_indices((2, 3), 4), V(2, 3, 4))], rtol=1e-5,
                    graph_only=True))
    # --- sigmoid and weighted cross-entropies ------------------------------------------------------------------------
    binary = [(V(3, 4, domain=(0, 1)), V(3, 4, domain=(-5, 5))), (V(5, domain=(0, 1)), np.zeros(5)),
              (V(2, 3, 1, 2, domain=(0, 1)), V(2, 3, 1, 2, domain=(-40, 40))), (V(), V()), (V(0, 2), V(0, 2)),
              (V(3, 4, dtype=F32, domain=(0, 1)), V(3, 4, dtype=F32, domain=(-5, 5)))]
    rows.append(Row("nn.sigmoid_cross_entropy_with_logits",
                    lambda z, x: tf.nn.sigmoid_cross_entropy_with_logits(labels=z, logits=x),
                    lambda z, x: np.maximum(x, 0) - x * z + np.log1p(np.exp(-np.abs(x))), binary, **LOOSE))
    rows.append(Row("nn.weighted_cross_entropy_with_logits",
                    lambda z, x: tf.nn.weighted_cross_entropy_with_logits(z, x, 2.5),
                    lambda z, x: _weighted(z, x, 2.5), binary, **LOOSE))
    rows.append(Row("nn.weighted_cross_entropy_with_logits_tensor",
                    lambda z, x, q: tf.nn.weighted_cross_entropy_with_logits(labels=z, logits=x, pos_weight=q),
                    _weighted, [(V(3, 4, domain=(0, 1)), V(3, 4, domain=(-5, 5)), np.array(0.5))]))
    # --- bias_add, xw_plus_b -----------------------------------------------------------------------------------------
    rows.append(Row("nn.bias_add", tf.nn.bias_add, lambda v, b: v + b,
                    [(V(4, 3), V(3)), (V(2, 3, 4), V(4)), (V(2, 3, 1, 5), V(5)), (V(0, 3), V(3)),
                     (_noncontiguous((3, 4), (-2, 2), F64), V(4)), (V(3, 2, dtype=F32), V(2, dtype=F32)),
                     (V(3, 2, dtype=I32, domain=(-9, 9)), V(2, dtype=I32, domain=(-9, 9)))], **LOOSE))
    rows.append(Row("nn.bias_add_nchw", lambda v, b: tf.nn.bias_add(v, b, data_format="NCHW"),
                    lambda v, b: v + b.reshape((-1,) + (1,) * (v.ndim - 2)),
                    [(V(2, 3, 4), V(3)), (V(2, 3, 2, 4), V(3)), (V(2, 4, 1, 2, 3), V(4))]))
    rows.append(Row("nn.bias_add_grad",
                    lambda v, b: tf.gradients(tf.reduce_sum(tf.square(tf.nn.bias_add(v, b))), b)[0],
                    lambda v, b: np.sum(2 * (v + b), axis=tuple(range(v.ndim - 1))),
                    [(V(4, 3), V(3)), (V(2, 3, 4), V(4))], graph_only=True))
    rows.append(Row("nn.bias_add_grad_nchw",
                    lambda v, b: tf.gradients(tf.reduce_sum(tf.square(tf.nn.bias_add(v, b, "NCHW"))), b)[0],
                    lambda v, b: np.sum(2 * (v + b[:, None, None]), axis=(0, 2, 3)), [(V(2, 3, 2, 4), V(3))],
                    graph_only=True))
    rows.append(Row("nn.xw_plus_b", tf.nn.xw_plus_b, lambda x, w, b: x @ w + b,
                    [(V(4, 3), V(3, 2), V(2)), (V(0, 3), V(3, 5), V(5)),
                     (V(2, 3, dtype=F32), V(3, 4, dtype=F32), V(4, dtype=F32))], **LOOSE))
    # --- l2_loss, l2_normalize, moments --------------------------------------------------------------------------
    rows.append(Row("nn.l2_loss", tf.nn.l2_loss, lambda t: np.asarray(np.sum(t * t) / 2, dtype=t.dtype),
                    unary_samples() + [(V(3, 4, dtype=F32),), (V(4, dtype=F16),)], rtol=1e-3, atol=1e-6))
    for axis in (None, 0, -1, [1, 2]):
        rows.append(Row(f"nn.l2_normalize_{axis}", lambda x, a=axis: tf.nn.l2_normalize(x, axis=a),
                        lambda x, a=axis: x / np.sqrt(np.maximum(np.sum(x * x, axis=None if a is None else tuple(
                            np.atleast_1d(a)), keepdims=True), 1e-12)),
                        [(V(3, 4, 2),), (V(2, 3, 2, 2, dtype=F32),)], **LOOSE))
    rows.append(Row("nn.l2_normalize_zero", lambda x: tf.nn.l2_normalize(x, dim=1), lambda x: x,
                    [(np.zeros((2, 3)),)], grad=False))  # epsilon bounds the norm: see test_nn_basics
    for axes, keep in [([0], False), ([0, 1, 2], False), ([1], True), ([-1], False)]:
        rows.append(Row(f"nn.moments_{axes}_{keep}",
                        lambda x, a=axes, k=keep: tf.stack(tf.nn.moments(x, a, keepdims=k)),
                        lambda x, a=axes, k=keep: np.stack([np.mean(x, tuple(a), keepdims=k),
                                                            np.var(x, tuple(a), keepdims=k)]),
                        [(V(4, 3, 2, 2),), (V(3, 2, 5, 1, dtype=F32),)], **LOOSE))
    rows.append(Row("nn.moments_f16", lambda x: tf.stack(tf.nn.moments(x, [0], keep_dims=True)),
                    lambda x: np.stack([np.mean(x.astype(F32), 0, keepdims=True),
                                        np.var(x.astype(F32), 0, keepdims=True)]).astype(F16),
                    [(V(6, 3, dtype=F16),)], rtol=2e-3, atol=2e-3))
    return rows


def _weighted(z, x, q):
    return (1 - z) * x + (1 + (q - 1) * z) * (np.log1p(np.exp(-np.abs(x))) + np.maximum(-x, 0))


def _slope(ref, x, eps=1e-6):
    return (ref(x + eps) - ref(x - eps)) / (2 * eps)


def _numeric_grad(f, x, eps=1e-6):
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        d = np.zeros_like(x)
        d[i] = eps
        g[i] = (f(x + d) - f(x - d)) / (2 * eps)
    return g


ROWS = _rows()
COVERED_ELSEWHERE = set()
