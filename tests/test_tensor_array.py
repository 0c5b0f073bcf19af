"""tf.TensorArray beyond the op-table rows (tests/op_table_tensor_array.py): TensorFlow's errors in graph and eager
mode, static element shapes, dynamic size, second-order gradients against the analytic ones, the eager tape, and a
TensorArray carried through tf.while_loop (values and gradients against the unrolled NumPy computation)."""
import numpy as np
import pytest

import neuroflow as tf


def _run(fetches, feed=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed)


@pytest.fixture(params=["graph", "eager"])
def mode(request):
    """Runs a test body in graph mode (values through a Session) or eagerly."""
    if request.param == "graph":
        with tf.Graph().as_default():
            yield lambda t: _run(t)
    else:
        with tf.eager_mode():
            yield lambda t: t.numpy()


def test_read_of_an_unwritten_index_fails(mode):
    ta = tf.TensorArray(tf.float32, size=3).write(0, [1.0])
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match="Could not read from TensorArray index 1 because it has not yet been written to."):
        mode(ta.read(1))


def test_writing_an_index_twice_fails(mode):
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match="Could not write to TensorArray index 0 because it has already been written to."):
        mode(tf.TensorArray(tf.float32, size=2).write(0, 1.0).write(0, 2.0).read(0))


def test_writing_past_the_end_needs_dynamic_size(mode):
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match="Tried to write to index 2 but array is not resizeable and size is: 2"):
        mode(tf.TensorArray(tf.float32, size=2).write(2, 1.0).read(2))
    grown = tf.TensorArray(tf.float32, size=1, dynamic_size=True).write(0, 1.0).write(3, 2.0)
    assert mode(grown.size()) == 4


def test_reading_past_the_end_fails(mode):
    with pytest.raises(tf.errors.InvalidArgumentError, match="Tried to read from index 5 but array size is: 2"):
        mode(tf.TensorArray(tf.float32, size=2).write(0, 1.0).read(5))


def test_writing_another_dtype_fails_when_building(mode):
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match="TensorArray dtype is float32 but Op is trying to write dtype int32"):
        tf.TensorArray(tf.float32, size=2).write(0, tf.constant(1))


def test_inconsistent_element_shapes_fail_when_building(mode):
    ta = tf.TensorArray(tf.float32, size=2).write(0, [1.0, 2.0])
    with pytest.raises(ValueError, match=r"Inconsistent shapes: saw \(3,\) but expected \(2,\)"):
        ta.write(1, [1.0, 2.0, 3.0])


def test_stacking_zero_elements_needs_a_known_element_shape(mode):
    assert mode(tf.TensorArray(tf.float32, size=0, element_shape=[2]).stack()).shape == (0, 2)
    with pytest.raises(tf.errors.InvalidArgumentError, match="TensorArray has size zero, but element shape"):
        mode(tf.TensorArray(tf.float32, size=0).stack())


def test_eager_read_clears_after_read_unless_told_not_to():
    with tf.eager_mode():
        ta = tf.TensorArray(tf.float32, size=1).write(0, 3.0)
        assert ta.read(0).numpy() == 3.0
        with pytest.raises(tf.errors.InvalidArgumentError, match="Could not read index 0 twice"):
            ta.read(0)
        kept = tf.TensorArray(tf.float32, size=1, clear_after_read=False).write(0, 3.0)
        assert kept.read(0).numpy() == kept.read(0).numpy() == 3.0


def test_static_shapes_follow_writes_and_a_constant_size():
    ta = tf.TensorArray(tf.float32, size=3)
    assert ta.flow.dtype == tf.float32 and ta.flow.shape.as_list() == []
    written = ta.write(0, tf.placeholder(tf.float32, [None, 4]))
    assert ta.element_shape.as_list() == [None, 4]  # shared with the arrays derived from it, as in TensorFlow
    assert written.stack().shape.as_list() == [3, None, 4]
    assert written.read(1).shape.as_list() == [None, 4]
    assert written.gather([0, 1]).shape.as_list() == [2, None, 4]


def test_a_size_known_only_at_run_time():
    x = tf.placeholder(tf.float64, [None, 2])
    ta = tf.TensorArray(tf.float64, size=tf.shape(x)[0]).unstack(x)
    value = np.arange(10.0).reshape(5, 2)
    stacked, size, last = _run([ta.stack(), ta.size(), ta.read(4)], {x: value})
    np.testing.assert_array_equal(stacked, value)
    assert size == 5
    np.testing.assert_array_equal(last, value[4])


def test_writes_from_one_array_branch_independently_and_runs_do_not_share_state():
    """Writes extend a list's store in place (O(1)); a second write from the same version, and a read of an older
    version, must still see only what their own version holds, on every run of the plan."""
    x = tf.placeholder(tf.float32, [])
    base = tf.TensorArray(tf.float32, size=2).write(0, x)
    left, right = base.write(1, x + 1.0), base.write(1, x + 2.0)
    fetches = [left.stack(), right.stack(), base.read(0)]
    with tf.Session() as sess:
        for value in (1.0, 5.0):
            got_left, got_right, first = sess.run(fetches, {x: value})
            np.testing.assert_array_equal(got_left, [value, value + 1])
            np.testing.assert_array_equal(got_right, [value, value + 2])
            assert first == value
        with pytest.raises(tf.errors.InvalidArgumentError, match="index 1 because it has not yet been written"):
            sess.run([left.stack(), base.read(1)], {x: 1.0})  # left wrote index 1 into the shared store


def test_second_order_gradients_through_write_read_and_gather():
    """d/dx of d/dx sum(read(0)^3 + gather([1, 1])^2) where both hold x: 6x + 4 (the gather reads x twice)."""
    x = tf.placeholder(tf.float64, [3])
    ta = tf.TensorArray(tf.float64, size=2).write(0, x).write(1, x)
    y = tf.reduce_sum(ta.read(0) ** 3) + tf.reduce_sum(ta.gather([1, 1]) ** 2)
    dx, = tf.gradients(y, x)
    d2x, = tf.gradients(dx, x)
    value = np.array([0.5, -1.0, 2.0])
    got_dx, got_d2x = _run([dx, d2x], {x: value})
    np.testing.assert_allclose(got_dx, 3 * value ** 2 + 4 * value)
    np.testing.assert_allclose(got_d2x, 6 * value + 4)


def test_gradient_of_an_element_never_read_is_zero():
    x = tf.placeholder(tf.float64, [2])
    ta = tf.TensorArray(tf.float64, size=2).write(0, x).write(1, 2 * x)
    dx, = tf.gradients(tf.reduce_sum(ta.read(1)), x)
    np.testing.assert_array_equal(_run(dx, {x: [1.0, 2.0]}), [2.0, 2.0])


def test_gradient_tape_through_an_eager_tensor_array():
    with tf.eager_mode():
        x = tf.constant([1.0, 2.0, 3.0], dtype=tf.float64)
        with tf.GradientTape() as tape:
            tape.watch(x)
            ta = tf.TensorArray(tf.float64, size=2).write(0, x * x).write(1, x)
            y = tf.reduce_sum(ta.stack() * [[1.0], [5.0]])
        np.testing.assert_allclose(tape.gradient(y, x).numpy(), 2 * x.numpy() + 5)


def _prefix_squares(xs):
    """The loop below, unrolled in NumPy: the squares of the running sums of the rows."""
    return np.cumsum(xs, axis=0) ** 2


def _loop_graph(x):
    n = tf.shape(x)[0]
    rows = tf.TensorArray(x.dtype, size=n).unstack(x)

    def body(i, total, out):
        total = total + rows.read(i)
        return i + 1, total, out.write(i, total * total)

    _, _, out = tf.while_loop(lambda i, total, out: i < n, body,
                              [0, tf.zeros([3], x.dtype), tf.TensorArray(x.dtype, size=n)])
    return out.stack()


def test_a_tensor_array_as_a_while_loop_variable():
    x = tf.placeholder(tf.float64, [None, 3])
    y = _loop_graph(x)
    assert y.shape.as_list() == [None, 3]
    for rows in (1, 4):
        value = np.random.default_rng(rows).normal(size=(rows, 3))
        np.testing.assert_allclose(_run(y, {x: value}), _prefix_squares(value))


def test_gradient_through_a_while_loop_of_tensor_arrays_matches_central_differences():
    pytest.importorskip("neuroflow.ops.while_grad")
    x = tf.placeholder(tf.float64, [None, 3])
    weights = np.random.default_rng(0).normal(size=(4, 3))
    y = tf.reduce_sum(_loop_graph(x) * weights)
    dx, = tf.gradients(y, x)
    value = np.random.default_rng(1).normal(size=(4, 3))
    got = _run(dx, {x: value})

    def f(v):
        return np.sum(_prefix_squares(v) * weights)
    numeric = np.zeros_like(value)
    for idx in np.ndindex(*value.shape):
        step = np.zeros_like(value)
        step[idx] = 1e-6
        numeric[idx] = (f(value + step) - f(value - step)) / 2e-6
    np.testing.assert_allclose(got, numeric, rtol=1e-6, atol=1e-8)


def test_list_versions_share_one_store_until_they_branch():
    """What keeps loops O(n): a write, clear or sum from the newest version adds to the shared store (no copy),
    older versions still see their own items, and a write from an older version copies what it sees."""
    from neuroflow.ops.tensor_list_value import TensorList
    a, b, c = np.zeros(2), np.ones(2), np.full(2, 7.0)
    empty = TensorList({}, length=3)
    one = empty.with_items([(0, a)])
    two = one.with_items([(1, b)])
    assert two._store is one._store is empty._store
    assert empty.get(0) is None and one.get(1) is None and two.get(0) is a and two.get(1) is b
    branch = one.with_items([(1, c)])
    assert branch._store is not one._store and branch.get(1) is c and two.get(1) is b
    cleared = two.with_items([(0, None)])
    assert cleared._store is two._store and cleared.get(0) is None and two.get(0) is a
    total = cleared + TensorList({1: c}, length=3)  # a gradient accumulator's step
    assert total._store is cleared._store
    np.testing.assert_array_equal(total.get(1), b + c)
    assert total.get(0) is None and cleared.get(1) is b
    assert (two + TensorList({2: c}, length=3))._store is not two._store  # two is no longer the newest: a copy


def test_a_tensor_array_as_a_cond_output_holds_the_taken_branchs_writes():
    x, take = tf.placeholder(tf.float64, [2]), tf.placeholder(tf.bool, [])
    ta = tf.TensorArray(tf.float64, size=2)
    out = tf.cond(take, lambda: ta.write(0, x).write(1, x), lambda: ta.write(0, 2 * x).write(1, 3 * x))
    stacked = out.stack()
    value = np.array([1.0, 2.0])
    np.testing.assert_array_equal(_run(stacked, {x: value, take: True}), [value, value])
    np.testing.assert_array_equal(_run(stacked, {x: value, take: False}), [2 * value, 3 * value])


def test_a_dynamic_size_array_grows_in_a_loop_of_run_time_length():
    """The decoding pattern: size 0, dynamic_size, one write per iteration of a loop whose trip count is fed."""
    x = tf.placeholder(tf.float64, [None])

    def body(i, out):
        return i + 1, out.write(i, tf.cast(i, tf.float64) * x)
    _, out = tf.while_loop(lambda i, out: i < tf.shape(x)[0] + 1, body,
                           [0, tf.TensorArray(tf.float64, size=0, dynamic_size=True)])
    value = np.array([1.0, 2.0])
    np.testing.assert_array_equal(_run(out.stack(), {x: value}), np.arange(3.0)[:, None] * value)


def test_rebuilding_from_handle_and_flow_as_tensorflow_1_code_does():
    ta = tf.TensorArray(tf.float32, size=2, element_shape=[]).write(0, 1.0).write(1, 2.0)
    rebuilt = tf.TensorArray(tf.float32, handle=ta.handle, flow=ta.flow)
    np.testing.assert_array_equal(_run(rebuilt.stack()), [1.0, 2.0])
    with pytest.raises(ValueError, match="Cannot provide both a handle and size at the same time"):
        tf.TensorArray(tf.float32, size=2, handle=ta.handle)
    with pytest.raises(ValueError, match="Size must be provided if handle is not provided"):
        tf.TensorArray(tf.float32)
