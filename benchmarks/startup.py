"""Start-up figures: how long `import neuroflow` takes, and the lecture's training program
(examples/lecture_train.py) as a whole process, each the best of several runs in fresh processes; with an anchors'
python, the same for TensorFlow (the program with its import line swapped for TensorFlow's v1 API). The README's
start-up figures come from here.

    python benchmarks/startup.py [--repeats 5] [--anchors PYTHON]
"""
import argparse
import os
import pathlib
import subprocess
import time

REPO = pathlib.Path(__file__).resolve().parent.parent


def wall_time(cmd, env=None, repeats=5):
    """The best of `repeats` whole-process wall times of `cmd`, in seconds; None when it fails."""
    best = None
    for _ in range(repeats):
        start = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, env=dict(os.environ, **(env or {})))
        elapsed = time.perf_counter() - start
        if done.returncode != 0:
            return None
        best = elapsed if best is None else min(best, elapsed)
    return best


def has(python, module):
    return subprocess.run([python, "-c", f"import {module}"], capture_output=True).returncode == 0


def figures(ours, anchors=None, repeats=5):
    """[(what, seconds or None)] for neuroflow under `ours`, and TensorFlow under `anchors` when it has it.

    The package is byte-compiled first: what every import after a user's first one costs (pip compiles installed
    packages; an editable install writes its .pyc files on first import, unless PYTHONDONTWRITEBYTECODE is set,
    and then every import compiles all the sources again, at about twice the time)."""
    subprocess.run([ours, "-m", "compileall", "-q", str(REPO / "neuroflow")], capture_output=True)
    lecture = (REPO / "examples" / "lecture_train.py").read_text()
    path = {"PYTHONPATH": str(REPO)}
    rows = [("python doing nothing", wall_time([ours, "-c", "pass"], repeats=repeats)),
            ("import neuroflow", wall_time([ours, "-c", "import neuroflow"], path, repeats)),
            ("lecture program, neuroflow", wall_time([ours, "-c", lecture], path, repeats))]
    if anchors and has(anchors, "tensorflow"):
        as_tf = lecture.replace("import neuroflow as tf",
                                "import tensorflow.compat.v1 as tf\ntf.disable_v2_behavior()", 1)
        quiet = {"TF_CPP_MIN_LOG_LEVEL": "3"}
        rows += [("import tensorflow", wall_time([anchors, "-c", "import tensorflow"], quiet, repeats)),
                 ("lecture program, TensorFlow", wall_time([anchors, "-c", as_tf], quiet, repeats))]
    return rows


def print_figures(rows, repeats):
    print(f"\nstart-up (seconds, whole process, best of {repeats}):")
    for name, seconds in rows:
        print(f"  {name:<30}{seconds:>8.3f}" if seconds is not None else f"  {name:<30}{'failed':>8}")


def main():
    import sys
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--anchors", default=None, help="python of an environment with TensorFlow")
    args = parser.parse_args()
    print_figures(figures(sys.executable, args.anchors, args.repeats), args.repeats)


if __name__ == "__main__":
    main()
