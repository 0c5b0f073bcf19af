"""Errors: TensorFlow's classes and messages, each naming the node and pointing at the user's line."""
import pickle

import numpy as np
import pytest

import neuroflow as tf


def test_error_classes():
    names = ["CancelledError", "UnknownError", "InvalidArgumentError", "DeadlineExceededError", "NotFoundError",
             "AlreadyExistsError", "PermissionDeniedError", "ResourceExhaustedError", "FailedPreconditionError",
             "AbortedError", "OutOfRangeError", "UnimplementedError", "InternalError", "UnavailableError",
             "DataLossError", "UnauthenticatedError"]
    for code, name in enumerate(names, start=1):
        cls = getattr(tf.errors, name)
        err = cls(None, None, "boom")
        assert isinstance(err, tf.errors.OpError) and err.error_code == code and err.message == "boom"
        assert tf.errors.exception_type_from_error_code(code) is cls
        assert pickle.loads(pickle.dumps(err)).message == "boom"
    assert issubclass(tf.errors.OpError, Exception)


def test_missing_feed_names_placeholder_dtype_shape_and_line(sess):
    x = tf.placeholder(tf.float32, [None, 784], name="images")
    y = x * 2.0
    with pytest.raises(tf.errors.InvalidArgumentError) as info:
        sess.run(y)
    msg = str(info.value)
    assert msg.startswith("You must feed a value for placeholder tensor 'images' with dtype float and shape [?,784]")
    assert "[[node images (defined at test_errors.py:" in msg
    assert 'x = tf.placeholder(tf.float32, [None, 784], name="images")' in msg
    assert info.value.op is x.op and info.value.node_def.name == "images"
    z = tf.placeholder(tf.int64)
    with pytest.raises(tf.errors.InvalidArgumentError, match="placeholder tensor 'Placeholder' with dtype int64\n"):
        sess.run(z)


def test_run_time_shape_errors_name_the_op_and_line(sess):
    a = tf.placeholder(tf.float32, [None, 3])
    b = tf.placeholder(tf.float32, [None, 3])
    total = a + b
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Incompatible shapes: \[2,3\] vs. \[4,3\]") as info:
        sess.run(total, {a: np.zeros((2, 3)), b: np.zeros((4, 3))})
    assert "total = a + b" in str(info.value) and "[[node add " in str(info.value)
    m = tf.matmul(tf.placeholder(tf.float32, [None, None]), tf.placeholder(tf.float32, [None, None]))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Matrix size-incompatible: In\[0\]: \[2,3\], "
                                                             r"In\[1\]: \[4,5\]"):
        sess.run(m, {m.op.inputs[0]: np.zeros((2, 3)), m.op.inputs[1]: np.zeros((4, 5))})
    r = tf.reshape(tf.placeholder(tf.float32, [None]), [2, 2])
    with pytest.raises(tf.errors.InvalidArgumentError, match="Input to reshape is a tensor with 3 values, but the "
                                                             "requested shape has 4"):
        sess.run(r, {r.op.inputs[0]: [1, 2, 3]})


def test_build_time_errors_point_at_the_users_line():
    a = tf.ones([2, 3])
    with pytest.raises(ValueError) as info:
        tf.matmul(a, a)
    msg = str(info.value)
    assert msg.startswith("Dimensions must be equal, but are 3 and 2 for 'MatMul' (op: 'MatMul') with input shapes: "
                          "[2,3], [2,3].")
    assert "test_errors.py" in msg and "tf.matmul(a, a)" in msg


def test_variable_reuse_error_and_failed_precondition_are_tensorflows():
    tf.get_variable("W", [1])
    with pytest.raises(ValueError, match="^Variable W already exists, disallowed. Did you mean to set reuse=True or "
                                         "reuse=tf.AUTO_REUSE in VarScope\\?"):
        tf.get_variable("W", [1])


def test_float_errors_are_silent_like_tensorflow(sess):
    zero = tf.constant(0.0)
    assert np.isinf(sess.run(1.0 / zero)) and np.isnan(sess.run(zero / zero))
    assert np.isneginf(sess.run(tf.log(zero)))
