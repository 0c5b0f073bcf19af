"""How many threads this process's kernels use: the cores that other processes leave free, or a fixed count.

Two trainings side by side (two terminals, a grid of seeds, MPI ranks on one machine) each running two BLAS
threads on a 2-core machine collapsed: OpenBLAS's idle workers spin, so four threads fought for two cores and the
pair got 0.24x of one alone's steps (mlp), a busy neighbour 0.11x (benchmarks/cpu_sharing.py). Here a monitor thread
wakes every SAMPLE_SECONDS (it sleeps in between: it never spins), reads the busy time of the usable cores from
/proc/stat, subtracts this process's own CPU time, and so learns how many cores other processes keep busy; the
kernels' thread count (OpenBLAS's threads, or the pool of runtime/blas_threads.py) becomes the free cores, at least
one. It drops at once and rises only after two samples agree, so two processes settle on one thread each instead
of taking turns. Alone, nothing changes.

A fixed count turns the monitor off: `ConfigProto(intra_op_parallelism_threads=n)` (n > 0; the latest Session with
one sets the process's count, as OpenBLAS's count is per process), else the environment's NEUROFLOW_NUM_THREADS=n.
`inter_op_parallelism_threads` is accepted and has nothing to size: a plan runs its ops one after another.
Without /proc/stat (not Linux) the count stays at the usable cores unless fixed.
"""
import numbers
import os
import threading
import time

__all__ = ["apply_session_config", "cores_busy_elsewhere", "fixed_threads", "next_thread_count", "threads",
           "usable_cores"]

SAMPLE_SECONDS = 0.25
_state = {"config_fixed": None, "monitor": None, "pending": None, "auto": False}  # auto: the free-cores rule is on
_lock = threading.Lock()


def usable_cores():
    """The cores this process may run on (its affinity mask where the OS has one)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


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


def fixed_threads():
    """The thread count the user fixed (a Session's ConfigProto, else NEUROFLOW_NUM_THREADS), or None."""
    return _state["config_fixed"] if _state["config_fixed"] is not None else _env_threads()


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


def _read_proc_stat():
    try:
        with open("/proc/stat") as f:
            return f.read()
    except OSError:
        return None


def cores_busy_elsewhere(stat_before, stat_after, own_cpu_seconds, wall_seconds, cpus, ticks_per_second):
    """Cores kept busy by other processes between two readings of /proc/stat: the cpus' busy time less this
    process's CPU time, per wall second (never below 0)."""
    busy = (_busy_ticks(stat_after, cpus) - _busy_ticks(stat_before, cpus)) / ticks_per_second
    return max(0.0, (busy - own_cpu_seconds) / wall_seconds)


def next_thread_count(current, busy_elsewhere, cores, pending=None):
    """(threads to use now, the raise waiting for confirmation): the free cores rounded, at least 1 and at most
    `cores`; a lower count applies at once, a higher one only when the previous sample wanted it too (`pending`)."""
    wanted = max(1, min(cores, int(cores - busy_elsewhere + 0.5)))
    if wanted <= current:
        return wanted, None
    if pending is not None:
        return min(pending, wanted), None
    return current, wanted


def _monitor(cores, cpus):
    blas_threads = _blas_threads()
    ticks = os.sysconf("SC_CLK_TCK")
    before, own_before, wall_before = _read_proc_stat(), time.process_time(), time.monotonic()
    while True:
        time.sleep(SAMPLE_SECONDS)
        if _state["monitor"] is not threading.current_thread():
            return  # a fixed count was set, or a forked child started its own
        after, own_after, wall_after = _read_proc_stat(), time.process_time(), time.monotonic()
        if after is None:
            return
        elsewhere = cores_busy_elsewhere(before, after, own_after - own_before, wall_after - wall_before, cpus,
                                         ticks)
        with _lock:
            if _state["monitor"] is not threading.current_thread():
                return
            count, _state["pending"] = next_thread_count(blas_threads.budget(), elsewhere, cores, _state["pending"])
            if count != blas_threads.budget():
                blas_threads.set_budget(count)
        before, own_before, wall_before = after, own_after, wall_after


def _start_monitor():
    cores = usable_cores()
    if cores < 2 or _read_proc_stat() is None or not _blas_threads().can_size():
        return
    cpus = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else set(range(cores))
    thread = threading.Thread(target=_monitor, args=(cores, cpus), name="neuroflow-cpu-share", daemon=True)
    _state["monitor"] = thread
    thread.start()


def _apply():
    """Puts the fixed count in force, or starts the monitor (once per process) when there is none."""
    fixed = fixed_threads()
    if fixed is not None:
        _state["monitor"] = None  # a running monitor ends at its next wake
        _state["auto"] = False
        _blas_threads().set_budget(fixed)
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


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_monitor_after_fork)
