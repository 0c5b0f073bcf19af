"""IndexedSlices: gather/embedding_lookup gradients as slices (fetched as IndexedSlicesValue, densified by
convert_to_tensor, aggregated), optimizers applying them (gradient descent through ScatterSub touches only the
gathered rows), and tf.scatter_add/sub/update against NumPy."""
import numpy as np
import pytest

import neuroflow as tf


@pytest.fixture(autouse=True)
def _fresh_graph():
    tf.reset_default_graph()


TABLE = np.arange(15.0).reshape(5, 3)
IDS = np.array([[0, 3], [3, 4]])


def _dense_grad(ids, weights):
    """d/dtable of sum(table[ids] * weights): each row adds up the weights of its lookups."""
    out = np.zeros_like(TABLE)
    np.add.at(out, ids.reshape(-1), weights.reshape(-1, TABLE.shape[1]))
    return out


def test_embedding_gradient_is_indexed_slices_and_densifies():
    table = tf.Variable(TABLE)
    weights = np.random.default_rng(0).standard_normal((2, 2, 3))
    g, = tf.gradients(tf.reduce_sum(tf.nn.embedding_lookup(table, IDS) * weights), table)
    assert isinstance(g, tf.IndexedSlices)
    assert g.values.shape.as_list() == [4, 3] and g.dense_shape is not None
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        value, dense = sess.run([g, tf.convert_to_tensor(g)])
    assert isinstance(value, tf.IndexedSlicesValue)
    np.testing.assert_array_equal(value.indices, IDS.reshape(-1))
    np.testing.assert_allclose(value.values, weights.reshape(-1, 3))
    np.testing.assert_array_equal(value.dense_shape, [5, 3])
    np.testing.assert_allclose(dense, _dense_grad(IDS, weights))


def test_two_lookups_aggregate_as_slices_and_a_dense_use_makes_it_dense():
    table = tf.constant(TABLE)
    both = tf.reduce_sum(tf.gather(table, [1, 2])) + tf.reduce_sum(tf.gather(table, [2]))
    g, = tf.gradients(both, table)
    mixed, = tf.gradients(both + tf.reduce_sum(table * 2.0), table)
    assert isinstance(g, tf.IndexedSlices) and not isinstance(mixed, tf.IndexedSlices)
    expected = np.zeros_like(TABLE)
    expected[1] = 1.0
    expected[2] = 2.0
    with tf.Session() as sess:
        value, dense, mixed_value = sess.run([g, tf.convert_to_tensor(g), mixed])
    np.testing.assert_array_equal(np.sort(value.indices), [1, 2, 2])  # the slices of both lookups, concatenated
    np.testing.assert_allclose(dense, expected)
    np.testing.assert_allclose(mixed_value, expected + 2.0)


def test_gather_on_another_axis_stays_dense():
    x = tf.constant(TABLE)
    g, = tf.gradients(tf.reduce_sum(tf.gather(x, [0, 0], axis=1)), x)
    assert isinstance(g, tf.Tensor)


def test_gradient_descent_updates_only_the_gathered_rows():
    table = tf.Variable(TABLE)
    loss = tf.reduce_sum(tf.square(tf.nn.embedding_lookup(table, IDS)))
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    assert "ScatterSub" in {op.type for op in tf.get_default_graph().get_operations()}
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train)
        got = sess.run(table)
    counts = np.bincount(IDS.reshape(-1), minlength=5)[:, None]
    np.testing.assert_allclose(got, TABLE - 0.1 * 2 * TABLE * counts)


@pytest.mark.parametrize("make", [lambda: tf.train.AdamOptimizer(0.1), lambda: tf.train.AdagradOptimizer(0.1)],
                         ids=["adam", "adagrad"])
def test_sparse_gradients_train_like_the_dense_ones(make):
    """Adam's and Adagrad's sparse rules in TensorFlow give the dense rule's values: compare a lookup with the
    same loss written as a one-hot matmul (a dense gradient)."""
    results = []
    for sparse in (True, False):
        tf.reset_default_graph()
        table = tf.Variable(TABLE)
        rows = tf.nn.embedding_lookup(table, IDS) if sparse else tf.matmul(tf.one_hot(IDS, 5, dtype=tf.float64),
                                                                           tf.tile(table[None], [2, 1, 1]))
        train = make().minimize(tf.reduce_sum(tf.square(rows - 1.0)))
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for _ in range(3):
                sess.run(train)
            results.append(sess.run(table))
    np.testing.assert_allclose(results[0], results[1], rtol=1e-12)


def test_tape_gradient_is_indexed_slices_in_eager_mode():
    with tf.eager_mode():
        table = tf.constant(TABLE)
        with tf.GradientTape() as tape:
            tape.watch(table)
            loss = tf.reduce_sum(tf.gather(table, [4, 4]))
        g = tape.gradient(loss, table)
        assert isinstance(g, tf.IndexedSlices)
        dense = tf.convert_to_tensor(g).numpy()
    np.testing.assert_allclose(dense, np.where(np.arange(5)[:, None] == 4, 2.0, 0.0) * np.ones(3))


def test_scatter_ops_against_numpy_and_bounds_message():
    v = tf.Variable(TABLE)
    add = tf.scatter_add(v, [0, 0, 2], np.ones((3, 3)))
    sub = tf.scatter_sub(v, [4], np.full((1, 3), 10.0))
    upd = tf.scatter_update(v, [1], np.zeros((1, 3)))
    bad = tf.scatter_add(v, [5], np.ones((1, 3)))
    expected = TABLE.copy()
    expected[0] += 2
    expected[2] += 1
    expected[4] -= 10
    expected[1] = 0
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(add)
        sess.run(sub)
        np.testing.assert_allclose(sess.run(upd), expected)
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"indices\[0\] = 5 is not in \[0, 5\)"):
            sess.run(bad)
    with pytest.raises(TypeError, match="does not match type float64"):
        tf.scatter_add(v, [0], np.ones((1, 3), np.float32))


_ROW_SPARSE = {
    "momentum": lambda: tf.train.MomentumOptimizer(0.1, 0.9),
    "nesterov": lambda: tf.train.MomentumOptimizer(0.1, 0.9, use_nesterov=True),
    "adagrad": lambda: tf.train.AdagradOptimizer(0.1),
    "adadelta": lambda: tf.train.AdadeltaOptimizer(1.0),
    "rmsprop": lambda: tf.train.RMSPropOptimizer(0.1, momentum=0.5),
    "centered_rmsprop": lambda: tf.train.RMSPropOptimizer(0.1, momentum=0.5, centered=True),
}


@pytest.mark.parametrize("name", sorted(_ROW_SPARSE))
def test_row_sparse_optimizers_leave_other_rows_and_slots_alone(name):
    """TensorFlow's SparseApply* rule: a step whose gradient names only row 1 changes row 1 of the variable and
    its slots and nothing else (a dense step with zero rows would still move rows 0 and 2 by their momentum)."""
    table = tf.Variable(TABLE)
    ids = tf.placeholder(tf.int32, [None])
    optimizer = _ROW_SPARSE[name]()
    train = optimizer.minimize(tf.reduce_sum(tf.square(tf.gather(table, ids) - 1.0)))
    assert any(op.type.startswith("SparseApply") for op in tf.get_default_graph().get_operations())
    state = [table] + [optimizer.get_slot(table, s) for s in optimizer.get_slot_names()]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train, {ids: [0, 2, 0]})
        before = sess.run(state)
        sess.run(train, {ids: [1]})
        after = sess.run(state)
    for b, a in zip(before, after):
        np.testing.assert_array_equal(a[[0, 2, 3, 4]], b[[0, 2, 3, 4]])
    assert not np.array_equal(after[0][1], before[0][1])


def test_sparse_momentum_against_numpy():
    table = tf.Variable(TABLE)
    ids = tf.placeholder(tf.int32, [None])
    train = tf.train.MomentumOptimizer(0.1, 0.9).minimize(tf.reduce_sum(tf.gather(table, ids) ** 2))
    var, accum = TABLE.copy(), np.zeros_like(TABLE)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for step in ([0, 2, 0], [2, 3], [0]):
            sess.run(train, {ids: step})
            grad = np.zeros_like(var)
            np.add.at(grad, step, 2 * var[step])
            rows = np.unique(step)
            # The hyperparameters are float32 constants cast to the variable's dtype, as in TensorFlow.
            accum[rows] = float(np.float32(0.9)) * accum[rows] + grad[rows]
            var[rows] -= float(np.float32(0.1)) * accum[rows]
        np.testing.assert_allclose(sess.run(table), var, rtol=1e-12)


def test_gathers_inside_cond_and_while_loop_differentiate_and_train():
    """Branch and loop-body gradients are sub-graph outputs (tensors): slices made inside are densified there."""
    table = tf.Variable(TABLE)

    def body(i, total):
        return i + 1, total + tf.reduce_sum(tf.gather(table, i % 5) ** 2)
    _, looped = tf.while_loop(lambda i, total: i < 7, body, [tf.constant(0), tf.constant(0.0, tf.float64)])
    branch = tf.cond(tf.constant(True), lambda: tf.reduce_sum(tf.gather(table, [1, 1])),
                     lambda: tf.constant(0.0, tf.float64))
    g_loop, g_branch = (tf.convert_to_tensor(tf.gradients(y, table)[0]) for y in (looped, branch))
    train = tf.train.MomentumOptimizer(0.1, 0.9).minimize(looped + branch)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        loop_value, branch_value = sess.run([g_loop, g_branch])
        sess.run(train)
    visits = np.bincount(np.arange(7) % 5, minlength=5)[:, None]
    np.testing.assert_allclose(loop_value, 2 * TABLE * visits)
    np.testing.assert_allclose(branch_value, np.where(np.arange(5)[:, None] == 1, 2.0, 0.0) * np.ones(3))
