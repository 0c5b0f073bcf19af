"""TF1 queue-based input: input producers (epochs via a local counter, shuffling, seeds), tf.count_up_to, and
the batchers (batch, shuffle_batch, batch_join, shuffle_batch_join; allow_smaller_final_batch, dynamic_pad),
ending in a small training loop fed by shuffle_batch under a Coordinator."""
import numpy as np
import pytest

import neuroflow as tf


def _drain(sess, fetch):
    out = []
    with pytest.raises(tf.errors.OutOfRangeError):
        while True:
            out.append(sess.run(fetch))
    return out


def _start(sess):
    sess.run([tf.global_variables_initializer(), tf.local_variables_initializer()])
    coord = tf.train.Coordinator()
    return coord, tf.train.start_queue_runners(sess=sess, coord=coord)


def _stop(coord, threads):
    coord.request_stop()
    coord.join(threads, stop_grace_period_secs=10)


def test_count_up_to_counts_then_raises_out_of_range():
    with tf.Graph().as_default():
        v = tf.Variable(np.int64(0), trainable=False)
        c = tf.count_up_to(v, 3)
        with tf.Session() as sess:
            sess.run(v.initializer)
            assert [sess.run(c) for _ in range(3)] == [0, 1, 2]
            with pytest.raises(tf.errors.OutOfRangeError, match="Reached limit of 3"):
                sess.run(c)
            assert sess.run(v) == 3


def test_string_input_producer_in_order_for_num_epochs_then_out_of_range():
    with tf.Graph().as_default():
        q = tf.train.string_input_producer(["a", "b", "c"], num_epochs=2, shuffle=False)
        assert any(v.op.name.endswith("epochs") for v in tf.local_variables())
        name = q.dequeue()
        with tf.Session() as sess:
            coord, threads = _start(sess)
            assert _drain(sess, name) == [b"a", b"b", b"c", b"a", b"b", b"c"]
            _stop(coord, threads)


def test_string_input_producer_rejects_an_empty_list():
    with tf.Graph().as_default(), pytest.raises(ValueError, match="non-null input tensor"):
        tf.train.string_input_producer([])


def test_range_input_producer_shuffles_each_epoch_reproducibly_with_a_seed():
    def epochs(seed):
        with tf.Graph().as_default():
            q = tf.train.range_input_producer(10, num_epochs=3, shuffle=True, seed=seed)
            i = q.dequeue()
            with tf.Session() as sess:
                coord, threads = _start(sess)
                got = [int(v) for v in _drain(sess, i)]
                _stop(coord, threads)
                return [got[k:k + 10] for k in (0, 10, 20)]
    a, b, c = epochs(7), epochs(7), epochs(8)
    assert len(a) == 3 and all(sorted(e) == list(range(10)) for e in a)
    assert a[0] != a[1] or a[1] != a[2]  # a new order each epoch
    assert a == b and a != c


def test_slice_input_producer_keeps_rows_together():
    with tf.Graph().as_default():
        x, y = tf.train.slice_input_producer([np.arange(6), np.arange(6) * 10.0], num_epochs=1, seed=1)
        with tf.Session() as sess:
            coord, threads = _start(sess)
            rows = _drain(sess, [x, y])
            _stop(coord, threads)
    assert sorted(int(a) for a, _ in rows) == list(range(6))
    assert all(b == a * 10 for a, b in rows)


def test_batch_keeps_order_and_allows_a_smaller_final_batch():
    with tf.Graph().as_default():
        x, y = tf.train.slice_input_producer([np.arange(5), np.arange(5) * 2], num_epochs=1, shuffle=False)
        bx, by = tf.train.batch([x, y], batch_size=2, allow_smaller_final_batch=True)
        assert bx.shape.as_list() == [None]
        with tf.Session() as sess:
            coord, threads = _start(sess)
            batches = _drain(sess, [bx, by])
            _stop(coord, threads)
    assert [len(b[0]) for b in batches] == [2, 2, 1]
    assert [v for b in batches for v in b[0].tolist()] == [0, 1, 2, 3, 4]
    assert all((b[1] == b[0] * 2).all() for b in batches)
    with tf.Graph().as_default():
        full = tf.train.batch({"x": tf.constant(1.0)}, batch_size=2)
        assert set(full) == {"x"} and full["x"].shape.as_list() == [2]


def test_batch_of_one_tensor_returns_a_tensor_and_enqueue_many_splits_rows():
    with tf.Graph().as_default():
        rows = tf.constant(np.arange(12.0).reshape(6, 2))
        single = tf.train.batch([rows], batch_size=3, enqueue_many=True)
        assert isinstance(single, tf.Tensor) and single.shape.as_list() == [3, 2]
        with tf.Session() as sess:
            coord, threads = _start(sess)
            np.testing.assert_array_equal(sess.run(single), np.arange(6.0).reshape(3, 2))
            np.testing.assert_array_equal(sess.run(single), np.arange(6.0, 12.0).reshape(3, 2))
            _stop(coord, threads)


def test_batch_dynamic_pad_pads_to_the_longest_in_the_batch():
    with tf.Graph().as_default():
        n = tf.train.range_input_producer(4, shuffle=False).dequeue() + 1
        seq = tf.fill(tf.expand_dims(n, 0), n)
        padded = tf.train.batch([seq], batch_size=3, dynamic_pad=True)
        with tf.Session() as sess:
            coord, threads = _start(sess)
            np.testing.assert_array_equal(sess.run(padded), [[1, 0, 0], [2, 2, 0], [3, 3, 3]])
            _stop(coord, threads)


def test_batch_join_and_shuffle_batch_join_read_every_list():
    with tf.Graph().as_default():
        a = tf.train.range_input_producer(4, num_epochs=1, shuffle=False).dequeue()
        b = tf.train.range_input_producer(4, num_epochs=1, shuffle=False).dequeue() + 100
        joined = tf.train.batch_join([[a], [b]], batch_size=2, allow_smaller_final_batch=True)
        with tf.Session() as sess:
            coord, threads = _start(sess)
            got = sorted(int(v) for batch in _drain(sess, joined) for v in batch)
            _stop(coord, threads)
        assert got == [0, 1, 2, 3, 100, 101, 102, 103]
    with tf.Graph().as_default():
        a = tf.train.range_input_producer(4, num_epochs=1, seed=1).dequeue()
        b = tf.train.range_input_producer(4, num_epochs=1, seed=2).dequeue() + 100
        joined = tf.train.shuffle_batch_join([[a], [b]], batch_size=2, capacity=20, min_after_dequeue=2, seed=3,
                                             allow_smaller_final_batch=True)
        with tf.Session() as sess:
            coord, threads = _start(sess)
            got = sorted(int(v) for batch in _drain(sess, joined) for v in batch)
            _stop(coord, threads)
        assert got == [0, 1, 2, 3, 100, 101, 102, 103]


def test_shuffle_batch_mixes_and_is_seeded():
    def draw(seed):
        with tf.Graph().as_default():
            i = tf.train.range_input_producer(50, num_epochs=1, shuffle=False).dequeue()
            b = tf.train.shuffle_batch([i], batch_size=10, capacity=60, min_after_dequeue=20, seed=seed,
                                       allow_smaller_final_batch=True)
            with tf.Session() as sess:
                coord, threads = _start(sess)
                got = [int(v) for batch in _drain(sess, b) for v in batch]
                _stop(coord, threads)
                return got
    a = draw(5)
    assert sorted(a) == list(range(50)) and a != list(range(50))


def test_training_loop_fed_by_shuffle_batch_under_a_coordinator():
    rng = np.random.default_rng(0)
    features = rng.normal(size=(256, 3)).astype(np.float32)
    true_w = np.array([[1.5], [-2.0], [0.5]], np.float32)
    labels = features @ true_w + 0.25
    with tf.Graph().as_default():
        x, y = tf.train.slice_input_producer([features, labels], num_epochs=40, seed=1)
        bx, by = tf.train.shuffle_batch([x, y], batch_size=32, capacity=200, min_after_dequeue=64, seed=2)
        w = tf.Variable(tf.zeros([3, 1]))
        b = tf.Variable(0.0)
        loss = tf.reduce_mean(tf.square(tf.matmul(bx, w) + b - by))
        train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
        with tf.Session() as sess:
            coord, threads = _start(sess)
            steps = 0
            try:
                while not coord.should_stop():
                    sess.run(train)
                    steps += 1
            except tf.errors.OutOfRangeError:
                coord.request_stop()
            finally:
                coord.request_stop()
            coord.join(threads, stop_grace_period_secs=10)
            assert steps == 256 * 40 // 32  # every full batch of 40 epochs, then OutOfRangeError
            np.testing.assert_allclose(sess.run(w), true_w, atol=1e-2)
            assert abs(sess.run(b) - 0.25) < 1e-2


def test_maybe_batch_and_maybe_shuffle_batch_keep_only_the_chosen_examples():
    with tf.Graph().as_default():
        i = tf.train.range_input_producer(10, num_epochs=1, shuffle=False).dequeue()
        evens = tf.train.maybe_batch([i], tf.equal(i % 2, 0), batch_size=2, allow_smaller_final_batch=True)
        with tf.Session() as sess:
            coord, threads = _start(sess)
            assert [b.tolist() for b in _drain(sess, evens)] == [[0, 2], [4, 6], [8]]
            _stop(coord, threads)
    with tf.Graph().as_default():
        rows = tf.constant(np.arange(8))
        kept = tf.train.maybe_shuffle_batch([rows], 3, capacity=20, min_after_dequeue=0, keep_input=rows < 6,
                                            enqueue_many=True, seed=1)
        with tf.Session() as sess:
            coord, threads = _start(sess)
            got = sess.run(kept).tolist() + sess.run(kept).tolist()
            _stop(coord, threads)
        assert len(got) == 6 and set(got) <= {0, 1, 2, 3, 4, 5}  # the runner enqueues the rows again and again


def test_monitored_training_session_runs_queue_runners_until_the_epochs_end(tmp_path):
    with tf.Graph().as_default():
        x = tf.train.slice_input_producer([np.arange(12.0, dtype=np.float32)], num_epochs=2, shuffle=False)[0]
        batch = tf.train.batch([x], batch_size=4)
        tf.train.get_or_create_global_step()
        total = tf.Variable(0.0)
        step = tf.assign_add(total, tf.reduce_sum(batch))
        seen = []
        with tf.train.MonitoredTrainingSession(checkpoint_dir=str(tmp_path)) as sess:
            while not sess.should_stop():
                seen.append(sess.run(step))
        assert len(seen) == 6 and seen[-1] == 2 * sum(range(12))
