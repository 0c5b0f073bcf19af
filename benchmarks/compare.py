"""Side-by-side benchmark: neuroflow against TensorFlow (v1 Session), PyTorch, JAX and hand-written NumPy, in
one run on one machine. Runs the shared TF1 workloads (`../shared/bench/`, the same code with
BENCH_MODULE=neuroflow) and the session-overhead graphs; anchors run where their environment is installed
(`../shared/bench/setup-anchors.sh`). Prints a table of steps (or runs) per second and neuroflow's ratio.

    python benchmarks/compare.py                       # all workloads neuroflow supports
    python benchmarks/compare.py lecture mlp --no-anchors
    python benchmarks/compare.py cnn lstm --rounds 3 --no-overhead   # medians of 3 interleaved rounds
Ends with start-up figures: import time and the lecture program as a whole process (ours and TensorFlow's).
"""
import argparse
import os
import pathlib
import statistics
import subprocess
import sys

REPO = pathlib.Path(__file__).resolve().parent.parent
SHARED = pathlib.Path(os.environ.get("NEUROFLOW_SHARED_BENCH", REPO.parent / "shared" / "bench"))
DEFAULT_ANCHORS = pathlib.Path(os.environ.get("ANCHORS_VENV", pathlib.Path.home() / ".cache" / "neuroflow-anchors"))


# Runs a script, then prints the process's peak resident memory (ru_maxrss, KiB on Linux).
_PEAK = ("import resource, runpy, sys; sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name='__main__'); "
         "print('peak-rss', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
PEAKS = {}


def run(cmd, env=None, timeout=1800):
    """Runs a benchmark command; returns {(framework, workload): rate} from its `<fw> <name> <rate> ...` lines,
    and records its peak memory in PEAKS when it ran one workload."""
    full_env = dict(os.environ, **(env or {}))
    cmd = [cmd[0], "-c", _PEAK] + [str(c) for c in cmd[1:]]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, env=full_env, timeout=timeout)
    except subprocess.TimeoutExpired:
        print(f"  (timed out: {' '.join(map(str, cmd))})", file=sys.stderr)
        return {}
    if out.returncode != 0:
        tail = (out.stderr or out.stdout).strip().splitlines()[-1:] or ["?"]
        print(f"  ({' '.join(map(str, cmd[-3:]))} failed: {tail[0]})", file=sys.stderr)
    rates = {}
    peak = None
    for line in out.stdout.splitlines():
        parts = line.split()
        if parts[:1] == ["peak-rss"]:
            peak = int(parts[1]) / 1024
            continue
        if len(parts) >= 3:
            try:
                rates[(parts[0], parts[1])] = float(parts[2])
            except ValueError:
                pass
    if peak is not None and len(rates) == 1:
        PEAKS[next(iter(rates))] = peak
    return rates


def wall_time(cmd, env=None, repeats=3):
    """The best of `repeats` whole-process wall times of `cmd`, in seconds (None when it fails)."""
    import time
    best = None
    for _ in range(repeats):
        start = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, env=dict(os.environ, **(env or {})))
        if done.returncode != 0:
            return None
        elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
    return best


def startup(ours, anchors):
    """Start-up figures: `import` time of each framework and the lecture program (examples/lecture_train.py,
    ten training steps, prints) as a whole process, for neuroflow and, with the import line swapped, for
    TensorFlow's v1 API."""
    lecture = (REPO / "examples" / "lecture_train.py").read_text()
    rows = [("import neuroflow", wall_time([ours, "-c", "import neuroflow"], {"PYTHONPATH": str(REPO)})),
            ("lecture program, neuroflow", wall_time([ours, "-c", lecture], {"PYTHONPATH": str(REPO)}))]
    if anchors and has(anchors, "tensorflow"):
        as_tf = lecture.replace("import neuroflow as tf",
                                "import tensorflow.compat.v1 as tf\ntf.disable_v2_behavior()", 1)
        quiet = {"TF_CPP_MIN_LOG_LEVEL": "3"}
        rows += [("import tensorflow", wall_time([anchors, "-c", "import tensorflow"], quiet)),
                 ("lecture program, TF", wall_time([anchors, "-c", as_tf], quiet))]
    python = wall_time([ours, "-c", "pass"])
    print("\nstart-up (seconds, whole process, best of 3; a bare python takes "
          f"{python:.3f} s):" if python else "\nstart-up (seconds, whole process, best of 3):")
    for name, t in rows:
        print(f"  {name:<30}{t:>8.3f}" if t is not None else f"  {name:<30}{'failed':>8}")


def has(python, module):
    return subprocess.run([python, "-c", f"import {module}"], capture_output=True).returncode == 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("workloads", nargs="*", default=["lecture", "mlp", "cnn", "lstm"])
    parser.add_argument("--anchors", default=str(DEFAULT_ANCHORS / "bin" / "python"),
                        help="python of the anchors environment")
    parser.add_argument("--no-anchors", action="store_true")
    parser.add_argument("--no-overhead", action="store_true", help="skip the session-overhead graphs")
    parser.add_argument("--no-startup", action="store_true", help="skip the import and whole-process timings")
    parser.add_argument("--rounds", type=int, default=1,
                        help="run every workload this many times, frameworks interleaved; report medians")
    args = parser.parse_args()
    ours = sys.executable
    anchors = None if args.no_anchors or not pathlib.Path(args.anchors).exists() else args.anchors
    env_ours = {"BENCH_MODULE": "neuroflow", "PYTHONPATH": str(REPO)}
    rates = {}
    if not SHARED.exists():
        sys.exit(f"shared workloads not found at {SHARED}; set NEUROFLOW_SHARED_BENCH")
    installed = {m: bool(anchors) and has(anchors, m) for m in ("tensorflow", "torch", "jax")}
    samples = {}  # (framework, workload) -> rates, one per round
    for round_ in range(args.rounds):
        for w in args.workloads:
            print(f"running {w} ..." + (f" (round {round_ + 1}/{args.rounds})" if args.rounds > 1 else ""),
                  file=sys.stderr, flush=True)
            commands = [([ours, SHARED / "bench_tf1.py", w], env_ours)]
            for module, script in (("tensorflow", "bench_tf1.py"), ("torch", "bench_torch.py"), ("jax", "bench_jax.py")):
                if installed[module]:
                    commands.append(([anchors, SHARED / script, w], None))
            if w in ("lecture", "mlp"):
                commands.append(([ours, SHARED / "bench_numpy.py", w], None))
            for cmd, env in commands:
                for key, rate in run(cmd, env).items():
                    samples.setdefault(key, []).append(rate)
    rates.update({key: statistics.median(values) for key, values in samples.items()})
    if args.rounds > 1:
        print(f"(steps/s: medians of {args.rounds} rounds)")
    if not args.no_overhead:
        print("running session overhead ...", file=sys.stderr, flush=True)
        rates.update(run([ours, REPO / "benchmarks" / "session_overhead.py"], {"PYTHONPATH": str(REPO)}))
        if installed["tensorflow"]:
            rates.update(run([anchors, REPO / "benchmarks" / "session_overhead.py", "--module", "tensorflow",
                              "--runs", "500"]))
    frameworks = ["neuroflow", "tensorflow", "torch-eager", "jax-jit", "numpy-by-hand"]
    names = list(dict.fromkeys(w for _, w in rates))
    found = [f for f in frameworks if any(k[0] == f for k in rates)]
    print(f"{'workload':<18}" + "".join(f"{f:>15}" for f in found) + f"{'vs best fw':>12}{'vs numpy':>10}")
    for name in names:
        row = [rates.get((f, name)) for f in found]
        ours = rates.get(("neuroflow", name)) or 0
        others = [r for f, r in zip(found, row) if f not in ("neuroflow", "numpy-by-hand") and r]
        floor = rates.get(("numpy-by-hand", name))
        cells = "".join(f"{r:>15,.1f}" if r else f"{'-':>15}" for r in row)
        best = f"{ours / max(others):>11.2f}x" if others else f"{'-':>12}"
        numpy = f"{ours / floor:>9.2f}x" if floor else f"{'-':>10}"
        print(f"{name:<18}{cells}{best}{numpy}")
    print("vs best fw: neuroflow / the fastest of TensorFlow, PyTorch, JAX (>= 1 means at least as fast);"
          " vs numpy: neuroflow / hand-written NumPy, the floor a NumPy-based framework's overhead is measured"
          " against.")
    if PEAKS:
        print("\npeak memory (MiB, whole process, one workload per process):")
        print(f"{'workload':<18}" + "".join(f"{f:>15}" for f in found) + f"{'ours/TF':>10}")
        for name in args.workloads:
            row = [PEAKS.get((f, name)) for f in found]
            ours, tf_peak = PEAKS.get(("neuroflow", name)), PEAKS.get(("tensorflow", name))
            ratio = f"{ours / tf_peak:>9.2f}x" if ours and tf_peak else f"{'-':>10}"
            print(f"{name:<18}" + "".join(f"{r:>15,.0f}" if r else f"{'-':>15}" for r in row) + ratio)
    if not args.no_startup:
        startup(sys.executable, anchors)


if __name__ == "__main__":
    main()
