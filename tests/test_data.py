"""tf.data: each Dataset method against the element sequence TensorFlow 1.x produces, iterators (one-shot,
initializable with fed placeholders, reinitializable, feedable), end-of-data and initialization errors, shuffle
semantics and determinism, static shapes, eager iteration, and a training loop fed by an iterator."""
import collections

import numpy as np
import pytest

import neuroflow as tf
from neuroflow.data.shuffling import shuffled_items

Dataset = tf.data.Dataset


def elements(dataset, sess=None):
    """Every element of `dataset`, through a one-shot iterator in a new session."""
    next_element = dataset.make_one_shot_iterator().get_next()
    out = []
    with tf.Session() as s:
        while True:
            try:
                out.append(s.run(next_element))
            except tf.errors.OutOfRangeError:
                return out


def ints(values):
    return [np.asarray(v).tolist() for v in values]


# --- sources ------------------------------------------------------------------------------------------------------
def test_from_tensor_slices_arrays_tuples_dicts():
    x = np.arange(6, dtype=np.float64).reshape(3, 2)
    assert ints(elements(Dataset.from_tensor_slices(x))) == [[0, 1], [2, 3], [4, 5]]
    pairs = elements(Dataset.from_tensor_slices((x, np.array([7, 8, 9]))))
    assert [(a.tolist(), int(b)) for a, b in pairs] == [([0, 1], 7), ([2, 3], 8), ([4, 5], 9)]
    dicts = elements(Dataset.from_tensor_slices({"b": [1.5, 2.5], "a": (["x", "y"], [[1], [2]])}))
    assert [(d["b"], d["a"][0], d["a"][1].tolist()) for d in dicts] == [(1.5, b"x", [1]), (2.5, b"y", [2])]


def test_from_tensor_slices_dtypes_follow_tensorflow_rules():
    ds = Dataset.from_tensor_slices(([1.0, 2.0], [1, 2], np.zeros(2, np.float64), [True, False], ["a", "b"]))
    assert ds.output_types == (tf.float32, tf.int32, tf.float64, tf.bool, tf.string)
    first = elements(ds)[0]
    assert [np.asarray(v).dtype for v in first[:4]] == [np.float32, np.int32, np.float64, np.bool_]


def test_from_tensor_slices_checks_first_dimension_and_rank():
    with pytest.raises(ValueError, match="Dimensions 3 and 2 are not compatible"):
        Dataset.from_tensor_slices((np.zeros(3), np.zeros(2)))
    with pytest.raises(ValueError, match="rank >= 1"):
        Dataset.from_tensor_slices(np.float32(1.0))


def test_from_tensor_slices_of_a_constant_tensor():
    assert ints(elements(Dataset.from_tensor_slices(tf.constant([[1, 2], [3, 4]]) * 10))) == [[10, 20], [30, 40]]


def test_from_tensors_is_one_element():
    ds = Dataset.from_tensors(([1, 2, 3], 4.0))
    assert ds.output_shapes == (tf.TensorShape([3]), tf.TensorShape([]))
    (element,) = elements(ds)
    assert element[0].tolist() == [1, 2, 3] and element[1] == 4.0


def test_range_variants():
    assert ints(elements(Dataset.range(4))) == [0, 1, 2, 3]
    assert ints(elements(Dataset.range(2, 5))) == [2, 3, 4]
    assert ints(elements(Dataset.range(10, 0, -3))) == [10, 7, 4, 1]
    assert Dataset.range(3).output_types == tf.int64


def test_from_generator_with_args_and_shapes():
    def gen(n):
        for i in range(int(n)):
            yield i, [float(i)] * i
    ds = Dataset.from_generator(gen, (tf.int64, tf.float32), (tf.TensorShape([]), tf.TensorShape([None])), args=(3,))
    assert ds.output_shapes == (tf.TensorShape([]), tf.TensorShape([None]))
    got = elements(ds)
    assert [(int(a), b.tolist()) for a, b in got] == [(0, []), (1, [1.0]), (2, [2.0, 2.0])]
    assert got[1][1].dtype == np.float32 and np.asarray(got[1][0]).dtype == np.int64


def test_from_generator_rejects_wrong_shape():
    ds = Dataset.from_generator(lambda: iter([[1, 2], [1, 2, 3]]), tf.int32, tf.TensorShape([2]))
    nxt = ds.make_one_shot_iterator().get_next()
    with tf.Session() as s:
        assert s.run(nxt).tolist() == [1, 2]
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"yielded an element of shape \(3,\) where an "
                                                                 r"element of shape \(2,\) was expected"):
            s.run(nxt)


def test_zip_and_concatenate():
    zipped = Dataset.zip((Dataset.range(3), Dataset.range(10, 20), Dataset.from_tensor_slices([1.0, 2.0, 3.0, 4.0])))
    assert [tuple(np.asarray(v).item() for v in e) for e in elements(zipped)] == [(0, 10, 1.0), (1, 11, 2.0),
                                                                                 (2, 12, 3.0)]
    nested = Dataset.zip({"a": Dataset.range(2), "b": (Dataset.range(5), Dataset.range(5))})
    assert elements(nested)[1] == {"a": 1, "b": (1, 1)}
    assert ints(elements(Dataset.range(2).concatenate(Dataset.range(5, 7)))) == [0, 1, 5, 6]
    with pytest.raises(TypeError, match="different types"):
        Dataset.range(2).concatenate(Dataset.from_tensor_slices([1.0]))


def test_text_line_dataset(tmp_path):
    path = tmp_path / "data.csv"
    path.write_bytes(b"a,b\n1,2\r\n3,4\n")
    assert elements(tf.data.TextLineDataset(str(path)).skip(1)) == [b"1,2", b"3,4"]


# --- transformations ------------------------------------------------------------------------------------------------
def test_map_builds_graph_ops_once_and_unpacks_tuples():
    calls = []

    def fn(x, y):
        calls.append(1)
        return {"sum": tf.cast(x, tf.float32) + y, "sq": tf.square(y)}
    ds = Dataset.from_tensor_slices((np.arange(3), np.array([0.5, 1.5, 2.5], np.float32))).map(fn)
    assert len(calls) == 1
    assert ds.output_types == {"sum": tf.float32, "sq": tf.float32}
    got = elements(ds)
    assert [(float(e["sum"]), float(e["sq"])) for e in got] == [(0.5, 0.25), (2.5, 2.25), (4.5, 6.25)]
    assert len(calls) == 1


def test_map_returning_a_list_gives_a_tuple():
    ds = Dataset.from_tensor_slices([[1, 2], [3, 4]]).map(lambda v: [v[0], v[1] * 10])
    assert isinstance(ds.output_types, tuple)
    assert [tuple(int(x) for x in e) for e in elements(ds)] == [(1, 20), (3, 40)]


def test_map_after_batch_runs_per_batch():
    ds = Dataset.from_tensor_slices(np.arange(10, dtype=np.float32).reshape(5, 2)).batch(2).map(
        lambda b: tf.reduce_sum(b, axis=1))
    assert ds.output_shapes == tf.TensorShape([None])
    assert ints(elements(ds)) == [[1, 5], [9, 13], [17]]


def test_map_with_random_ops_is_reproducible_with_a_seed():
    def build():
        tf.reset_default_graph()
        ds = Dataset.range(4).map(lambda x: tf.random_uniform([], seed=7) + tf.cast(x, tf.float32))
        return [float(v) for v in elements(ds)]
    first, second = build(), build()
    assert first == second
    assert len(set(np.round(np.array(first) - np.arange(4), 6))) == 4  # a new draw per element


def test_filter():
    assert ints(elements(Dataset.range(10).filter(lambda x: tf.equal(x % 3, 0)))) == [0, 3, 6, 9]
    with pytest.raises(ValueError, match="`predicate` must return a scalar boolean tensor."):
        Dataset.range(3).filter(lambda x: x)


def test_flat_map_and_interleave():
    assert ints(elements(Dataset.range(4).flat_map(lambda x: Dataset.range(x)))) == [0, 0, 1, 0, 1, 2]
    got = elements(Dataset.range(1, 6).interleave(lambda x: Dataset.from_tensors(x).repeat(6), cycle_length=2,
                                                   block_length=4))
    # TensorFlow's documented example.
    assert ints(got) == [1, 1, 1, 1, 2, 2, 2, 2, 1, 1, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 3, 3, 4, 4, 5, 5, 5, 5, 5, 5]


def test_batch_and_drop_remainder():
    ds = Dataset.range(7)
    assert ints(elements(ds.batch(3))) == [[0, 1, 2], [3, 4, 5], [6]]
    assert ints(elements(ds.batch(3, drop_remainder=True))) == [[0, 1, 2], [3, 4, 5]]
    pairs = elements(Dataset.from_tensor_slices((np.arange(5), np.arange(5) * 1.0)).batch(2))
    assert [a.tolist() for a, _ in pairs] == [[0, 1], [2, 3], [4]]


def test_batch_of_mismatched_shapes_fails_like_tensorflow():
    ds = Dataset.range(1, 3).map(lambda x: tf.fill([x], x)).batch(2)
    with pytest.raises(tf.errors.InvalidArgumentError, match="Cannot batch tensors with different shapes in "
                                                             "component 0. First element had shape \\[1\\] and "
                                                             "element 1 had shape \\[2\\]."):
        elements(ds)


def test_padded_batch():
    ds = Dataset.range(1, 6).map(lambda x: tf.fill([x], x))
    got = elements(ds.padded_batch(2, padded_shapes=[None]))
    assert ints(got) == [[[1, 0], [2, 2]], [[3, 3, 3, 0], [4, 4, 4, 4]], [[5, 5, 5, 5, 5]]]
    got = elements(ds.padded_batch(2, padded_shapes=[6], padding_values=tf.constant(-1, tf.int64),
                                   drop_remainder=True))
    assert ints(got) == [[[1, -1, -1, -1, -1, -1], [2, 2, -1, -1, -1, -1]],
                         [[3, 3, 3, -1, -1, -1], [4, 4, 4, 4, -1, -1]]]
    with pytest.raises(tf.errors.DataLossError, match="Attempted to pad to a smaller size than the input element."):
        elements(ds.padded_batch(2, padded_shapes=[3]))


def test_padded_batch_tuples_and_strings():
    ds = Dataset.from_tensor_slices(([1, 2, 3], ["a", "b", "c"])).map(lambda n, s: (tf.fill([n], n), s))
    got = elements(ds.padded_batch(3, padded_shapes=([-1], []), padding_values=(9, "")))
    assert got[0][0].tolist() == [[1, 9, 9], [2, 2, 9], [3, 3, 3]] and got[0][1].tolist() == [b"a", b"b", b"c"]


def test_repeat_take_skip_interplay():
    ds = Dataset.range(3)
    assert ints(elements(ds.repeat(2))) == [0, 1, 2, 0, 1, 2]
    assert ints(elements(ds.repeat().take(7))) == [0, 1, 2, 0, 1, 2, 0]
    assert ints(elements(ds.skip(1).repeat(2))) == [1, 2, 1, 2]
    assert ints(elements(ds.repeat(2).skip(2).take(3))) == [2, 0, 1]
    assert ints(elements(ds.take(-1))) == [0, 1, 2] and ints(elements(ds.skip(-1))) == []
    assert ints(elements(ds.take(0).repeat())) == []  # an empty dataset repeated forever is empty


def test_index_based_pipelines_match_element_pipelines():
    """Pipelines over from_tensor_slices move row indices; an identity map forces the element path."""
    x = np.arange(40).reshape(20, 2)

    def variants(ds):
        return [ds.repeat(3).skip(5).take(37).batch(6), ds.take(13).repeat(2).batch(4, drop_remainder=True),
                ds.shard(3, 2).cache().repeat(2).batch(5), ds.prefetch(2).skip(18).batch(7)]
    fast = variants(Dataset.from_tensor_slices(x))
    slow = variants(Dataset.from_tensor_slices(x).map(lambda v: v))
    for a, b in zip(fast, slow):
        assert ints(elements(a)) == ints(elements(b))


def test_prefetch_cache_apply_shard_unbatch():
    ds = Dataset.range(6)
    assert ints(elements(ds.prefetch(2))) == list(range(6))
    assert ints(elements(ds.shuffle(6, seed=1).cache().repeat(2)))[:6] == ints(elements(
        ds.shuffle(6, seed=1).cache().repeat(2)))[6:]
    assert ints(elements(ds.apply(lambda d: d.take(2)))) == [0, 1]
    assert ints(elements(ds.shard(4, 1))) == [1, 5]
    assert ints(elements(ds.batch(4).apply(tf.data.experimental.unbatch()))) == list(range(6))
    with pytest.raises(TypeError, match="must return a Dataset"):
        ds.apply(lambda d: 3)


# --- shuffle --------------------------------------------------------------------------------------------------------
def test_shuffle_buffer_picks_by_word_mod_held_count_and_refills_first():
    # TensorFlow's buffer (element for element against TF itself: tests/test_tf_random_streams.py): word 0 always
    # takes the oldest held element (input order); a word w takes position w mod held, counted from the oldest.
    class Words:
        def __init__(self, words):
            self.words = iter(words)

        def take(self):
            return next(self.words)

    assert list(shuffled_items(range(8), 3, Words([0] * 8))) == list(range(8))
    # Held [0, 1, 2], word 2 takes 2 and the oldest (0) moves into its slot: held [1, 0] + refill 3; word 3 -> 1;
    # held [0, 3] + 4, word 1 -> 3 (0 moves into its slot); held [0, 4]: word 0 -> 0; then 4.
    assert list(shuffled_items(range(5), 3, Words([2, 3, 1, 0, 0]))) == [2, 1, 3, 0, 4]
    for size in (1, 3, 7, 100):
        out = list(shuffled_items(range(50), size, Words(np.random.default_rng(size).integers(0, 2 ** 32, 50))))
        assert sorted(out) == list(range(50))
        assert all(value < t + size for t, value in enumerate(out))   # only what the buffer could hold


def test_shuffle_is_a_permutation_within_the_buffer_window():
    got = ints(elements(Dataset.range(100).shuffle(10, seed=3)))
    assert sorted(got) == list(range(100)) and got != list(range(100))
    assert all(v <= k + 9 for k, v in enumerate(got))  # element v is read only after v - 9 were emitted
    assert ints(elements(Dataset.range(20).shuffle(1, seed=3))) == list(range(20))


def test_shuffle_with_a_seed_is_deterministic_and_reshuffles_each_epoch():
    def epochs(build):
        tf.reset_default_graph()
        got = ints(elements(build()))
        return got[:10], got[10:]
    for build in (lambda: Dataset.range(10).shuffle(10, seed=42).repeat(2),
                  lambda: Dataset.from_tensor_slices(np.arange(10)).shuffle(10, seed=42).repeat(2)):
        first, second = epochs(build)
        assert sorted(first) == sorted(second) == list(range(10))
        assert first != second                      # reshuffled on the second pass
        assert epochs(build) == (first, second)     # the same program gives the same orders
    fixed = ints(elements(Dataset.range(10).shuffle(10, seed=42, reshuffle_each_iteration=False).repeat(2)))
    assert fixed[:10] == fixed[10:]


def test_shuffle_follows_the_graph_seed_rule():
    def run():
        tf.reset_default_graph()
        tf.set_random_seed(1)
        a = Dataset.range(20).shuffle(20)
        b = Dataset.range(20).shuffle(20)
        return ints(elements(a)), ints(elements(b))
    first = run()
    assert run() == first
    assert first[0] != first[1]
    # No seed at all: a fresh order each time (with overwhelming probability).
    tf.reset_default_graph()
    assert len({tuple(ints(elements(Dataset.range(30).shuffle(30)))) for _ in range(3)}) > 1


def test_shuffle_restarts_with_a_new_session_and_with_reinitialization():
    ds = Dataset.from_tensor_slices(np.arange(30)).shuffle(30, seed=9).batch(30)
    it = ds.make_initializable_iterator()
    nxt = it.get_next()
    with tf.Session() as s:
        s.run(it.initializer)
        first = s.run(nxt).tolist()
        s.run(it.initializer)
        assert s.run(nxt).tolist() == first
    with tf.Session() as s:
        s.run(it.initializer)
        assert s.run(nxt).tolist() == first


# --- iterators ------------------------------------------------------------------------------------------------------
def test_end_of_sequence_is_out_of_range_error():
    nxt = Dataset.range(2).make_one_shot_iterator().get_next()
    with tf.Session() as s:
        assert [s.run(nxt), s.run(nxt)] == [0, 1]
        with pytest.raises(tf.errors.OutOfRangeError) as info:
            s.run(nxt)
        assert info.value.message.startswith("End of sequence")
        assert "IteratorGetNext" in info.value.message
        with pytest.raises(tf.errors.OutOfRangeError):  # and it stays at the end
            s.run(nxt)


def test_one_get_next_run_advances_once_and_each_session_starts_over():
    a, b = Dataset.from_tensor_slices((np.arange(5), np.arange(5) * 10)).make_one_shot_iterator().get_next()
    assert a.op is b.op and a.op.type == "IteratorGetNext" and a.op.name == "IteratorGetNext"
    with tf.Session() as s:
        assert s.run([a, b]) == [0, 0]
        assert s.run([a, b, a + b]) == [1, 10, 11]
        assert s.run(a) == 2 and s.run(b) == 30
    with tf.Session() as s:
        assert s.run(a) == 0


def test_get_next_static_shapes():
    x = np.zeros((10, 3), np.float32)
    a, = [Dataset.from_tensor_slices(x).make_one_shot_iterator().get_next()]
    assert a.shape.as_list() == [3] and a.dtype == tf.float32
    b = Dataset.from_tensor_slices(x).batch(4).make_one_shot_iterator().get_next()
    assert b.shape.as_list() == [None, 3]
    c = Dataset.from_tensor_slices(x).batch(4, drop_remainder=True).make_one_shot_iterator().get_next()
    assert c.shape.as_list() == [4, 3]
    p = tf.placeholder(tf.float32, [None, 784])
    assert Dataset.from_tensor_slices(p).output_shapes.as_list() == [784]
    d = Dataset.range(3).map(lambda v: tf.fill([v], 1.0)).padded_batch(2, [5]).make_one_shot_iterator().get_next()
    assert d.shape.as_list() == [None, 5]
    assert Dataset.range(3).output_classes is tf.Tensor


def test_initializable_iterator_with_fed_placeholders():
    features = tf.placeholder(tf.float32, [None, 2])
    batch = tf.placeholder(tf.int64, [])
    iterator = Dataset.from_tensor_slices(features).batch(batch).make_initializable_iterator()
    nxt = iterator.get_next()
    with tf.Session() as s:
        with pytest.raises(tf.errors.FailedPreconditionError) as info:
            s.run(nxt)
        assert info.value.message.startswith(
            "GetNext() failed because the iterator has not been initialized. Ensure that you have run the "
            "initializer operation for this iterator before getting the next element.")
        s.run(iterator.initializer, {features: np.arange(10).reshape(5, 2), batch: 2})
        assert [s.run(nxt).shape[0] for _ in range(3)] == [2, 2, 1]
        with pytest.raises(tf.errors.OutOfRangeError):
            s.run(nxt)
        s.run(iterator.initializer, {features: np.ones((3, 2)), batch: 3})  # restarts with new data
        assert s.run(nxt).tolist() == [[1, 1]] * 3


def test_one_shot_iterator_refuses_placeholders_and_variables():
    with pytest.raises(ValueError, match=r"Cannot capture a placeholder \(name:Placeholder, type:Placeholder\) "
                                         r"by value."):
        Dataset.from_tensor_slices(tf.placeholder(tf.float32, [None])).make_one_shot_iterator()
    v = tf.Variable([1.0, 2.0])
    with pytest.raises(ValueError, match="use `Dataset.make_initializable_iterator\\(\\)`"):
        Dataset.from_tensor_slices(v).make_one_shot_iterator()
    with pytest.raises(ValueError, match="Iterator does not have an initializer."):
        Dataset.range(2).make_one_shot_iterator().initializer


def test_initializable_iterator_reads_variables_when_initialized():
    v = tf.Variable([1.0, 2.0])
    iterator = Dataset.from_tensor_slices(v).make_initializable_iterator()
    nxt = iterator.get_next()
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        s.run(iterator.initializer)
        assert [s.run(nxt), s.run(nxt)] == [1.0, 2.0]


def test_reinitializable_iterator_switches_datasets():
    train = Dataset.range(100).map(lambda v: tf.cast(v, tf.float32))
    valid = Dataset.range(3).map(lambda v: -tf.cast(v, tf.float32))
    iterator = tf.data.Iterator.from_structure(train.output_types, train.output_shapes)
    nxt = iterator.get_next()
    train_init, valid_init = iterator.make_initializer(train), iterator.make_initializer(valid)
    with tf.Session() as s:
        s.run(train_init)
        assert [s.run(nxt) for _ in range(3)] == [0, 1, 2]
        s.run(valid_init)
        assert [s.run(nxt) for _ in range(3)] == [0, -1, -2]
        with pytest.raises(tf.errors.OutOfRangeError):
            s.run(nxt)
        s.run(train_init)
        assert s.run(nxt) == 0
    with pytest.raises(TypeError, match=r"Expected output types tf.float32 but got dataset with output types "
                                        r"tf.int64."):
        iterator.make_initializer(Dataset.range(3))
    pairs = tf.data.Iterator.from_structure((tf.int64, tf.float64), ([None], []))
    with pytest.raises(TypeError, match="Expected output shapes compatible with"):
        pairs.make_initializer(Dataset.from_tensors((np.array([1, 2], np.int64), np.array([4.0, 5.0]))))
    with pytest.raises(ValueError, match="don't have the same nested structure"):
        pairs.make_initializer(Dataset.range(3))


def test_feedable_iterator_from_string_handle():
    handle = tf.placeholder(tf.string, [])
    a = Dataset.range(10).make_one_shot_iterator()
    b = Dataset.range(100, 110).make_initializable_iterator()
    feedable = tf.data.Iterator.from_string_handle(handle, a.output_types, a.output_shapes)
    nxt = feedable.get_next()
    with tf.Session() as s:
        ha, hb = s.run([a.string_handle(), b.string_handle()])
        assert isinstance(ha, bytes)
        s.run(b.initializer)
        assert [s.run(nxt, {handle: ha}), s.run(nxt, {handle: hb}), s.run(nxt, {handle: ha})] == [0, 100, 1]


def test_dataset_iter_is_eager_only_and_eager_iteration_works():
    with pytest.raises(RuntimeError, match="only supported when eager execution is enabled"):
        iter(Dataset.range(3))
    with tf.eager_mode():
        ds = Dataset.from_tensor_slices((np.arange(5.0), [1, 2, 3, 4, 5])).map(lambda a, b: (a * 2, b)).batch(2)
        got = [(a.numpy().tolist(), b.numpy().tolist()) for a, b in ds]
        assert got == [([0.0, 2.0], [1, 2]), ([4.0, 6.0], [3, 4]), ([8.0], [5])]
        it = Dataset.range(1).make_one_shot_iterator()
        assert it.get_next().numpy() == 0
        with pytest.raises(tf.errors.OutOfRangeError):
            it.get_next()


def test_module_level_helpers():
    ds = Dataset.from_tensor_slices({"x": np.zeros((4, 2), np.float32)})
    assert tf.data.get_output_types(ds) == {"x": tf.float32}
    assert tf.data.get_output_shapes(ds)["x"].as_list() == [2]
    it = tf.data.make_initializable_iterator(ds)
    with tf.Session() as s:
        s.run(it.initializer)
        assert s.run(it.get_next())["x"].tolist() == [0, 0]
    assert tf.data.experimental.AUTOTUNE == -1


# --- training -------------------------------------------------------------------------------------------------------
def test_linear_regression_fed_by_an_iterator_learns():
    rng = np.random.default_rng(0)
    x_data = rng.normal(size=(256, 3)).astype(np.float32)
    y_data = x_data @ np.array([[2.0], [-1.0], [0.5]], np.float32) + 0.3
    tf.set_random_seed(0)
    dataset = Dataset.from_tensor_slices((x_data, y_data)).shuffle(256).repeat(30).batch(32)
    x, y = dataset.make_one_shot_iterator().get_next()
    w = tf.Variable(tf.zeros([3, 1]))
    b = tf.Variable(0.0)
    loss = tf.reduce_mean(tf.square(tf.matmul(x, w) + b - y))
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    losses = []
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        try:
            while True:
                losses.append(s.run([train, loss])[1])  # no feed_dict: the iterator feeds the graph
        except tf.errors.OutOfRangeError:
            pass
        w_value, b_value = s.run([w, b])
    assert len(losses) == 30 * 8
    assert losses[-1] < 1e-3 < losses[0]
    np.testing.assert_allclose(w_value.ravel(), [2.0, -1.0, 0.5], atol=1e-6)  # reached: 6e-8 (float32 rounding)
    assert abs(b_value - 0.3) < 1e-6


def test_last_partial_batch_flows_through_shape_dependent_ops():
    """The plan must not assume the first batch's size for later runs (the last batch is smaller)."""
    x = Dataset.from_tensor_slices(np.arange(10, dtype=np.float32)).batch(4).make_one_shot_iterator().get_next()
    size = tf.shape(x)[0]
    mean = tf.reduce_sum(x) / tf.cast(size, tf.float32)
    with tf.Session() as s:
        got = [tuple(s.run([size, mean])) for _ in range(3)]
    assert got == [(4, 1.5), (4, 5.5), (2, 8.5)]


def test_namedtuple_elements():
    Point = collections.namedtuple("Point", "x y")
    ds = Dataset.from_tensor_slices(Point(np.arange(2), np.arange(2) * 2.0)).map(lambda p: Point(p.x + 1, p.y))
    got = elements(ds)
    assert isinstance(got[0], Point) and (int(got[1].x), float(got[1].y)) == (2, 2.0)
