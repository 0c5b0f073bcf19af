"""Array manipulation and indexing behaviour that op-table rows cannot express: TensorFlow's errors and
messages, node names, deprecated arguments, dtype rules, and gradients with repeated indices."""
import numpy as np
import pytest

import neuroflow as tf


# --- squeeze -------------------------------------------------------------------------------------------------
def test_squeeze_non_one_dim_is_a_build_time_error():
    with pytest.raises(ValueError) as info:
        tf.squeeze(tf.zeros([2, 3]), axis=[1])
    assert str(info.value).startswith("Can not squeeze dim[1], expected a dimension of 1, got 3 for 'Squeeze' "
                                      "(op: 'Squeeze') with input shapes: [2,3].")


def test_squeeze_non_one_dim_at_run_time(sess):
    x = tf.placeholder(tf.float32, [None, None])
    y = tf.squeeze(x, [-1])
    assert y.shape.as_list() == [None]
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"^Can not squeeze dim\[1\], expected a dimension of 1, got 3"):
        sess.run(y, {x: np.zeros((2, 3))})
    assert sess.run(y, {x: np.ones((2, 1))}).tolist() == [1.0, 1.0]


def test_squeeze_axis_out_of_range():
    with pytest.raises(ValueError, match="Tried to squeeze dim index 2 for tensor with 2 dimensions"):
        tf.squeeze(tf.zeros([1, 1]), 2)


def test_squeeze_deprecated_squeeze_dims_and_static_shapes():
    x = tf.placeholder(tf.float32, [1, None, 1, 3])
    assert tf.squeeze(x, squeeze_dims=[0]).shape.as_list() == [None, 1, 3]
    assert tf.squeeze(x, axis=2).shape.as_list() == [1, None, 3]
    assert tf.squeeze(x).shape.ndims is None  # the None dim might be 1: rank unknown, as in TensorFlow
    assert tf.squeeze(tf.zeros([1, 2, 1])).shape.as_list() == [2]
    with pytest.raises(ValueError, match="Cannot specify both 'squeeze_dims' and 'axis'."):
        tf.squeeze(x, axis=[0], squeeze_dims=[0])


# --- split / concat ------------------------------------------------------------------------------------------
def test_split_not_divisible_is_a_build_time_error():
    with pytest.raises(ValueError) as info:
        tf.split(tf.zeros([10]), 3)
    assert str(info.value).startswith("Dimension size must be evenly divisible by 3 but is 10 for 'split' "
                                      "(op: 'Split')")


def test_split_not_divisible_at_run_time(sess):
    x = tf.placeholder(tf.float32, [None])
    parts = tf.split(x, 3)
    assert len(parts) == 3 and [p.name for p in parts] == ["split:0", "split:1", "split:2"]
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"^Number of ways to split should evenly divide the split dimension, but got "
                             r"split_dim 0 \(size = 10\) and num_split 3"):
        sess.run(parts, {x: np.zeros(10)})


def test_split_sizes_must_add_up():
    x = tf.zeros([5, 2])
    a, b, c = tf.split(x, [1, -1, 0])
    assert (a.shape.as_list(), b.shape.as_list(), c.shape.as_list()) == ([1, 2], [4, 2], [0, 2])
    assert a.op.type == "SplitV" and a.op.name == "split" and a.op.inputs[1].op.name == "split/size_splits"
    with pytest.raises(ValueError, match="Determined shape must either match input shape along split_dim exactly"):
        tf.split(x, [2, 2])
    with pytest.raises(ValueError, match="Determined shape must either match"):
        tf.split(x, [4, 2, -1])


def test_split_returns_a_list_and_needs_num_for_unknown_sizes(sess):
    (only,) = tf.split(tf.constant([[1, 2]]), 1, axis=1)
    assert sess.run(only).tolist() == [[1, 2]]
    sizes = tf.placeholder(tf.int32, [None])
    with pytest.raises(ValueError, match="Cannot infer num from shape"):
        tf.split(tf.zeros([4]), sizes)
    parts = tf.split(tf.constant([1, 2, 3, 4]), sizes, num=2)
    assert [p.tolist() for p in sess.run(parts, {sizes: [3, 1]})] == [[1, 2, 3], [4]]
    with pytest.raises(tf.errors.InvalidArgumentError, match="Determined shape must either match"):
        sess.run(parts, {sizes: [3, 3]})
    assert len(tf.split(tf.zeros([6]), tf.constant(2))) == 2  # a scalar int tensor: equal parts


def test_concat_static_shapes_names_and_errors(sess):
    a = tf.placeholder(tf.float32, [None, 3])
    b = tf.placeholder(tf.float32, [2, None])
    c = tf.concat([a, b], axis=0)
    assert c.op.name == "concat" and c.op.type == "ConcatV2" and c.shape.as_list() == [None, 3]
    assert tf.concat([a, b], -1).shape.as_list() == [2, None]
    assert tf.concat([tf.zeros([2, 3]), tf.zeros([2, 4])], 1).shape.as_list() == [2, 7]
    with pytest.raises(ValueError, match=r"Dimension 1 in both shapes must be equal, but are 3 and 4"):
        tf.concat([tf.zeros([2, 3]), tf.zeros([2, 4])], 0)
    with pytest.raises(ValueError, match=r"Shape must be rank 2 but is rank 1"):
        tf.concat([tf.zeros([2, 3]), tf.zeros([2])], 0)
    with pytest.raises(TypeError):
        tf.concat([tf.zeros([2]), tf.zeros([2], tf.int32)], 0)
    x = tf.placeholder(tf.float32, [None, None])
    y = tf.concat([x, x + 1.0], 0)
    with pytest.raises(tf.errors.InvalidArgumentError, match="ConcatOp : Dimensions of inputs should match"):
        sess.run(tf.concat([x, tf.zeros([1, 2])], 0), {x: np.zeros((1, 3))})
    assert sess.run(y, {x: [[1.0]]}).tolist() == [[1.0], [2.0]]


def test_concat_of_one_tensor_is_an_identity():
    x = tf.zeros([2])
    y = tf.concat([x], 0)
    assert y.op.type == "Identity" and y.op.name == "concat/concat"


# --- gather --------------------------------------------------------------------------------------------------
def test_gather_out_of_range_index(sess):
    params = tf.constant([1.0, 2.0, 3.0, 4.0, 5.0])
    idx = tf.placeholder(tf.int32, [None])
    y = tf.gather(params, idx)
    assert y.op.name == "GatherV2"
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"^indices\[1\] = 7 is not in \[0, 5\)"):
        sess.run(y, {idx: [0, 7, 2]})
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"^indices\[0\] = -1 is not in \[0, 5\)"):
        sess.run(y, {idx: [-1]})
    idx2 = tf.placeholder(tf.int64, [None, None])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"^indices\[1,0\] = 5 is not in \[0, 5\)"):
        sess.run(tf.gather(params, idx2), {idx2: [[0, 1], [5, 1]]})
    idx0 = tf.placeholder(tf.int32, [])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"^indices = 9 is not in \[0, 5\)"):
        sess.run(tf.gather(params, idx0), {idx0: 9})


def test_gather_gradient_adds_up_repeated_indices(sess):
    params = tf.placeholder(tf.float64, [4, 2])
    y = tf.gather(params, [3, 1, 3, 3]) * tf.constant([[1.0], [2.0], [3.0], [4.0]], tf.float64)
    (g,) = tf.gradients(tf.reduce_sum(y), params)
    assert isinstance(g, tf.IndexedSlices)  # as in TensorFlow; dense through convert_to_tensor
    g = tf.convert_to_tensor(g)
    assert g.shape.as_list() == [4, 2]
    assert sess.run(g, {params: np.zeros((4, 2))}).tolist() == [[0, 0], [2, 2], [0, 0], [8, 8]]


def test_gather_axis_and_deprecated_validate_indices(sess):
    x = tf.constant(np.arange(12.0).reshape(3, 4))
    assert sess.run(tf.gather(x, [3, 0], axis=-1, validate_indices=True)).tolist() == [[3, 0], [7, 4], [11, 8]]
    assert sess.run(tf.gather(x, tf.constant(1), axis=tf.constant(1))).tolist() == [1, 5, 9]
    with pytest.raises(ValueError, match="Shape must be at least rank 3 but is rank 2"):
        tf.gather(x, [0], axis=2)
    with pytest.raises(TypeError, match="Value passed to parameter 'indices' has DataType float32"):
        tf.gather(x, [0.5])


# --- transpose, slice, tile, pad, reverse --------------------------------------------------------------------
def test_transpose_names_and_shape_errors(sess):
    x = tf.placeholder(tf.float32, [2, None, 4])
    t = tf.transpose(x)
    assert t.op.name == "transpose" and t.op.inputs[1].op.name == "transpose/perm"
    assert t.shape.as_list() == [4, None, 2]
    assert tf.transpose(x, [1, 0, 2]).shape.as_list() == [None, 2, 4]
    with pytest.raises(ValueError, match="Dimension must be 3 but is 2"):
        tf.transpose(x, [1, 0])
    with pytest.raises(ValueError, match="1 is missing from 'perm' argument"):
        tf.transpose(x, [0, 0, 2])
    perm = tf.placeholder(tf.int32, [3])
    y = tf.transpose(x, perm)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"^2 is missing from \{0,0,1\}\."):
        sess.run(y, {x: np.zeros((2, 3, 4)), perm: [0, 0, 1]})
    (g,) = tf.gradients(tf.reduce_sum(y * tf.range(3.0)), x)  # run-time perm: InvertPermutation in the gradient
    got = sess.run(g, {x: np.zeros((2, 3, 4)), perm: [2, 0, 1]})
    np.testing.assert_array_equal(got, np.broadcast_to(np.arange(3.0)[None, :, None], (2, 3, 4)))


def test_invert_permutation_errors(sess):
    with pytest.raises(tf.errors.InvalidArgumentError, match="1 is duplicated in the input"):
        sess.run(tf.invert_permutation([1, 1, 0]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="3 is not between 0 and 3"):
        sess.run(tf.invert_permutation([0, 3, 1]))


def test_slice_bounds(sess):
    x = tf.zeros([3, 4])
    b = tf.placeholder(tf.int32, [2])
    y = tf.slice(x, b, [2, 2])
    assert y.shape.as_list() == [2, 2] and y.op.name == "Slice" and y.op.inputs[2].op.name == "Slice/size"
    with pytest.raises(ValueError, match=r"Expected size\[1\] in \[0, 2\], but got 3"):
        tf.slice(x, [1, 2], [1, 3])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Expected size\[0\] in \[0, 1\], but got 2"):
        sess.run(y, {b: [2, 0]})


def test_tile_and_pad_errors():
    with pytest.raises(ValueError, match="Expected multiples argument to be a vector of length 2 but got length 3"):
        tf.tile(tf.zeros([2, 3]), [1, 2, 3])
    with pytest.raises(ValueError, match="Unknown padding mode: WRAP"):
        tf.pad(tf.zeros([2]), [[1, 1]], "wrap")
    with pytest.raises(ValueError, match="paddings must be less than the dimension size: 2, 0 not less than 2"):
        tf.pad(tf.zeros([2]), [[2, 0]], "REFLECT")
    assert tf.pad(tf.zeros([2]), [[2, 0]], "SYMMETRIC").shape.as_list() == [4]
    with pytest.raises(ValueError, match="paddings must be no greater than the dimension size: 3, 0 greater than 2"):
        tf.pad(tf.zeros([2]), [[3, 0]], "SYMMETRIC")


def test_pad_node_types_and_modes(sess):
    x = tf.constant([[1, 2, 3]])
    assert tf.pad(x, [[0, 0], [1, 1]]).op.type == "Pad"
    assert tf.pad(x, [[0, 0], [1, 1]], constant_values=9).op.type == "PadV2"
    m = tf.pad(x, [[0, 0], [2, 2]], mode="reflect")
    assert m.op.type == "MirrorPad" and m.op.name == "MirrorPad"
    assert sess.run(m).tolist() == [[3, 2, 1, 2, 3, 2, 1]]
    assert sess.run(tf.pad(x, [[1, 0], [1, 0]], "Symmetric")).tolist() == [[1, 1, 2, 3], [1, 1, 2, 3]]
    assert sess.run(tf.pad(x, [[0, 0], [1, 0]], constant_values=9)).tolist() == [[9, 1, 2, 3]]


def test_reverse_names_and_duplicate_axis(sess):
    r = tf.reverse(tf.constant([[1, 2], [3, 4]]), [1])
    assert r.op.type == "ReverseV2" and r.op.name == "ReverseV2" and tf.reverse_v2 is tf.reverse
    assert sess.run(r).tolist() == [[2, 1], [4, 3]]
    with pytest.raises(ValueError, match="axis 1 specified more than once"):
        tf.reverse(tf.zeros([2, 2]), [1, -1])


# --- one_hot, range, linspace, rank, masks -------------------------------------------------------------------
def test_one_hot_dtype_rules():
    y = tf.one_hot([0, 1], 3)
    assert y.op.name == "one_hot" and y.op.type == "OneHot" and y.shape.as_list() == [2, 3]
    assert tf.one_hot([0, 1], 3).dtype == tf.float32
    assert tf.one_hot([0, 1], 3, on_value=1, off_value=0).dtype == tf.int32
    assert tf.one_hot([0, 1], 3, off_value=np.float64(0)).dtype == tf.float64
    assert tf.one_hot([0, 1], 3, dtype=tf.int64).dtype == tf.int64
    with pytest.raises(TypeError, match="of on_value does not match dtype parameter"):
        tf.one_hot([0], 2, on_value=1.0, dtype=tf.int32)
    with pytest.raises(TypeError, match="of on_value does not match dtype"):
        tf.one_hot([0], 2, on_value=1.0, off_value=0)
    with pytest.raises(ValueError, match=r"Expected axis to be -1 or between \[0, 2\).  But received: 3"):
        tf.one_hot([0], 2, axis=3)


def test_one_hot_out_of_range_rows_are_off(sess):
    got = sess.run(tf.one_hot([-1, 0, 3, 2], 3, on_value=7, off_value=-7))
    assert got.tolist() == [[-7, -7, -7], [7, -7, -7], [-7, -7, -7], [-7, -7, 7]]


def test_range_dtype_inference_and_names(sess):
    r = tf.range(2, 10, 3)
    assert r.op.name == "range" and r.op.type == "Range" and r.shape.as_list() == [3]
    assert [i.op.name for i in r.op.inputs] == ["range/start", "range/limit", "range/delta"]
    assert sess.run(r).tolist() == [2, 5, 8]
    assert tf.range(5).dtype == tf.int32
    assert tf.range(1, 5.0).dtype == tf.float32
    assert tf.range(0, 3, 0.5).dtype == tf.float32
    assert tf.range(tf.constant(3, tf.int64)).dtype == tf.int64
    assert tf.range(tf.constant(3, tf.int64), 7.0).dtype == tf.float32
    assert tf.range(5, dtype=tf.float64).dtype == tf.float64
    assert sess.run(tf.range(10, 1, -4)).tolist() == [10, 6, 2]
    np.testing.assert_allclose(sess.run(tf.range(0.0, 1.0, 0.25)), [0, 0.25, 0.5, 0.75])


def test_range_errors(sess):
    with pytest.raises(ValueError, match="Requires delta != 0: 0"):
        tf.range(0, 5, 0)
    with pytest.raises(ValueError, match="Requires start <= limit when delta > 0: 5/1"):
        tf.range(5, 1)
    n = tf.placeholder(tf.int32, [])
    with pytest.raises(tf.errors.InvalidArgumentError, match="Requires start >= limit when delta < 0: 0/3"):
        sess.run(tf.range(0, n, -1), {n: 3})


def test_linspace_and_rank(sess):
    ls = tf.linspace(10.0, 12.0, 3)
    assert ls.op.name == "LinSpace" and ls.dtype == tf.float32 and tf.lin_space is tf.linspace
    assert sess.run(ls).tolist() == [10.0, 11.0, 12.0]
    with pytest.raises(ValueError, match="Requires num > 0: 0"):
        tf.linspace(0.0, 1.0, 0)
    r = tf.rank(tf.zeros([2, 3]))
    assert r.op.type == "Const" and r.op.name == "Rank" and sess.run(r) == 2
    x = tf.placeholder(tf.float32)
    r2 = tf.rank(x)
    assert r2.op.type == "Rank" and sess.run(r2, {x: np.zeros((1, 2, 3))}) == 3


def test_sequence_mask_default_maxlen_and_dtype(sess):
    m = tf.sequence_mask([1, 3, 2])
    assert m.dtype == tf.bool and m.op.name.startswith("SequenceMask/")
    assert sess.run(m).tolist() == [[True, False, False], [True, True, True], [True, True, False]]
    f = tf.sequence_mask(tf.constant([[0, 2]]), 3, dtype=tf.float32)
    assert f.dtype == tf.float32 and sess.run(f).tolist() == [[[0, 0, 0], [1, 1, 0]]]
    with pytest.raises(ValueError, match="maxlen must be scalar for sequence_mask"):
        tf.sequence_mask([1], [2, 3])


def test_boolean_mask_shapes_errors_and_gradient(sess):
    x = tf.placeholder(tf.float64, [3, 2])
    y = tf.boolean_mask(x, [True, False, True])
    assert y.shape.as_list() == [None, 2] and y.op.name.startswith("boolean_mask/")
    (g,) = tf.gradients(tf.reduce_sum(y * 3.0), x)
    assert sess.run(g, {x: np.ones((3, 2))}).tolist() == [[3, 3], [0, 0], [3, 3]]
    with pytest.raises(ValueError, match="mask cannot be scalar"):
        tf.boolean_mask(x, True)
    with pytest.raises(ValueError, match="Number of mask dimensions must be specified"):
        tf.boolean_mask(x, tf.placeholder(tf.bool))
    with pytest.raises(ValueError, match="are incompatible"):
        tf.boolean_mask(x, [True, False])
