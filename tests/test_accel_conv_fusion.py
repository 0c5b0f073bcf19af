"""Kernels that absorb their consumer (compiler pass `absorb_consumers`, kernels in runtime/accel/conv.py): a
convolution with its BiasAdd and Relu in the tile's epilogue, and the max-pool gradient with the ReluGrad that
follows it. Each fused plan is compared with the same graph run unfused (the pass turned off: bitwise equal, as
the epilogue makes the same float32 operations) and with the registry off (the NumPy kernels: the convolution to
float32 rounding, pooling bitwise). A traced run shows which nodes ran, proving that the fusion happened or not."""
import numpy as np
import pytest

import neuroflow as tf
from neuroflow.runtime import accel
from neuroflow.runtime.compiler import passes

pytest.importorskip("numba")
from neuroflow.runtime.accel import conv as fast_conv  # noqa: E402

wide = pytest.mark.skipif(not fast_conv.wide_vectors(), reason="no AVX-512: convolutions stay with BLAS")


@pytest.fixture
def compiled(monkeypatch):
    """Every size takes the compiled path."""
    monkeypatch.setenv("NEUROFLOW_NUMBA", "1")
    monkeypatch.setattr(fast_conv, "MIN_MACS", 0)
    monkeypatch.setattr(fast_conv, "MIN_POOL_ELEMENTS", 0)


def _run(build, feeds, use_numba=True, fuse=True, trace=True):
    """(fetched values, names of the nodes a second, traced run executed: with `trace`, the same values) of
    build(*placeholders) in a fresh graph."""
    tf.reset_default_graph()
    phs = [tf.placeholder(tf.as_dtype(a.dtype), a.shape) for a in feeds]
    fetches = build(*phs)
    saved, absorb = accel._available[0], passes.absorb_consumers
    accel._available[0] = use_numba
    if not fuse:
        passes.absorb_consumers = lambda program: None
    try:
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            feed = dict(zip(phs, feeds))
            values = sess.run(fetches, feed)
            if not trace:
                return values, None
            meta = tf.RunMetadata()
            again = sess.run(fetches, feed, options=tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE),
                             run_metadata=meta)
    finally:
        accel._available[0], passes.absorb_consumers = saved, absorb
    for a, b in zip(_flat(values), _flat(again)):
        _bitwise(a, b)  # the traced run is the same computation
    ran = {ns.node_name.split("/")[-1] for dev in meta.step_stats.dev_stats for ns in dev.node_stats}
    return values, ran


def _flat(values):
    return [np.asarray(v) for v in (values if isinstance(values, (list, tuple)) else [values])]


def _bitwise(a, b):
    a, b = np.asarray(a), np.asarray(b)
    assert a.shape == b.shape and a.dtype == b.dtype
    np.testing.assert_array_equal(a.view(f"u{a.itemsize}"), b.view(f"u{b.itemsize}"))  # NaN payloads, -0 too


def _close(fast, plain):
    """float32 sums of a few hundred products in another order (see tests/test_accel_conv.py)."""
    finite = np.isfinite(plain)
    np.testing.assert_array_equal(np.isfinite(fast), finite)
    np.testing.assert_array_equal(fast[~finite], plain[~finite])
    scale = max(float(np.max(np.abs(plain[finite]), initial=0.0)), 1.0)
    np.testing.assert_allclose(fast[finite], plain[finite], rtol=2e-5, atol=2e-5 * scale)


def _rand(*shape, dtype=np.float32, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def _conv_bias_relu(w, b, relu=True, padding="SAME"):
    def build(x):
        y = tf.nn.bias_add(tf.nn.conv2d(x, tf.constant(w), 1, padding), tf.constant(b))
        return tf.nn.relu(y) if relu else y
    return build


# Bias values that reach every branch of the epilogue's ReLU: NaN stays NaN, -inf and negatives give +0.
_ODD_BIAS = np.array([np.nan, np.inf, -np.inf, -0.0, 0.0, -1e30, 1e30] + [0.5] * 25, np.float32)


@wide
@pytest.mark.parametrize("bias, relu", [(_ODD_BIAS, True), (_ODD_BIAS, False), (None, True)],
                         ids=["bias_relu", "bias_only", "relu_only"])
def test_convolution_epilogue_equals_the_separate_kernels(compiled, bias, relu):
    x, w = _rand(3, 9, 11, 4), _rand(3, 3, 4, 32, seed=1)
    if bias is None:
        def build(a):
            return tf.nn.relu(tf.nn.conv2d(a, tf.constant(w), 1, "SAME"))
    else:
        build = _conv_bias_relu(w, bias, relu)
    fused, ran = _run(build, [x])
    assert "BiasAdd" not in ran and "Relu" not in ran and "Conv2D" in ran
    unfused, ran = _run(build, [x], fuse=False)
    assert ("BiasAdd" in ran) == (bias is not None) and ("Relu" in ran) == relu
    _bitwise(fused, unfused)
    plain, _ = _run(build, [x], use_numba=False)
    _close(fused, plain)
    if relu:
        assert not np.signbit(fused).any()  # negative sums and -inf biases give +0, as np.maximum(v, 0)
    if bias is not None:
        assert np.isnan(fused[..., 0]).all() and (fused[..., 1] == np.inf).all()


@wide
def test_fused_convolution_falls_back_to_the_plain_kernels(compiled):
    """A filter with an inf takes the NumPy convolution (padding's 0 * inf must give NaN): then BiasAdd and Relu
    run after it, giving exactly the registry-off results."""
    x, w, b = _rand(2, 6, 6, 16), _rand(3, 3, 16, 16, seed=1), _rand(16, seed=2)
    w[0, 0, 0, :4] = np.inf
    fused, ran = _run(_conv_bias_relu(w, b), [x])
    assert "Relu" not in ran
    plain, _ = _run(_conv_bias_relu(w, b), [x], use_numba=False)
    assert np.isnan(plain).any()
    _bitwise(fused, plain)


@wide
def test_values_read_elsewhere_are_not_absorbed(compiled):
    """The convolution's own output stays a value when something else reads it or it is fetched."""
    x, w, b = _rand(2, 8, 8, 3), _rand(3, 3, 3, 16, seed=1), _rand(16, seed=2)

    def fetched_too(a):
        y = tf.nn.conv2d(a, tf.constant(w), 1, "SAME")
        return [y, tf.nn.relu(tf.nn.bias_add(y, tf.constant(b)))]

    def read_twice(a):
        y = tf.nn.bias_add(tf.nn.conv2d(a, tf.constant(w), 1, "SAME"), tf.constant(b))
        return [tf.nn.relu(y), tf.reduce_sum(y)]
    for build, kept in ((fetched_too, {"BiasAdd", "Relu"}), (read_twice, {"Relu", "Sum"})):
        fused, ran = _run(build, [x])
        assert kept <= ran
        unfused, _ = _run(build, [x], fuse=False)
        for f, u in zip(fused, unfused):
            _bitwise(f, u)


@wide
def test_bias_of_another_layout_or_unknown_shape_is_not_absorbed(compiled):
    x, w, b = _rand(2, 8, 8, 3), _rand(3, 3, 3, 16, seed=1), _rand(16, seed=2)

    def unknown_bias(a, bias):
        return tf.nn.relu(tf.nn.bias_add(tf.nn.conv2d(a, tf.constant(w), 1, "SAME"), bias))
    fused, ran = _run(lambda a: unknown_bias(a, tf.placeholder_with_default(b, [None])), [x])
    assert "BiasAdd" in ran and "Relu" in ran  # the Relu cannot come after an unfused BiasAdd in the epilogue
    plain, _ = _run(lambda a: unknown_bias(a, tf.placeholder_with_default(b, [None])), [x], use_numba=False)
    _close(fused, plain)


def _pool_relu_grad(dtype, x_values, g_values):
    def build(x):
        y = tf.nn.max_pool(tf.nn.relu(x), [1, 2, 2, 1], [1, 2, 2, 1], "SAME")
        return tf.gradients(y, [x], grad_ys=[tf.constant(g_values)])[0]
    return build


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("side", [(9, 7), (8, 6)], ids=["odd_sides", "2x2_tiles"])
def test_max_pool_gradient_absorbs_the_relu_gradient_bitwise(compiled, dtype, side):
    x = _rand(3, *side, 5, dtype=dtype)  # odd sides: SAME padding's windows at the edges; even: the 2x2 kernel
    x[0, :2, :2] = 0.0            # ties at zero: the mask is x > 0
    x[1, 0, 0, :2] = [np.nan, -np.inf]
    x[2, :2, :2, 0] = -1.0        # a whole window negative: its maximum is negative, the gradient 0 there
    g = _rand(3, (side[0] + 1) // 2, (side[1] + 1) // 2, 5, dtype=dtype, seed=1)
    g[0, 0, 0, :3] = [np.inf, -np.inf, np.nan]  # inf * 0 is NaN in ReluGrad: the fused kernel agrees
    g[1, 1, 1, 1] = -0.0
    build = _pool_relu_grad(dtype, x, g)
    fused, ran = _run(build, [x])
    assert "ReluGrad" not in ran and "MaxPoolGrad" in ran
    unfused, ran = _run(build, [x], fuse=False)
    assert "ReluGrad" in ran
    plain, _ = _run(build, [x], use_numba=False)
    _bitwise(fused, unfused)
    _bitwise(fused, plain)


def test_fused_max_pool_relu_gradient_matches_finite_differences(compiled):
    """float64, away from ties: d/dx sum(c * max_pool(relu(x))) by central differences."""
    rng = np.random.default_rng(3)
    x = rng.permutation(np.linspace(-2.0, 2.0, 2 * 6 * 6 * 3)).reshape(2, 6, 6, 3)  # distinct values
    x[np.abs(x) < 0.05] = 0.5  # none within the step of ReLU's kink
    c = rng.standard_normal((2, 3, 3, 3))

    def build(a):
        y = tf.nn.max_pool(tf.nn.relu(a), [1, 2, 2, 1], [1, 2, 2, 1], "VALID")
        return tf.gradients(tf.reduce_sum(y * tf.constant(c)), [a])[0]
    grad, ran = _run(build, [x])
    assert "ReluGrad" not in ran

    def loss(v):
        r = np.maximum(v, 0).reshape(2, 3, 2, 3, 2, 3).max(axis=(2, 4))
        return float((r * c).sum())
    eps, numeric = 1e-6, np.zeros_like(x)
    for i in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[i] = eps
        numeric[i] = (loss(x + step) - loss(x - step)) / (2 * eps)
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-8)


def test_relu_gradient_of_another_tensor_is_not_absorbed(compiled):
    """ReluGrad(max-pool gradient, features) merges only when the features are the pool's own input."""
    x, other = _rand(2, 8, 8, 4), _rand(2, 8, 8, 4, seed=5)

    def build(a, b):
        pooled_grad = tf.gradients(tf.nn.max_pool(a, [1, 2, 2, 1], [1, 2, 2, 1], "VALID"), [a])[0]
        return tf.gradients(tf.nn.relu(b), [b], grad_ys=[pooled_grad])[0]
    fused, ran = _run(build, [x, other])
    assert "ReluGrad" in ran
    plain, _ = _run(build, [x, other], use_numba=False)
    _bitwise(fused, plain)


@wide
def test_small_cnn_steps_fused_and_unfused_agree(compiled):
    """Training steps of a conv/bias/relu/pool network: the fused plan gives the unfused plan's values bitwise
    (bias gradients summed inside the pool gradient, in another order, are left out: see
    tests/test_accel_bias_grad_fusion.py)."""
    rng = np.random.default_rng(0)
    images, labels = rng.standard_normal((8, 12, 12, 3)).astype(np.float32), rng.integers(0, 10, 8)

    def train(fuse):
        tf.reset_default_graph()
        tf.set_random_seed(0)
        x, t = tf.placeholder(tf.float32, [None, 12, 12, 3]), tf.placeholder(tf.int64, [None])
        h = tf.layers.max_pooling2d(tf.layers.conv2d(x, 16, 3, padding="same", activation=tf.nn.relu), 2, 2)
        h = tf.layers.max_pooling2d(tf.layers.conv2d(h, 32, 3, padding="same", activation=tf.nn.relu), 2, 2)
        logits = tf.layers.dense(tf.reshape(h, [-1, 3 * 3 * 32]), 10)
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=t, logits=logits))
        step = tf.train.AdamOptimizer(1e-3).minimize(loss)
        absorb, readers = passes.absorb_consumers, passes._absorb_readers
        passes._absorb_readers = lambda program: None
        if not fuse:
            passes.absorb_consumers = lambda program: None
        try:
            with tf.Session() as sess:
                sess.run(tf.global_variables_initializer())
                losses = [sess.run([loss, step], {x: images, t: labels})[0] for _ in range(3)]
                meta = tf.RunMetadata()
                sess.run(step, {x: images, t: labels}, options=tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE),
                         run_metadata=meta)
                ran = [ns.node_name.split("/")[-1] for dev in meta.step_stats.dev_stats for ns in dev.node_stats]
                return losses, sess.run(tf.trainable_variables()), ran
        finally:
            passes.absorb_consumers, passes._absorb_readers = absorb, readers
    fused_losses, fused_vars, fused_ran = train(True)
    plain_losses, plain_vars, plain_ran = train(False)
    assert fused_ran.count("ReluGrad") == 0 and plain_ran.count("ReluGrad") == 2
    assert fused_ran.count("BiasAdd") == 1 and plain_ran.count("BiasAdd") == 3  # the dense layer's stays
    for f, p in zip([fused_losses] + fused_vars, [plain_losses] + plain_vars):
        _bitwise(np.asarray(f), np.asarray(p))


@wide
def test_nothing_is_merged_where_gpus_are_visible(compiled):
    """The placer rebinds a step to a GPU through its one op's OpDef, which a merged step could not survive: with a
    (fake) GPU visible the convolution, BiasAdd and Relu stay three steps, placed and computed there."""
    import strict_backend
    from neuroflow.runtime import backend_gpu
    x, w, b = _rand(2, 8, 8, 3), _rand(3, 3, 3, 16, seed=1), _rand(16, seed=2)
    fake = backend_gpu.GpuDevice(0, strict_backend.backend, strict_backend.backend.asarray, strict_backend.asnumpy,
                                 "Fake GPU", 1 << 30, "0000:00:00.0", "9.0")
    backend_gpu.set_devices_for_testing([fake])
    try:
        on_gpu, ran = _run(_conv_bias_relu(w, b), [x])
    finally:
        backend_gpu.set_devices_for_testing(None)
    assert {"Conv2D", "BiasAdd", "Relu"} <= ran
    on_host, _ = _run(_conv_bias_relu(w, b), [x], use_numba=False)
    _close(on_gpu, on_host)


@wide
def test_a_merged_steps_error_names_the_convolution(compiled):
    w, b = _rand(3, 3, 4, 16, seed=1), _rand(16, seed=2)
    tf.reset_default_graph()
    x = tf.placeholder(tf.float32, [None, None, None, None])
    y = tf.nn.relu(tf.nn.bias_add(tf.nn.conv2d(x, tf.constant(w), 1, "SAME", name="the_conv"), tf.constant(b)))
    with tf.Session() as sess:
        zeros_in = sess.run(y, {x: np.zeros((1, 4, 4, 4), np.float32)})
        np.testing.assert_array_equal(zeros_in, np.broadcast_to(np.maximum(b, 0), (1, 4, 4, 16)))
        with pytest.raises(tf.errors.InvalidArgumentError) as caught:
            sess.run(y, {x: np.zeros((1, 4, 4, 5), np.float32)})  # 5 channels against the filter's 4
    assert "the_conv" in str(caught.value)


@wide
def test_no_merge_across_a_state_change(compiled):
    """A merged step runs where its last op was: a variable update ordered between the convolution and its BiasAdd
    must not reach the convolution, so nothing is merged across it."""
    x, w0, b = _rand(2, 8, 8, 3), _rand(3, 3, 3, 16, seed=1), _rand(16, seed=2)

    def build(a):
        w = tf.Variable(w0)
        y = tf.nn.conv2d(a, w, 1, "SAME")
        with tf.control_dependencies([y]):
            bump = tf.train.GradientDescentOptimizer(1.0).apply_gradients([(tf.ones_like(w), w)])  # in place
        with tf.control_dependencies([bump]):
            z = tf.nn.relu(tf.nn.bias_add(y, tf.constant(b)))
        return z
    fused, _ = _run(build, [x], trace=False)  # a second run would start from the bumped w
    unfused, _ = _run(build, [x], fuse=False, trace=False)
    plain, _ = _run(build, [x], use_numba=False, trace=False)
    _bitwise(fused, unfused)
    _close(fused, plain)
