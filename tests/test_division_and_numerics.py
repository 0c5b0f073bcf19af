"""div_no_nan, truncatediv and arg_max/arg_min beyond their op-table rows (node names, dtype errors, division by
zero), and add_check_numerics_ops: every float tensor checked, the first NaN named as TensorFlow names it."""
import numpy as np
import pytest

import neuroflow as tf


def test_div_no_nan_is_one_node_named_as_in_tensorflow():
    x = tf.constant([1.0, np.nan, np.inf])
    q = tf.div_no_nan(x, tf.constant([2.0, 0.0, 0.0]))
    assert q.name == "div_no_nan:0" and q.op.type == "DivNoNan"
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(q), [0.5, 0.0, 0.0])


def test_div_no_nan_rejects_mixed_and_integer_dtypes():
    with pytest.raises(TypeError, match="same dtype"):
        tf.div_no_nan(tf.constant([1.0]), tf.constant([1.0], tf.float64))
    with pytest.raises(TypeError, match="int32"):
        tf.div_no_nan(tf.constant([1]), tf.constant([2]))


def test_truncatediv_rounds_toward_zero_where_floordiv_rounds_down():
    x, y = tf.constant([-7, 7, -7]), tf.constant([5, -5, -5])
    with tf.Session() as sess:
        truncated, floored = sess.run([tf.truncatediv(x, y), tf.floordiv(x, y)])
    np.testing.assert_array_equal(truncated, [-1, -1, 1])
    np.testing.assert_array_equal(floored, [-2, -2, 1])
    assert tf.truncatediv(x, y).op.type == "TruncateDiv"


def test_truncatediv_by_zero_and_on_floats_fail_clearly():
    q = tf.truncatediv(tf.constant([3, 4]), tf.constant([1, 0]))
    with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError, match="Integer division by zero"):
        sess.run(q)
    with pytest.raises(TypeError, match="float32"):
        tf.truncatediv(tf.constant([3.0]), tf.constant([2.0]))


def test_arg_max_and_arg_min_need_their_dimension():
    m = tf.constant([[1, 9], [8, 2]])
    assert tf.arg_max(m, 1).name == "ArgMax:0" and tf.arg_min(m, 0).name == "ArgMin:0"
    with pytest.raises(TypeError):
        tf.arg_max(m)  # pylint: disable=no-value-for-parameter


def test_add_check_numerics_ops_names_the_first_tensor_holding_nan():
    x = tf.placeholder(tf.float32, [3], name="x")
    w = tf.Variable([1.0, 2.0, 3.0], name="w")
    logs = tf.log(x * w, name="logs")            # NaN for a negative x: the first bad tensor in graph order
    loss = tf.reduce_sum(tf.square(logs), name="loss")
    check = tf.add_check_numerics_ops()
    assert check.type == "NoOp"
    checked = [op for op in tf.get_default_graph().get_operations() if op.type == "CheckNumerics"]
    messages = {op._attrs["message"] for op in checked}
    assert {"x:0", "mul:0", "logs:0", "loss:0", "w/read:0"} <= messages
    assert not any(m.startswith(("w:", "w/Assign:")) for m in messages)  # variable references are not read
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert sess.run([loss, check], {x: [1.0, 2.0, 3.0]})[0] > 0
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"logs:0 : Tensor had NaN values"):
            sess.run([loss, check], {x: [1.0, -2.0, 3.0]})
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"x:0 : Tensor had Inf values"):
            sess.run(check, {x: [1.0, np.inf, 3.0]})


def test_a_check_reached_only_through_a_control_dependency_runs():
    x = tf.placeholder(tf.float32, [2])
    check = tf.check_numerics(tf.log(x), "log of x")
    with tf.control_dependencies([check]):
        out = tf.identity(x)
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="log of x : Tensor had NaN values"):
            sess.run(out, {x: [1.0, -1.0]})
        with pytest.raises(tf.errors.InvalidArgumentError, match="log of x"):
            sess.run(tf.group(check), {x: [1.0, -1.0]})


def test_add_check_numerics_ops_refuses_eager_execution():
    with tf.eager_mode(), pytest.raises(RuntimeError, match="eager execution"):
        tf.add_check_numerics_ops()
