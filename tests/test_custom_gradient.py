"""tf.custom_gradient in graph mode and under GradientTape (values against analytic NumPy references; the op
table's rows add finite-difference checks), with variables, nested outputs, second order and its errors; and
tf.RegisterGradient / tf.NotDifferentiable / Graph.gradient_override_map."""
import numpy as np
import pytest

import neuroflow as tf


@pytest.fixture(autouse=True)
def fresh_graph():
    tf.reset_default_graph()
    yield


@tf.custom_gradient
def log1pexp(x):
    """TensorFlow's documented example: the plain gradient overflows to nan for large x, the custom one not."""
    e = tf.exp(x)

    def grad(dy):
        return dy * (1 - 1 / (1 + e))
    return tf.log(1 + e), grad


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def test_graph_mode_uses_the_custom_gradient():
    x = tf.placeholder(tf.float64, [3])
    y = log1pexp(x)
    plain = tf.log(1 + tf.exp(x))
    dy, = tf.gradients(y, x)
    dplain, = tf.gradients(plain, x)
    values = np.array([0.0, 2.0, 800.0])
    with tf.Session() as sess:
        got_y, got_dy, got_plain = sess.run([y, dy, dplain], {x: values})
    np.testing.assert_allclose(got_y[:2], np.log1p(np.exp(values[:2])))
    np.testing.assert_allclose(got_dy, _sigmoid(values))
    assert np.isnan(got_plain[2])  # why the custom gradient exists


def test_gradient_tape_uses_the_custom_gradient():
    with tf.eager_mode():
        x = tf.constant([0.0, 2.0, 100.0])
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = log1pexp(x)
        np.testing.assert_allclose(tape.gradient(y, x).numpy(), _sigmoid(np.float32([0.0, 2.0, 100.0])), rtol=1e-6)


def test_nested_outputs_and_several_inputs():
    @tf.custom_gradient
    def sum_and_product(a, b):
        def grad(d_sum, d_product):
            return d_sum + d_product * b, d_sum + d_product * a
        return (a + b, a * b), grad

    a = tf.placeholder(tf.float64, [2])
    b = tf.placeholder(tf.float64, [2])
    total, product = sum_and_product(a, b)
    da, db = tf.gradients(3 * total + product, [a, b])
    with tf.Session() as sess:
        got = sess.run([total, product, da, db], {a: [1.0, 2.0], b: [3.0, -1.0]})
    np.testing.assert_allclose(got[0], [4.0, 1.0])
    np.testing.assert_allclose(got[1], [3.0, -2.0])
    np.testing.assert_allclose(got[2], [3 + 3.0, 3 - 1.0])
    np.testing.assert_allclose(got[3], [3 + 1.0, 3 + 2.0])


def test_second_order_differentiates_the_gradient_function():
    @tf.custom_gradient
    def cube(x):
        def grad(dy):
            return dy * 3 * x * x
        return x * x * x, grad

    x = tf.placeholder(tf.float64, [2])
    first, = tf.gradients(cube(x), x)
    second, = tf.gradients(first, x)
    with tf.Session() as sess:
        got_first, got_second = sess.run([first, second], {x: [1.0, -2.0]})
    np.testing.assert_allclose(got_first, [3.0, 12.0])
    np.testing.assert_allclose(got_second, [6.0, -12.0])


def test_variables_read_inside_get_their_gradient_from_grad_fn():
    w = tf.Variable([2.0, 3.0], dtype=tf.float64)

    @tf.custom_gradient
    def scaled(x):
        def grad(dy, variables=None):
            assert len(variables) == 1 and variables[0] is w
            return dy * 10.0, [dy * 7.0]
        return x * w, grad

    x = tf.placeholder(tf.float64, [2])
    dx, dw = tf.gradients(scaled(x), [x, w])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        got_dx, got_dw = sess.run([dx, dw], {x: [1.0, 1.0]})
    np.testing.assert_allclose(got_dx, [10.0, 10.0])
    np.testing.assert_allclose(got_dw, [7.0, 7.0])


def test_variables_need_a_grad_fn_that_accepts_them():
    w = tf.Variable(1.0)

    @tf.custom_gradient
    def scaled(x):
        return x * w, lambda dy: dy
    with pytest.raises(TypeError, match="grad_fn must accept a keyword argument 'variables'"):
        scaled(tf.constant(1.0))


def test_wrong_number_of_gradients_is_an_error():
    @tf.custom_gradient
    def two_inputs(a, b):
        return a + b, lambda dy: dy  # one gradient for two inputs
    a, b = tf.constant(1.0), tf.constant(2.0)
    with pytest.raises(ValueError, match="custom_gradient function expected to return 2 gradients but returned 1"):
        tf.gradients(two_inputs(a, b), [a, b])


def test_keyword_arguments_only_in_eager_mode():
    @tf.custom_gradient
    def f(x, scale=1.0):
        return x * scale, lambda dy: dy * scale
    with pytest.raises(ValueError, match="supports keywords arguments only when eager execution is enabled"):
        f(tf.constant(1.0), scale=2.0)


# Registered once per process, as programs do (a second registration of a name is a KeyError).
@tf.RegisterGradient("TimesTen_test")
def _times_ten(op, dy):
    return [dy * 10.0]


@tf.RegisterGradient("TimesHundred_test")
def _times_hundred(op, dy):
    return [dy * 100.0]


tf.NotDifferentiable("NoGradient_test")


def test_gradient_override_map_scopes_and_nesting():
    x = tf.placeholder(tf.float64, [])
    graph = tf.get_default_graph()
    with graph.gradient_override_map({"Identity": "TimesTen_test"}):
        outer = tf.identity(x)
        with graph.gradient_override_map({"Identity": "TimesHundred_test"}):
            inner = tf.identity(x)
        outer_again = tf.identity(x)
    after = tf.identity(x)
    grads = tf.gradients([outer, inner, outer_again, after], x) + [
        tf.gradients(t, x)[0] for t in (outer, inner, outer_again, after)]
    with tf.Session() as sess:
        got = sess.run(grads, {x: 1.0})
    assert got == [10.0 + 100.0 + 10.0 + 1.0, 10.0, 100.0, 10.0, 1.0]


def test_not_differentiable_and_duplicate_registration():
    x = tf.placeholder(tf.float32, [])
    with tf.get_default_graph().gradient_override_map({"Square": "NoGradient_test"}):
        y = tf.square(x)
    assert tf.gradients(y, x) == [None]
    with pytest.raises(KeyError, match="Registering two gradient with name 'NoGradient_test'"):
        tf.RegisterGradient("NoGradient_test")(lambda op, dy: [dy])
    with pytest.raises(KeyError, match="Registering two gradient with name 'Square'"):
        tf.RegisterGradient("Square")(lambda op, dy: [dy])
    with pytest.raises(TypeError, match="op_type_map must be a dictionary mapping strings to strings"):
        tf.get_default_graph().gradient_override_map({"Square": 1})
