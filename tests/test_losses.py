"""tf.losses: every loss against a NumPy computation of TensorFlow's formula, for scalar, per-sample and full
weights and every reduction; node names, the LOSSES collection, get_total_loss with regularization, errors,
dtypes and gradients."""
import numpy as np
import pytest

import neuroflow as tf

R = tf.losses.Reduction
REDUCTIONS = [R.NONE, R.SUM, R.MEAN, R.SUM_OVER_BATCH_SIZE, R.SUM_OVER_NONZERO_WEIGHTS, R.SUM_BY_NONZERO_WEIGHTS]
RNG = np.random.default_rng(7)
LABELS = RNG.uniform(0.05, 0.95, (4, 3)).astype(np.float32)
PREDS = RNG.uniform(0.05, 0.95, (4, 3)).astype(np.float32)
BINARY = (RNG.uniform(size=(4, 3)) > 0.5).astype(np.float32)
LOGITS = (RNG.standard_normal((4, 3)) * 2).astype(np.float32)

WEIGHTS = {  # name -> weights for losses of shape [4, 3]
    "scalar": 2.5,
    "zero_scalar": 0.0,
    "per_sample": np.array([[1.0], [0.0], [2.0], [0.5]], np.float32),
    "full": np.array([[1, 0, 2], [0, 0, 0], [3, 1, 0], [0.5, 1, 1]], np.float32),
}


def reduce_ref(losses, weights, reduction):
    """TensorFlow's compute_weighted_loss, in float64 NumPy."""
    losses = np.asarray(losses, np.float64)
    w = np.broadcast_to(np.asarray(weights, np.float64), losses.shape)
    weighted = losses * w
    if reduction == R.NONE:
        return weighted
    total = weighted.sum()
    denominator = {R.SUM: 1.0, R.MEAN: w.sum(), R.SUM_OVER_BATCH_SIZE: losses.size,
                   R.SUM_OVER_NONZERO_WEIGHTS: np.count_nonzero(w)}[reduction]
    return 0.0 if denominator == 0 else total / denominator


def huber_ref(y, p, delta):
    x = np.abs(p.astype(np.float64) - y)
    return np.where(x <= delta, 0.5 * x ** 2, 0.5 * delta ** 2 + delta * (x - delta))


def log_softmax(z):
    z = z.astype(np.float64)
    m = z.max(-1, keepdims=True)
    return z - m - np.log(np.exp(z - m).sum(-1, keepdims=True))


def sigmoid_xent(z, x):
    x = x.astype(np.float64)
    return np.maximum(x, 0) - x * z + np.log1p(np.exp(-np.abs(x)))


ELEMENTWISE = {  # name -> (call(labels, predictions, **kw), labels, predictions, per-element NumPy losses)
    "mean_squared_error": (lambda l, p, **kw: tf.losses.mean_squared_error(l, p, **kw), LABELS, PREDS,
                           (PREDS.astype(np.float64) - LABELS) ** 2),
    "absolute_difference": (lambda l, p, **kw: tf.losses.absolute_difference(l, p, **kw), LABELS, PREDS,
                            np.abs(PREDS.astype(np.float64) - LABELS)),
    "huber_loss": (lambda l, p, **kw: tf.losses.huber_loss(l, 4 * p, delta=0.7, **kw), LABELS, PREDS,
                   huber_ref(LABELS, 4 * PREDS, 0.7)),
    "log_loss": (lambda l, p, **kw: tf.losses.log_loss(l, p, **kw), BINARY, PREDS,
                 -BINARY * np.log(PREDS + 1e-7) - (1 - BINARY) * np.log(1 - PREDS.astype(np.float64) + 1e-7)),
    "hinge_loss": (lambda l, p, **kw: tf.losses.hinge_loss(l, p, **kw), BINARY, LOGITS,
                   np.maximum(0, 1 - (2 * BINARY - 1) * LOGITS.astype(np.float64))),
    "sigmoid_cross_entropy": (lambda l, p, **kw: tf.losses.sigmoid_cross_entropy(l, p, **kw), BINARY, LOGITS,
                              sigmoid_xent(BINARY, LOGITS)),
}


@pytest.mark.parametrize("loss_name", sorted(ELEMENTWISE))
@pytest.mark.parametrize("weight_kind", sorted(WEIGHTS))
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_elementwise_losses_match_numpy(sess, loss_name, weight_kind, reduction):
    call, labels, preds, per_element = ELEMENTWISE[loss_name]
    weights = WEIGHTS[weight_kind]
    y = tf.placeholder(tf.float32, [4, 3])
    p = tf.placeholder(tf.float32, [4, 3])
    loss = call(y, p, weights=weights, reduction=reduction)
    assert loss.dtype == tf.float32
    assert loss.shape.as_list() == ([4, 3] if reduction == R.NONE else [])
    got = sess.run(loss, {y: labels, p: preds})
    np.testing.assert_allclose(got, reduce_ref(per_element, weights, reduction), rtol=2e-5, atol=1e-6)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_softmax_and_sparse_cross_entropy_match_numpy(sess, reduction):
    classes = np.array([0, 2, 1, 2])
    onehot = np.eye(3, dtype=np.float32)[classes]
    per_example = -log_softmax(LOGITS)[np.arange(4), classes]
    weights = np.array([1.0, 0.0, 2.0, 0.5], np.float32)
    logits = tf.placeholder(tf.float32, [None, 3])
    dense = tf.losses.softmax_cross_entropy(onehot, logits, weights=weights, reduction=reduction)
    sparse = tf.losses.sparse_softmax_cross_entropy(classes, logits, weights=weights, reduction=reduction)
    # [batch, 1] labels and weights are squeezed to [batch].
    sparse_col = tf.losses.sparse_softmax_cross_entropy(classes[:, None], logits, weights=weights[:, None],
                                                        reduction=reduction)
    scalar = tf.losses.softmax_cross_entropy(onehot, logits, weights=3.0, reduction=reduction)
    got = sess.run([dense, sparse, sparse_col, scalar], {logits: LOGITS})
    expected = reduce_ref(per_example, weights, reduction)
    for value in got[:3]:
        np.testing.assert_allclose(value, expected, rtol=2e-5, atol=1e-6)
    np.testing.assert_allclose(got[3], reduce_ref(per_example, 3.0, reduction), rtol=2e-5, atol=1e-6)


def test_label_smoothing(sess):
    onehot = np.eye(3, dtype=np.float32)[[0, 2, 1, 2]]
    smooth = onehot * 0.8 + 0.2 / 3
    soft = tf.losses.softmax_cross_entropy(onehot, LOGITS, label_smoothing=0.2)
    np.testing.assert_allclose(sess.run(soft), (-(smooth * log_softmax(LOGITS)).sum(1)).mean(), rtol=1e-5)
    sig = tf.losses.sigmoid_cross_entropy(BINARY, LOGITS, label_smoothing=0.3)
    np.testing.assert_allclose(sess.run(sig), sigmoid_xent(BINARY * 0.7 + 0.15, LOGITS).mean(), rtol=1e-5)


@pytest.mark.parametrize("reduction", [R.NONE, R.SUM, R.MEAN, R.SUM_BY_NONZERO_WEIGHTS])
def test_cosine_distance(sess, reduction):
    y = LABELS / np.linalg.norm(LABELS, axis=1, keepdims=True)
    p = PREDS / np.linalg.norm(PREDS, axis=1, keepdims=True)
    weights = np.array([[1.0], [0.0], [2.0], [1.0]], np.float32)
    loss = tf.losses.cosine_distance(y, p, axis=1, weights=weights, reduction=reduction)
    per_example = 1 - (y.astype(np.float64) * p).sum(1, keepdims=True)
    np.testing.assert_allclose(sess.run(loss), reduce_ref(per_example, weights, reduction), rtol=1e-5, atol=1e-6)
    legacy = tf.losses.cosine_distance(y, p, dim=1)
    np.testing.assert_allclose(sess.run(legacy), per_example.mean(), rtol=1e-5)
    with pytest.raises(ValueError, match="You must specify 'axis'"):
        tf.losses.cosine_distance(y, p)
    with pytest.raises(ValueError, match="Cannot specify both 'dim' and 'axis'."):
        tf.losses.cosine_distance(y, p, axis=1, dim=1)


def test_mean_pairwise_squared_error(sess):
    weights = np.array([1.0, 0.0, 2.0, 3.0], np.float32)[:, None]
    loss = tf.losses.mean_pairwise_squared_error(LABELS, PREDS, weights=weights)
    d = PREDS.astype(np.float64) - LABELS
    pair = np.array([np.mean([(d[b, i] - d[b, j]) ** 2 for i in range(3) for j in range(3) if i != j])
                     for b in range(4)])
    expected = (pair * weights[:, 0]).sum() / np.count_nonzero(weights)
    np.testing.assert_allclose(sess.run(loss), expected, rtol=1e-5)


def test_names_and_the_losses_collection(sess):
    y, p = tf.constant(LABELS), tf.constant(PREDS)
    mse = tf.losses.mean_squared_error(y, p)
    mse_1 = tf.losses.mean_squared_error(y, p, weights=0.5, reduction=R.SUM)
    xent = tf.losses.softmax_cross_entropy(BINARY, LOGITS)
    scoped = tf.losses.absolute_difference(y, p, scope="my_loss")
    hidden = tf.losses.hinge_loss(BINARY, LOGITS, loss_collection=None)
    assert mse.name == "mean_squared_error/value:0"
    assert mse_1.name == "mean_squared_error_1/Sum:0"
    assert xent.name == "softmax_cross_entropy_loss/value:0"
    assert scoped.name == "my_loss/value:0"
    assert hidden.name == "hinge_loss/value:0"
    assert tf.losses.get_losses() == [mse, mse_1, xent, scoped]
    assert tf.get_collection(tf.GraphKeys.LOSSES) == tf.losses.get_losses()
    assert tf.losses.get_losses(scope="mean_squared_error") == [mse, mse_1]
    custom = tf.reduce_sum(tf.constant([1.0, 2.0]))
    tf.losses.add_loss(custom)
    tf.losses.add_loss(tf.constant(5.0), loss_collection="extra")
    assert tf.losses.get_losses()[-1] is custom and len(tf.losses.get_losses(loss_collection="extra")) == 1
    total = tf.losses.get_total_loss()
    assert total.name == "total_loss:0"
    parts = sess.run([mse, mse_1, xent, scoped, custom])
    np.testing.assert_allclose(sess.run(total), sum(parts), rtol=1e-6)


def test_total_loss_with_regularization(sess):
    with tf.variable_scope("net"):
        w = tf.get_variable("w", initializer=np.array([[1.0, -2.0], [3.0, 0.5]], np.float32),
                            regularizer=tf.contrib.layers.l2_regularizer(0.1))
    tf.losses.mean_squared_error(tf.zeros([2, 2]), w)
    reg = tf.losses.get_regularization_loss()
    total = tf.losses.get_total_loss()
    no_reg = tf.losses.get_total_loss(add_regularization_losses=False, name="data_only")
    assert reg.name == "total_regularization_loss:0" and no_reg.name == "data_only:0"
    assert tf.losses.get_regularization_losses() == tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)
    assert tf.losses.get_regularization_losses(scope="other") == []
    sess.run(tf.global_variables_initializer())
    w_np = sess.run(w)
    expected_reg = 0.1 * (w_np ** 2).sum() / 2
    np.testing.assert_allclose(sess.run(reg), expected_reg, rtol=1e-6)
    np.testing.assert_allclose(sess.run(total), (w_np ** 2).mean() + expected_reg, rtol=1e-6)
    np.testing.assert_allclose(sess.run(no_reg), (w_np ** 2).mean(), rtol=1e-6)
    # One step on the total loss lowers it.
    train = tf.train.GradientDescentOptimizer(0.1).minimize(total)
    before = sess.run(total)
    sess.run(train)
    assert sess.run(total) < before


def test_empty_collections(sess):
    zero = tf.losses.get_regularization_loss()
    assert sess.run(zero) == 0.0 and zero.dtype == tf.float32
    with pytest.raises(ValueError, match="at least one Tensor"):
        tf.losses.get_total_loss()


def test_errors():
    with pytest.raises(ValueError, match="Invalid Reduction Key bogus."):
        tf.losses.mean_squared_error(LABELS, PREDS, reduction="bogus")
    with pytest.raises(ValueError, match="labels must not be None."):
        tf.losses.mean_squared_error(None, PREDS)
    with pytest.raises(ValueError, match="predictions must not be None."):
        tf.losses.log_loss(LABELS, None)
    with pytest.raises(ValueError, match="logits must not be None."):
        tf.losses.hinge_loss(LABELS, None)
    with pytest.raises(ValueError, match="onehot_labels must not be None."):
        tf.losses.softmax_cross_entropy(None, LOGITS)
    with pytest.raises(ValueError, match=r"Shapes \(4, 3\) and \(4, 2\) are incompatible"):
        tf.losses.mean_squared_error(LABELS[:, :2], PREDS)
    with pytest.raises(ValueError, match=r"weights can not be broadcast to values. values.rank=2. weights.rank=1. "
                                         r"values.shape=\(4, 3\). weights.shape=\(4,\)."):
        tf.losses.mean_squared_error(LABELS, PREDS, weights=np.ones(4, np.float32))
    with pytest.raises(ValueError, match=r"weights can not be broadcast to values. Mismatch at dim 1. "
                                         r"values.shape=\[4 3\] weights.shape=\[4 2\]."):
        tf.losses.absolute_difference(LABELS, PREDS, weights=np.ones((4, 2), np.float32))


def test_unknown_batch_size_and_dtypes(sess):
    y = tf.placeholder(tf.float64, [None, 3])
    p = tf.placeholder(tf.float64, [None, 3])
    w = tf.placeholder(tf.float32, [None, 1])
    loss = tf.losses.mean_squared_error(y, p, weights=w)
    assert loss.dtype == tf.float32  # TensorFlow 1.x computes the regression losses in float32
    wv = np.array([[1.0], [0.0], [3.0], [1.0]])
    got = sess.run(loss, {y: LABELS, p: PREDS, w: wv})
    np.testing.assert_allclose(got, reduce_ref((PREDS - LABELS.astype(np.float64)) ** 2, wv, R.SUM_BY_NONZERO_WEIGHTS),
                               rtol=1e-5)
    logits64 = tf.constant(LOGITS.astype(np.float64))
    xent = tf.losses.sparse_softmax_cross_entropy([0, 1, 2, 0], logits64)
    assert xent.dtype == tf.float64  # cast back to the logits' dtype


@pytest.mark.parametrize("loss_name", sorted(ELEMENTWISE))
def test_gradients_are_finite(sess, loss_name):
    call, labels, preds, _ = ELEMENTWISE[loss_name]
    p = tf.Variable(preds)
    loss = call(tf.constant(labels), p, weights=WEIGHTS["per_sample"])
    (grad,) = tf.gradients(loss, [p])
    sess.run(tf.global_variables_initializer())
    g = sess.run(grad)
    assert g.shape == (4, 3) and np.all(np.isfinite(g))
    assert np.all(g[1] == 0)  # the example of weight 0 gets no gradient


def test_gradient_values(sess):
    w = WEIGHTS["full"]
    p = tf.Variable(PREDS)
    mse = tf.losses.mean_squared_error(LABELS, p, weights=w)
    xl = tf.Variable(LOGITS)
    xent = tf.losses.softmax_cross_entropy(np.eye(3, dtype=np.float32)[[0, 2, 1, 2]], xl, reduction=R.SUM)
    grads = tf.gradients([mse], [p]) + tf.gradients([xent], [xl])
    sess.run(tf.global_variables_initializer())
    g_mse, g_xent = sess.run(grads)
    np.testing.assert_allclose(g_mse, 2 * (PREDS - LABELS) * w / np.count_nonzero(w), rtol=1e-5, atol=1e-7)
    softmax = np.exp(log_softmax(LOGITS))
    np.testing.assert_allclose(g_xent, softmax - np.eye(3)[[0, 2, 1, 2]], rtol=1e-5, atol=1e-6)
    # All weights zero: the loss and its gradient are 0, not NaN.
    zero = tf.losses.mean_squared_error(LABELS, p, weights=0.0)
    (g_zero,) = tf.gradients(zero, [p])
    assert sess.run(zero) == 0.0 and np.all(sess.run(g_zero) == 0)
