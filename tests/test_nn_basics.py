"""`tf.nn` basics beyond the op table: stability at extreme logits (values and gradients), TensorFlow's errors
and messages (labels out of range, the `_sentinel` guard, bias_add shapes), v1 vs v2 label gradients, node names."""
import re

import numpy as np
import pytest

import neuroflow as tf

EXTREME = np.array([[1000.0, 0.0, -1000.0], [-1000.0, -1000.0, 1000.0], [1000.0, 1000.0, -1000.0]])


def _run(fetches, feed=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed)


def _all_finite(values):
    return all(np.all(np.isfinite(v)) for v in values)


# --- stability at +-1000 -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_and_log_softmax_at_1000(dtype):
    x = tf.placeholder(dtype, [3, 3])
    y, log_y = tf.nn.softmax(x), tf.nn.log_softmax(x)
    w = np.arange(9.0).reshape(3, 3).astype(dtype)
    grads = tf.gradients(tf.reduce_sum(y * w), x) + tf.gradients(tf.reduce_sum(log_y * w), x)
    second = tf.gradients(tf.reduce_sum(tf.square(grads[0])), x)
    got = _run([y, log_y] + grads + second, {x: EXTREME})
    assert _all_finite(got)
    np.testing.assert_allclose(got[0], [[1, 0, 0], [0, 0, 1], [0.5, 0.5, 0]], atol=1e-7)
    log2 = np.log(2)
    np.testing.assert_allclose(got[1], [[0, -1000, -2000], [-2000, -2000, 0], [-log2, -log2, -2000 - log2]], rtol=1e-6)
    # d/dx sum(w * log_softmax(x)) = w - softmax(x) * sum(w)
    np.testing.assert_allclose(got[3], w - got[0] * w.sum(axis=1, keepdims=True), rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cross_entropies_at_1000(dtype):
    x = tf.placeholder(dtype, [3, 3])
    onehot = np.eye(3, dtype=dtype)[[2, 0, 1]]
    sparse = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.constant([2, 0, 1]), logits=x)
    dense = tf.nn.softmax_cross_entropy_with_logits_v2(labels=onehot, logits=x)
    fetches = [sparse, dense]
    for loss in (sparse, dense):
        g = tf.gradients(tf.reduce_sum(loss), x)[0]
        fetches += [g, tf.gradients(tf.reduce_sum(tf.square(g * loss[:, None])), x)[0]]
    got = _run(fetches, {x: EXTREME})
    assert _all_finite(got)
    expected_loss = [2000, 2000, np.log(2)]
    softmax = np.array([[1, 0, 0], [0, 0, 1], [0.5, 0.5, 0]])
    for loss, grad in ((got[0], got[2]), (got[1], got[4])):
        np.testing.assert_allclose(loss, expected_loss, rtol=1e-6)
        np.testing.assert_allclose(grad, softmax - onehot, atol=1e-7)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_and_weighted_cross_entropy_at_1000(dtype):
    x = tf.placeholder(dtype, [4])
    z = tf.placeholder(dtype, [4])
    logits = np.array([1000, -1000, 1000, -1000], dtype)
    labels = np.array([0, 1, 1, 0], dtype)
    losses = [tf.nn.sigmoid_cross_entropy_with_logits(labels=z, logits=x),
              tf.nn.weighted_cross_entropy_with_logits(labels=z, logits=x, pos_weight=3.0)]
    fetches = list(losses)
    for loss in losses:
        fetches += tf.gradients(tf.reduce_sum(loss), [x, z])
    got = _run(fetches, {x: logits, z: labels})
    assert _all_finite(got)
    np.testing.assert_allclose(got[0], [1000, 1000, 0, 0])
    np.testing.assert_allclose(got[1], [1000, 3000, 0, 0])
    np.testing.assert_allclose(got[2], [1, -1, 0, 0])          # sigmoid(x) - z
    np.testing.assert_allclose(got[3], -logits)                 # -x


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_activations_at_1000(dtype):
    x = tf.placeholder(dtype, [2])
    v = np.array([1000.0, -1000.0], dtype)
    fns = [tf.nn.softplus, tf.nn.elu, tf.nn.selu, tf.nn.softsign, tf.nn.relu, tf.nn.relu6, tf.nn.leaky_relu]
    outs = [f(x) for f in fns]
    grads = [tf.gradients(tf.reduce_sum(y), x)[0] for y in outs]
    # Piecewise-linear activations have no second derivative: "zero" makes it a tensor to fetch.
    second = [tf.gradients(tf.reduce_sum(tf.square(g)), x, unconnected_gradients="zero")[0] for g in grads]
    got = _run(outs + grads + second, {x: v})
    assert _all_finite(got)
    np.testing.assert_allclose(got[0], [1000, 0])
    np.testing.assert_allclose(got[1], [1000, -1])
    np.testing.assert_allclose(got[2], [1.0507009873554805 * 1000, -1.0507009873554805 * 1.6732632423543772],
                               rtol=1e-6)
    np.testing.assert_allclose(got[3], [1000 / 1001, -1000 / 1001], rtol=1e-6)
    np.testing.assert_allclose(got[len(fns)], [1, 0])   # softplus' slope: sigmoid


def test_softplus_is_accurate_for_small_values():
    got = _run(tf.nn.softplus(tf.constant([-20.0, -40.0], tf.float64)))
    np.testing.assert_allclose(got, np.log1p(np.exp([-20.0, -40.0])), rtol=1e-12)


def test_sigmoid_cross_entropy_gradient_at_zero_logits():
    x = tf.constant([0.0, 0.0])
    loss = tf.nn.sigmoid_cross_entropy_with_logits(labels=[1.0, 0.0], logits=x)
    np.testing.assert_allclose(_run(tf.gradients(tf.reduce_sum(loss), x)[0]), [-0.5, 0.5])


def test_l2_normalize_of_zeros_has_finite_gradient():
    x = tf.constant(np.zeros((2, 3)))
    y = tf.nn.l2_normalize(x, axis=1)
    value, grad = _run([y, tf.gradients(tf.reduce_sum(y), x)[0]])
    assert np.all(value == 0) and _all_finite([grad])


# --- sparse cross-entropy errors -----------------------------------------------------------------------------------
def test_sparse_label_out_of_range_is_invalid_argument():
    logits = tf.placeholder(tf.float32, [None, 10])
    labels = tf.placeholder(tf.int64, [None])
    loss = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError) as info:
            sess.run(loss, {logits: np.zeros((3, 10)), labels: [1, 10, 2]})
        assert info.value.message.startswith("Received a label value of 10 which is outside the valid range of "
                                             "[0, 10).  Label values: 1 10 2")
        assert info.value.op is loss.op
        with pytest.raises(tf.errors.InvalidArgumentError, match=re.escape("Received a label value of -1 which")):
            sess.run(loss, {logits: np.zeros((2, 10)), labels: [-1, 12]})
        with pytest.raises(tf.errors.InvalidArgumentError, match=re.escape(
                "logits and labels must have the same first dimension, got logits shape [3,10] and labels "
                "shape [2]")):
            sess.run(loss, {logits: np.zeros((3, 10)), labels: [1, 2]})


def test_sparse_needs_a_class():
    logits = tf.placeholder(tf.float32, [None, None])
    loss = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.constant([0, 0]), logits=logits)
    with pytest.raises(tf.errors.InvalidArgumentError, match=re.escape(
            "Must have at least one class, but got logits shape [2,0]")):
        _run(loss, {logits: np.zeros((2, 0))})


def test_sparse_static_shape_errors():
    logits = tf.placeholder(tf.float32, [3, 10])
    with pytest.raises(ValueError, match=re.escape("Rank mismatch: Rank of labels (received 2) should equal rank of "
                                                   "logits minus 1 (received 2).")):
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.zeros([3, 10], tf.int32), logits=logits)
    with pytest.raises(ValueError, match=re.escape("Shape mismatch: The shape of labels (received (4,)) should equal "
                                                   "the shape of logits except for the last dimension (received "
                                                   "(3, 10)).")):
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.zeros([4], tf.int32), logits=logits)
    with pytest.raises(ValueError, match="Logits cannot be scalars"):
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.zeros([], tf.int32), logits=tf.constant(1.0))
    with pytest.raises(TypeError, match="Value passed to parameter 'labels' has DataType float32 not in list of "
                                        "allowed values: int32, int64"):
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.zeros([3]), logits=logits)


# --- the _sentinel guard -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("fn", ["sparse_softmax_cross_entropy_with_logits", "softmax_cross_entropy_with_logits",
                                "sigmoid_cross_entropy_with_logits"])
def test_positional_calls_are_refused(fn):
    logits = tf.zeros([2, 3])
    with pytest.raises(ValueError) as info:
        getattr(tf.nn, fn)([0, 1], logits)
    assert str(info.value) == f"Only call `{fn}` with named arguments (labels=..., logits=..., ...)"
    with pytest.raises(ValueError, match=re.escape("Both labels and logits must be provided.")):
        getattr(tf.nn, fn)(logits=logits)


# --- bias_add ------------------------------------------------------------------------------------------------------
def test_bias_add_shape_errors():
    value = tf.zeros([2, 3])
    with pytest.raises(ValueError, match=re.escape("Shape must be rank 1 but is rank 2 for 'BiasAdd' (op: 'BiasAdd') "
                                                   "with input shapes: [2,3], [1,3].")):
        tf.nn.bias_add(value, tf.zeros([1, 3]))
    with pytest.raises(ValueError, match=re.escape("Dimensions must be equal, but are 3 and 4 for 'BiasAdd_1' (op: "
                                                   "'BiasAdd') with input shapes: [2,3], [4].")):
        tf.nn.bias_add(value, tf.zeros([4]))
    with pytest.raises(ValueError, match=re.escape("Shape must be at least rank 2 but is rank 1")):
        tf.nn.bias_add(tf.zeros([3]), tf.zeros([3]))
    with pytest.raises(ValueError, match=re.escape("Shape must be at least rank 3 but is rank 2")):
        tf.nn.bias_add(value, tf.zeros([3]), data_format="NCHW")
    with pytest.raises(ValueError, match=re.escape("Dimensions must be equal, but are 3 and 2")):
        tf.nn.bias_add(tf.zeros([2, 3, 4, 2]), tf.zeros([2]), data_format="NCHW")
    with pytest.raises(ValueError, match=re.escape("data_format must be of the form `N...C` or `NC...`")):
        tf.nn.bias_add(value, tf.zeros([3]), data_format="HWC")
    with pytest.raises(ValueError, match="Tensor conversion requested dtype float32 for Tensor with dtype float64"):
        tf.nn.bias_add(value, tf.zeros([3], tf.float64))


def test_bias_add_run_time_mismatch():
    value = tf.placeholder(tf.float32, [None, None])
    bias = tf.placeholder(tf.float32, [None])
    y = tf.nn.bias_add(value, bias)
    with pytest.raises(tf.errors.InvalidArgumentError, match=re.escape(
            "Must provide as many biases as the channel dimension of the input tensor: [1] vs. [2,3]")):
        _run(y, {value: np.zeros((2, 3)), bias: [1.0]})   # would broadcast silently in NumPy
    assert _run(y, {value: np.zeros((2, 3)), bias: [1.0, 2.0, 3.0]}).tolist() == [[1, 2, 3]] * 2


def test_bias_add_data_format_spellings():
    v = np.arange(12.0).reshape(1, 3, 2, 2).astype(np.float32)
    b = np.array([10.0, 20.0, 30.0], np.float32)
    nchw, ncw = tf.nn.bias_add(v, b, data_format="NCHW"), tf.nn.bias_add(v[..., 0], b, data_format="NCW")
    nhwc = tf.nn.bias_add(v.transpose(0, 2, 3, 1), b, data_format="NHWC")
    got = _run([nchw, ncw, nhwc])
    np.testing.assert_array_equal(got[0], v + b[:, None, None])
    np.testing.assert_array_equal(got[1], v[..., 0] + b[:, None])
    np.testing.assert_array_equal(got[2], v.transpose(0, 2, 3, 1) + b)


# --- v1 vs v2 label gradients --------------------------------------------------------------------------------------
def test_v1_stops_label_gradient_and_v2_does_not():
    logits = tf.constant([[1.0, 2.0, 3.0]], tf.float64)
    labels = tf.constant([[0.2, 0.3, 0.5]], tf.float64)
    v1 = tf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    v2 = tf.nn.softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits)
    assert tf.gradients(v1, labels)[0] is None
    g2, g1_logits, g2_logits = _run([tf.gradients(v2, labels)[0], tf.gradients(v1, logits)[0],
                                     tf.gradients(v2, logits)[0]])
    x = np.array([[1.0, 2.0, 3.0]])
    log_softmax = x - np.log(np.sum(np.exp(x)))
    np.testing.assert_allclose(g2, -log_softmax)
    np.testing.assert_allclose(g1_logits, np.exp(log_softmax) - [[0.2, 0.3, 0.5]])
    np.testing.assert_allclose(g2_logits, g1_logits)


def test_dense_cross_entropy_shape_mismatch_and_axis_arguments():
    with pytest.raises(ValueError, match="Dimensions must be equal, but are 3 and 4"):
        tf.nn.softmax_cross_entropy_with_logits_v2(labels=tf.zeros([2, 4]), logits=tf.zeros([2, 3]))
    with pytest.raises(ValueError, match=re.escape("Cannot specify both 'dim' and 'axis'.")):
        tf.nn.softmax_cross_entropy_with_logits_v2(labels=tf.zeros([2, 3]), logits=tf.zeros([2, 3]), axis=0, dim=0)
    loss = tf.nn.softmax_cross_entropy_with_logits(labels=tf.zeros([2, 3]), logits=tf.zeros([2, 3]), axis=0)
    assert loss.shape.as_list() == [3]


# --- softmax arguments ---------------------------------------------------------------------------------------------
def test_softmax_axis_errors():
    with pytest.raises(tf.errors.InvalidArgumentError, match=re.escape(
            "Dimension (2) must be in the range [-2, 2) where 2 is the number of dimensions in the input.")):
        tf.nn.softmax(tf.zeros([2, 3]), axis=2)
    with pytest.raises(ValueError, match=re.escape("Cannot specify both 'dim' and 'axis'.")):
        tf.nn.log_softmax(tf.zeros([2, 3]), axis=1, dim=1)
    with pytest.raises(ValueError, match="Shape must be at least rank 1 but is rank 0"):
        tf.nn.softmax(tf.constant(1.0))
    with pytest.raises(TypeError, match="not in list of allowed values"):
        tf.nn.softmax(tf.constant([1, 2]))


def test_moments_arguments():
    x = tf.constant(np.arange(12.0).reshape(4, 3))
    mean, variance = tf.nn.moments(x, axes=[0], keep_dims=True)
    assert mean.shape.as_list() == [1, 3] and variance.shape.as_list() == [1, 3]
    with pytest.raises(ValueError, match=re.escape("Cannot specify both 'keep_dims' and 'keepdims'.")):
        tf.nn.moments(x, [0], keep_dims=True, keepdims=True)
    mean, variance = tf.nn.moments(tf.placeholder(tf.float64, [None, 3]), axes=[0])
    assert mean.shape.as_list() == [3] and variance.shape.as_list() == [3]


# --- names ---------------------------------------------------------------------------------------------------------
def test_default_node_names_and_types():
    x = tf.placeholder(tf.float32, [2, 3], name="x")
    b = tf.zeros([3])
    cases = [
        (tf.nn.relu(x), "Relu", "Relu"), (tf.nn.relu(x), "Relu_1", "Relu"), (tf.nn.relu6(x), "Relu6", "Relu6"),
        (tf.nn.leaky_relu(x), "LeakyRelu", "LeakyRelu"), (tf.nn.elu(x), "Elu", "Elu"),
        (tf.nn.selu(x), "Selu", "Selu"), (tf.nn.softplus(x), "Softplus", "Softplus"),
        (tf.nn.softsign(x), "Softsign", "Softsign"), (tf.nn.softmax(x), "Softmax", "Softmax"),
        (tf.nn.log_softmax(x), "LogSoftmax", "LogSoftmax"), (tf.nn.bias_add(x, b), "BiasAdd", "BiasAdd"),
        (tf.nn.l2_loss(x), "L2Loss", "L2Loss"), (tf.nn.l2_normalize(x, 1), "l2_normalize", "Mul"),
        (tf.nn.xw_plus_b(x, tf.zeros([3, 2]), tf.zeros([2])), "xw_plus_b", "BiasAdd"),
        (tf.nn.sigmoid_cross_entropy_with_logits(labels=x, logits=x), "logistic_loss", "AddV2"),
        (tf.nn.softmax_cross_entropy_with_logits_v2(labels=x, logits=x), "softmax_cross_entropy_with_logits",
         "SoftmaxCrossEntropyWithLogits"),
        (tf.nn.softmax_cross_entropy_with_logits(labels=x, logits=x), "softmax_cross_entropy_with_logits_sg",
         "SoftmaxCrossEntropyWithLogits"),
        (tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[0, 1], logits=x),
         "SparseSoftmaxCrossEntropyWithLogits/SparseSoftmaxCrossEntropyWithLogits",
         "SparseSoftmaxCrossEntropyWithLogits"),
        (tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[0, 1], logits=x, name="loss"), "loss/loss",
         "SparseSoftmaxCrossEntropyWithLogits"),
        (tf.nn.relu(x, name="hidden"), "hidden", "Relu"),
    ]
    for tensor, name, op_type in cases:
        assert (tensor.op.name, tensor.op.type) == (name, op_type)
    graph = tf.get_default_graph()
    assert graph.get_operation_by_name("softmax_cross_entropy_with_logits_sg/labels_stop_gradient").type == \
        "StopGradient"
    mean, variance = tf.nn.moments(x, [0])
    assert mean.op.name.startswith("moments/") and variance.op.name == "moments/variance"
    assert graph.get_operation_by_name("moments/mean").type == "Mean"


def test_gradient_op_types():
    x = tf.placeholder(tf.float32, [2, 3])
    b = tf.zeros([3])
    types = {op.type for op in tf.gradients(tf.reduce_sum(tf.nn.bias_add(tf.nn.relu(x), b)), [x, b])[0].graph
             .get_operations()}
    assert {"ReluGrad", "BiasAddGrad"} <= types


def test_sigmoid_and_tanh_are_the_top_level_functions():
    assert tf.nn.sigmoid is tf.sigmoid and tf.nn.tanh is tf.tanh
    assert tf.nn.sigmoid(tf.constant(0.0)).op.type == "Sigmoid"


# --- a small network trains ----------------------------------------------------------------------------------------
def test_mlp_with_relu_and_sparse_cross_entropy_learns():
    rng = np.random.default_rng(0)
    data = rng.standard_normal((64, 4)).astype(np.float32)
    targets = (data[:, 0] + data[:, 1] > 0).astype(np.int64) + 2 * (data[:, 2] > 0)
    x = tf.placeholder(tf.float32, [None, 4])
    y = tf.placeholder(tf.int64, [None])
    w1 = tf.Variable(rng.standard_normal((4, 16)).astype(np.float32) * 0.5)
    b1 = tf.Variable(np.zeros(16, np.float32))
    w2 = tf.Variable(rng.standard_normal((16, 4)).astype(np.float32) * 0.5)
    b2 = tf.Variable(np.zeros(4, np.float32))
    logits = tf.nn.xw_plus_b(tf.nn.relu(tf.matmul(x, w1) + b1), w2, b2)
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits)) + \
        1e-4 * tf.nn.l2_loss(w1)
    train = tf.train.GradientDescentOptimizer(0.5).minimize(loss)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        first = sess.run(loss, {x: data, y: targets})
        for _ in range(100):
            sess.run(train, {x: data, y: targets})
        last = sess.run(loss, {x: data, y: targets})
    assert last < 0.5 * first
