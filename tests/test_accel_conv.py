"""The compiled convolution and max-pooling kernels (runtime/accel/conv.py) agree with the NumPy kernels they
replace: each case runs the same graph with the registry on and off. Convolutions sum in another order (float32
rounding); pooling is bitwise equal. Size thresholds are lowered so that small inputs take the compiled path, and
a spy checks that it did."""
import subprocess
import sys

import numpy as np
import pytest

import neuroflow as tf
from neuroflow.runtime import accel

pytest.importorskip("numba")
from neuroflow.runtime.accel import conv as fast_conv  # noqa: E402

# The convolution tile needs 512-bit vectors; elsewhere convolutions keep BLAS (pooling is compiled anywhere).
wide = pytest.mark.skipif(not fast_conv.wide_vectors(), reason="no AVX-512: convolutions stay with BLAS")


@pytest.fixture
def compiled(monkeypatch):
    """Every size takes the compiled path; returns a counter of compiled kernel calls."""
    monkeypatch.setenv("NEUROFLOW_NUMBA", "1")  # the tests switch the registry themselves
    monkeypatch.setattr(fast_conv, "MIN_MACS", 0)
    monkeypatch.setattr(fast_conv, "MIN_POOL_ELEMENTS", 0)
    calls = [0]
    run_chunks = fast_conv._run_chunks

    def spy(count, work):
        calls[0] += 1
        return run_chunks(count, work)
    monkeypatch.setattr(fast_conv, "_run_chunks", spy)
    return calls


def _run(build, feeds, use_numba):
    """build(*placeholders) -> fetches, run in a fresh graph and session with the compiled kernels on or off."""
    tf.reset_default_graph()
    phs = [tf.placeholder(tf.as_dtype(a.dtype), a.shape) for a in feeds]
    fetches = build(*phs)
    saved = accel._available[0]
    accel._available[0] = use_numba
    try:
        with tf.Session() as sess:
            return sess.run(fetches, dict(zip(phs, feeds)))
    finally:
        accel._available[0] = saved


def _both(build, feeds, calls, expect_fast=1):
    """(registry on, registry off) results; `expect_fast`: how many compiled kernel calls the first run makes."""
    before = calls[0]
    fast = _run(build, feeds, True)
    assert calls[0] - before == expect_fast
    plain = _run(build, feeds, False)
    assert calls[0] - before == expect_fast  # none with the registry off
    return fast, plain


def _close(fast, plain):
    """float32 sums of up to a few hundred products, in another order: finite entries to a tolerance scaled by the
    largest finite one (an infinite scale would accept anything); NaN and +-inf at the same places, the same."""
    finite = np.isfinite(plain)
    np.testing.assert_array_equal(np.isfinite(fast), finite)
    np.testing.assert_array_equal(fast[~finite], plain[~finite])  # NaN matches NaN here
    scale = max(float(np.max(np.abs(plain[finite]), initial=0.0)), 1.0)
    np.testing.assert_allclose(fast[finite], plain[finite], rtol=2e-5, atol=2e-5 * scale)


def _rand(*shape, dtype=np.float32, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


_EXPLICIT = [[0, 0], [2, 1], [0, 3], [0, 0]]
_BEYOND = [[0, 0], [4, 3], [1, 1], [0, 0]]  # whole output rows read only padding
CONV_CASES = [  # name, x shape, filter shape, strides, padding
    ("cnn_first_layer", (3, 12, 11, 1), (5, 5, 1, 32), 1, "SAME"),
    ("cnn_second_layer", (2, 9, 14, 32), (5, 5, 32, 64), 1, "SAME"),
    ("valid_3x3", (2, 10, 9, 3), (3, 3, 3, 16), 1, "VALID"),
    ("same_s2_48_out", (2, 11, 10, 4), (3, 3, 4, 48), 2, "SAME"),
    ("valid_s2x3", (1, 13, 14, 2), (4, 2, 2, 16), [1, 2, 3, 1], "VALID"),
    ("explicit", (2, 7, 8, 16), (3, 3, 16, 32), 1, _EXPLICIT),
    ("explicit_beyond", (1, 4, 5, 16), (2, 2, 16, 16), 1, _BEYOND),
    ("one_by_one", (2, 6, 6, 16), (1, 1, 16, 16), 1, "VALID"),
    ("wide_rows_odd_batch", (17, 3, 40, 16), (3, 3, 16, 16), 1, "SAME"),
]


@pytest.mark.parametrize("name, xs, ws, strides, padding", CONV_CASES, ids=[c[0] for c in CONV_CASES])
@wide
def test_conv2d_and_its_gradients_match_numpy(compiled, name, xs, ws, strides, padding):
    x, w = _rand(*xs, seed=1), _rand(*ws, seed=2)
    y = _run(lambda a, b: tf.nn.conv2d(a, b, strides, padding), [x, w], False)
    dy = _rand(*y.shape, seed=3)

    def conv(a, b):
        return tf.nn.conv2d(a, b, strides, padding)
    _close(*_both(conv, [x, w], compiled))
    stride1 = strides == 1
    _close(*_both(lambda b, g: tf.nn.conv2d_backprop_input(list(xs), b, g, strides, padding), [w, dy], compiled,
                  expect_fast=int(stride1 and xs[3] % 16 == 0)))
    _close(*_both(lambda a, g: tf.nn.conv2d_backprop_filter(a, list(ws), g, strides, padding), [x, dy], compiled))


@wide
def test_conv2d_gradients_through_tf_gradients(compiled):
    x, w = _rand(4, 10, 10, 16), _rand(5, 5, 16, 32, seed=1)

    def grads(a, b):
        y = tf.nn.relu(tf.nn.conv2d(a, b, 1, "SAME"))
        return tf.gradients(tf.reduce_sum(y * y), [a, b])
    for f, p in zip(*_both(grads, [x, w], compiled, expect_fast=3)):
        _close(f, p)


@wide
def test_noncontiguous_input(compiled):
    big = _rand(2, 16, 9, 32)
    x = big[:, ::2, :, :16]  # strided rows and channels
    assert not x.flags.c_contiguous
    _close(*_both(lambda a, b: tf.nn.conv2d(a, b, 1, "SAME"), [x, _rand(3, 3, 16, 16, seed=1)], compiled))
    _close(*_both(lambda a, g: tf.nn.conv2d_backprop_filter(a, [3, 3, 16, 16], g, 1, "VALID"),
                  [x, _rand(2, 6, 7, 16, seed=2)], compiled))


@wide
def test_non_finite_values_give_the_references_nans(compiled):
    """Skipping padding is only exact for finite values: inf filters or gradients go to the NumPy kernel."""
    x, w, dy = _rand(2, 6, 6, 16), _rand(3, 3, 16, 16, seed=1), _rand(2, 6, 6, 16, seed=2)
    w[0, 0, 3, 5] = np.inf
    dy[1, 0, 0, 2] = np.nan
    x[0, 2, 3, 1] = np.nan
    for build, feeds in [(lambda a, b: tf.nn.conv2d(a, b, 1, "SAME"), [x, w]),
                         (lambda b, g: tf.nn.conv2d_backprop_input([2, 6, 6, 16], b, g, 1, "SAME"), [w, dy]),
                         (lambda a, g: tf.nn.conv2d_backprop_filter(a, [3, 3, 16, 16], g, 1, "SAME"), [x, dy])]:
        fast, plain = _run(build, feeds, True), _run(build, feeds, False)
        np.testing.assert_array_equal(np.isnan(fast), np.isnan(plain))
        _close(fast, plain)
    # a NaN input with a finite filter stays on the compiled path and spreads exactly as in the reference
    fast, plain = _both(lambda a, b: tf.nn.conv2d(a, b, 1, "SAME"), [x, _rand(3, 3, 16, 16, seed=1)], compiled)
    np.testing.assert_array_equal(np.isnan(fast), np.isnan(plain))
    _close(fast, plain)


@wide
def test_results_do_not_depend_on_the_thread_count(compiled, monkeypatch):
    x, w, dy = _rand(9, 8, 8, 16), _rand(3, 3, 16, 32, seed=1), _rand(9, 8, 8, 32, seed=2)
    builds = [(lambda a, b: tf.nn.conv2d(a, b, 1, "SAME"), [x, w]),
              (lambda b, g: tf.nn.conv2d_backprop_input([9, 8, 8, 16], b, g, 1, "SAME"), [w, dy]),
              (lambda a, g: tf.nn.conv2d_backprop_filter(a, [3, 3, 16, 32], g, 1, "SAME"), [x, dy])]
    results = []
    for threads in (1, 3):
        monkeypatch.setattr(fast_conv, "MAX_THREADS", threads)
        results.append([_run(b, f, True) for b, f in builds])
    for one, three in zip(*results):
        np.testing.assert_array_equal(one, three)


def _pool_input(shape, dtype, seed=0):
    """Values with ties (rounded), a NaN and -infs."""
    x = np.round(_rand(*shape, dtype=np.float64, seed=seed) * 2).astype(dtype)
    x.flat[5] = np.nan
    x.flat[17] = -np.inf
    x[0, :3, :3] = -np.inf  # a whole window of -inf
    return x


POOL_CASES = [  # name, x shape, ksize, strides, padding; non-overlapping windows first
    ("2x2_s2_valid", (2, 8, 6, 32), 2, 2, "VALID"),
    ("2x2_s2_valid_odd", (3, 7, 9, 5), 2, 2, "VALID"),
    ("2x2_s2_same_odd", (2, 7, 5, 16), 2, 2, "SAME"),
    ("3x3_s3_same_padding_in_front", (2, 7, 8, 3), 3, 3, "SAME"),
    ("2x3_s2x3_valid", (1, 9, 10, 4), [1, 2, 3, 1], [1, 2, 3, 1], "VALID"),
    ("2x2_s3_gaps", (2, 8, 8, 3), 2, 3, "VALID"),
    ("3x3_s2_same_overlapping", (2, 7, 6, 8), 3, 2, "SAME"),
    ("3x3_s1_same_overlapping", (1, 5, 6, 4), 3, 1, "SAME"),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name, xs, k, s, padding", POOL_CASES, ids=[c[0] for c in POOL_CASES])
def test_max_pool_and_its_gradient_match_numpy_bitwise(compiled, name, xs, k, s, padding, dtype):
    x = _pool_input(xs, dtype)
    np.testing.assert_array_equal(*_both(lambda a: tf.nn.max_pool(a, k, s, padding), [x], compiled))
    m = _run(lambda a: tf.nn.max_pool(a, k, s, padding), [x], False)
    g = _rand(*m.shape, dtype=dtype, seed=4)
    g.flat[3] = np.inf  # g * 0 is NaN in the reference, for the window's other positions too
    overlapping = "overlapping" in name

    def grad(a, b):
        return tf.gradients(tf.nn.max_pool(a, k, s, padding), a, grad_ys=b)[0]
    # MaxPool, then MaxPoolGrad (compiled for non-overlapping windows only; the NumPy kernel adds overlaps)
    np.testing.assert_array_equal(*_both(grad, [x, g], compiled, expect_fast=1 if overlapping else 2))


@wide
def test_small_cnn_trains_the_same_with_and_without_compiled_kernels(compiled):
    rng = np.random.default_rng(0)
    images, labels = rng.standard_normal((8, 12, 12, 1)).astype(np.float32), rng.integers(0, 10, 8)

    def train(use_numba):
        tf.reset_default_graph()
        tf.set_random_seed(0)
        x, t = tf.placeholder(tf.float32, [None, 12, 12, 1]), tf.placeholder(tf.int64, [None])
        h = tf.layers.max_pooling2d(tf.layers.conv2d(x, 16, 5, padding="same", activation=tf.nn.relu), 2, 2)
        h = tf.layers.max_pooling2d(tf.layers.conv2d(h, 32, 3, padding="same", activation=tf.nn.relu), 2, 2)
        logits = tf.layers.dense(tf.reshape(h, [-1, 3 * 3 * 32]), 10)
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=t, logits=logits))
        step = tf.train.AdamOptimizer(1e-3).minimize(loss)
        saved = accel._available[0]
        accel._available[0] = use_numba
        try:
            with tf.Session() as sess:
                sess.run(tf.global_variables_initializer())
                losses = [sess.run([loss, step], {x: images, t: labels})[0] for _ in range(3)]
                return losses, sess.run(tf.trainable_variables())
        finally:
            accel._available[0] = saved
    before = compiled[0]
    fast_losses, fast_vars = train(True)
    assert compiled[0] - before >= 5 * 3  # conv, input/filter gradients and both max-pool kernels, every step
    plain_losses, plain_vars = train(False)
    np.testing.assert_allclose(fast_losses, plain_losses, rtol=1e-5)
    for f, p in zip(fast_vars, plain_vars):
        np.testing.assert_allclose(f, p, rtol=1e-4, atol=1e-6)


def test_small_convolutions_never_import_numba():
    code = ("import sys, numpy as np, neuroflow as tf\n"
            "x = tf.placeholder(tf.float32, [1, 6, 6, 16])\n"
            "y = tf.nn.max_pool(tf.nn.conv2d(x, tf.ones([3, 3, 16, 16]), 1, 'SAME'), 2, 2, 'VALID')\n"
            "g = tf.gradients(tf.reduce_sum(y), x)\n"
            "tf.Session().run(g, {x: np.ones((1, 6, 6, 16), np.float32)})\n"
            "print('numba' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


@wide
def test_sessions_in_two_threads_share_the_helpers(compiled):
    import threading
    x, w = _rand(6, 10, 10, 16), _rand(3, 3, 16, 32, seed=1)
    tf.reset_default_graph()
    a, b = tf.placeholder(tf.float32, x.shape), tf.placeholder(tf.float32, w.shape)
    y = tf.nn.max_pool(tf.nn.conv2d(a, b, 1, "SAME"), 2, 2, "VALID")
    with tf.Session() as sess:
        expected = sess.run(y, {a: x, b: w})
        results, errors = [], []

        def worker():
            try:
                results.extend(sess.run(y, {a: x, b: w}) for _ in range(5))
            except Exception as e:  # noqa: BLE001 - reported below
                errors.append(e)
        threads = [threading.Thread(target=worker) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    assert not errors and len(results) == 10
    for r in results:
        np.testing.assert_array_equal(r, expected)
