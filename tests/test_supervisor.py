"""tf.train.Supervisor's basic flow: managed_session initializes or restores from logdir, the chief's checkpoint
thread saves at start (TF's LooperThread runs at once, then every save_model_secs), exceptions are re-raised;
without the tensorboard extra it supervises and checkpoints, writing no summaries."""
import os
import time

import pytest

import neuroflow as tf

from neuroflow.train import basic_session_run_hooks

TENSORBOARD = basic_session_run_hooks.tensorboard_installed()


@pytest.fixture(autouse=True)
def _fresh_graph():
    tf.reset_default_graph()
    yield
    tf.reset_default_graph()


def _model():
    x = tf.Variable(0.0, name="x")
    gs = tf.train.get_or_create_global_step()
    loss = tf.square(x - 3.0)
    if TENSORBOARD:  # tf.summary itself needs the extra
        tf.summary.scalar("loss", loss)
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss, global_step=gs)
    return x, gs, train


def test_basic_flow_trains_saves_and_resumes(tmp_path):
    x, gs, train = _model()
    sv = tf.train.Supervisor(logdir=str(tmp_path))
    assert tf.get_default_graph().finalized
    with sv.managed_session() as sess:
        for _ in range(1000):     # the checkpoint thread saves step 0 at once; let it finish before saving too
            if (tf.train.latest_checkpoint(str(tmp_path)) or "").endswith("model.ckpt-0"):
                break
            time.sleep(0.01)
        for _ in range(7):
            if sv.should_stop():
                break
            sess.run(train)
        sv.saver.save(sess, sv.save_path, global_step=gs)
        x_at_7 = sess.run(x)
    assert sv.should_stop()
    assert tf.train.latest_checkpoint(str(tmp_path)).endswith("model.ckpt-7")
    assert os.path.exists(tmp_path / "model.ckpt-0.index")      # the checkpoint thread's first save, at start
    assert os.path.exists(tmp_path / "graph.pbtxt")
    tf.reset_default_graph()
    x, gs, train = _model()
    sv = tf.train.Supervisor(logdir=str(tmp_path), save_model_secs=0, save_summaries_secs=0)
    with sv.managed_session() as sess:
        assert sess.run(gs) == 7 and sess.run(x) == pytest.approx(x_at_7)


def test_exceptions_in_the_block_are_reraised_and_out_of_range_is_clean(tmp_path):
    _, gs, train = _model()
    sv = tf.train.Supervisor(logdir=str(tmp_path), save_model_secs=0)
    with pytest.raises(ValueError, match="boom"):
        with sv.managed_session() as sess:
            raise ValueError("boom")
    with sv.managed_session() as sess:
        sess.run(train)
        raise tf.errors.OutOfRangeError(None, None, "end of input")
    assert sv.should_stop()


def test_without_logdir_initializes_and_starts_no_services():
    x, gs, train = _model()
    sv = tf.train.Supervisor(logdir=None)
    with sv.managed_session() as sess:
        sess.run(train)
        assert sess.run(gs) == 1
    assert sv.summary_writer is None


def test_without_tensorboard_checkpoints_and_writes_no_events(tmp_path, monkeypatch, caplog):
    import logging
    from neuroflow.summary import _proto

    def missing():  # as in the light install: TensorBoard's protocol buffers cannot be loaded
        raise ImportError("no tensorboard")
    monkeypatch.setattr(basic_session_run_hooks, "tensorboard_installed", lambda: False)
    monkeypatch.setattr(_proto, "protos", missing)
    x = tf.Variable(0.0, name="x")
    gs = tf.train.get_or_create_global_step()
    train = tf.train.GradientDescentOptimizer(0.1).minimize(tf.square(x - 3.0), global_step=gs)
    with caplog.at_level(logging.WARNING):
        sv = tf.train.Supervisor(logdir=str(tmp_path))
    assert "writes no summaries" in caplog.text and sv.summary_writer is None
    with sv.managed_session() as sess:
        for _ in range(1000):     # the checkpoint thread saves step 0 at once; let it finish before saving too
            if (tf.train.latest_checkpoint(str(tmp_path)) or "").endswith("model.ckpt-0"):
                break
            time.sleep(0.01)
        for _ in range(3):
            sess.run(train)
        sv.saver.save(sess, sv.save_path, global_step=gs)
    assert tf.train.latest_checkpoint(str(tmp_path)).endswith("model.ckpt-3")
    assert not list(tmp_path.glob("events.out.tfevents.*"))
