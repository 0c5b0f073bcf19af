"""Weight regularizers: values against NumPy, TensorFlow's validation errors, node names, and their use in
tf.get_variable, variable scopes, tf.layers.dense, apply_regularization and a training step."""
import numpy as np
import pytest

import neuroflow as tf
from neuroflow import regularizers

W_NP = np.array([[0.5, -1.5], [2.0, 0.0], [-0.25, 1.0]], np.float32)


def test_contrib_layers_exposes_the_regularizers():
    for name in regularizers.__all__:
        assert getattr(tf.contrib.layers, name) is getattr(regularizers, name)


def test_values_match_numpy(sess):
    w = tf.constant(W_NP)
    l1 = tf.contrib.layers.l1_regularizer(0.3)(w)
    l2 = tf.contrib.layers.l2_regularizer(0.2)(w)
    l1_l2 = tf.contrib.layers.l1_l2_regularizer(scale_l1=0.3, scale_l2=0.2)(w)
    default = tf.contrib.layers.l1_l2_regularizer()(w)
    summed = tf.contrib.layers.sum_regularizer([tf.contrib.layers.l1_regularizer(0.1), None,
                                                tf.contrib.layers.l2_regularizer(0.4)])(w)
    assert [t.name for t in (l1, l2, l1_l2, default, summed)] == [
        "l1_regularizer:0", "l2_regularizer:0", "l1_l2_regularizer:0", "l1_l2_regularizer_1:0", "sum_regularizer:0"]
    abs_sum, sq_half = np.abs(W_NP).sum(), (W_NP ** 2).sum() / 2
    got = sess.run([l1, l2, l1_l2, default, summed])
    np.testing.assert_allclose(got, [0.3 * abs_sum, 0.2 * sq_half, 0.3 * abs_sum + 0.2 * sq_half,
                                     abs_sum + sq_half, 0.1 * abs_sum + 0.4 * sq_half], rtol=1e-6)
    w64 = tf.constant(W_NP.astype(np.float64))
    pen64 = tf.contrib.layers.l2_regularizer(0.2)(w64)
    assert pen64.dtype == tf.float64  # the scale takes the weights' dtype
    scoped = tf.contrib.layers.l1_regularizer(0.5, scope="penalty")(w)
    assert scoped.name == "penalty:0"


def test_scale_validation():
    with pytest.raises(ValueError, match=r"^Setting a scale less than 0 on a regularizer: -1$"):
        tf.contrib.layers.l1_regularizer(-1.0)
    with pytest.raises(ValueError, match=r"^Setting a scale less than 0 on a regularizer: -0.5\.$"):
        tf.contrib.layers.l2_regularizer(-0.5)
    with pytest.raises(ValueError, match="scale cannot be an integer: 1"):
        tf.contrib.layers.l2_regularizer(1)
    with pytest.raises(ValueError, match="scale cannot be an integer: 2"):
        tf.contrib.layers.l1_regularizer(2)
    with pytest.raises(ValueError, match="scale_l1 cannot be an integer: 1"):
        tf.contrib.layers.l1_l2_regularizer(1, 0.5)
    with pytest.raises(ValueError, match="scale_l2 cannot be an integer: 3"):
        tf.contrib.layers.l1_l2_regularizer(0.5, 3)
    with pytest.raises(ValueError, match="Setting a scale less than 0"):
        tf.contrib.layers.l1_l2_regularizer(0.5, -0.1)


def test_zero_scale_disables(sess):
    w = tf.constant(W_NP)
    assert tf.contrib.layers.l1_regularizer(0.0)(w) is None
    assert tf.contrib.layers.l2_regularizer(0.0)(w) is None
    only_l2 = tf.contrib.layers.l1_l2_regularizer(0.0, 0.5)(w)
    only_l1 = tf.contrib.layers.l1_l2_regularizer(0.5, 0.0)(w)
    assert only_l2.name == "l1_l2_regularizer:0" and only_l1.name == "l1_l2_regularizer_1:0"
    np.testing.assert_allclose(sess.run([only_l2, only_l1]), [0.5 * (W_NP ** 2).sum() / 2, 0.5 * np.abs(W_NP).sum()],
                               rtol=1e-6)
    assert tf.contrib.layers.sum_regularizer([]) is None
    assert tf.contrib.layers.sum_regularizer([None]) is None
    assert tf.contrib.layers.sum_regularizer([tf.contrib.layers.l1_regularizer(0.0)])(w) is None
    # A scale of 0 on get_variable adds nothing to REGULARIZATION_LOSSES.
    tf.get_variable("v", [2], regularizer=tf.contrib.layers.l2_regularizer(0.0))
    assert tf.losses.get_regularization_losses() == []


def test_get_variable_and_variable_scope(sess):
    w = tf.get_variable("w", initializer=W_NP, regularizer=tf.contrib.layers.l2_regularizer(0.1))
    with tf.variable_scope("block", regularizer=tf.contrib.layers.l1_regularizer(0.2)):
        u = tf.get_variable("u", initializer=W_NP)
    losses = tf.losses.get_regularization_losses()
    assert [t.name for t in losses] == ["w/Regularizer/l2_regularizer:0", "block/u/Regularizer/l1_regularizer:0"]
    assert tf.losses.get_regularization_losses(scope="block") == losses[1:]
    sess.run(tf.global_variables_initializer())
    np.testing.assert_allclose(sess.run(losses), [0.1 * (W_NP ** 2).sum() / 2, 0.2 * np.abs(W_NP).sum()], rtol=1e-6)
    assert u in tf.trainable_variables() and w in tf.trainable_variables()


def test_dense_kernel_regularizer_and_training(sess):
    rng = np.random.default_rng(0)
    x = tf.placeholder(tf.float32, [None, 4])
    y = tf.placeholder(tf.float32, [None, 1])
    out = tf.layers.dense(x, 1, kernel_regularizer=tf.contrib.layers.l2_regularizer(0.5),
                          bias_regularizer=tf.contrib.layers.l1_regularizer(0.1))
    names = [t.name for t in tf.losses.get_regularization_losses()]
    assert names == ["dense/kernel/Regularizer/l2_regularizer:0", "dense/bias/Regularizer/l1_regularizer:0"]
    tf.losses.mean_squared_error(y, out)
    total = tf.losses.get_total_loss()
    sess.run(tf.global_variables_initializer())
    kernel = tf.trainable_variables()[0]
    k = sess.run(kernel)
    np.testing.assert_allclose(sess.run(tf.losses.get_regularization_loss()), 0.5 * (k ** 2).sum() / 2, rtol=1e-6)
    # With zero data loss (targets equal the initial outputs), a step on the total loss only shrinks the kernel.
    xb = rng.standard_normal((8, 4)).astype(np.float32)
    yb = sess.run(out, {x: xb})
    train = tf.train.GradientDescentOptimizer(0.1).minimize(total)
    sess.run(train, {x: xb, y: yb})
    np.testing.assert_allclose(sess.run(kernel), k * (1 - 0.1 * 0.5), rtol=1e-5)


def test_apply_regularization(sess):
    a = tf.constant(W_NP)
    b = tf.constant(2 * W_NP)
    penalty = tf.contrib.layers.apply_regularization(tf.contrib.layers.l1_regularizer(0.1), [a, b])
    assert penalty.name == "get_regularization_penalty:0"
    assert tf.losses.get_regularization_losses() == [penalty]
    np.testing.assert_allclose(sess.run(penalty), 0.1 * 3 * np.abs(W_NP).sum(), rtol=1e-6)
    disabled = tf.contrib.layers.apply_regularization(tf.contrib.layers.l2_regularizer(0.0), [a])
    assert sess.run(disabled) == 0.0
    with pytest.raises(ValueError, match="No weights to regularize."):
        tf.contrib.layers.apply_regularization(tf.contrib.layers.l2_regularizer(0.1))
    tf.add_to_collection(tf.GraphKeys.WEIGHTS, a)  # the default weights list
    default = tf.contrib.layers.apply_regularization(tf.contrib.layers.l2_regularizer(0.1))
    np.testing.assert_allclose(sess.run(default), 0.1 * (W_NP ** 2).sum() / 2, rtol=1e-6)
    with pytest.raises(ValueError, match="regularizer must return a scalar Tensor instead of a Tensor with rank 2."):
        tf.contrib.layers.apply_regularization(lambda w: w * 2.0, [a])
