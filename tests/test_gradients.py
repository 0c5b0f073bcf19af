"""The gradient engine: op-table gradient checks by float64 central differences along a random direction
(known and unknown input shapes), and the engine's own rules (unconnected, summing, stop, second order, depth)."""
import numpy as np
import pytest

import neuroflow as tf

from op_table import ROWS
from op_table_cases import GRADIENT_CASES

FINITE_DIFFERENCE_CASES = [c for c in GRADIENT_CASES if c.informative]
EMPTY_CASES = [c for c in GRADIENT_CASES if not c.informative]
# Rows that exist for their empty outputs: no sample can have a nonzero gradient, so they are checked only by
# test_gradient_of_an_empty_case_is_exactly_zero (and test_every_differentiable_row_has_a_gradient_check
# fails if one of them gains a sample that central differences could check).
EMPTY_OUTPUT_ROWS = {"slice_empty", "tile_rank4", "gather_axis1_empty"}


def _numeric_directional(f, sample, directions, eps=1e-6):
    plus = f([a + eps * d for a, d in zip(sample, directions)])
    minus = f([a - eps * d for a, d in zip(sample, directions)])
    return (plus - minus) / (2 * eps)


def _build(case, unknown, rng):
    """Placeholders for the case's inputs, the weighted-sum loss of its output, and the loss's gradients with
    respect to the perturbed (float) inputs."""
    placeholders = [tf.placeholder(tf.as_dtype(a.dtype), [None] * a.ndim if unknown else a.shape)
                    for a in case.sample]
    out = case.row.fn(*placeholders)
    loss = tf.reduce_sum(out * rng.standard_normal(case.output_shape))
    moved = [p for p, perturbed in zip(placeholders, case.perturbed) if perturbed]
    # IndexedSlices (gather's gradient) densified, as TensorFlow's gradient checker does.
    return placeholders, loss, moved, [tf.convert_to_tensor(g) if isinstance(g, tf.IndexedSlices) else g
                                       for g in tf.gradients(loss, moved)]


@pytest.mark.parametrize("case", FINITE_DIFFERENCE_CASES, ids=[c.id for c in FINITE_DIFFERENCE_CASES])
@pytest.mark.parametrize("unknown", [False, True], ids=["known", "unknown"])
def test_gradient_matches_central_differences(case, unknown):
    rng = np.random.default_rng(case.index)
    placeholders, loss, moved, grads = _build(case, unknown, rng)
    directions = [rng.standard_normal(a.shape) if p else np.zeros(a.shape)
                  for a, p in zip(case.sample, case.perturbed)]
    with tf.Session() as sess:
        def f(values):
            held = [v if p else a for v, a, p in zip(values, case.sample, case.perturbed)]
            return sess.run(loss, dict(zip(placeholders, held)))
        analytic = sess.run([g if g is not None else tf.constant(0.0, tf.float64) for g in grads],
                            dict(zip(placeholders, case.sample)))
        numeric = _numeric_directional(f, case.sample, directions)
    moved_values = [a for a, p in zip(case.sample, case.perturbed) if p]
    moved_directions = [d for d, p in zip(directions, case.perturbed) if p]
    for g, a in zip(analytic, moved_values):
        assert np.shape(g) == a.shape or np.ndim(g) == 0 and g == 0.0
    projected = sum(float(np.sum(np.asarray(g) * d)) for g, d in zip(analytic, moved_directions))
    assert projected == pytest.approx(numeric, rel=1e-5, abs=1e-6)


@pytest.mark.parametrize("case", EMPTY_CASES, ids=[c.id for c in EMPTY_CASES])
def test_gradient_of_an_empty_case_is_exactly_zero(case):
    """With an empty output (or only empty inputs) there is nothing to differentiate: each gradient has its
    input's shape and is all zeros (or None: unconnected)."""
    placeholders, _, moved, grads = _build(case, False, np.random.default_rng(case.index))
    with tf.Session() as sess:
        values = sess.run([g for g in grads if g is not None], dict(zip(placeholders, case.sample)))
    shapes = [tuple(p.shape.as_list()) for p, g in zip(moved, grads) if g is not None]
    for value, shape in zip(values, shapes):
        assert np.shape(value) == shape and not np.any(value)


def test_every_differentiable_row_has_a_gradient_check():
    """Each row marked differentiable gets at least one central-difference check on non-empty data; only the
    declared empty-output rows are exempt, and they must really have nothing to check."""
    checked = {c.row.name for c in FINITE_DIFFERENCE_CASES}
    unchecked = sorted(r.name for r in ROWS if r.grad and r.name not in checked)
    assert unchecked == sorted(EMPTY_OUTPUT_ROWS), unchecked


def test_unconnected_gradient_is_none_or_zero():
    x = tf.placeholder(tf.float32, [2])
    z = tf.placeholder(tf.float32, [2])
    y = tf.reduce_sum(x * 3.0)
    assert tf.gradients(y, [x, z])[1] is None
    g = tf.gradients(y, z, unconnected_gradients="zero")[0]
    with tf.Session() as s:
        assert s.run(g, {z: [1.0, 1.0]}).tolist() == [0.0, 0.0]


def test_gradients_from_several_ys_and_paths_are_summed(sess):
    x = tf.placeholder(tf.float64, [])
    a = x * x        # 2x
    b = x * 3.0      # 3
    assert sess.run(tf.gradients([a, b], x)[0], {x: 2.0}) == 7.0
    c = a + b + x    # 2x + 3 + 1
    assert sess.run(tf.gradients(c, x)[0], {x: 2.0}) == 8.0


def test_grad_ys(sess):
    x = tf.placeholder(tf.float64, [2])
    y = x * x
    g = tf.gradients(y, x, grad_ys=tf.constant([1.0, 10.0], tf.float64))[0]
    assert sess.run(g, {x: [1.0, 2.0]}).tolist() == [2.0, 40.0]


def test_stop_gradient_and_stop_gradients(sess):
    x = tf.placeholder(tf.float64, [])
    y = x * x
    z = tf.stop_gradient(y) * x + y
    assert sess.run(tf.gradients(z, x)[0], {x: 3.0}) == 9.0 + 6.0
    assert sess.run(tf.stop_gradient(y), {x: 3.0}) == 9.0
    w = y * x
    assert sess.run(tf.gradients(w, x, stop_gradients=[y])[0], {x: 3.0}) == 9.0


def test_second_order(sess):
    x = tf.placeholder(tf.float64, [3])
    y = tf.reduce_sum(x * x * x)
    g = tf.gradients(y, x)[0]           # 3x^2
    h = tf.gradients(tf.reduce_sum(g), x)[0]  # 6x
    assert sess.run(h, {x: [1.0, 2.0, 3.0]}).tolist() == [6.0, 12.0, 18.0]
    s = tf.sigmoid(x)
    gs = tf.gradients(tf.reduce_sum(s), x)[0]
    hs = tf.gradients(tf.reduce_sum(gs), x)[0]
    v = np.array([0.5, -1.0, 2.0])
    sig = 1 / (1 + np.exp(-v))
    np.testing.assert_allclose(sess.run(hs, {x: v}), sig * (1 - sig) * (1 - 2 * sig), rtol=1e-12)


def test_broadcast_gradients_with_unknown_dims(sess):
    x = tf.placeholder(tf.float64, [None, 3])
    b = tf.placeholder(tf.float64, [3])
    gb = tf.gradients(tf.reduce_sum(x + b), b)[0]
    assert sess.run(gb, {x: np.ones((5, 3)), b: np.zeros(3)}).tolist() == [5.0, 5.0, 5.0]


def test_ten_thousand_ops_deep():
    x = tf.placeholder(tf.float64, [])
    y = x
    for _ in range(10000):
        y = y * 1.0001
    g = tf.gradients(y, x)[0]
    with tf.Session() as s:
        assert s.run(g, {x: 1.0}) == pytest.approx(1.0001 ** 10000)


def test_gradient_of_integer_output_is_an_error():
    with pytest.raises(TypeError, match="Gradients of int32 tensors are not defined"):
        tf.gradients(tf.constant(1) * 2, tf.constant(1))


def test_gradient_with_respect_to_variable(sess):
    W = tf.Variable([0.2, 0.7])
    x = tf.constant([1.0, 1.0])
    loss = tf.pow(20.0 - tf.reduce_sum(x * W), 2)
    g = tf.gradients(loss, W)[0]
    assert g.name.startswith("gradients/") and g.shape.as_list() == [2]
    sess.run(W.initializer)
    np.testing.assert_allclose(sess.run(g), [-38.2, -38.2], rtol=1e-6)


def test_cast_gradient_goes_back_to_the_source_dtype(sess):
    x = tf.placeholder(tf.float64, [3])
    g = tf.gradients(tf.reduce_sum(tf.cast(x, tf.float32) * 2.0), x)[0]
    assert g.dtype == tf.float64 and sess.run(g, {x: [1, 2, 3]}).tolist() == [2.0, 2.0, 2.0]
    assert tf.gradients(tf.cast(tf.cast(x, tf.int32), tf.float32), x)[0] is None


def test_gradient_ops_are_named_under_the_gradients_scope():
    x = tf.placeholder(tf.float64, [None])
    y = tf.reduce_sum(x + tf.constant([1.0], tf.float64))
    tf.gradients(y, x)
    names = [op.name for op in tf.get_default_graph().get_operations() if "_grad" in op.name]
    assert names and all(n.startswith("gradients/") for n in names), names
