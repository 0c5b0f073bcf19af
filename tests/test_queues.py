"""TF1 queues (FIFOQueue, RandomShuffleQueue, PaddingFIFOQueue), QueueRunner and Coordinator: order, blocking
across threads, closing, OutOfRangeError after drain, cancellation by Session.close, exceptions re-raised."""
import threading
import time

import numpy as np
import pytest

import neuroflow as tf


def _run_in_thread(fn):
    box = {}

    def target():
        try:
            box["value"] = fn()
        except BaseException as e:  # noqa: BLE001 - handed to the test
            box["error"] = e
    t = threading.Thread(target=target, daemon=True)
    t.start()
    return t, box


def test_fifo_order_components_size_and_dequeue_many():
    with tf.Graph().as_default():
        q = tf.FIFOQueue(10, [tf.float32, tf.int32], shapes=[[], [2]])
        x, y = tf.placeholder(tf.float32, [None]), tf.placeholder(tf.int32, [None, 2])
        enq = q.enqueue_many([x, y])
        one, many = q.dequeue(), q.dequeue_many(2)
        assert many[0].shape.as_list() == [2] and many[1].shape.as_list() == [2, 2]
        assert one[1].shape.as_list() == [2] and one[0].dtype == tf.float32
        with tf.Session() as sess:
            sess.run(enq, {x: [1, 2, 3], y: [[1, 1], [2, 2], [3, 3]]})
            sess.run(q.enqueue([4.0, [4, 4]]))
            assert sess.run(q.size()) == 4
            a, b = sess.run(one)
            assert a == 1.0 and b.tolist() == [1, 1]
            a, b = sess.run(many)
            assert a.tolist() == [2.0, 3.0] and b.tolist() == [[2, 2], [3, 3]]
            assert sess.run(q.size()) == 1


def test_single_component_dequeue_returns_a_tensor():
    with tf.Graph().as_default():
        q = tf.FIFOQueue(3, tf.int64, shapes=[])
        d = q.dequeue()
        assert isinstance(d, tf.Tensor)
        with tf.Session() as sess:
            sess.run(q.enqueue_many([[7, 8]]))
            assert sess.run(d) == 7 and sess.run(d) == 8


def test_dequeue_blocks_until_another_thread_enqueues():
    with tf.Graph().as_default():
        q = tf.FIFOQueue(2, tf.float32, shapes=[])
        d = q.dequeue_many(2)
        enq = q.enqueue(tf.placeholder_with_default(5.0, []))
        with tf.Session() as sess:
            t, box = _run_in_thread(lambda: sess.run(d))
            t.join(0.2)
            assert t.is_alive()  # nothing in the queue yet: blocked
            sess.run(enq)
            sess.run(enq)
            t.join(10)
            assert not t.is_alive() and box["value"].tolist() == [5.0, 5.0]


def test_enqueue_blocks_while_full():
    with tf.Graph().as_default():
        q = tf.FIFOQueue(2, tf.int32, shapes=[])
        enq = q.enqueue_many([[1, 2, 3]])
        d = q.dequeue()
        with tf.Session() as sess:
            t, box = _run_in_thread(lambda: sess.run(enq))
            t.join(0.2)
            assert t.is_alive() and sess.run(q.size()) == 2
            assert sess.run(d) == 1
            t.join(10)
            assert not t.is_alive() and "error" not in box
            assert [sess.run(d), sess.run(d)] == [2, 3]


def test_close_drains_then_out_of_range_and_refuses_enqueues():
    with tf.Graph().as_default():
        q = tf.FIFOQueue(10, tf.int32, shapes=[])
        d, many, up_to = q.dequeue(), q.dequeue_many(3), q.dequeue_up_to(3)
        with tf.Session() as sess:
            sess.run(q.enqueue_many([[1, 2, 3, 4, 5]]))
            sess.run(q.close())
            with pytest.raises(tf.errors.CancelledError, match="is closed"):
                sess.run(q.enqueue(9))
            assert sess.run(many).tolist() == [1, 2, 3]
            with pytest.raises(tf.errors.OutOfRangeError, match=r"insufficient elements \(requested 3, current "
                                                                 r"size 2\)"):
                sess.run(many)
            assert sess.run(up_to).tolist() == [4, 5]
            with pytest.raises(tf.errors.OutOfRangeError):
                sess.run(d)


def test_close_wakes_a_blocked_dequeue_with_out_of_range():
    with tf.Graph().as_default():
        q = tf.FIFOQueue(10, tf.int32, shapes=[])
        d = q.dequeue()
        with tf.Session() as sess:
            t, box = _run_in_thread(lambda: sess.run(d))
            t.join(0.2)
            sess.run(q.close())
            t.join(10)
            assert isinstance(box.get("error"), tf.errors.OutOfRangeError)


def test_session_close_cancels_a_blocked_dequeue():
    with tf.Graph().as_default():
        q = tf.FIFOQueue(10, tf.int32, shapes=[])
        d = q.dequeue()
        sess = tf.Session()
        t, box = _run_in_thread(lambda: sess.run(d))
        t.join(0.2)
        sess.close()
        t.join(10)
        assert not t.is_alive() and isinstance(box.get("error"), tf.errors.CancelledError)


def test_each_session_has_its_own_queue():
    with tf.Graph().as_default():
        q = tf.FIFOQueue(10, tf.int32, shapes=[])
        enq, size = q.enqueue(1), q.size()
        with tf.Session() as a, tf.Session() as b:
            a.run(enq)
            assert a.run(size) == 1 and b.run(size) == 0


def test_random_shuffle_queue_keeps_min_after_dequeue_and_is_seeded():
    def draw(seed):
        with tf.Graph().as_default():
            q = tf.RandomShuffleQueue(100, 5, tf.int32, shapes=[], seed=seed)
            enq, many, close, d = q.enqueue_many([list(range(20))]), q.dequeue_many(15), q.close(), q.dequeue()
            with tf.Session() as sess:
                sess.run(enq)
                first = sess.run(many)
                t, box = _run_in_thread(lambda: sess.run(d))
                t.join(0.2)
                assert t.is_alive()  # 5 left = min_after_dequeue: blocked until closed
                sess.run(close)
                t.join(10)
                rest = [box["value"]] + [sess.run(d) for _ in range(4)]
                return first.tolist() + rest
    a, b, c = draw(3), draw(3), draw(4)
    assert sorted(a) == list(range(20)) and a != list(range(20))
    assert a == b and a != c


def test_padding_fifo_queue_pads_to_the_longest():
    with tf.Graph().as_default():
        q = tf.PaddingFIFOQueue(10, [tf.int32], shapes=[[None]])
        x = tf.placeholder(tf.int32, [None])
        enq, many = q.enqueue([x]), q.dequeue_many(3)
        with tf.Session() as sess:
            for v in ([1], [2, 2, 2], [3, 3]):
                sess.run(enq, {x: v})
            np.testing.assert_array_equal(sess.run(many), [[1, 0, 0], [2, 2, 2], [3, 3, 0]])


def test_queue_runner_fills_a_queue_until_the_coordinator_stops():
    with tf.Graph().as_default():
        q = tf.FIFOQueue(4, tf.float32, shapes=[])
        counter = tf.Variable(0.0)
        qr = tf.train.QueueRunner(q, [q.enqueue(tf.assign_add(counter, 1.0))])
        tf.train.add_queue_runner(qr)
        assert tf.get_collection(tf.GraphKeys.QUEUE_RUNNERS) == [qr]
        batch = q.dequeue_many(3)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            coord = tf.train.Coordinator()
            threads = tf.train.start_queue_runners(sess=sess, coord=coord)
            assert sess.run(batch).tolist() == [1, 2, 3] and sess.run(batch).tolist() == [4, 5, 6]
            coord.request_stop()
            coord.join(threads, stop_grace_period_secs=10)
            assert coord.should_stop() and not any(t.is_alive() for t in threads)


def test_queue_runner_closes_its_queue_when_every_enqueue_op_ends():
    with tf.Graph().as_default():
        source = tf.FIFOQueue(10, tf.int32, shapes=[])
        fill, close_source = source.enqueue_many([[1, 2, 3]]), source.close()
        q = tf.FIFOQueue(10, tf.int32, shapes=[])
        qr = tf.train.QueueRunner(q, [q.enqueue(source.dequeue() * 10)] * 2)
        d = q.dequeue()
        with tf.Session() as sess:
            sess.run([fill])
            sess.run(close_source)
            coord = tf.train.Coordinator()
            threads = qr.create_threads(sess, coord=coord, start=True)
            got = []
            with pytest.raises(tf.errors.OutOfRangeError):
                while True:
                    got.append(int(sess.run(d)))
            assert sorted(got) == [10, 20, 30]
            coord.request_stop()
            coord.join(threads, stop_grace_period_secs=10)


def test_coordinator_reraises_the_first_exception_and_treats_out_of_range_as_clean():
    coord = tf.train.Coordinator()

    def worker(exc):
        with coord.stop_on_exception():
            while not coord.should_stop():
                time.sleep(0.01)
                if exc is not None:
                    raise exc
    threads = [threading.Thread(target=worker, args=(e,)) for e in (None, ValueError("boom"))]
    for t in threads:
        t.start()
    with pytest.raises(ValueError, match="boom"):
        coord.join(threads, stop_grace_period_secs=10)
    clean = tf.train.Coordinator()
    clean.request_stop(tf.errors.OutOfRangeError(None, None, "done"))
    clean.join([])
    assert clean.should_stop() and clean.joined


def test_coordinator_join_reports_threads_that_outlive_the_grace_period():
    coord = tf.train.Coordinator()
    release = threading.Event()
    t = threading.Thread(target=release.wait, daemon=True)
    t.start()
    coord.request_stop()
    with pytest.raises(RuntimeError, match="threads still running"):
        coord.join([t], stop_grace_period_secs=0.05)
    release.set()


def test_shapes_follow_tensorflows_rules_for_one_component():
    with tf.Graph().as_default():
        assert tf.FIFOQueue(2, tf.float32, shapes=[[3]]).shapes[0].as_list() == [3]
        assert tf.FIFOQueue(2, tf.float32, shapes=[3]).shapes[0].as_list() == [3]
        assert tf.FIFOQueue(2, [tf.float32], shapes=[]).shapes[0].as_list() == []
        assert tf.FIFOQueue(2, tf.float32).shapes[0].dims is None
        with pytest.raises(ValueError, match="same length as dtypes"):
            tf.FIFOQueue(2, [tf.float32, tf.int32], shapes=[[1], [2], [3]])
