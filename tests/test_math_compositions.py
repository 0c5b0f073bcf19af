"""count_nonzero, log_sigmoid, lbeta, matvec, meshgrid, sort, argsort and roll against NumPy and math, with their
gradients where they have them (compositions: the parts' gradients)."""
import math

import numpy as np
import pytest

import neuroflow as tf
from neuroflow.ops.math_compositions import matvec


@pytest.fixture
def sess():
    with tf.Graph().as_default(), tf.Session() as session:
        yield session


def test_count_nonzero(sess):
    x = np.array([[0.0, 1.5, 0.0], [2.0, -1.0, 0.0]])
    count = tf.count_nonzero(x)
    assert count.dtype == tf.int64 and sess.run(count) == 3
    np.testing.assert_array_equal(sess.run(tf.count_nonzero(x, axis=1, keepdims=True)), [[1], [2]])
    assert sess.run(tf.count_nonzero([True, False, True], dtype=tf.int32)) == 2
    np.testing.assert_array_equal(sess.run(tf.count_nonzero(x, reduction_indices=0)), [1, 2, 0])


def test_log_sigmoid_is_stable(sess):
    x = np.array([-1000.0, -3.0, 0.0, 3.0, 1000.0])
    expected = [-1000.0, -math.log1p(math.exp(3.0)), -math.log(2.0), -math.log1p(math.exp(-3.0)), 0.0]
    np.testing.assert_allclose(sess.run(tf.log_sigmoid(tf.constant(x))), expected, rtol=1e-12, atol=1e-300)


def test_lbeta(sess):
    x = np.array([[1.0, 2.0], [0.5, 0.5], [3.0, 4.5]])
    expected = [sum(math.lgamma(v) for v in row) - math.lgamma(sum(row)) for row in x]
    np.testing.assert_allclose(sess.run(tf.lbeta(x)), expected, rtol=1e-12)


def test_matvec(sess):
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((2, 3, 4)), rng.standard_normal((2, 4))
    np.testing.assert_allclose(sess.run(matvec(a, b)), np.einsum("bij,bj->bi", a, b))
    np.testing.assert_allclose(sess.run(matvec(a, rng.standard_normal((2, 3)), transpose_a=True)).shape, (2, 4))


@pytest.mark.parametrize("indexing", ["xy", "ij"])
def test_meshgrid_matches_numpy(sess, indexing):
    vectors = [np.array([1, 2]), np.array([3, 4, 5]), np.array([6, 7, 8, 9])]
    for n in (1, 2, 3):
        got = sess.run(tf.meshgrid(*vectors[:n], indexing=indexing))
        for g, w in zip(got, np.meshgrid(*vectors[:n], indexing=indexing)):
            np.testing.assert_array_equal(g, w)
    with pytest.raises(ValueError, match="indexing parameter must be either 'xy' or 'ij'"):
        tf.meshgrid([1], indexing="xz")


def test_sort_and_argsort(sess):
    rng = np.random.default_rng(1)
    v = rng.integers(-9, 9, (3, 5, 4)).astype(np.int32)
    for axis in (-1, 0, 1):
        np.testing.assert_array_equal(sess.run(tf.sort(v, axis=axis)), np.sort(v, axis=axis))
        np.testing.assert_array_equal(sess.run(tf.sort(v, axis=axis, direction="DESCENDING")),
                                      -np.sort(-v, axis=axis))
        np.testing.assert_array_equal(sess.run(tf.argsort(v, axis=axis)), np.argsort(v, axis=axis, kind="stable"))
    with pytest.raises(ValueError, match="UP should be one of ASCENDING, DESCENDING"):
        tf.sort(v, direction="UP")
    x = tf.placeholder(tf.float64, [3])
    grad = tf.gradients(tf.reduce_sum(tf.sort(x) * [1.0, 2.0, 3.0]), x)[0]
    np.testing.assert_array_equal(sess.run(grad, {x: [3.0, 1.0, 2.0]}), [3.0, 1.0, 2.0])


def test_roll_matches_numpy(sess):
    x = np.arange(24).reshape(2, 3, 4)
    for shift, axis in [(2, 0), (-1, 2), ([1, -2], [1, 2]), (7, 1), (0, 0)]:
        np.testing.assert_array_equal(sess.run(tf.roll(x, shift, axis)), np.roll(x, shift, axis))
    p = tf.placeholder(tf.int32, [None])
    np.testing.assert_array_equal(sess.run(tf.roll(p, 2, 0), {p: [0, 1, 2, 3, 4]}), [3, 4, 0, 1, 2])
    with pytest.raises(ValueError, match="shift and axis must have the same size"):
        tf.roll(x, [1, 2], [0])
