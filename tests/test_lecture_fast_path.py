"""The fast paths of a tiny graph's warm run (issue 21, the lecture bar) compute exactly what the plain path
computes: 0-d float feeds handed to 0-d-only consumers as NumPy scalars (runtime/compiler/codegen.py
`scalar_feeds`), the feed converter's reuse of the array it made for the same Python float
(runtime/session.py `_FeedSpec`), and the written-out feed-shape key (runtime/plan.py). Values and dtypes are
compared bit for bit with the plain path and with a float32 NumPy reference of the lecture's training step."""
import numpy as np
import pytest

import neuroflow as tf
from neuroflow.runtime import plan as plan_module
from neuroflow.runtime.compiler import codegen


def _lecture_graph(rate=0.001):
    x = tf.placeholder(tf.float32, [2])
    target = tf.placeholder(tf.float32)
    w = tf.Variable([0.2, 0.7])
    y = tf.reduce_sum(x * w)
    train = tf.train.GradientDescentOptimizer(rate).minimize(tf.pow(target - y, 2.0))
    return x, target, w, y, train


def _plain(monkeypatch):
    """Turns the generated code's scalar feeds off (for sessions made afterwards compile their plans then)."""
    monkeypatch.setattr(codegen, "scalar_feeds", lambda program: [])


def _train(x, target, w, y, train, steps, fresh_feeds):
    """(y of each step, W after each step) of `steps` warm runs; `fresh_feeds`: new 0-d arrays every run (the
    plain conversion), else the same Python float object every run (the converter's reuse)."""
    target_value = 20.0
    ys, ws = [], []
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(steps):
            fed = np.array(target_value, np.float32) if fresh_feeds else target_value
            result, _ = sess.run([y, train], {x: [1.0, 1.0], target: fed})
            ys.append(result)
            ws.append(sess.run(w))
    return ys, ws


def _lecture_in_numpy(steps, rate):
    """The lecture's step written out in float32 NumPy as TF1's kernels compute it: y = x0*w0 + x1*w1,
    d loss/d y = 2 (target - y) (Pow's gradient), d loss/d W = -(that) * x, W -= grad * rate."""
    x = np.ones(2, np.float32)
    w = np.array([0.2, 0.7], np.float32)
    target, rate = np.float32(20.0), np.float32(rate)
    ys, ws = [], []
    for _ in range(steps):
        y = np.add.reduce(x * w)
        grad = x * -(np.float32(2.0) * (target - y))
        w = w - grad * rate
        ys.append(y)
        ws.append(w.copy())
    return ys, ws


def _assert_identical(a, b):
    assert len(a) == len(b)
    for u, v in zip(a, b):
        assert type(u) is type(v) and np.asarray(u).dtype == np.asarray(v).dtype
        np.testing.assert_array_equal(u, v, strict=True)
        assert np.asarray(u).tobytes() == np.asarray(v).tobytes()


def test_lecture_plan_hands_the_target_feed_to_its_kernels_as_a_scalar():
    x, target, w, y, train = _lecture_graph()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        feed = {x: [1.0, 1.0], target: 20.0}
        sess.run([y, train], feed)
        source = sess.plan_source([y, train], feed)
    assert "f1 = f1[()]" in source  # target: only in `target - y`, both 0-d
    assert "f0 = f0[()]" not in source  # x is a vector


def test_lecture_training_equals_the_plain_path_and_float32_numpy(monkeypatch):
    graph = _lecture_graph()
    fast = _train(*graph, steps=60, fresh_feeds=False)
    reference = _lecture_in_numpy(60, 0.001)
    _assert_identical(fast[0], reference[0])
    _assert_identical(fast[1], reference[1])
    _plain(monkeypatch)
    plain = _train(*graph, steps=60, fresh_feeds=True)
    _assert_identical(fast[0], plain[0])
    _assert_identical(fast[1], plain[1])


@pytest.mark.parametrize("dtype", [tf.float32, tf.float64])
def test_zero_d_arithmetic_on_scalar_feeds_is_bit_identical(monkeypatch, dtype):
    """Every elementwise op NumPy runs on scalars, fed awkward values (tiny, huge, negative zero, inf, nan), gives
    the bits and dtype the plain path (0-d arrays) gives."""
    a = tf.placeholder(dtype, [])
    b = tf.placeholder(dtype)
    results = [a - b, a * b, a / b, tf.maximum(a, b), tf.minimum(a, b), tf.pow(a, b), tf.sqrt(a), tf.exp(b),
               tf.square(a) + b, tf.abs(b) * 3.0, -a, tf.floordiv(a, b), tf.cast(a, tf.float16), a > b]
    np_type = dtype.as_numpy_dtype
    values = [(np_type(3.7), np_type(-1.25)), (np_type(1e-30), np_type(3e-39)), (np_type(-0.0), np_type(0.0)),
              (np_type(np.inf), np_type(2.0)), (np_type(np.nan), np_type(1.0)), (np_type(1e30), np_type(1e30))]
    got = {}
    for mode in ("fast", "plain"):
        if mode == "plain":
            _plain(monkeypatch)
        with tf.Session() as sess:
            out = []
            for av, bv in values:
                feed = {a: float(av), b: float(bv)} if mode == "fast" else {a: np.array(av), b: np.array(bv)}
                out.append(sess.run(results, feed))
            if mode == "fast":
                assert "f0 = f0[()]" in sess.plan_source(results, feed)
        got[mode] = out
    for fast_row, plain_row in zip(got["fast"], got["plain"]):
        _assert_identical(fast_row, plain_row)


def test_scalar_feeds_only_where_every_consumer_takes_zero_d_inputs():
    v = tf.placeholder(tf.float32, [3])
    s = tf.placeholder(tf.float32, [])
    t = tf.placeholder(tf.float32, [])
    i = tf.placeholder(tf.int32, [])
    outputs = [s * 2.0, t - s, t * v, i + 1]  # t also meets a vector: it stays a 0-d array
    program = plan_module.Plan(outputs, [], [v, s, t, i], tf.Session()._ctx).program
    assert codegen.scalar_feeds(program) == [1]


def test_reused_float_feed_cannot_be_changed_through_what_it_fed():
    """The converter hands the same 0-d array to every run fed the same float object: an assignment from it,
    then changes to the variable, never reach the feed."""
    p = tf.placeholder(tf.float32)
    v = tf.Variable(0.0)
    assign = tf.assign(v, p)
    bump = tf.assign_add(v, 5.0)
    echo = tf.identity(p)
    fed = 1.5
    with tf.Session() as sess:
        for expected_v in (6.5, 6.5):
            sess.run(assign, {p: fed})
            assert sess.run(bump) == np.float32(expected_v)
            got = sess.run(echo, {p: fed})
            assert got == np.float32(1.5) and type(got) is np.float32
        assert sess.run(echo, {p: 2.25}) == np.float32(2.25)  # another float object: converted anew
        assert sess.run(echo, {p: fed}) == np.float32(1.5)


def test_reused_float_feed_still_checked_against_the_placeholder_shape():
    p = tf.placeholder(tf.float32, [2])
    fed = 3.0
    with tf.Session() as sess:
        for _ in range(2):
            with pytest.raises(ValueError, match=r"Cannot feed value of shape \(\) for Tensor"):
                sess.run(p * 2.0, {p: fed})


def test_feed_shape_key_matches_the_loop_it_replaces():
    arrays = [np.zeros((2, 3)), np.float32(1.0), np.zeros(0), np.zeros((1, 1, 4))]
    for n in range(len(arrays) + 1):
        assert plan_module._feed_shapes_function(n)(arrays[:n]) == plan_module._feed_shapes_loop(arrays[:n])
    many = [np.zeros((k,)) for k in range(plan_module._WRITTEN_OUT_FEEDS + 3)]
    key = plan_module._feed_shapes_function(len(many))(many)
    assert key == tuple((k,) for k in range(len(many)))


@pytest.mark.parametrize("num_feeds", [0, 1, 3, 20])
def test_warm_runs_equal_the_first_run_for_any_number_of_feeds(num_feeds):
    """The warm path's generated conversions (written out up to 16 feeds, a loop beyond) feed each tensor its
    own value: every run's result equals a NumPy sum of the fed values, in the feed_dict's order or another."""
    placeholders = [tf.placeholder(tf.float32, [None], name=f"p{i}") for i in range(num_feeds)]
    weights = np.arange(1, num_feeds + 1, dtype=np.float32)
    total = tf.constant(0.5) + tf.add_n([p * w for p, w in zip(placeholders, weights)]) if num_feeds else \
        tf.constant(0.5)
    rng = np.random.default_rng(0)
    with tf.Session() as sess:
        for run in range(4):
            values = [rng.standard_normal(3).astype(np.float32) for _ in placeholders]
            pairs = list(zip(placeholders, values))
            if run % 2:
                pairs.reverse()
            got = sess.run(total, dict(pairs))
            expected = np.float32(0.5) + sum((v * w for v, w in zip(values, weights)), np.zeros(3, np.float32)) \
                if num_feeds else np.float32(0.5)
            np.testing.assert_allclose(got, expected, rtol=1e-6)
            assert np.asarray(got).dtype == np.float32


def test_an_unclosed_session_is_freed_without_the_cycle_collector():
    """The warm runner holds the plan, feed converters and result builder, never the session: dropping the last
    reference frees a session at once (its variable storage with it)."""
    import gc
    import weakref
    x, target, w, y, train = _lecture_graph()
    gc.disable()
    try:
        sess = tf.Session()
        sess.run(tf.global_variables_initializer())
        for _ in range(3):
            sess.run([y, train], {x: [1.0, 1.0], target: 20.0})
        gone = weakref.ref(sess)
        del sess
        assert gone() is None
    finally:
        gc.enable()


def test_closing_a_session_stops_its_warm_runs():
    x, target, w, y, train = _lecture_graph()
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    sess.run([y, train], {x: [1.0, 1.0], target: 20.0})
    sess.close()
    with pytest.raises(RuntimeError, match="Attempted to use a closed Session."):
        sess.run([y, train], {x: [1.0, 1.0], target: 20.0})


def test_equal_float_lists_reuse_their_array_only_when_the_values_are_the_same():
    """The converter keeps the array of the last flat list of non-zero floats fed: a list changed in place, a
    signed zero (0.0 == -0.0 in Python) and a list of arrays each get their own conversion."""
    p = tf.placeholder(tf.float32, [None])
    q = tf.placeholder(tf.float32, None)
    inverse, doubled = 1.0 / p, q * 2.0
    with tf.Session() as sess:
        fed = [1.0, 4.0]
        assert sess.run(inverse, {p: fed}).tolist() == [1.0, 0.25]
        assert sess.run(inverse, {p: [1.0, 4.0]}).tolist() == [1.0, 0.25]  # an equal list
        fed[1] = 2.0
        assert sess.run(inverse, {p: fed}).tolist() == [1.0, 0.5]
        assert sess.run(inverse, {p: [1.0, -0.0]}).tolist() == [1.0, -np.inf]
        assert sess.run(inverse, {p: [1.0, 0.0]}).tolist() == [1.0, np.inf]
        assert sess.run(inverse, {p: [1.0, 2.0, 8.0]}).tolist() == [1.0, 0.5, 0.125]
        assert sess.run(inverse, {p: [1, 2, 8]}).tolist() == [1.0, 0.5, 0.125]      # ints equal to those floats
        assert sess.run(inverse, {p: [1, 2 ** 24 + 1]}).tolist() == [1.0, 1.0 / 2 ** 24]
        assert sess.run(inverse, {p: [1, -0.0]}).tolist() == [1.0, -np.inf]
        assert sess.run(inverse, {p: [1, 0]}).tolist() == [1.0, np.inf]
        assert sess.run(doubled, {q: [1.0, 3.0]}).tolist() == [2.0, 6.0]
        both = [np.array([1.0, 3.0], np.float32), np.array([5.0, 7.0], np.float32)]
        assert sess.run(doubled, {q: both}).tolist() == [[2.0, 6.0], [10.0, 14.0]]
        got = sess.run(doubled, {q: [1.0, 3.0]})
        assert got.tolist() == [2.0, 6.0] and got.dtype == np.float32


def test_runs_compute_inf_and_nan_silently_and_leave_numpys_error_state_as_it_was():
    """Plain generated code silences NumPy's float warnings for the run only (runtime/float_errors.py): after
    a run, one that raised included, the caller's settings are back."""
    import warnings
    p = tf.placeholder(tf.float32, [2])
    q = tf.placeholder(tf.float32, [None])
    with tf.Session() as sess, np.errstate(divide="raise", over="warn", invalid="ignore"):
        before = np.geterr()
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            for _ in range(3):
                got = sess.run(1.0 / (p * 1e30 * 1e30), {p: [0.0, 1.0]})
                assert np.isinf(got[0]) and got[1] == 0.0
        assert np.geterr() == before
        with pytest.raises(tf.errors.InvalidArgumentError):
            sess.run(p + q, {p: [1.0, 2.0], q: [1.0, 2.0, 3.0]})
        assert np.geterr() == before


def test_nested_fetch_structures_get_a_key_that_tells_them_apart():
    import collections
    from neuroflow.runtime.fetches import structure_key
    a, b = tf.constant(1.0), tf.constant(2.0)
    Pair = collections.namedtuple("Pair", "first second")
    Other = collections.namedtuple("Other", "first second")
    same = [({"x": [a, b], "y": a}, {"x": [a, b], "y": a}),
            ([a, (b, a)], [a, (b, a)]),
            (Pair(a, [b]), Pair(a, [b])),
            (collections.defaultdict(list, {"x": [a]}), collections.defaultdict(list, {"x": [a]}))]
    for one, two in same:
        assert structure_key(one) is not None and structure_key(one) == structure_key(two)
    different = [{"x": [a, b]}, {"x": (a, b)}, {"x": [b, a]}, {"y": [a, b]}, {"x": [a, b], "y": a},
                 {"y": a, "x": [a, b]}, collections.OrderedDict(x=[a, b]), collections.defaultdict(list, x=[a, b]),
                 collections.defaultdict(set, x=[a, b]), Pair(a, b), Other(a, b), [a, [b]], [a, (b,)], (a, [b])]
    keys = [structure_key(f) for f in different]
    assert None not in keys and len(set(keys)) == len(keys)
    assert structure_key({"x": [a, {"unhashable": []}]}) is not None
    assert structure_key({"x": [a, np.zeros(2)]}) is None  # an unhashable leaf: no cached structure


def test_nested_fetches_take_the_warm_path_and_follow_changes():
    p = tf.placeholder(tf.float32, [2])
    total, twice, less = tf.reduce_sum(p), p * 2.0, p - 1.0
    with tf.Session() as sess:
        for run in range(4):
            fetches = {"total": total, "parts": [twice, less], "pair": (total, twice)}  # a new dict each run
            got = sess.run(fetches, {p: [1.0, float(run)]})
            assert got["total"] == np.float32(1.0 + run) and got["pair"][0] == got["total"]
            assert got["parts"][0].tolist() == [2.0, 2.0 * run] and got["parts"][1].tolist() == [0.0, run - 1.0]
            assert isinstance(got["pair"], tuple) and list(got) == ["total", "parts", "pair"]
        assert len(sess._warm) == 1 and len(sess._structures) == 1
        fetches["parts"][1] = total  # changed in place: another structure
        got = sess.run(fetches, {p: [1.0, 5.0]})
        assert got["parts"][1] == np.float32(6.0)
        assert len(sess._warm) == 2


def test_python_ints_fed_to_float_tensors_convert_as_numpy_converts_them():
    a = tf.placeholder("float")
    b = tf.placeholder(tf.float64, [])
    with tf.Session() as sess:
        for _ in range(2):  # the second run reuses the conversion of the same int object
            got = sess.run([a + 0.0, b * 1.0], {a: 2 ** 24 + 1, b: 2 ** 53 + 1})
            assert got[0] == np.float32(2 ** 24) and type(got[0]) is np.float32
            assert got[1] == np.float64(2 ** 53) and type(got[1]) is np.float64
        assert sess.run(a * 2.0, {a: 4}) == np.float32(8.0)
        with pytest.raises(ValueError, match="Cannot feed value 1000.* to Tensor 'Placeholder:0' of dtype float32"):
            sess.run(a * 2.0, {a: 10 ** 400})


def test_reused_list_feed_cannot_be_changed_through_what_it_fed():
    """As for floats: the array kept for an equal list is never written by what it fed (an assignment from it,
    updates of that variable, in-place arithmetic a plan may do on its own temporaries)."""
    p = tf.placeholder(tf.float32, [3])
    v = tf.Variable([0.0, 0.0, 0.0])
    assign = tf.assign(v, p)
    bump = tf.assign_add(v, [5.0, 5.0, 5.0])
    chain, echo = ((p * 2.0 + 1.0) * 3.0 - p) / 2.0, tf.identity(p)
    fed = np.array([1.5, 2.5, -3.0], np.float32)
    with tf.Session() as sess:
        for _ in range(3):
            sess.run(assign, {p: [1.5, 2.5, -3.0]})
            assert sess.run(bump).tolist() == (fed + 5).tolist()
            assert sess.run(chain, {p: [1.5, 2.5, -3.0]}).tolist() == (((fed * 2 + 1) * 3 - fed) / 2).tolist()
            assert sess.run(echo, {p: [1.5, 2.5, -3.0]}).tolist() == fed.tolist()
