"""The examples print exactly what TensorFlow prints (REFERENCE.md), run as a user runs them."""
import os
import pathlib
import subprocess
import sys

EXAMPLES = pathlib.Path(__file__).resolve().parent.parent / "examples"


def _run(name):
    env = dict(os.environ, PYTHONPATH=str(EXAMPLES.parent))
    return subprocess.run([sys.executable, str(EXAMPLES / name)], capture_output=True, text=True, check=True,
                          env=env, timeout=120).stdout


def test_lecture_sum_prints_result_9():
    assert _run("lecture_sum.py") == "Result: 9.0\n"


def test_lecture_train_prints_tensorflows_ten_numbers():
    expected = "0.9 8.54 13.124001 15.874401 17.52464 18.514786 19.108871 19.46532 19.679192 19.807514".split()
    assert _run("lecture_train.py") == "".join(f"Result: {v}\n" for v in expected)


def test_examples_are_the_lecture_programs_verbatim_except_the_import():
    for path in (EXAMPLES / "lecture_sum.py", EXAMPLES / "lecture_train.py"):
        text = path.read_text()
        assert text.startswith("import neuroflow as tf\n") and "neuroflow" not in text[len("import neuroflow"):]


def test_digits_workflow_splits_trains_stops_early_checkpoints_and_averages_seeds():
    out = _run("digits_workflow.py")
    lines = out.strip().splitlines()
    assert len(lines) == 4 and all(line.startswith("seed ") for line in lines[:3])
    mean = float(lines[-1].split()[2])
    assert lines[-1].startswith("test accuracy") and lines[-1].endswith("over 3 seeds") and mean > 0.9
