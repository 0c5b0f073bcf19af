"""tf.data elements that are SparseTensors: made by `map`, batched along a new first dimension (the dense shape the
largest of each dimension, values in element order), parsed by `parse_example_dataset` from VarLenFeatures, fed to
map/filter functions and iterators. Checked against NumPy references and against what TensorFlow 2.21 yielded for
the same pipelines (tests/data/data_sparse/sparse_batches.json, written by make_sparse_batches.py beside it)."""
import json
import os

import numpy as np
import pytest

import neuroflow as tf

DATA = os.path.join(os.path.dirname(__file__), "data", "data_sparse", "sparse_batches.json")


def _all(dataset):
    element = tf.data.make_one_shot_iterator(dataset).get_next()
    out = []
    with tf.Session() as sess:
        while True:
            try:
                out.append(sess.run(element))
            except tf.errors.OutOfRangeError:
                return out


def _ragged(i):
    """Element i (as TensorFlow's fixture builds it): a [2, i] sparse matrix, value 10 j + 1 at (j % 2, j)."""
    n = tf.cast(i, tf.int64)
    cols = tf.range(n)
    return {"s": tf.SparseTensor(tf.stack([cols % 2, cols], 1), cols * 10 + 1, tf.stack([tf.constant(2, tf.int64), n]))}


def _dense(value):
    out = np.zeros(value.dense_shape, dtype=np.asarray(value.values).dtype)
    for index, v in zip(np.asarray(value.indices).tolist(), np.asarray(value.values).tolist()):
        out[tuple(index)] = v
    return out


def _reference_element(i):
    dense = np.zeros([2, i], np.int64)
    for j in range(i):
        dense[j % 2, j] = 10 * j + 1
    return dense


def _as_plain(value):
    return {"indices": np.asarray(value.indices).tolist(), "dense_shape": np.asarray(value.dense_shape).tolist(),
            "values": [x.decode() if isinstance(x, bytes) else x for x in np.asarray(value.values).tolist()]}


def _examples():
    records = []
    for k in range(5):
        feature = {"tags": tf.train.Feature(bytes_list=tf.train.BytesList(value=[f"t{j}".encode() for j in range(k)])),
                   "ids": tf.train.Feature(int64_list=tf.train.Int64List(value=list(range(k, 0, -1))))}
        records.append(tf.train.Example(features=tf.train.Features(feature=feature)).SerializeToString())
    return np.array(records, dtype=object)


def test_map_makes_sparse_elements():
    dataset = tf.data.Dataset.range(1, 4).map(_ragged)
    assert dataset.output_classes == {"s": tf.SparseTensor}
    assert dataset.output_types == {"s": tf.int64}
    got = _all(dataset)
    assert len(got) == 3
    for i, element in enumerate(got, start=1):
        assert isinstance(element["s"], tf.SparseTensorValue)
        np.testing.assert_array_equal(_dense(element["s"]), _reference_element(i))


def test_batching_sparse_elements_as_numpy_and_tensorflow():
    dataset = tf.data.Dataset.range(1, 6).map(_ragged).batch(2)
    assert dataset.output_classes == {"s": tf.SparseTensor}
    assert dataset.output_shapes["s"].as_list() == [None, 2, None]
    got = _all(dataset)
    for start, batch in zip((1, 3, 5), got):
        sizes = [i for i in range(start, min(start + 2, 6))]
        reference = np.zeros([len(sizes), 2, max(sizes)], np.int64)   # each element padded to the batch's largest
        for b, i in enumerate(sizes):
            reference[b, :, :i] = _reference_element(i)
        np.testing.assert_array_equal(_dense(batch["s"]), reference)
    with open(DATA) as f:
        tensorflow = json.load(f)["map_then_batch"]
    assert [_as_plain(b["s"]) for b in got] == [t["s"] for t in tensorflow]


def test_parse_example_dataset_with_var_len_features():
    spec = {"tags": tf.VarLenFeature(tf.string), "ids": tf.VarLenFeature(tf.int64),
            "missing": tf.FixedLenFeature([], tf.float32, default_value=-1.0)}
    dataset = tf.data.Dataset.from_tensor_slices(_examples()).batch(3).apply(
        tf.data.experimental.parse_example_dataset(spec))
    assert dataset.output_classes == {"tags": tf.SparseTensor, "ids": tf.SparseTensor, "missing": tf.Tensor}
    got = _all(dataset)
    with open(DATA) as f:
        tensorflow = json.load(f)["parse_example_dataset"]
    assert [{k: _as_plain(b[k]) for k in ("ids", "tags")} for b in got] == tensorflow
    for start, batch in zip((0, 3), got):   # NumPy reference: row b holds example (start + b)'s values
        ks = list(range(start, min(start + 3, 5)))
        reference = np.zeros([len(ks), max(ks)], np.int64)
        for b, k in enumerate(ks):
            reference[b, :k] = range(k, 0, -1)
        np.testing.assert_array_equal(_dense(batch["ids"]), reference)
        np.testing.assert_array_equal(batch["missing"], [-1.0] * len(ks))


def test_map_and_filter_take_sparse_elements():
    dataset = tf.data.Dataset.range(1, 6).map(_ragged)
    totals = _all(dataset.filter(lambda e: tf.greater(tf.size(e["s"].values), 2))
                  .map(lambda e: (tf.sparse_reduce_sum(e["s"]), tf.sparse_tensor_to_dense(tf.sparse_reorder(e["s"])))))
    assert [int(t) for t, _ in totals] == [int(_reference_element(i).sum()) for i in (3, 4, 5)]
    for (_, dense), i in zip(totals, (3, 4, 5)):
        np.testing.assert_array_equal(dense, _reference_element(i))
    # a sparse element passed on unchanged, next to a dense one
    pairs = _all(dataset.map(lambda e: (e["s"], tf.size(e["s"].values))).batch(5))
    (sparse, sizes), = pairs
    np.testing.assert_array_equal(sizes, [1, 2, 3, 4, 5])
    assert np.asarray(sparse.dense_shape).tolist() == [5, 2, 5]


def test_reinitializable_iterator_of_sparse_elements():
    first = tf.data.Dataset.range(1, 3).map(_ragged)
    second = tf.data.Dataset.range(3, 5).map(_ragged)
    iterator = tf.data.Iterator.from_structure(first.output_types, first.output_shapes, output_classes=first.output_classes)
    element = iterator.get_next()
    assert isinstance(element["s"], tf.SparseTensor)
    with tf.Session() as sess:
        sess.run(iterator.make_initializer(second))
        np.testing.assert_array_equal(_dense(sess.run(element)["s"]), _reference_element(3))
    dense = tf.data.Dataset.range(1, 3).map(lambda i: {"s": tf.fill([2, 2], i)})
    with pytest.raises(TypeError, match="Expected output types"):
        iterator.make_initializer(dense)


def test_what_sparse_elements_cannot_do():
    dataset = tf.data.Dataset.range(1, 3).map(_ragged)
    with pytest.raises(TypeError, match="Batching of padded sparse tensors is not currently supported"):
        dataset.padded_batch(2, {"s": [2, None]})
    # element i: one value in a tensor of rank i (the rank is unknown until run)
    mixed = tf.data.Dataset.range(1, 3).map(
        lambda i: tf.SparseTensor(tf.reshape(tf.zeros([i], tf.int64), [1, -1]), [7], tf.ones([i], tf.int64)))
    with pytest.raises(tf.errors.InvalidArgumentError, match="different ranks"):
        _all(mixed.batch(2))


def test_eager_iteration_yields_sparse_tensors():
    with tf.eager_mode():
        batches = list(tf.data.Dataset.range(1, 4).map(_ragged).batch(2))
    assert [type(b["s"]) for b in batches] == [tf.SparseTensor, tf.SparseTensor]
    second = tf.SparseTensorValue(batches[1]["s"].indices.numpy(), batches[1]["s"].values.numpy(),
                                  batches[1]["s"].dense_shape.numpy())
    np.testing.assert_array_equal(_dense(second), _reference_element(3)[None])


def test_unbatch_splits_sparse_batches_back_into_the_elements():
    ordered = tf.data.Dataset.range(1, 6).map(_ragged).map(lambda e: {"s": tf.sparse_reorder(e["s"])})
    rows = _all(ordered.batch(2).apply(tf.data.experimental.unbatch()))
    assert len(rows) == 5
    for i, row in enumerate(rows, start=1):   # each row keeps the batch's dense shape (the largest in its batch)
        width = {1: 2, 2: 2, 3: 4, 4: 4, 5: 5}[i]
        reference = np.zeros([2, width], np.int64)
        reference[:, :i] = _reference_element(i)
        np.testing.assert_array_equal(_dense(row["s"]), reference)
    with open(DATA) as f:
        tensorflow = json.load(f)["unbatch"]
    assert [_as_plain(r["s"]) for r in rows] == [t["s"] for t in tensorflow]


def test_an_estimator_trains_on_var_len_features_from_a_dataset(tmp_path):
    """A canned LinearClassifier fed VarLenFeature tags as SparseTensors by parse_example_dataset learns exactly what
    it learns from the same tags padded dense with b'' (which feature columns count as missing, as TensorFlow)."""
    rng = np.random.RandomState(3)
    words = ["a", "b", "c", "d"]
    records, padded, labels = [], [], []
    for _ in range(24):
        tags = [words[j] for j in rng.choice(4, rng.randint(0, 4), replace=False)]
        label = int("a" in tags or "c" in tags)
        feature = {"tags": tf.train.Feature(bytes_list=tf.train.BytesList(value=[t.encode() for t in tags])),
                   "label": tf.train.Feature(int64_list=tf.train.Int64List(value=[label]))}
        records.append(tf.train.Example(features=tf.train.Features(feature=feature)).SerializeToString())
        padded.append([t.encode() for t in tags] + [b""] * (3 - len(tags)))
        labels.append(label)
    column = tf.feature_column.categorical_column_with_vocabulary_list("tags", words)

    def sparse_input():
        spec = {"tags": tf.VarLenFeature(tf.string), "label": tf.FixedLenFeature([], tf.int64)}
        dataset = tf.data.Dataset.from_tensor_slices(np.array(records, dtype=object)).batch(8).apply(
            tf.data.experimental.parse_example_dataset(spec))
        return dataset.map(lambda f: ({"tags": f["tags"]}, f["label"]))

    def dense_input():
        return tf.data.Dataset.from_tensor_slices(({"tags": np.array(padded, dtype=object)},
                                                   np.array(labels, np.int64))).batch(8)

    trained = []
    for name, input_fn in (("sparse", sparse_input), ("dense", dense_input)):
        estimator = tf.estimator.LinearClassifier([column], model_dir=str(tmp_path / name))
        estimator.train(input_fn)
        trained.append(estimator.get_variable_value("linear/linear_model/tags/weights"))
    assert np.abs(trained[0]).sum() > 0   # it learned something
    np.testing.assert_allclose(trained[0], trained[1], rtol=1e-6)


def test_from_tensor_slices_and_from_tensors_of_sparse_tensors():
    """Slices of a SparseTensor are its rows (the first coordinate dropped), also through shuffle/batch's
    index-based path; from_tensors keeps it whole; a SparseTensorValue is one sparse component, not a tuple."""
    with open(DATA) as f:
        stored = json.load(f)
    given = {"indices": [[0, 1], [2, 0], [2, 3], [3, 2]], "values": [1.5, 2.5, 3.5, 4.5], "dense_shape": [4, 5]}
    sparse = tf.SparseTensor(given["indices"], np.float32(given["values"]), given["dense_shape"])
    dense = np.zeros([4, 5], np.float32)
    for (i, j), v in zip(given["indices"], given["values"]):
        dense[i, j] = v
    rows = _all(tf.data.Dataset.from_tensor_slices({"s": sparse}))
    assert [_as_plain(r["s"]) for r in rows] == [t["s"] for t in stored["from_tensor_slices"]]
    np.testing.assert_array_equal(np.stack([_dense(r["s"]) for r in rows]), dense)
    batches = _all(tf.data.Dataset.from_tensor_slices({"s": sparse}).batch(3))
    assert [_as_plain(b["s"]) for b in batches] == [t["s"] for t in stored["from_tensor_slices_batch"]]
    value = tf.SparseTensorValue(given["indices"], np.float32(given["values"]), given["dense_shape"])
    shuffled = tf.data.Dataset.from_tensor_slices((value, np.arange(4))).shuffle(4, seed=3).batch(4)
    assert shuffled.output_classes == (tf.SparseTensor, tf.Tensor)
    (sparse_batch, order), = _all(shuffled)
    np.testing.assert_array_equal(_dense(sparse_batch), dense[order])   # rows follow the shuffled order
    (whole,) = _all(tf.data.Dataset.from_tensors(sparse))
    np.testing.assert_array_equal(_dense(whole), dense)
