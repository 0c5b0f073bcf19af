"""Eager execution: the same OpDefs run immediately; values, NumPy interop and Python control flow;
variables; GradientTape (agreeing with tf.gradients); optimizers; tf.function; errors at the user's line."""
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

import neuroflow as tf

from neuroflow.eager import EagerTensor
from op_table import ROWS
from op_table_cases import FORWARD_CASES, GRADIENT_CASES

EXAMPLES = pathlib.Path(__file__).resolve().parent.parent / "examples"


@pytest.fixture
def eager():
    with tf.eager_mode():
        yield


EAGER_CASES = [(row, i) for row, i in FORWARD_CASES if not row.graph_only]
GRAPH_ONLY_CASES = [(row, i) for row, i in FORWARD_CASES if row.graph_only]
TAPE_CASES = [c for c in GRADIENT_CASES if not c.row.graph_only]


def _graph_result(row, sample):
    tf.reset_default_graph()
    placeholders = [tf.placeholder(tf.as_dtype(a.dtype), a.shape) for a in sample]
    out = row.fn(*placeholders)
    with tf.Session() as sess:
        return sess.run(out, dict(zip(placeholders, sample))), out.dtype


@pytest.mark.consistency
@pytest.mark.parametrize("row, index", EAGER_CASES, ids=[f"{r.name}-{i}" for r, i in EAGER_CASES])
def test_consistency_eager_forward_vs_graph(row, index):
    """Consistency, not correctness: eager values equal graph-mode values (test_op_table checks the latter
    against the NumPy references)."""
    sample = row.samples[index]
    expected, dtype = _graph_result(row, sample)
    with tf.eager_mode():
        out = row.fn(*[EagerTensor(np.asarray(a)) for a in sample])  # values, as if fed
        got = out.numpy()
    assert out.dtype == dtype and np.shape(got) == np.shape(expected)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=0)


@pytest.mark.parametrize("row, index", GRAPH_ONLY_CASES, ids=[f"{r.name}-{i}" for r, i in GRAPH_ONLY_CASES])
def test_rows_declared_graph_only_are_refused_eagerly(row, index):
    """graph_only rows build tf.gradients, which eager execution refuses with TensorFlow's error; a stale
    declaration would hide the row from the eager consistency check."""
    with tf.eager_mode():
        with pytest.raises(RuntimeError, match="tf.gradients is not supported when eager execution is enabled"):
            row.fn(*[EagerTensor(np.asarray(a)) for a in row.samples[index]])


@pytest.mark.consistency
@pytest.mark.parametrize("case", TAPE_CASES, ids=[c.id for c in TAPE_CASES])
def test_consistency_tape_gradients_vs_tf_gradients(case):
    """Consistency, not correctness: GradientTape and tf.gradients give the same gradients for each float
    input (test_gradients checks tf.gradients against central differences)."""
    sample, perturbed = case.sample, case.perturbed
    weights = np.random.default_rng(case.index).standard_normal(case.output_shape)
    tf.reset_default_graph()
    placeholders = [tf.placeholder(tf.as_dtype(a.dtype), a.shape) for a in sample]
    moved = [p for p, m in zip(placeholders, perturbed) if m]
    grads = [tf.convert_to_tensor(g) if isinstance(g, tf.IndexedSlices) else g  # gather's IndexedSlices, dense
             for g in tf.gradients(tf.reduce_sum(case.row.fn(*placeholders) * weights), moved)]
    with tf.Session() as sess:
        expected = sess.run([g if g is not None else tf.constant(0.0, tf.float64) for g in grads],
                            dict(zip(placeholders, sample)))
    with tf.eager_mode():
        inputs = [EagerTensor(np.asarray(a)) for a in sample]
        watched = [t for t, m in zip(inputs, perturbed) if m]
        with tf.GradientTape() as tape:
            tape.watch(watched)
            loss = tf.reduce_sum(case.row.fn(*inputs) * weights)
        got = [tf.convert_to_tensor(g) if isinstance(g, tf.IndexedSlices) else g
               for g in tape.gradient(loss, watched)]
    for g, e, t in zip(got, expected, watched):
        value = np.zeros(t.shape) if g is None else g.numpy()
        np.testing.assert_allclose(value, np.broadcast_to(e, value.shape), rtol=1e-10, atol=1e-12)


def test_values_printing_and_numpy_interop(eager):
    a = tf.constant([1.0, 2.0])
    b = a * 2 + 1
    assert str(b) == "tf.Tensor([3. 5.], shape=(2,), dtype=float32)"
    assert repr(b).startswith("<tf.Tensor: shape=(2,), dtype=float32, numpy=array([3., 5.]")
    assert str(tf.reduce_sum(b)) == "tf.Tensor(8.0, shape=(), dtype=float32)"
    assert np.asarray(b).tolist() == [3.0, 5.0] and isinstance(b.numpy(), np.ndarray)
    assert (np.ones(2, np.float32) + b).numpy().tolist() == [4.0, 6.0]
    assert float(tf.reduce_sum(b)) == 8.0 and int(tf.constant(3)) == 3 and len(b) == 2
    total = 0.0
    for v in b:
        if v > 4:  # Python control flow on values
            total += float(v)
    assert total == 5.0
    assert tf.executing_eagerly()
    with pytest.raises(AttributeError, match="meaningless when eager execution is enabled"):
        b.op


def test_graph_mode_is_the_default():
    assert not tf.executing_eagerly()
    assert isinstance(tf.constant(1.0), tf.Tensor)


def test_eager_variables(eager):
    v = tf.Variable([1.0, 2.0], name="v")
    assert v.name == "v:0" and v.shape.as_list() == [2] and v.dtype == tf.float32
    v.assign_add([1.0, 1.0])
    assert v.numpy().tolist() == [2.0, 3.0]
    v.assign([0.0, 5.0])
    assert (v * 2).numpy().tolist() == [0.0, 10.0] and v.read_value().numpy().tolist() == [0.0, 5.0]
    got = v.numpy()
    got[0] = 100.0
    assert v.numpy()[0] == 0.0


def test_gradient_tape_features(eager):
    x = tf.constant(3.0)
    w = tf.Variable(2.0)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * x * w          # w is watched automatically (a trainable variable read on the tape)
        with tape.stop_recording():
            z = x * 100.0      # not recorded
    assert tape.gradient(y, x).numpy() == 12.0
    assert tape.gradient(y, w).numpy() == 9.0
    assert tape.gradient(z, x) is None
    assert tape.gradient(y, [x, w])[1].numpy() == 9.0
    assert tape.watched_variables() == [w]
    with tf.GradientTape() as once:
        once.watch(x)
        y2 = x * x
    once.gradient(y2, x)
    with pytest.raises(RuntimeError, match="can only be called once on non-persistent tapes"):
        once.gradient(y2, x)


def test_nested_tapes_give_second_order(eager):
    x = tf.constant(2.0)
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = x * x * x
        dy = inner.gradient(y, x)        # 3x^2
    assert dy.numpy() == 12.0 and outer.gradient(dy, x).numpy() == 12.0  # 6x


def test_lecture_training_eagerly_prints_tensorflows_numbers():
    out = subprocess.run([sys.executable, str(EXAMPLES / "lecture_eager.py")], capture_output=True, text=True,
                         check=True, env=dict(os.environ, PYTHONPATH=str(EXAMPLES.parent))).stdout
    expected = "0.9 8.54 13.124001 15.874401 17.52464 18.514786 19.108871 19.46532 19.679192 19.807514".split()
    assert out == "".join(f"Result: {v}\n" for v in expected)


def test_optimizer_minimize_with_a_loss_function(eager):
    w = tf.Variable([0.0, 0.0])
    opt = tf.train.AdamOptimizer(0.1)
    for _ in range(100):
        opt.minimize(lambda: tf.reduce_sum(tf.square(w - [1.0, -2.0])))
    np.testing.assert_allclose(w.numpy(), [1.0, -2.0], atol=0.01)  # 100 Adam steps get within 0.0084
    assert [v.name for v in opt.variables()] == ["Variable/Adam:0", "Variable/Adam_1:0", "beta1_power:0",
                                                 "beta2_power:0"]
    with pytest.raises(RuntimeError, match="should be a function when eager execution is enabled"):
        opt.minimize(tf.reduce_sum(w))


def test_tf_function_traces_once_per_signature_and_updates_variables(eager):
    w = tf.Variable([0.2, 0.7])
    opt = tf.train.GradientDescentOptimizer(0.1)
    traces = []

    @tf.function
    def step(x, target):
        traces.append(1)
        with tf.GradientTape() as tape:
            y = tf.reduce_sum(x * w)
            loss = tf.pow(target - y, 2)
        grads = tape.gradient(loss, [w])
        opt.apply_gradients(zip(grads, [w]))
        return y

    x, target = tf.constant([1.0, 1.0]), tf.constant(20.0)
    ys = [str(step(x, target).numpy()) for _ in range(10)]
    assert " ".join(ys) == "0.9 8.54 13.124001 15.874401 17.52464 18.514786 19.108871 19.46532 19.679192 19.807514"
    assert len(traces) == 1
    step(tf.constant([1.0, 1.0, 1.0])[:2], target)
    assert len(traces) == 1               # same dtype and shape: no retrace
    assert np.isfinite(w.numpy()).all()

    @tf.function
    def scale(v, k):
        traces.append(2)
        return v * k

    assert scale(tf.constant([1.0]), 2.0).numpy().tolist() == [2.0]
    assert scale(tf.constant([1.0, 2.0]), 2.0).numpy().tolist() == [2.0, 4.0]   # new shape: retrace
    assert scale(tf.constant([1.0]), 3.0).numpy().tolist() == [3.0]             # new Python value: retrace
    assert traces.count(2) == 3


def test_errors_in_eager_mode_point_at_the_users_line(eager):
    a = tf.constant([1.0, 2.0])
    with pytest.raises(ValueError) as info:
        tf.matmul(tf.reshape(a, [1, 2]), tf.reshape(a, [1, 2]))
    assert "test_eager.py" in str(info.value) and "tf.matmul(tf.reshape(a, [1, 2])" in str(info.value)
    assert "for 'MatMul' (op: 'MatMul')" in str(info.value)  # named like the graph op, no scope slash
    with pytest.raises(tf.errors.InvalidArgumentError) as info:
        tf.constant(1) // tf.constant(0)
    assert "Integer division by zero" in str(info.value) and "test_eager.py" in str(info.value)
    with pytest.raises(RuntimeError, match="tf.placeholder\\(\\) is not compatible with eager execution"):
        tf.placeholder(tf.float32)
    with pytest.raises(RuntimeError, match="tf.gradients is not supported when eager execution is enabled"):
        tf.gradients(a, a)


def test_enable_eager_execution_must_come_first():
    code = "import neuroflow as tf; tf.constant(1); tf.enable_eager_execution()"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode != 0 and "must be called at program startup" in out.stderr


def test_layers_and_random_ops_eagerly(eager):
    tf.set_random_seed(3)
    layer = tf.layers.Dense(4, activation=tf.nn.relu)
    x = tf.random_normal([2, 3])
    y = layer(x)
    assert y.shape.as_list() == [2, 4] and len(layer.trainable_weights) == 2
    first = tf.random_uniform([3], seed=1).numpy()
    second = tf.random_uniform([3], seed=1).numpy()
    assert not np.array_equal(first, second)   # a new draw on each call


@pytest.mark.parametrize("name", ["lstm_block_cell", "block_lstm", "lstm_block_cell_peephole_clip",
                                  "block_lstm_peephole_clip"])
def test_nested_tapes_differentiate_the_fused_lstm_gradients(name):
    """Second order through the fused LSTM ops: an outer tape differentiates what an inner tape's gradient
    computed (the gradient ops' own gradients, built on tapes eagerly), against tf.gradients twice."""
    row = next(r for r in ROWS if r.name == name)
    sample = next(s for s in row.samples if all(a.dtype == np.float64 for a in s))
    weights = np.random.default_rng(5).standard_normal(np.shape(row.ref(*sample)))

    def second_order(first_grad, inputs):
        loss = tf.reduce_sum(row.fn(*inputs) * weights)
        g_w = first_grad(loss, inputs[3])  # the recurrent weights' gradient
        return tf.reduce_sum(g_w * g_w)

    tf.reset_default_graph()
    placeholders = [tf.placeholder(tf.float64, a.shape) for a in sample]
    total = second_order(lambda y, x: tf.gradients(y, x)[0], placeholders)
    with tf.Session() as sess:
        expected = sess.run(tf.gradients(total, placeholders[:4]), dict(zip(placeholders, sample)))
    with tf.eager_mode():
        inputs = [EagerTensor(np.asarray(a)) for a in sample]
        with tf.GradientTape() as outer:
            outer.watch(inputs)
            with tf.GradientTape() as inner:
                inner.watch(inputs)
                loss = tf.reduce_sum(row.fn(*inputs) * weights)
            g_w = inner.gradient(loss, inputs[3])
            total = tf.reduce_sum(g_w * g_w)
        got = outer.gradient(total, inputs[:4])
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g.numpy(), e, rtol=1e-9, atol=1e-12)


def test_an_outer_tape_differentiates_through_a_tf_function(eager):
    w = tf.Variable([[0.5, -1.0], [2.0, 0.25]])
    x = tf.constant([[1.0, 2.0]])

    def loss_fn(x):
        return tf.reduce_sum(tf.tanh(tf.matmul(x, w)) ** 2)
    compiled = tf.function(loss_fn)
    compiled(x)  # traced and run as a plan once, outside any tape
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        through_function = compiled(x)
        plain = loss_fn(x)
    for source in (w, x):
        got, expected = tape.gradient(through_function, source), tape.gradient(plain, source)
        assert got is not None
        np.testing.assert_allclose(got.numpy(), expected.numpy(), rtol=1e-6)
    assert float(through_function) == pytest.approx(float(plain))
