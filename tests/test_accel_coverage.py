"""Every fast kernel in the registry of runtime/accel is proven equal to the OpDef's own kernel: each group below
runs one graph with the registry as it is and emptied, with the size thresholds lowered so the fast paths apply;
a spy checks that each of the group's fast kernels was bound and called, and the results must agree (bitwise,
or to the rounding of a reordered sum where the kernel sums in another order). A fast kernel no group proves
fails the coverage test, by name. The per-kernel suites (tests/test_accel_*.py) go deeper; this is the floor."""
import numpy as np
import pytest

import neuroflow as tf
from neuroflow.ops import conv_ops, linalg_ops, nn_ops, pool_ops, rnn_ops, training_ops
from neuroflow.runtime import accel, blas_threads

def _optimizers(rng):
    variables, updates = [], []
    for make in (lambda: tf.train.AdamOptimizer(0.01), lambda: tf.train.MomentumOptimizer(0.01, 0.9),
                 lambda: tf.train.GradientDescentOptimizer(0.1)):
        w = tf.Variable(rng.standard_normal((40, 30)).astype(np.float32))
        updates.append(make().minimize(tf.reduce_sum(tf.sin(w) * w)))
        variables.append(w)

    def run(sess, feeds):
        for _ in range(3):
            sess.run(updates)
        return sess.run(variables)
    return [], run


def _conv(rng):
    x = tf.placeholder(tf.float32, [2, 8, 8, 16])
    w = tf.constant(rng.standard_normal((3, 3, 16, 16)).astype(np.float32))
    y = tf.nn.conv2d(x, w, [1, 1, 1, 1], "SAME")
    fetches = [y] + tf.gradients(tf.reduce_sum(tf.sin(y)), [x, w])
    return [(x, rng.standard_normal((2, 8, 8, 16)).astype(np.float32))], lambda sess, feeds: sess.run(fetches, feeds)


def _max_pool(rng):
    x = tf.placeholder(tf.float32, [2, 8, 8, 3])
    y = tf.nn.max_pool(x, [1, 2, 2, 1], [1, 2, 2, 1], "VALID")   # windows that do not overlap: a compiled grad
    fetches = [y] + tf.gradients(tf.reduce_sum(tf.sin(y)), [x])
    return [(x, rng.standard_normal((2, 8, 8, 3)).astype(np.float32))], lambda sess, feeds: sess.run(fetches, feeds)


def _lstm(rng):
    x = tf.placeholder(tf.float64, [3, 5, 4])
    out, _ = tf.nn.dynamic_rnn(tf.nn.rnn_cell.LSTMCell(8), x, dtype=tf.float64)
    fetches = [out] + tf.gradients(tf.reduce_sum(tf.sin(out)), [x] + tf.trainable_variables())
    return [(x, rng.standard_normal((3, 5, 4)))], lambda sess, feeds: sess.run(fetches, feeds)


def _elementwise(rng):
    x = tf.placeholder(tf.float32, [64, 40])
    y = tf.nn.relu(tf.nn.bias_add(x, tf.constant(rng.standard_normal(40).astype(np.float32))))
    fetches = [y] + tf.gradients(tf.reduce_sum(y * y), [x])
    return [(x, rng.standard_normal((64, 40)).astype(np.float32))], lambda sess, feeds: sess.run(fetches, feeds)


def _matmul(rng):
    x = tf.placeholder(tf.float32, [40, 48])
    w = tf.constant(rng.standard_normal((48, 64)).astype(np.float32))
    y = tf.matmul(x, w)   # its gradients are the transposed products: x^T @ g and g @ w^T
    fetches = [y] + tf.gradients(tf.reduce_sum(tf.sin(y)), [x, w])
    return [(x, rng.standard_normal((40, 48)).astype(np.float32))], lambda sess, feeds: sess.run(fetches, feeds)


def _needs_numba():
    pytest.importorskip("numba")


def _needs_wide_vectors():
    _needs_numba()
    if not accel.conv.wide_vectors():
        pytest.skip("no AVX-512: convolutions stay with BLAS")


def _needs_pool():
    blas_threads.configure()
    if blas_threads.threads() < 2:
        pytest.skip("one core, BLAS not OpenBLAS, or NEUROFLOW_BLAS_THREADS=0: the pool is off")


def _needs_pool_and_wide_vectors():
    _needs_wide_vectors()
    _needs_pool()


# name -> (the OpDefs it proves, build(rng) -> (feeds, run(sess, feeds)), requirement, lowered thresholds, exact)
GROUPS = {
    "optimizers": ((training_ops.ApplyAdam, training_ops.ApplyMomentum, training_ops.ApplyGradientDescent),
                   _optimizers, _needs_numba, [(accel.optimizers, "MIN_ELEMENTS", 1)], True),
    "convolution": ((conv_ops.Conv2D, conv_ops.Conv2DBackpropInput, conv_ops.Conv2DBackpropFilter), _conv,
                    _needs_wide_vectors, [(accel.conv, "MIN_MACS", 0)], False),
    "max_pool": ((pool_ops.MaxPool, pool_ops.MaxPoolGrad), _max_pool, _needs_numba,
                 [(accel.conv, "MIN_POOL_ELEMENTS", 0)], True),
    "lstm": ((rnn_ops.BlockLSTM, rnn_ops.BlockLSTMGrad), _lstm, _needs_numba, [(accel.rnn, "MIN_UNITS", 8)], False),
    "pooled_elementwise": ((nn_ops.Relu, nn_ops.ReluGrad, nn_ops.BiasAdd), _elementwise, _needs_pool,
                           [(blas_threads, "MIN_SPLIT_ELEMENTS", 64)], True),
    "matmul": ((linalg_ops.MatMul,), _matmul, _needs_pool_and_wide_vectors, [(accel.matmul, "MIN_MACS", 0)], False),
}


def test_every_fast_kernel_is_proven_by_a_group():
    proven = {opdef for group in GROUPS.values() for opdef in group[0]}
    registered = set(accel.fast_kernel_opdefs())
    assert sorted(o.type_name for o in registered - proven) == [], "fast kernels no group proves"
    assert sorted(o.type_name for o in proven - registered) == [], "groups proving kernels that do not exist"


def _spied(factories, calls):
    """The registry with each factory's kernels wrapped to count their calls in `calls[opdef]`."""
    def wrap(opdef, factory):
        def spy_factory(op, ctx):
            kernel = factory(op, ctx)
            if kernel is None:
                return None

            def counted(*arrays):
                calls[opdef] = calls.get(opdef, 0) + 1
                return kernel(*arrays)
            return counted
        return spy_factory
    return {opdef: (wrap(opdef, factory), needs) for opdef, (factory, needs) in factories.items()}


def _run(build, factories):
    tf.reset_default_graph()
    tf.set_random_seed(5)
    feeds, run = build(np.random.default_rng(11))   # the same values for both runs
    saved = accel._FACTORIES
    accel._FACTORIES = factories
    try:
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            return run(sess, dict(feeds))
    finally:
        accel._FACTORIES = saved


@pytest.mark.parametrize("name", sorted(GROUPS))
def test_fast_kernels_equal_the_opdefs_own(name, monkeypatch):
    opdefs, build, requirement, thresholds, exact = GROUPS[name]
    requirement()
    needs_numba = any(accel.fast_kernel_opdefs()[o] for o in opdefs)
    monkeypatch.setenv("NEUROFLOW_NUMBA", "1")   # the registry is switched here, whatever the environment says
    monkeypatch.setattr(accel, "_available", [needs_numba])   # numba off where the group does not need it
    for module, attribute, value in thresholds:
        monkeypatch.setattr(module, attribute, value)
    calls = {}
    fast = _run(build, _spied(accel._FACTORIES, calls))
    plain = _run(build, {})
    assert sorted(o.type_name for o in opdefs if not calls.get(o)) == [], "fast kernels not called"
    for f, p in zip(fast, plain):
        assert f.dtype == p.dtype and f.shape == p.shape
        if exact:
            np.testing.assert_array_equal(f, p)
        else:   # products summed in another order: float rounding, scaled by the largest entry
            scale = max(float(np.max(np.abs(p), initial=0.0)), 1.0)
            rounding = 2e-5 if p.dtype == np.float32 else 1e-12
            np.testing.assert_allclose(f, p, rtol=rounding, atol=rounding * scale)
