"""`Dataset.prefetch` with a background producer: the same elements in the same order as without it, the producer
running ahead of a blocked consumer by exactly the buffer (checked with events, not timings), upstream errors
raised in order, reinitialization and session close stopping the producer and closing the user's generator, and
TensorFlow's buffer_size rules."""
import threading

import numpy as np
import pytest

import neuroflow as tf

Dataset = tf.data.Dataset
WAIT = 30  # seconds an event may take on a loaded machine; only a broken producer ever waits this long


def drain(next_element, sess):
    out = []
    while True:
        try:
            out.append(sess.run(next_element))
        except tf.errors.OutOfRangeError:
            return out


def prefetch_threads():
    return [t for t in threading.enumerate() if t.name == "neuroflow-prefetch"]


class Recorder:
    """A generator function for from_generator that sets an event as it yields each element and records when
    a pass's generator is closed."""

    def __init__(self, n, fail_at=None):
        self.n, self.fail_at = n, fail_at
        self.produced = [threading.Event() for _ in range(n)]
        self.closed = []
        self.passes = 0

    def __call__(self):
        self.passes += 1
        this_pass = self.passes
        try:
            for i in range(self.n):
                if i == self.fail_at:
                    raise ValueError(f"element {i} is bad")
                self.produced[i].set()
                yield np.float32(i)
        finally:
            self.closed.append(this_pass)


@pytest.mark.parametrize("buffer_size", [0, 1, 3, tf.data.experimental.AUTOTUNE])
def test_same_elements_in_order_as_without_prefetch(buffer_size):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((50, 4)).astype(np.float32)
    y = np.arange(50)

    def pipeline(prefetch):
        ds = Dataset.from_tensor_slices((x, y)).shuffle(20, seed=3).map(lambda a, b: (tf.tanh(a) * 2.0, b + 1))
        ds = ds.batch(7)
        return ds.prefetch(buffer_size) if prefetch else ds

    tf.reset_default_graph()
    with tf.Session() as sess:
        plain = drain(pipeline(False).make_one_shot_iterator().get_next(), sess)
        fetched = drain(pipeline(True).make_one_shot_iterator().get_next(), sess)
    assert len(fetched) == len(plain) == 8
    for (a1, b1), (a2, b2) in zip(plain, fetched):
        np.testing.assert_array_equal(a1, a2)
        np.testing.assert_array_equal(b1, b2)


@pytest.mark.parametrize("buffer_size", [1, 3])
def test_producer_runs_ahead_of_a_blocked_consumer_by_the_buffer(buffer_size):
    source = Recorder(10)
    ds = Dataset.from_generator(source, tf.float32, []).map(lambda v: v * 2.0).prefetch(buffer_size)
    tf.reset_default_graph()
    next_element = ds.make_one_shot_iterator().get_next()
    with tf.Session() as sess:
        assert sess.run(next_element) == 0.0
        # The consumer now holds element 0 and asks for nothing: the producer fills the buffer on its own.
        assert source.produced[buffer_size].wait(WAIT), "prefetch did not produce ahead of the consumer"
        # ... and stops there: one more element may be in the producer's hands, waiting for room.
        assert not source.produced[buffer_size + 2].wait(0.2)
        assert drain(next_element, sess) == [2.0 * i for i in range(1, 10)]


def test_without_prefetch_nothing_is_produced_ahead():
    source = Recorder(5)
    tf.reset_default_graph()
    next_element = Dataset.from_generator(source, tf.float32, []).make_one_shot_iterator().get_next()
    with tf.Session() as sess:
        sess.run(next_element)
        assert not source.produced[1].wait(0.2)


def test_upstream_error_after_the_elements_before_it_then_end_of_sequence():
    results = {}
    for prefetch in (False, True):
        source = Recorder(6, fail_at=3)
        ds = Dataset.from_generator(source, tf.float32, [])
        ds = ds.prefetch(2) if prefetch else ds
        tf.reset_default_graph()
        next_element = ds.make_one_shot_iterator().get_next()
        got = []
        with tf.Session() as sess:
            for _ in range(3):
                got.append(float(sess.run(next_element)))
            with pytest.raises(Exception) as info:
                sess.run(next_element)
            with pytest.raises(tf.errors.OutOfRangeError):
                sess.run(next_element)
        results[prefetch] = (got, type(info.value), "element 3 is bad" in str(info.value))
    assert results[True] == results[False]
    assert results[True][0] == [0.0, 1.0, 2.0] and results[True][2]


def test_reinitializing_stops_the_producer_and_closes_the_generator():
    source = Recorder(100)
    tf.reset_default_graph()
    iterator = Dataset.from_generator(source, tf.float32, []).prefetch(2).make_initializable_iterator()
    next_element = iterator.get_next()
    before = len(prefetch_threads())
    with tf.Session() as sess:
        sess.run(iterator.initializer)
        assert [sess.run(next_element) for _ in range(3)] == [0.0, 1.0, 2.0]
        assert source.closed == []
        sess.run(iterator.initializer)
        assert source.closed == [1]  # the first pass's generator was closed when the iterator restarted
        assert [sess.run(next_element) for _ in range(2)] == [0.0, 1.0]
    # Closing the session dropped the second pass: its producer stopped and its generator was closed.
    assert source.closed == [1, 2]
    assert len(prefetch_threads()) == before


def test_leaving_an_eager_loop_early_stops_the_producer():
    source = Recorder(100)
    before = len(prefetch_threads())
    with tf.eager_mode():
        got = []
        for value in Dataset.from_generator(source, tf.float32, []).map(lambda v: v + 1.0).prefetch(4):
            got.append(float(value.numpy()))
            if len(got) == 3:
                break
    del value
    assert got == [1.0, 2.0, 3.0]
    assert source.closed == [1]
    assert len(prefetch_threads()) == before


def test_buffer_size_rules():
    with pytest.raises(tf.errors.InvalidArgumentError, match="buffer_size must be >= 0 or set buffer_size to be -1"):
        Dataset.range(3).prefetch(-2)
    tf.reset_default_graph()
    size = tf.placeholder(tf.int64, [])
    iterator = Dataset.range(3).map(lambda v: v * 10).prefetch(size).make_initializable_iterator()
    next_element = iterator.get_next()
    with tf.Session() as sess:
        sess.run(iterator.initializer, {size: 1})
        assert drain(next_element, sess) == [0, 10, 20]
        with pytest.raises(tf.errors.InvalidArgumentError, match="buffer_size must be >= 0"):
            sess.run(iterator.initializer, {size: -3})


def test_a_process_ends_normally_with_a_prefetch_producer_still_running():
    import subprocess
    import sys
    program = (
        "import neuroflow as tf\n"
        "ds = tf.data.Dataset.range(10 ** 9).map(lambda v: v * 2).prefetch(4)\n"
        "x = ds.make_one_shot_iterator().get_next()\n"
        "sess = tf.Session()\n"
        "print(sess.run(x), sess.run(x))\n")
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["0", "2"]
