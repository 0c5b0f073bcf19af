"""tf.train.FtrlOptimizer against TensorFlow 2.21 (tests/data/ftrl/ftrl_reference.json): the variable and its accum and
linear slots after each of 4 steps, for plain, l1, l2 with another learning-rate power, and l2-shrinkage settings;
the slot names; a sparse (embedding) gradient."""
import json
import os

import numpy as np
import pytest

import neuroflow as tf

REFERENCE = json.load(open(os.path.join(os.path.dirname(__file__), "data", "ftrl", "ftrl_reference.json")))


@pytest.mark.parametrize("run", REFERENCE["runs"], ids=lambda r: ",".join(sorted(r["setting"])))
def test_steps_match_tensorflow(run):
    with tf.Graph().as_default():
        var = tf.Variable(np.array(REFERENCE["start"], np.float32), name="w")
        loss = tf.reduce_sum(tf.square(var - REFERENCE["target"]) * [1.0, 2.0, 0.5, 3.0])
        opt = tf.train.FtrlOptimizer(**run["setting"])
        train = opt.minimize(loss)
        assert sorted(v.op.name for v in tf.global_variables()) == run["variables"]
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for expected in run["steps"]:
                sess.run(train)
                got = [sess.run(v) for v in (var, opt.get_slot(var, "accum"), opt.get_slot(var, "linear"))]
                np.testing.assert_allclose(np.array(got), np.array(expected), rtol=2e-5, atol=1e-6)


def test_sparse_gradient_updates_only_its_rows():
    # TensorFlow's SparseApplyFtrl: rows the gradient names (here 1 twice, and 3) take the FTRL step of their summed
    # gradient; the others keep their value and slots.
    with tf.Graph().as_default():
        table = tf.Variable(np.ones((4, 2), np.float32))
        loss = tf.reduce_sum(tf.gather(table, [1, 3, 1]))
        opt = tf.train.FtrlOptimizer(0.5)
        train = opt.minimize(loss)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(train)
            accum, linear, value = sess.run([opt.get_slot(table, "accum"), opt.get_slot(table, "linear"), table])
    g = np.array([0.0, 2.0, 0.0, 1.0])[:, None] * np.ones((1, 2))
    new_accum = 0.1 + g * g
    new_linear = g - (np.sqrt(new_accum) - np.sqrt(0.1)) / 0.5
    expected = np.where(g > 0, -new_linear / (np.sqrt(new_accum) / 0.5), 1.0)
    np.testing.assert_allclose(accum, new_accum, rtol=1e-6)
    np.testing.assert_allclose(linear, np.where(g > 0, new_linear, 0.0), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(value, expected, rtol=1e-6)


def test_argument_errors():
    with pytest.raises(ValueError, match="learning_rate_power 0.5 needs to be negative or zero"):
        tf.train.FtrlOptimizer(0.1, learning_rate_power=0.5)
    with pytest.raises(ValueError, match="l1_regularization_strength -1 needs to be positive or zero"):
        tf.train.FtrlOptimizer(0.1, l1_regularization_strength=-1)
