"""tf.Print, tf.print and tf.Assert: what they write (TensorFlow's formats, checked against texts TensorFlow
prints), when (only when run; first_n; eagerly at once), where (stderr, stdout, a file), and the errors."""
import sys

import numpy as np
import pytest

import neuroflow as tf
from neuroflow.ops.tensor_format import summarize, summarize_v2


@pytest.fixture(autouse=True)
def fresh_graph():
    tf.reset_default_graph()
    yield


# --- the formats ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("array, max_entries, text", [
    (np.array([1, 2, 3], np.int32), 3, "1 2 3"),
    (np.arange(5), 3, "0 1 2..."),
    (np.array([[1, 2], [3, 4]]), 3, "[1 2][3...]..."),
    (np.array([[1, 2], [3, 4]]), -1, "[1 2][3 4]"),
    (np.array(7), 3, "7"),
    (np.array([True, False]), 3, "1 0"),
    (np.float32([0.1, 1.0, 1 / 3, -2.5e-8]), -1, "0.1 1 0.333333343 -2.5e-08"),
    (np.array([0.1, 1 / 3]), -1, "0.1 0.33333333333333331"),
    (np.float32([np.nan, np.inf, -np.inf]), -1, "nan inf -inf"),
    (np.zeros((0, 3)), 3, ""),
    (np.array([b"a", b"b\n"], object), 3, "a b\\n"),
])
def test_tf1_summary_text(array, max_entries, text):
    """Tensor::SummarizeValue as tf.Print and tf.Assert write it."""
    assert summarize(array, max_entries) == text


@pytest.mark.parametrize("array, max_entries, text", [
    (np.arange(10), 3, "[0 1 2 ... 7 8 9]"),
    (np.arange(6), 3, "[0 1 2 3 4 5]"),
    (np.arange(12).reshape(3, 4), 3, "[[0 1 2 3]\n [4 5 6 7]\n [8 9 10 11]]"),
    (np.arange(16).reshape(8, 2), 2, "[[0 1]\n [2 3]\n ...\n [12 13]\n [14 15]]"),
    (np.arange(8).reshape(2, 2, 2), 3, "[[[0 1]\n  [2 3]]\n\n [[4 5]\n  [6 7]]]"),
    (np.arange(10), -1, "[0 1 2 3 4 5 6 7 8 9]"),
    (np.array(3.5), 3, "3.5"),
    (np.array([b"hi"], object), 3, '["hi"]'),
])
def test_print_v2_text(array, max_entries, text):
    """TensorFlow's print_v2 text: the first and last entries of each dimension, rows on their own lines."""
    assert summarize_v2(array, max_entries) == text


# --- tf.Print ------------------------------------------------------------------------------------------------
def test_print_passes_its_input_through_and_prints_when_run(capsys):
    x = tf.placeholder(tf.int32, [None])
    y = tf.Print(x, [x, tf.reduce_sum(x)], message="x and its sum: ")
    assert capsys.readouterr().err == ""  # nothing while building
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(y * 2, {x: [1, 2, 3, 4]}), [2, 4, 6, 8])
    assert capsys.readouterr().err == "x and its sum: [1 2 3...][10]\n"


def test_print_first_n_and_summarize(capsys):
    x = tf.constant([1.5, 2.5, 3.5, 4.5])
    y = tf.Print(x, [x], message="m", first_n=2, summarize=2)
    with tf.Session() as sess:
        for _ in range(4):
            sess.run(y)
    assert capsys.readouterr().err == "m[1.5 2.5...]\n" * 2
    with tf.Session() as sess:  # the count belongs to the session, as TensorFlow's kernel's does
        sess.run(y)
    assert capsys.readouterr().err == "m[1.5 2.5...]\n"


def test_print_gradient_is_the_gradient_of_its_input():
    x = tf.placeholder(tf.float64, [3])
    y = tf.Print(x, [x], "not in the gradient")
    dx, = tf.gradients(tf.reduce_sum(y * y), x)
    with tf.Session() as sess:
        np.testing.assert_allclose(sess.run(dx, {x: [1.0, -2.0, 0.5]}), [2.0, -4.0, 1.0])


def test_print_in_eager_mode_prints_now(capsys):
    with tf.eager_mode():
        y = tf.Print(tf.constant([1, 2]), [tf.constant([3, 4])], "eager ")
        np.testing.assert_array_equal(y.numpy(), [1, 2])
    assert capsys.readouterr().err == "eager [3 4]\n"


# --- tf.print ------------------------------------------------------------------------------------------------
def test_print_op_prints_only_when_run_and_formats_structures(capsys):
    t = tf.range(10)
    op = tf.print("tensors:", t, {2: t * 2}, output_stream=sys.stdout)
    assert isinstance(op, tf.Operation) and op.type == "PrintV2"
    assert capsys.readouterr().out == ""
    with tf.Session() as sess:
        with tf.control_dependencies([op]):
            tripled = t * 3
        sess.run(tripled)
    # TensorFlow's documented output for this call
    assert capsys.readouterr().out == "tensors: [0 1 2 ... 7 8 9] {2: [0 2 4 ... 14 16 18]}\n"


def test_print_sep_end_summarize_and_python_values(capsys):
    x = tf.constant([[1.0, 2.0], [3.0, 4.5]])
    with tf.Session() as sess:
        sess.run(tf.print("a", x, 3, None, [x[0, 0]], sep="|", end="!\n", summarize=-1))
    assert capsys.readouterr().err == "a|[[1 2]\n [3 4.5]]|3|None|[1]!\n"


def test_a_lone_string_scalar_prints_unquoted_others_quoted(capsys):
    s = tf.constant("hello")
    with tf.Session() as sess:
        sess.run(tf.print(s))
        sess.run(tf.print("said:", s))
    assert capsys.readouterr().err == 'hello\nsaid: "hello"\n'


def test_print_to_a_file(tmp_path):
    path = tmp_path / "out.txt"
    with tf.Session() as sess:
        op = tf.print("step", tf.constant(3), output_stream=f"file://{path}")
        sess.run(op)
        sess.run(op)
    assert path.read_text() == "step 3\nstep 3\n"


def test_unsupported_output_stream_is_refused():
    with pytest.raises(ValueError, match="Unsupported output stream, logging level, or file"):
        tf.print(tf.constant(1), output_stream="stdout")


def test_print_in_eager_mode_prints_now_and_returns_none(capsys):
    with tf.eager_mode():
        assert tf.print("x =", tf.constant([1, 2, 3])) is None
    assert capsys.readouterr().err == "x = [1 2 3]\n"


# --- tf.Assert -----------------------------------------------------------------------------------------------
def test_assert_passes_or_fails_with_the_data_listed():
    x = tf.placeholder(tf.float32, [None])
    check = tf.Assert(tf.reduce_all(x > 0), ["x must be positive:", x], name="positive")
    assert isinstance(check, tf.Operation) and check.name == "positive/Assert" and check.type == "Assert"
    with tf.control_dependencies([check]):
        y = tf.identity(x)
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(y, {x: [1.0, 2.0]}), [1.0, 2.0])
        with pytest.raises(tf.errors.InvalidArgumentError) as info:
            sess.run(y, {x: [-1.0, 2.0, 3.0, 4.0]})
    text = str(info.value)
    assert text.startswith("assertion failed: [x must be positive:] [-1 2 3...]")
    assert "positive/Assert" in text and "test_logging_ops.py" in text


def test_assert_summarize_and_not_run_unless_needed():
    x = tf.constant([5, 6, 7, 8])
    check = tf.Assert(tf.constant(False), [x], summarize=-1)
    with tf.Session() as sess:
        assert sess.run(x * 2).tolist() == [10, 12, 14, 16]  # the assert is not a dependency: it does not run
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"^assertion failed: \[5 6 7 8\]"):
            sess.run(check)


def test_assert_condition_must_be_a_scalar():
    check = tf.Assert(tf.constant([True, True]), [])
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"In\[0\] should be a scalar: \[2\]"):
            sess.run(check)


def test_assert_in_eager_mode_raises_at_once():
    with tf.eager_mode():
        assert tf.Assert(tf.constant(True), [tf.constant(1)]) is None
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match=r"Expected '.*False.*' to be true. Summarized data: 1, 2, 3, ...\nb'ok'"):
            tf.Assert(tf.constant(False), [tf.constant([1, 2, 3, 4]), tf.constant("ok")])


# --- tf.assert_* ---------------------------------------------------------------------------------------------
def test_assert_functions_check_element_wise_with_tensorflows_data_lines():
    x = tf.placeholder(tf.float32, [None])
    checks = [tf.assert_positive(x, message="need positive"), tf.debugging.assert_less(x, 3.0)]
    with tf.control_dependencies(checks):
        y = tf.identity(x)
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(y, {x: [1.0, 2.0]}), [1.0, 2.0])
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"^assertion failed: \[need positive\] "
                           r"\[Condition x > 0 did not hold element-wise:\] \[x \(Placeholder:0\) = \] \[-1 2\]"):
            sess.run(y, {x: [-1.0, 2.0]})
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match=r"^assertion failed: \[\] \[Condition x < y did not hold element-wise:\] "
                                 r"\[x \(Placeholder:0\) = \] \[1 5\] \[y \(assert_less/y:0\) = \] \[3\]"):
            sess.run(y, {x: [1.0, 5.0]})


@pytest.mark.parametrize("check, args, holds", [
    (tf.assert_equal, ([1, 2], [1, 2]), True), (tf.assert_equal, ([1, 2], [1, 3]), False),
    (tf.assert_none_equal, ([1, 2], [3, 4]), True), (tf.assert_none_equal, ([1, 2], [3, 2]), False),
    (tf.assert_less_equal, ([1, 2], [1, 3]), True), (tf.assert_greater, ([2], [1, 3]), False),
    (tf.assert_greater_equal, ([2, 3], 2), True), (tf.assert_negative, ([-1, 0],), False),
    (tf.assert_non_negative, ([0, 1],), True), (tf.assert_non_positive, ([0, 1],), False),
])
def test_assert_functions_on_placeholders_and_eagerly(check, args, holds):
    placeholders = [tf.placeholder(tf.int32) for _ in args]
    op = check(*placeholders)
    with tf.Session() as sess:
        feed = dict(zip(placeholders, args))
        if holds:
            sess.run(op, feed)
        else:
            with pytest.raises(tf.errors.InvalidArgumentError, match="did not hold element-wise"):
                sess.run(op, feed)
    with tf.eager_mode():
        tensors = [tf.constant(a, tf.int32) for a in args]
        if holds:
            assert check(*tensors) is None
        else:
            with pytest.raises(tf.errors.InvalidArgumentError, match="to be true"):
                check(*tensors)


def test_a_condition_false_on_constants_fails_while_building():
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"^\nCondition x == y did not hold element-wise:\nx \(Const:0\) = \n\[1 2\]\n"
                             r"y \(Const_1:0\) = \n\[1 3\]$"):
        tf.assert_equal(tf.constant([1, 2]), tf.constant([1, 3]))
