"""MonitoredTrainingSession without the tensorboard extra: it trains and checkpoints, writing no summaries (and
says so), rather than stopping at its default summary hooks."""
import logging

import numpy as np

import neuroflow as tf
from neuroflow.train import basic_session_run_hooks


def test_trains_and_checkpoints_without_tensorboard(tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(basic_session_run_hooks, "tensorboard_installed", lambda: False)
    with tf.Graph().as_default():
        step = tf.train.get_or_create_global_step()
        w = tf.Variable(0.0)
        train = tf.group(tf.assign_add(w, 1.0), tf.assign_add(step, 1))
        with caplog.at_level(logging.WARNING):
            with tf.train.MonitoredTrainingSession(checkpoint_dir=str(tmp_path), save_checkpoint_steps=2,
                                                   hooks=[tf.train.StopAtStepHook(last_step=5)]) as sess:
                while not sess.should_stop():
                    sess.run(train)
    assert "writes no summaries" in caplog.text and "neuroflow[tensorboard]" in caplog.text
    assert not list(tmp_path.glob("events.out.tfevents.*"))
    latest = tf.train.latest_checkpoint(str(tmp_path))
    assert latest is not None and latest.endswith("-5")
    assert np.isclose(tf.train.load_variable(latest, "Variable"), 5.0)
