"""tf.map_fn, tf.scan, tf.foldl and tf.foldr beyond their op-table rows (tests/op_table_tensor_array.py): run-time
lengths, nested structures and `dtype`, TensorFlow's errors, variables captured by `fn` differentiated against the
unrolled graph, training through map_fn, eager mode with a GradientTape, and tf.function tracing."""
import collections

import numpy as np
import pytest

import neuroflow as tf


def _run(fetches, feed=None, init=False):
    with tf.Session() as sess:
        if init:
            sess.run(tf.global_variables_initializer())
        return sess.run(fetches, feed)


def test_map_fn_over_lengths_known_only_at_run_time():
    x = tf.placeholder(tf.float32, [None, 2])
    y = tf.map_fn(lambda row: tf.reduce_sum(row * row), x)
    assert y.shape.as_list() == [None]
    with tf.Session() as sess:
        for n in (1, 5, 3):
            value = np.arange(2.0 * n, dtype=np.float32).reshape(n, 2)
            np.testing.assert_allclose(sess.run(y, {x: value}), (value ** 2).sum(1))


def test_map_fn_with_another_output_dtype_and_structure():
    x = tf.constant([1, 2, 3])
    halves, labels = tf.map_fn(lambda v: (tf.cast(v, tf.float32) / 2, v * 10), x, dtype=(tf.float32, tf.int32))
    assert halves.dtype == tf.float32 and halves.shape.as_list() == [3]
    got_halves, got_labels = _run([halves, labels])
    np.testing.assert_allclose(got_halves, [0.5, 1.0, 1.5])
    np.testing.assert_array_equal(got_labels, [10, 20, 30])


def test_scan_with_a_nested_initializer_gives_fibonacci():
    """TensorFlow's documented example: the accumulator is a pair, so is the output."""
    first, second = tf.scan(lambda a, _: (a[1], a[0] + a[1]), tf.zeros([6]), initializer=(0.0, 1.0))
    got_first, got_second = _run([first, second])
    np.testing.assert_array_equal(got_first, [1, 1, 2, 3, 5, 8])
    np.testing.assert_array_equal(got_second, [1, 2, 3, 5, 8, 13])


def test_scan_over_a_namedtuple_of_elements():
    Pair = collections.namedtuple("Pair", "a b")
    elems = Pair(tf.constant([1.0, 2.0, 3.0]), tf.constant([10.0, 20.0, 30.0]))
    out = tf.scan(lambda acc, e: Pair(acc.a + e.a, acc.b * 0 + e.b), elems)
    assert isinstance(out, Pair)
    got = _run(list(out))
    np.testing.assert_array_equal(got[0], [1, 3, 6])
    np.testing.assert_array_equal(got[1], [10, 20, 30])


def test_folds_over_nested_elements_with_a_python_initializer():
    elems = (tf.constant([1.0, 2.0, 3.0]), tf.constant([4.0, 5.0, 6.0]))
    left = tf.foldl(lambda a, e: a * 10 + e[0] * e[1], elems, initializer=0.0)
    right = tf.foldr(lambda a, e: a * 10 + e[0], elems, initializer=0.0)
    assert _run([left, right]) == [4 * 100 + 10 * 10 + 18, 321]


def test_errors_are_tensorflows():
    x = tf.constant([[1.0, 2.0]])
    with pytest.raises(TypeError, match="fn must be callable."):
        tf.map_fn(3, x)
    with pytest.raises(ValueError, match="don't have the same nested structure"):
        tf.map_fn(lambda r: (r, r), x)
    with pytest.raises(ValueError, match="don't have the same nested structure"):
        tf.scan(lambda a, r: (a, r), x)
    with pytest.raises(ValueError, match="1\\+ dimensional"):
        tf.map_fn(lambda r: r, tf.constant(1.0))


def _dense_rows(x, w):
    return tf.tanh(tf.matmul(tf.expand_dims(x, 0), w))[0]


def test_gradient_of_a_variable_captured_by_map_fn_matches_the_unrolled_graph():
    rng = np.random.default_rng(0)
    x_value = rng.normal(size=(4, 3))
    w = tf.Variable(rng.normal(size=(3, 2)))
    x = tf.placeholder(tf.float64, [None, 3])
    mapped = tf.map_fn(lambda row: _dense_rows(row, w), x)
    unrolled = tf.stack([_dense_rows(x[i], w) for i in range(4)])
    weights = rng.normal(size=(4, 2))
    grads = tf.gradients(tf.reduce_sum(mapped * weights), [w, x])
    expected = tf.gradients(tf.reduce_sum(unrolled * weights), [w, x])
    got, want = _run([grads, expected], {x: x_value}, init=True)
    for g, e in zip(got, want):
        np.testing.assert_allclose(g, e, rtol=1e-12)


def test_gradient_through_scan_matches_central_differences():
    x = tf.placeholder(tf.float64, [None, 2])
    y = tf.reduce_sum(tf.scan(lambda a, r: tf.sin(a) * r + r, x, initializer=tf.ones([2], tf.float64)) ** 2)
    dx, = tf.gradients(y, x)
    value = np.random.default_rng(3).normal(size=(5, 2))

    def f(v):
        a, total = np.ones(2), 0.0
        for r in v:
            a = np.sin(a) * r + r
            total += np.sum(a ** 2)
        return total
    numeric = np.zeros_like(value)
    for idx in np.ndindex(*value.shape):
        step = np.zeros_like(value)
        step[idx] = 1e-6
        numeric[idx] = (f(value + step) - f(value - step)) / 2e-6
    np.testing.assert_allclose(_run(dx, {x: value}), numeric, rtol=1e-6, atol=1e-9)


def test_training_through_map_fn_lowers_the_loss():
    rng = np.random.default_rng(1)
    x_value, target = rng.normal(size=(8, 3)), rng.normal(size=(8,))
    w = tf.Variable(np.zeros((3, 1)))
    x, t = tf.placeholder(tf.float64, [None, 3]), tf.placeholder(tf.float64, [None])
    prediction = tf.map_fn(lambda row: tf.matmul(tf.expand_dims(row, 0), w)[0, 0], x)
    loss = tf.reduce_mean((prediction - t) ** 2)
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        before = sess.run(loss, {x: x_value, t: target})
        for _ in range(20):
            sess.run(train, {x: x_value, t: target})
        after = sess.run(loss, {x: x_value, t: target})
    assert after < 0.8 * before


def test_eager_mode_runs_the_functions_and_the_tape_differentiates_them():
    value = np.arange(1.0, 7.0).reshape(3, 2)
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float64, [None, 2])
        y = tf.reduce_sum(tf.scan(lambda a, r: a * r, x)) + tf.reduce_sum(tf.foldr(lambda a, r: a + r * r, x))
        graph_values = _run([y, tf.gradients(y, x)[0]], {x: value})
    with tf.eager_mode():
        x = tf.constant(value)
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = tf.reduce_sum(tf.scan(lambda a, r: a * r, x)) + tf.reduce_sum(tf.foldr(lambda a, r: a + r * r, x))
        np.testing.assert_allclose(y.numpy(), graph_values[0])
        np.testing.assert_allclose(tape.gradient(y, x).numpy(), graph_values[1])
        np.testing.assert_allclose(tf.map_fn(lambda r: r * 2, x).numpy(), value * 2)


def test_tf_function_traces_map_fn_into_a_graph():
    with tf.eager_mode():
        @tf.function
        def squares(v):
            return tf.map_fn(lambda r: r * r, v)
        for n in (2, 4):
            value = np.arange(float(n))
            np.testing.assert_allclose(squares(tf.constant(value)).numpy(), value ** 2)


def test_second_order_gradient_through_map_fn():
    x = tf.placeholder(tf.float64, [None])
    dx, = tf.gradients(tf.reduce_sum(tf.map_fn(lambda v: v * v * v, x)), x)
    d2x, = tf.gradients(tf.reduce_sum(dx), x)
    value = np.array([1.0, -2.0, 0.5])
    got_dx, got_d2x = _run([dx, d2x], {x: value})
    np.testing.assert_allclose(got_dx, 3 * value ** 2)
    np.testing.assert_allclose(got_d2x, 6 * value)


def test_back_prop_false_stops_gradients():
    x = tf.placeholder(tf.float64, [None])
    assert tf.gradients(tf.reduce_sum(tf.map_fn(lambda v: v * v, x, back_prop=False)), x) == [None]
