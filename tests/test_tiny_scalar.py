"""Scalar code for the narrowest tiny plans (runtime/compiler/tiny_scalar.py) computes bit for bit what the plain
generated code computes: the lecture, a linear regression with Mean under each optimizer in both float dtypes,
assignments, inf and nan, broadcasting, reductions and fetches of every rank; its sums follow NumPy's pairwise
order and its square roots are NumPy's; wider plans keep their plain code; a missing or re-bound variable gets the
plain code's answer; it needs no numba and runs from the first warm run."""
import os
import subprocess
import sys

import numpy as np
import pytest

import neuroflow as tf
from neuroflow.runtime.compiler import tiny_plan, tiny_scalar
from tiny_plan_helpers import (OPTIMIZERS, assignments, check, check_rebound_or_missing_variable, check_threads,
                               inf_and_nan, lecture, linear_regression, run_steps, set_mode, uses_scalar_code)

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_lecture_bit_for_bit(monkeypatch):
    fast = check(lecture, "scalar", steps=300, monkeypatch=monkeypatch)
    assert fast[-1][0] != fast[0][0]  # it trained


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("optimizer", sorted(OPTIMIZERS))
def test_linear_regression_with_mean(dtype, optimizer, monkeypatch):
    # Adam keeps its beta powers in float32 whatever the variables' dtype: a float64 model's plan has two dtypes.
    two_dtypes = optimizer == "adam" and dtype == np.float64
    check(linear_regression(dtype, OPTIMIZERS[optimizer]), "scalar", steps=120, monkeypatch=monkeypatch,
          expect_fast=not two_dtypes)


def test_assign_reads_before_and_after(monkeypatch):
    fast = check(assignments, "scalar", steps=20, monkeypatch=monkeypatch)
    assert fast[3][1].tolist() == fast[3][2].tolist() == fast[4][0].tolist()


def test_inf_and_nan_are_computed_silently(monkeypatch):
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fast = check(inf_and_nan, "scalar", steps=4, monkeypatch=monkeypatch)
    assert np.isnan(fast[-1][0][2]) and np.isinf(fast[-1][0][0]) and np.isinf(fast[-1][1])


def _small_broadcasting(dtype):
    def build():
        rng = np.random.default_rng(5)
        m = tf.placeholder(dtype, [2, 3])
        s = tf.placeholder(dtype)
        w = tf.Variable(rng.standard_normal((2, 3)).astype(dtype))
        v = tf.Variable(np.array(1.5, dtype))
        h = (m * w + v) / (tf.sqrt(tf.square(m) + s) + s)    # scalar-or-full operands, Div, Sqrt, Square
        rows = tf.reduce_mean(h, axis=1) + tf.reduce_sum(-h, axis=-1)
        total = tf.reduce_sum(rows) + tf.reduce_mean(h * h) + tf.reshape(tf.reduce_sum(h, keepdims=True), [])
        loss = total + tf.reduce_sum(w * w)                  # w used twice: its gradients meet in AddN
        train = tf.train.MomentumOptimizer(1e-3, 0.5).minimize(loss)
        roots = tf.sqrt(m * w)                               # of negatives too: NaN, fetched only
        data = (rng.standard_normal((9, 2, 3)) * 10.0 ** rng.integers(-2, 2, (9, 2, 3))).astype(dtype)
        return [loss, rows, h, train, w, v, roots], lambda i: {m: data[i % 9], s: 1.0 + float(i % 4) * 0.25}
    return build


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_broadcasting_reductions_and_fetches_of_every_rank(dtype, monkeypatch):
    fast = check(_small_broadcasting(dtype), "scalar", steps=40, monkeypatch=monkeypatch)
    assert fast[0][2].shape == (2, 3) and fast[0][1].shape == (2,) and np.shape(fast[0][0]) == ()
    assert np.isfinite(fast[-1][0]) and np.isnan(fast[-1][-1]).any() and not np.isnan(fast[-1][-1]).all()


def test_a_row_of_eight_is_summed_with_eight_accumulators(monkeypatch):
    def build():
        x = tf.placeholder(tf.float32, [8])
        w = tf.Variable((np.linspace(-3, 5, 8) * 10.0 ** np.arange(-4, 4)).astype(np.float32))
        loss = tf.reduce_sum(x * w)
        train = tf.train.GradientDescentOptimizer(1e-3).minimize(loss)
        data = np.random.default_rng(2).standard_normal((5, 8)).astype(np.float32) * 1e3
        return [loss, train, w], lambda i: {x: data[i % 5]}
    check(build, "scalar", steps=30, monkeypatch=monkeypatch)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sums_follow_numpys_pairwise_order(dtype):
    """The emitter's sum expression against np.add.reduce for every row length the VM takes (1..128), values of
    mixed magnitudes, so any other order shows in the last bits."""
    rng = np.random.default_rng(11)
    for n in range(1, tiny_plan.MAX_ROW + 1):
        x = (rng.standard_normal(n) * 10.0 ** rng.uniform(-4, 4, n)).astype(dtype)
        emitter = tiny_scalar._Emitter(None)
        emitter.written.update(range(n))
        total = eval(emitter.pairwise(0, n), {f"a{i}": x[i] for i in range(n)})  # noqa: S307 - our own expression
        assert type(total) is dtype and total.tobytes() == np.add.reduce(x).tobytes(), n


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_square_roots_are_numpys(dtype):
    rng = np.random.default_rng(4)
    finfo = np.finfo(dtype)
    decades = np.log10(finfo.max) - 1
    values = np.concatenate([
        (rng.uniform(0, 1, 20000) * 10.0 ** rng.uniform(-decades, decades, 20000)).astype(dtype),
        rng.integers(0, 2 ** 20, 5000).astype(dtype),
        np.array([0.0, -0.0, np.inf, -np.inf, np.nan, -1.0, -1e-30, finfo.max, finfo.tiny, finfo.tiny / 4,
                  finfo.smallest_subnormal], dtype)])
    sqrt = tiny_scalar._sqrt_function(np.dtype(dtype))
    with np.errstate(invalid="ignore"):
        expected = np.sqrt(values)
        got = [sqrt(v) for v in values]
    assert all(type(g) is dtype for g in got)
    assert np.array(got, dtype).tobytes() == expected.tobytes()


def _session_program(build):
    fetches, feed = build()
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    for _ in range(2):
        sess.run(fetches, feed)
    plan = [p for p in sess._plans.values() if p._compiled][-1]
    return list(plan._compiled.values())[-1].program, sess


@pytest.mark.parametrize("build", [
    lambda: ([tf.Variable(tf.ones([3, 3])) * 2.0], {}),                         # 9 elements an instruction
    lambda: ([tf.reduce_sum(tf.Variable(tf.ones([9])))], {}),                   # a sum of 9
    lambda: ([tf.reduce_sum(tf.Variable(tf.ones([3, 3])), axis=1)], {}),        # 3 rows of 3
], ids=["elementwise", "sum", "rows"])
def test_wider_plans_keep_their_plain_code(build, monkeypatch):
    set_mode("scalar", monkeypatch)
    with tf.Graph().as_default():
        program, sess = _session_program(build)
        tiny = tiny_plan.lower(program, sess._ctx.variable_name)
        assert tiny is not None and tiny_scalar.runner(tiny, program.num_feeds, {}, None) is None
        assert not uses_scalar_code(sess)


def test_a_rebound_or_missing_variable_gets_the_plain_codes_answer(monkeypatch):
    check_rebound_or_missing_variable("scalar", monkeypatch, uses_scalar_code)


def test_plan_source_shows_the_scalar_code(monkeypatch):
    set_mode("scalar", monkeypatch)
    with tf.Graph().as_default():
        (y, train, _), feed_of = lecture()
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run([y, train], feed_of(0))
            source = sess.plan_source([y, train], feed_of(0))
    assert "(ApplyGradientDescent)" in source and "scalar code" in source and "w1[0] = " in source


def test_threads_running_one_plan_get_their_own_results(monkeypatch):
    check_threads("scalar", monkeypatch, uses_scalar_code)


def test_switch(monkeypatch):
    monkeypatch.setenv("NEUROFLOW_SCALAR_CODE", "0")
    assert not tiny_scalar.enabled()
    run_steps(lecture, 3, "plain", monkeypatch)  # (asserts no scalar code ran)
    monkeypatch.delenv("NEUROFLOW_SCALAR_CODE")
    assert tiny_scalar.enabled()


def test_the_lecture_runs_as_scalar_code_without_numba(monkeypatch):
    """A fresh process that cannot import numba (NEUROFLOW_NUMBA=0) runs the lecture's training as scalar code
    from its first warm run, and trains as the plain code does."""
    child = ("import neuroflow as tf, sys\n"
             "sys.path.insert(0, sys.argv[1])\n"
             "from tiny_plan_helpers import lecture, uses_scalar_code\n"
             "(y, train, w), feed_of = lecture()\n"
             "sess = tf.Session(); sess.run(tf.global_variables_initializer())\n"
             "for i in range(3): sess.run([y, train], feed_of(i))\n"
             "assert uses_scalar_code(sess) and 'numba' not in sys.modules\n"
             "print(sess.run(w).tobytes().hex())\n")
    env = dict(os.environ, NEUROFLOW_NUMBA="0", PYTHONPATH=REPO)
    for name in ("NEUROFLOW_SCALAR_CODE", "NEUROFLOW_TINY_VM", "NEUROFLOW_TINY_VM_AFTER"):
        env.pop(name, None)
    done = subprocess.run([sys.executable, "-c", child, os.path.join(REPO, "tests")], capture_output=True,
                          text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    plain = run_steps(lecture, 3, "plain", monkeypatch)
    assert done.stdout.strip() == plain[-1][2].tobytes().hex()


@pytest.mark.parametrize("mode", ["scalar", "vm"])
def test_a_0d_variable_held_as_a_numpy_scalar_is_still_updated(mode, monkeypatch):
    """A 0-d variable's storage can be a NumPy scalar, which cannot be written in place: its runs go to the
    plain code, and the update is not lost (the VM once wrote it into a copy). AssignAdd keeps arrays."""
    if mode == "vm" and not tiny_plan.enabled():
        pytest.skip("the tiny VM needs numba (the [fast] extra)")
    set_mode(mode, monkeypatch)
    with tf.Graph().as_default():
        p = tf.placeholder(tf.float32)
        v = tf.Variable(0.0)
        assign = tf.assign(v, p)
        bump = tf.assign_add(v, 5.0)
        with tf.Session() as sess:
            for _ in range(3):
                sess.run(assign, {p: 1.5})
                assert sess.run(bump) == np.float32(6.5)
                assert type(sess._ctx.variables[v.op.name]) is np.ndarray
            sess._ctx.variables[v.op.name] = np.float32(-4.0)
            sess.run(assign, {p: 2.5})
            assert sess.run(v) == np.float32(2.5)
