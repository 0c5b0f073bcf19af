"""Side-by-side benchmark: neuroflow against hand-written NumPy and, where the anchors' environment is installed,
TensorFlow (v1 Session), PyTorch (eager) and JAX (jit), in one run on one machine. The workloads live here
(benchmarks/workloads_*.py; TF1 code that runs unchanged on neuroflow and TensorFlow); the anchors' python comes
from --anchors, $ANCHORS_PYTHON or ~/.cache/neuroflow-anchors (made by benchmarks/setup_anchors.sh) — without
one, only neuroflow and NumPy run, and the output says so. Prints steps (or runs) per second, ratios and each
process's peak memory, then start-up figures (benchmarks/startup.py).

    python benchmarks/compare.py                       # all workloads
    python benchmarks/compare.py lecture mlp --no-anchors
    python benchmarks/compare.py cnn lstm --rounds 3 --no-overhead   # medians of 3 interleaved rounds
    python benchmarks/compare.py cifar mlp-b2048 --no-overhead --no-startup   # workloads outside the default set
    python benchmarks/compare.py mlp cnn lstm --without-numba --no-anchors   # the fast extra's gain
    python benchmarks/compare.py lecture --jit --rounds 3   # also neuroflow with the JIT asked for (tiny VM at once)
"""
import argparse
import os
import pathlib
import statistics
import subprocess
import sys

import startup
import workload_timing as wt

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parent
_ANCHORS_VENV = pathlib.Path(os.environ.get("ANCHORS_VENV", pathlib.Path.home() / ".cache" / "neuroflow-anchors"))
DEFAULT_ANCHORS = os.environ.get("ANCHORS_PYTHON") or str(_ANCHORS_VENV / "bin" / "python")
# framework -> (module the anchors' python must have, workload script, its arguments before the workload names)
ANCHORS = {"tensorflow": ("tensorflow", "workloads_tf1.py", ["--framework", "tensorflow"]),
           "torch-eager": ("torch", "workloads_torch.py", []),
           "jax-jit": ("jax", "workloads_jax.py", [])}


# Runs a script as `python script` would (its folder first on sys.path), then prints the process's peak resident
# memory (ru_maxrss, KiB on Linux).
_PEAK = ("import os, resource, runpy, sys; sys.argv = sys.argv[1:]; sys.path.insert(0, os.path.dirname(sys.argv[0])); "
         "runpy.run_path(sys.argv[0], run_name='__main__'); "
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


def find_anchors(requested, disabled):
    """The anchors' python and {framework: installed?}, after saying plainly what will and will not run."""
    if disabled:
        print("anchors: off (--no-anchors): neuroflow and hand-written NumPy only", file=sys.stderr)
        return None, {}
    if not pathlib.Path(requested).exists():
        print(f"anchors: no environment at {requested}: neuroflow and hand-written NumPy only. For TensorFlow, "
              "PyTorch and JAX beside them, run benchmarks/setup_anchors.sh (about 2 GB) and pass the python it "
              "prints with --anchors (or set ANCHORS_PYTHON).", file=sys.stderr)
        return None, {}
    installed = {fw: startup.has(requested, module) for fw, (module, _, _) in ANCHORS.items()}
    missing = [ANCHORS[fw][0] for fw, ok in installed.items() if not ok]
    print(f"anchors: {requested}" + (f" (without {', '.join(missing)}: those columns stay empty)" if missing else ""),
          file=sys.stderr)
    return requested, installed


def _width(column):
    return max(15, len(column) + 2)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("workloads", nargs="*", default=["lecture", "mlp", "cnn", "lstm"])
    parser.add_argument("--anchors", default=DEFAULT_ANCHORS,
                        help="python of the anchors' environment (benchmarks/setup_anchors.sh prints it)")
    parser.add_argument("--no-anchors", action="store_true")
    parser.add_argument("--no-overhead", action="store_true", help="skip the session-overhead graphs")
    parser.add_argument("--no-startup", action="store_true", help="skip the import and whole-process timings")
    parser.add_argument("--without-numba", action="store_true",
                        help="also run neuroflow with its numba kernels off (NEUROFLOW_NUMBA=0): the default install's "
                             "speed, column neuroflow-no-numba")
    parser.add_argument("--jit", action="store_true",
                        help="also run neuroflow as with global_jit_level ON_1 (NEUROFLOW_TINY_VM_AFTER=0: tiny plans "
                             "take the tiny VM at once, not after the tier-up rule's wait), column neuroflow-jit")
    parser.add_argument("--rounds", type=int, default=1,
                        help="run every workload this many times, frameworks interleaved; report medians")
    args = parser.parse_args()
    ours = sys.executable
    anchors, installed = find_anchors(args.anchors, args.no_anchors)
    env_ours = {"PYTHONPATH": str(REPO)}
    rates = {}
    samples = {}  # (framework, workload) -> rates, one per round
    for round_ in range(args.rounds):
        for w in args.workloads:
            print(f"running {w} ..." + (f" (round {round_ + 1}/{args.rounds})" if args.rounds > 1 else ""),
                  file=sys.stderr, flush=True)
            commands = [([ours, HERE / "workloads_tf1.py", w], env_ours)]
            if args.without_numba:
                commands.append(([ours, HERE / "workloads_tf1.py", "--label", "neuroflow-no-numba", w],
                                 dict(env_ours, NEUROFLOW_NUMBA="0")))
            if args.jit:
                commands.append(([ours, HERE / "workloads_tf1.py", "--label", "neuroflow-jit", w],
                                 dict(env_ours, NEUROFLOW_TINY_VM_AFTER="0")))
            for framework, (_, script, options) in ANCHORS.items():
                if installed.get(framework):
                    commands.append(([anchors, HERE / script, *options, w], None))
            if w in ("lecture", "mlp") or wt.sweep_batch(w):
                commands.append(([ours, HERE / "workloads_numpy.py", w], None))
            for cmd, env in commands:
                for key, rate in run(cmd, env).items():
                    samples.setdefault(key, []).append(rate)
    rates.update({key: statistics.median(values) for key, values in samples.items()})
    if args.rounds > 1:
        print(f"(steps/s: medians of {args.rounds} rounds)")
    if not args.no_overhead:
        print("running session overhead ...", file=sys.stderr, flush=True)
        rates.update(run([ours, REPO / "benchmarks" / "session_overhead.py"], {"PYTHONPATH": str(REPO)}))
        if installed.get("tensorflow"):
            rates.update(run([anchors, REPO / "benchmarks" / "session_overhead.py", "--module", "tensorflow",
                              "--runs", "500"]))
    frameworks = ["neuroflow", "neuroflow-no-numba", "neuroflow-jit", "tensorflow", "torch-eager", "jax-jit", "numpy-by-hand"]
    names = list(dict.fromkeys(w for _, w in rates))
    found = [f for f in frameworks if any(k[0] == f for k in rates)]
    plain = "neuroflow-no-numba" in found
    jit = "neuroflow-jit" in found
    print(f"{'workload':<18}" + "".join(f"{f:>{_width(f)}}" for f in found) + f"{'vs best fw':>12}{'vs numpy':>10}"
          + (f"{'no numba/fast':>15}" if plain else "") + (f"{'jit vs numpy':>14}" if jit else ""))
    for name in names:
        row = [rates.get((f, name)) for f in found]
        ours = rates.get(("neuroflow", name)) or 0
        others = [r for f, r in zip(found, row) if f in ANCHORS and r]
        floor = rates.get(("numpy-by-hand", name))
        cells = "".join(f"{r:>{_width(f)},.1f}" if r else f"{'-':>{_width(f)}}" for f, r in zip(found, row))
        best = f"{ours / max(others):>11.2f}x" if others else f"{'-':>12}"
        numpy = f"{ours / floor:>9.2f}x" if floor else f"{'-':>10}"
        slow = rates.get(("neuroflow-no-numba", name))
        extra = (f"{slow / ours:>14.2f}x" if slow and ours else f"{'-':>15}") if plain else ""
        jitted = rates.get(("neuroflow-jit", name))
        extra += (f"{jitted / floor:>13.2f}x" if jitted and floor else f"{'-':>14}") if jit else ""
        print(f"{name:<18}{cells}{best}{numpy}{extra}")
    print("vs best fw: neuroflow / the fastest of TensorFlow, PyTorch, JAX (>= 1 means at least as fast);"
          " vs numpy: neuroflow / hand-written NumPy, the floor a NumPy-based framework's overhead is measured"
          " against." + (" no numba/fast: neuroflow without its numba kernels / with them." if plain else "")
          + (" jit vs numpy: neuroflow with the JIT asked for / hand-written NumPy." if jit else ""))
    if PEAKS:
        print("\npeak memory (MiB, whole process, one workload per process):")
        print(f"{'workload':<18}" + "".join(f"{f:>{_width(f)}}" for f in found) + f"{'ours/TF':>10}")
        for name in args.workloads:
            row = [PEAKS.get((f, name)) for f in found]
            ours, tf_peak = PEAKS.get(("neuroflow", name)), PEAKS.get(("tensorflow", name))
            ratio = f"{ours / tf_peak:>9.2f}x" if ours and tf_peak else f"{'-':>10}"
            print(f"{name:<18}" + "".join(f"{r:>{_width(f)},.0f}" if r else f"{'-':>{_width(f)}}"
                                          for f, r in zip(found, row)) + ratio)
    if not args.no_startup:
        startup.print_figures(startup.figures(sys.executable, anchors, repeats=3), 3)


if __name__ == "__main__":
    main()
