"""tf.py_function: a Python function on eager tensors as a graph op (Python control flow inside), its gradient
through the tape of the forward run (against analytic derivatives; the op table adds finite differences), its
errors, and eager mode."""
import numpy as np
import pytest

import neuroflow as tf


@pytest.fixture(autouse=True)
def fresh_graph():
    tf.reset_default_graph()
    yield


def log_huber(x, m):
    """TensorFlow's documented example: Python control flow on eager tensors."""
    if tf.abs(x) <= m:
        return x ** 2
    return m ** 2 * (1 - 2 * tf.log(m) + tf.log(x ** 2))


def test_graph_op_runs_python_control_flow_and_differentiates_the_branch_taken():
    x = tf.placeholder(tf.float64, [])
    m = tf.placeholder(tf.float64, [])
    y = tf.py_function(log_huber, [x, m], tf.float64)
    dy_dx, dy_dm = tf.gradients(y, [x, m])
    with tf.Session() as sess:
        # TensorFlow's documented values: the first branch, y = 1, dy/dx = 2
        assert sess.run([y, dy_dx], {x: 1.0, m: 2.0}) == [1.0, 2.0]
        got = sess.run([y, dy_dx, dy_dm], {x: 3.0, m: 2.0})
    np.testing.assert_allclose(got[0], 4 * (1 - 2 * np.log(2.0) + np.log(9.0)))
    np.testing.assert_allclose(got[1], 4 * 2 / 3.0)  # m^2 * 2/x
    np.testing.assert_allclose(got[2], 2 * 2.0 * (1 - 2 * np.log(2.0) + np.log(9.0)) - 2 * 2.0)


def test_several_outputs_unconnected_and_integer_inputs():
    x = tf.placeholder(tf.float64, [3])
    k = tf.placeholder(tf.int32, [])
    doubled, count = tf.py_function(lambda v, n: (v * 2, n + 1), [x, k], [tf.float64, tf.int32])
    dx, dk = tf.gradients(doubled, [x, k])
    assert dk is None  # integers are not differentiable
    with tf.Session() as sess:
        got = sess.run([doubled, count, dx], {x: [1.0, 2.0, 3.0], k: 4})
    np.testing.assert_array_equal(got[0], [2.0, 4.0, 6.0])
    assert got[1] == 5
    np.testing.assert_array_equal(got[2], [2.0, 2.0, 2.0])
    x2 = tf.placeholder(tf.float64, [2])
    unused_input = tf.py_function(lambda a, b: a * 3, [x2, x], tf.float64)
    _, d_unused = tf.gradients(unused_input, [x2, x])
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(d_unused, {x2: [1.0, 1.0], x: [1.0, 2.0, 3.0]}), [0.0, 0.0, 0.0])


def test_errors():
    x = tf.constant(1.0)
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="ValueError: no"):
            sess.run(tf.py_function(lambda v: (_ for _ in ()).throw(ValueError("no")), [x], tf.float32))
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"returns 2 values, but expects to see 1 values"):
            sess.run(tf.py_function(lambda v: [v, v], [x], [tf.float32]))
    with pytest.raises(ValueError, match="Expected func to be callable"):
        tf.py_function(None, [x], tf.float32)


def test_eager_mode_calls_now_and_the_tape_sees_the_functions_ops():
    with tf.eager_mode():
        x = tf.constant(3.0)
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = tf.py_function(lambda v: v * v * v, [x], tf.float32)
        assert float(y.numpy()) == 27.0
        assert float(tape.gradient(y, x).numpy()) == 27.0
