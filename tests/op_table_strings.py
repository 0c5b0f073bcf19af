"""Op-table rows for the string ops (StringJoin, StringLength, Substr, StringToNumber, RegexReplace, AsString,
StringSplit, StringSplitV2), checked as numbers against Python's own string methods: a string result is prefixed
with "1" and parsed, so its every digit is compared. Exact strings and errors: test_strings.py. The split rows'
indices and values have run-time shapes, so build-time folding leaves them to the session."""
import re

import numpy as np

import neuroflow as tf
from neuroflow.ops.string_split_join_ops import string_split
from op_table_base import Row, _rng, _values

_I64 = np.int64


def _digits(shape, low=0, high=6):
    """An object array of bytes, each 0..6 random digits (some with a comma or space inside)."""
    out = np.empty(shape, dtype=object)
    flat = out.reshape(-1)
    for i in range(flat.size):
        n = int(_rng.integers(low, high + 1))
        chars = _rng.choice(list("0123456789,, "), size=n) if n else []
        flat[i] = "".join(chars).encode()
    return out


def _numeric(shape, most_digits=6):
    out = np.empty(shape, dtype=object)
    flat = out.reshape(-1)
    for i in range(flat.size):
        digits = int(_rng.integers(1, most_digits + 1))
        flat[i] = ("".join(_rng.choice(list("0123456789"), size=digits))).encode()
    return out


def _as_number(pieces):
    """What to_number(join(["1", pieces])) gives: the digits of each piece, prefixed by 1 (spaces/commas out)."""
    f = np.vectorize(lambda s: int(b"1" + s), otypes=[_I64])
    return f(pieces)


def _parsed(t):
    return tf.strings.to_number(tf.strings.join(["1", t]), tf.int64)


def _string_samples():
    return [(_numeric(s),) for s in [(), (5,), (3, 4), (2, 1, 3, 2), (0, 3)]]


def _split_samples():
    return [(_digits((n,), 0, 9),) for n in (0, 1, 4, 7)]


def _split_ref(sep_fn, which):
    def ref(source):
        rows = [sep_fn(s) for s in source.tolist()]
        if which == "indices":
            return np.array([(r, c) for r, p in enumerate(rows) for c in range(len(p))], _I64).reshape(-1, 2)
        if which == "shape":
            return np.array([len(rows), max((len(p) for p in rows), default=0)], _I64)
        return np.array([len(piece) for p in rows for piece in p], np.int32)
    return ref


def _bytes_split(s):
    import re
    return [p for p in re.split(b"[, ]", s) if p]


def _rows():
    rows = [
        Row("string_join", lambda a, b: _parsed(tf.strings.join([a, b], separator="")),
            lambda a, b: _as_number(np.vectorize(lambda x, y: x + y, otypes=[object])(a, b)),
            [(_numeric((4,)), _numeric((4,))), (_numeric(()), _numeric((2, 3))), (_numeric(()), _numeric(()))],
            grad=False),
        Row("string_length", tf.strings.length, np.vectorize(len, otypes=[np.int32]),
            [(_digits(s),) for s in [(), (5,), (3, 4), (0, 2)]], grad=False),
        Row("string_length_utf8", lambda s: tf.strings.length(s, unit="UTF8_CHAR"),
            np.vectorize(lambda b: len(b.decode()), otypes=[np.int32]),
            [(np.array([w.encode() for w in ("héllo", "", "日本語", "a")], dtype=object),)], grad=False),
        Row("substr", lambda s: _parsed(tf.strings.substr(s, 1, 3)),
            lambda s: _as_number(np.vectorize(lambda b: b[1:4], otypes=[object])(s)), _string_samples(), grad=False),
        Row("substr_tensors", lambda s, p, n: _parsed(tf.strings.substr(s, p, n)),
            lambda s, p, n: _as_number(np.vectorize(lambda b, i, k: b[i:][:k], otypes=[object])(s, p, n)),
            [(_numeric((4,)), np.array([0, 1, -1, 0], np.int32), np.array([2, 9, 1, 0], np.int32)),
             (_numeric((2, 3)), np.array([0, -1, 1], np.int64), np.array([1, 1, 0], np.int64))], grad=False),
        Row("string_to_number_int64", lambda s: tf.strings.to_number(s, tf.int64),
            np.vectorize(int, otypes=[_I64]), _string_samples(), grad=False),
        Row("string_to_number_int32", lambda s: tf.strings.to_number(s, tf.int32),
            np.vectorize(int, otypes=[np.int32]), _string_samples(), grad=False),
        Row("string_to_number_float64", lambda s: tf.strings.to_number(s, tf.float64),
            np.vectorize(float, otypes=[np.float64]),
            [(np.array([b"1.5", b"-2e3", b" 7 ", b"inf", b"0.1"], dtype=object),)] + _string_samples(), grad=False),
        Row("string_to_number_float32", tf.strings.to_number,
            np.vectorize(lambda b: np.float32(float(b)), otypes=[np.float32]), _string_samples(), grad=False),
        Row("regex_replace", lambda s: _parsed(tf.strings.regex_replace(s, "[05]", "7")),
            lambda s: _as_number(np.vectorize(lambda b: b.replace(b"0", b"7").replace(b"5", b"7"),
                                              otypes=[object])(s)), _string_samples(), grad=False),
        Row("regex_replace_first", lambda s: _parsed(tf.strings.regex_replace(s, "([0-9])", r"\1\1", False)),
            lambda s: _as_number(np.vectorize(lambda b: b[:1] * 2 + b[1:], otypes=[object])(s)),
            _string_samples(), grad=False),
        Row("as_string_int", lambda x: tf.strings.to_number(tf.strings.as_string(x), tf.int64),
            lambda x: x.astype(_I64), [(_values(s, (-999, 999), np.int32),) for s in [(), (5,), (2, 3)]],
            grad=False),
        Row("as_string_float", lambda x: tf.strings.to_number(tf.strings.as_string(x), tf.float64),
            lambda x: np.round(x, 6), [(_values(s, (-50, 50), np.float64),) for s in [(), (5,), (2, 3)]],
            grad=False),
        Row("string_split_indices", lambda s: string_split(s, delimiter=", ").indices,
            _split_ref(_bytes_split, "indices"), _split_samples(), grad=False, data_dependent_shape=True,
            foldable=False),
        Row("string_split_shape", lambda s: string_split(s, delimiter=", ").dense_shape,
            _split_ref(_bytes_split, "shape"), _split_samples(), grad=False, data_dependent_shape=True),
        Row("strings_split_values", lambda s: tf.strings.length(tf.strings.split(s, sep=",").values),
            _split_ref(lambda b: b.split(b","), "values"), _split_samples(), grad=False,
            data_dependent_shape=True, foldable=False),
        Row("strings_split_indices", lambda s: tf.strings.split(s).indices, _split_ref(bytes.split, "indices"),
            _split_samples(), grad=False, data_dependent_shape=True, foldable=False),
        Row("string_strip", lambda s: _parsed(tf.strings.strip(s)),
            lambda s: _as_number(np.vectorize(bytes.strip, otypes=[object])(s)), _padded_samples(), grad=False),
        Row("string_lower", lambda s: tf.strings.length(tf.strings.regex_replace(tf.strings.lower(s), "[a-z]", "")),
            np.vectorize(lambda b: len(re.sub(b"[a-z]", b"", b.lower())), otypes=[np.int32]), _mixed_case(),
            grad=False),
        Row("string_upper", lambda s: tf.strings.length(tf.strings.regex_replace(tf.strings.upper(s), "[A-Z]", "")),
            np.vectorize(lambda b: len(re.sub(b"[A-Z]", b"", b.upper())), otypes=[np.int32]), _mixed_case(),
            grad=False),
        Row("reduce_join_axis1", lambda s: _parsed(tf.reduce_join(s, axis=1)),
            lambda s: _as_number(np.array([b"".join(r) for r in s.tolist()], dtype=object).reshape(s.shape[0])),
            [(_numeric((3, 4), 2),), (_numeric((2, 1), 2),), (_numeric((0, 3), 2),)], grad=False),
        Row("reduce_join_all_keepdims", lambda s: _parsed(tf.reduce_join(s, keep_dims=True)),
            lambda s: _as_number(np.array(b"".join(s.reshape(-1).tolist()), dtype=object).reshape((1,) * s.ndim)),
            [(_numeric((2, 3), 2),), (_numeric((3,), 2),)], grad=False),
    ]
    return rows


def _padded_samples():
    return [(np.vectorize(lambda b: b" " * (len(b) % 3) + b + b"\t" * (len(b) % 2), otypes=[object])(_numeric(s)),)
            for s in [(), (5,), (2, 3)]]


def _mixed_case():
    words = [b"AbC", b"xyz", b"Q1-w", b"", b"MiXeD cAsE"]
    return [(np.array(words, dtype=object),), (np.array(words[:4], dtype=object).reshape(2, 2),)]


ROWS = _rows()

COVERED_ELSEWHERE = set()
