"""Matrix ops beyond the op table: TensorFlow's documented examples, its error classes and messages, the
compositions (trace, eye, matrix_transpose, matrix_solve_ls with run-time shapes), and identities the
decompositions must satisfy."""
import numpy as np
import pytest

import neuroflow as tf


@pytest.fixture
def sess():
    with tf.Graph().as_default(), tf.Session() as session:
        yield session


def test_diag_and_diag_part_follow_tensorflows_documented_example(sess):
    # tf.diag's documentation: diagonal [1, 2, 3, 4] gives a 4x4 matrix; a [2, 2] input gives rank 4.
    d = tf.diag([1, 2, 3, 4])
    assert d.shape.as_list() == [4, 4]
    np.testing.assert_array_equal(sess.run(d), np.diag([1, 2, 3, 4]))
    d2 = tf.diag([[1, 2], [3, 4]])
    assert d2.shape.as_list() == [2, 2, 2, 2]
    value = sess.run(d2)
    assert value[0, 1, 0, 1] == 2 and value[1, 0, 1, 0] == 3 and value.sum() == 10
    np.testing.assert_array_equal(sess.run(tf.diag_part(d2)), [[1, 2], [3, 4]])


def test_diag_part_rejects_odd_rank_and_mismatched_halves(sess):
    with pytest.raises(ValueError, match="Input must have even and non-zero rank, input rank is 3"):
        tf.diag_part(tf.zeros([2, 2, 2]))
    with pytest.raises(ValueError, match="Dimensions must be equal, but are 2 and 3"):
        tf.diag_part(tf.zeros([2, 3]))


def test_matrix_band_part_keeps_tensorflows_bands(sess):
    x = np.arange(16.0).reshape(4, 4) - 8
    # TensorFlow's documented example: band_part(input, 1, -1) keeps one sub-diagonal and the upper triangle.
    got = sess.run(tf.matrix_band_part(x, 1, -1))
    np.testing.assert_array_equal(got, np.triu(x, -1))
    np.testing.assert_array_equal(sess.run(tf.matrix_band_part(x, 2, 1)), np.triu(np.tril(x, 1), -2))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"num_lower must be negative or less or equal to "
                                                             r"number of rows \(4\) got: 5"):
        sess.run(tf.matrix_band_part(x, 5, 0))


def test_trace_eye_and_matrix_transpose(sess):
    x = np.arange(24.0).reshape(2, 3, 4)
    np.testing.assert_allclose(sess.run(tf.trace(x)), np.trace(x, axis1=-2, axis2=-1))
    np.testing.assert_array_equal(sess.run(tf.matrix_transpose(x)), np.swapaxes(x, -1, -2))
    p = tf.placeholder(tf.float64)  # rank unknown: the permutation is built at run time
    np.testing.assert_array_equal(sess.run(tf.matrix_transpose(p), {p: x}), np.swapaxes(x, -1, -2))
    np.testing.assert_array_equal(sess.run(tf.eye(2, 3, batch_shape=[2])), np.broadcast_to(np.eye(2, 3), (2, 2, 3)))
    assert tf.eye(3, dtype=tf.int32).dtype == tf.int32


def test_cross_of_unit_vectors_and_its_shape_checks(sess):
    np.testing.assert_array_equal(sess.run(tf.cross([1.0, 0, 0], [0.0, 1, 0])), [0, 0, 1])
    with pytest.raises(ValueError, match="Dimension must be 3 but is 2"):
        tf.cross(tf.zeros([2]), tf.zeros([2]))


def test_singular_and_not_positive_definite_inputs_raise_tensorflows_errors(sess):
    singular = np.array([[1.0, 2.0], [2.0, 4.0]])
    with pytest.raises(tf.errors.InvalidArgumentError, match="Input is not invertible."):
        sess.run(tf.matrix_inverse(tf.placeholder_with_default(singular, [2, 2])))
    with pytest.raises(tf.errors.InvalidArgumentError, match="Input matrix is not invertible."):
        sess.run(tf.matrix_solve(tf.placeholder_with_default(singular, [2, 2]), np.ones((2, 1))))
    with pytest.raises(tf.errors.InvalidArgumentError, match="Cholesky decomposition was not successful. The input "
                                                             "might not be valid."):
        sess.run(tf.cholesky(tf.placeholder_with_default(-np.eye(2), [2, 2])))


def test_square_matrix_ops_reject_non_square_and_low_rank_inputs():
    with pytest.raises(ValueError, match="Dimensions must be equal, but are 2 and 3"):
        tf.matrix_inverse(tf.zeros([2, 3]))
    with pytest.raises(ValueError, match="Shape must be at least rank 2 but is rank 1"):
        tf.matrix_determinant(tf.zeros([3]))
    with pytest.raises(ValueError, match="Dimensions must be equal, but are 3 and 2"):
        tf.matrix_solve(tf.zeros([3, 3]), tf.zeros([2, 1]))


def test_decompositions_rebuild_their_input(sess):
    rng = np.random.default_rng(1)
    a = rng.standard_normal((2, 5, 3))
    s, u, v = sess.run(tf.svd(a))
    np.testing.assert_allclose((u * s[..., None, :]) @ np.swapaxes(v, -1, -2), a, atol=1e-12)
    q, r = sess.run(tf.qr(a))
    np.testing.assert_allclose(q @ r, a, atol=1e-12)
    np.testing.assert_allclose(np.swapaxes(q, -1, -2) @ q, np.broadcast_to(np.eye(3), (2, 3, 3)), atol=1e-12)
    sym = a[0].T @ a[0]
    e, vecs = sess.run(tf.self_adjoint_eig(sym))
    np.testing.assert_allclose(vecs @ np.diag(e) @ vecs.T, sym, atol=1e-12)
    assert np.all(np.diff(e) >= 0)
    lower = sess.run(tf.cholesky(sym))
    np.testing.assert_allclose(lower @ lower.T, sym, atol=1e-12)
    full_s, full_u, full_v = tf.svd(a, full_matrices=True)
    assert full_u.shape.as_list() == [2, 5, 5] and full_v.shape.as_list() == [2, 3, 3]


def test_self_adjoint_eig_reads_only_the_lower_triangle(sess):
    sym = np.array([[2.0, 1.0], [1.0, 3.0]])
    upper_garbage = sym + np.triu(np.full((2, 2), 7.0), 1)
    np.testing.assert_allclose(sess.run(tf.self_adjoint_eigvals(upper_garbage)), np.linalg.eigvalsh(sym))


def test_matrix_solve_ls_chooses_the_normal_equations_at_run_time(sess):
    a = tf.placeholder(tf.float64, [None, None])
    b = tf.placeholder(tf.float64, [None, None])
    x = tf.matrix_solve_ls(a, b)
    rng = np.random.default_rng(2)
    tall, wide = rng.standard_normal((6, 3)), rng.standard_normal((2, 4))
    rhs_tall, rhs_wide = rng.standard_normal((6, 1)), rng.standard_normal((2, 1))
    np.testing.assert_allclose(sess.run(x, {a: tall, b: rhs_tall}), np.linalg.lstsq(tall, rhs_tall, rcond=None)[0],
                               rtol=1e-8)
    np.testing.assert_allclose(sess.run(x, {a: wide, b: rhs_wide}), np.linalg.pinv(wide) @ rhs_wide, rtol=1e-8)


def test_determinant_gradient_is_det_times_inverse_transpose(sess):
    a = np.array([[2.0, 1.0], [0.5, 3.0]])
    x = tf.constant(a)
    grad = sess.run(tf.gradients(tf.matrix_determinant(x), x)[0])
    np.testing.assert_allclose(grad, np.linalg.det(a) * np.linalg.inv(a).T)


def test_tan_gradient_is_one_over_cos_squared(sess):
    x = tf.constant([0.0, 0.5, -1.0])
    np.testing.assert_allclose(sess.run(tf.gradients(tf.tan(x), x)[0]), 1 / np.cos([0.0, 0.5, -1.0]) ** 2,
                               rtol=1e-6)


def test_linear_algebra_runs_eagerly():
    with tf.eager_mode():
        det = tf.matrix_determinant(tf.constant([[1.0, 2.0], [3.0, 4.0]]))
        assert det.numpy() == pytest.approx(-2.0)
        x = tf.constant([[4.0, 2.0], [2.0, 2.0]])
        with tf.GradientTape() as tape:
            tape.watch(x)
            loss = tf.reduce_sum(tf.cholesky(x))
        grad = tape.gradient(loss, x)
        assert grad.shape == (2, 2)
        np.testing.assert_allclose(tf.cholesky(x).numpy(), [[2.0, 0.0], [1.0, 1.0]])


def test_log_matrix_determinant_and_logdet_where_det_overflows(sess):
    big = np.diag(np.full(400, 10.0))  # det = 1e400: beyond float64
    sign, log_abs = sess.run(tf.log_matrix_determinant(big))
    assert sign == 1.0 and log_abs == pytest.approx(400 * np.log(10.0))
    from neuroflow.ops.linalg_decomp_ops import logdet
    assert sess.run(logdet(big)) == pytest.approx(400 * np.log(10.0))
    spd = np.array([[4.0, 2.0], [2.0, 3.0]])
    x = tf.constant(spd)
    value, grad = sess.run([logdet(x), tf.gradients(logdet(x), x)[0]])
    assert value == pytest.approx(np.log(8.0))
    np.testing.assert_allclose(grad, np.linalg.inv(spd))


def test_eye_of_a_size_known_only_at_run_time(sess):
    x = tf.placeholder(tf.float32, [None, 3])
    square = tf.eye(tf.shape(x)[0])
    batched = tf.eye(tf.shape(x)[0], 4, batch_shape=[2], dtype=tf.float64)
    got_square, got_batched = sess.run([square, batched], {x: np.zeros((3, 3))})
    np.testing.assert_array_equal(got_square, np.eye(3))
    np.testing.assert_array_equal(got_batched, np.broadcast_to(np.eye(3, 4), (2, 3, 4)))
    assert batched.dtype == tf.float64
