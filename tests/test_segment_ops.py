"""Segment reductions beyond the op table: TensorFlow's documented examples, its run-time errors, empty segments,
mean/sqrt_n, and the product's gradient where entries are zero."""
import numpy as np
import pytest

import neuroflow as tf

C = np.array([[1, 2, 3, 4], [4, 3, 2, 1], [5, 6, 7, 8]], np.float32)


@pytest.fixture
def sess():
    with tf.Graph().as_default(), tf.Session() as session:
        yield session


def test_tensorflows_documented_segment_examples(sess):
    np.testing.assert_array_equal(sess.run(tf.segment_sum(C, [0, 0, 1])), [[5, 5, 5, 5], [5, 6, 7, 8]])
    np.testing.assert_array_equal(sess.run(tf.segment_max(C, [0, 0, 1])), [[4, 3, 3, 4], [5, 6, 7, 8]])
    np.testing.assert_array_equal(sess.run(tf.segment_min(C, [0, 0, 1])), [[1, 2, 2, 1], [5, 6, 7, 8]])
    np.testing.assert_array_equal(sess.run(tf.segment_prod(C, [0, 0, 1])), [[4, 6, 6, 4], [5, 6, 7, 8]])
    np.testing.assert_array_equal(sess.run(tf.segment_mean(C, [0, 0, 1])), [[2.5, 2.5, 2.5, 2.5], [5, 6, 7, 8]])
    c2 = np.array([[1, 2, 3, 4], [5, 6, 7, 8], [4, 3, 2, 1]], np.float32)
    np.testing.assert_array_equal(sess.run(tf.unsorted_segment_sum(c2, [0, 1, 0], num_segments=2)),
                                  [[5, 5, 5, 5], [5, 6, 7, 8]])
    np.testing.assert_array_equal(sess.run(tf.unsorted_segment_max(c2, [0, 1, 0], num_segments=2)),
                                  [[4, 3, 3, 4], [5, 6, 7, 8]])


def test_empty_segments_get_tensorflows_values(sess):
    data = np.array([1.0, 2.0, 3.0], np.float32)
    # Sorted: ids skipped over give 0 for max/min; unsorted: the identity (lowest / highest value).
    np.testing.assert_array_equal(sess.run(tf.segment_max(data, [0, 0, 2])), [2, 0, 3])
    np.testing.assert_array_equal(sess.run(tf.segment_prod(data, [0, 0, 2])), [2, 1, 3])
    got = sess.run(tf.unsorted_segment_max(data, [0, 0, 2], 3))
    assert got[1] == np.finfo(np.float32).min
    assert sess.run(tf.unsorted_segment_min(np.array([3], np.int32), [1], 2))[0] == np.iinfo(np.int32).max
    np.testing.assert_array_equal(sess.run(tf.unsorted_segment_mean(data, [0, 0, 2], 3)), [1.5, 0, 3])
    np.testing.assert_allclose(sess.run(tf.unsorted_segment_sqrt_n(data, [0, 0, 2], 3)), [3 / np.sqrt(2), 0, 3])


def test_unsorted_segments_drop_negative_ids_and_take_multidimensional_ids(sess):
    data = np.arange(12.0).reshape(2, 3, 2)
    ids = np.array([[0, -1, 1], [1, 0, -1]])
    out = tf.unsorted_segment_sum(data, ids, 2)
    assert out.shape.as_list() == [2, 2]
    np.testing.assert_array_equal(sess.run(out), [data[0, 0] + data[1, 1], data[0, 2] + data[1, 0]])


def test_static_shapes(sess):
    ids = tf.placeholder(tf.int32, [None])
    data = tf.placeholder(tf.float32, [None, 7])
    assert tf.segment_sum(data, ids).shape.as_list() == [None, 7]
    assert tf.unsorted_segment_sum(data, ids, 5).shape.as_list() == [5, 7]
    with pytest.raises(ValueError, match="Shapes"):
        tf.unsorted_segment_sum(tf.zeros([3, 2]), tf.zeros([4], tf.int32), 2)
    with pytest.raises(TypeError, match="segment_ids"):
        tf.segment_sum(tf.zeros([3]), tf.zeros([3]))


def test_run_time_errors_speak_tensorflows_words(sess):
    ids = tf.placeholder(tf.int32, [None])
    data = tf.constant([1.0, 2.0, 3.0])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"segment_ids\[1\] = 5 is out of range \[0, 2\)"):
        sess.run(tf.unsorted_segment_sum(data, ids, 2), {ids: [0, 5, 1]})
    with pytest.raises(tf.errors.InvalidArgumentError, match="segment ids are not increasing"):
        sess.run(tf.segment_sum(data, ids), {ids: [1, 0, 1]})
    with pytest.raises(tf.errors.InvalidArgumentError, match="segment_ids should be the same size as dimension 0"):
        sess.run(tf.segment_sum(data, ids), {ids: [0, 1]})


def test_product_gradient_with_zeros(sess):
    # One zero in a segment: only it gets a gradient (the product of the others); two zeros: no entry does.
    data = tf.constant([2.0, 0.0, 3.0, 0.0, 0.0, 4.0, 5.0])
    ids = [0, 0, 0, 1, 1, 1, 2]
    for prod in (tf.segment_prod(data, ids), tf.unsorted_segment_prod(data, ids, 3)):
        grad = sess.run(tf.gradients(prod, data)[0])
        np.testing.assert_array_equal(grad, [0, 6, 0, 0, 0, 0, 1])


def test_max_gradient_is_shared_among_ties(sess):
    data = tf.constant([3.0, 1.0, 3.0, 2.0])
    grad = sess.run(tf.gradients(tf.segment_max(data, [0, 0, 0, 1]), data)[0])
    np.testing.assert_array_equal(grad, [0.5, 0, 0.5, 1])


def test_embedding_style_sum_trains(sess):
    # A common TF1 use: summing word vectors into sentence vectors by sentence id.
    table = tf.Variable(np.ones((5, 3), np.float32))
    words = tf.gather(table, [0, 3, 3, 4])
    sentences = tf.unsorted_segment_sum(words, [0, 0, 1, 1], 2)
    loss = tf.reduce_sum(tf.square(sentences))
    step = tf.train.GradientDescentOptimizer(0.01).minimize(loss)
    sess.run(tf.global_variables_initializer())
    before = sess.run(loss)
    sess.run(step)
    assert sess.run(loss) < before


# --- counting built on segment sums ----------------------------------------------------------------------------
def test_confusion_matrix_follows_tensorflows_documented_example(sess):
    cm = tf.confusion_matrix([1, 2, 4], [2, 2, 4])
    assert cm.dtype == tf.int32
    np.testing.assert_array_equal(sess.run(cm), [[0, 0, 0, 0, 0], [0, 0, 1, 0, 0], [0, 0, 1, 0, 0],
                                                 [0, 0, 0, 0, 0], [0, 0, 0, 0, 1]])
    weighted = tf.confusion_matrix([0, 1, 1], [1, 1, 0], num_classes=3, weights=[1.0, 2.0, 3.0], dtype=tf.float32)
    np.testing.assert_array_equal(sess.run(weighted), [[0, 1, 0], [3, 2, 0], [0, 0, 0]])
    labels = tf.placeholder(tf.int64, [None, 1])  # a trailing size-1 axis is squeezed, as TensorFlow
    np.testing.assert_array_equal(sess.run(tf.confusion_matrix(labels, [0, 1], num_classes=2), {labels: [[1], [1]]}),
                                  [[0, 0], [1, 1]])


def test_confusion_matrix_checks_its_classes(sess):
    labels = tf.placeholder(tf.int32, [None])
    with pytest.raises(tf.errors.InvalidArgumentError, match="`labels` contains negative values"):
        sess.run(tf.confusion_matrix(labels, [0, 0]), {labels: [0, -1]})
    with pytest.raises(tf.errors.InvalidArgumentError, match="`labels` out of bound"):
        sess.run(tf.confusion_matrix(labels, [0, 0], num_classes=3), {labels: [0, 3]})


def test_bincount_against_numpy(sess):
    rng = np.random.default_rng(3)
    arr = rng.integers(0, 7, (4, 5)).astype(np.int32)
    weights = rng.standard_normal((4, 5))
    np.testing.assert_array_equal(sess.run(tf.bincount(arr)), np.bincount(arr.ravel()))
    np.testing.assert_array_equal(sess.run(tf.bincount(arr, minlength=10)), np.bincount(arr.ravel(), minlength=10))
    np.testing.assert_allclose(sess.run(tf.bincount(arr, weights=weights)), np.bincount(arr.ravel(), weights.ravel()))
    np.testing.assert_array_equal(sess.run(tf.bincount(arr, maxlength=3)), np.bincount(arr.ravel())[:3])
    assert sess.run(tf.bincount(np.zeros(0, np.int32))).shape == (0,)
    arr_in = tf.placeholder(tf.int32, [None])
    with pytest.raises(tf.errors.InvalidArgumentError, match="Input arr must be non-negative!"):
        sess.run(tf.bincount(arr_in), {arr_in: [1, -2]})
