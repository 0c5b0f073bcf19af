"""The compiled float32 MatMul (runtime/accel/matmul.py) equals the float64 product to float32 rounding for every
transpose combination, operand layout and shape class (16-wide columns, 16-wide rows, neither), propagates
infinities and NaNs as BLAS does, gives the same bits whatever the split and thread count, and is bound only in
plans compiled while the BLAS pool is on."""
import numpy as np
import pytest

import neuroflow as tf
from neuroflow.runtime import accel, blas_threads

pytest.importorskip("numba")
from neuroflow.runtime.accel import conv as fast_conv, matmul as fast_matmul  # noqa: E402

if not fast_conv.wide_vectors():
    pytest.skip("no AVX-512: products stay with BLAS", allow_module_level=True)


@pytest.fixture
def pool_on(monkeypatch):
    """The pool on (as after a plan with compiled convolutions), every size taking the tile; counts its calls."""
    blas_threads.configure()
    if blas_threads.threads() < 2:
        pytest.skip("one core, BLAS not OpenBLAS, or NEUROFLOW_BLAS_THREADS=0: the pool is off")
    monkeypatch.setenv("NEUROFLOW_NUMBA", "1")
    monkeypatch.setattr(accel, "_available", [True])
    monkeypatch.setattr(fast_matmul, "MIN_MACS", 0)
    calls = [0]
    product = fast_matmul._product

    def spy(a, b):
        calls[0] += 1
        return product(a, b)
    monkeypatch.setattr(fast_matmul, "_product", spy)
    return calls


def _matmul(a, b, transpose_a=False, transpose_b=False):
    tf.reset_default_graph()
    pa, pb = tf.placeholder(tf.float32, a.shape), tf.placeholder(tf.float32, b.shape)
    with tf.Session() as sess:
        return sess.run(tf.matmul(pa, pb, transpose_a=transpose_a, transpose_b=transpose_b), {pa: a, pb: b})


def _rand(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


def _reference(a, b, transpose_a, transpose_b):
    a64, b64 = a.astype(np.float64), b.astype(np.float64)
    return (a64.T if transpose_a else a64) @ (b64.T if transpose_b else b64)


def _close(got, want, k):
    """float32 sums of k products against the float64 product: within k ulps of the sum of |products|."""
    assert got.dtype == np.float32
    bound = k * np.finfo(np.float32).eps * np.maximum(np.abs(want), 1.0) * 4
    assert (np.abs(got - want) <= bound).all()


SHAPES = [  # m, k, n: columns a multiple of 16, rows a multiple of 16 only, both, odd tiles and k past a block
    (37, 300, 64), (48, 20, 10), (64, 700, 1040), (5, 3, 16), (130, 513, 33 * 16)]


@pytest.mark.parametrize("m, k, n", SHAPES)
@pytest.mark.parametrize("transpose_a, transpose_b", [(False, False), (True, False), (False, True), (True, True)])
def test_products_match_float64(pool_on, m, k, n, transpose_a, transpose_b):
    a = _rand(*((k, m) if transpose_a else (m, k)), seed=m)
    b = _rand(*((n, k) if transpose_b else (k, n)), seed=n)
    got = _matmul(a, b, transpose_a, transpose_b)
    assert pool_on[0] == 1
    _close(got, _reference(a, b, transpose_a, transpose_b), k)


def test_neither_side_16_wide_takes_blas(pool_on):
    a, b = _rand(30, 40), _rand(40, 20)
    np.testing.assert_array_equal(_matmul(a, b), a @ b)
    assert pool_on[0] == 0


def test_strided_and_reversed_operands(pool_on):
    big = _rand(80, 90)
    a = big[::2, 5:75]             # rows of stride 2, not contiguous
    b = _rand(70, 96)[::-1, :]     # rows reversed (negative stride)
    got = _matmul(a, b)
    assert pool_on[0] == 1
    _close(got, _reference(a, b, False, False), 70)


def test_infinities_and_nans_propagate_as_in_blas(pool_on):
    a, b = _rand(32, 50), _rand(50, 48, seed=1)
    a[0, 3] = np.inf
    a[1, :] = 0.0
    b[3, 0] = 0.0       # inf * 0: NaN in a[0] @ b[:, 0]
    a[2, 7] = np.nan
    b[9, 5] = -np.inf   # a[1] @ b[:, 5]: 0 * -inf, NaN
    got = _matmul(a, b)
    with np.errstate(invalid="ignore"):
        blas = a @ b
    assert pool_on[0] == 1
    np.testing.assert_array_equal(np.isnan(got), np.isnan(blas))
    np.testing.assert_array_equal(np.isinf(got), np.isinf(blas))
    np.testing.assert_array_equal(got[np.isinf(got)], blas[np.isinf(blas)])
    assert np.isnan(got[0, 0]) and np.isnan(got[1, 5]) and np.isnan(got[2]).all()


def test_results_do_not_depend_on_the_split(pool_on, monkeypatch):
    a, b = _rand(200, 600), _rand(600, 1024, seed=1)
    results = []
    for threads, chunks in ((1, 16), (2, 16), (2, 3), (3, 7)):
        monkeypatch.setattr(fast_conv, "_threads", lambda threads=threads: threads)
        monkeypatch.setattr(fast_conv, "CHUNKS", chunks)
        results.append(_matmul(a, b))
        results.append(_matmul(np.ascontiguousarray(b.T), np.ascontiguousarray(a.T)).T)  # b^T @ a^T, by rows
    for r in results[1:]:
        np.testing.assert_array_equal(r.view(np.uint32), results[0].view(np.uint32))


def test_float64_and_mismatched_shapes_take_the_plain_kernel(pool_on):
    a, b = _rand(32, 40).astype(np.float64), _rand(40, 32).astype(np.float64)
    tf.reset_default_graph()
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(tf.matmul(tf.constant(a), tf.constant(b))), a @ b)
    tf.reset_default_graph()
    pa, pb = tf.placeholder(tf.float32, [None, None]), tf.placeholder(tf.float32, [None, None])
    with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError, match="Matrix size-incompatible"):
        sess.run(tf.matmul(pa, pb), {pa: _rand(32, 40), pb: _rand(41, 32)})
    assert pool_on[0] == 0


def test_not_bound_while_the_pool_is_off(monkeypatch):
    monkeypatch.setattr(blas_threads, "threads", lambda: 1)

    class Op:
        outputs = [tf.constant(np.zeros(1, np.float32))]
    assert fast_matmul._matmul(Op(), None) is None
