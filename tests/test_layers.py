"""tf.layers.dense / Dense: variable names and shapes, scoping and reuse, rank > 2 inputs, training."""
import numpy as np
import pytest

import neuroflow as tf


def test_dense_names_shapes_and_defaults(sess):
    x = tf.placeholder(tf.float32, [None, 784])
    h = tf.layers.dense(x, 512, tf.nn.relu)
    logits = tf.layers.dense(h, 10)
    assert h.name == "dense/Relu:0" and logits.name == "dense_1/BiasAdd:0"
    assert h.shape.as_list() == [None, 512] and logits.shape.as_list() == [None, 10]
    names = [(v.name, v.shape.as_list()) for v in tf.trainable_variables()]
    assert names == [("dense/kernel:0", [784, 512]), ("dense/bias:0", [512]), ("dense_1/kernel:0", [512, 10]),
                     ("dense_1/bias:0", [10])]
    sess.run(tf.global_variables_initializer())
    kernel, bias = sess.run(tf.trainable_variables()[:2])
    limit = np.sqrt(6 / (784 + 512))
    # Glorot uniform kernel (a float32 draw may round up to the limit's float32 value), zero bias.
    assert np.abs(kernel).max() <= np.float32(limit) and bias.sum() == 0
    xb = np.random.default_rng(0).standard_normal((3, 784)).astype(np.float32)
    np.testing.assert_allclose(sess.run(h, {x: xb}), np.maximum(xb @ kernel + bias, 0), rtol=1e-5, atol=1e-5)


def test_dense_reuse_and_layer_objects():
    x = tf.placeholder(tf.float32, [None, 3])
    a = tf.layers.dense(x, 4, name="fc")
    b = tf.layers.dense(x, 4, name="fc", reuse=True)
    assert len(tf.trainable_variables()) == 2 and a.name == "fc/BiasAdd:0" and b.op.name.startswith("fc_1/")
    with pytest.raises(ValueError, match="Variable fc/kernel already exists"):
        tf.layers.dense(x, 4, name="fc")
    layer = tf.layers.Dense(2, use_bias=False, name="proj")
    layer(x)
    layer(x)
    assert [v.name for v in layer.trainable_weights] == ["proj/kernel:0"] and layer.bias is None
    frozen = tf.layers.Dense(2, trainable=False)
    frozen(x)
    assert frozen.trainable_weights == [] and len(frozen.non_trainable_weights) == 2


def test_dense_on_rank_3_inputs_and_unknown_last_dim(sess):
    x = tf.placeholder(tf.float32, [None, 5, 7])
    y = tf.layers.dense(x, 3)
    assert y.shape.as_list() == [None, 5, 3]
    sess.run(tf.global_variables_initializer())
    xb = np.ones((2, 5, 7), np.float32)
    kernel = sess.run(tf.trainable_variables()[0])
    np.testing.assert_allclose(sess.run(y, {x: xb}), xb @ kernel, rtol=1e-5)
    with pytest.raises(ValueError, match="The last dimension of the inputs to `Dense` should be defined"):
        tf.layers.dense(tf.placeholder(tf.float32, [None, None]), 3)


def test_kernel_regularizer_goes_to_the_collection():
    x = tf.placeholder(tf.float32, [None, 3])
    tf.layers.dense(x, 2, kernel_regularizer=lambda w: tf.reduce_sum(tf.square(w)))
    assert len(tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)) == 1


def test_one_training_step_lowers_the_loss():
    rng = np.random.default_rng(1)
    xb = rng.standard_normal((32, 4)).astype(np.float32)
    yb = (xb.sum(1) > 0).astype(np.int64)
    x = tf.placeholder(tf.float32, [None, 4])
    t = tf.placeholder(tf.int64, [None])
    logits = tf.layers.dense(tf.layers.dense(x, 8, tf.nn.relu), 2)
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=t, logits=logits))
    train = tf.train.AdamOptimizer(0.01).minimize(loss)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        before = sess.run(loss, {x: xb, t: yb})
        sess.run(train, {x: xb, t: yb})
        assert sess.run(loss, {x: xb, t: yb}) < before
