"""SparseTensor: construction checks, feeding a SparseTensorValue to sparse_placeholder, fetching SparseTensors,
and the sparse ops against NumPy and the examples in TensorFlow's documentation (values and error messages)."""
import numpy as np
import pytest

import neuroflow as tf


@pytest.fixture(autouse=True)
def _fresh_graph():
    tf.reset_default_graph()


def _dense(indices, values, shape):
    out = np.zeros(shape, np.asarray(values).dtype)
    for i, v in zip(indices, values):
        out[tuple(i)] += v
    return out


def test_sparse_placeholder_fed_with_a_sparse_tensor_value_and_fetched_back():
    x = tf.sparse_placeholder(tf.float32)
    value = tf.SparseTensorValue([[0, 0], [1, 2]], [1.0, 2.0], [2, 3])
    with tf.Session() as sess:
        fetched, dense = sess.run([x, tf.sparse_tensor_to_dense(x)], {x: value})
        again = sess.run(x, {x: ([[1, 1]], [5.0], [2, 2])})  # any (indices, values, dense_shape) triple
    assert isinstance(fetched, tf.SparseTensorValue)
    np.testing.assert_array_equal(fetched.indices, [[0, 0], [1, 2]])
    assert fetched.indices.dtype == np.int64 and fetched.dense_shape.dtype == np.int64
    np.testing.assert_array_equal(dense, [[1, 0, 0], [0, 0, 2]])
    np.testing.assert_array_equal(again.values, [5.0])


def test_sparse_placeholder_names_and_static_shapes():
    x = tf.sparse_placeholder(tf.float64, shape=[None, 5], name="sp")
    assert x.indices.name == "sp/indices:0" and x.values.name == "sp/values:0" and x.dense_shape.name == "sp/shape:0"
    assert x.indices.shape.as_list() == [None, 2] and x.dtype == tf.float64
    fixed = tf.sparse_placeholder(tf.float32, shape=[3, 4])
    assert fixed.shape.as_list() == [3, 4]
    with tf.Session() as sess:  # a known shape is a constant, and still fed with the value's dense_shape
        out = sess.run(tf.sparse_tensor_to_dense(fixed), {fixed: tf.SparseTensorValue([[2, 3]], [1.0], [3, 4])})
    assert out[2, 3] == 1.0


def test_sparse_tensor_checks_ranks_like_tensorflow():
    with pytest.raises(ValueError, match="must have rank 2|Shape must be rank 2"):
        tf.SparseTensor([0, 1], [1.0, 2.0], [3])
    with pytest.raises(ValueError):
        tf.SparseTensor([[0, 1]], [1.0, 2.0], [3, 3])  # two values for one index row


def test_eval_and_shape():
    sp = tf.SparseTensor([[0, 1], [2, 0]], [5, 6], [3, 2])
    assert sp.shape.as_list() == [3, 2] and sp.dtype == tf.int32
    with tf.Session():
        value = sp.eval()
    np.testing.assert_array_equal(value.values, [5, 6])


def test_sparse_to_dense_messages():
    bad_order = tf.sparse_to_dense([[1, 0], [0, 1]], [2, 2], [1.0, 2.0])
    repeated = tf.sparse_to_dense([[1, 0], [1, 0]], [2, 2], [1.0, 2.0])
    outside = tf.sparse_to_dense([[0, 0], [0, 5]], [2, 2], [1.0, 2.0])
    unchecked = tf.sparse_to_dense([[1, 0], [0, 1]], [2, 2], [1.0, 2.0], validate_indices=False)
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"indices\[1\] = \[0,1\] is out of order"):
            sess.run(bad_order)
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"indices\[1\] = \[1,0\] is repeated"):
            sess.run(repeated)
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match=r"indices\[1\] = \[0,5\] is out of bounds: need 0 <= index < \[2,2\]"):
            sess.run(outside)
        np.testing.assert_array_equal(sess.run(unchecked), [[0, 2], [1, 0]])


def test_sparse_reduce_sum_axes_and_keepdims():
    idx, vals, shape = [[0, 0], [0, 2], [1, 1], [1, 1]], [1.0, 2.0, 3.0, 4.0], [2, 3]
    sp = tf.SparseTensor(idx, vals, shape)
    dense = _dense(idx, vals, shape)  # repeated coordinates add up, as in TensorFlow's kernel
    with tf.Session() as sess:
        total, rows, cols = sess.run([tf.sparse_reduce_sum(sp), tf.sparse_reduce_sum(sp, axis=1),
                                      tf.sparse_reduce_sum(sp, 0, keepdims=True)])
    assert total == dense.sum()
    np.testing.assert_allclose(rows, dense.sum(1))
    np.testing.assert_allclose(cols, dense.sum(0, keepdims=True))


def test_sparse_tensor_dense_matmul_values_and_gradients():
    rng = np.random.default_rng(1)
    idx = np.array([[0, 1], [1, 0], [2, 2]], np.int64)
    vals = rng.standard_normal(3)
    b = rng.standard_normal((3, 4))
    v = tf.placeholder(tf.float64, [3])
    bt = tf.placeholder(tf.float64, [3, 4])
    sp = tf.SparseTensor(idx, v, [3, 3])
    out = tf.sparse_tensor_dense_matmul(sp, bt)
    out_t = tf.sparse_tensor_dense_matmul(sp, tf.transpose(bt), adjoint_b=True, adjoint_a=True)
    weights = rng.standard_normal((3, 4))
    gv, gb = tf.gradients(tf.reduce_sum(out * weights), [v, bt])
    with tf.Session() as sess:
        got, got_t, dv, db = sess.run([out, out_t, gv, gb], {v: vals, bt: b})
    a = _dense(idx, vals, (3, 3))
    np.testing.assert_allclose(got, a @ b)
    np.testing.assert_allclose(got_t, a.T @ b)
    np.testing.assert_allclose(db, a.T @ weights)
    np.testing.assert_allclose(dv, [(weights @ b.T)[tuple(i)] for i in idx])


def test_sparse_add_sparse_and_dense():
    a = tf.SparseTensor([[0, 0], [1, 1]], [1.0, -2.0], [2, 2])
    b = tf.SparseTensor([[0, 0], [0, 1], [1, 1]], [2.0, 3.0, 2.0], [2, 2])
    with tf.Session() as sess:
        both = sess.run(tf.sparse_add(a, b))
        thresholded = sess.run(tf.sparse_add(a, b, thresh=2.5))
        dense = sess.run(tf.sparse_add(a, np.ones((2, 2), np.float32)))
    # The union of coordinates in row-major order; a sum of exactly 0 is kept (|0| >= thresh 0), as TF does.
    np.testing.assert_array_equal(both.indices, [[0, 0], [0, 1], [1, 1]])
    np.testing.assert_array_equal(both.values, [3.0, 3.0, 0.0])
    np.testing.assert_array_equal(thresholded.indices, [[0, 0], [0, 1]])
    np.testing.assert_array_equal(dense, [[2.0, 1.0], [1.0, -1.0]])
    with pytest.raises(TypeError, match="At least one input should be SparseTensor"):
        tf.sparse_add(tf.ones([2]), tf.ones([2]))


def test_sparse_concat_documented_example():
    a = tf.SparseTensor([[0, 2], [1, 0], [1, 1]], ["a", "b", "c"], [2, 3])
    b = tf.SparseTensor([[0, 1], [0, 2]], ["d", "e"], [2, 4])
    with tf.Session() as sess:
        out = sess.run(tf.sparse_concat(1, [a, b]))
    np.testing.assert_array_equal(out.indices, [[0, 2], [0, 4], [0, 5], [1, 0], [1, 1]])
    assert list(out.values) == [b"a", b"d", b"e", b"b", b"c"]
    np.testing.assert_array_equal(out.dense_shape, [2, 7])


def test_sparse_concat_expanding_other_dims_and_its_gradient():
    va = tf.placeholder(tf.float64, [2])
    vb = tf.placeholder(tf.float64, [1])
    a = tf.SparseTensor([[1, 0], [0, 1]], va, [2, 2])  # not in row-major order: the result is reordered
    b = tf.SparseTensor([[2, 0]], vb, [3, 1])
    out = tf.sparse_concat(0, [a, b], expand_nonconcat_dim=True)
    ga, gb = tf.gradients(tf.reduce_sum(out.values * tf.constant([10.0, 20.0, 30.0], tf.float64)), [va, vb])
    with tf.Session() as sess:
        value, da, db = sess.run([out, ga, gb], {va: [1.0, 2.0], vb: [3.0]})
    np.testing.assert_array_equal(value.indices, [[0, 1], [1, 0], [4, 0]])
    np.testing.assert_array_equal(value.values, [2.0, 1.0, 3.0])
    np.testing.assert_array_equal(value.dense_shape, [5, 2])
    np.testing.assert_array_equal(da, [20.0, 10.0])
    np.testing.assert_array_equal(db, [30.0])


def test_sparse_reshape_documented_example_and_messages():
    sp = tf.SparseTensor([[0, 0, 0], [0, 0, 1], [0, 1, 0], [1, 0, 0], [1, 2, 3]], ["a", "b", "c", "d", "e"],
                         [2, 3, 6])
    out = tf.sparse_reshape(sp, [9, -1])
    assert out.shape.as_list() == [9, 4]
    x = tf.sparse_placeholder(tf.float32)
    two_unknown = tf.sparse_reshape(x, [4, -1, -1])
    with tf.Session() as sess:
        value = sess.run(out)
        with pytest.raises(tf.errors.InvalidArgumentError, match="only one output dimension may be -1, not both 1 "
                                                                 "and 2"):
            sess.run(two_unknown, {x: tf.SparseTensorValue(np.zeros((0, 2)), np.zeros(0), [5, 6])})
    np.testing.assert_array_equal(value.indices, [[0, 0], [0, 1], [1, 2], [4, 2], [8, 1]])
    assert list(value.values) == [b"a", b"b", b"c", b"d", b"e"]
    with pytest.raises(ValueError, match="30 dense values, but the requested shape has 28"):
        tf.sparse_reshape(tf.SparseTensor(np.zeros((0, 2), np.int64), tf.zeros([0]), [5, 6]), [4, 7])


def test_gather_nd_and_scatter_nd_documented_examples_and_bounds():
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(tf.gather_nd([["a", "b"], ["c", "d"]], [[1], [0]])),
                                      [[b"c", b"d"], [b"a", b"b"]])
        np.testing.assert_array_equal(sess.run(tf.scatter_nd([[4], [3], [1], [7]], [9, 10, 11, 12], [8])),
                                      [0, 11, 0, 10, 9, 0, 0, 12])
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match=r"indices\[1\] = \[2, 0\] does not index into param shape \[2,2\]"):
            sess.run(tf.gather_nd(tf.ones([2, 2]), [[0, 0], [2, 0]]))


def test_sparse_ops_in_eager_mode():
    with tf.eager_mode():
        sp = tf.SparseTensor([[0, 1], [1, 0]], [1.0, 2.0], [2, 2])
        np.testing.assert_array_equal(tf.sparse_tensor_to_dense(sp).numpy(), [[0, 1], [2, 0]])
        assert sp.shape.as_list() == [2, 2]
        assert float(tf.sparse_reduce_sum(sp).numpy()) == 3.0


def test_edit_distance_documented_example_and_errors():
    hypothesis = tf.SparseTensor([[0, 0, 0], [1, 0, 0]], ["a", "b"], [2, 1, 1])
    truth = tf.SparseTensor([[0, 1, 0], [1, 0, 0], [1, 0, 1], [1, 1, 0]], ["a", "b", "c", "a"], [2, 2, 2])
    normalized = tf.edit_distance(hypothesis, truth)
    raw = tf.edit_distance(hypothesis, truth, normalize=False)
    assert normalized.shape.as_list() == [2, 2] and normalized.dtype == tf.float32
    with tf.Session() as sess:
        got, got_raw = sess.run([normalized, raw])
    np.testing.assert_array_equal(got, [[np.inf, 1.0], [0.5, 1.0]])
    np.testing.assert_array_equal(got_raw, [[1.0, 1.0], [1.0, 1.0]])
    with pytest.raises(TypeError, match="Hypothesis must be a SparseTensor"):
        tf.edit_distance(tf.constant([1]), truth)


def test_edit_distance_of_fed_sequences():
    hyp, truth = tf.sparse_placeholder(tf.int32), tf.sparse_placeholder(tf.int32)
    distance = tf.edit_distance(hyp, truth, normalize=False)
    kitten, sitting = [11, 9, 20, 20, 5, 14], [19, 9, 20, 20, 9, 14, 7]  # "kitten" -> "sitting": 3 edits
    feed = {hyp: tf.SparseTensorValue([[0, i] for i in range(6)], kitten, [1, 6]),
            truth: tf.SparseTensorValue([[0, i] for i in range(7)], sitting, [1, 7])}
    with tf.Session() as sess:
        assert sess.run(distance, feed).tolist() == [3.0]


PARAMS = np.arange(15.0).reshape(5, 3)


@pytest.mark.parametrize("combiner", ["sum", "mean", "sqrtn"])
def test_embedding_lookup_sparse_against_numpy_with_and_without_weights(combiner):
    indices = [[0, 0], [0, 1], [0, 2], [2, 0], [2, 1]]
    ids, weights = np.array([1, 3, 1, 4, 0]), np.array([0.5, 2.0, 1.0, 3.0, -1.0])
    sp_ids = tf.SparseTensor(indices, tf.constant(ids, tf.int64), [3, 3])
    sp_weights = tf.SparseTensor(indices, weights, [3, 3])
    params = tf.placeholder(tf.float64, [5, 3])
    plain = tf.nn.embedding_lookup_sparse(params, sp_ids, None, combiner=combiner)
    weighted = tf.nn.embedding_lookup_sparse(params, sp_ids, sp_weights, combiner=combiner)
    grad, = tf.gradients(tf.reduce_sum(plain), params)
    with tf.Session() as sess:
        got_plain, got_weighted, got_grad = sess.run([plain, weighted, tf.convert_to_tensor(grad)],
                                                     {params: PARAMS})
    rows = np.array(indices)[:, 0]
    for out, w in ((got_plain, np.ones(5)), (got_weighted, weights)):
        for r in (0, 2):
            chosen = rows == r
            total = (PARAMS[ids[chosen]] * w[chosen, None]).sum(0)
            scale = {"sum": 1.0, "mean": w[chosen].sum(), "sqrtn": np.sqrt((w[chosen] ** 2).sum())}[combiner]
            np.testing.assert_allclose(out[r], total / scale, rtol=1e-12)
    np.testing.assert_array_equal(got_plain[1], 0.0)  # a row without ids
    scale = {"sum": [1, 1, 1, 1, 1], "mean": [1 / 3, 1 / 3, 1 / 3, 0.5, 0.5],
             "sqrtn": [1 / np.sqrt(3)] * 3 + [1 / np.sqrt(2)] * 2}[combiner]
    expected_grad = np.zeros(5)
    np.add.at(expected_grad, ids, scale)
    np.testing.assert_allclose(got_grad, np.repeat(expected_grad[:, None], 3, 1), rtol=1e-12)
    assert isinstance(grad, tf.IndexedSlices)


def test_embedding_lookup_sparse_argument_errors():
    with pytest.raises(TypeError, match="sp_ids must be SparseTensor"):
        tf.nn.embedding_lookup_sparse(tf.ones([3, 2]), tf.constant([1]), None)
    sp = tf.SparseTensor([[0, 0]], tf.constant([1], tf.int64), [1, 1])
    with pytest.raises(ValueError, match="combiner must be one of 'mean', 'sqrtn' or 'sum'"):
        tf.nn.embedding_lookup_sparse(tf.ones([3, 2]), sp, None, combiner="max")


def test_retain_transpose_and_string_to_dense():
    sp = tf.SparseTensor([[0, 0], [1, 2], [2, 1]], ["a", "b", "c"], [3, 3])
    with tf.Session() as sess:
        kept = sess.run(tf.sparse_retain(sp, [True, False, True]))
        turned = sess.run(tf.sparse_transpose(sp))
        dense = sess.run(tf.sparse_tensor_to_dense(sp))
    np.testing.assert_array_equal(kept.indices, [[0, 0], [2, 1]])
    np.testing.assert_array_equal(turned.indices, [[0, 0], [1, 2], [2, 1]])  # [1,2]<->[2,1], row-major again
    assert list(turned.values) == [b"a", b"c", b"b"]
    assert dense.tolist() == [[b"a", b"", b""], [b"", b"", b"b"], [b"", b"c", b""]]


def test_sparse_reduce_max_documented_example_ignores_missing_entries():
    x = tf.SparseTensor([[0, 0], [0, 2], [1, 1]], [1.0, 2.0, 3.0], [2, 3])
    negative = tf.SparseTensor([[0, 1]], [-4.0], [1, 3])
    with tf.Session() as sess:
        assert sess.run(tf.sparse_reduce_max(x)) == 3.0
        np.testing.assert_array_equal(sess.run(tf.sparse_reduce_max(x, 0)), [1.0, 3.0, 2.0])
        np.testing.assert_array_equal(sess.run(tf.sparse_reduce_max(x, -1)), [2.0, 3.0])
        assert sess.run(tf.sparse_reduce_max(negative)) == -4.0  # not the implicit zeros


def test_sparse_softmax_over_present_entries_and_its_gradient():
    values = tf.placeholder(tf.float64, [4])
    sp = tf.SparseTensor([[0, 0], [0, 2], [1, 1], [1, 2]], values, [2, 3])
    out = tf.sparse_softmax(sp)
    weights = np.array([1.0, -2.0, 0.5, 3.0])
    grad, = tf.gradients(tf.reduce_sum(out.values * weights), values)
    v = np.array([1.0, 2.0, -1.0, 0.5])
    with tf.Session() as sess:
        got, got_grad = sess.run([out.values, grad], {values: v})
    expected = np.concatenate([np.exp(v[:2]) / np.exp(v[:2]).sum(), np.exp(v[2:]) / np.exp(v[2:]).sum()])
    np.testing.assert_allclose(got, expected, rtol=1e-12)
    jac = [np.diag(p) - np.outer(p, p) for p in (expected[:2], expected[2:])]
    np.testing.assert_allclose(got_grad, np.concatenate([jac[0] @ weights[:2], jac[1] @ weights[2:]]), rtol=1e-10)


def test_sparse_to_indicator_and_fill_empty_rows():
    ids = tf.SparseTensor([[0, 0], [0, 1], [2, 0]], tf.constant([3, 1, 0], tf.int64), [3, 2])
    with tf.Session() as sess:
        indicator = sess.run(tf.sparse_to_indicator(ids, 4))
        filled, empty = sess.run(tf.sparse_fill_empty_rows(ids, -1))
    np.testing.assert_array_equal(indicator, [[False, True, False, True], [False] * 4, [True, False, False, False]])
    np.testing.assert_array_equal(filled.indices, [[0, 0], [0, 1], [1, 0], [2, 0]])
    np.testing.assert_array_equal(filled.values, [3, 1, -1, 0])
    np.testing.assert_array_equal(empty, [False, True, False])


def test_make_callable_takes_a_sparse_tensor_value_and_dense_ops_refuse_sparse_tensors():
    x = tf.sparse_placeholder(tf.float32)
    scale = tf.placeholder(tf.float32, [])
    with tf.Session() as sess:
        run = sess.make_callable(tf.sparse_reduce_sum(x) * scale, feed_list=[x, scale])
        assert run(tf.SparseTensorValue([[0, 1], [1, 0]], [1.0, 2.0], [2, 2]), 10.0) == 30.0
    with pytest.raises(TypeError, match="Failed to convert object of type .*SparseTensor.* to Tensor"):
        tf.matmul(x, tf.ones([2, 2]))


def test_cast_of_a_sparse_tensor_casts_its_values():
    """The CTC idiom `tf.edit_distance(tf.cast(decoded[0], tf.int32), targets)` needs it."""
    sp = tf.SparseTensor(indices=[[0, 1], [1, 0]], values=tf.constant([1, 2], tf.int64), dense_shape=[2, 3])
    cast = tf.cast(sp, tf.float32)
    assert isinstance(cast, tf.SparseTensor) and cast.values.dtype == tf.float32 and cast.indices is sp.indices
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(tf.sparse_tensor_to_dense(cast)), [[0.0, 1.0, 0.0], [2.0, 0.0, 0.0]])
