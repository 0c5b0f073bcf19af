"""Experiment helpers: EarlyStopping (with weights restored in a real Session), repeat_with_seeds, ProgressBar."""
import io

import numpy as np
import pytest

import neuroflow as tf


# --- EarlyStopping ---------------------------------------------------------------------------------------------
def _feed(stopper, values):
    """The index at which update() first returns True (None if never)."""
    for i, v in enumerate(values):
        if stopper.update(v):
            return i
    return None


def test_patience_and_mode_min():
    stopper = tf.train.EarlyStopping(patience=2, restore_best_weights=False)
    assert _feed(stopper, [1.0, 0.8, 0.9, 0.85, 0.7]) == 3
    assert stopper.best == 0.8 and stopper.best_step == 1 and stopper.stopped_step == 3 and stopper.wait == 2
    assert stopper.should_stop


def test_mode_max_and_min_delta():
    stopper = tf.train.EarlyStopping(patience=2, mode="max", min_delta=0.01, restore_best_weights=False)
    # 0.505 is not an improvement of more than 0.01 over 0.5; 0.52 is.
    assert _feed(stopper, [0.5, 0.505, 0.52, 0.525, 0.529, 0.6]) == 4
    assert stopper.best == 0.52 and stopper.best_step == 2


def test_patience_zero_stops_at_first_non_improvement_and_nan_never_improves():
    stopper = tf.train.EarlyStopping(patience=0, restore_best_weights=False)
    assert _feed(stopper, [3.0, 2.0, 2.0]) == 2
    stopper = tf.train.EarlyStopping(patience=1, restore_best_weights=False)
    assert _feed(stopper, [3.0, float("nan")]) == 1 and stopper.best == 3.0


def test_explicit_steps_baseline_and_reset():
    stopper = tf.train.EarlyStopping(patience=1, mode="max", baseline=0.9, restore_best_weights=False)
    assert not stopper.update(0.95, step=10)
    assert stopper.update(0.5, step=20)
    assert stopper.best_step == 10 and stopper.stopped_step == 20
    stopper.reset()
    assert stopper.best == 0.9 and stopper.best_step is None and stopper.stopped_step is None and stopper.wait == 0
    with pytest.raises(ValueError, match='"min" or "max"'):
        tf.train.EarlyStopping(mode="maximum")


def test_best_weights_restored_in_session():
    w = tf.Variable([1.0, 2.0], name="w")
    b = tf.Variable(0.0, name="b")
    step = tf.Variable(0, name="counter", trainable=False)
    grow = tf.group(tf.assign_add(w, [1.0, 1.0]), tf.assign_add(b, 1.0))
    stopper = tf.train.EarlyStopping(patience=2, mode="max", var_list=[w, b])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        accuracies = [0.5, 0.7, 0.6, 0.65]  # best after the second epoch, stop after the fourth
        for epoch, acc in enumerate(accuracies):
            sess.run([grow, tf.assign_add(step, 1)])
            if stopper.update(acc, sess):
                break
        assert stopper.stopped_step == 3 and stopper.best_step == 1
        # Restored automatically on stop: the values after epoch 2, not epoch 4; `counter` is not in var_list.
        np.testing.assert_array_equal(sess.run(w), [3.0, 4.0])
        assert sess.run(b) == 2.0 and sess.run(step) == 4
        # Training on after a restore never corrupts the snapshot; restore() again puts it back.
        sess.run(grow)
        assert stopper.restore(sess)
        np.testing.assert_array_equal(sess.run(w), [3.0, 4.0])


def test_restore_with_optimizer_updates_in_place():
    # Big enough for the fused in-place optimizer kernels: the snapshot must be a copy, not a reference.
    x = tf.constant(np.ones((4, 256), np.float32))
    w = tf.get_variable("w", [256, 128], initializer=tf.ones_initializer())
    loss = tf.reduce_sum(tf.matmul(x, w))
    train = tf.train.GradientDescentOptimizer(0.01).minimize(loss)
    stopper = tf.train.EarlyStopping(patience=3)  # default var_list: every global variable, default session
    with tf.Session() as sess, sess.as_default():
        sess.run(tf.global_variables_initializer())
        stopper.update(1.0)  # best at the initial weights
        for _ in range(3):
            sess.run(train)
            stopper.update(2.0)
        assert stopper.should_stop
        np.testing.assert_array_equal(sess.run(w), np.ones((256, 128), np.float32))


def test_eager_variables():
    with tf.eager_mode():
        v = tf.Variable([1.0, 2.0])
        stopper = tf.train.EarlyStopping(patience=1, var_list=[v])
        stopper.update(1.0)
        v.assign_add([5.0, 5.0])
        assert stopper.update(2.0)
        np.testing.assert_array_equal(v.numpy(), [1.0, 2.0])


def test_snapshot_needs_a_session():
    stopper = tf.train.EarlyStopping()
    with pytest.raises(ValueError, match="needs the Session"):
        stopper.update(1.0)


# --- repeat_with_seeds ---------------------------------------------------------------------------------------
def _tiny_experiment(seed):
    """A small regression trained for a few steps: returns the final loss (depends on the seed)."""
    x = tf.constant(np.linspace(-1, 1, 16, dtype=np.float32).reshape(16, 1))
    y = 3.0 * x + 1.0
    w = tf.Variable(tf.random_normal([1, 1]))
    loss = tf.reduce_mean(tf.square(tf.matmul(x, w) - y))
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    assert len(tf.global_variables()) == 1, "each seed gets a fresh graph"
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(3):
            sess.run(train)
        return sess.run(loss)


def test_repeat_with_seeds_reproducible_and_summarized():
    results = tf.train.repeat_with_seeds(_tiny_experiment, seeds=(0, 1, 2), name="loss")
    again = tf.train.repeat_with_seeds(_tiny_experiment, seeds=(0, 1, 2), name="loss")
    assert results.values == again.values and len(set(results.values)) == 3
    assert results.mean == pytest.approx(np.mean(results.values))
    assert results.std == pytest.approx(np.std(results.values, ddof=1))
    text = str(results)
    assert text.startswith("loss ") and " ± " in text and text.endswith("over 3 seeds")
    assert text == f"loss {results.mean:.3f} ± {results.std:.3f} over 3 seeds"
    assert results.per_seed[1] == results.values[1]


def test_repeat_with_seeds_dicts_numpy_seeding_and_state_restored():
    np.random.seed(123)
    expected_next = np.random.rand()
    np.random.seed(123)

    def experiment(seed):
        tf.reset_default_graph()  # allowed: the helper swaps in a fresh default graph
        return {"accuracy": np.random.rand(), "seed": seed}

    results = tf.train.repeat_with_seeds(experiment, seeds=[4, 5])
    assert np.random.rand() == expected_next, "the caller's NumPy state is put back"
    np.random.seed(4)
    assert results.values[0]["accuracy"] == np.random.rand()
    assert results.mean["seed"] == 4.5
    assert str(results) == (f"accuracy {results.mean['accuracy']:.3f} ± {results.std['accuracy']:.3f}, "
                            f"seed 4.500 ± 0.707 over 2 seeds")
    assert str(results["seed"]) == "seed 4.500 ± 0.707 over 2 seeds"
    assert format(results["seed"], ".1f") == "seed 4.5 ± 0.7 over 2 seeds"


def test_repeat_with_seeds_rejects_non_numbers_and_keeps_default_graph():
    outer = tf.get_default_graph()
    with pytest.raises(TypeError, match="must return a number or a dict of numbers"):
        tf.train.repeat_with_seeds(lambda seed: "high", seeds=[0])
    assert tf.get_default_graph() is outer
    with tf.Graph().as_default() as g:
        tf.train.repeat_with_seeds(lambda seed: float(tf.get_default_graph() is not g), seeds=[0])
        assert tf.get_default_graph() is g


# --- ProgressBar ---------------------------------------------------------------------------------------------
class _Clock:
    def __init__(self):
        self.t = 0.0

    def __call__(self):
        return self.t


def _bar(total, **kwargs):
    out = io.StringIO()
    bar = tf.train.ProgressBar(total, file=out, **kwargs)
    clock = _Clock()
    bar._clock, bar._start, bar._last_draw = clock, 0.0, (-1.0 if bar.dynamic else 0.0)
    return bar, out, clock


def test_progress_bar_terminal_redraws_one_line_rate_limited():
    bar, out, clock = _bar(100, dynamic=True, desc="train", min_interval=0.125)
    for i in range(100):
        clock.t = i / 64  # 64 steps/s; redraws at most every 0.125 s, so every 8 steps
        bar.update(loss=1.0 / (i + 1))
        if i == 49:
            mid = out.getvalue().split("\r")[-1]
    assert mid == "train: 49/100 [==============>               ]  49% loss=0.02041 | 65.3 step/s ETA 00:01"
    bar.close()
    text = out.getvalue()
    assert text.count("\r") == 14, "redraws are rate-limited (13 + the last step)"
    assert "\n" not in text[:-1] and text.endswith("\n")
    final = text.split("\r")[-1]
    assert final.startswith("train: 100/100 [==============================] 100% loss=0.01 |")
    assert "| 64.6 step/s in 00:02" in final


def test_progress_bar_plain_stream_writes_periodic_lines():
    bar, out, clock = _bar(1000, log_interval=10.0, unit="batch")
    assert not bar.dynamic  # a StringIO is not a terminal
    for i in range(1000):
        clock.t = i * 0.05
        bar.update(acc=np.float32(0.5))
    bar.close()
    lines = out.getvalue().splitlines()
    assert "\r" not in out.getvalue() and "[" not in out.getvalue()
    assert len(lines) == 5  # at 10 s, 20 s, 30 s, 40 s, and the final line
    assert lines[0].startswith("201/1000  20% acc=0.5 | 20.1 batch/s ETA 00:40")
    assert lines[-1].startswith("1000/1000 100% acc=0.5 | 20 batch/s in 00:50")


def test_progress_bar_wraps_iterables_and_context_manager():
    out = io.StringIO()
    seen = [step for step in tf.train.ProgressBar(range(7), file=out)]
    assert seen == list(range(7))
    assert out.getvalue().startswith("7/7 100%") and out.getvalue().count("\n") == 1
    out = io.StringIO()
    with tf.train.ProgressBar(file=out, unit="step") as bar:  # unknown total
        for _ in range(3):
            bar.update()
    assert out.getvalue().startswith("3 steps |")
    out = io.StringIO()
    for step in tf.train.ProgressBar(iter(range(4)), file=out, dynamic=True):
        if step == 2:
            break
    assert out.getvalue().endswith("\n"), "breaking out of the loop closes the bar"


def test_progress_bar_write_and_disable():
    bar, out, clock = _bar(10, dynamic=True)
    bar.update(3)
    bar.write("epoch 1 done")
    bar.close()
    text = out.getvalue()
    assert "epoch 1 done\n" in text and text.endswith("\n")
    out = io.StringIO()
    with tf.train.ProgressBar(10, file=out, disable=True) as bar:
        bar.update(5)
    assert out.getvalue() == "" and bar.n == 5


def test_progress_bar_redraws_at_most_once_per_min_interval():
    """Updates are cheap because they rarely draw: a clock that stands still gets one drawing for 100,000
    updates, and each step of the clock by min_interval one more."""
    now = [0.0]
    bar = tf.train.ProgressBar(200000, file=io.StringIO(), dynamic=True, min_interval=0.1)
    bar._clock = lambda: now[0]
    draws = []
    real_draw = bar._draw
    bar._draw = lambda *a, **k: (draws.append(now[0]), real_draw(*a, **k))
    for _ in range(100000):
        bar.update(loss=0.5)
    assert draws == [0.0]
    for step in range(1, 4):
        now[0] = step * 0.1
        for _ in range(1000):
            bar.update()
    assert draws == [0.0, 0.1, 0.2, 0.30000000000000004]
