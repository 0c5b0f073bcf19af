"""tf.strings (and TF1's tf.string_join, tf.substr, tf.string_to_number, tf.regex_replace, tf.as_string,
tf.string_split): exact strings against Python's string methods and TensorFlow's documented examples, and
TensorFlow's errors for misuse."""
import numpy as np
import pytest

import neuroflow as tf


def _run(t, feed=None):
    with tf.Session() as sess:
        return sess.run(t, feed)


def test_tf1_names_are_the_strings_namespace():
    assert (tf.string_join, tf.substr, tf.string_to_number, tf.regex_replace, tf.as_string) == \
        (tf.strings.join, tf.strings.substr, tf.strings.to_number, tf.strings.regex_replace, tf.strings.as_string)


def test_join_broadcasts_scalars_and_checks_shapes():
    words = tf.placeholder(tf.string, [None])
    got = _run(tf.strings.join([words, "!", words], separator="_"), {words: ["a", "bc"]})
    assert got.tolist() == [b"a_!_a", b"bc_!_bc"]
    with pytest.raises(ValueError, match="Inputs must be scalars or the same shape"):
        tf.strings.join([tf.constant(["a", "b"]), tf.constant(["a", "b", "c"])])
    with pytest.raises(TypeError, match="that does not match expected type of string"):
        tf.strings.join([tf.constant(["a"]), tf.constant([1])])


def test_length_in_bytes_and_utf8_characters():
    words = ["héllo", "", "日本"]
    s = tf.constant([w.encode() for w in words])
    assert _run(tf.strings.length(s)).tolist() == [len(w.encode()) for w in words]
    assert _run(tf.strings.length(s, unit="UTF8_CHAR")).tolist() == [len(w) for w in words]


def test_substr_with_scalar_and_tensor_positions_and_tfs_error():
    s = tf.constant([b"Hello", b"World"])
    assert _run(tf.strings.substr(s, 1, 3)).tolist() == [b"ell", b"orl"]
    assert _run(tf.strings.substr(s, tf.constant([0, -2]), tf.constant([2, 5]))).tolist() == [b"He", b"ld"]
    assert _run(tf.strings.substr(tf.constant("日本語"), 1, 1, unit="UTF8_CHAR")) == "本".encode()
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"pos 6 out of range for stringb'Hello' at index 0"):
        _run(tf.strings.substr(s, 6, 1))


@pytest.mark.parametrize("out_type, good, bad", [
    # TensorFlow's own cases (string_to_number_op_test.py): value pairs and the strings it refuses.
    (tf.float32, [("0", 0), ("3", 3), ("-1", -1), ("1.12", 1.12), ("0xF", 15), ("   -10.5", -10.5),
                  ("3.40283e+38", np.inf), ("INF", np.inf)], ["10foobar"]),
    (tf.float64, [("3.40283e+38", 3.40283e+38), ("1.12", 1.12)], ["10foobar"]),
    (tf.int32, [("    -10", -10), ("-2147483648", -2147483648), ("2147483647", 2147483647)],
     ["-2147483649", "2147483648", "2.9", "10foobar"]),
    (tf.int64, [("-2147483649", -2147483649), ("2147483648", 2147483648)], ["2.9", "10foobar"]),
])
def test_to_number_as_tensorflow_parses(out_type, good, bad):
    s = tf.placeholder(tf.string, [None])
    number = tf.strings.to_number(s, out_type)
    assert number.dtype == out_type
    got = _run(number, {s: [text for text, _ in good]})
    np.testing.assert_allclose(got, np.array([value for _, value in good], out_type.as_numpy_dtype), rtol=1e-6)
    for text in bad:
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match=f"^StringToNumberOp could not correctly convert string: {text}\n"):
            _run(number, {s: [text]})
    assert np.isnan(_run(tf.strings.to_number(tf.constant("NAN"), out_type))) if out_type.is_floating else True


def test_regex_replace_tfs_documented_example_and_groups():
    html = tf.constant("Text with tags.<br /><b>contains html</b>")
    assert _run(tf.strings.regex_replace(html, "<[^>]+>", " ")) == b"Text with tags.  contains html "
    s = tf.constant([b"aaa", b"abab"])
    assert _run(tf.strings.regex_replace(s, "a", "x", replace_global=False)).tolist() == [b"xaa", b"xbab"]
    assert _run(tf.strings.regex_replace(s, "(a)(b)", r"\2\1")).tolist() == [b"aaa", b"baba"]
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Invalid pattern: \(, error"):
        _run(tf.strings.regex_replace(s, "(", "x"))


def test_as_string_uses_printfs_formats():
    x = tf.constant([3.5, -1.25e-7])
    assert _run(tf.as_string(x)).tolist() == [b"%f" % 3.5, b"%f" % -1.25e-7]
    assert _run(tf.as_string(x, precision=2, scientific=True)).tolist() == [b"3.50e+00", b"-1.25e-07"]
    assert _run(tf.as_string(x, shortest=True)).tolist() == [b"3.5", b"-1.25e-07"]
    assert _run(tf.as_string(tf.constant([7, -42]), width=5, fill="0")).tolist() == [b"00007", b"-0042"]
    assert _run(tf.as_string(tf.constant([7]), width=3)).tolist() == [b"  7"]
    assert _run(tf.as_string(tf.constant([True, False]))).tolist() == [b"true", b"false"]
    with pytest.raises(ValueError, match="Cannot specify precision for non-float type"):
        tf.as_string(tf.constant([1]), precision=2)
    with pytest.raises(ValueError, match="Fill string must be one or fewer characters"):
        tf.as_string(x, fill="ab")


def test_string_split_tfs_documented_example():
    st = tf.string_split(["hello world", "a b c"])
    assert isinstance(st, tf.SparseTensor)
    got = _run(st)
    assert got.indices.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1], [1, 2]]
    assert got.values.tolist() == [b"hello", b"world", b"a", b"b", b"c"]
    assert got.dense_shape.tolist() == [2, 3]
    every_byte = _run(tf.string_split(["a,b;c"], delimiter=",;"))
    assert every_byte.values.tolist() == [b"a", b"b", b"c"]
    assert _run(tf.string_split(["a,,b"], delimiter=",", skip_empty=False)).values.tolist() == [b"a", b"", b"b"]
    assert _run(tf.string_split(["ab"], delimiter="")).values.tolist() == [b"a", b"b"]


def test_strings_split_splits_as_python_does():
    source = ["1<>2<>3", "<>x", "", "  a  b "]
    for sep, maxsplit in ((None, -1), ("<>", -1), ("<>", 1)):
        got = _run(tf.strings.split(tf.constant(source), sep=sep, maxsplit=maxsplit))
        want = [s.encode().split(sep.encode() if sep else None, maxsplit) for s in source]
        assert got.values.tolist() == [piece for parts in want for piece in parts]
        assert got.dense_shape.tolist() == [len(source), max(len(p) for p in want)]
    with pytest.raises(ValueError, match="Shape must be rank 1 but is rank 2"):
        tf.strings.split(tf.constant([["a"]]))


def test_strip_lower_upper_and_reduce_join():
    assert tf.string_strip is tf.strings.strip and tf.reduce_join is tf.strings.reduce_join
    s = tf.constant([[" Ab\t", "cD "], ["Éx", "\nf"]])
    assert _run(tf.strings.strip(s)).tolist() == [[b"Ab", b"cD"], ["Éx".encode(), b"f"]]
    assert _run(tf.strings.lower(s)).tolist() == [[b" ab\t", b"cd "], ["Éx".encode(), b"\nf"]]
    assert _run(tf.strings.lower(tf.constant("ÉX"), encoding="utf-8")) == "éx".encode()
    assert _run(tf.strings.upper(tf.constant("éx"))) == "éX".encode()  # ASCII letters only without an encoding
    # TensorFlow's documented example: [["a", "b"], ["c", "d"]].
    ab = tf.constant([["a", "b"], ["c", "d"]])
    assert _run(tf.reduce_join(ab, 0)).tolist() == [b"ac", b"bd"]
    assert _run(tf.reduce_join(ab, 1)).tolist() == [b"ab", b"cd"]
    assert _run(tf.reduce_join(ab, -2)).tolist() == [b"ac", b"bd"]
    assert _run(tf.reduce_join(ab, 0, keep_dims=True)).tolist() == [[b"ac", b"bd"]]
    assert _run(tf.reduce_join(ab, 1, keep_dims=True)).tolist() == [[b"ab"], [b"cd"]]
    assert _run(tf.reduce_join(ab, 0, separator=".")).tolist() == [b"a.c", b"b.d"]
    assert _run(tf.reduce_join(ab, [0, 1])) == b"acbd"
    assert _run(tf.reduce_join(ab, [1, 0])) == b"abcd"
    assert _run(tf.reduce_join(ab, [])).tolist() == [[b"a", b"b"], [b"c", b"d"]]
    assert _run(tf.reduce_join(ab)) == b"abcd"  # every axis, the last first: [1, 0]
    with pytest.raises(ValueError, match="Invalid reduction dimension 2 for input with 2 dimensions"):
        tf.reduce_join(ab, 2)
