"""Random ops beyond initializers (shuffle, multinomial) and tf.check_numerics."""
import numpy as np
import pytest

import neuroflow as tf


def test_random_shuffle_permutes_rows_and_is_seeded():
    def run():
        tf.reset_default_graph()
        tf.set_random_seed(5)
        x = tf.constant(np.arange(20).reshape(10, 2))
        s = tf.random_shuffle(x)
        with tf.Session() as sess:
            return sess.run(s), sess.run(s)
    a, b = run()
    c, _ = run()
    assert sorted(a[:, 0].tolist()) == list(range(0, 20, 2)) and (a[:, 1] - a[:, 0] == 1).all()
    assert np.array_equal(a, c) and not np.array_equal(a, b)


def test_multinomial_frequencies():
    logits = tf.log([[0.2, 0.8], [0.9, 0.1]])
    draws = tf.multinomial(logits, 4000, seed=3)
    assert draws.dtype == tf.int64 and draws.shape.as_list() == [2, 4000]
    with tf.Session() as sess:
        got = sess.run(draws)
    assert abs(got[0].mean() - 0.8) < 0.03 and abs(got[1].mean() - 0.1) < 0.03
    never = tf.multinomial(tf.constant([[0.0, -np.inf, 0.0]]), 500, seed=1)
    with tf.Session() as sess:
        assert 1 not in sess.run(never)


def test_check_numerics_messages(sess):
    x = tf.placeholder(tf.float32, [None])
    checked = tf.check_numerics(x, "my tensor")
    assert sess.run(checked, {x: [1.0, 2.0]}).tolist() == [1.0, 2.0]
    with pytest.raises(tf.errors.InvalidArgumentError, match="my tensor : Tensor had NaN values"):
        sess.run(checked, {x: [1.0, np.nan]})
    with pytest.raises(tf.errors.InvalidArgumentError, match="my tensor : Tensor had Inf values"):
        sess.run(checked, {x: [np.inf]})
    with pytest.raises(tf.errors.InvalidArgumentError, match="my tensor : Tensor had Inf and NaN values"):
        sess.run(tf.debugging.check_numerics(x, "my tensor"), {x: [np.inf, np.nan]})
    g = tf.gradients(tf.reduce_sum(checked * np.float32(np.inf)), x)[0]
    with pytest.raises(tf.errors.InvalidArgumentError, match="detected in gradient. my tensor"):
        sess.run(g, {x: [1.0]})
