"""runtime/blas_threads.py: products split over our thread pool equal NumPy's (row blocks are independent)."""
import numpy as np
import pytest

from neuroflow.runtime import blas_threads


@pytest.fixture(scope="module")
def pool():
    blas_threads.configure()
    if blas_threads.threads() < 2:
        pytest.skip("one core, BLAS not OpenBLAS, or NEUROFLOW_BLAS_THREADS=0: the pool is off")
    return blas_threads.threads()


@pytest.mark.parametrize("m,k,n", [(257, 300, 129), (64, 3136, 1024), (1000, 50, 200)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_split_product_equals_numpy(pool, m, k, n, dtype):
    rng = np.random.default_rng(m)
    a = rng.standard_normal((m, k)).astype(dtype)
    b = rng.standard_normal((k, n)).astype(dtype)
    got = blas_threads.parallel_matmul(a, b)
    assert got.dtype == dtype and got.shape == (m, n)
    np.testing.assert_allclose(got, a.astype(np.float64) @ b.astype(np.float64), rtol=1e-4 if dtype == np.float32
                               else 1e-12, atol=1e-3 if dtype == np.float32 else 1e-10)


def test_transposed_views_and_small_products(pool):
    rng = np.random.default_rng(0)
    a = rng.standard_normal((400, 600))
    b = rng.standard_normal((400, 300))
    np.testing.assert_allclose(blas_threads.parallel_matmul(a.T, b), a.T @ b, rtol=1e-12, atol=1e-10)
    small = rng.standard_normal((3, 4))
    np.testing.assert_array_equal(blas_threads.parallel_matmul(small, small.T), small @ small.T)


def test_graph_matmul_uses_it_and_matches(pool):
    import neuroflow as tf
    rng = np.random.default_rng(1)
    a = rng.standard_normal((300, 500)).astype(np.float32)
    b = rng.standard_normal((300, 700)).astype(np.float32)
    with tf.Graph().as_default(), tf.Session() as sess:
        pa, pb = tf.placeholder(tf.float32), tf.placeholder(tf.float32)
        out = sess.run(tf.matmul(pa, pb, transpose_a=True), {pa: a, pb: b})
    np.testing.assert_allclose(out, a.T.astype(np.float64) @ b, rtol=1e-4, atol=1e-3)


def test_few_rows_split_by_columns(pool):
    rng = np.random.default_rng(2)
    a = rng.standard_normal((8, 700))
    b = rng.standard_normal((700, 1000))
    np.testing.assert_allclose(blas_threads.parallel_matmul(a, b), a @ b, rtol=1e-12, atol=1e-10)
    np.testing.assert_allclose(blas_threads.parallel_matmul(a, b[:, 1:]), a @ b[:, 1:], rtol=1e-12, atol=1e-10)


def test_split_work_covers_the_range_once(pool):
    n = (1 << 20) + 37
    hits = np.zeros(n, np.int64)

    def work(lo, hi):
        hits[lo:hi] += 1
    blas_threads.split_work(n, work)
    assert (hits == 1).all()


def test_large_adam_update_split_over_the_pool_equals_numpy(pool):
    pytest.importorskip("numba")
    import neuroflow as tf
    from neuroflow.runtime import accel

    def train(use_numba):
        tf.reset_default_graph()
        rng = np.random.default_rng(0)
        w = tf.Variable(rng.standard_normal((1100, 1000)).astype(np.float32))  # over MIN_SPLIT_ELEMENTS
        x = tf.constant(rng.standard_normal((4, 1100)).astype(np.float32))
        train_op = tf.train.AdamOptimizer(0.01).minimize(tf.reduce_mean(tf.square(tf.matmul(x, w))))
        saved, accel._available[0] = accel._available[0], use_numba
        try:
            with tf.Session() as sess:
                sess.run(tf.global_variables_initializer())
                for _ in range(3):
                    sess.run(train_op)
                return sess.run(w)
        finally:
            accel._available[0] = saved
    np.testing.assert_array_equal(train(True), train(False))  # elementwise ranges: bitwise the same


def test_a_forked_child_gets_working_threads(pool):
    import os
    rng = np.random.default_rng(3)
    a, b = rng.standard_normal((600, 700)), rng.standard_normal((700, 500))
    blas_threads.parallel_matmul(a, b)  # the parent's pool threads exist now
    pid = os.fork()
    if pid == 0:  # the child: a hang here would make the parent's waitpid time out below
        ok = np.allclose(blas_threads.parallel_matmul(a, b), a @ b)
        os._exit(0 if ok else 1)
    import time
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            assert os.waitstatus_to_exitcode(status) == 0
            return
        time.sleep(0.05)
    os.kill(pid, 9)
    pytest.fail("the forked child's product never finished (its thread pool was the parent's)")


def test_a_bad_thread_count_is_named():
    import subprocess
    import sys
    code = "from neuroflow.runtime import blas_threads; blas_threads.configure()"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={**__import__("os").environ, "NEUROFLOW_BLAS_THREADS": "two"})
    assert out.returncode != 0 and "NEUROFLOW_BLAS_THREADS must be a whole number" in out.stderr
