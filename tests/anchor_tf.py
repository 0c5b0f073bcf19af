"""Runs a snippet under the anchors' TensorFlow (a separate reference environment), for tests that check files
neuroflow wrote are read by real TensorFlow; `ANCHOR_PYTHON` is None where that environment is absent."""
import os
import subprocess

_PY = os.path.expanduser("~/.cache/neuroflow-anchors/bin/python")
ANCHOR_PYTHON = _PY if os.path.exists(_PY) else None


def run_tf(code, *args):
    """The stdout of `code` run with the anchors' python (TensorFlow importable as tf) and `args` as sys.argv[1:]."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="")
    done = subprocess.run([ANCHOR_PYTHON, "-c", "import tensorflow as tf\n" + code, *map(str, args)],
                          capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout
