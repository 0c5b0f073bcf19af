"""How well trainings share the CPU: the mlp, cnn and lstm workloads (benchmarks/workloads_*.py) run by one process
alone, by two and by four identical processes at once (the sum of their steps/s), and by one process beside an
unrelated busy process (a pure-Python spin loop); on neuroflow and, where the anchors' environment is installed,
TensorFlow (v1 Session) and PyTorch (eager) in the same run. Each process also reports its CPU time per wall second
and how many of its threads were busy (from /proc/self/task), which shows threads that spin instead of working.

    python benchmarks/cpu_sharing.py                           # everything, ~5 minutes on a quiet 2-core machine
    python benchmarks/cpu_sharing.py mlp lstm --frameworks neuroflow neuroflow-fixed --seconds 2

"neuroflow-fixed" is neuroflow with its thread count fixed at the usable cores (NEUROFLOW_NUM_THREADS), whatever
else runs, as before issue 25: beside "neuroflow" it shows what the sharing rule gains, and that it costs a process
alone nothing.

Aims (issue 25): two at once >= 0.9x of one alone in sum, and >= TensorFlow's sum; a busy neighbour costs at most
half of one alone. The processes of one framework and workload are started once and kept (idle ones wait on a
pipe, using no CPU) while the cases run one after another: all build and warm up, then each case's processes are
told to go together, run 0.5 s unmeasured, then count steps for --seconds.
"""
import argparse
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
_ANCHORS_VENV = pathlib.Path(os.environ.get("ANCHORS_VENV", pathlib.Path.home() / ".cache" / "neuroflow-anchors"))
DEFAULT_ANCHORS = os.environ.get("ANCHORS_PYTHON") or str(_ANCHORS_VENV / "bin" / "python")
WORKLOADS = ("mlp", "cnn", "lstm")
# neuroflow-fixed: neuroflow with NEUROFLOW_NUM_THREADS=<usable cores>, the thread count whatever else runs (as
# before issue 25): the same run shows whether sharing costs a process alone anything.
FRAMEWORKS = ("neuroflow", "neuroflow-fixed", "tensorflow", "torch")
CASES = (("one alone", 1, False), ("two at once", 2, False), ("four at once", 4, False),
         ("one + busy neighbour", 1, True))
UNMEASURED_SECONDS = 0.5
BUSY_LOOP = "import time\nend = time.monotonic() + 600\nwhile time.monotonic() < end:\n    pass\n"


# --- worker side ---------------------------------------------------------------------------------------------
def _thread_cpu_ticks():
    """{thread id: (name, utime + stime in clock ticks)} for this process's threads (Linux; {} elsewhere)."""
    ticks = {}
    try:
        tids = os.listdir("/proc/self/task")
    except OSError:
        return ticks
    for tid in tids:
        try:
            with open(f"/proc/self/task/{tid}/stat") as f:
                stat = f.read()
            with open(f"/proc/self/task/{tid}/comm") as f:
                name = f.read().strip()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        ticks[tid] = (name, int(fields[11]) + int(fields[12]))
    return ticks


def _build(framework, workload):
    if framework == "torch":
        import torch
        import workloads_torch
        torch.manual_seed(0)
        return getattr(workloads_torch, workload)()
    import workloads_tf1
    tf = workloads_tf1.load(framework)
    tf.reset_default_graph()
    tf.set_random_seed(0)
    return getattr(workloads_tf1, workload)(tf)


def worker(framework, workload, seconds):
    """Builds the workload, says "ready", then per "go" line on stdin runs one measured window and prints its
    figures as a JSON line; ends at end of input."""
    step = _build(framework, workload)
    step()
    step()
    print("ready", flush=True)
    hz = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    for line in sys.stdin:
        if line.strip() != "go":
            break
        end = time.perf_counter() + UNMEASURED_SECONDS
        while time.perf_counter() < end:
            step()
        before, cpu_before = _thread_cpu_ticks(), time.process_time()
        start = time.perf_counter()
        steps = 0
        while True:
            step()
            steps += 1
            elapsed = time.perf_counter() - start
            if elapsed >= seconds:
                break
        cpu = time.process_time() - cpu_before
        after = _thread_cpu_ticks()
        busy = [(name, (t - before.get(tid, (name, 0))[1]) / hz / elapsed) for tid, (name, t) in after.items()]
        busy = sorted((b for b in busy if b[1] >= 0.05), key=lambda b: -b[1])
        print(json.dumps({"steps_per_s": steps / elapsed, "cpu_per_s": cpu / elapsed,
                          "busy_threads": [f"{n}:{share:.2f}" for n, share in busy]}), flush=True)


# --- parent side ---------------------------------------------------------------------------------------------
def _start_workers(python, framework, workload, count, seconds):
    module = "neuroflow" if framework.startswith("neuroflow") else framework
    cmd = [python, str(HERE / "cpu_sharing.py"), "--worker", module, workload, "--seconds", str(seconds)]
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH=os.pathsep.join(
        p for p in (str(HERE.parent), os.environ.get("PYTHONPATH")) if p))
    if framework == "neuroflow-fixed":
        env["NEUROFLOW_NUM_THREADS"] = str(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
                                           else os.cpu_count())
    logs = [tempfile.TemporaryFile("w+") for _ in range(count)]  # the frameworks' warnings, shown on failure
    procs = [subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, text=True, env=env,
                              cwd=HERE) for log in logs]
    for p, log in zip(procs, logs):
        line = p.stdout.readline().strip()
        if line != "ready":
            for q in procs:
                q.kill()
            log.seek(0)
            raise RuntimeError(f"{framework} {workload}: a worker did not start (exit {p.wait()}):\n"
                               + log.read()[-3000:])
    return procs


def _run_case(procs, count, busy):
    neighbour = subprocess.Popen([sys.executable, "-c", BUSY_LOOP]) if busy else None
    try:
        if neighbour:
            time.sleep(0.3)  # the neighbour is running before the training starts, as it would be
        for p in procs[:count]:
            p.stdin.write("go\n")
            p.stdin.flush()
        return [json.loads(p.stdout.readline()) for p in procs[:count]]
    finally:
        if neighbour:
            neighbour.kill()
            neighbour.wait()


def _has_module(python, module):
    return pathlib.Path(python).exists() and subprocess.run(
        [python, "-c", f"import {module}"], capture_output=True).returncode == 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("workloads", nargs="*", default=list(WORKLOADS))
    parser.add_argument("--frameworks", nargs="+", default=list(FRAMEWORKS), choices=FRAMEWORKS)
    parser.add_argument("--seconds", type=float, default=3.0, help="measured seconds per process and case")
    parser.add_argument("--anchors", default=DEFAULT_ANCHORS, help="the python with TensorFlow and PyTorch")
    parser.add_argument("--worker", nargs=2, metavar=("FRAMEWORK", "WORKLOAD"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(*args.worker, args.seconds)
        return
    pythons = {"neuroflow": sys.executable, "neuroflow-fixed": sys.executable}
    for framework, module in (("tensorflow", "tensorflow"), ("torch", "torch")):
        if framework in args.frameworks:
            if _has_module(args.anchors, module):
                pythons[framework] = args.anchors
            else:
                print(f"# {framework}: skipped (no {module} in {args.anchors}; see benchmarks/setup_anchors.sh)")
    print(f"# {os.cpu_count()} cores; steps/s summed over the processes of a case; 'x one' = that sum / one "
          f"alone; cpu = CPU seconds per wall second of each process; busy threads = threads using >= 5% of a core")
    print(f"{'framework':<15} {'workload':<5} {'case':<21} {'steps/s':>8} {'x one':>6}  per process (cpu, "
          f"busy threads)")
    for workload in args.workloads:
        for framework in args.frameworks:
            if framework not in pythons:
                continue
            procs = _start_workers(pythons[framework], framework, workload, max(c[1] for c in CASES), args.seconds)
            try:
                alone = None
                for case, count, busy in CASES:
                    results = _run_case(procs, count, busy)
                    total = sum(r["steps_per_s"] for r in results)
                    alone = total if alone is None else alone
                    detail = "; ".join(f"{r['steps_per_s']:.1f} ({r['cpu_per_s']:.2f}, "
                                       f"{' '.join(r['busy_threads'])})" for r in results)
                    print(f"{framework:<15} {workload:<5} {case:<21} {total:8.1f} {total / alone:6.2f}  {detail}",
                          flush=True)
            finally:
                for p in procs:
                    p.stdin.close()
                for p in procs:
                    p.wait()


if __name__ == "__main__":
    main()
