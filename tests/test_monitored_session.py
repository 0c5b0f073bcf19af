"""tf.train.MonitoredTrainingSession, MonitoredSession, Scaffold and the stock SessionRunHooks.

Expected values come from TF 1.x's documented behaviour, checked against TensorFlow 2.21's compat.v1 with the same
programs: the hook call order, the checkpoints a `save_checkpoint_steps=5` run to step 12 leaves (0, 5, 10, 12),
and the summary cadence.
"""
import os
import signal
import subprocess
import sys

import numpy as np
import pytest

import neuroflow as tf

from neuroflow.train.basic_session_run_hooks import tensorboard_installed

# Only the tests that read TensorBoard's event files need the extra; the rest run in the light install.
needs_tensorboard = pytest.mark.skipif(not tensorboard_installed(),
                                       reason="reads TensorBoard event files (pip install neuroflow[tensorboard])")

HERE = os.path.dirname(os.path.abspath(__file__))


@pytest.fixture(autouse=True)
def _fresh_graph():
    tf.reset_default_graph()
    yield
    tf.reset_default_graph()


def _model():
    x = tf.Variable(0.0, name="x")
    gs = tf.train.get_or_create_global_step()
    loss = tf.square(x - 3.0)
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss, global_step=gs)
    return x, gs, loss, train


def _events(directory):
    from neuroflow.summary._proto import protos
    from neuroflow.summary.event_file import read_records
    pb = protos()
    out = []
    for name in sorted(os.listdir(directory)):
        if "tfevents" in name:
            for record in read_records(os.path.join(directory, name)):
                out.append(pb.event_pb2.Event.FromString(record))
    return out


def _checkpoint_steps(directory):
    return sorted(int(f[len("model.ckpt-"):-len(".index")]) for f in os.listdir(directory)
                  if f.startswith("model.ckpt-") and f.endswith(".index"))


class RecordingHook(tf.train.SessionRunHook):
    def __init__(self, fetch=None):
        self.log, self.results, self.fetch = [], [], fetch

    def begin(self):
        self.log.append("begin")

    def after_create_session(self, session, coord):
        assert tf.get_default_graph().finalized
        self.log.append("after_create_session")

    def before_run(self, run_context):
        self.log.append("before_run")
        return tf.train.SessionRunArgs(self.fetch) if self.fetch is not None else None

    def after_run(self, run_context, run_values):
        self.log.append("after_run")
        self.results.append(run_values.results)

    def end(self, session):
        self.log.append("end")


# --- call order, fetch and feed merging ----------------------------------------------------------------------------
def test_hook_call_order_matches_tf(tmp_path):
    _, gs, _, train = _model()
    hook = RecordingHook(fetch=gs)
    with tf.train.MonitoredTrainingSession(checkpoint_dir=str(tmp_path), save_checkpoint_steps=5,
                                           hooks=[tf.train.StopAtStepHook(last_step=12), hook]) as sess:
        runs = 0
        while not sess.should_stop():
            sess.run(train)
            runs += 1
    # TF 2.21 compat.v1 logs exactly this for the same program (12 runs).
    assert runs == 12
    assert hook.log == ["begin", "after_create_session"] + ["before_run", "after_run"] * 12 + ["end"]
    assert all(isinstance(int(r), int) for r in hook.results)
    assert not tf.get_default_graph().finalized     # unfinalized again on close, as TF


def test_begin_runs_before_the_session_and_end_skipped_on_error():
    _, gs, _, train = _model()
    hook = RecordingHook()
    with pytest.raises(ValueError, match="boom"):
        with tf.train.MonitoredSession(hooks=[hook]) as sess:
            sess.run(train)
            raise ValueError("boom")
    assert hook.log == ["begin", "after_create_session", "before_run", "after_run"]


def test_out_of_range_is_a_clean_stop_and_calls_end():
    _, gs, _, train = _model()
    hook = RecordingHook()
    with tf.train.MonitoredSession(hooks=[hook]) as sess:
        sess.run(train)
        raise tf.errors.OutOfRangeError(None, None, "end of input")
    assert hook.log[-1] == "end"


def test_hook_fetches_and_feeds_are_merged():
    a = tf.placeholder(tf.float32, [], name="a")
    b = tf.placeholder(tf.float32, [], name="b")
    total = a + b
    product = a * b

    class FeedB(tf.train.SessionRunHook):
        def before_run(self, run_context):
            assert run_context.original_args.fetches is total
            return tf.train.SessionRunArgs({"p": product}, feed_dict={b: 10.0})

        def after_run(self, run_context, run_values):
            self.seen = run_values.results

    hook = FeedB()
    with tf.train.MonitoredSession(hooks=[hook]) as sess:
        assert sess.run(total, feed_dict={a: 2.0}) == 12.0
        assert hook.seen == {"p": 20.0}
        with pytest.raises(RuntimeError, match="Same tensor is fed by a SessionRunHook and user"):
            sess.run(total, feed_dict={a: 1.0, b: 1.0})
    with tf.train.MonitoredSession(hooks=[tf.train.FeedFnHook(lambda: {b: 1.0}),
                                          tf.train.FeedFnHook(lambda: {b: 2.0})]) as sess:
        with pytest.raises(RuntimeError, match="Same tensor is fed by two hooks"):
            sess.run(total, feed_dict={a: 1.0})


def test_request_stop_from_a_hook_and_run_step_fn():
    _, gs, _, train = _model()

    class StopAfterTwo(tf.train.SessionRunHook):
        n = 0

        def after_run(self, run_context, run_values):
            self.n += 1
            if self.n == 2:
                run_context.request_stop()

    with tf.train.MonitoredSession(hooks=[StopAfterTwo()]) as sess:
        while not sess.should_stop():
            sess.run(train)
        assert sess._tf_sess().run(gs) == 2
        with pytest.raises(RuntimeError, match="Run called even after should_stop requested."):
            sess.run(train)
    with tf.train.SingularMonitoredSession() as sess:
        def step_fn(step_context):
            step_context.run_with_hooks(train)
            step_context.request_stop()
        sess.run_step_fn(step_fn)
        assert sess.should_stop()
        assert sess.raw_session().run(gs) == 1


# --- StopAtStepHook --------------------------------------------------------------------------------------------------
def test_stop_at_step_hook_arguments_and_num_steps():
    with pytest.raises(ValueError, match="One of num_steps or last_step must be specified."):
        tf.train.StopAtStepHook()
    with pytest.raises(ValueError, match="Only one of num_steps or last_step can be specified."):
        tf.train.StopAtStepHook(num_steps=1, last_step=2)
    _, gs, _, train = _model()
    start_at_10 = gs.assign(10)
    scaffold = tf.train.Scaffold(init_fn=lambda scaffold, sess: sess.run(start_at_10))
    with tf.train.SingularMonitoredSession(hooks=[tf.train.StopAtStepHook(num_steps=3)], scaffold=scaffold) as sess:
        runs = 0
        while not sess.should_stop():
            sess.run(train)
            runs += 1
        assert runs == 3 and sess.raw_session().run(gs) == 13   # num_steps counts from the step at creation


def test_hooks_need_a_global_step():
    tf.Variable(1.0)
    with pytest.raises(RuntimeError, match="Global step should be created to use StopAtStepHook."):
        tf.train.MonitoredSession(hooks=[tf.train.StopAtStepHook(last_step=1)])


# --- checkpoints and resumption -----------------------------------------------------------------------------------
@needs_tensorboard
def test_checkpoint_cadence_and_resume(tmp_path):
    x, gs, _, train = _model()
    with tf.train.MonitoredTrainingSession(checkpoint_dir=str(tmp_path), save_checkpoint_steps=5,
                                           hooks=[tf.train.StopAtStepHook(last_step=12)]) as sess:
        while not sess.should_stop():
            sess.run(train)
        x_at_12 = sess._tf_sess().run(x)
    assert _checkpoint_steps(tmp_path) == [0, 5, 10, 12]      # TF 2.21 writes the same four
    assert os.path.exists(tmp_path / "graph.pbtxt")
    assert tf.train.latest_checkpoint(str(tmp_path)).endswith("model.ckpt-12")
    # A new session restores step 12 and x, and continues to 20.
    with tf.train.MonitoredTrainingSession(checkpoint_dir=str(tmp_path), save_checkpoint_steps=5,
                                           hooks=[tf.train.StopAtStepHook(last_step=20)]) as sess:
        raw = sess._tf_sess()
        assert raw.run(gs) == 12
        assert raw.run(x) == pytest.approx(x_at_12)
        while not sess.should_stop():
            sess.run(train)
    # The timer restarts at the restored step: 12 (on creation), 17, then 20 at the end; Saver keeps the last 5.
    assert _checkpoint_steps(tmp_path) == [5, 10, 12, 17, 20]
    tf.summary.FileWriterCache.get(str(tmp_path)).flush()
    status = {e.session_log.checkpoint_path.rsplit("-", 1)[-1]: e.step for e in _events(tmp_path)
              if e.HasField("session_log") and e.session_log.status == e.session_log.CHECKPOINT}
    assert {int(k): v for k, v in status.items()} == {0: 0, 5: 5, 10: 10, 12: 12, 17: 17, 20: 20}


@needs_tensorboard
def test_default_cadence_is_600_seconds_and_100_steps(tmp_path):
    _, gs, loss, train = _model()
    tf.summary.scalar("loss", loss)
    with tf.train.MonitoredTrainingSession(checkpoint_dir=str(tmp_path),
                                           hooks=[tf.train.StopAtStepHook(last_step=250)]) as sess:
        while not sess.should_stop():
            sess.run(train)
    assert _checkpoint_steps(tmp_path) == [0, 250]       # the first save and the final one: no 600 s passed
    loss_steps = [e.step for e in _events(tmp_path) for v in e.summary.value if v.tag == "loss"]
    assert loss_steps == [1, 101, 201]
    rates = [e.step for e in _events(tmp_path) for v in e.summary.value if v.tag == "global_step/sec"]
    assert rates == [101, 201]


@needs_tensorboard
def test_summary_saver_cadence_and_start_log(tmp_path):
    _, gs, loss, train = _model()
    tf.summary.scalar("loss", loss)
    with tf.train.MonitoredTrainingSession(checkpoint_dir=str(tmp_path), save_summaries_steps=3,
                                           log_step_count_steps=None, save_checkpoint_secs=None,
                                           hooks=[tf.train.StopAtStepHook(last_step=12)]) as sess:
        while not sess.should_stop():
            sess.run(train)
    events = _events(tmp_path)
    loss_steps = [e.step for e in events for v in e.summary.value if v.tag == "loss"]
    assert loss_steps == [1, 4, 7, 10]
    starts = [e.step for e in events if e.HasField("session_log") and e.session_log.status == e.session_log.START]
    assert starts == [1]
    assert not [f for f in os.listdir(tmp_path) if f.startswith("model.ckpt")]


def test_scaffold_init_fn_and_ready_check():
    v = tf.Variable(5.0)
    set_7 = v.assign(7.0)
    calls = []
    scaffold = tf.train.Scaffold(init_op=tf.no_op(), init_fn=lambda scaffold, sess: calls.append(scaffold))
    with pytest.raises(RuntimeError, match="Init operations did not make model ready"):
        tf.train.MonitoredSession(tf.train.ChiefSessionCreator(scaffold=scaffold))
    assert calls == [scaffold]
    tf.get_default_graph()._unsafe_unfinalize()
    scaffold = tf.train.Scaffold(init_fn=lambda scaffold, sess: sess.run(set_7))
    with tf.train.MonitoredSession(tf.train.ChiefSessionCreator(scaffold=scaffold)) as sess:
        assert sess.run(v) == 7.0
    with pytest.raises(ValueError, match="You cannot provide both saver and scaffold."):
        tf.train.CheckpointSaverHook("/tmp", save_steps=1, saver=object(), scaffold=scaffold)


# --- the other stock hooks -------------------------------------------------------------------------------------------
def test_nan_tensor_hook():
    _model()
    bad = tf.constant(np.nan)
    with pytest.raises(tf.train.NanLossDuringTrainingError, match="NaN loss during training."):
        with tf.train.MonitoredSession(hooks=[tf.train.NanTensorHook(bad)]) as sess:
            sess.run(bad)
    with tf.train.MonitoredSession(hooks=[tf.train.NanTensorHook(bad, fail_on_nan_loss=False)]) as sess:
        sess.run(bad)
        assert sess.should_stop()


def test_final_ops_hook_and_logging_tensor_hook(caplog):
    x, gs, loss, train = _model()
    final = tf.train.FinalOpsHook({"x": x, "step": gs})
    logging_hook = tf.train.LoggingTensorHook({"loss": loss, "step": gs}, every_n_iter=2)
    messages = []

    class Capture:
        def __call__(self, values):
            messages.append(dict(values))
            return "formatted"
    formatted = tf.train.LoggingTensorHook([gs.name], every_n_iter=3, at_end=True, formatter=Capture())
    with tf.train.MonitoredSession(hooks=[final, logging_hook, formatted]) as sess:
        for _ in range(4):
            sess.run(train)
    assert final.final_ops_values["step"] == 4
    assert final.final_ops_values["x"] == pytest.approx(3.0 - 3.0 * 0.8 ** 4)
    # every_n_iter=3 logs iterations 0 and 3 (the step read with the train op), then once at the end.
    assert len(messages) == 3 and messages[-1] == {gs.name: 4}
    with pytest.raises(ValueError):
        tf.train.LoggingTensorHook([loss])


@needs_tensorboard
def test_step_counter_hook_writes_steps_per_second(tmp_path):
    _, gs, _, train = _model()
    writer = tf.summary.FileWriter(str(tmp_path))
    with tf.train.MonitoredSession(hooks=[tf.train.StepCounterHook(every_n_steps=2, summary_writer=writer)]) as sess:
        for _ in range(6):
            sess.run(train)
    writer.close()
    rates = [(e.step, v.simple_value) for e in _events(tmp_path) for v in e.summary.value]
    assert [s for s, _ in rates] == [3, 5] and all(r > 0 for _, r in rates)
    with pytest.raises(ValueError, match="exactly one of every_n_steps and every_n_secs"):
        tf.train.StepCounterHook(every_n_steps=1, every_n_secs=1)


def test_second_or_step_timer():
    timer = tf.train.SecondOrStepTimer(every_steps=3)
    assert timer.should_trigger_for_step(0)
    assert timer.update_last_triggered_step(0) == (None, None)
    assert not timer.should_trigger_for_step(2) and timer.should_trigger_for_step(3)
    assert timer.update_last_triggered_step(3)[1] == 3 and timer.last_triggered_step() == 3
    with pytest.raises(ValueError, match="Either every_secs or every_steps should be provided."):
        tf.train.SecondOrStepTimer()


# --- a killed MonitoredTrainingSession resumes -----------------------------------------------------------------------
@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_killed_training_resumes_from_the_last_checkpoint(tmp_path):
    k, child = 4, os.path.join(HERE, "monitored_crash_child.py")
    proc = subprocess.Popen([sys.executable, child, str(tmp_path), str(k), "100000", "0.002"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    printed = []
    try:
        for line in proc.stdout:
            printed.append(line.split())
            if line.startswith("step") and int(line.split()[1]) >= 3 * k + 2:
                break
        os.kill(proc.pid, signal.SIGKILL)
        rest = proc.stdout.read()
    finally:
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    printed += [line.split() for line in rest.splitlines()]
    last_printed = max(int(p[1]) for p in printed if p and p[0] == "step")
    restart = subprocess.run([sys.executable, child, str(tmp_path), str(k), str(last_printed + 5), "0"],
                             capture_output=True, text=True, timeout=300)
    assert restart.returncode == 0, restart.stderr
    lines = [line.split() for line in restart.stdout.splitlines()]
    start_step, start_count = int(lines[0][1]), int(lines[0][2])
    assert start_step == start_count                      # one consistent checkpoint
    assert start_step % k == 0 and start_step >= 3 * k     # a step-cadence checkpoint, not a fresh start
    assert last_printed - k < start_step <= last_printed + 1   # at most the steps since the last checkpoint lost
    assert [int(p[1]) for p in lines[1:-1]] == list(range(start_step + 1, last_printed + 6))
    assert lines[-1] == ["done"]
    assert _checkpoint_steps(tmp_path)[-1] == last_printed + 5



# --- queue runners and end of input --------------------------------------------------------------------------------
def test_end_of_input_is_a_clean_stop():
    queue = tf.FIFOQueue(10, [tf.float32], shapes=[[]])
    fill_and_close = tf.group(queue.enqueue_many([tf.constant(np.arange(10, dtype=np.float32))]))
    close = queue.close()
    total = tf.Variable(0.0)
    step = total.assign_add(queue.dequeue())

    def init_fn(scaffold, sess):
        sess.run(fill_and_close)
        sess.run(close)
    hook = RecordingHook()
    seen = []
    with tf.train.MonitoredSession(tf.train.ChiefSessionCreator(tf.train.Scaffold(init_fn=init_fn)),
                                   hooks=[hook]) as sess:
        while not sess.should_stop():
            seen.append(sess.run(step))
    assert seen[-1] == 45.0 and len(seen) == 10     # the 11th run raised OutOfRangeError: swallowed, end() called
    assert hook.log[-1] == "end"


def test_queue_runners_are_started_and_stopped():
    queue = tf.FIFOQueue(4, [tf.float32], shapes=[[]])
    tf.train.add_queue_runner(tf.train.QueueRunner(queue, [queue.enqueue(tf.constant(2.0))]))
    dequeued = queue.dequeue()
    with tf.train.MonitoredSession() as sess:
        values = [sess.run(dequeued) for _ in range(6)]   # more than the capacity: a runner thread refills it
    assert values == [2.0] * 6


def test_chief_only_hooks_and_non_chief(tmp_path):
    _, gs, _, train = _model()
    order = []

    class Named(tf.train.SessionRunHook):
        def __init__(self, name):
            self.name = name

        def begin(self):
            order.append(self.name)
    with tf.train.MonitoredTrainingSession(is_chief=False, checkpoint_dir=str(tmp_path), save_checkpoint_steps=1,
                                           hooks=[Named("hook")], chief_only_hooks=[Named("chief")]) as sess:
        sess.run(train)
    assert order == ["hook"] and os.listdir(tmp_path) == []     # a worker neither saves nor runs chief-only hooks
    order.clear()
    with tf.train.MonitoredTrainingSession(checkpoint_dir=str(tmp_path), hooks=[Named("hook")],
                                           chief_only_hooks=[Named("chief")]) as sess:
        sess.run(train)
    assert order == ["chief", "hook"]          # TF's order: chief-only hooks, the default hooks, then `hooks`


def test_global_step_waiter_hook_passes_once_the_step_is_reached():
    _, gs, _, train = _model()
    start_at_5 = gs.assign(5)
    scaffold = tf.train.Scaffold(init_fn=lambda scaffold, sess: sess.run(start_at_5))
    with tf.train.SingularMonitoredSession(hooks=[tf.train.GlobalStepWaiterHook(3)], scaffold=scaffold) as sess:
        sess.run(train)
        assert sess.raw_session().run(gs) == 6


def test_monitored_session_recovers_from_aborted_errors(tmp_path):
    _, gs, _, train = _model()

    class AbortOnce(RecordingHook):
        aborted = False

        def before_run(self, run_context):
            if not self.aborted:
                self.aborted = True
                raise tf.errors.AbortedError(None, None, "preempted")
            return super().before_run(run_context)
    hook = AbortOnce()
    creator = tf.train.ChiefSessionCreator(checkpoint_dir=str(tmp_path))
    with tf.train.MonitoredSession(creator, hooks=[hook]) as sess:
        sess.run(train)
        assert sess._tf_sess().run(gs) == 1
    assert hook.log == ["begin", "after_create_session", "after_create_session", "before_run", "after_run", "end"]
    hook = AbortOnce()
    with pytest.raises(tf.errors.AbortedError):
        with tf.train.SingularMonitoredSession(hooks=[hook]) as sess:
            sess.run(train)
