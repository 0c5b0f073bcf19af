"""Per-element cost of the TensorArray loops: `tf.map_fn` and `tf.scan` over N float32 scalars whose count is fed
at run time (forward), and map_fn's gradient (forward and backward loop), on neuroflow and, where the anchors'
environment is installed (benchmarks/setup_anchors.sh), TensorFlow v1 running the same program in a Session.
Prints elements per second, one line per case: `<framework> <case> <rate>`. The rate should not fall as N grows
(a TensorArray write or a gradient step costing the array's length would make the loops quadratic).

    python benchmarks/map_fn.py                        # neuroflow, then TensorFlow when installed
    python benchmarks/map_fn.py --framework tensorflow --elements 1000
"""
import argparse
import os
import pathlib
import statistics
import subprocess
import sys
import time

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
ELEMENTS = 10_000


def programs(tf, elements):
    """The TF1 programs (unchanged on neuroflow and TensorFlow): {case: function running it once}."""
    tf.reset_default_graph()
    x = tf.placeholder(tf.float32, [None])
    mapped = tf.map_fn(lambda v: v * 2.0 + 1.0, x)
    scanned = tf.scan(lambda a, v: a * 0.5 + v, x)
    gradient, = tf.gradients(tf.reduce_sum(tf.map_fn(lambda v: v * v, x)), x)
    sess = tf.Session()
    feed = {x: np.linspace(-1.0, 1.0, elements, dtype=np.float32)}
    return {"map_fn": lambda: sess.run(mapped, feed), "scan": lambda: sess.run(scanned, feed),
            "map_fn+gradient": lambda: sess.run(gradient, feed)}


def elements_per_second(run, elements, repeats=5):
    run()  # compiles the plans and warms up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return elements / statistics.median(times)


def measure(framework, elements):
    if framework == "tensorflow":
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        import tensorflow.compat.v1 as tf
        tf.disable_eager_execution()
    else:
        sys.path.insert(0, str(HERE.parent))
        import neuroflow as tf
    return {case: elements_per_second(run, elements) for case, run in programs(tf, elements).items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--framework", choices=["neuroflow", "tensorflow"])
    parser.add_argument("--elements", type=int, default=ELEMENTS)
    parser.add_argument("--anchors", default=os.environ.get("ANCHORS_PYTHON") or str(
        pathlib.Path.home() / ".cache" / "neuroflow-anchors" / "bin" / "python"))
    args = parser.parse_args()
    frameworks = [args.framework] if args.framework else ["neuroflow"]
    for framework in frameworks:
        for case, rate in measure(framework, args.elements).items():
            print(f"{framework} {case} {rate:.0f} elements/s", flush=True)
    if args.framework:
        return
    if not pathlib.Path(args.anchors).exists():
        print(f"anchors: no environment at {args.anchors}: TensorFlow not run (benchmarks/setup_anchors.sh makes "
              "one)", file=sys.stderr)
        return
    out = subprocess.run([args.anchors, __file__, "--framework", "tensorflow", "--elements", str(args.elements)],
                         capture_output=True, text=True)
    print(out.stdout.strip() or f"tensorflow: failed: {(out.stderr.strip().splitlines() or ['?'])[-1]}")


if __name__ == "__main__":
    main()
