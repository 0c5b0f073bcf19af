"""The engine's resources: generated plan code leaves `linecache` with its plan, long programs compile as
bounded parts (compile time linear in size) that compute the same values, errors in any part name their node."""
import gc
import linecache
import types
import weakref

import numpy as np
import pytest

import neuroflow as tf
from neuroflow.runtime.compiler import codegen
from neuroflow.runtime.context import RunContext
from neuroflow.runtime.plan import Plan

PLAN_FILES = "<neuroflow plan "


def _plan_sources():
    return {name for name in linecache.cache if str(name).startswith(PLAN_FILES)}


def _generated_functions():
    return [o for o in gc.get_objects()
            if isinstance(o, types.FunctionType) and o.__code__.co_filename.startswith(PLAN_FILES)]


def _one_graph_and_session():
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, [None])
        y = tf.reduce_sum(x * 2.0 + 1.0)
        with tf.Session() as sess:
            for _ in range(2):  # the second run goes through the generated function
                assert sess.run(y, {x: np.arange(3, dtype=np.float32)}) == 9.0


def test_generated_sources_leave_linecache_with_their_plans():
    gc.collect()
    before = _plan_sources()
    for _ in range(30):
        _one_graph_and_session()
    gc.collect()
    assert _plan_sources() - before == set()


def test_generated_lines_show_while_the_plan_lives():
    x = tf.placeholder(tf.float32, [None])
    y = tf.exp(x) * 3.0
    with tf.Session() as sess:
        for _ in range(2):
            sess.run(y, {x: np.ones(2, np.float32)})
        live = [f for f in _generated_functions() if f.__code__.co_filename in _plan_sources()]
        assert live
        code = live[0].__code__
        lines = [linecache.getline(code.co_filename, n) for n in range(1, 40)]
        assert any("k0(" in line for line in lines)


def _chain(n, x, w):
    y = x * w
    for _ in range(n):
        y = tf.sin(y)
    return y


def _chain_reference(n, x, w):
    """sum(sin^n(x * w)) and its gradient for w, by the chain rule in float64."""
    y, slopes = x * w, []
    for _ in range(n):
        slopes.append(np.cos(y))
        y = np.sin(y)
    g = np.ones_like(y)
    for slope in reversed(slopes):
        g = g * slope
    return y.sum(), (g * x).sum(axis=0)


def test_long_programs_compile_as_bounded_functions_with_the_same_results():
    n = 3 * codegen.PART_STEPS
    x = tf.placeholder(tf.float64, [None, 3])
    w = tf.Variable(np.array([0.3, -0.7, 1.1]))
    loss = tf.reduce_sum(_chain(n, x, w))
    grad, = tf.gradients(loss, w)
    feed_x = np.array([[1.0, 2.0, -0.5], [0.25, 1.5, 2.0]])
    want_loss, want_grad = _chain_reference(n, feed_x, np.array([0.3, -0.7, 1.1]))
    with tf.Session() as sess:
        sess.run(w.initializer)
        for _ in range(3):  # interpreted first run, then generated code
            got_loss, got_grad = sess.run([loss, grad], {x: feed_x})
            np.testing.assert_allclose(got_loss, want_loss, rtol=1e-10)
            np.testing.assert_allclose(got_grad, want_grad, rtol=1e-9, atol=1e-12)
        sizes = [f.__code__.co_nlocals + len(f.__code__.co_freevars) for f in _generated_functions()
                 if f.__code__.co_filename in _plan_sources()]
    # ~4 values per forward op live in the gradient program; one function holding them all is what made
    # CPython's compile superlinear.
    assert sizes and max(sizes) <= 4 * codegen.PART_STEPS


def test_an_error_in_a_later_part_names_its_node():
    n = 2 * codegen.PART_STEPS
    params = _chain(n, tf.placeholder(tf.float32, [4], name="x"), 1.5)
    indices = tf.placeholder(tf.int32, [2])
    picked = tf.gather(params, indices, name="pick")
    feed = {"x:0": np.ones(4, np.float32)}
    with tf.Session() as sess:
        for _ in range(2):
            sess.run(picked, {**feed, indices: [0, 3]})
        with pytest.raises(tf.errors.InvalidArgumentError, match="pick") as info:
            sess.run(picked, {**feed, indices: [0, 7]})
    assert "7" in str(info.value)


def test_closing_a_session_releases_its_plans_generated_code_and_constants():
    x = tf.placeholder(tf.float32, [None, 300])
    big = np.arange(300 * 300, dtype=np.float32).reshape(300, 300)
    y = tf.matmul(x, tf.constant(big)) + 1.0
    gc.collect()
    # Plans of sessions that other tests left open stay alive; only this session's count here.
    sources_before, functions_before = _plan_sources(), {id(f): f for f in _generated_functions()}
    sess = tf.Session()
    run_y = sess.make_callable(y, [x])
    for _ in range(2):
        sess.run(y, {x: np.ones((2, 300), np.float32)})
        run_y(np.ones((2, 300), np.float32))
    gc.collect()
    plan_code = _plan_sources() - sources_before
    kept = [weakref.ref(f) for f in _generated_functions() if functions_before.get(id(f)) is not f]
    assert plan_code and kept
    sess.close()
    gc.collect()
    assert [r for r in kept if r() is not None] == []
    assert _plan_sources() & plan_code == set()
    with pytest.raises(RuntimeError, match="Attempted to use a closed Session."):
        run_y(np.ones((2, 300), np.float32))


class _ContextThatCancels(RunContext):
    """A run context whose runs are cancelled at the check after `allowed` more checks."""

    def __init__(self):
        super().__init__()
        self.checks, self.allowed = 0, None

    def check_cancelled(self):
        self.checks += 1
        if self.allowed is not None and self.checks > self.allowed:
            raise tf.errors.CancelledError(None, None, "Session has been closed.")


@pytest.mark.parametrize("warm", [False, True])
def test_long_runs_stop_midway_when_cancelled(warm):
    x = tf.placeholder(tf.float32, [3])
    y = _chain(3 * codegen.PART_STEPS, x, 1.0)
    ctx = _ContextThatCancels()
    plan = Plan([y], [], [x], ctx)
    feed = [np.ones(3, np.float32)]
    for _ in range(2 if warm else 0):
        plan.run(feed)
    ctx.checks, ctx.allowed = 0, 1
    with pytest.raises(tf.errors.CancelledError, match="Session has been closed."):
        plan.run(feed)
    assert ctx.checks == 2  # the first check let the run start; the second, midway, stopped it
