"""tf.feature_column against TensorFlow 2.21 (tests/data/feature_column/, made by make_feature_column_reference.py):
hash buckets equal TensorFlow's (farmhash Fingerprint64), input_layer and linear_model build the same variables in
the same order and give the same values; and each column's values against NumPy references."""
import json
import os

import numpy as np
import pytest

import neuroflow as tf
from neuroflow import feature_column as fc
from neuroflow.ops.string_hash_ops import fingerprint64

REFERENCE = json.load(open(os.path.join(os.path.dirname(__file__), "data", "feature_column",
                                        "feature_column_reference.json")))


def _features():  # the generator's features()
    return {
        "price": np.array([[1.0], [5.0], [-2.0]], np.float32),
        "size2": np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], np.float32),
        "age": np.array([[10.0], [25.0], [60.0]], np.float32),
        "color": np.array([["red", "blue"], ["green", ""], ["purple", "red"]]),
        "shade": np.array([["red"], ["pink"], ["blue"]]),
        "id": np.array([[1, -1], [4, 2], [0, 0]], np.int64),
        "tags": np.array([["a", "b"], ["c", ""], ["zz", "x"]]),
        "word": np.array([["alpha", "beta"], ["", ""], ["gamma", ""]]),
    }


def _columns(embeddings):  # the generator's columns()
    age = fc.bucketized_column(fc.numeric_column("age"), boundaries=[18.0, 25.0, 40.0])
    color = fc.categorical_column_with_vocabulary_list("color", ["red", "green", "blue"])
    shade = fc.categorical_column_with_vocabulary_list("shade", ["red", "blue"], num_oov_buckets=3)
    ident = fc.categorical_column_with_identity("id", 5)
    tags = fc.categorical_column_with_hash_bucket("tags", 10)
    word = fc.categorical_column_with_hash_bucket("word", 7)
    dense = [fc.numeric_column("price", default_value=0.0),
             fc.numeric_column("size2", shape=(2,), normalizer_fn=lambda x: x * 2.0), age]
    if not embeddings:
        return dense + [color, shade, ident, tags, word]
    return dense + [fc.indicator_column(color), fc.indicator_column(shade), fc.indicator_column(tags),
                    fc.embedding_column(ident, 3, combiner="mean"), fc.embedding_column(word, 2, combiner="sqrtn"),
                    fc.embedding_column(tags, 2, combiner="sum")]


def _run_with_known_values(build):
    """Builds, sets every global variable k to arange * 0.1 - 0.3 k (as the generator did), runs."""
    with tf.Graph().as_default():
        out = build({k: tf.constant(v) for k, v in _features().items()})
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            variables = tf.global_variables()
            for k, v in enumerate(variables):
                shape = v.shape.as_list()
                sess.run(v.assign(np.arange(np.prod(shape), dtype=np.float32).reshape(shape) * 0.1 - 0.3 * k))
            return sess.run(out), [[v.op.name, v.shape.as_list()] for v in variables]


def test_hash_buckets_equal_tensorflows():
    strings = REFERENCE["hash_strings"]
    for buckets, expected in REFERENCE["hash_buckets"].items():
        assert [fingerprint64(s) % int(buckets) for s in strings] == expected
    with tf.Session() as sess:
        got = sess.run(tf.strings.to_hash_bucket_fast(strings, 1000))
    assert got.dtype == np.int64 and got.tolist() == REFERENCE["hash_buckets"]["1000"]


@pytest.mark.parametrize("kind", ["input_layer", "linear_model"])
def test_layers_match_tensorflow(kind):
    if kind == "input_layer":
        out, variables = _run_with_known_values(lambda f: fc.input_layer(f, _columns(True)))
    else:
        out, variables = _run_with_known_values(lambda f: fc.linear_model(f, _columns(False), units=2))
    assert variables == REFERENCE[kind]["variables"]
    np.testing.assert_allclose(out, REFERENCE[kind]["output"], rtol=1e-5, atol=1e-6)


def _run(build, features):
    with tf.Graph().as_default():
        out = build(features)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            return sess.run(out)


def test_columns_against_numpy():
    ids = np.array([[2, 2], [0, -1], [-1, -1]], np.int64)
    got = _run(lambda f: fc.input_layer(f, [fc.indicator_column(fc.categorical_column_with_identity("k", 3))]),
               {"k": ids})
    expected = np.zeros((3, 3), np.float32)
    for r, row in enumerate(ids):
        for i in row[row >= 0]:
            expected[r, i] += 1                               # repeated ids count, -1 is missing
    np.testing.assert_array_equal(got, expected)
    # Integer vocabulary with a default id for values outside it; rank-1 features become [batch, 1].
    col = fc.categorical_column_with_vocabulary_list("n", [10, 20, 30], default_value=1)
    got = _run(lambda f: fc.input_layer(f, [fc.indicator_column(col)]), {"n": np.array([30, 99, 10], np.int32)})
    np.testing.assert_array_equal(got, [[0, 0, 1], [0, 1, 0], [1, 0, 0]])
    # Bucketized over a 2-wide numeric column: one one-hot block per element.
    col = fc.bucketized_column(fc.numeric_column("x", shape=2), [0.0, 1.0])
    x = np.array([[-1.0, 0.0], [1.0, 5.0]], np.float32)
    got = _run(lambda f: fc.input_layer(f, [col]), {"x": x})
    np.testing.assert_array_equal(got, np.eye(3)[np.searchsorted([0.0, 1.0], x, side="right")].reshape(2, 6))


def test_embedding_combiners_and_sparse_input():
    table = np.arange(12, dtype=np.float32).reshape(6, 2) / 10
    def sparse():
        return {"w": tf.SparseTensor([[0, 0], [0, 1], [0, 2], [2, 0]], np.array([b"a", b"b", b"a", b"c"], object),
                                     [3, 3])}
    hashed = fc.categorical_column_with_hash_bucket("w", 6)
    ids = {s: fingerprint64(s) % 6 for s in (b"a", b"b", b"c")}
    rows = [[ids[b"a"], ids[b"b"], ids[b"a"]], [], [ids[b"c"]]]
    for combiner, scale in [("sum", lambda n: 1), ("mean", lambda n: n), ("sqrtn", np.sqrt)]:
        col = fc.embedding_column(hashed, 2, combiner=combiner, initializer=tf.constant_initializer(table))
        got = _run(lambda f, col=col: fc.input_layer(sparse(), [col]), {})
        expected = [table[r].sum(0) / scale(len(r)) if r else np.zeros(2) for r in rows]
        np.testing.assert_allclose(got, expected, rtol=1e-6)


def test_linear_model_learns_and_reaches_its_weights():
    rng = np.random.RandomState(0)
    x = rng.normal(size=(64, 1)).astype(np.float32)
    color = rng.randint(0, 3, size=(64, 1))
    y = 2.0 * x + np.array([[-1.0], [0.5], [3.0]])[color[:, 0]]
    with tf.Graph().as_default():
        cols = [fc.numeric_column("x"), fc.categorical_column_with_identity("color", 3)]
        pred = fc.linear_model({"x": x, "color": color}, cols)
        loss = tf.reduce_mean(tf.square(pred - y))
        train = tf.train.GradientDescentOptimizer(0.3).minimize(loss)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for _ in range(300):
                sess.run(train)
            assert sess.run(loss) < 1e-4
            weights = {v.op.name: sess.run(v) for v in tf.global_variables()}
    np.testing.assert_allclose(weights["linear_model/x/weights"], [[2.0]], atol=1e-2)
    np.testing.assert_allclose(weights["linear_model/color/weights"][:, 0] + weights["linear_model/bias_weights"],
                               [-1.0, 0.5, 3.0], atol=1e-2)


def test_parse_spec_and_errors():
    cols = [fc.numeric_column("a", shape=2, default_value=1.0),
            fc.embedding_column(fc.categorical_column_with_hash_bucket("b", 4), 2)]
    spec = fc.make_parse_example_spec(cols)
    assert spec == {"a": tf.FixedLenFeature((2,), tf.float32, (1.0, 1.0)), "b": tf.VarLenFeature(tf.string)}
    with pytest.raises(ValueError, match="must be a _DenseColumn"):
        fc.input_layer({"b": [["x"]]}, [fc.categorical_column_with_hash_bucket("b", 4)])
    with pytest.raises(ValueError, match="boundaries must be a sorted list"):
        fc.bucketized_column(fc.numeric_column("a"), [2.0, 1.0])
    with pytest.raises(ValueError, match="combiner must be one of"):
        fc.embedding_column(fc.categorical_column_with_identity("c", 2), 2, combiner="max")
    with pytest.raises(ValueError, match="Duplicate keys in vocabulary_list"):
        fc.categorical_column_with_vocabulary_list("v", ["a", "a"])
    with pytest.raises(ValueError, match="The feature 'zz' is not in the features dictionary"):
        fc.input_layer({"a": [[1.0, 2.0]]}, [fc.numeric_column("zz")])
    col = fc.indicator_column(fc.categorical_column_with_identity("c", 2))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Input id must be in \[0, 2\)"):
        _run(lambda f: fc.input_layer(f, [col]), {"c": np.array([[1], [5]])})
    assert tf.compat.v1.feature_column.input_layer is fc.input_layer


def test_numeric_normalizer_sees_the_feature_as_given():
    seen = []

    def normalizer(x):
        seen.append(x.dtype)
        return x // 2                                     # integer division on the int64 feature, then the cast
    got = _run(lambda f: fc.input_layer(f, [fc.numeric_column("n", dtype=tf.int64, normalizer_fn=normalizer)]),
               {"n": np.array([3, 8], np.int64)})
    assert seen == [tf.int64] and got.dtype == np.float32 and got.tolist() == [[1.0], [4.0]]
    with pytest.raises(ValueError, match="SparseTensor is not supported. key: n"):
        with tf.Graph().as_default():
            fc.input_layer({"n": tf.SparseTensor([[0, 0]], [1.0], [1, 1])}, [fc.numeric_column("n")])


def test_vocabulary_file_matches_tensorflow(tmp_path):
    path = tmp_path / "colors.txt"
    path.write_text("red\ngreen\nblue\nyellow\n")
    features = {"c": np.array([["red", "yellow"], ["blue", ""], ["pink", "green"]])}
    oov = fc.indicator_column(fc.categorical_column_with_vocabulary_file("c", str(path), vocabulary_size=3,
                                                                         num_oov_buckets=2))
    default = fc.indicator_column(fc.categorical_column_with_vocabulary_file("c", str(path), default_value=0))
    for column, expected in zip((oov, default), REFERENCE["vocabulary_file"]):
        np.testing.assert_array_equal(_run(lambda f, c=column: fc.input_layer(f, [c]), features), expected)
    with pytest.raises(ValueError, match="Missing vocabulary_file in c."):
        fc.categorical_column_with_vocabulary_file("c", "")
    with pytest.raises(ValueError, match="Can't specify both num_oov_buckets and default_value in c."):
        fc.categorical_column_with_vocabulary_file("c", str(path), num_oov_buckets=1, default_value=0)


@pytest.mark.parametrize("kind", ["indicator", "mean", "sqrtn", "linear"])
def test_weighted_categorical_column_matches_tensorflow(kind):
    features = {"id": np.array([[1, 3], [4, -1], [0, 2]], np.int64),
                "w": np.array([[0.5, 2.0], [1.5, 0.0], [-1.0, 3.0]], np.float32),
                "tag": np.array([["a", "b"], ["c", ""], ["a", "c"]]),
                "tw": np.array([[1.0, 4.0], [2.0, 0.0], [0.25, 1.0]], np.float32)}

    def ident():
        return fc.weighted_categorical_column(fc.categorical_column_with_identity("id", 5), "w")

    def tag():
        return fc.weighted_categorical_column(fc.categorical_column_with_vocabulary_list("tag", ["a", "b", "c"]),
                                              "tw")
    build = {"indicator": lambda f: fc.input_layer(f, [fc.indicator_column(ident()), fc.indicator_column(tag())]),
             "mean": lambda f: fc.input_layer(f, [fc.embedding_column(ident(), 2), fc.embedding_column(tag(), 3)]),
             "sqrtn": lambda f: fc.input_layer(f, [fc.embedding_column(ident(), 2, combiner="sqrtn"),
                                                   fc.embedding_column(tag(), 3, combiner="sqrtn")]),
             "linear": lambda f: fc.linear_model(f, [ident(), tag()], units=2)}[kind]
    with tf.Graph().as_default():
        out = build({k: tf.constant(v) for k, v in features.items()})
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            variables = tf.global_variables()
            for k, v in enumerate(variables):
                shape = v.shape.as_list()
                sess.run(v.assign(np.arange(np.prod(shape), dtype=np.float32).reshape(shape) * 0.1 - 0.3 * k))
            got = sess.run(out)
    expected = REFERENCE["weighted"][kind]
    assert [[v.op.name, v.shape.as_list()] for v in variables] == expected["variables"]
    np.testing.assert_allclose(got, expected["output"], rtol=1e-5, atol=1e-6)


def test_shared_embedding_columns_match_tensorflow():
    features = {"q": np.array([[1, 3], [4, -1], [0, 2]], np.int64), "d": np.array([[2], [2], [-1]], np.int64),
                "t": np.array([["x"], ["y"], ["x"]]), "u": np.array([["y", "x"], ["", ""], ["x", "z"]])}
    with tf.Graph().as_default():
        q, d = fc.categorical_column_with_identity("q", 5), fc.categorical_column_with_identity("d", 5)
        t = fc.categorical_column_with_vocabulary_list("t", ["x", "y"])
        u = fc.categorical_column_with_vocabulary_list("u", ["x", "y"])
        shared = fc.shared_embedding_columns([q, d], 3, combiner="sum")
        named = fc.shared_embedding_columns([t, u], 2, shared_embedding_collection_name="tu")
        out = fc.input_layer({k: tf.constant(v) for k, v in features.items()}, shared + named)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            variables = tf.global_variables()
            for k, v in enumerate(variables):
                shape = v.shape.as_list()
                sess.run(v.assign(np.arange(np.prod(shape), dtype=np.float32).reshape(shape) * 0.1 - 0.3 * k))
            got = sess.run(out)
    expected = REFERENCE["shared"]
    assert [c.name for c in shared + named] == expected["names"]
    assert [[v.op.name, v.shape.as_list()] for v in variables] == expected["variables"]
    np.testing.assert_allclose(got, expected["output"], rtol=1e-6, atol=1e-7)
    with pytest.raises(ValueError, match="must have the same number of buckets"):
        fc.shared_embedding_columns([q, fc.categorical_column_with_identity("z", 4)], 2)
