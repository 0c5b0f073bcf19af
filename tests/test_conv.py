"""Convolution and pooling beyond the op table: TensorFlow's output shapes, node and variable names, error
messages, the im2col block paths, second order, and a small CNN that learns scikit-learn's digits."""
import numpy as np
import pytest

import neuroflow as tf
from neuroflow.ops import conv_ops

from op_table_conv import ref_conv, ref_conv_filter_grad, ref_conv_input_grad, ref_max_pool


def _rand(*shape, dtype=np.float32, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


# --- shapes and names, as TensorFlow 1.x gives them --------------------------------------------------------------
@pytest.mark.parametrize("build, name, shape", [
    (lambda x: tf.nn.conv2d(x, tf.zeros([3, 3, 3, 8]), [1, 2, 2, 1], "VALID"), "Conv2D:0", [1, 2, 2, 8]),
    (lambda x: tf.nn.conv2d(x, tf.zeros([3, 3, 3, 8]), 2, "VALID"), "Conv2D:0", [1, 2, 2, 8]),
    (lambda x: tf.nn.conv2d(x, tf.zeros([3, 3, 3, 8]), [2, 2], "SAME"), "Conv2D:0", [1, 3, 3, 8]),
    (lambda x: tf.nn.conv2d(x, tf.zeros([3, 3, 3, 8]), 1, [[0, 0], [1, 2], [0, 1], [0, 0]]), "Conv2D:0",
     [1, 6, 4, 8]),
    (lambda x: tf.nn.conv2d(x, tf.zeros([3, 3, 3, 8]), 1, "VALID", dilations=[1, 2, 2, 1]), "Conv2D:0", [1, 1, 1, 8]),
    (lambda x: tf.nn.max_pool(x, 2, 2, "SAME"), "MaxPool:0", [1, 3, 3, 3]),
    (lambda x: tf.nn.max_pool(x, [2, 2], [2, 2], "VALID"), "MaxPool:0", [1, 2, 2, 3]),
    (lambda x: tf.nn.avg_pool(x, [1, 2, 2, 1], [1, 2, 2, 1], "SAME"), "AvgPool:0", [1, 3, 3, 3]),
    (lambda x: tf.nn.conv2d_transpose(x, tf.zeros([3, 3, 8, 3]), [1, 10, 10, 8], [1, 2, 2, 1]),
     "conv2d_transpose:0", [1, 10, 10, 8]),
    (lambda x: tf.nn.depthwise_conv2d(x, tf.zeros([3, 3, 3, 2]), [1, 1, 1, 1], "SAME"), "depthwise:0",
     [1, 5, 5, 6]),
    (lambda x: tf.nn.depthwise_conv2d(x, tf.zeros([3, 3, 3, 2]), [1, 2, 2, 1], "SAME", rate=[2, 2]), "depthwise:0",
     [1, 3, 3, 6]),
    (lambda x: tf.nn.separable_conv2d(x, tf.zeros([3, 3, 3, 2]), tf.zeros([1, 1, 6, 4]), [1, 1, 1, 1], "SAME"),
     "separable_conv2d:0", [1, 5, 5, 4]),
    (lambda x: tf.nn.conv1d(tf.zeros([2, 7, 3]), tf.zeros([3, 3, 5]), 1, "SAME"), "conv1d/Squeeze:0", [2, 7, 5]),
    (lambda x: tf.nn.conv1d(tf.zeros([2, 7, 3]), tf.zeros([3, 3, 5]), 2, "VALID", dilations=1), "conv1d/Squeeze:0",
     [2, 3, 5]),
    (lambda x: tf.nn.max_pool1d(tf.zeros([2, 7, 3]), 2, 2, "VALID"), "MaxPool1d/Squeeze:0", [2, 3, 3]),
    (lambda x: tf.nn.avg_pool1d(tf.zeros([2, 7, 3]), 2, 2, "VALID"), "AvgPool1D/Squeeze:0", [2, 3, 3]),
    (lambda x: tf.nn.pool(tf.zeros([2, 7, 7, 3]), [2, 2], "MAX", "SAME", strides=[2, 2]), "max_pool:0",
     [2, 4, 4, 3]),
    (lambda x: tf.nn.conv2d_backprop_input([1, 5, 5, 3], tf.zeros([3, 3, 3, 8]), tf.zeros([1, 5, 5, 8]),
                                           [1, 1, 1, 1], "SAME"), "Conv2DBackpropInput:0", [1, 5, 5, 3]),
    (lambda x: tf.nn.conv2d_backprop_filter(x, [3, 3, 3, 8], tf.zeros([1, 5, 5, 8]), [1, 1, 1, 1], "SAME"),
     "Conv2DBackpropFilter:0", [3, 3, 3, 8]),
])
def test_output_shapes_and_node_names_match_tensorflow(build, name, shape):
    y = build(tf.placeholder(tf.float32, [1, 5, 5, 3]))
    assert y.name == name and y.shape.as_list() == shape


def test_gradient_ops_are_tensorflows():
    x = tf.placeholder(tf.float32, [None, 8, 8, 2])
    w = tf.Variable(tf.ones([3, 3, 2, 4]))
    y = tf.nn.avg_pool(tf.nn.max_pool(tf.nn.conv2d(x, w, 1, "SAME"), 2, 2, "VALID"), 2, 2, "SAME")
    types = {op.type for op in tf.get_default_graph().get_operations()}
    tf.gradients(tf.reduce_sum(y), [x, w])
    new = {op.type for op in tf.get_default_graph().get_operations()} - types
    assert {"Conv2DBackpropInput", "Conv2DBackpropFilter", "MaxPoolGrad", "AvgPoolGrad"} <= new


def test_conv_layers_names_shapes_and_variables(sess):
    x = tf.placeholder(tf.float32, [None, 28, 28, 1])
    h = tf.layers.conv2d(x, 32, 5, padding="same", activation=tf.nn.relu)
    p = tf.layers.max_pooling2d(h, 2, 2)
    h2 = tf.layers.conv2d(p, 64, (3, 3), strides=2, activation=tf.nn.relu)
    h3 = tf.layers.conv2d(p, 64, (3, 3), use_bias=False, dilation_rate=2)
    a = tf.layers.average_pooling2d(h2, 2, 1, padding="same")
    t = tf.layers.conv2d_transpose(h2, 16, 3, strides=2, padding="same")
    t2 = tf.layers.conv2d_transpose(h2, 16, 3, strides=2, padding="valid")
    c1 = tf.layers.conv1d(tf.placeholder(tf.float32, [None, 10, 4]), 6, 3)
    m1 = tf.layers.max_pooling1d(c1, 2, 2)
    a1 = tf.layers.average_pooling1d(c1, 2, 2)
    cf = tf.layers.conv2d(tf.placeholder(tf.float32, [None, 3, 8, 8]), 4, 3, data_format="channels_first")
    got = [(v.name, v.shape.as_list()) for v in (h, p, h2, h3, a, t, t2, c1, m1, a1, cf)]
    assert got == [("conv2d/Relu:0", [None, 28, 28, 32]), ("max_pooling2d/MaxPool:0", [None, 14, 14, 32]),
                   ("conv2d_1/Relu:0", [None, 6, 6, 64]), ("conv2d_2/Conv2D:0", [None, 10, 10, 64]),
                   ("average_pooling2d/AvgPool:0", [None, 6, 6, 64]),
                   ("conv2d_transpose/BiasAdd:0", [None, 12, 12, 16]),
                   ("conv2d_transpose_1/BiasAdd:0", [None, 13, 13, 16]), ("conv1d/BiasAdd:0", [None, 8, 6]),
                   ("max_pooling1d/Squeeze:0", [None, 4, 6]), ("average_pooling1d/Squeeze:0", [None, 4, 6]),
                   ("conv2d_3/BiasAdd:0", [None, 4, 6, 6])]
    variables = [(v.name, v.shape.as_list()) for v in tf.global_variables()]
    assert variables == [
        ("conv2d/kernel:0", [5, 5, 1, 32]), ("conv2d/bias:0", [32]), ("conv2d_1/kernel:0", [3, 3, 32, 64]),
        ("conv2d_1/bias:0", [64]), ("conv2d_2/kernel:0", [3, 3, 32, 64]), ("conv2d_transpose/kernel:0", [3, 3, 16, 64]),
        ("conv2d_transpose/bias:0", [16]), ("conv2d_transpose_1/kernel:0", [3, 3, 16, 64]),
        ("conv2d_transpose_1/bias:0", [16]), ("conv1d/kernel:0", [3, 4, 6]), ("conv1d/bias:0", [6]),
        ("conv2d_3/kernel:0", [3, 3, 3, 4]), ("conv2d_3/bias:0", [4])]
    sess.run(tf.global_variables_initializer())
    kernel, bias = sess.run(tf.global_variables()[:2])
    fan_in, fan_out = 25 * 1, 25 * 32
    assert np.abs(kernel).max() <= np.sqrt(6 / (fan_in + fan_out)) and not bias.any()  # Glorot uniform, zeros
    xb = _rand(2, 28, 28, 1)
    np.testing.assert_allclose(sess.run(h, {x: xb}), np.maximum(ref_conv(xb, kernel, padding="SAME"), 0),
                               rtol=1e-4, atol=1e-5)


def test_layer_objects_reuse_and_options(sess):
    x = tf.placeholder(tf.float32, [None, 6, 6, 2])
    layer = tf.layers.Conv2D(8, 3, name="myconv")
    y, y2 = layer(x), layer(x)
    assert y.name == "myconv/BiasAdd:0" and y2.name == "myconv/BiasAdd_1:0"
    assert [w.name for w in layer.weights] == ["myconv/kernel:0", "myconv/bias:0"] and len(tf.global_variables()) == 2
    assert layer.kernel.shape.as_list() == [3, 3, 2, 8] and layer.compute_output_shape([None, 6, 6, 2]).as_list() == \
        [None, 4, 4, 8]
    a = tf.layers.conv2d(x, 4, 3, name="shared")
    b = tf.layers.conv2d(x, 4, 3, name="shared", reuse=True)
    assert len(tf.global_variables()) == 4 and a.op.name.startswith("shared/") and b.op.name.startswith("shared_1/")
    frozen = tf.layers.Conv2D(2, 1, trainable=False)
    frozen(x)
    assert frozen.trainable_weights == [] and len(frozen.non_trainable_weights) == 2
    pool = tf.layers.MaxPooling2D(2, 2)
    assert pool(x).name == "max_pooling2d/MaxPool:0" and pool.weights == []
    assert tf.layers.AveragePooling2D((3, 3), 3, "same")(x).shape.as_list() == [None, 2, 2, 2]
    assert tf.layers.MaxPooling1D(2, 1)(tf.zeros([2, 5, 3])).shape.as_list() == [2, 4, 3]
    assert tf.layers.Conv1D(4, 3, padding="causal")(tf.zeros([2, 5, 3])).shape.as_list() == [2, 5, 4]
    assert tf.layers.Conv2DTranspose(3, 2, 2)(x).shape.as_list() == [None, 12, 12, 3]


def test_channels_first_matches_channels_last(sess):
    xb = _rand(2, 7, 6, 3)
    x_last = tf.constant(xb)
    x_first = tf.constant(np.ascontiguousarray(xb.transpose(0, 3, 1, 2)))
    kernel = tf.constant(_rand(3, 3, 3, 5, seed=1))
    a = tf.nn.max_pool(tf.nn.conv2d(x_last, kernel, 2, "SAME"), 2, 1, "SAME")
    b = tf.nn.max_pool(tf.nn.conv2d(x_first, kernel, 2, "SAME", data_format="NCHW"), 2, 1, "SAME",
                       data_format="NCHW")
    ga, gb = tf.gradients(tf.reduce_sum(a * a), x_last)[0], tf.gradients(tf.reduce_sum(b * b), x_first)[0]
    ra, rb, rga, rgb = sess.run([a, b, ga, gb])
    np.testing.assert_allclose(ra, rb.transpose(0, 2, 3, 1), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(rga, rgb.transpose(0, 2, 3, 1), rtol=1e-4, atol=1e-4)


# --- values ------------------------------------------------------------------------------------------------------
def test_same_average_pooling_divides_by_real_elements(sess):
    out = sess.run(tf.nn.avg_pool(tf.ones([1, 5, 4, 2]), 3, 2, "SAME"))
    np.testing.assert_array_equal(out, np.ones((1, 3, 2, 2), np.float32))


def test_max_pool_gradient_goes_to_the_first_maximum(sess):
    x = tf.zeros([1, 4, 4, 1])
    g = sess.run(tf.gradients(tf.nn.max_pool(x, 2, 2, "VALID"), x)[0])
    np.testing.assert_array_equal(g[0, :, :, 0], [[1, 0, 1, 0], [0, 0, 0, 0], [1, 0, 1, 0], [0, 0, 0, 0]])
    xv = np.zeros((1, 4, 4, 1), np.float32)
    xv[0, 2, 2, 0] = xv[0, 3, 2, 0] = 1
    xp = tf.constant(xv)
    g3 = sess.run(tf.gradients(tf.nn.max_pool(xp, 3, 1, "SAME"), xp)[0])  # TensorFlow's values
    np.testing.assert_array_equal(g3[0, :, :, 0], [[3, 1, 1, 0], [1, 0, 0, 0], [1, 0, 9, 0], [0, 0, 0, 0]])


def test_float32_stays_float32(sess):
    x, w = tf.constant(_rand(1, 5, 5, 2)), tf.constant(_rand(3, 3, 2, 3))
    y = tf.nn.avg_pool(tf.nn.max_pool(tf.nn.conv2d(x, w, 2, "SAME"), 2, 1, "SAME"), 2, 1, "VALID")
    grads = tf.gradients(tf.reduce_sum(y), [x, w])
    for t, v in zip([y] + grads, sess.run([y] + grads)):
        assert t.dtype == tf.float32 and v.dtype == np.float32


@pytest.mark.parametrize("rows, nbytes", [(1, 1 << 30), (40, 1 << 30), (1, 600)])
def test_im2col_blocks_give_the_same_result(monkeypatch, rows, nbytes, sess):
    """Whole images per block, several images per block, and row pieces of one image."""
    monkeypatch.setattr(conv_ops, "_BLOCK_ROWS", rows)
    monkeypatch.setattr(conv_ops, "_BLOCK_BYTES", nbytes)
    xb, wb = _rand(3, 9, 7, 2, dtype=np.float64), _rand(3, 2, 2, 4, dtype=np.float64, seed=1)
    for strides in [(1, 1), (2, 2)]:
        x, w = tf.constant(xb), tf.constant(wb)
        y = tf.nn.conv2d(x, w, [1, *strides, 1], "SAME")
        dy = _rand(*y.shape.as_list(), dtype=np.float64, seed=2)
        gx, gw = tf.gradients(y, [x, w], grad_ys=tf.constant(dy))
        ry, rgx, rgw = sess.run([y, gx, gw])
        np.testing.assert_allclose(ry, ref_conv(xb, wb, strides, "SAME"), rtol=1e-10)
        np.testing.assert_allclose(rgx, ref_conv_input_grad(xb.shape, wb, dy, strides, "SAME"), rtol=1e-10)
        np.testing.assert_allclose(rgw, ref_conv_filter_grad(xb, wb.shape, dy, strides, "SAME"), rtol=1e-10)
    one_channel = tf.nn.conv2d(tf.constant(xb[..., :1]), tf.constant(wb[:, :, :1]), 1, "VALID")
    np.testing.assert_allclose(sess.run(one_channel), ref_conv(xb[..., :1], wb[:, :, :1]), rtol=1e-10)


def test_second_order_through_conv_and_pool(sess):
    """d/dx of |d loss / d w|^2, against central differences of the first-order gradient."""
    rng = np.random.default_rng(3)
    xb, wb = rng.standard_normal((2, 6, 6, 2)), rng.standard_normal((3, 3, 2, 3))
    x, w = tf.placeholder(tf.float64, xb.shape), tf.constant(wb)
    loss = tf.reduce_sum(tf.square(tf.nn.avg_pool(tf.nn.conv2d(x, w, 1, "SAME"), 2, 2, "VALID")))
    gw = tf.gradients(loss, w)[0]
    penalty = tf.reduce_sum(tf.square(gw))
    hx = tf.gradients(penalty, x)[0]
    direction = rng.standard_normal(xb.shape)
    eps = 1e-6
    numeric = (sess.run(penalty, {x: xb + eps * direction}) - sess.run(penalty, {x: xb - eps * direction})) / (2 * eps)
    assert np.sum(sess.run(hx, {x: xb}) * direction) == pytest.approx(numeric, rel=1e-6)


# --- errors ------------------------------------------------------------------------------------------------------
def test_bad_padding_strides_and_formats():
    x = tf.placeholder(tf.float32, [1, 5, 5, 3])
    w = tf.zeros([3, 3, 3, 8])
    with pytest.raises(ValueError, match="Attr 'padding' of 'Conv2D' Op passed string 'same' not in: \"SAME\", "
                                         "\"VALID\", \"EXPLICIT\"."):
        tf.nn.conv2d(x, w, [1, 1, 1, 1], "same")
    with pytest.raises(ValueError, match="Attr 'padding' of 'MaxPool' Op passed string 'BAD'"):
        tf.nn.max_pool(x, 2, 2, "BAD")
    with pytest.raises(ValueError, match=r"strides should be of length 1, 2 or 4. Received: strides=\[1, 2, 2\] of "
                                         "length 3"):
        tf.nn.conv2d(x, w, [1, 2, 2], "SAME")
    with pytest.raises(ValueError, match="ksize should be of length 1, 2 or 4"):
        tf.nn.max_pool(x, [1, 2, 2], 1, "SAME")
    with pytest.raises(ValueError, match="When padding is a list, it must be of size 4"):
        tf.nn.conv2d(x, w, 1, [[0, 0], [1, 2], [0, 1]])
    with pytest.raises(ValueError, match="Nonzero explicit padding in the batch or depth dimensions"):
        tf.nn.conv2d(x, w, 1, [[1, 0], [1, 2], [0, 1], [0, 0]])
    with pytest.raises(ValueError, match="Attr 'data_format' of 'Conv2D' Op passed string 'XYZ'"):
        tf.nn.conv2d(x, w, 1, "SAME", data_format="XYZ")
    with pytest.raises(ValueError, match="does not yet support strides in the batch and depth dimensions"):
        tf.nn.conv2d(x, w, [2, 1, 1, 1], "SAME")
    with pytest.raises(ValueError, match="2-D MIN pooling is not supported."):
        tf.nn.pool(x, [2, 2], "MIN", "VALID")


def test_shape_errors_speak_tensorflows_words():
    x = tf.placeholder(tf.float32, [1, 5, 5, 3])
    with pytest.raises(ValueError, match=r"Depth of input \(3\) is not a multiple of input depth of filter \(4\) for "
                                         r"'Conv2D' \(op: 'Conv2D'\) with input shapes: \[1,5,5,3\], \[3,3,4,8\]."):
        tf.nn.conv2d(x, tf.zeros([3, 3, 4, 8]), [1, 1, 1, 1], "SAME")
    with pytest.raises(ValueError, match="Negative dimension size caused by subtracting 6 from 5 for 'Conv2D_1'"):
        tf.nn.conv2d(x, tf.zeros([6, 6, 3, 8]), [1, 1, 1, 1], "VALID")
    with pytest.raises(ValueError, match="Shape must be rank 4 but is rank 3"):
        tf.nn.conv2d(tf.zeros([5, 5, 3]), tf.zeros([3, 3, 3, 8]), 1, "VALID")
    with pytest.raises(ValueError, match="Negative dimension size caused by subtracting 6 from 5 for 'MaxPool'"):
        tf.nn.max_pool(x, [1, 6, 6, 1], [1, 2, 2, 1], "VALID")
    with pytest.raises(ValueError, match="Dimensions must be equal, but are 3 and 4"):
        tf.nn.conv2d_transpose(x, tf.zeros([3, 3, 8, 4]), [1, 10, 10, 8], [1, 2, 2, 1])
    with pytest.raises(ValueError, match="requires input_sizes to contain 4 values or 2 values, but got: 3"):
        tf.nn.conv2d_transpose(x, tf.zeros([3, 3, 8, 3]), [1, 10, 10], [1, 2, 2, 1])
    with pytest.raises(ValueError, match="Dimensions must be equal, but are 3 and 4 for 'depthwise'"):
        tf.nn.depthwise_conv2d(x, tf.zeros([3, 3, 4, 2]), [1, 1, 1, 1], "SAME")
    with pytest.raises(TypeError, match="Input 'filter' of 'Conv2D' Op has type float64 that does not match type "
                                        "float32 of argument 'input'."):
        tf.nn.conv2d(x, tf.zeros([3, 3, 3, 8], tf.float64), 1, "SAME")


def test_channel_mismatch_found_at_run_time(sess):
    x = tf.placeholder(tf.float32, [None, None, None, None])
    y = tf.nn.conv2d(x, tf.zeros([3, 3, 4, 8]), 1, "SAME")
    with pytest.raises(tf.errors.InvalidArgumentError, match="input depth must be evenly divisible by filter depth"):
        sess.run(y, {x: np.zeros((1, 5, 5, 3))})
    z = tf.nn.max_pool(x, 3, 1, "VALID")
    with pytest.raises(tf.errors.InvalidArgumentError, match="Negative dimension size caused by subtracting 3 from 2"):
        sess.run(z, {x: np.zeros((1, 2, 2, 1))})


def test_layer_errors():
    x = tf.placeholder(tf.float32, [None, 28, 28, 1])
    with pytest.raises(ValueError, match=r'The `padding` argument must be a list/tuple or one of "valid", "same" \(or '
                                         r'"causal", only for `Conv1D\). Received: foo'):
        tf.layers.conv2d(x, 4, 3, padding="foo")
    with pytest.raises(ValueError, match=r"The `kernel_size` argument must be a tuple of 2 integers. Received: "
                                         r"\(3, 3, 3\)"):
        tf.layers.conv2d(x, 4, (3, 3, 3))
    with pytest.raises(ValueError, match=r'Input 0 of layer "conv2d(_\d+)?" is incompatible with the layer: expected '
                                         r"min_ndim=4, found ndim=3. Full shape received: \(None, 28, 28\)"):
        tf.layers.conv2d(tf.placeholder(tf.float32, [None, 28, 28]), 4, 3)
    with pytest.raises(ValueError, match=r"The channel dimension of the inputs should be defined. The input_shape "
                                         r"received is \(None, 28, 28, None\), where axis -1 \(0-based\) is the "
                                         "channel dimension, which found to be `None`."):
        tf.layers.conv2d(tf.placeholder(tf.float32, [None, 28, 28, None]), 4, 3)
    with pytest.raises(ValueError, match="The `padding` argument must be"):
        tf.layers.max_pooling2d(x, 2, 2, padding="foo")
    with pytest.raises(ValueError, match="expected ndim=4, found ndim=3"):
        tf.layers.max_pooling2d(tf.placeholder(tf.float32, [None, 28, 28]), 2, 2)


# --- training ----------------------------------------------------------------------------------------------------
def test_one_training_step_lowers_the_loss():
    rng = np.random.default_rng(1)
    xb = rng.standard_normal((16, 6, 6, 2)).astype(np.float32)
    yb = (xb[:, :3].sum((1, 2, 3)) > 0).astype(np.int64)
    x, t = tf.placeholder(tf.float32, [None, 6, 6, 2]), tf.placeholder(tf.int64, [None])
    h = tf.layers.average_pooling2d(tf.layers.conv2d(x, 4, 3, padding="same", activation=tf.nn.relu), 2, 2)
    h = tf.layers.conv2d_transpose(h, 2, 2, strides=2)
    logits = tf.layers.dense(tf.reshape(tf.layers.max_pooling2d(h, 3, 3), [-1, 8]), 2)
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=t, logits=logits))
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    assert len(tf.trainable_variables()) == 6
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        before = sess.run(loss, {x: xb, t: yb})
        sess.run(train, {x: xb, t: yb})
        assert sess.run(loss, {x: xb, t: yb}) < before


def test_small_cnn_learns_digits():
    datasets = pytest.importorskip("sklearn.datasets")
    digits = datasets.load_digits()
    images = (digits.images / 16.0).astype(np.float32)[..., None]  # [N, 8, 8, 1]
    labels = digits.target.astype(np.int64)
    order = np.random.default_rng(0).permutation(len(images))
    train_idx, test_idx = order[:1400], order[1400:]
    tf.set_random_seed(0)
    x, t = tf.placeholder(tf.float32, [None, 8, 8, 1]), tf.placeholder(tf.int64, [None])
    h = tf.layers.conv2d(x, 16, 3, padding="same", activation=tf.nn.relu)
    h = tf.layers.max_pooling2d(h, 2, 2)
    logits = tf.layers.dense(tf.reshape(h, [-1, 4 * 4 * 16]), 10)
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=t, logits=logits))
    train = tf.train.AdamOptimizer(0.01).minimize(loss)
    accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1), t), tf.float32))
    rng = np.random.default_rng(1)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(10):
            perm = rng.permutation(train_idx)
            for start in range(0, len(perm), 50):
                batch = perm[start:start + 50]
                sess.run(train, {x: images[batch], t: labels[batch]})
        test_accuracy = sess.run(accuracy, {x: images[test_idx], t: labels[test_idx]})
    assert test_accuracy > 0.97, test_accuracy  # the seeded run reaches 390/397 = 0.982


def test_max_pool_matches_reference_on_relu_like_input(sess):
    xb = np.maximum(_rand(2, 6, 6, 3, dtype=np.float64), 0)  # many ties at zero
    np.testing.assert_array_equal(sess.run(tf.nn.max_pool(tf.constant(xb), 2, 2, "VALID")),
                                  ref_max_pool(xb, (2, 2), (2, 2), "VALID"))
