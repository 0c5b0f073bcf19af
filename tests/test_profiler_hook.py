"""tf.train.ProfilerHook: traces every N-th step of a MonitoredSession and writes its Chrome trace to
output_dir/timeline-<step>.json (TensorFlow 2.21 writes timeline-3, -6, ... for save_steps=3 when its global-step
read is not reordered); the traced run's metadata reaches the hook through MonitoredSession's merged options;
untraced steps are left untraced; it works without the tensorboard extra."""
import json

import pytest

import neuroflow as tf
from neuroflow.train import basic_session_run_hooks


def _train(output_dir, hooks, last_step=10):
    with tf.Graph().as_default():
        step = tf.train.get_or_create_global_step()
        w = tf.Variable(1.0, name="w")
        train = tf.group(tf.assign_add(w, 1.0, name="bump"), tf.assign_add(step, 1))
        metadata = []

        class Spy(tf.train.SessionRunHook):
            def after_run(self, run_context, run_values):
                metadata.append(run_values.run_metadata)
        with tf.train.MonitoredSession(hooks=hooks + [Spy(), tf.train.StopAtStepHook(last_step=last_step)]) as sess:
            while not sess.should_stop():
                sess.run(train)
    return metadata


@pytest.mark.parametrize("tensorboard", [True, False])
def test_writes_a_timeline_every_n_steps(tmp_path, monkeypatch, tensorboard):
    if not tensorboard:
        monkeypatch.setattr(basic_session_run_hooks, "tensorboard_installed", lambda: False)
    elif not basic_session_run_hooks.tensorboard_installed():
        pytest.skip("the run-metadata event needs the tensorboard extra")
    metadata = _train(tmp_path, [tf.train.ProfilerHook(save_steps=3, output_dir=str(tmp_path))])
    assert sorted(p.name for p in tmp_path.glob("timeline-*.json")) == ["timeline-3.json", "timeline-6.json",
                                                                       "timeline-9.json"]
    trace = json.loads((tmp_path / "timeline-6.json").read_text())
    names = {e["args"]["name"] for e in trace["traceEvents"] if e.get("ph") == "X"}
    assert "bump" in names
    # Only the traced steps (3, 6, 9) ran with a RunMetadata, and theirs holds step stats.
    traced = [i + 1 for i, m in enumerate(metadata) if m is not None]
    assert traced == [3, 6, 9] and all(len(metadata[i - 1].step_stats.dev_stats) for i in traced)
    assert bool(list(tmp_path.glob("events.out.tfevents.*"))) == tensorboard


def test_needs_a_global_step_and_one_cadence():
    with pytest.raises(ValueError, match="Either every_secs or every_steps should be provided."):
        tf.train.ProfilerHook()
    with tf.Graph().as_default(), pytest.raises(RuntimeError, match="Global step should be created to use "
                                                                      "ProfilerHook."):
        tf.train.ProfilerHook(save_steps=1).begin()
