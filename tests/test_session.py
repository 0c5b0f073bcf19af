"""Sessions: fetch structures, feeds, pruning, plan reuse, per-session state, lifetime and default sessions."""
import collections
import threading
import time

import numpy as np
import pytest

import neuroflow as tf
from neuroflow.runtime.compiler import codegen


def test_lecture_sum(sess):
    a = tf.placeholder("float")
    b = tf.placeholder("float")
    result = sess.run(a + b, feed_dict={a: 4, b: 5})
    assert isinstance(result, np.float32) and str(result) == "9.0"


def test_fetch_structures(sess):
    a = tf.constant(1)
    b = tf.constant([2, 3])
    init = tf.no_op()
    Pair = collections.namedtuple("Pair", "x y")
    got = sess.run({"a": a, "rest": [b, (a, init)], "pair": Pair(a, b)})
    assert got["a"] == 1 and got["rest"][0].tolist() == [2, 3] and got["rest"][1] == (1, None)
    assert isinstance(got["pair"], Pair) and got["pair"].x == 1
    ordered = sess.run(collections.OrderedDict([("z", a), ("y", b)]))
    assert isinstance(ordered, collections.OrderedDict) and list(ordered) == ["z", "y"]
    assert sess.run("Const:0") == 1 and sess.run("NoOp") is None
    assert sess.run([a, a]) == [1, 1]
    assert sess.run(init) is None
    assert sess.run(()) == () and sess.run([]) == []


def test_scalars_come_back_as_numpy_scalars_and_arrays_as_fresh_arrays(sess):
    c = tf.constant([1.0, 2.0])
    s = sess.run(tf.reduce_sum(c))
    assert isinstance(s, np.float32) and s == 3.0
    first = sess.run(c)
    first[0] = 99.0  # mutating a result must not change the graph's constant
    assert sess.run(c).tolist() == [1.0, 2.0]
    v = tf.Variable([1.0, 2.0])
    sess.run(v.initializer)
    got = sess.run(v)
    got[:] = 0.0
    assert sess.run(v).tolist() == [1.0, 2.0]
    assert sess.run(tf.identity(v)).tolist() == [1.0, 2.0]


def test_feeds_by_tensor_and_by_name_and_intermediate(sess):
    x = tf.placeholder(tf.float32, [None], name="x")
    y = x * 2.0
    z = y + 1.0
    assert sess.run(z, {"x:0": [1.0, 2.0]}).tolist() == [3.0, 5.0]
    assert sess.run(z, {y: [10.0]}).tolist() == [11.0]  # any tensor can be fed, cutting the graph there
    assert sess.run(y, {y: [7.0]}).tolist() == [7.0]
    c = tf.constant(3.0)
    assert sess.run(c * 2.0, {c: 5.0}) == 10.0


def test_only_needed_part_runs(sess):
    x = tf.placeholder(tf.float32)
    unused = x * 3.0  # needs x, which is not fed
    c = tf.constant(2.0) + 1.0
    assert sess.run(c) == 3.0
    del unused


def test_feed_conversion_and_shape_checks(sess):
    x = tf.placeholder(tf.float32, [2], name="x")
    got = sess.run(x * 1.0, {x: np.array([1, 2], np.int64)})
    assert got.dtype == np.float32
    with pytest.raises(ValueError, match=r"Cannot feed value of shape \(3,\) for Tensor 'x:0', which has shape "
                                         r"'\(2,\)'"):
        sess.run(x, {x: [1, 2, 3]})
    m = tf.placeholder(tf.float32, [None, 3], name="m")
    with pytest.raises(ValueError, match=r"which has shape '\(\?, 3\)'"):
        sess.run(m, {m: np.zeros((2, 4))})
    i = tf.placeholder(tf.int32, name="i")
    with pytest.raises(TypeError, match="Type of feed value 3000000000 with type <class 'int'> is not compatible "
                                        "with Tensor type <dtype: 'int32'>"):
        sess.run(i, {i: 3000000000})
    with pytest.raises(ValueError, match="Cannot feed value 'abc' to Tensor 'x:0' of dtype float32"):
        sess.run(x, {x: "abc"})
    with pytest.raises(TypeError, match="The value of a feed cannot be a tf.Tensor object"):
        sess.run(x, {x: tf.constant([1.0, 2.0])})


def test_bad_feed_keys(sess):
    x = tf.placeholder(tf.float32, name="x")
    with pytest.raises(TypeError, match="Cannot interpret feed_dict key as Tensor: The name 'nope:0' refers to a "
                                        "Tensor which does not exist"):
        sess.run(x, {"nope:0": 1.0})
    with pytest.raises(TypeError, match="Cannot interpret feed_dict key as Tensor: Can not convert a int into a "
                                        "Tensor"):
        sess.run(x, {3: 1.0})
    other = tf.Graph()
    with other.as_default():
        foreign = tf.placeholder(tf.float32)
    with pytest.raises(TypeError, match="Cannot interpret feed_dict key as Tensor: Tensor .* is not an element of "
                                        "this graph"):
        sess.run(x, {foreign: 1.0})


def test_bad_fetches(sess):
    tf.constant(1)
    with pytest.raises(TypeError, match="Fetch argument None has invalid type <class 'NoneType'>"):
        sess.run(None)
    with pytest.raises(ValueError, match="Fetch argument 'nope:0' cannot be interpreted as a Tensor. \\(The name "
                                         "'nope:0' refers to a Tensor which does not exist"):
        sess.run("nope:0")
    with pytest.raises(TypeError, match="Fetch argument 3 has invalid type <class 'int'>, must be a string or "
                                        "Tensor"):
        sess.run(3)
    other = tf.Graph()
    with other.as_default():
        foreign = tf.constant(1)
    with pytest.raises(ValueError, match="is not an element of this graph"):
        sess.run(foreign)


def test_plan_is_compiled_once_per_signature(sess):
    x = tf.placeholder(tf.float32, [2])
    y = tf.reduce_sum(x * x)
    for i in range(5):
        assert sess.run(y, {x: [i, 1.0]}) == i * i + 1
        sess.run([y], {x: [i, 1.0]})
    assert len(sess._plans) == 1  # `y` and `[y]` share one compiled plan


def test_each_session_has_its_own_variables():
    v = tf.Variable(1.0)
    inc = v.assign_add(1.0)
    s1, s2 = tf.Session(), tf.Session()
    s1.run(v.initializer)
    s2.run(v.initializer)
    s1.run(inc)
    s1.run(inc)
    assert s1.run(v) == 3.0 and s2.run(v) == 1.0


def test_closed_session_and_empty_graph():
    s = tf.Session()
    with pytest.raises(RuntimeError, match="The Session graph is empty"):
        s.run([])
    c = tf.constant(1)
    s.close()
    with pytest.raises(RuntimeError, match="Attempted to use a closed Session."):
        s.run(c)


class _FeedThatWaits:
    """A feed value whose conversion (inside `Session.run`) signals `entered` and blocks until `release`."""

    def __init__(self, value):
        self.value = value
        self.entered, self.release = threading.Event(), threading.Event()

    def __array__(self, dtype=None, copy=None):
        self.entered.set()
        assert self.release.wait(10)
        return np.asarray(self.value, dtype)


def _close_while_a_run_is_in_flight(sess, fetch, feed_key, warm_runs=0):
    """Starts `sess.run(fetch)` in a thread, closes the session while that run is inside, then lets the run
    go on: returns what the run raised (or None) and the run's result."""
    for _ in range(warm_runs):
        sess.run(fetch, {feed_key: 1.0})
    feed = _FeedThatWaits(1.0)
    outcome = {}

    def run():
        try:
            outcome["value"] = sess.run(fetch, {feed_key: feed})
        except Exception as exc:  # noqa: BLE001 - the test inspects it
            outcome["error"] = exc
    runner = threading.Thread(target=run)
    runner.start()
    assert feed.entered.wait(10)
    closer = threading.Thread(target=sess.close)
    closer.start()
    closer.join(0.3)  # a close() that frees state under the run returns at once; ours waits for the run
    feed.release.set()
    runner.join(10)
    closer.join(10)
    assert not runner.is_alive() and not closer.is_alive()
    return outcome.get("error"), outcome.get("value")


@pytest.mark.parametrize("warm_runs", [0, 1, 2])
def test_close_cancels_runs_in_flight_and_refuses_later_ones(warm_runs):
    x = tf.placeholder(tf.float32, [])
    v = tf.Variable(2.0)
    y = x * v
    for _ in range(3 * codegen.PART_STEPS):  # long enough to be generated as several parts
        y = tf.sin(y)
    sess = tf.Session()
    sess.run(v.initializer)
    error, _ = _close_while_a_run_is_in_flight(sess, y, x, warm_runs)
    assert isinstance(error, tf.errors.CancelledError) and "Session has been closed." in str(error)
    with pytest.raises(RuntimeError, match="Attempted to use a closed Session."):
        sess.run(y, {x: 1.0})


def test_threads_running_while_the_session_closes_end_with_a_closed_session_error():
    x = tf.placeholder(tf.float32, [None])
    v = tf.Variable(tf.zeros([64]))
    y = x
    for _ in range(300):  # runs long enough that close() comes while one is inside
        y = tf.sin(y)
    step = v.assign_add(y * 0.001)
    sess = tf.Session()
    sess.run(v.initializer)
    runs_done, errors_seen = [], []

    def train():
        try:
            while True:
                sess.run(step, {x: np.ones(64, np.float32)})
                runs_done.append(1)
        except Exception as exc:  # noqa: BLE001 - the test inspects it
            errors_seen.append(exc)
    threads = [threading.Thread(target=train) for _ in range(4)]
    for t in threads:
        t.start()
    while len(runs_done) < 40:  # all are busy running now
        time.sleep(0.01)
    sess.close()
    for t in threads:
        t.join(10)
    assert len(errors_seen) == 4
    for exc in errors_seen:
        assert isinstance(exc, tf.errors.CancelledError) or (
            type(exc) is RuntimeError and str(exc) == "Attempted to use a closed Session."), repr(exc)


def test_context_manager_makes_default_session_and_graph():
    g = tf.Graph()
    with g.as_default():
        c = tf.constant(5)
    with tf.Session(graph=g) as s:
        assert tf.get_default_session() is s and tf.get_default_graph() is g
        assert c.eval() == 5
        c.op.run()
    assert tf.get_default_session() is None
    with pytest.raises(RuntimeError, match="closed Session"):
        s.run(c)


def test_eval_and_run_without_session():
    c = tf.constant(1)
    with pytest.raises(ValueError, match="Cannot evaluate tensor using `eval\\(\\)`: No default session is "
                                         "registered"):
        c.eval()
    with pytest.raises(ValueError, match="Cannot execute operation using `run\\(\\)`: No default session"):
        c.op.run()
    other = tf.Session(graph=tf.Graph())
    with pytest.raises(ValueError, match="the tensor's graph is different from the session's graph"):
        c.eval(session=other)


def test_as_default_and_interactive_session():
    c = tf.constant(2)
    s = tf.Session()
    with s.as_default():
        assert c.eval() == 2
    assert tf.get_default_session() is None
    inter = tf.InteractiveSession()
    try:
        assert tf.get_default_session() is inter and c.eval() == 2
        v = tf.Variable(3)
        v.initializer.run()
        assert v.eval() == 3
    finally:
        inter.close()
    assert tf.get_default_session() is None


def test_make_callable(sess):
    x = tf.placeholder(tf.float32, [None])
    y = tf.reduce_sum(x)
    f = sess.make_callable([y, x], feed_list=[x])
    total, same = f([1.0, 2.0])
    assert total == 3.0 and same.tolist() == [1.0, 2.0]


def test_config_proto_is_accepted():
    config = tf.ConfigProto(allow_soft_placement=True, log_device_placement=False)
    config.gpu_options.allow_growth = True
    with tf.Session(config=config) as s:
        assert s.run(tf.constant(1)) == 1


@pytest.mark.parametrize("dtype, value", [
    (tf.float16, [1.5]), (tf.float32, [1.5]), (tf.float64, [1.5]), (tf.int8, [-3]), (tf.int16, [300]),
    (tf.int32, [7]), (tf.int64, [2 ** 40]), (tf.uint8, [255]), (tf.bool, [True, False]), (tf.string, ["hi", b"yo"]),
])
def test_every_dtype_feeds_and_fetches(sess, dtype, value):
    p = tf.placeholder(dtype, [None])
    out = sess.run(tf.identity(p), {p: value})
    assert out.dtype == np.dtype(dtype.as_numpy_dtype)
    expected = [v.encode() if isinstance(v, str) else v for v in value]
    assert out.tolist() == expected
    c = tf.constant(value, dtype=dtype)
    assert c.dtype == dtype and sess.run(c).tolist() == expected


def test_placeholder_with_default_can_be_fed(sess):
    d = tf.placeholder_with_default(tf.constant([1.0, 2.0]), shape=[None])
    y = d * 2.0
    assert sess.run(y).tolist() == [2.0, 4.0]
    assert sess.run(y, {d: [5.0]}).tolist() == [10.0]
