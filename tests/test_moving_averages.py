"""tf.train.ExponentialMovingAverage against the formula TF documents:
shadow = decay * shadow + (1 - decay) * variable, decay = min(decay, (1 + n) / (10 + n)) with num_updates n."""
import numpy as np
import pytest

import neuroflow as tf


@pytest.fixture(autouse=True)
def _fresh_graph():
    tf.reset_default_graph()
    yield
    tf.reset_default_graph()


def test_apply_average_and_names():
    w = tf.Variable([1.0, 2.0], name="w")
    b = tf.Variable(5.0, dtype=tf.float64, name="scope/b")
    ema = tf.train.ExponentialMovingAverage(0.9)
    update = ema.apply([w, b])
    assert ema.average_name(w) == "w/ExponentialMovingAverage"
    assert ema.average(w).op.name == "w/ExponentialMovingAverage"
    assert ema.average(b).op.name == "scope/b/ExponentialMovingAverage"
    assert tf.moving_average_variables() == [w, b]
    set_w = w.assign([11.0, 12.0])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        np.testing.assert_allclose(sess.run(ema.average(w)), [1.0, 2.0])      # starts at the initial value
        sess.run(set_w)
        expected = np.array([1.0, 2.0])
        for _ in range(3):
            sess.run(update)
            expected = 0.9 * expected + 0.1 * np.array([11.0, 12.0])
        np.testing.assert_allclose(sess.run(ema.average(w)), expected, rtol=1e-6)
        assert sess.run(ema.average(b)) == pytest.approx(5.0)
    with pytest.raises(ValueError, match="Moving average already computed for: w"):
        ema.apply([w])


def test_num_updates_caps_the_decay():
    v = tf.Variable(0.0, name="v")
    step = tf.Variable(0, dtype=tf.int64, trainable=False, name="step")
    ema = tf.train.ExponentialMovingAverage(0.99, num_updates=step)
    update = ema.apply([v])
    set_v = v.assign(10.0)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(set_v)
        sess.run(update)                       # decay = min(0.99, 1/10) = 0.1
        assert sess.run(ema.average(v)) == pytest.approx(0.9 * 10.0)


def test_variables_to_restore_maps_averages_onto_the_model(tmp_path):
    w = tf.Variable(1.0, name="w")
    count = tf.Variable(3, name="count", trainable=False)
    ema = tf.train.ExponentialMovingAverage(0.5)
    update = ema.apply([w])
    set_w = w.assign(9.0)
    assert ema.variables_to_restore() == {"w/ExponentialMovingAverage": w, "count": count}
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(set_w)
        sess.run(update)                       # shadow = 0.5 * 1 + 0.5 * 9 = 5
        path = saver.save(sess, str(tmp_path / "model.ckpt"))
    restorer = tf.train.Saver(ema.variables_to_restore())
    with tf.Session() as sess:
        restorer.restore(sess, path)
        assert sess.run(w) == pytest.approx(5.0) and sess.run(count) == 3
