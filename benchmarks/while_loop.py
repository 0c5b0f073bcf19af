"""Per-iteration overhead of a graph loop: `tf.while_loop` of 10,000 iterations with a few scalar ops (a counter,
a damped recurrence and a running sum), on neuroflow and, where the anchors' environment is installed
(benchmarks/setup_anchors.sh), TensorFlow v1 (the same code in a Session) and JAX (`lax.while_loop` and
`lax.fori_loop` under jit). Prints iterations per second, one line per framework: `<framework> while_loop <rate>`.

    python benchmarks/while_loop.py                    # neuroflow, then the anchors when installed
    python benchmarks/while_loop.py --framework tensorflow --iterations 100000
"""
import argparse
import os
import pathlib
import statistics
import subprocess
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent
ITERATIONS = 10_000


def tf1_loop(tf, iterations):
    """The TF1 program (runs unchanged on neuroflow and TensorFlow): returns a function running the loop once."""
    tf.reset_default_graph()
    n = tf.placeholder(tf.int32, [])

    def body(i, x, total):
        return i + 1, x * 0.999 + 0.5, total + x * x

    _, x, total = tf.while_loop(lambda i, x, total: i < n, body,
                                [tf.constant(0), tf.constant(1.0), tf.constant(0.0)])
    sess = tf.Session()
    return lambda: sess.run([x, total], {n: iterations})


def jax_loops(iterations):
    import jax
    from jax import lax

    def body(carry):
        i, x, total = carry
        return i + 1, x * 0.999 + 0.5, total + x * x

    @jax.jit
    def while_version(n):
        return lax.while_loop(lambda c: c[0] < n, body, (0, 1.0, 0.0))[1:]

    @jax.jit
    def fori_version(n):
        return lax.fori_loop(0, n, lambda i, c: body((i,) + c)[1:], (1.0, 0.0))

    return {"jax-while_loop": lambda: jax.block_until_ready(while_version(iterations)),
            "jax-fori_loop": lambda: jax.block_until_ready(fori_version(iterations))}


def iterations_per_second(run, iterations, repeats=7):
    run()  # compiles (plans, jit) and warms up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return iterations / statistics.median(times)


def measure(framework, iterations):
    if framework == "jax":
        return {name: iterations_per_second(fn, iterations) for name, fn in jax_loops(iterations).items()}
    if framework == "tensorflow":
        import tensorflow.compat.v1 as tf
        tf.disable_eager_execution()
    else:
        sys.path.insert(0, str(HERE.parent))
        import neuroflow as tf
    return {framework: iterations_per_second(tf1_loop(tf, iterations), iterations)}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--framework", choices=["neuroflow", "tensorflow", "jax"])
    parser.add_argument("--iterations", type=int, default=ITERATIONS)
    parser.add_argument("--anchors", default=os.environ.get("ANCHORS_PYTHON") or str(
        pathlib.Path.home() / ".cache" / "neuroflow-anchors" / "bin" / "python"))
    args = parser.parse_args()
    if args.framework:
        for name, rate in measure(args.framework, args.iterations).items():
            print(f"{name} while_loop {rate:.0f} iterations/s")
        return
    for name, rate in measure("neuroflow", args.iterations).items():
        print(f"{name} while_loop {rate:.0f} iterations/s", flush=True)
    if not pathlib.Path(args.anchors).exists():
        print(f"anchors: no environment at {args.anchors}: TensorFlow and JAX not run (benchmarks/setup_anchors.sh "
              "makes one)", file=sys.stderr)
        return
    for framework in ("tensorflow", "jax"):
        out = subprocess.run([args.anchors, __file__, "--framework", framework, "--iterations",
                              str(args.iterations)], capture_output=True, text=True)
        print(out.stdout.strip() or f"{framework}: failed: {(out.stderr.strip().splitlines() or ['?'])[-1]}")


if __name__ == "__main__":
    main()
