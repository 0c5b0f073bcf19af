"""Property test (Hypothesis): for random broadcast-compatible shapes, binary ops match NumPy in value and
static shape, and their gradients come back in each input's shape (broadcasting undone at run time)."""
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import neuroflow as tf

OPS = [(tf.add, np.add), (tf.multiply, np.multiply), (tf.subtract, np.subtract), (tf.maximum, np.maximum)]


@settings(max_examples=40, deadline=None)
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=4, max_side=3),
       op=st.sampled_from(OPS), unknown=st.booleans(), seed=st.integers(0, 2 ** 16))
def test_binary_broadcasting_values_shapes_and_gradients(shapes, op, unknown, seed):
    tf.reset_default_graph()
    rng = np.random.default_rng(seed)
    a_shape, b_shape = shapes.input_shapes
    a, b = rng.standard_normal(a_shape), rng.standard_normal(b_shape)
    pa = tf.placeholder(tf.float64, [None] * len(a_shape) if unknown else a_shape)
    pb = tf.placeholder(tf.float64, [None] * len(b_shape) if unknown else b_shape)
    fn, ref = op
    out = fn(pa, pb)
    ga, gb = tf.gradients(tf.reduce_sum(out * 2.0), [pa, pb])
    with tf.Session() as sess:
        got, got_ga, got_gb = sess.run([out, ga, gb], {pa: a, pb: b})
    np.testing.assert_allclose(got, ref(a, b))
    assert out.shape.is_compatible_with(shapes.result_shape)
    if not unknown:
        assert out.shape.as_list() == list(shapes.result_shape)
    assert np.shape(got_ga) == a_shape and np.shape(got_gb) == b_shape
    result = shapes.result_shape
    da, db = DERIVATIVES[fn](np.broadcast_to(a, result), np.broadcast_to(b, result))
    np.testing.assert_allclose(got_ga, _sum_to(2.0 * da, a_shape))
    np.testing.assert_allclose(got_gb, _sum_to(2.0 * db, b_shape))


def _sum_to(x, shape):
    """NumPy reference for undoing broadcasting: sum leading axes, then axes where `shape` has 1."""
    x = x.sum(axis=tuple(range(x.ndim - len(shape)))) if x.ndim > len(shape) else x
    axes = tuple(i for i, d in enumerate(shape) if d == 1 and x.shape[i] != 1)
    return x.sum(axis=axes, keepdims=True).reshape(shape)


DERIVATIVES = {
    tf.add: lambda a, b: (np.ones_like(a), np.ones_like(b)),
    tf.multiply: lambda a, b: (b, a),
    tf.subtract: lambda a, b: (np.ones_like(a), -np.ones_like(b)),
    tf.maximum: lambda a, b: ((a >= b).astype(float), (a < b).astype(float)),
}
