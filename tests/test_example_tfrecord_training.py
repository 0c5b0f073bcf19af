"""examples/tfrecord_monitored_training.py, run as a user runs it: it writes a TFRecord data set, trains from it
inside MonitoredTrainingSession, is interrupted at step 120 and resumes from the step-100 checkpoint to learn the
data's true weights (3, -2) and bias 1, leaving no temporary folder behind."""
import os
import pathlib
import subprocess
import sys


EXAMPLE = pathlib.Path(__file__).resolve().parent.parent / "examples" / "tfrecord_monitored_training.py"


def test_example_writes_trains_is_interrupted_and_resumes(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(EXAMPLE.parent.parent), TMPDIR=str(tmp_path))
    out = subprocess.run([sys.executable, str(EXAMPLE)], capture_output=True, text=True, check=True, env=env,
                         timeout=300).stdout.splitlines()
    assert out[:3] == ["started at step 0", "interrupted at step 120; last checkpoint: model.ckpt-100",
                       "started at step 100"]
    assert out[3].startswith("finished at step 300: w = [ 3. -2.], b = 1.00, loss = "), out
    assert float(out[3].rsplit(" ", 1)[1]) < 1e-3
    assert list(tmp_path.iterdir()) == []
