"""Writes sparse_batches.json: what TensorFlow's tf.data yields for SparseTensor elements (made by map or
from_tensor_slices, batched, unbatched, and parsed from tf.Examples with VarLenFeature). Run with the anchors' python:
    ~/.cache/neuroflow-anchors/bin/python tests/data/data_sparse/make_sparse_batches.py"""
import json
import os

import tensorflow as tf

v1 = tf.compat.v1
v1.disable_v2_behavior()


def run_all(dataset):
    element = v1.data.make_one_shot_iterator(dataset).get_next()
    out = []
    with v1.Session() as sess:
        while True:
            try:
                value = sess.run(element)
            except tf.errors.OutOfRangeError:
                return out
            out.append({k: {"indices": v.indices.tolist(), "values": [x.decode() if isinstance(x, bytes) else x
                                                                      for x in v.values.tolist()],
                            "dense_shape": v.dense_shape.tolist()} for k, v in value.items()})


def ragged(i):
    """Element i: a [2, i] sparse matrix holding i + 1 values on a diagonal-ish pattern."""
    n = tf.cast(i, tf.int64)
    cols = tf.range(n)
    return {"s": tf.SparseTensor(tf.stack([cols % 2, cols], 1), cols * 10 + 1, tf.stack([tf.constant(2, tf.int64), n]))}


def examples():
    records = []
    for k in range(5):
        feature = {"tags": tf.train.Feature(bytes_list=tf.train.BytesList(value=[f"t{j}".encode() for j in range(k)])),
                   "ids": tf.train.Feature(int64_list=tf.train.Int64List(value=list(range(k, 0, -1))))}
        records.append(tf.train.Example(features=tf.train.Features(feature=feature)).SerializeToString())
    return records


with v1.Graph().as_default():
    batched = run_all(tf.data.Dataset.range(1, 6).map(ragged).batch(2))
with v1.Graph().as_default():
    # TensorFlow's unbatch of a sparse component needs its indices in order
    unbatched = run_all(tf.data.Dataset.range(1, 6).map(ragged).map(lambda e: {"s": tf.sparse.reorder(e["s"])})
                        .batch(2).unbatch())
SLICED = {"indices": [[0, 1], [2, 0], [2, 3], [3, 2]], "values": [1.5, 2.5, 3.5, 4.5], "dense_shape": [4, 5]}
with v1.Graph().as_default():
    sliced = run_all(tf.data.Dataset.from_tensor_slices({"s": tf.SparseTensor(**SLICED)}))
with v1.Graph().as_default():
    sliced_batches = run_all(tf.data.Dataset.from_tensor_slices({"s": tf.SparseTensor(**SLICED)}).batch(3))
with v1.Graph().as_default():
    spec = {"tags": tf.io.VarLenFeature(tf.string), "ids": tf.io.VarLenFeature(tf.int64)}
    parsed = run_all(tf.data.Dataset.from_tensor_slices(examples()).batch(3)
                     .apply(tf.data.experimental.parse_example_dataset(spec)))

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "sparse_batches.json"), "w") as f:
    json.dump({"tensorflow": tf.__version__, "map_then_batch": batched, "unbatch": unbatched,
               "from_tensor_slices": sliced, "from_tensor_slices_batch": sliced_batches, "parse_example_dataset": parsed}, f, indent=1)
