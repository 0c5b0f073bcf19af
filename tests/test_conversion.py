"""Conversion of Python and NumPy values with TensorFlow's dtype rules; dtypes and shapes; tensor operators."""
import numpy as np
import pytest

import neuroflow as tf


@pytest.mark.parametrize("value, dtype", [
    (1.5, tf.float32), (3, tf.int32), (True, tf.bool), ("hi", tf.string), (2 ** 40, tf.int64),
    ([1, 2.5], tf.float32), ([[1, 2], [3, 4]], tf.int32), (np.array([1.0]), tf.float64),
    (np.float64(2.0), tf.float64), (np.arange(3), tf.int64), (np.array([1], np.uint8), tf.uint8), (1 + 2j, tf.complex128),
])
def test_constant_dtype_inference(value, dtype):
    assert tf.constant(value).dtype == dtype


def test_constant_values_and_shape_argument(sess):
    assert sess.run(tf.constant(7, shape=[2, 2])).tolist() == [[7, 7], [7, 7]]
    assert sess.run(tf.constant([1, 2], shape=[4])).tolist() == [1, 2, 2, 2]  # TF 1.x pads with the last value
    assert sess.run(tf.constant([1, 2, 3, 4], shape=[2, 2])).tolist() == [[1, 2], [3, 4]]
    with pytest.raises(TypeError, match="Too many elements provided. Needed at most 2, but received 3"):
        tf.constant([1, 2, 3], shape=[2])
    with pytest.raises(TypeError, match="Expected Tensor's shape"):
        tf.constant([1, 2], shape=[3], verify_shape=True)
    assert sess.run(tf.constant("hello")) == b"hello"
    assert sess.run(tf.constant(["a", "b"])).tolist() == [b"a", b"b"]


def test_constant_dtype_errors():
    with pytest.raises(TypeError, match="Expected int32, got 2.5 of type 'float' instead."):
        tf.constant([1, 2.5], dtype=tf.int32)
    with pytest.raises(TypeError, match="Expected bool, got 1 of type 'int' instead."):
        tf.constant(1, dtype=tf.bool)
    with pytest.raises(ValueError, match="None values not supported"):
        tf.constant(None)
    with pytest.raises(ValueError, match="non-rectangular"):
        tf.constant([[1, 2], [3]])
    with pytest.raises(ValueError, match="out of range"):
        tf.constant(300, dtype=tf.uint8)


def test_numpy_arrays_are_cast_to_requested_dtype(sess):
    c = tf.constant(np.array([1.25, 2.5]), dtype=tf.float32)
    assert c.dtype == tf.float32 and sess.run(c).dtype == np.float32


def test_python_scalars_take_the_tensor_dtype(sess):
    x = tf.constant([1.0, 2.0], tf.float64)
    assert (x * 2).dtype == tf.float64 and (3 - x).dtype == tf.float64
    i = tf.constant([1, 2])
    assert (i + 1).dtype == tf.int32
    with pytest.raises(TypeError, match="Expected int32 passed to parameter 'y' of op 'Mul', got 2.5"):
        i * 2.5


def test_tensors_of_different_dtypes_do_not_mix():
    a = tf.constant(1.0)
    b = tf.constant(1.0, tf.float64)
    with pytest.raises(TypeError, match="Input 'y' of 'Mul' Op has type float64 that does not match type float32 of "
                                        "argument 'x'."):
        a * b


def test_disallowed_dtype_message():
    with pytest.raises(TypeError, match="Value passed to parameter 'a' has DataType bool not in list of allowed "
                                        "values"):
        tf.matmul(tf.constant([[True]]), tf.constant([[True]]))


def test_operators(sess):
    a = tf.constant([6.0, -7.0])
    b = tf.constant([4.0, 2.0])
    cases = {
        "+": (a + b, [10, -5]), "-": (a - b, [2, -9]), "*": (a * b, [24, -14]), "/": (a / b, [1.5, -3.5]),
        "//": (a // b, [1, -4]), "%": (a % b, [2, 1]), "**": (b ** 2, [16, 4]), "neg": (-a, [-6, 7]),
        "abs": (abs(a), [6, 7]), "r+": (1 + a, [7, -6]), "r-": (1 - a, [-5, 8]), "r*": (2 * a, [12, -14]),
        "r/": (12 / b, [3, 6]), "r//": (13 // b, [3, 6]), "r%": (13 % b, [1, 1]), "r**": (2 ** b, [16, 4]),
    }
    for key, (t, expected) in cases.items():
        np.testing.assert_allclose(sess.run(t), expected, err_msg=key)
    m = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_allclose(sess.run(m @ m), np.array([[7, 10], [15, 22]]))
    np.testing.assert_allclose(sess.run(np.eye(2, dtype=np.float32) @ m), sess.run(m))
    assert sess.run(a < b).tolist() == [False, True] and sess.run(a >= b).tolist() == [True, False]
    assert sess.run(a <= 6.0).tolist() == [True, True] and sess.run(a > 0).tolist() == [True, False]
    t, f = tf.constant([True, True]), tf.constant([True, False])
    assert sess.run(t & f).tolist() == [True, False] and sess.run(t | f).tolist() == [True, True]
    assert sess.run(t ^ f).tolist() == [False, True] and sess.run(~f).tolist() == [False, True]


def test_numpy_array_on_the_left(sess):
    x = tf.placeholder(tf.float32, [3])
    y = np.array([1.0, 2.0, 3.0], np.float32) * x
    assert isinstance(y, tf.Tensor) and y.op.type == "Mul"
    assert sess.run(y, {x: [1, 1, 2]}).tolist() == [1, 2, 6]


def test_integer_true_division_casts_to_float64(sess):
    r = tf.constant(7) / tf.constant(2)
    assert r.dtype == tf.float64 and sess.run(r) == 3.5
    assert (tf.constant(7, tf.int8) / tf.constant(2, tf.int8)).dtype == tf.float32


def test_integer_division_by_zero_fails_at_run_time(sess):
    with pytest.raises(tf.errors.InvalidArgumentError, match="Integer division by zero"):
        sess.run(tf.constant(1) // tf.constant(0))


@pytest.mark.parametrize("index", [
    0, -1, slice(1, None), slice(None, None, -1), slice(None, None, 2), (Ellipsis, 1), (1, Ellipsis),
    (slice(None), None, 0), (None, Ellipsis), (slice(-3, -1), 1), (1, 2, 3), (slice(5, 10),), (Ellipsis,),
])
def test_getitem_matches_numpy(sess, index):
    value = np.arange(60, dtype=np.float32).reshape(3, 4, 5)
    x = tf.constant(value)
    t = x[index]
    expected = value[index]
    got = sess.run(t)
    np.testing.assert_array_equal(got, expected)
    assert t.shape.as_list() == list(expected.shape)
    p = tf.placeholder(tf.float32, [None, None, 5])
    got2 = sess.run(p[index], {p: value})
    np.testing.assert_array_equal(got2, expected)
    assert p[index].shape.is_compatible_with(expected.shape)


def test_getitem_with_tensor_index_and_errors(sess):
    x = tf.constant([10, 20, 30])
    i = tf.placeholder(tf.int32, [])
    assert sess.run(x[i], {i: 2}) == 30
    assert sess.run(x[i:], {i: 1}).tolist() == [20, 30]
    assert x[0].op.type == "StridedSlice" and x[1].op.name == "strided_slice_3"
    with pytest.raises(TypeError, match="Only integers, slices"):
        x[[0, 1]]
    with pytest.raises(ValueError, match="slice index 5 of dimension 0 out of bounds"):
        x[5]
    with pytest.raises(tf.errors.InvalidArgumentError, match="out of bounds"):
        sess.run(x[i], {i: 7})


def test_dtypes():
    assert tf.as_dtype("float") is tf.float32 and tf.as_dtype("double") is tf.float64
    assert tf.as_dtype(np.int64) is tf.int64 and tf.as_dtype(float) is tf.float32
    assert repr(tf.float32) == "tf.float32" and str(tf.float32) == "<dtype: 'float32'>"
    assert tf.float32.is_floating and tf.int8.is_integer and tf.uint8.is_unsigned and tf.bool.is_bool
    assert tf.float32.as_numpy_dtype is np.float32 and tf.float32.size == 4
    assert tf.float32 == "float32" and tf.float32 != tf.float64 and tf.float32.name == "float32"
    assert tf.int8.max == 127 and tf.uint8.min == 0
    ref = tf.Variable(1.0).dtype
    assert ref.name == "float32_ref" and ref.base_dtype is tf.float32 and ref != tf.float32
    with pytest.raises(TypeError, match="Cannot convert value 'nope' to a TensorFlow DType"):
        tf.as_dtype("nope")


def test_tensor_shape():
    s = tf.TensorShape([None, 3])
    assert s.as_list() == [None, 3] and s.ndims == 2 and str(s) == "(?, 3)" and len(s) == 2
    assert s[1].value == 3 and s[0].value is None and int(s[1]) == 3 and str(s[0]) == "?"
    assert s.is_compatible_with([5, 3]) and not s.is_compatible_with([5, 4])
    assert s.merge_with([5, None]).as_list() == [5, 3]
    assert not s.is_fully_defined() and tf.TensorShape([2, 3]).num_elements() == 6
    assert str(tf.TensorShape(None)) == "<unknown>" and tf.TensorShape(None).ndims is None
    assert str(tf.TensorShape([3])) == "(3,)" and str(tf.TensorShape([])) == "()"
    with pytest.raises(ValueError, match="unknown rank"):
        len(tf.TensorShape(None))
    with pytest.raises(ValueError, match="not compatible"):
        s.merge_with([1, 2])
    x = tf.placeholder(tf.float32, [None, 3])
    assert x.get_shape().as_list() == [None, 3] and x.shape[-1] * 2 == 6
    x.set_shape([4, 3])
    assert x.shape.as_list() == [4, 3]
    with pytest.raises(ValueError, match="not compatible"):
        x.set_shape([4, 5])


def test_static_shape_inference_with_broadcasting():
    a = tf.placeholder(tf.float32, [None, 1, 3])
    b = tf.placeholder(tf.float32, [4, 1])
    assert (a + b).shape.as_list() == [None, 4, 3]
    assert (tf.placeholder(tf.float32) * 2.0).shape.ndims is None
    with pytest.raises(ValueError, match=r"Dimensions must be equal, but are 3 and 4 for 'add_1' \(op: 'AddV2'\) with "
                                         r"input shapes: \[\?,1,3\], \[4\]."):
        a + tf.placeholder(tf.float32, [4])
    m = tf.matmul(tf.placeholder(tf.float32, [None, 784]), tf.ones([784, 10]))
    assert m.shape.as_list() == [None, 10]
    assert tf.reduce_sum(a, axis=1).shape.as_list() == [None, 3]
    assert tf.reduce_mean(a, axis=[0, 2], keepdims=True).shape.as_list() == [1, 1, 1]
    assert tf.reshape(a, [-1, 3]).shape.as_list() == [None, 3]
    assert tf.reshape(tf.ones([2, 6]), [3, -1]).shape.as_list() == [3, 4]
    with pytest.raises(ValueError, match="Cannot reshape a tensor with 12 elements to shape"):
        tf.reshape(tf.ones([2, 6]), [5, -1])
    with pytest.raises(ValueError, match="Invalid reduction dimension 3 for input with 3 dimensions"):
        tf.reduce_sum(a, axis=3)
    with pytest.raises(ValueError, match="Shape must be rank 2 but is rank 1 for 'MatMul_1'"):
        tf.matmul(tf.ones([3]), tf.ones([3, 3]))


def test_bytes_keep_trailing_nul_bytes_in_constants_and_feeds():
    """NumPy's fixed-width bytes strip trailing NULs; TensorFlow's strings keep every byte."""
    p = tf.placeholder(tf.string, [2])
    with tf.Session() as sess:
        assert sess.run(tf.constant([b"\x01\x00", b"ab"])).tolist() == [b"\x01\x00", b"ab"]
        assert sess.run(tf.constant(b"a\x00\x00")) == b"a\x00\x00"
        assert sess.run(p, {p: [b"\x00", b"a\x00"]}).tolist() == [b"\x00", b"a\x00"]
