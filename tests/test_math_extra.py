"""Reductions, argmax/argmin, clipping, scans, norm and tensordot: behaviour the op table cannot express —
stability at extreme values, TF's default node names, deprecated arguments, gradient rules, errors."""
import numpy as np
import pytest

import neuroflow as tf


# --- reduce_logsumexp stability ------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [tf.float32, tf.float64])
def test_logsumexp_does_not_overflow_at_plus_minus_1000(sess, dtype):
    x = tf.constant([[1000.0, 1000.0], [-1000.0, -1000.0], [1000.0, -1000.0]], dtype)
    got = sess.run(tf.reduce_logsumexp(x, axis=1))
    np.testing.assert_allclose(got, [1000 + np.log(2), -1000 + np.log(2), 1000.0], rtol=1e-6)
    assert got.dtype == dtype.as_numpy_dtype
    assert sess.run(tf.reduce_logsumexp(x)) == pytest.approx(1000 + np.log(3), rel=1e-6)


def test_logsumexp_gradient_is_softmax_at_extremes(sess):
    x = tf.constant([1000.0, 1000.0, -1000.0], tf.float64)
    g = sess.run(tf.gradients(tf.reduce_logsumexp(x), x)[0])
    np.testing.assert_allclose(g, [0.5, 0.5, 0.0], atol=1e-12)


def test_logsumexp_with_infinite_entries(sess):
    ninf = -np.inf
    x = tf.constant([[ninf, 0.0, np.log(3.0)], [ninf, ninf, ninf], [np.inf, 1.0, ninf]], tf.float64)
    got = sess.run(tf.reduce_logsumexp(x, axis=1))
    np.testing.assert_allclose(got[0], np.log(4.0), rtol=1e-12)
    assert got[1] == -np.inf and got[2] == np.inf
    g = sess.run(tf.gradients(tf.reduce_logsumexp(x[0]), x)[0])
    np.testing.assert_allclose(g[0], [0.0, 0.25, 0.75], rtol=1e-12)


def test_logsumexp_keepdims_and_deprecated_names(sess):
    x = np.arange(6.0).reshape(2, 3)
    expected = np.log(np.sum(np.exp(x), axis=1, keepdims=True))
    a = tf.reduce_logsumexp(x, axis=1, keepdims=True)
    b = tf.reduce_logsumexp(x, reduction_indices=[1], keep_dims=True)
    assert a.shape.as_list() == [2, 1]
    np.testing.assert_allclose(sess.run(a), expected)
    np.testing.assert_allclose(sess.run(b), expected)


# --- argmax / argmin -----------------------------------------------------------------------------------------
def test_argmax_deprecated_dimension_and_default_axis(sess):
    x = tf.constant([[1.0, 9.0, 3.0], [8.0, 2.0, 8.0]])
    assert sess.run(tf.argmax(x, dimension=1)).tolist() == [1, 0]
    assert sess.run(tf.argmin(x, dimension=1)).tolist() == [0, 1]
    assert sess.run(tf.argmax(x)).tolist() == [1, 0, 1]          # axis 0 when none is given (TF1)
    assert sess.run(tf.argmax(x, tf.constant(1))).tolist() == [1, 0]
    with pytest.raises(ValueError, match="Cannot specify both 'dimension' and 'axis'."):
        tf.argmax(x, axis=1, dimension=1)
    with pytest.raises(ValueError, match="Cannot specify both 'dimension' and 'axis'."):
        tf.argmin(x, axis=0, dimension=0)


def test_argmax_output_types():
    x = tf.constant([[1.0, 9.0]])
    assert tf.argmax(x, 1).dtype == tf.int64 and tf.argmin(x, 1).dtype == tf.int64
    assert tf.argmax(x, 1, output_type=tf.int32).dtype == tf.int32
    with pytest.raises(TypeError, match="output_type"):
        tf.argmax(x, 1, output_type=tf.float32)


def test_argmax_is_not_differentiable(sess):
    x = tf.constant([1.0, 3.0, 2.0], tf.float64)
    y = x * tf.cast(tf.argmax(x), tf.float64)
    assert sess.run(tf.gradients(tf.reduce_sum(y), x)[0]).tolist() == [1.0, 1.0, 1.0]
    assert tf.gradients(tf.cast(tf.argmin(x), tf.float64), x)[0] is None


def test_argmax_of_an_empty_axis_is_an_error(sess):
    with pytest.raises(ValueError, match=r"Reduction axis 0 is empty in shape \[0,3\]"):
        tf.argmax(tf.zeros([0, 3]), axis=0)
    p = tf.placeholder(tf.float32, [None, 3])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Reduction axis 0 is empty in shape \[0,3\]"):
        sess.run(tf.argmax(p, 0), {p: np.zeros((0, 3))})


# --- max / min / prod / any / all -------------------------------------------------------------------------------
def test_max_min_gradient_is_shared_among_ties(sess):
    x = tf.constant([[2.0, 7.0, 7.0, 7.0], [1.0, 1.0, 0.0, 5.0]], tf.float64)
    gmax = sess.run(tf.gradients(tf.reduce_max(x), x)[0])
    np.testing.assert_allclose(gmax, [[0, 1 / 3, 1 / 3, 1 / 3], [0, 0, 0, 0]])
    gmin = sess.run(tf.gradients(tf.reduce_min(x, axis=1, keepdims=True), x)[0])
    np.testing.assert_allclose(gmin, [[1, 0, 0, 0], [0, 0, 1, 0]])


def test_prod_gradient_with_zeros(sess):
    x = tf.constant([[0.0, 2.0, 3.0], [0.0, 0.0, 3.0], [4.0, 5.0, 0.5]], tf.float64)
    g = sess.run(tf.gradients(tf.reduce_prod(x, axis=1), x)[0])
    np.testing.assert_array_equal(g, [[6.0, 0.0, 0.0], [0.0, 0.0, 0.0], [2.5, 2.0, 20.0]])
    g_all = sess.run(tf.gradients(tf.reduce_prod(x[:1]), x)[0])
    np.testing.assert_array_equal(g_all[0], [6.0, 0.0, 0.0])
    assert np.all(np.isfinite(sess.run(tf.gradients(tf.reduce_prod(x, axis=[0, 1]), x)[0])))


def test_prod_gradient_with_unknown_rank(sess):
    p = tf.placeholder(tf.float64)
    g = tf.gradients(tf.reduce_prod(p), p)[0]
    np.testing.assert_array_equal(sess.run(g, {p: [[0.0, 2.0], [3.0, 4.0]]}), [[24.0, 0.0], [0.0, 0.0]])


def test_empty_reductions_give_the_identity(sess):
    e = tf.zeros([0, 2])
    assert sess.run(tf.reduce_max(e)) == -np.inf and sess.run(tf.reduce_min(e)) == np.inf
    assert sess.run(tf.reduce_prod(e, 0)).tolist() == [1.0, 1.0]
    assert sess.run(tf.reduce_max(tf.zeros([0], tf.int32))) == np.iinfo(np.int32).min
    b = tf.zeros([0], tf.bool)
    assert sess.run(tf.reduce_any(b)) is np.False_ and sess.run(tf.reduce_all(b)) is np.True_


def test_integer_reductions_keep_their_dtype(sess):
    x = tf.constant([[3, -2], [4, 5]])
    for fn in (tf.reduce_max, tf.reduce_min, tf.reduce_prod):
        out = fn(x, axis=0)
        assert out.dtype == tf.int32 and sess.run(out).dtype == np.int32
    assert sess.run(tf.reduce_prod(x)) == -120
    assert tf.cumsum(x).dtype == tf.int32 and sess.run(tf.cumsum(x, 1)).tolist() == [[3, 1], [4, 9]]


def test_any_all_need_bool_and_have_no_gradient(sess):
    with pytest.raises(TypeError, match="DataType float32 not in list of allowed values: bool"):
        tf.reduce_any(tf.constant([1.0]))
    with pytest.raises(TypeError, match="not in list of allowed values"):
        tf.reduce_max(tf.constant([True]))
    x = tf.constant([1.0, -2.0], tf.float64)
    y = x * tf.cast(tf.reduce_all(x > 0), tf.float64)
    assert sess.run(tf.gradients(tf.reduce_sum(y), x)[0]).tolist() == [0.0, 0.0]


# --- clipping ------------------------------------------------------------------------------------------------
def test_clip_by_value_gradient_passes_only_where_not_clipped(sess):
    t = tf.constant([-2.0, -0.5, 0.3, 0.75, 3.0], tf.float64)
    lo = tf.constant(-0.5, tf.float64)
    hi = tf.constant(0.75, tf.float64)
    y = tf.clip_by_value(t, lo, hi)
    gt, glo, ghi = sess.run(tf.gradients(tf.reduce_sum(y * [1.0, 2.0, 3.0, 4.0, 5.0]), [t, lo, hi]))
    # Entries equal to a bound are not clipped (TF's Minimum/Maximum gradients send ties to t).
    assert gt.tolist() == [0.0, 2.0, 3.0, 4.0, 0.0]
    assert glo == 1.0 and ghi == 5.0
    assert sess.run(y).tolist() == [-0.5, -0.5, 0.3, 0.75, 0.75]


def test_clip_by_value_may_not_broadcast_t():
    with pytest.raises(ValueError, match="not compatible"):
        tf.clip_by_value(tf.constant([1.0, 2.0]), tf.zeros([3, 2]), 5.0)


def test_clip_by_global_norm_against_numpy(sess):
    rng = np.random.default_rng(7)
    a, b = rng.standard_normal((3, 4)), rng.standard_normal(5)
    norm = np.sqrt(np.sum(a * a) + np.sum(b * b))
    for clip in (0.5 * norm, 2.0 * norm):
        clipped, gn = tf.clip_by_global_norm((tf.constant(a), None, tf.constant(b)), clip)
        assert clipped[1] is None and len(clipped) == 3
        va, vb, vn = sess.run([clipped[0], clipped[2], gn])
        scale = clip / max(norm, clip)
        np.testing.assert_allclose(vn, norm, rtol=1e-12)
        np.testing.assert_allclose(va, a * scale, rtol=1e-12)
        np.testing.assert_allclose(vb, b * scale, rtol=1e-12)
    # use_norm replaces the computed norm.
    clipped, gn = tf.clip_by_global_norm([tf.constant(a)], 1.0, use_norm=tf.constant(4.0, tf.float64))
    np.testing.assert_allclose(sess.run(clipped[0]), a / 4.0, rtol=1e-12)
    assert sess.run(gn) == 4.0


def test_clip_by_global_norm_infinite_norm_gives_nan(sess):
    clipped, gn = tf.clip_by_global_norm([tf.constant([np.inf, 1.0])], 1.0)
    assert sess.run(gn) == np.inf and np.all(np.isnan(sess.run(clipped[0])))
    zeros, _ = tf.clip_by_global_norm([tf.zeros([2])], 1.0)
    assert sess.run(zeros[0]).tolist() == [0.0, 0.0]


def test_clip_by_global_norm_names_and_type_errors():
    x = tf.constant([3.0, 4.0])
    clipped, gn = tf.clip_by_global_norm([x, x], 1.0)
    assert gn.name == "global_norm/global_norm:0"
    assert [c.name for c in clipped] == ["clip_by_global_norm/clip_by_global_norm/_0:0",
                                         "clip_by_global_norm/clip_by_global_norm/_1:0"]
    assert tf.global_norm([x]).name == "global_norm_1/global_norm:0"
    with pytest.raises(TypeError, match="t_list should be a sequence"):
        tf.clip_by_global_norm(x, 1.0)
    with pytest.raises(TypeError, match="t_list should be a sequence"):
        tf.global_norm(v for v in [x])


def test_clip_by_norm_values_and_zero_input(sess):
    assert sess.run(tf.clip_by_norm([3.0, 4.0], 1.0)).tolist() == pytest.approx([0.6, 0.8])
    assert sess.run(tf.clip_by_norm([0.3, 0.4], 1.0)).tolist() == pytest.approx([0.3, 0.4])
    z = tf.zeros([3], tf.float64)
    g = sess.run(tf.gradients(tf.reduce_sum(tf.clip_by_norm(z, 1.0)), z)[0])
    assert np.all(np.isfinite(g))


# --- scans, norm, tensordot ----------------------------------------------------------------------------------
def test_cumsum_gradient_is_reversed_cumsum(sess):
    x = tf.constant([1.0, 2.0, 3.0], tf.float64)
    w = tf.constant([1.0, 10.0, 100.0], tf.float64)
    for exclusive, reverse, expected in [(False, False, [111, 110, 100]), (True, False, [110, 100, 0]),
                                         (False, True, [1, 11, 111]), (True, True, [0, 1, 11])]:
        y = tf.cumsum(x, exclusive=exclusive, reverse=reverse)
        assert sess.run(tf.gradients(tf.reduce_sum(y * w), x)[0]).tolist() == expected
    assert sess.run(tf.cumsum([1, 2, 3], exclusive=True, reverse=True)).tolist() == [5, 3, 0]


def test_norm_values_and_errors(sess):
    assert sess.run(tf.norm([3.0, 4.0])) == pytest.approx(5.0)
    m = np.array([[1.0, -2.0], [3.0, 4.0]])
    assert sess.run(tf.norm(m, ord="fro", axis=[0, 1])) == pytest.approx(np.sqrt(30.0))
    assert sess.run(tf.norm(m, ord=1, axis=(0, 1))) == pytest.approx(6.0)
    assert sess.run(tf.norm(m, ord=np.inf, axis=(0, 1))) == pytest.approx(7.0)
    with pytest.raises(ValueError, match="'ord' must be a supported vector norm, got fro"):
        tf.norm(m, ord="fro")
    with pytest.raises(ValueError, match="'ord' must be a supported vector norm"):
        tf.norm(m, ord=-1)
    with pytest.raises(ValueError, match="'axis' must be None, an integer, or a tuple of 2 unique integers"):
        tf.norm(m, axis=[0, 0])
    with pytest.raises(ValueError, match="'ord' must be a supported matrix norm"):
        tf.norm(m, ord=3, axis=[0, 1])
    with pytest.raises(NotImplementedError):
        tf.norm(m, ord=2, axis=[0, 1])


def test_tensordot_axes_forms_and_errors(sess):
    a = np.arange(24.0).reshape(2, 3, 4)
    b = np.arange(12.0).reshape(4, 3)
    np.testing.assert_allclose(sess.run(tf.tensordot(a, b, [[1, 2], [1, 0]])), np.tensordot(a, b, ([1, 2], [1, 0])))
    np.testing.assert_allclose(sess.run(tf.tensordot(a, b, tf.constant([[2], [0]]))), np.tensordot(a, b, 1))
    np.testing.assert_allclose(sess.run(tf.tensordot(a, b, np.array([2, 0]))), np.tensordot(a, b, 1))
    with pytest.raises(ValueError, match="'axes' must be at least 0."):
        tf.tensordot(a, b, -1)
    with pytest.raises(ValueError, match="'axes' must not be larger than the number of dimensions"):
        tf.tensordot(a, b, 3)
    with pytest.raises(ValueError, match="'axes' must be an integer or have length 2."):
        tf.tensordot(a, b, [[1], [0], [0]])
    with pytest.raises(ValueError, match="Different number of contraction axes 'a' and 'b', 2 != 1."):
        tf.tensordot(a, b, [[1, 2], [0]])
    with pytest.raises(ValueError, match="Dimensions must be equal, but are 3 and 4"):
        tf.tensordot(a, b, [[1], [0]])
    with pytest.raises(TypeError):
        tf.tensordot(tf.constant(a), tf.constant(b, tf.float32), 1)


# --- names and axis errors -----------------------------------------------------------------------------------
def test_default_node_names():
    x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    assert tf.reduce_max(x).name == "Max:0" and tf.reduce_max(x).name == "Max_1:0"
    assert tf.reduce_min(x).name == "Min:0" and tf.reduce_prod(x).name == "Prod:0"
    assert tf.reduce_any(x > 1).name == "Any:0" and tf.reduce_all(x > 1).name == "All:0"
    assert tf.argmax(x).name == "ArgMax:0" and tf.argmin(x).name == "ArgMin:0"
    assert tf.cumsum(x).name == "Cumsum:0" and tf.cumprod(x).name == "Cumprod:0"
    assert tf.tensordot(x, x, 1).name == "Tensordot:0"
    assert tf.clip_by_value(x, 0.0, 1.0).name == "clip_by_value:0"
    assert tf.clip_by_norm(x, 1.0).name == "clip_by_norm:0"
    lse = tf.reduce_logsumexp(x)
    assert lse.op.name.startswith("ReduceLogSumExp/")
    assert tf.norm(x).op.name.startswith("norm/")
    assert tf.reduce_max(x, name="top").name == "top:0"
    assert tf.argmax(x, name="pick").name == "pick:0"


def test_bad_axes_are_errors():
    x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    with pytest.raises(ValueError, match="Invalid reduction dimension 2 for input with 2 dimensions"):
        tf.reduce_max(x, axis=2)
    with pytest.raises(ValueError, match="Invalid reduction dimension -3 for input with 2 dimensions"):
        tf.reduce_prod(x, axis=[0, -3])
    with pytest.raises(ValueError, match="Cannot specify both 'reduction_indices' and 'axis'."):
        tf.reduce_min(x, axis=0, reduction_indices=0)
    with pytest.raises(ValueError, match=r"Expected dimension in the range \[-2, 2\), but got 5"):
        tf.argmax(x, 5)
    with pytest.raises(ValueError, match=r"Expected axis in the range \[-2, 2\), but got 2"):
        tf.cumsum(x, axis=2)
    with pytest.raises(ValueError, match="at least rank 1"):
        tf.cumsum(tf.constant(1.0))
    p = tf.placeholder(tf.float32, [2, 2])
    with pytest.raises(ValueError, match="at graph-building time"):
        tf.reduce_max(x, axis=tf.placeholder(tf.int32, []))
    with pytest.raises(ValueError, match="'Max'"):
        tf.reduce_max(p, axis=7)


def test_second_order_through_logsumexp_and_max(sess):
    v = np.array([0.3, -1.2, 2.0])
    w = np.array([1.0, -2.0, 0.5])
    x = tf.constant(v)
    g = tf.gradients(tf.reduce_logsumexp(x), x)[0]
    h = tf.gradients(tf.reduce_sum(g * w), x)[0]
    s = np.exp(v) / np.sum(np.exp(v))
    np.testing.assert_allclose(sess.run(h), (np.diag(s) - np.outer(s, s)) @ w, rtol=1e-10)
    gm = tf.gradients(tf.reduce_max(x * x), x)[0]
    assert sess.run(tf.gradients(tf.reduce_sum(gm), x)[0]).tolist() == [0.0, 0.0, 2.0]
