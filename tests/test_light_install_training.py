"""Managed training in the light install, checked even where the tensorboard extra is installed: a child process in
which `tensorboard` cannot be imported trains, evaluates and predicts with a canned Estimator, supervises with a
Supervisor and profiles with ProfilerHook, and leaves checkpoints and timelines but no event files."""
import os
import subprocess
import sys
import textwrap

CHILD = textwrap.dedent("""
    import importlib.util, os, sys
    class NoTensorBoard:
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] == "tensorboard":
                raise ImportError("tensorboard is not installed here")
    sys.meta_path.insert(0, NoTensorBoard())
    _find = importlib.util.find_spec
    importlib.util.find_spec = lambda name, *a: None if name.split(".")[0] == "tensorboard" else _find(name, *a)

    import numpy as np
    import neuroflow as tf
    out = sys.argv[1]
    fc = tf.feature_column
    x = np.random.RandomState(0).normal(size=200).astype(np.float32)
    y = (x > 0).astype(np.int64)
    train = tf.estimator.inputs.numpy_input_fn({"x": x}, y, batch_size=20, num_epochs=None, shuffle=True)
    once = tf.estimator.inputs.numpy_input_fn({"x": x}, y, batch_size=100, num_epochs=1, shuffle=False)
    est = tf.estimator.DNNClassifier([4], [fc.numeric_column("x")], model_dir=os.path.join(out, "est"),
                                     config=tf.estimator.RunConfig(log_step_count_steps=None))
    metrics, _ = tf.estimator.train_and_evaluate(
        est, tf.estimator.TrainSpec(train, max_steps=40),
        tf.estimator.EvalSpec(once, steps=None, hooks=[tf.train.ProfilerHook(save_steps=1,
                                                                             output_dir=os.path.join(out, "prof"))]))
    assert metrics["global_step"] == 40, metrics
    assert len(list(est.predict(once))) == 200
    with tf.Graph().as_default():
        v = tf.Variable(0.0)
        step = tf.train.get_or_create_global_step()
        op = tf.group(tf.assign_add(v, 1.0), tf.assign_add(step, 1))
        sv = tf.train.Supervisor(logdir=os.path.join(out, "sv"), save_model_secs=0)
        with sv.managed_session() as sess:
            sess.run(op)
            sv.saver.save(sess, sv.save_path, global_step=step)
    assert "tensorboard" not in sys.modules
    print("ok")
""")


def test_estimator_supervisor_and_profiler_hook_without_tensorboard(tmp_path):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                                        os.environ.get("PYTHONPATH", "")]))
    done = subprocess.run([sys.executable, "-c", CHILD, str(tmp_path)], capture_output=True, text=True, env=env,
                          timeout=300)
    assert done.returncode == 0 and done.stdout.strip().endswith("ok"), done.stderr[-3000:]
    assert "pip install neuroflow[tensorboard]" in done.stderr            # each says what it leaves out
    files = [os.path.join(d, f) for d, _, names in os.walk(tmp_path) for f in names]
    assert not [f for f in files if "tfevents" in f]
    assert any(f.endswith(".index") and "model.ckpt-40" in f for f in files)
    assert any(os.path.basename(f).startswith("timeline-") for f in files)
    assert os.path.exists(tmp_path / "sv" / "model.ckpt-1.index")
