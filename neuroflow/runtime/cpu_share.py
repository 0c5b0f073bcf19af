"""How many threads this process's kernels use: the cores that other processes leave free, or a fixed count.

Two trainings side by side (two terminals, a grid of seeds, MPI ranks on one machine) each running two BLAS
threads on a 2-core machine collapsed: OpenBLAS's idle workers spin, so four threads fought for two cores and the
pair got 0.24x of one alone's steps (mlp), a busy neighbour 0.11x (benchmarks/cpu_sharing.py). Here a monitor thread
wakes every SAMPLE_SECONDS (it sleeps in between: it never spins), reads the busy time of the usable cores from
/proc/stat, subtracts this process's own CPU time, and so learns how many cores other processes keep busy;
OpenBLAS's thread count becomes the free cores, at least one. It drops at once and rises only after two samples
agree, so two processes settle on one thread each instead of taking turns. Alone, nothing changes.
Runs in flight in this process share the free cores too: OpenBLAS's count is one for the whole process, so a
QueueRunner thread decoding while the training loop steps each ran two BLAS threads on 2 cores (10 ms per step
against 8.6 with the decoding inline, benchmarks/queue_overlap.py). The monitor also reads the CPU time of each of
this process's Python threads (/proc/self/task, not neuroflow's own helper threads); those that kept busy for a
quarter of the sample are runs in flight, and each gets an equal whole share of the free cores, at least one. (The blocking
pool of runtime/blas_threads.py, used instead of OpenBLAS's threads in programs with compiled convolutions, keeps
its size: idle, its threads take no core from anyone.)

A fixed count turns the monitor off: `ConfigProto(intra_op_parallelism_threads=n)` (n > 0; the latest Session with
one sets the process's count, as OpenBLAS's count is per process), else the environment's NEUROFLOW_NUM_THREADS=n,
else OPENBLAS_NUM_THREADS / OMP_NUM_THREADS (what NumPy users set to cap BLAS).
`inter_op_parallelism_threads` is accepted and has nothing to size: a plan runs its ops one after another.
Without /proc/stat (not Linux) the count stays at the usable cores unless fixed. In a container whose CPU quota
allows fewer cores than it sees, the usable cores are the quota's and the other processes are the container's
(its cgroup's CPU usage), not the host's other tenants.
"""
import numbers
import os
import threading
import time

__all__ = ["apply_session_config", "busy_seconds_reader", "cgroup_usage_seconds", "cores_busy_elsewhere",
           "cpu_quota_cores", "fixed_threads", "kernel_thread_ticks", "next_thread_count", "runs_in_flight",
           "threads", "usable_cores"]

SAMPLE_SECONDS = 0.25
BUSY_SHARE = 0.25  # a thread busy for this share of a sample's wall time is a run in flight
_HELPER_PREFIX = "neuroflow-"  # our own threads (this monitor, kernel pools, event writer) are no runs
_state = {"config_fixed": None, "monitor": None, "pending": None, "auto": False}  # auto: the free-cores rule is on
_lock = threading.Lock()
_usable = {}  # "cores": usable_cores(), read once (the affinity mask and quota of a process rarely change)


def cpu_quota_cores(root="/sys/fs/cgroup"):
    """The cores a container's CPU quota allows (cgroup v2 cpu.max or v1 cfs quota/period, rounded up), or None
    when there is no quota (or no cgroup file to read)."""
    candidates = ((os.path.join(root, "cpu.max"), None),
                  (os.path.join(root, "cpu", "cpu.cfs_quota_us"), os.path.join(root, "cpu", "cpu.cfs_period_us")),
                  (os.path.join(root, "cpu,cpuacct", "cpu.cfs_quota_us"),
                   os.path.join(root, "cpu,cpuacct", "cpu.cfs_period_us")))
    for quota_path, period_path in candidates:
        try:
            with open(quota_path) as f:
                fields = f.read().split()
            if period_path is not None:
                with open(period_path) as f:
                    fields = fields[:1] + f.read().split()[:1]
        except OSError:
            continue
        if len(fields) < 2 or fields[0] == "max":
            return None
        try:
            quota, period = int(fields[0]), int(fields[1])
        except ValueError:
            return None
        return max(1, -(-quota // period)) if quota > 0 and period > 0 else None
    return None


def usable_cores():
    """The cores this process may run on: its affinity mask where the OS has one, at most a container's quota."""
    if "cores" not in _usable:
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
        _usable["cores"] = min(cores, cpu_quota_cores() or cores)
    return _usable["cores"]


def _env_threads():
    wanted = os.environ.get("NEUROFLOW_NUM_THREADS", "").strip()
    if not wanted:
        return None
    try:
        count = int(wanted)
    except ValueError:
        count = 0
    if count < 1:
        raise ValueError(f"NEUROFLOW_NUM_THREADS must be a whole number of threads of at least 1 (unset: sized to "
                         f"the free cores), not {wanted!r}")
    return count


def _blas_env_threads():
    """OPENBLAS_NUM_THREADS, else OMP_NUM_THREADS, as NumPy users set them to cap BLAS (OpenBLAS read it at start;
    sizing to the free cores must not undo it); None when unset or not a positive whole number (not ours to
    refuse)."""
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"):
        wanted = os.environ.get(name, "").strip()
        if wanted:
            try:
                count = int(wanted)
            except ValueError:
                return None
            return count if count >= 1 else None
    return None


def fixed_threads():
    """The thread count the user fixed (a Session's ConfigProto, else NEUROFLOW_NUM_THREADS, else OpenBLAS's or
    OpenMP's environment variable), or None."""
    if _state["config_fixed"] is not None:
        return _state["config_fixed"]
    count = _env_threads()
    return count if count is not None else _blas_env_threads()


def _blas_threads():
    from . import blas_threads  # imported by the first Session, not by `import neuroflow` (ctypes, a thread pool)
    return blas_threads


def threads():
    """How many threads this process's kernels may use now."""
    return _blas_threads().budget()


def _busy_ticks(text, cpus):
    """The busy clock ticks (everything but idle and iowait) of the listed cpus in /proc/stat's `text`, summed."""
    busy = 0
    for line in text.splitlines():
        if not line.startswith("cpu") or line.startswith("cpu "):
            continue
        name, *fields = line.split()
        if int(name[3:]) not in cpus:
            continue
        values = [int(v) for v in fields[:8]]  # user nice system idle iowait irq softirq steal (guest is in user)
        busy += sum(values) - values[3] - values[4]
    return busy


def _read(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return None


def _read_proc_stat():
    return _read("/proc/stat")


def cgroup_usage_seconds(root="/sys/fs/cgroup"):
    """CPU seconds used so far by every process of this container's cgroup (v2 cpu.stat usage_usec, or v1
    cpuacct.usage), or None where neither can be read."""
    text = _read(os.path.join(root, "cpu.stat"))
    for line in (text or "").splitlines():
        if line.startswith("usage_usec "):
            return int(line.split()[1]) / 1e6
    for folder in ("cpuacct", "cpu,cpuacct"):
        text = _read(os.path.join(root, folder, "cpuacct.usage"))
        if text and text.strip().isdigit():
            return int(text) / 1e9
    return None


def busy_seconds_reader(cpus, quota_limited, root="/sys/fs/cgroup"):
    """A function returning the CPU seconds used so far by everything that competes with this process: its
    container's processes where a CPU quota limits the cores (the host's other tenants are not in our quota),
    else every process on the usable cpus (/proc/stat). None where that cannot be read."""
    if quota_limited:
        if cgroup_usage_seconds(root) is None:
            return None
        return lambda: cgroup_usage_seconds(root)
    if _read_proc_stat() is None:
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    return lambda: _busy_ticks(_read_proc_stat() or "", cpus) / ticks


def cores_busy_elsewhere(busy_before, busy_after, own_cpu_seconds, wall_seconds):
    """Cores kept busy by other processes between two readings of the busy seconds: the busy time less this
    process's CPU time, per wall second (never below 0)."""
    return max(0.0, (busy_after - busy_before - own_cpu_seconds) / wall_seconds)


def kernel_thread_ticks():
    """{native thread id: CPU clock ticks used so far} for this process's Python threads that may run kernels (all
    but neuroflow's own helpers), from /proc/self/task; {} where that cannot be read."""
    ticks = {}
    for thread in threading.enumerate():
        if thread.name.startswith(_HELPER_PREFIX) or thread.native_id is None:
            continue
        text = _read(f"/proc/self/task/{thread.native_id}/stat")
        if text is None:
            continue
        fields = text.rsplit(")", 1)[-1].split()  # after the command name, which may hold spaces
        try:
            ticks[thread.native_id] = int(fields[11]) + int(fields[12])  # utime + stime (fields 14 and 15)
        except (IndexError, ValueError):
            continue
    return ticks


def runs_in_flight(ticks_before, ticks_after, wall_seconds, ticks_per_second):
    """How many threads kept busy between two `kernel_thread_ticks()` readings (each for at least BUSY_SHARE of
    the wall time): the runs sharing the free cores, at least 1."""
    threshold = BUSY_SHARE * wall_seconds * ticks_per_second
    busy = sum(1 for thread, after in ticks_after.items()
               if thread in ticks_before and after - ticks_before[thread] >= threshold)
    return max(1, busy)


def next_thread_count(current, busy_elsewhere, cores, pending=None, runs=1):
    """(threads to use now, the raise waiting for confirmation): the free cores rounded, divided evenly among the
    `runs` in flight in this process (whole threads), at least 1 and at most `cores`; a lower count applies at
    once, a higher one only when the previous sample wanted it too (`pending`)."""
    free = int(cores - busy_elsewhere + 0.5)
    wanted = max(1, min(cores, free // max(1, runs)))
    if wanted <= current:
        return wanted, None
    if pending is not None:
        return min(pending, wanted), None
    return current, wanted


def _monitor(cores, read_busy):
    blas_threads = _blas_threads()
    ticks_per_second = os.sysconf("SC_CLK_TCK")
    before, own_before, wall_before = read_busy(), time.process_time(), time.monotonic()
    threads_before = kernel_thread_ticks()
    while True:
        time.sleep(SAMPLE_SECONDS)
        if _state["monitor"] is not threading.current_thread():
            return  # a fixed count was set, or a forked child started its own
        after, own_after, wall_after = read_busy(), time.process_time(), time.monotonic()
        threads_after = kernel_thread_ticks()
        if after is None:
            return
        elsewhere = cores_busy_elsewhere(before, after, own_after - own_before, wall_after - wall_before)
        runs = runs_in_flight(threads_before, threads_after, wall_after - wall_before, ticks_per_second)
        with _lock:
            if _state["monitor"] is not threading.current_thread():
                return
            count, _state["pending"] = next_thread_count(blas_threads.budget(), elsewhere, cores, _state["pending"],
                                                         runs)
            if count != blas_threads.budget():
                blas_threads.set_budget(count)
        before, own_before, wall_before, threads_before = after, own_after, wall_after, threads_after


def _start_monitor():
    cores = usable_cores()
    if cores < 2 or not _blas_threads().can_size():
        return
    cpus = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else set(range(os.cpu_count() or cores))
    read_busy = busy_seconds_reader(cpus, quota_limited=cores < len(cpus))
    if read_busy is None:
        return
    thread = threading.Thread(target=_monitor, args=(cores, read_busy), name="neuroflow-cpu-share", daemon=True)
    _state["monitor"] = thread
    thread.start()


def _apply():
    """Puts the fixed count in force, or starts the monitor (once per process) when there is none."""
    fixed = fixed_threads()
    if fixed is not None:
        _state["monitor"] = None  # a running monitor ends at its next wake
        _state["auto"] = False
        _blas_threads().set_budget(fixed, fixed=True)
    elif not _state["auto"]:
        _state["auto"] = True  # tried once: without /proc/stat, OpenBLAS or a second core there is nothing to run
        _blas_threads().set_budget(usable_cores())
        _start_monitor()


def apply_session_config(config):
    """Called by each new Session: takes its ConfigProto's intra_op_parallelism_threads (when > 0) as the fixed
    count, then applies the process's thread rule."""
    count = getattr(config, "__dict__", {}).get("intra_op_parallelism_threads") if config is not None else None
    with _lock:
        if count is not None and count != 0:
            if not isinstance(count, numbers.Integral) or isinstance(count, bool) or count < 0:
                raise ValueError(f"ConfigProto.intra_op_parallelism_threads must be a whole number of threads (0: "
                                 f"sized to the free cores), not {count!r}")
            _state["config_fixed"] = int(count)
        _apply()


def _forget_monitor_after_fork():
    # The child has no monitor thread; its first Session starts one.
    _state["monitor"] = None
    _state["pending"] = None
    _state["auto"] = False
    _usable.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_monitor_after_fork)
