"""What the tests of tiny plans share (tests/test_tiny_vm.py, tests/test_tiny_scalar.py): small training graphs
whose plans are tiny, running one through the plain generated code, the tiny VM or scalar code, and the check that
two such runs fetched the same bits."""
import threading

import numpy as np
import pytest

import neuroflow as tf
from neuroflow.runtime.compiler import tiny_plan, tiny_scalar

MODES = ("plain", "vm", "scalar")


def set_mode(mode, monkeypatch):
    """Environment switches that make tiny plans run as `mode` (the VM from the first warm run)."""
    assert mode in MODES
    monkeypatch.setenv("NEUROFLOW_TINY_VM", "1" if mode == "vm" else "0")
    monkeypatch.setenv("NEUROFLOW_SCALAR_CODE", "1" if mode == "scalar" else "0")
    monkeypatch.setenv("NEUROFLOW_TINY_VM_AFTER", "1")


def codes(sess):
    """The specialized codes (`codegen.Generated`) of every plan of `sess`."""
    return [code for plan in sess._plans.values() for code in plan._compiled.values()]


def uses_vm(sess):
    """Whether some plan of `sess` now runs through the VM."""
    return any(map(tiny_plan.uses_vm, codes(sess)))


def uses_scalar_code(sess):
    """Whether some plan of `sess` now runs as scalar code."""
    return any(map(tiny_scalar.uses_scalar_code, codes(sess)))


def run_steps(build, steps, mode, monkeypatch, expect_fast=True):
    """[(fetched values of each step)] of `steps` runs of the graph `build()` returns (fetches, feed_of(step)),
    run as `mode`; `expect_fast` False: the graph must keep its plain code."""
    set_mode(mode, monkeypatch)
    with tf.Graph().as_default():
        fetches, feed_of = build()
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            out = [sess.run(fetches, feed_of(i)) for i in range(steps)]
            assert uses_vm(sess) == (mode == "vm" and expect_fast)
            assert uses_scalar_code(sess) == (mode == "scalar" and expect_fast)
    return out


def assert_same_bits(plain, fast):
    assert len(plain) == len(fast)
    for p_step, f_step in zip(plain, fast):
        for p, f in zip(p_step, f_step):
            if p is None:
                assert f is None
                continue
            assert type(p) is type(f)
            assert np.asarray(p).dtype == np.asarray(f).dtype and np.shape(p) == np.shape(f)
            # The same bits, NaN for NaN: a NaN's sign and payload depend on the operand order a NumPy loop picks,
            # which TensorFlow does not promise either.
            p, f = np.array(p), np.array(f)
            nan = np.isnan(p)
            assert (nan == np.isnan(f)).all()
            p[nan] = f[nan] = 0
            assert p.tobytes() == f.tobytes()


def check(build, mode, steps=60, monkeypatch=None, expect_fast=True):
    """Runs `build`'s graph plain and as `mode`; asserts the same bits were fetched; returns `mode`'s values."""
    plain = run_steps(build, steps, "plain", monkeypatch)
    fast = run_steps(build, steps, mode, monkeypatch, expect_fast)
    assert_same_bits(plain, fast)
    return fast


# --- graphs ------------------------------------------------------------------------------------------------
def lecture():
    x = tf.placeholder(tf.float32, [2])
    target = tf.placeholder(tf.float32)
    rate = tf.placeholder(tf.float32)
    w = tf.Variable([0.2, 0.7])
    y = tf.reduce_sum(x * w)
    train = tf.train.GradientDescentOptimizer(rate).minimize(tf.pow(target - y, 2.0))
    return [y, train, w], lambda i: {x: [1.0, 1.0 + i % 3], target: 20.0, rate: 0.001}


OPTIMIZERS = {
    "sgd": lambda: tf.train.GradientDescentOptimizer(0.05),
    "momentum": lambda: tf.train.MomentumOptimizer(0.02, 0.9),
    "nesterov": lambda: tf.train.MomentumOptimizer(0.02, 0.9, use_nesterov=True),
    "adam": lambda: tf.train.AdamOptimizer(0.05)}


def linear_regression(dtype, optimizer):
    """A builder: the mean squared error of w * x + b over 5 points, trained by `optimizer()`."""
    def build():
        rng = np.random.default_rng(3)
        xs = rng.standard_normal((7, 5)).astype(dtype)
        ts = (xs * 3 + 0.5 + rng.standard_normal((7, 5)) * 0.1).astype(dtype)
        x = tf.placeholder(dtype, [5])
        t = tf.placeholder(dtype, [5])
        w = tf.Variable(np.array(0.3, dtype))
        b = tf.Variable(np.array(-0.1, dtype))
        loss = tf.reduce_mean(tf.square(w * x + b - t))
        train = optimizer().minimize(loss)
        return [loss, train, w, b], lambda i: {x: xs[i % 7], t: ts[i % 7]}
    return build


def assignments():
    v = tf.Variable([1.0, -2.0])
    before = v * 1.0
    with tf.control_dependencies([before]):
        assigned = tf.assign(v, v * 1.5 + 0.25)
    with tf.control_dependencies([assigned]):
        after = tf.identity(v) + 0.0
    return [before, assigned, after, v], lambda i: None


def inf_and_nan():
    x = tf.placeholder(tf.float32, [3])
    return [x / (x - x), tf.reduce_sum(x * 3e38)], lambda i: {x: [1.0, -2.0, 0.0]}


# --- checks both fast paths must pass --------------------------------------------------------------------------
def check_rebound_or_missing_variable(mode, monkeypatch, in_use):
    """A variable re-bound to another shape, or missing, gets the plain code's answer (its error) while the lecture
    runs as `mode`; `in_use(sess)`: whether the plan runs as `mode` now."""
    set_mode(mode, monkeypatch)
    with tf.Graph().as_default():
        (y, train, w), feed_of = lecture()
        rebind = tf.assign(w, [1.0, 2.0, 3.0], validate_shape=False)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for i in range(3):
                sess.run([y, train], feed_of(i))
            assert in_use(sess)
            sess.run(rebind)
            with pytest.raises(tf.errors.InvalidArgumentError, match="mul"):
                sess.run([y, train], feed_of(0))
            sess._ctx.variables.pop(w.op.name)
            with pytest.raises(tf.errors.FailedPreconditionError, match="uninitialized value Variable"):
                sess.run([y, train], feed_of(0))


def check_threads(mode, monkeypatch, in_use):
    """Threads running one plan as `mode` at once each get their own results: [y, scaled] (array fetches) and y
    alone (a 0-d fetch), y = sum(x * w), scaled = x * w; `in_use(sess)`: whether the plans run as `mode` now."""
    set_mode(mode, monkeypatch)
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [3])
        weights = np.array([0.5, -1.0, 2.0], np.float32)
        w = tf.Variable(weights)
        y, scaled = tf.reduce_sum(x * w), x * w
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for _ in range(3):
                sess.run([y, scaled], {x: [1.0, 1.0, 1.0]})  # (the VM: a new arena each run)
                sess.run(y, {x: [1.0, 1.0, 1.0]})            # (the VM: arenas from a free list)
            assert in_use(sess)
            assert not _run_from_threads(sess, x, y, scaled, weights)


def _run_from_threads(sess, x, y, scaled, weights, threads=4, runs=2000):
    """Seeds of the threads that, running [y, scaled] and y alone with their own feeds of `x` at once, got another
    thread's results."""
    failures = []

    def work(seed):
        rng = np.random.default_rng(seed)
        for _ in range(runs):
            fed = rng.standard_normal(3).astype(np.float32)
            got_y, got_scaled = sess.run([y, scaled], {x: fed})
            only_y = sess.run(y, {x: fed})
            product = fed * weights
            if got_y != np.add.reduce(product) or got_scaled.tolist() != product.tolist() or only_y != got_y:
                failures.append(seed)
    workers = [threading.Thread(target=work, args=(seed,)) for seed in range(threads)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    return failures
