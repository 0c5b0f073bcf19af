"""Adding an op touches one file: the toy OpDef of tests/toy_opdef.py (defined only there, with its traits)
works in graph mode, eager mode, tf.gradients, GradientTape and the plan compiler, with shape specialization."""
import numpy as np
import pytest

import neuroflow as tf
from neuroflow.framework.op_def import registered_opdefs
from neuroflow.runtime.compiler import passes
from neuroflow.runtime.compiler.program import lower
from neuroflow.runtime.compiler.specialize import specialize
from neuroflow.runtime.context import RunContext
from neuroflow.runtime.plan import interpret

from toy_opdef import TYPE_NAME, registered, toy_scale


@pytest.fixture
def toy():
    with registered() as opdef:
        yield opdef


def test_registration_lasts_only_for_the_block():
    with registered():
        assert TYPE_NAME in registered_opdefs()
    assert TYPE_NAME not in registered_opdefs()


def test_graph_mode_value_shape_and_canonical_attrs(toy, sess):
    x = tf.placeholder(tf.float32, [None, 3])
    y = toy_scale(x, 3)
    default = toy_scale(x)
    assert y.op.type == TYPE_NAME and y.shape.as_list() == [None, 3] and y.dtype == tf.float32
    assert y.op.get_attr("alpha") == 3.0 and isinstance(y.op.get_attr("alpha"), float)
    assert default.op.get_attr("alpha") == 1.0
    data = np.arange(6, dtype=np.float32).reshape(2, 3)
    got, got_default = sess.run([y, default], {x: data})
    np.testing.assert_array_equal(got, data * np.float32(3.0))
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got_default, data)


def test_dtype_rules_apply_to_the_toy(toy):
    with pytest.raises(TypeError):
        toy_scale(tf.constant([1, 2]), 2.0)  # allowed_dtypes: floating only


def test_eager_mode_and_tape(toy):
    with tf.eager_mode():
        x = tf.constant([1.0, -2.0, 4.0], dtype=tf.float64)
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = toy_scale(x, 2.5)
            loss = tf.reduce_sum(y * y)
        np.testing.assert_array_equal(y.numpy(), [2.5, -5.0, 10.0])
        grad = tape.gradient(loss, x).numpy()
    np.testing.assert_allclose(grad, 2 * 2.5 * 2.5 * np.array([1.0, -2.0, 4.0]))


def test_gradient_by_central_differences(toy, sess):
    x = tf.placeholder(tf.float64, [4])
    loss = tf.reduce_sum(tf.sin(toy_scale(x, -1.5)))
    (grad,) = tf.gradients(loss, [x])
    ops = tf.get_default_graph().get_operations()
    assert any(op.type == TYPE_NAME and op.name.endswith("ToyScaleGrad") for op in ops)
    point = np.array([0.3, -1.2, 2.0, 0.0])
    eps = 1e-6
    numeric = np.array([(sess.run(loss, {x: point + eps * e}) - sess.run(loss, {x: point - eps * e})) / (2 * eps)
                        for e in np.eye(4)])
    np.testing.assert_allclose(sess.run(grad, {x: point}), numeric, rtol=1e-7, atol=1e-9)


def test_second_order_gradient(toy, sess):
    x = tf.placeholder(tf.float64, [])
    y = toy_scale(x, 3.0) * x  # 3 x^2
    (dy,) = tf.gradients(y, [x])
    (d2y,) = tf.gradients(dy, [x])
    assert sess.run([dy, d2y], {x: 2.0}) == [12.0, 6.0]


def test_compiler_specializes_through_the_toy(toy):
    """With unknown static dims, the first run's shapes make the toy's output shape known (its traits say no
    input value sets it), so a shape function of its output folds to a constant."""
    x = tf.placeholder(tf.float32, [None, None])
    y = toy_scale(x, 2.0)
    size = tf.size(y)
    program = lower([y, size], [], [x], RunContext())
    passes.optimize(program)
    assert "Size" in [s.opdef.type_name for s in program.steps]
    feed = [np.ones((2, 5), np.float32)]
    results, observed = interpret(program, feed)
    special = passes.optimize(specialize(program, observed))
    assert [s.opdef.type_name for s in special.steps] == [TYPE_NAME]
    got, _ = interpret(special, feed)
    np.testing.assert_array_equal(got[0], results[0])
    assert int(got[1]) == 10


def test_session_runs_the_specialized_plan(toy, sess):
    x = tf.placeholder(tf.float32, [None])
    y = tf.reduce_sum(toy_scale(x, 0.5)) + tf.cast(tf.size(toy_scale(x, 4.0)), tf.float32)
    for n in (3, 3, 5, 3):
        assert sess.run(y, {x: np.ones(n, np.float32)}) == 0.5 * n + n
    assert f"({TYPE_NAME})" in sess.plan_source(y, [x])
