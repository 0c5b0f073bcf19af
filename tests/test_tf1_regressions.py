"""Failures seen when public TF1 programs ran unchanged, each pinned by TensorFlow's behaviour: Saver.save into a
missing folder, dropout with a placeholder training flag, softmax cross-entropy with labels of higher rank, static
shapes through the `tf.reshape(x, [tf.shape(x)[0], -1])` idiom, and tf.where as TF1's Select."""
import os

import numpy as np
import pytest

import neuroflow as tf


@pytest.fixture
def graph():
    with tf.Graph().as_default() as g:
        yield g


# --- Saver.save ------------------------------------------------------------------------------------------------
def _saved_model():
    v = tf.Variable([1.0, 2.0], name="v")
    return v, tf.train.Saver()


def test_save_creates_the_missing_last_folder_as_tensorflows_writer(graph, tmp_path, monkeypatch):
    # TensorFlow's V2 checkpoint writer creates the prefix's folder (one level) before writing, so the
    # tutorials' `saver.save(sess, "./model/x.ckpt")` works in a fresh directory.
    monkeypatch.chdir(tmp_path)
    v, saver = _saved_model()
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert saver.save(sess, "./model/x.ckpt") == "./model/x.ckpt"
    assert os.path.isfile(tmp_path / "model" / "x.ckpt.index")
    assert os.path.isfile(tmp_path / "model" / "x.ckpt.meta")
    assert tf.train.latest_checkpoint("./model") == os.path.join("./model", "x.ckpt")
    with tf.Session() as sess:
        saver.restore(sess, "./model/x.ckpt")
        np.testing.assert_array_equal(sess.run(v), [1.0, 2.0])


def test_save_does_not_create_a_chain_of_folders(graph, tmp_path):
    v, saver = _saved_model()
    path = str(tmp_path / "a" / "b" / "x.ckpt")
    with tf.Session() as sess:
        sess.run(v.initializer)
        with pytest.raises(ValueError, match="^Parent directory of " + path + " doesn't exist, can't save.$"):
            saver.save(sess, path)
    assert not os.path.exists(tmp_path / "a")


def test_save_under_a_file_reports_the_missing_folder(graph, tmp_path):
    (tmp_path / "actually_a_file").write_text("")
    v, saver = _saved_model()
    path = str(tmp_path / "actually_a_file" / "x.ckpt")
    with tf.Session() as sess:
        sess.run(v.initializer)
        with pytest.raises(ValueError, match="Parent directory of .* doesn't exist, can't save."):
            saver.save(sess, path)


def test_save_with_uninitialized_variables_into_a_missing_folder_names_the_folder(graph, tmp_path):
    # TensorFlow turns the failed run into the folder message when the folder is missing.
    _, saver = _saved_model()
    with tf.Session() as sess:
        with pytest.raises(ValueError, match="doesn't exist, can't save."):
            saver.save(sess, str(tmp_path / "a" / "b" / "x.ckpt"))


# --- dropout with a placeholder flag ---------------------------------------------------------------------------
def test_dropout_with_a_bool_placeholder_keeps_the_static_shape(graph):
    x = tf.placeholder(tf.float32, [None, 10])
    is_training = tf.placeholder(tf.bool)  # no shape given, as in the tutorials
    h = tf.layers.dropout(x, rate=0.5, training=is_training)
    assert h.shape.as_list() == [None, 10]
    y = tf.layers.dense(h, 3)  # failed: "The last dimension of the inputs to `Dense` should be defined"
    assert y.shape.as_list() == [None, 3]
    ones = np.ones((4, 10), np.float32)
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(h, {x: ones, is_training: False}), ones)
        dropped = sess.run(h, {x: ones, is_training: True})
        assert set(np.unique(dropped)) <= {0.0, 2.0}
        with pytest.raises(tf.errors.InvalidArgumentError):
            sess.run(h, {x: ones, is_training: [True, False]})


def test_where_with_a_scalar_condition_keeps_the_branches_shape(graph):
    flag = tf.placeholder(tf.bool, [])
    out = tf.where(flag, tf.zeros([2, 3]), tf.ones([2, 3]))
    assert out.shape.as_list() == [2, 3]


# --- softmax cross-entropy with labels of another rank ---------------------------------------------------------
def test_softmax_xent_v2_with_labels_of_higher_rank_builds_runs_and_differentiates(graph):
    logits = tf.placeholder(tf.float64, [None, 7])
    labels = tf.placeholder(tf.float64, [1, None, 7])
    loss = tf.nn.softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits)
    assert loss.shape.as_list() == [None]  # TensorFlow: the logits' shape without the class axis
    grads = tf.gradients(tf.reduce_mean(loss), [logits, labels])
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 7))
    y = rng.dirichlet(np.ones(7), 3)[None]
    log_softmax = x - np.log(np.exp(x).sum(-1, keepdims=True))
    with tf.Session() as sess:
        got_loss, (gx, gy) = sess.run([loss, grads], {logits: x, labels: y})
    np.testing.assert_allclose(got_loss, -(y[0] * log_softmax).sum(-1))
    np.testing.assert_allclose(gx, (np.exp(log_softmax) - y[0]) / 3)
    np.testing.assert_allclose(gy, -log_softmax[None] / 3)


def test_softmax_xent_op_gradient_with_broadcast_features(graph):
    # The fused op itself, labels [1, ?, 7] against features [?, 7]: the gradient's softmax runs on the
    # features' own class axis (it failed with "Dimension (2) must be in the range [-2, 2)").
    from neuroflow.framework.apply import apply_op
    from neuroflow.ops.nn_ops import SoftmaxCrossEntropyWithLogits
    x = tf.placeholder(tf.float64, [None, 7])
    y = tf.placeholder(tf.float64, [1, None, 7])
    loss, _ = apply_op(SoftmaxCrossEntropyWithLogits, [x, y], {"axis": -1})
    gx, gy = tf.gradients(tf.reduce_sum(loss), [x, y])
    rng = np.random.default_rng(1)
    xv, yv = rng.standard_normal((2, 7)), rng.dirichlet(np.ones(7), 2)[None]
    with tf.Session() as sess:
        got_x, got_y = sess.run([gx, gy], {x: xv, y: yv})
    softmax = np.exp(xv) / np.exp(xv).sum(-1, keepdims=True)
    np.testing.assert_allclose(got_x, softmax - yv[0])
    np.testing.assert_allclose(got_y, -np.log(softmax)[None])


# --- static shapes that TensorFlow infers ----------------------------------------------------------------------
def test_reshape_to_batch_and_minus_one_keeps_the_flattened_size(graph):
    images = tf.placeholder(tf.float32, [None, 28, 28, 1])
    pooled = tf.layers.max_pooling2d(tf.layers.conv2d(images, 16, 5, padding="same"), 4, 4)
    flat = tf.reshape(pooled, [tf.shape(pooled)[0], -1])
    assert flat.shape.as_list() == [None, 7 * 7 * 16]
    logits = tf.layers.dense(flat, 10)  # needs the known last dimension
    assert logits.shape.as_list() == [None, 10]
    batch = tf.shape(pooled)[0]
    assert tf.reshape(pooled, tf.stack([batch, 7, -1])).shape.as_list() == [None, 7, 112]
    assert tf.reshape(pooled, tf.concat([tf.shape(pooled)[:-1], [4, 4]], 0)).shape.as_list() == [None, 7, 7, 4, 4]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert sess.run(logits, {images: np.zeros((3, 28, 28, 1))}).shape == (3, 10)


def test_reshape_against_another_tensors_batch_stays_unknown(graph):
    # Only the tensor's own dimensions cancel: another tensor's unknown batch size says nothing about it.
    x = tf.placeholder(tf.float32, [None, 4, 2])
    other = tf.placeholder(tf.float32, [None, 3])
    assert tf.reshape(x, [tf.shape(other)[0], -1]).shape.as_list() == [None, None]
    n = tf.placeholder(tf.int32, [])
    assert tf.reshape(x, [n, -1]).shape.as_list() == [None, None]


def test_tile_and_slice_with_sizes_known_in_part(graph):
    # TensorFlow reads the known elements of a stacked shape: tiling a vector over the batch keeps its width.
    x = tf.placeholder(tf.float32, [None, 5, 8])
    v = tf.get_variable("v", [8])
    tiled = tf.tile(tf.expand_dims(v, 0), [tf.shape(x)[0], 1])
    assert tiled.shape.as_list() == [None, 8]
    assert tf.layers.dense(tiled, 2).shape.as_list() == [None, 2]
    assert tf.tile(x, tf.stack([tf.shape(x)[0], 1, 2])).shape.as_list() == [None, 5, 16]
    n = tf.placeholder(tf.int32, [])
    assert tf.tile(x, [1, n, 1]).shape.as_list() == [None, None, 8]
    assert tf.slice(x, [0, 0, 0], tf.stack([tf.shape(x)[0], 2, 8])).shape.as_list() == [None, 2, 8]
    assert tf.slice(x, [0, n, 0], [-1, 2, -1]).shape.as_list() == [None, 2, 8]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert sess.run(tiled, {x: np.zeros((3, 5, 8))}).shape == (3, 8)


def test_flatten_and_constant_reshape_give_dense_a_known_last_dimension(graph):
    x = tf.placeholder(tf.float32, [None, 7, 7, 16])
    for flat in (tf.reshape(x, [-1, 7 * 7 * 16]), tf.contrib.layers.flatten(x), tf.layers.flatten(x)):
        assert flat.shape.as_list() == [None, 784]
        assert tf.layers.dense(flat, 5).shape.as_list() == [None, 5]


# --- tf.where as TensorFlow 1's Select -------------------------------------------------------------------------
def test_where_with_a_vector_condition_picks_rows_as_tf1(graph):
    # TF1's tf.where: "If condition is rank 1, x may have higher rank, but its first dimension must match the
    # size of condition" (it failed: the condition was broadcast against the last axis).
    x = np.arange(6.0).reshape(2, 3)
    out = tf.where([True, False], x, -x)
    assert out.shape.as_list() == [2, 3]
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(out), [[0, 1, 2], [-3, -4, -5]])
    with pytest.raises(ValueError, match="Dimensions must be equal, but are 2 and 3"):
        tf.where([True, False, True], x, -x)  # TF1 refuses a condition that does not match the rows


def test_where_with_a_condition_of_unknown_rank_keeps_x_shape_and_checks_at_run_time(graph):
    cond = tf.placeholder(tf.bool)
    x, y = tf.zeros([2, 3]), tf.ones([2, 3])
    out = tf.where(cond, x, y)
    assert out.shape.as_list() == [2, 3]
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(out, {cond: [False, True]}), [[1, 1, 1], [0, 0, 0]])
        np.testing.assert_array_equal(sess.run(out, {cond: True}), np.zeros((2, 3)))
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match="Number of batches of 'then' must match size of 'cond', but saw: 2 vs. 3"):
            sess.run(out, {cond: [True, False, True]})
        with pytest.raises(tf.errors.InvalidArgumentError, match="must have the same size and shape"):
            sess.run(out, {cond: np.ones((3, 2), bool)})


def test_where_row_selection_gradient(graph):
    x = tf.placeholder(tf.float64, [2, 3])
    y = tf.placeholder(tf.float64, [2, 3])
    gx, gy = tf.gradients(tf.reduce_sum(tf.where([True, False], x, y) * 2.0), [x, y])
    with tf.Session() as sess:
        got_x, got_y = sess.run([gx, gy], {x: np.zeros((2, 3)), y: np.zeros((2, 3))})
    np.testing.assert_array_equal(got_x, [[2, 2, 2], [0, 0, 0]])
    np.testing.assert_array_equal(got_y, [[0, 0, 0], [2, 2, 2]])
