"""tf.py_func / tf.numpy_function: the function's arguments and results, TensorFlow's errors for wrong results and
Python exceptions, how often the function runs (never at build time, once per run that needs it), gradients
(none by default, or through RegisterGradient + gradient_override_map), eager mode and tf.function."""
import numpy as np
import pytest

import neuroflow as tf
from neuroflow.framework.tensor_util import constant_value

from call_counter import CallCounter


@pytest.fixture(autouse=True)
def fresh_graph():
    tf.reset_default_graph()
    yield


def test_the_function_gets_numpy_arrays_and_numpy_scalars_and_its_result_is_the_output():
    seen = []

    def sinh(a):
        seen.append(type(a))
        return np.sinh(a)
    x = tf.placeholder(tf.float32, [None])
    s = tf.placeholder(tf.float64, [])
    y = tf.py_func(sinh, [x], tf.float32)
    z = tf.py_func(sinh, [s], tf.float64)
    assert y.dtype == tf.float32 and y.shape.ndims is None  # the function decides the shape on each run
    with tf.Session() as sess:
        got_y, got_z = sess.run([y, z], {x: [0.5, -1.0], s: 2.0})
    np.testing.assert_allclose(got_y, np.sinh(np.float32([0.5, -1.0])), rtol=1e-6)
    assert got_y.dtype == np.float32
    np.testing.assert_allclose(got_z, np.sinh(2.0))
    assert sorted(t.__name__ for t in seen) == ["float64", "ndarray"]  # TF's PyArray_Return: 0-d as a scalar


def test_list_tout_returns_a_list_and_empty_tout_returns_the_operation():
    calls = []
    x = tf.constant([1.0, 2.0])
    pair = tf.py_func(lambda a: (a + 1, (a * 2).astype(np.int64)), [x], [tf.float32, tf.int64])
    single = tf.numpy_function(lambda a: a * 3, [x], [tf.float32])
    side = tf.py_func(lambda a: calls.append(a.sum()), [x], [])
    assert isinstance(pair, list) and [t.dtype for t in pair] == [tf.float32, tf.int64]
    assert isinstance(single, list) and len(single) == 1
    assert isinstance(side, tf.Operation) and side.type == "PyFunc"
    with tf.Session() as sess:
        a, b, c = sess.run([pair[0], pair[1], single[0]])
        sess.run(side)
    np.testing.assert_array_equal(a, [2.0, 3.0])
    np.testing.assert_array_equal(b, [2, 4])
    np.testing.assert_array_equal(c, [3.0, 6.0])
    assert calls == [3.0]


def test_strings_in_and_out():
    words = tf.constant(["a", "bc"])
    lengths = tf.py_func(lambda w: np.array([len(s) for s in w], np.int32), [words], tf.int32)
    shouted = tf.py_func(lambda w: np.array([s.upper() for s in w]), [words], tf.string)
    with tf.Session() as sess:
        got_lengths, got_shouted = sess.run([lengths, shouted])
    np.testing.assert_array_equal(got_lengths, [1, 2])
    assert list(got_shouted) == [b"A", b"BC"]


def test_wrong_result_dtype_or_count_fails_with_tensorflows_message_naming_the_node():
    x = tf.placeholder(tf.float32, [2])
    wrong_dtype = tf.py_func(lambda a: a.astype(np.float64), [x], tf.float32, name="to_double")
    wrong_count = tf.py_func(lambda a: (a, a), [x], tf.float32, name="two_values")
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match=r"0-th value returned by pyfunc_\d+ is double, but expects float") as info:
            sess.run(wrong_dtype, {x: [1, 2]})
        assert "to_double" in str(info.value) and "test_script_ops.py" in str(info.value)
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match=r"pyfunc_\d+ returns 2 values, but expects to see 1 values\."):
            sess.run(wrong_count, {x: [1, 2]})


@pytest.mark.parametrize("exception, error", [
    (ValueError("bad value"), tf.errors.InvalidArgumentError), (TypeError("bad type"), tf.errors.InvalidArgumentError),
    (StopIteration(), tf.errors.OutOfRangeError), (NotImplementedError("later"), tf.errors.UnimplementedError),
    (RuntimeError("boom"), tf.errors.UnknownError)])
def test_python_exceptions_become_tensorflows_error_classes(exception, error):
    def fails(a):
        raise exception
    y = tf.py_func(fails, [tf.constant(1.0)], tf.float32, name="fails")
    with tf.Session() as sess:
        with pytest.raises(error) as info:
            sess.run(y)
    text = str(info.value)
    assert text.startswith(f"{type(exception).__name__}: {exception}")
    assert "Traceback" in text and "in fails" in text  # the function's own frame
    assert "fails" in text and "test_script_ops.py" in text


def test_not_callable_is_refused():
    with pytest.raises(ValueError, match="Expected func to be callable, got func of type <class 'int'>"):
        tf.py_func(3, [], tf.float32)


def test_runs_once_per_session_run_that_needs_it_and_never_at_build_time():
    counter = CallCounter()
    x = tf.constant([1.0, 2.0])
    y = counter(x)
    counter(x * 2)  # built, never fetched
    assert counter.calls == 0
    assert constant_value(y) is None  # even with constant inputs, never evaluated while building
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run([y, y + 1, y * 2])[0], [1.0, 2.0])
        assert counter.calls == 1  # three fetches, one run of the op
        sess.run(y)
        sess.run(y)
        assert counter.calls == 3
        sess.run(x)
        assert counter.calls == 3


def test_stateful_runs_as_a_target_and_stateless_ones_are_not_merged():
    counter = CallCounter()
    x = tf.placeholder(tf.float32, [])
    stateful = counter(x)
    a, b = counter(x, stateful=False), counter(x, stateful=False)  # two calls of a stateless function: both run
    with tf.Session() as sess:
        sess.run(stateful.op, {x: 1.0})
        assert counter.calls == 1
        sess.run([a, b], {x: 1.0})
        assert counter.calls == 3


def test_the_function_cannot_change_constants_by_writing_into_its_argument():
    def increment_in_place(a):
        a += 1
        return a
    c = tf.constant([1.0, 2.0])
    y = tf.py_func(increment_in_place, [c], tf.float32)
    with tf.Session() as sess:
        for _ in range(3):
            np.testing.assert_array_equal(sess.run(y), [2.0, 3.0])
        np.testing.assert_array_equal(sess.run(c), [1.0, 2.0])


def test_set_shape_narrows_the_unknown_shape():
    x = tf.placeholder(tf.float32, [None, 3])
    y = tf.py_func(np.tanh, [x], tf.float32)
    y.set_shape(x.shape)
    z = tf.reduce_sum(y, axis=1)
    assert z.shape.as_list() == [None]
    with tf.Session() as sess:
        np.testing.assert_allclose(sess.run(z, {x: np.ones((2, 3))}), np.full(2, 3 * np.tanh(1.0)), rtol=1e-6)


def test_no_gradient_by_default_as_in_tensorflow():
    x = tf.placeholder(tf.float32, [3])
    y = tf.py_func(np.sin, [x], tf.float32)
    assert tf.gradients(y, x) == [None]
    assert tf.gradients(tf.py_func(np.sin, [x], tf.float32, stateful=False), x) == [None]


@tf.RegisterGradient("PyFuncSinGrad_test")  # once per process, as programs do
def _sin_grad(op, dy):
    return [dy * tf.cos(op.inputs[0])]


def test_gradient_through_register_gradient_and_gradient_override_map():
    x = tf.placeholder(tf.float64, [3])
    with tf.get_default_graph().gradient_override_map({"PyFunc": "PyFuncSinGrad_test"}):
        y = tf.py_func(np.sin, [x], tf.float64)
        y.set_shape([3])
    dx, = tf.gradients(y * y, x)
    values = np.array([0.1, 1.0, -2.0])
    with tf.Session() as sess:
        got = sess.run(dx, {x: values})
    np.testing.assert_allclose(got, 2 * np.sin(values) * np.cos(values), rtol=1e-12)


def test_an_override_name_nothing_registered_raises_tensorflows_lookup_error():
    x = tf.placeholder(tf.float32, [3])
    with tf.get_default_graph().gradient_override_map({"PyFunc": "NeverRegistered_test"}):
        y = tf.py_func(np.sin, [x], tf.float32, name="sin")
    with pytest.raises(LookupError, match=r"No gradient defined for operation 'sin' \(op type: PyFunc\)"):
        tf.gradients(y, x)


def test_eager_mode_calls_the_function_now():
    counter = CallCounter()
    with tf.eager_mode():
        y = tf.py_func(lambda a: a * 2, [tf.constant([1.0, 2.0])], tf.float32)
        np.testing.assert_array_equal(y.numpy(), [2.0, 4.0])
        counter(tf.constant(1.0))
        assert counter.calls == 1
        pair = tf.numpy_function(lambda a: (a, a + 1), [tf.constant(1.0)], [tf.float32, tf.float32])
        assert [float(t.numpy()) for t in pair] == [1.0, 2.0]


def test_tf_function_calls_the_function_on_every_call_not_only_when_tracing():
    counter = CallCounter()
    with tf.eager_mode():
        @tf.function
        def double_counted(v):
            return counter(v) * 2

        for _ in range(3):
            np.testing.assert_array_equal(double_counted(tf.constant([1.0, 2.0])).numpy(), [2.0, 4.0])
    assert counter.calls == 3


def test_an_array_the_function_keeps_is_not_changed_through_the_fetched_value():
    buffer = np.array([1.0, 2.0], np.float32)  # a function may return an array it keeps
    y = tf.py_func(lambda: buffer, [], tf.float32)
    z = y + 1
    with tf.Session() as sess:
        got_y, _ = sess.run([y, z])
        got_y[0] = 100.0
    np.testing.assert_array_equal(buffer, [1.0, 2.0])


def test_counter_in_cond_branches_and_loop_bodies_runs_only_where_the_graph_goes():
    counter = CallCounter()
    pred = tf.placeholder(tf.bool, [])
    x = tf.constant([1.0, 2.0])
    y = tf.cond(pred, lambda: counter(x) * 2, lambda: x)
    _, looped = tf.while_loop(lambda i, v: i < 3, lambda i, v: (i + 1, counter(v) + 1), [tf.constant(0), x])
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(y, {pred: False}), [1.0, 2.0])
        assert counter.calls == 0  # the untaken branch did not run
        np.testing.assert_array_equal(sess.run(y, {pred: True}), [2.0, 4.0])
        assert counter.calls == 1
        np.testing.assert_array_equal(sess.run(looped), [4.0, 5.0])
        assert counter.calls == 4  # once per iteration
