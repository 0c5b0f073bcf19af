"""The backend boundary: graphs lowered by the plan compiler for a RunContext whose `xp` is a strict array module
(tests/strict_backend.py) give the NumPy results; a kernel that computes with NumPy behind its `xp`, or hands
back a NumPy array, fails here. Covered: every op-table row's forward (known and unknown input shapes, against
its NumPy reference), every differentiable row's gradient graph, variables with every optimizer's fused update,
and the random ops (against the NumPy session's values). No op-table row is exempt; an OpDef that no graph here
runs must be declared in HOST_ONLY with its reason (test_every_opdef_runs_on_the_strict_backend_or_says_why_not).
Feeds and constants are placed on the backend here: the runtime does not place values yet."""
import numpy as np
import pytest

import neuroflow as tf
from neuroflow.framework.op_def import registered_opdefs
from neuroflow.ops.tensor_list_ops import TensorList
from neuroflow.runtime.compiler import program as program_module
from neuroflow.runtime.context import RunContext
from neuroflow.runtime.plan import op_error

import strict_backend
from op_table_cases import FORWARD_CASES, GRADIENT_CASES
from strict_backend import StrictArray, backend


def _execute(ctx, fetches=(), targets=(), feeds=None):
    """Lowers the ops the fetches and targets need with context `ctx` (kernels bound to its `xp`; no rewrites,
    so every kernel runs), places feeds and constants on the strict backend, runs the steps and returns the
    fetched values as NumPy arrays. Fails when a kernel returned anything but a backend array, or when any
    conversion was refused (even one a kernel caught)."""
    feeds = feeds or {}
    program = program_module.lower(list(fetches), list(targets), list(feeds), ctx)
    values = {v: backend.asarray(c) for v, c in program.consts.items()}
    values.update((i, backend.asarray(a)) for i, a in enumerate(feeds.values()))
    strict_backend.escapes.clear()
    with np.errstate(all="ignore"):
        for step in program.steps:
            args = [values[v] for v in step.ins]
            try:
                result = step.kernel(*args)
            except Exception as exc:  # noqa: BLE001 - the runtime's conversion, with the op's explain_failure
                raise op_error(step.op, exc, args) from None
            results = [result] if len(step.outs) == 1 else result if step.outs else ()
            for v, r in zip(step.outs, results):
                assert _on_backend(r), f"{step}: returned {type(r).__name__}, not a backend array"
                values[v] = r
    assert not strict_backend.escapes, strict_backend.escapes
    return [backend.asnumpy(values[v]) for v in program.fetches]


def _on_backend(value):
    """A backend array, or a TensorArray's list value (a TensorList) holding only backend arrays."""
    if type(value) is TensorList:
        return all(item is None or type(item) is StrictArray for item in value.items)
    return type(value) is StrictArray


def _placeholders(sample, unknown=False):
    """Placeholders for a sample's arrays, of their exact shapes or (unknown) of their ranks only."""
    return [tf.placeholder(tf.as_dtype(a.dtype), [None] * a.ndim if unknown else a.shape) for a in sample]


def _run_row(fn, sample, unknown=False):
    with tf.Graph().as_default():
        placeholders = _placeholders(sample, unknown)
        out = fn(*placeholders)
        return _execute(RunContext(xp=backend), [out], feeds=dict(zip(placeholders, sample)))[0]


@pytest.mark.parametrize("row, index", FORWARD_CASES, ids=[f"{r.name}-{i}" for r, i in FORWARD_CASES])
@pytest.mark.parametrize("unknown", [False, True], ids=["known", "unknown"])
def test_forward_on_strict_backend_matches_numpy(row, index, unknown):
    """Unknown input shapes keep the shape-computing ops (Shape, Size, ...) in the graph."""
    sample = row.samples[index]
    expected = np.asarray(row.ref(*sample))
    got = _run_row(row.fn, sample, unknown)
    assert got.shape == expected.shape
    if row.exact_dtype:
        assert got.dtype == expected.dtype, (got.dtype, expected.dtype)
    np.testing.assert_allclose(got, expected, rtol=row.rtol, atol=row.atol)


def _gradients_fn(row):
    def fn(*xs):
        grads = tf.gradients(tf.reduce_sum(row.fn(*xs)), [x for x in xs if x.dtype.is_floating])
        return [tf.convert_to_tensor(g) if isinstance(g, tf.IndexedSlices) else g for g in grads]
    return fn


@pytest.mark.consistency
@pytest.mark.parametrize("case", GRADIENT_CASES, ids=[c.id for c in GRADIENT_CASES])
def test_gradient_graph_on_strict_backend_matches_numpy_session(case):
    """Consistency: the gradient graph's kernels on the strict backend give what a NumPy session gives (the
    gradients themselves are checked against central differences in test_gradients)."""
    fn = _gradients_fn(case.row)
    with tf.Graph().as_default():
        placeholders = _placeholders(case.sample)
        grads = [g for g in fn(*placeholders) if g is not None]
        with tf.Session() as sess:
            expected = sess.run(grads, dict(zip(placeholders, case.sample)))
        got = _execute(RunContext(xp=backend), grads, feeds=dict(zip(placeholders, case.sample)))
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g, e, rtol=1e-12, atol=1e-300)


_OPTIMIZERS = {
    "sgd": lambda: tf.train.GradientDescentOptimizer(0.1),
    "momentum": lambda: tf.train.MomentumOptimizer(0.1, 0.9),
    "nesterov": lambda: tf.train.MomentumOptimizer(0.1, 0.9, use_nesterov=True),
    "adagrad": lambda: tf.train.AdagradOptimizer(0.1),
    "adadelta": lambda: tf.train.AdadeltaOptimizer(1.0),
    "rmsprop": lambda: tf.train.RMSPropOptimizer(0.1, momentum=0.5),
    "centered_rmsprop": lambda: tf.train.RMSPropOptimizer(0.1, momentum=0.5, centered=True),
    "adam": lambda: tf.train.AdamOptimizer(0.1),
}


def _optimizer_graph(name):
    """(init, train, bump, fetches) over one variable in the default graph: `name`'s fused update, then
    AssignAdd/AssignSub, then a read and IsVariableInitialized."""
    w = tf.Variable(np.array([[0.5, -1.0], [2.0, 0.25]]), name="w")
    x = tf.constant(np.array([[1.0, 2.0], [-3.0, 0.5]]))
    loss = tf.reduce_sum(tf.square(tf.matmul(x, w) - 1.0))
    train = _OPTIMIZERS[name]().minimize(loss)
    bump = tf.assign_sub(tf.assign_add(w, tf.ones_like(w)), 0.5 * tf.ones_like(w))
    fetches = [tf.identity(w), tf.is_variable_initialized(w)]
    return tf.global_variables_initializer(), train, bump, fetches


@pytest.mark.consistency
@pytest.mark.parametrize("name", sorted(_OPTIMIZERS))
def test_variables_and_optimizer_updates_on_strict_backend(name):
    """Assign, variable reads, AssignAdd/AssignSub, IsVariableInitialized and the fused optimizer update write
    and read backend arrays, and two training steps give the NumPy session's values."""
    with tf.Graph().as_default():
        init, train, bump, fetches = _optimizer_graph(name)
        with tf.Session() as sess:
            sess.run(init)
            for _ in range(2):
                sess.run(train)
            sess.run(bump)
            expected = sess.run(fetches)
        ctx = RunContext(xp=backend)
        _execute(ctx, targets=[init])
        for _ in range(2):
            _execute(ctx, targets=[train])
        _execute(ctx, [bump])
        got = _execute(ctx, fetches)
    assert all(type(v) is StrictArray for v in ctx.variables.values())
    np.testing.assert_allclose(got[0], expected[0], rtol=1e-12)
    assert got[1] == expected[1] == True  # noqa: E712 - a NumPy bool


def _scatter_updates():
    """(init, row updates, reads): scatter_add with a repeated row, scatter_sub, scatter_update, and a step of each
    optimizer whose IndexedSlices update is row-sparse (SparseApply*), on a gather with a repeated row."""
    w = tf.Variable(np.arange(6.0).reshape(3, 2), name="w")
    updates = [tf.scatter_add(w, [0, 0], np.ones((2, 2))), tf.scatter_sub(w, [2], np.ones((1, 2))),
               tf.scatter_update(w, [1], np.full((1, 2), 7.0))]
    for optimizer in (tf.train.MomentumOptimizer(0.1, 0.9), tf.train.AdagradOptimizer(0.1),
                      tf.train.AdadeltaOptimizer(1.0), tf.train.RMSPropOptimizer(0.1, momentum=0.5),
                      tf.train.RMSPropOptimizer(0.1, momentum=0.5, centered=True)):
        v = tf.Variable(np.arange(6.0).reshape(3, 2) / 4)
        updates.append(optimizer.minimize(tf.reduce_sum(tf.square(tf.gather(v, [0, 2, 0]) - 1.0))))
    reads = [tf.identity(x) for x in tf.global_variables()]
    return tf.global_variables_initializer(), [getattr(u, "op", u) for u in updates], reads


def test_scatter_updates_on_strict_backend():
    with tf.Graph().as_default():
        init, updates, read = _scatter_updates()
        with tf.Session() as sess:
            sess.run(init)
            for u in updates:
                sess.run(u)
            expected = sess.run(read)
        ctx = RunContext(xp=backend)
        _execute(ctx, targets=[init])
        for u in updates:
            _execute(ctx, targets=[u])
        got = _execute(ctx, read)
    assert all(type(v) is StrictArray for v in ctx.variables.values())
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g, e, rtol=1e-12)


@pytest.mark.parametrize("build, feed", [
    (lambda x: tf.reshape(x, [4, -1, 5]), np.ones((2, 3))),
    (lambda x: tf.matmul(x, x), np.ones((2, 3))),
    (lambda x: x + tf.ones([4], tf.float64), np.ones((2, 3))),
    (lambda x: tf.floordiv(x, tf.zeros_like(x)), np.ones(3, np.int32)),
    (lambda x: tf.tile(x, tf.shape(x) - 3), np.ones((2, 3))),  # multiples [-1, 0] at run time
], ids=["reshape", "matmul", "broadcast", "int_div_by_zero", "tile"])
def test_kernel_failures_are_explained_on_strict_backend(build, feed):
    """A failing kernel's message (each OpDef's explain_failure reads the arrays) is the NumPy session's, and
    reading the backend arrays for it refuses nothing."""
    with tf.Graph().as_default():
        x = tf.placeholder(tf.as_dtype(feed.dtype), [None] * feed.ndim)
        out = build(x)
        with tf.Session() as sess, pytest.raises(tf.errors.OpError) as on_numpy:
            sess.run(out, {x: feed})
        with pytest.raises(type(on_numpy.value)) as on_strict:
            _execute(RunContext(xp=backend), [out], feeds={x: feed})
    assert not strict_backend.escapes, strict_backend.escapes
    assert on_strict.value.message == on_numpy.value.message


def _random_draws():
    """One draw of every random op, seeded, in the default graph."""
    tf.set_random_seed(7)
    return [tf.random_uniform([3, 4]), tf.random_uniform([5], 0, 10, dtype=tf.int32), tf.random_normal([6]),
            tf.truncated_normal([50]), tf.random_shuffle(tf.constant(np.arange(8.0))),
            tf.multinomial(tf.constant(np.log([[0.2, 0.8], [0.5, 0.5]])), 7),
            tf.nn.dropout(tf.constant(np.arange(1.0, 13.0).reshape(3, 4)), keep_prob=0.5),
            tf.random_gamma([3], [0.5, 1.0, 2.5]),
            tf.random_poisson([0.5, 30.0], [4]),
            tf.random_uniform([5], tf.constant(-3), tf.constant(9), dtype=tf.int32),
            *tf.nn.log_uniform_candidate_sampler(tf.constant([[1], [2]], tf.int64), 1, 6, True, 10),
            *tf.nn.uniform_candidate_sampler(tf.constant([[3]], tf.int64), 1, 5, False, 8)]


@pytest.mark.consistency
def test_random_ops_on_strict_backend_draw_the_numpy_sessions_values():
    """Each random op draws from its context's generator, made by the context's `xp` (so on a GPU backend, on
    the device): with the same seeds the strict backend gives the NumPy session's numbers."""
    with tf.Graph().as_default():
        draws = _random_draws()
        with tf.Session() as sess:
            expected = sess.run(draws)
        got = _execute(RunContext(xp=backend), draws)
    for g, e in zip(got, expected):
        assert g.dtype == e.dtype
        np.testing.assert_array_equal(g, e)


def test_strict_backend_refuses_numpy_on_its_arrays():
    x = backend.asarray(np.arange(6.0).reshape(2, 3))
    for escape in (lambda: np.exp(x), lambda: np.asarray(x), lambda: np.concatenate([x, x]),
                   lambda: backend.add(x, np.ones(3)), lambda: np.sum(x), lambda: np.ones(3) + x):
        with pytest.raises(strict_backend.BackendEscape):
            escape()
    np.testing.assert_array_equal(backend.asnumpy(backend.exp(x) + 1), np.exp(np.arange(6.0).reshape(2, 3)) + 1)
    assert np.shape(x) == (2, 3) and float(x[1, 2]) == 5.0


# OpDefs whose kernels work on host (NumPy) values by nature, with the reason; everything else must appear in a
# graph this file runs on the strict backend.
HOST_ONLY = {
    **dict.fromkeys(["ScalarSummary", "HistogramSummary", "ImageSummary", "AudioSummaryV2", "TensorSummaryV2",
                     "MergeSummary"], "serializes a Summary protocol buffer (bytes) on the host"),
    **dict.fromkeys(["IteratorV2", "OneShotIterator", "MakeIterator", "IteratorGetNext", "IteratorToStringHandle",
                     "IteratorFromStringHandleV2"], "tf.data pipelines are Python code over host values"),
    **dict.fromkeys(["FIFOQueueV2", "RandomShuffleQueueV2", "PaddingFIFOQueueV2", "QueueEnqueueV2", "QueueEnqueueManyV2",
                     "QueueDequeueV2", "QueueDequeueManyV2", "QueueDequeueUpToV2", "QueueCloseV2", "QueueSizeV2"],
                    "TF1 input queues hold host values shared between threads"),
    "CountUpTo": "an epoch counter compared on the host to raise OutOfRangeError, under a lock across threads",
    **dict.fromkeys(["TextLineReaderV2", "WholeFileReaderV2", "FixedLengthRecordReaderV2", "TFRecordReaderV2",
                     "ReaderReadV2", "ReaderReadUpToV2", "ReaderNumRecordsProducedV2", "ReaderResetV2"],
                    "TF1 readers: file bytes read on the host into string tensors"),
    "ReportUninitializedVariables": "outputs variable names: a string array",
    "ReadVariableOp": "eager variable reads: eager execution keeps NumPy arrays (no backend choice yet)",
    **dict.fromkeys(["EncodePng", "DecodePng", "DecodeJpeg", "EncodeJpeg", "DecodeGif", "DecodeBmp", "DecodeImage",
                     "DecodeAndCropJpeg", "ExtractJpegShape", "EncodeJpegVariableQuality"],
                    "image file codecs: bytes in or out, encoded on the host (zlib, Pillow)"),
}


def _op_types_run_strictly():
    """The op types in the graphs the tests above run on the strict backend."""
    seen = set()
    builders = [lambda row=row, i=i, u=unknown: row.fn(*_placeholders(row.samples[i], u))
                for row, i in FORWARD_CASES for unknown in (False, True)]
    builders += [lambda c=c: _gradients_fn(c.row)(*_placeholders(c.sample)) for c in GRADIENT_CASES]
    builders += [lambda n=n: _optimizer_graph(n) for n in _OPTIMIZERS] + [_random_draws, _scatter_updates]
    for build in builders:
        with tf.Graph().as_default() as graph:
            build()
        seen.update(op.type for op in graph.get_operations())
    return seen


def test_every_opdef_runs_on_the_strict_backend_or_says_why_not():
    seen = _op_types_run_strictly()
    missing = set(registered_opdefs()) - seen - set(HOST_ONLY)
    assert not missing, f"OpDefs no strict-backend test runs (add them to a graph here, or to HOST_ONLY): {missing}"
    stale = set(HOST_ONLY) & seen
    assert not stale, f"declared HOST_ONLY but run on the strict backend: drop the declaration for {stale}"
