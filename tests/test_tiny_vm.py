"""The tiny-tensor VM (runtime/compiler/tiny_plan.py lowers a tiny plan, runtime/accel/tiny_vm.py runs it) computes
bit for bit what the plain generated code computes: the lecture, a linear regression with Mean and momentum
updates, broadcasting and reduction cases, over many steps and both float dtypes; NumPy's pairwise summation order
against np.add.reduce; graphs that must keep their plain code; the tier-up rule and its switches; and no numba
import for a short program."""
import os
import subprocess
import sys

import numpy as np
import pytest

import neuroflow as tf
from neuroflow.runtime.compiler import tiny_plan

from tiny_plan_helpers import (OPTIMIZERS, assignments, check, check_rebound_or_missing_variable, check_threads,
                               inf_and_nan, lecture, linear_regression, uses_vm)

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
needs_numba = pytest.mark.skipif(not tiny_plan.enabled(), reason="the tiny VM needs numba (the [fast] extra)")
_uses_vm = uses_vm
_lecture = lecture


@pytest.fixture(autouse=True)
def _no_scalar_code(monkeypatch):
    """These tests are the VM's: scalar code (tests/test_tiny_scalar.py), which takes the narrowest plans at once,
    is off."""
    monkeypatch.setenv("NEUROFLOW_SCALAR_CODE", "0")


def _check(build, steps=60, monkeypatch=None, expect_vm=True):
    return check(build, "vm", steps, monkeypatch, expect_vm)


@needs_numba
def test_lecture_bit_for_bit(monkeypatch):
    fast = _check(_lecture, steps=300, monkeypatch=monkeypatch)
    assert fast[-1][0] != fast[0][0]  # it trained


@needs_numba
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("optimizer", sorted(OPTIMIZERS))
def test_linear_regression_with_mean(dtype, optimizer, monkeypatch):
    # Adam keeps its beta powers in float32 whatever the variables' dtype: a float64 model's plan has two dtypes.
    two_dtypes = optimizer == "adam" and dtype == np.float64
    _check(linear_regression(dtype, OPTIMIZERS[optimizer]), steps=120, monkeypatch=monkeypatch,
           expect_vm=not two_dtypes)


def _broadcasting():
    rng = np.random.default_rng(5)
    m = tf.placeholder(tf.float32, [4, 3])
    s = tf.placeholder(tf.float32)
    w = tf.Variable(rng.standard_normal((4, 3)).astype(np.float32))
    v = tf.Variable(np.float32(1.5))
    h = (m * w + v) / (tf.sqrt(tf.square(m) + 1.0) - s)      # scalar-or-full operands, Div, Sqrt, Square
    rows = tf.reduce_mean(h, axis=1) + tf.reduce_sum(-h, axis=-1, keepdims=False)   # last-axis reductions
    total = tf.reduce_sum(rows) + tf.reduce_mean(h * h) + tf.reshape(tf.reduce_sum(h, keepdims=True), [])
    loss = total + tf.reduce_sum(w * w)          # w used twice: its gradients meet in AddN
    train = tf.train.GradientDescentOptimizer(0.01).minimize(loss)
    data = rng.standard_normal((9, 4, 3)).astype(np.float32) * np.float32(10) ** rng.integers(-3, 3, (9, 4, 3))
    return [loss, rows, h, train, w, v], lambda i: {m: data[i % 9], s: float(i) * 0.25}


@needs_numba
def test_broadcasting_reductions_and_add_n(monkeypatch):
    _check(_broadcasting, steps=40, monkeypatch=monkeypatch)


@needs_numba
def test_assign_reads_before_and_after(monkeypatch):
    """An Assign gives the variable a new array: a read before it keeps the old value, a read ordered after it by
    a control dependency sees the new one in the same run (TensorFlow's order: tests/test_variable_ordering.py), and
    the next run reads it too; the VM fetches what the plain code fetches."""
    fast = _check(assignments, steps=20, monkeypatch=monkeypatch)
    assert fast[3][0].tolist() == [1.5 ** 3 + 0.25 * (1 + 1.5 + 1.5 ** 2), -2.0 * 1.5 ** 3 + 0.25 * (1 + 1.5 + 2.25)]
    assert fast[3][1].tolist() == fast[3][2].tolist() == fast[4][0].tolist() == \
        (fast[3][0] * np.float32(1.5) + np.float32(0.25)).tolist()


@needs_numba
def test_inf_and_nan_are_computed_silently(monkeypatch):
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fast = _check(inf_and_nan, steps=4, monkeypatch=monkeypatch)
    assert np.isnan(fast[-1][0][2]) and np.isinf(fast[-1][0][0]) and np.isinf(fast[-1][1])


@needs_numba
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_kernel_sums_in_numpys_pairwise_order(dtype):
    """sum_rows and mean_rows against np.add.reduce over every row length the VM takes (1..128), as full and as
    last-axis reductions; values of mixed magnitudes, so any other order shows in the last bits."""
    from neuroflow.runtime.accel.tiny_vm import run
    rng = np.random.default_rng(11)
    width = tiny_plan.WIDTH
    header = lambda size: [1, 0, size, 0, 0]  # noqa: E731 - one input at 0, read only
    for n in range(1, tiny_plan.MAX_ROW + 1):
        for rows in (1, 2, 5):
            x = (rng.standard_normal((rows, n)) * 10.0 ** rng.uniform(-4, 4, (rows, n))).astype(dtype)
            size = x.size
            for opcode, reference in (("sum_rows", np.add.reduce(x, axis=-1)),
                                      ("mean_rows", np.add.reduce(x, axis=-1, dtype=dtype) / dtype(n))):
                code = header(size) + [tiny_plan.OPCODES[opcode], rows, size, 0, n, size + rows] + [0] * (width - 6)
                arena = np.zeros(size + rows + 1, dtype)
                arena[size + rows] = n
                assert run(np.array(code, np.int64), arena, (x.reshape(-1),)) == 0
                assert arena[size:size + rows].tobytes() == reference.tobytes(), (opcode, rows, n)
            if rows * n <= tiny_plan.MAX_ROW:  # a full reduction of a 2-d array: one row of all its elements
                code = header(size) + [tiny_plan.OPCODES["sum_rows"], 1, size, 0, size, 0] + [0] * (width - 6)
                arena = np.zeros(size + 1, dtype)
                run(np.array(code, np.int64), arena, (x.reshape(-1),))
                assert arena[size] == np.add.reduce(x, axis=None) and arena[size].tobytes() == \
                    np.add.reduce(x, axis=(0, 1)).tobytes()


@needs_numba
def test_kernel_refuses_inputs_of_another_size():
    from neuroflow.runtime.accel.tiny_vm import run
    header = [2, 0, 2, 0, 1, 2, 2, 2, 1]  # two inputs: (offset in, size, offset out, write back)
    code = np.array(header + [tiny_plan.OPCODES["neg"], 2, 0, 0, 0, 0, 0, 1, 0, 0, 0], np.int64)
    var = np.ones(3, np.float32)
    assert run(code, np.zeros(4, np.float32), (np.ones(2, np.float32), var)) == 1
    assert var.tolist() == [1.0, 1.0, 1.0]  # untouched


def _session_program(build, runs=2):
    """The specialized program of the last plan `build()`'s fetches ran with (and the session's context)."""
    fetches, feed = build()
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    for _ in range(runs):
        sess.run(fetches, feed)
    plan = [p for p in sess._plans.values() if p._compiled][-1]
    return list(plan._compiled.values())[-1].program, sess


@pytest.mark.parametrize("build", [
    lambda: ([tf.matmul(tf.ones([2, 2]), tf.Variable(tf.ones([2, 2])))], {}),
    lambda: ([tf.exp(tf.Variable([1.0, 2.0]))], {}),
    lambda: ([tf.Variable([1, 2]) * 2], {}),                                          # integers
    lambda: ([tf.reduce_sum(tf.Variable(tf.ones([4, 3])), axis=0)], {}),             # another order
    lambda: ([tf.reduce_sum(tf.Variable(tf.ones([200])))], {}),                      # a row over 128
    lambda: ([tf.Variable(tf.ones([40, 40])) * 2.0], {}),                            # over 1024 elements
    lambda: ([tf.Variable(tf.ones([4, 1])) * tf.Variable(tf.ones([1, 3]))], {}),      # not scalar-or-full
    lambda: ([tf.cast(tf.Variable([1.0, 2.0]), tf.float64) * 2.0], {}),              # two dtypes
    lambda: ([tf.assign(tf.Variable([1.0, 2.0]), [3.0, 4.0, 5.0], validate_shape=False)], {}),
    lambda: ([tf.assign_add(tf.Variable([1.0, 2.0]), [3.0, 4.0])], {}),
], ids=["matmul", "exp", "int", "axis0", "long-row", "large", "outer", "cast", "assign-any-shape", "assign-add"])
def test_graphs_that_keep_their_plain_code(build):
    with tf.Graph().as_default():
        program, sess = _session_program(build)
        assert tiny_plan.lower(program, sess._ctx.variable_name) is None


def test_the_lecture_is_tiny():
    with tf.Graph().as_default():
        fetches, feed_of = _lecture()
        program, sess = _session_program(lambda: (fetches, feed_of(0)))
        tiny = tiny_plan.lower(program, sess._ctx.variable_name)
    assert tiny is not None and [kind for kind, _, _ in tiny.inputs] == ["feed", "variable"]


@needs_numba
def test_a_rebound_or_missing_variable_gets_the_plain_codes_answer(monkeypatch):
    check_rebound_or_missing_variable("vm", monkeypatch, uses_vm)


def test_tier_up_runs_asked_for(monkeypatch):
    monkeypatch.delenv("NEUROFLOW_TINY_VM_AFTER", raising=False)
    assert tiny_plan.tier_up_runs() is None   # the ski-rental rule decides
    monkeypatch.setenv("NEUROFLOW_TINY_VM_AFTER", "7")
    assert tiny_plan.tier_up_runs() == 7
    monkeypatch.setenv("NEUROFLOW_TINY_VM_AFTER", "many")
    assert tiny_plan.tier_up_runs() is None
    config = tf.ConfigProto()
    config.graph_options.optimizer_options.global_jit_level = tf.OptimizerOptions.ON_1
    with tf.Graph().as_default(), tf.Session(config=config) as sess:
        assert tiny_plan.tier_up_runs(sess._ctx) == 0
    config.graph_options.optimizer_options.global_jit_level = tf.OptimizerOptions.OFF
    with tf.Graph().as_default(), tf.Session(config=config) as sess:
        assert tiny_plan.tier_up_runs(sess._ctx) is None


def test_tier_up_seconds_are_twice_the_expected_cost(monkeypatch):
    monkeypatch.setattr(tiny_plan, "_vm_loaded", [False])
    assert tiny_plan.tier_up_seconds() == 2 * tiny_plan.FIRST_TIER_UP_SECONDS
    monkeypatch.setattr(tiny_plan, "_vm_loaded", [True])
    assert tiny_plan.tier_up_seconds() == 2 * tiny_plan.LATER_TIER_UP_SECONDS


@needs_numba
@pytest.mark.parametrize("sample_every, tier_up_run", [(1, 10), (4, 12)])  # (4: samples at runs 4, 8, 12)
def test_the_rule_waits_for_the_plain_runs_to_take_twice_the_cost(monkeypatch, sample_every, tier_up_run):
    monkeypatch.delenv("NEUROFLOW_TINY_VM_AFTER", raising=False)
    clock = [0.0]

    def fake_clock():   # read twice a timed run: each plain run takes 2**-10 s of this clock (exact in binary)
        clock[0] += 2.0 ** -10
        return clock[0]
    monkeypatch.setattr(tiny_plan, "perf_counter", fake_clock)
    monkeypatch.setattr(tiny_plan, "SAMPLE_EVERY", sample_every)
    monkeypatch.setattr(tiny_plan, "_vm_loaded", [False])
    monkeypatch.setattr(tiny_plan, "FIRST_TIER_UP_SECONDS", 5 * 2.0 ** -10)   # twice that: 10 runs' time
    with tf.Graph().as_default():
        fetches, feed_of = _lecture()
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(fetches[:2], feed_of(0))   # compiles
            for i in range(1, tier_up_run + 1):
                assert not _uses_vm(sess), i
                sess.run(fetches[:2], feed_of(i))
            assert _uses_vm(sess)


@needs_numba
def test_the_jit_level_takes_the_vm_at_once(monkeypatch):
    monkeypatch.delenv("NEUROFLOW_TINY_VM_AFTER", raising=False)
    monkeypatch.setattr(tiny_plan, "_vm_loaded", [False])
    config = tf.ConfigProto(graph_options=tf.GraphOptions(
        optimizer_options=tf.OptimizerOptions(global_jit_level=tf.OptimizerOptions.ON_1)))
    with tf.Graph().as_default():
        fetches, feed_of = _lecture()
        with tf.Session(config=config) as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(fetches[:2], feed_of(0))   # compiles
            sess.run(fetches[:2], feed_of(1))   # the first warm run tiers up
            assert _uses_vm(sess)


def test_switches(monkeypatch):
    monkeypatch.setenv("NEUROFLOW_TINY_VM", "0")
    assert not tiny_plan.enabled()
    monkeypatch.setenv("NEUROFLOW_TINY_VM", "1")
    monkeypatch.setenv("NEUROFLOW_NUMBA", "0")
    assert not tiny_plan.enabled()


_CHILD = """
import sys
import neuroflow as tf
from neuroflow.runtime.compiler import tiny_plan
exec(compile(open(sys.argv[1]).read(), "lecture", "exec"))
sess = tf.Session()
sess.run(tf.global_variables_initializer())
feed = {x: [1.0, 1.0], target: 20.0}
codes = lambda: [c for p in sess._plans.values() for c in p._compiled.values()]
sess.run([y, train_op], feed)          # compiles the plan
for run in range(1, 6):
    assert not any(map(tiny_plan.uses_vm, codes())) and "numba" not in sys.modules, run
    sess.run([y, train_op], feed)
assert any(map(tiny_plan.uses_vm, codes())) and "numba" in sys.modules
print("ok")
"""


@needs_numba
def test_tier_up_after_the_set_number_of_warm_runs_in_a_fresh_process(tmp_path):
    lecture = tmp_path / "lecture.py"
    source = open(os.path.join(REPO, "examples", "lecture_train.py")).read()
    lecture.write_text(source.split("with tf.Session()")[0])  # the graph only
    env = dict(os.environ, NEUROFLOW_TINY_VM_AFTER="5", PYTHONPATH=REPO)
    done = subprocess.run([sys.executable, "-c", _CHILD, str(lecture)], capture_output=True, text=True, env=env,
                          timeout=300)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr


def test_the_lecture_program_does_not_import_numba():
    check = ("import runpy, sys; runpy.run_path(sys.argv[1], run_name='__main__'); "
             "assert 'numba' not in sys.modules, 'numba imported'")
    env = dict(os.environ, PYTHONPATH=REPO)
    env.pop("NEUROFLOW_TINY_VM_AFTER", None)
    done = subprocess.run([sys.executable, "-c", check, os.path.join(REPO, "examples", "lecture_train.py")],
                          capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("Result:") == 10


@needs_numba
@pytest.mark.parametrize("runs", [2, 4])  # counting down, and through the VM
def test_a_dropped_session_frees_its_plans_without_the_cycle_collector(runs, monkeypatch):
    import gc
    import weakref
    monkeypatch.setenv("NEUROFLOW_TINY_VM_AFTER", "2")
    with tf.Graph().as_default():
        fetches, feed_of = _lecture()
        gc.disable()
        try:
            sess = tf.Session()
            sess.run(tf.global_variables_initializer())
            for i in range(runs):
                sess.run(fetches[:2], feed_of(i))
            assert _uses_vm(sess) == (runs == 4)
            codes = [weakref.ref(c) for p in sess._plans.values() for c in p._compiled.values()]
            gone = weakref.ref(sess)
            del sess
            assert gone() is None and all(c() is None for c in codes)
        finally:
            gc.enable()


@needs_numba
def test_threads_running_one_tiny_plan_get_their_own_results(monkeypatch):
    check_threads("vm", monkeypatch, lambda sess: all(
        tiny_plan.uses_vm(c) for p in sess._plans.values() for c in p._compiled.values() if len(c.program.steps) > 1))
