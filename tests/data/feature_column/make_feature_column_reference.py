"""Writes feature_column_reference.json with TensorFlow 2.21's tf.compat.v1 answers for tests/test_feature_column.py:
string hash buckets (tf.strings.to_hash_bucket_fast, farmhash Fingerprint64), and input_layer / linear_model outputs,
variable names and shapes over a fixed feature dict with every variable set to a known value, vocabulary-file
columns' indicator outputs, weighted categorical columns' indicator, embedding and linear outputs, and shared
embedding columns.
Run with the anchors' python: ~/.cache/neuroflow-anchors/bin/python make_feature_column_reference.py"""
import json
import os

import numpy as np
import tensorflow.compat.v1 as tf

tf.disable_v2_behavior()
HERE = os.path.dirname(os.path.abspath(__file__))


def hash_strings():
    strings = ["".join(chr(97 + (i * 7 + n) % 26) for i in range(n)) for n in range(0, 150)]
    strings += ["héllo wörld", "omar", "stringer", "marlo", "\x00\xff"]
    return strings


def features():
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


def columns(fc, embeddings):
    age = fc.bucketized_column(fc.numeric_column("age"), boundaries=[18.0, 25.0, 40.0])
    color = fc.categorical_column_with_vocabulary_list("color", ["red", "green", "blue"])
    shade = fc.categorical_column_with_vocabulary_list("shade", ["red", "blue"], num_oov_buckets=3)
    ident = fc.categorical_column_with_identity("id", 5)
    tags = fc.categorical_column_with_hash_bucket("tags", 10)
    word = fc.categorical_column_with_hash_bucket("word", 7)
    dense = [fc.numeric_column("price", default_value=0.0), fc.numeric_column("size2", shape=(2,),
                                                                             normalizer_fn=lambda x: x * 2.0), age]
    if not embeddings:
        return dense + [color, shade, ident, tags, word]
    return dense + [fc.indicator_column(color), fc.indicator_column(shade), fc.indicator_column(tags),
                    fc.embedding_column(ident, 3, combiner="mean"), fc.embedding_column(word, 2, combiner="sqrtn"),
                    fc.embedding_column(tags, 2, combiner="sum")]


def known_values(variables, session):
    for k, v in enumerate(variables):
        shape = v.shape.as_list()
        value = (np.arange(np.prod(shape), dtype=np.float32).reshape(shape) * 0.1 - 0.3 * k)
        session.run(v.assign(value))


def run(builder, embeddings):
    with tf.Graph().as_default():
        feats = {k: tf.constant(v) for k, v in features().items()}
        out = builder(feats, columns(tf.feature_column, embeddings))
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(tf.tables_initializer())
            variables = tf.global_variables()
            known_values(variables, sess)
            return {"output": sess.run(out).tolist(),
                    "variables": [[v.op.name, v.shape.as_list()] for v in variables]}


def vocabulary_file_outputs():
    """indicator_column over categorical_column_with_vocabulary_file: the first vocabulary_size lines, then
    num_oov_buckets hash buckets; and with a default_value instead."""
    import tempfile
    path = os.path.join(tempfile.mkdtemp(), "colors.txt")
    with open(path, "w") as f:
        f.write("red\ngreen\nblue\nyellow\n")
    fc = tf.feature_column
    with tf.Graph().as_default():
        feats = {"c": tf.constant([["red", "yellow"], ["blue", ""], ["pink", "green"]])}
        oov = fc.indicator_column(fc.categorical_column_with_vocabulary_file("c", path, vocabulary_size=3,
                                                                             num_oov_buckets=2))
        default = fc.indicator_column(fc.categorical_column_with_vocabulary_file("c", path, default_value=0))
        out = [tf.feature_column.input_layer(feats, [c]) for c in (oov, default)]
        with tf.Session() as sess:
            sess.run(tf.tables_initializer())
            return [x.tolist() for x in sess.run(out)]


def weighted_outputs():
    """weighted_categorical_column through indicator_column (weights summed, not pruned), embedding_column (mean and
    sqrtn over positive weights) and linear_model, every variable set to a known value."""
    fc = tf.feature_column
    feats = {"id": np.array([[1, 3], [4, -1], [0, 2]], np.int64),
             "w": np.array([[0.5, 2.0], [1.5, 0.0], [-1.0, 3.0]], np.float32),
             "tag": np.array([["a", "b"], ["c", ""], ["a", "c"]]), "tw": np.array([[1.0, 4.0], [2.0, 0.0],
                                                                                  [0.25, 1.0]], np.float32)}
    ident = lambda: fc.weighted_categorical_column(fc.categorical_column_with_identity("id", 5), "w")  # noqa
    tag = lambda: fc.weighted_categorical_column(  # noqa
        fc.categorical_column_with_vocabulary_list("tag", ["a", "b", "c"]), "tw")
    builders = {"indicator": lambda f: fc.input_layer(f, [fc.indicator_column(ident()), fc.indicator_column(tag())]),
                "mean": lambda f: fc.input_layer(f, [fc.embedding_column(ident(), 2), fc.embedding_column(tag(), 3)]),
                "sqrtn": lambda f: fc.input_layer(f, [fc.embedding_column(ident(), 2, combiner="sqrtn"),
                                                      fc.embedding_column(tag(), 3, combiner="sqrtn")]),
                "linear": lambda f: fc.linear_model(f, [ident(), tag()], units=2)}
    out = {}
    for name, build in builders.items():
        with tf.Graph().as_default():
            result = build({k: tf.constant(v) for k, v in feats.items()})
            with tf.Session() as sess:
                sess.run([tf.global_variables_initializer(), tf.tables_initializer()])
                variables = tf.global_variables()
                known_values(variables, sess)
                out[name] = {"output": sess.run(result).tolist(),
                             "variables": [[v.op.name, v.shape.as_list()] for v in variables]}
    return out


def shared_outputs():
    """shared_embedding_columns: one table for two categorical columns (and a second, named group), in input_layer."""
    fc = tf.feature_column
    feats = {"q": np.array([[1, 3], [4, -1], [0, 2]], np.int64), "d": np.array([[2], [2], [-1]], np.int64),
             "t": np.array([["x"], ["y"], ["x"]]), "u": np.array([["y", "x"], ["", ""], ["x", "z"]])}
    with tf.Graph().as_default():
        q, d = fc.categorical_column_with_identity("q", 5), fc.categorical_column_with_identity("d", 5)
        t = fc.categorical_column_with_vocabulary_list("t", ["x", "y"])
        u = fc.categorical_column_with_vocabulary_list("u", ["x", "y"])
        shared = fc.shared_embedding_columns([q, d], 3, combiner="sum")
        named = fc.shared_embedding_columns([t, u], 2, shared_embedding_collection_name="tu")
        out = tf.feature_column.input_layer({k: tf.constant(v) for k, v in feats.items()}, shared + named)
        with tf.Session() as sess:
            sess.run([tf.global_variables_initializer(), tf.tables_initializer()])
            variables = tf.global_variables()
            known_values(variables, sess)
            return {"output": sess.run(out).tolist(), "names": [c.name for c in shared + named],
                    "variables": [[v.op.name, v.shape.as_list()] for v in variables]}


def main():
    strings = hash_strings()
    with tf.Graph().as_default(), tf.Session() as sess:
        buckets = {str(n): sess.run(tf.strings.to_hash_bucket_fast(strings, n)).tolist()
                   for n in (7, 1000, 2 ** 63 - 1)}
    result = {
        "hash_strings": strings,
        "hash_buckets": buckets,
        "input_layer": run(lambda f, c: tf.feature_column.input_layer(f, c), True),
        "linear_model": run(lambda f, c: tf.feature_column.linear_model(f, c, units=2), False),
        "vocabulary_file": vocabulary_file_outputs(),
        "weighted": weighted_outputs(),
        "shared": shared_outputs(),
    }
    with open(os.path.join(HERE, "feature_column_reference.json"), "w") as f:
        json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
