"""tf.nn dropout (statistics, seeds, keep_prob placeholders, errors), fused_batch_norm / lrn / top_k / in_top_k /
embedding_lookup behaviour not expressible as op-table rows, and the layers built on them: tf.layers dropout,
batch_normalization (moving statistics through UPDATE_OPS), flatten, and tf.contrib.layers."""
import math
import subprocess
import sys

import numpy as np
import pytest

import neuroflow as tf
from statistical_bounds import frequency_tolerance, std_tolerance



# --- tf.nn.dropout ---------------------------------------------------------------------------------------------
def test_dropout_statistics_and_exact_scaling(sess):
    x = tf.placeholder(tf.float32, [None, 500])
    xv = np.random.default_rng(0).uniform(1.0, 2.0, (400, 500)).astype(np.float32)
    y = tf.nn.dropout(x, 0.7)
    out = sess.run(y, {x: xv})
    kept = out != 0
    assert abs(kept.mean() - 0.7) < frequency_tolerance(kept.size, 0.7)
    # TensorFlow 2.x's scaling: x * scale with scale = 1 / (1 - rate), rate = 1 - keep_prob in double, rounded once
    np.testing.assert_array_equal(out[kept], xv[kept] * np.float32(1 / (1 - (1 - 0.7))))
    assert abs(out.sum() / xv.sum() - 1.0) < 0.01                          # the expected value is preserved
    assert y.shape.as_list() == [None, 500] and y.dtype == tf.float32 and y.name == "dropout/Dropout:0"


def test_dropout_draws_a_new_mask_on_each_run_and_seeds_reproduce_it():
    def masks(graph_seed, op_seed=None, runs=2):
        tf.reset_default_graph()
        if graph_seed is not None:
            tf.set_random_seed(graph_seed)
        y = tf.nn.dropout(tf.ones([50, 40]), keep_prob=0.5, seed=op_seed)
        with tf.Session() as s:
            return [s.run(y) for _ in range(runs)]
    first, second = masks(7)
    assert not np.array_equal(first, second)                 # a new draw on each run
    again = masks(7)
    np.testing.assert_array_equal(first, again[0])           # same program, same graph seed: same sequence
    np.testing.assert_array_equal(second, again[1])
    assert not np.array_equal(masks(8)[0], first)
    np.testing.assert_array_equal(masks(None, 3)[0], masks(None, 3)[0])   # op seed alone is enough
    assert not np.array_equal(masks(None)[0], masks(None)[0])            # no seed: nondeterministic


def test_dropout_reproducible_across_programs():
    program = ("import neuroflow as tf, numpy as np\ntf.set_random_seed(123)\n"
               "y = tf.nn.dropout(tf.ones([8, 8]), 0.5)\nprint(''.join('1' if v else '0' for v in "
               "tf.Session().run(y).ravel()))")
    runs = [subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True).stdout
            for _ in range(2)]
    assert runs[0] == runs[1] and set(runs[0].strip()) == {"0", "1"}


def test_keep_prob_placeholder_training_and_evaluation(sess):
    x = tf.placeholder(tf.float32, [None, 100])
    keep_prob = tf.placeholder(tf.float32)
    y = tf.nn.dropout(x, keep_prob)
    xv = np.random.default_rng(1).standard_normal((20, 100)).astype(np.float32)
    np.testing.assert_array_equal(sess.run(y, {x: xv, keep_prob: 1.0}), xv)   # evaluation: exactly x
    train = sess.run(y, {x: xv, keep_prob: 0.5})
    kept = train != 0
    assert abs(kept.mean() - 0.5) < frequency_tolerance(kept.size, 0.5)
    np.testing.assert_array_equal(train[kept], xv[kept] / np.float32(0.5))
    grad = tf.gradients(tf.reduce_sum(y), x)[0]
    out, g = sess.run([y, grad], {x: xv, keep_prob: 0.5})
    np.testing.assert_array_equal(g, (out != 0) / np.float32(0.5))           # the same mask, scaled


def test_rate_is_one_minus_keep_prob():
    def run(**kwargs):
        tf.reset_default_graph()
        tf.set_random_seed(5)
        y = tf.nn.dropout(tf.ones([30, 30]), **kwargs)
        with tf.Session() as s:
            return s.run(y)
    np.testing.assert_allclose(run(rate=0.25), run(keep_prob=0.75), rtol=1e-6)
    tf.reset_default_graph()
    rate = tf.placeholder(tf.float32, [])
    y = tf.nn.dropout(tf.ones([100, 100]), rate=rate)
    with tf.Session() as s:
        assert abs((s.run(y, {rate: 0.2}) != 0).mean() - 0.8) < 0.02
        assert np.all(s.run(y, {rate: 0.0}) == 1.0)


def test_dropout_returns_x_when_nothing_is_dropped():
    x = tf.placeholder(tf.float32, [3])
    assert tf.nn.dropout(x, 1.0) is x and tf.nn.dropout(x, rate=0) is x
    assert tf.nn.dropout(x, tf.constant(1.0)) is x


def test_dropout_noise_shape_broadcasts(sess):
    x = tf.placeholder(tf.float32, [None, 3, 3, 4])
    for noise_shape in ([10, 1, 1, 4], [None, 1, 1, None], tf.constant([10, 1, 1, 4])):
        y = tf.nn.dropout(x, 0.5, noise_shape=noise_shape)
        out = sess.run(y, {x: np.ones((10, 3, 3, 4), np.float32)})
        assert np.all(out == out[:, :1, :1, :])        # whole feature maps kept or dropped together
        assert 0 < (out != 0).mean() < 1


def test_dropout_errors():
    x = tf.ones([2, 2])
    with pytest.raises(ValueError, match="Cannot specify both 'keep_prob' and 'rate'"):
        tf.nn.dropout(x, keep_prob=0.5, rate=0.5)
    with pytest.raises(ValueError, match="You must provide a rate to dropout."):
        tf.nn.dropout(x)
    with pytest.raises(ValueError, match=r"rate must be a scalar tensor or a float in the range \[0, 1\), got 1"):
        tf.nn.dropout(x, 0.0)
    with pytest.raises(ValueError, match="got -0.5"):
        tf.nn.dropout(x, 1.5)
    with pytest.raises(ValueError, match="x has to be a floating point tensor since it's going to be scaled. Got a "
                                         "<dtype: 'int32'> tensor instead."):
        tf.nn.dropout(tf.ones([2], tf.int32), 0.5)
    with pytest.raises(ValueError, match="keep_prob must be a floating point number or Tensor"):
        tf.nn.dropout(x, "half")
    with pytest.raises(ValueError, match="incompatible"):
        tf.nn.dropout(x, tf.constant([0.5, 0.5]))


# --- fused_batch_norm, lrn, top_k, in_top_k, embedding_lookup -------------------------------------------------
def test_fused_batch_norm_names_and_errors():
    x = tf.placeholder(tf.float32, [None, 4, 4, 3])
    y, mean, var = tf.nn.fused_batch_norm(x, tf.ones([3]), tf.zeros([3]))
    assert y.op.type == "FusedBatchNormV3" and y.name == "FusedBatchNormV3:0" and mean.name == "FusedBatchNormV3:1"
    assert y.shape.as_list() == [None, 4, 4, 3] and mean.shape.as_list() == [3] == var.shape.as_list()
    with pytest.raises(ValueError, match="Both 'mean' and 'variance' must be None if is_training is True."):
        tf.nn.fused_batch_norm(x, tf.ones([3]), tf.zeros([3]), mean=tf.zeros([3]), variance=tf.ones([3]))
    with pytest.raises(ValueError, match="must be a 1D tensor when is_training is False"):
        tf.nn.fused_batch_norm(x, tf.ones([3]), tf.zeros([3]), is_training=False)
    with pytest.raises(ValueError, match="Shape must be rank 4 but is rank 2 for 'FusedBatchNormV3_1'"):
        tf.nn.fused_batch_norm(tf.ones([2, 3]), tf.ones([3]), tf.zeros([3]))
    with pytest.raises(ValueError, match="Dimensions must be equal, but are 3 and 2"):
        tf.nn.fused_batch_norm(x, tf.ones([2]), tf.zeros([2]))


def test_fused_batch_norm_returns_the_unbiased_variance(sess):
    xv = np.random.default_rng(2).standard_normal((2, 3, 3, 2)).astype(np.float32)
    y, mean, var = sess.run(tf.nn.fused_batch_norm(tf.constant(xv), tf.ones([2]), tf.zeros([2])))
    np.testing.assert_allclose(var, xv.reshape(-1, 2).var(0, ddof=1), rtol=1e-5)
    np.testing.assert_allclose(y.reshape(-1, 2).var(0), xv.reshape(-1, 2).var(0) / (
        xv.reshape(-1, 2).var(0) + 1e-3), rtol=1e-4)   # normalized with the biased variance


def test_lrn_and_top_k_errors(sess):
    with pytest.raises(ValueError, match="Shape must be rank 4 but is rank 2 for 'LRN'"):
        tf.nn.lrn(tf.ones([2, 3]))
    assert tf.nn.local_response_normalization(tf.ones([1, 1, 1, 3])).op.type == "LRN"
    with pytest.raises(ValueError, match="input must have last dimension >= k = 5 but is 3"):
        tf.nn.top_k(tf.ones([2, 3]), k=5)
    with pytest.raises(ValueError, match="Need k >= 0, got -1"):
        tf.nn.top_k(tf.ones([2, 3]), k=-1)
    with pytest.raises(ValueError, match="Shape must be at least rank 1 but is rank 0"):
        tf.nn.top_k(tf.constant(1.0))
    x = tf.placeholder(tf.float32, [None, None])
    result = tf.nn.top_k(x, k=2)
    assert result.values.op.type == "TopKV2" and result.indices.dtype == tf.int32
    assert result.indices.name == result.values.op.name + ":1"
    with pytest.raises(tf.errors.InvalidArgumentError, match="input must have at least k columns. Had 1, needed 2"):
        sess.run(result.values, {x: [[1.0]]})
    k = tf.placeholder(tf.int32, [])
    values, indices = tf.nn.top_k(x, k)
    assert values.shape.as_list() == [None, None]
    assert sess.run(indices, {x: [[1.0, 4.0, 4.0, 0.0]], k: 3}).tolist() == [[1, 2, 0]]


def test_in_top_k_names_shapes_and_errors(sess):
    predictions = tf.placeholder(tf.float32, [None, 4])
    targets = tf.placeholder(tf.int32, [None])
    correct = tf.nn.in_top_k(predictions, targets, 2)
    assert correct.name == "in_top_k/InTopKV2:0" and correct.dtype == tf.bool and correct.shape.as_list() == [None]
    out = sess.run(correct, {predictions: [[0.1, 0.6, 0.2, 0.6], [0.5, 0.2, 0.2, 0.1]], targets: [2, 2]})
    assert out.tolist() == [False, True]   # a tie at the k-th place counts
    with pytest.raises(tf.errors.InvalidArgumentError, match="First dimension of predictions 1 must match length of "
                                                             "targets 2"):
        sess.run(correct, {predictions: [[0.1, 0.6, 0.2, 0.6]], targets: [2, 2]})
    with pytest.raises(ValueError, match="Dimensions must be equal, but are 3 and 2"):
        tf.nn.in_top_k(tf.ones([3, 4]), tf.zeros([2], tf.int32), 1)
    assert tf.gradients(tf.reduce_sum(tf.cast(correct, tf.float32)), predictions)[0] is None


def test_embedding_lookup_trains_a_variable_and_checks_arguments():
    embeddings = tf.Variable(np.zeros((5, 2), np.float32))
    ids = tf.placeholder(tf.int32, [None])
    looked_up = tf.nn.embedding_lookup(embeddings, ids)
    assert looked_up.name == "embedding_lookup/Identity:0" and looked_up.shape.as_list() == [None, 2]
    step = tf.train.GradientDescentOptimizer(1.0).minimize(-tf.reduce_sum(looked_up))
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        s.run(step, {ids: [1, 3, 1]})
        np.testing.assert_array_equal(s.run(embeddings)[:, 0], [0, 2, 0, 1, 0])   # repeated ids add up
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"indices\[0\] = 7 is not in \[0, 5\)"):
            s.run(looked_up, {ids: [7]})
    with pytest.raises(ValueError, match="Need at least one param"):
        tf.nn.embedding_lookup([], ids)
    with pytest.raises(ValueError, match="Unrecognized partition strategy: bad"):
        tf.nn.embedding_lookup([embeddings, embeddings], ids, partition_strategy="bad")


def test_partitioned_embedding_with_unknown_partition_sizes(sess):
    table = np.arange(14, dtype=np.float32).reshape(7, 2)
    parts = [tf.placeholder(tf.float32, [None, 2]) for _ in range(3)]
    feed = dict(zip(parts, [table[0:3], table[3:5], table[5:7]]))
    ids = np.array([[6, 0], [3, 4]])
    out = tf.nn.embedding_lookup(parts, ids, partition_strategy="div")
    np.testing.assert_array_equal(sess.run(out, feed), table[ids])
    mod = tf.nn.embedding_lookup(parts, ids, partition_strategy="mod")
    feed = dict(zip(parts, [table[0::3], table[1::3], table[2::3]]))
    np.testing.assert_array_equal(sess.run(mod, feed), table[ids])


# --- tf.layers.dropout / Dropout ---------------------------------------------------------------------------------
def test_layers_dropout_training_flag(sess):
    x = tf.placeholder(tf.float32, [None, 200])
    xv = np.ones((50, 200), np.float32)
    off = tf.layers.dropout(x)                       # training defaults to False
    on = tf.layers.dropout(x, rate=0.25, training=True)
    assert off.name == "dropout/Identity:0" and on.op.name.startswith("dropout_1/")
    np.testing.assert_array_equal(sess.run(off, {x: xv}), xv)
    out = sess.run(on, {x: xv})
    assert abs((out != 0).mean() - 0.75) < 0.02 and set(np.unique(out)) <= {0.0, np.float32(1 / 0.75)}
    training = tf.placeholder(tf.bool, [])
    switched = tf.layers.dropout(x, rate=0.5, training=training)
    np.testing.assert_array_equal(sess.run(switched, {x: xv, training: False}), xv)
    assert abs((sess.run(switched, {x: xv, training: True}) != 0).mean() - 0.5) < frequency_tolerance(xv.size, 0.5)
    assert tf.global_variables() == []
    layer = tf.layers.Dropout(0.5, noise_shape=[None, 1])
    rows = sess.run(layer(x, training=True), {x: xv})
    assert np.all(rows == rows[:, :1]) and layer.name == "dropout_3"
    assert sess.run(tf.layers.dropout(x, training=tf.constant(False)), {x: xv}).tolist() == xv.tolist()


# --- tf.layers.batch_normalization / BatchNormalization ----------------------------------------------------------
def _bn_vars(prefix="batch_normalization"):
    return [f"{prefix}/{n}:0" for n in ("gamma", "beta", "moving_mean", "moving_variance")]


def test_batch_norm_variables_and_inference_mode(sess):
    x = tf.placeholder(tf.float32, [None, 3])
    y = tf.layers.batch_normalization(x)            # training=False: the moving statistics, no updates
    assert y.shape.as_list() == [None, 3]
    assert [v.name for v in tf.global_variables()] == _bn_vars()
    assert [v.name for v in tf.trainable_variables()] == _bn_vars()[:2]
    assert all(v.shape.as_list() == [3] for v in tf.global_variables())
    assert tf.get_collection(tf.GraphKeys.UPDATE_OPS) == []
    sess.run(tf.global_variables_initializer())
    xv = np.random.default_rng(3).standard_normal((8, 3)).astype(np.float32)
    np.testing.assert_allclose(sess.run(y, {x: xv}), xv / np.sqrt(1 + 1e-3), rtol=1e-6)
    sess.run(tf.assign(tf.global_variables()[2], [1.0, 2.0, 3.0]))
    np.testing.assert_allclose(sess.run(y, {x: xv}), (xv - [1, 2, 3]) / np.sqrt(1 + 1e-3), rtol=1e-5, atol=1e-6)
    y2 = tf.layers.batch_normalization(x, center=False, scale=False, name="bn")
    assert [v.name for v in tf.global_variables()[4:]] == ["bn/moving_mean:0", "bn/moving_variance:0"]
    assert y2.op.name.startswith("bn/")


@pytest.mark.parametrize("shape, axis, unbiased", [((6, 4), -1, False), ((5, 3, 3, 4), -1, True),
                                                   ((5, 4, 3, 3), 1, True), ((4, 3, 4), 1, False)])
def test_batch_norm_training_updates_moving_statistics(sess, shape, axis, unbiased):
    x = tf.placeholder(tf.float32, [None] + list(shape[1:]))
    y = tf.layers.batch_normalization(x, axis=axis, momentum=0.9, training=True)
    updates = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    assert [u.op.name for u in updates] == ["batch_normalization/AssignMovingAvg",
                                            "batch_normalization/AssignMovingAvg_1"]
    sess.run(tf.global_variables_initializer())
    xv = np.random.default_rng(4).normal(2.0, 3.0, shape).astype(np.float32)
    axes = tuple(i for i in range(len(shape)) if i != axis % len(shape))
    mean, var = xv.mean(axes), xv.var(axes, ddof=1 if unbiased else 0)
    view = [1] * len(shape)
    view[axis] = -1
    out = sess.run(y, {x: xv})      # the batch's statistics normalize; running y alone updates nothing
    np.testing.assert_allclose(out, (xv - mean.reshape(view)) / np.sqrt(xv.var(axes).reshape(view) + 1e-3),
                               rtol=1e-4, atol=1e-4)
    moving_mean, moving_var = tf.global_variables()[2:]
    np.testing.assert_array_equal(sess.run(moving_mean), np.zeros(shape[axis]))
    sess.run(updates, {x: xv})
    np.testing.assert_allclose(sess.run(moving_mean), 0.1 * mean, rtol=1e-5)
    np.testing.assert_allclose(sess.run(moving_var), 0.9 + 0.1 * var, rtol=1e-5)


def test_batch_norm_with_a_training_placeholder(sess):
    x = tf.placeholder(tf.float32, [None, 2, 2, 3])
    training = tf.placeholder(tf.bool, [])
    y = tf.layers.batch_normalization(x, training=training)
    sess.run(tf.global_variables_initializer())
    xv = np.random.default_rng(5).normal(1.0, 2.0, (4, 2, 2, 3)).astype(np.float32)
    moving = tf.global_variables()[2:]
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        out = tf.identity(y)
    inference = sess.run(out, {x: xv, training: False})
    np.testing.assert_allclose(inference, xv / np.sqrt(1.001), rtol=1e-5)
    assert sess.run(moving[0]).tolist() == [0, 0, 0] and sess.run(moving[1]).tolist() == [1, 1, 1]
    trained = sess.run(out, {x: xv, training: True})
    np.testing.assert_allclose(trained.reshape(-1, 3).mean(0), 0, atol=1e-5)
    np.testing.assert_allclose(sess.run(moving[0]), 0.01 * xv.reshape(-1, 3).mean(0), rtol=1e-5)
    np.testing.assert_allclose(sess.run(moving[1]), 0.99 + 0.01 * xv.reshape(-1, 3).var(0, ddof=1), rtol=1e-5)
    g = tf.gradients(tf.reduce_sum(y * y), x)[0]
    assert sess.run(g, {x: xv, training: True}).shape == xv.shape


def test_batch_norm_layer_trains_then_infers_with_the_moving_statistics(sess):
    x = tf.placeholder(tf.float32, [None, 3, 3, 2])
    layer = tf.layers.BatchNormalization(momentum=0.5, epsilon=1e-2)
    train_out, infer_out = layer(x, training=True), layer(x, training=False)
    assert train_out.op.type == infer_out.op.type == "FusedBatchNormV3" and len(layer.weights) == 4
    sess.run(tf.global_variables_initializer())
    xv = np.random.default_rng(7).normal(3.0, 2.0, (6, 3, 3, 2)).astype(np.float32)
    sess.run(layer.updates, {x: xv})
    mean, var = sess.run([layer.moving_mean, layer.moving_variance])
    np.testing.assert_allclose(mean, 0.5 * xv.reshape(-1, 2).mean(0), rtol=1e-5)
    np.testing.assert_allclose(var, 0.5 + 0.5 * xv.reshape(-1, 2).var(0, ddof=1), rtol=1e-5)
    np.testing.assert_allclose(sess.run(infer_out, {x: xv}), (xv - mean) / np.sqrt(var + 1e-2), rtol=1e-4,
                               atol=1e-5)


def test_batch_norm_layer_object_reuse_and_errors():
    x = tf.placeholder(tf.float32, [None, 4])
    layer = tf.layers.BatchNormalization(gamma_regularizer=lambda g: tf.reduce_sum(g))
    layer(x, training=True)
    layer(x, training=True)
    assert len(tf.global_variables()) == 4 and len(layer.updates) == 4
    assert [v.name for v in layer.non_trainable_weights] == _bn_vars()[2:]
    assert len(tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)) == 1
    tf.layers.batch_normalization(x, name="shared")
    tf.layers.batch_normalization(x, name="shared", reuse=True)
    assert len(tf.global_variables()) == 8
    with pytest.raises(ValueError, match="Input has undefined `axis` dimension"):
        tf.layers.batch_normalization(tf.placeholder(tf.float32, [None, None]))
    with pytest.raises(ValueError, match="Invalid axis: 3"):
        tf.layers.batch_normalization(x, axis=3)
    with pytest.raises(NotImplementedError, match="renorm"):
        tf.layers.batch_normalization(x, renorm=True)


def _digits_network(optimizer, standard_pattern):
    """Dense -> batch norm -> relu -> dropout -> dense on scikit-learn's digits, trained with the batch-norm
    updates either as the train op's control dependencies (the standard pattern) or fetched alongside it."""
    digits = pytest.importorskip("sklearn.datasets").load_digits()  # skips only the digits tests
    images = (digits.data / 16.0).astype(np.float32)
    labels = digits.target.astype(np.int64)
    order = np.random.default_rng(0).permutation(len(images))
    train_idx, test_idx = order[:1400], order[1400:]
    tf.set_random_seed(0)
    x = tf.placeholder(tf.float32, [None, 64])
    t = tf.placeholder(tf.int64, [None])
    is_training = tf.placeholder_with_default(False, [])
    h = tf.layers.dense(x, 64, use_bias=False)
    h = tf.nn.relu(tf.layers.batch_normalization(h, momentum=0.9, training=is_training))
    h = tf.layers.dropout(h, rate=0.2, training=is_training)
    logits = tf.layers.dense(h, 10)
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=t, logits=logits))
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    assert len(update_ops) == 2
    if standard_pattern:
        with tf.control_dependencies(update_ops):
            train = optimizer.minimize(loss)
    else:
        train = [optimizer.minimize(loss), update_ops]
    accuracy = tf.reduce_mean(tf.cast(tf.nn.in_top_k(logits, tf.cast(t, tf.int32), 1), tf.float32))
    moving_mean = [v for v in tf.global_variables() if v.name == "batch_normalization/moving_mean:0"][0]
    rng = np.random.default_rng(1)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        before = sess.run(loss, {x: images[train_idx], t: labels[train_idx]})
        for epoch in range(10):
            perm = rng.permutation(train_idx)
            for start in range(0, len(perm), 64):
                batch = perm[start:start + 64]
                sess.run(train, {x: images[batch], t: labels[batch], is_training: True})
        assert np.abs(sess.run(moving_mean)).sum() > 0       # the updates ran with the training steps
        assert sess.run(loss, {x: images[train_idx], t: labels[train_idx]}) < before / 5
        return sess.run(accuracy, {x: images[test_idx], t: labels[test_idx]})


# The seeded runs below reach 392/397 = 0.987 test accuracy; the bars leave four test images of margin.
def test_batch_norm_and_dropout_network_learns_digits():
    assert _digits_network(tf.train.AdamOptimizer(0.01), standard_pattern=False) > 0.975


def test_update_ops_as_control_dependencies_of_the_train_op():
    assert _digits_network(tf.train.GradientDescentOptimizer(0.5), standard_pattern=True) > 0.975


def test_update_ops_as_control_dependencies_with_adam():
    # Adam's slots are created inside control_dependencies(UPDATE_OPS): their initializers must not depend on it.
    assert _digits_network(tf.train.AdamOptimizer(0.01), standard_pattern=True) > 0.975


# --- tf.layers.flatten, tf.contrib.layers ------------------------------------------------------------------------
def test_flatten_layers(sess):
    x = tf.placeholder(tf.float32, [None, 2, 3, 4])
    flat = tf.layers.flatten(x)
    assert flat.name == "flatten/Reshape:0" and flat.shape.as_list() == [None, 24]
    xv = np.arange(48, dtype=np.float32).reshape(2, 2, 3, 4)
    np.testing.assert_array_equal(sess.run(flat, {x: xv}), xv.reshape(2, -1))
    first = tf.layers.Flatten(data_format="channels_first")(x)
    np.testing.assert_array_equal(sess.run(first, {x: xv}), xv.transpose(0, 2, 3, 1).reshape(2, -1))
    unknown = tf.layers.flatten(tf.placeholder(tf.float32, [None, None, 3]))
    assert unknown.shape.as_list() == [None, None]
    assert sess.run(unknown, {unknown.op.inputs[0]: np.ones((2, 5, 3))}).shape == (2, 15)
    assert tf.layers.flatten(tf.ones([5])).shape.as_list() == [5, 1]
    with tf.Graph().as_default():
        contrib = tf.contrib.layers.flatten(tf.placeholder(tf.float32, [None, 2, 3, 4]))
        assert contrib.name == "Flatten/flatten/Reshape:0" and contrib.shape.as_list() == [None, 24]
    with pytest.raises(ValueError, match='The `data_format` argument must be one of "channels_first"'):
        tf.layers.Flatten(data_format="NHWC")


def test_contrib_fully_connected_names_and_options(sess):
    x = tf.placeholder(tf.float32, [None, 5])
    h = tf.contrib.layers.fully_connected(x, 4)
    logits = tf.contrib.layers.fully_connected(h, 3, activation_fn=None,
                                               weights_regularizer=lambda w: tf.reduce_sum(tf.square(w)))
    assert h.name == "fully_connected/Relu:0" and logits.name == "fully_connected_1/BiasAdd:0"
    names = ["fully_connected/weights:0", "fully_connected/biases:0", "fully_connected_1/weights:0",
             "fully_connected_1/biases:0"]
    assert [v.name for v in tf.trainable_variables()] == names == [v.name for v in tf.model_variables()]
    assert len(tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)) == 1
    tf.contrib.layers.fully_connected(x, 4, scope="fully_connected", reuse=True)
    with pytest.raises(ValueError, match="already exists"):
        tf.contrib.layers.fully_connected(x, 4, scope="fully_connected")
    normalized = tf.contrib.layers.fully_connected(x, 2, normalizer_fn=tf.contrib.layers.batch_norm, scope="bn_fc")
    assert [v.name for v in tf.global_variables()[4:]] == ["bn_fc/weights:0", "bn_fc/BatchNorm/beta:0",
                                                           "bn_fc/BatchNorm/moving_mean:0",
                                                           "bn_fc/BatchNorm/moving_variance:0"]
    assert len(tf.get_collection(tf.GraphKeys.UPDATE_OPS)) == 2 and normalized.shape.as_list() == [None, 2]
    sess.run(tf.global_variables_initializer())
    w, b = sess.run(tf.trainable_variables()[:2])
    assert np.abs(w).max() <= np.sqrt(6 / 9) and not b.any()     # Xavier uniform, zero biases
    xv = np.random.default_rng(6).standard_normal((3, 5)).astype(np.float32)
    np.testing.assert_allclose(sess.run(h, {x: xv}), np.maximum(xv @ w + b, 0), rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="num_outputs type should be one of"):
        tf.contrib.layers.fully_connected(x, 2.0)


def _truncated_normal_std(scale, cut):
    """The standard deviation of a normal(0, scale) redrawn outside +-cut * scale."""
    density = math.exp(-cut * cut / 2) / math.sqrt(2 * math.pi)
    return scale * math.sqrt(1 - 2 * cut * density / math.erf(cut / math.sqrt(2)))


def test_contrib_initializers_and_dropout(sess):
    w = tf.get_variable("w", [400, 100], initializer=tf.contrib.layers.xavier_initializer(seed=1))
    he = tf.get_variable("he", [400, 100], initializer=tf.contrib.layers.variance_scaling_initializer(seed=2))
    sess.run(tf.global_variables_initializer())
    wv, hv = sess.run([w, he])
    limit = np.sqrt(6.0 / 500)
    assert np.abs(wv).max() <= np.float32(limit)
    assert wv.std() == pytest.approx(limit / np.sqrt(3), rel=std_tolerance(wv.size, kurtosis=1.8))  # uniform
    he_scale = np.sqrt(1.3 * 2 / 400)  # truncated at two of these: the std is sqrt(2 / 400) to 0.3%
    assert np.abs(hv).max() <= 2 * he_scale
    assert hv.std() == pytest.approx(_truncated_normal_std(he_scale, 2.0), rel=std_tolerance(hv.size, kurtosis=3.0))
    with pytest.raises(TypeError, match="Cannot create initializer for non-floating point type."):
        tf.contrib.layers.xavier_initializer(dtype=tf.int32)
    x = tf.ones([20, 20])
    dropped = tf.contrib.layers.dropout(x, keep_prob=0.5)
    assert dropped.op.name.startswith("Dropout/") and 0 < (sess.run(dropped) == 0).mean() < 1
    assert sess.run(tf.contrib.layers.dropout(x, is_training=False)).tolist() == np.ones((20, 20)).tolist()
