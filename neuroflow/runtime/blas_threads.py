"""Running matrix products (and large elementwise work) on our own threads instead of OpenBLAS's.

OpenBLAS's worker threads spin on a core for ~100 ms after each multi-threaded call, so every kernel that runs
between two products (ReLU, bias, convolution, optimizer updates) finds one of the two cores busy. Measured on the
cnn workload: the compiled convolution kernels take 5.9 ms each alone but 11 ms in the step. So when a plan first
builds a compiled convolution kernel (runtime/accel/conv.py), OpenBLAS is set to one thread for the process and
large MatMul products are split (along the longer side of the output) over a small pool of Python threads (NumPy
releases the GIL inside BLAS); idle pool threads block instead of spinning. While the pool is on, large
elementwise kernels split their work over it too (`split_work`: Adam updates, Relu, ReluGrad, BiasAdd).
Measured on 2 cores, steps/s, pool vs OpenBLAS threads: cnn 20.8-25.4 vs 16.3-18.0; but mlp 218-245 vs 254-312
and lstm 68-72 vs 92-100, where products dominate and OpenBLAS's own threading wins, so programs without compiled
convolutions keep it (the switch is per process: a later LSTM in a process that built a CNN runs on the pool).
NEUROFLOW_BLAS_THREADS=0 never switches; NEUROFLOW_BLAS_THREADS=n sets the pool size (default: the usable cores).

How many threads is runtime/cpu_share.py's budget (`set_budget`): the cores other processes leave free, or the
user's fixed count. It sets OpenBLAS's thread count (its idle threads spin, taking cores from other processes). The
pool's threads block when idle, so the free-cores rule leaves the pool's parts at its size (measured on the cnn
workload beside a second one, 5 interleaved pairs on a loaded machine: two at once 4.3-9.1 steps/s with one part,
5.0-9.9 with two, higher in every pair); only a fixed count sets them (`parallel_matmul` and `split_work` cut the
work into that many parts).
"""
import ctypes
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np

__all__ = ["budget", "can_size", "configure", "openblas_threads", "parallel_matmul", "parts", "set_budget",
           "split_work", "threads"]

MIN_FLOPS = 4_000_000   # smaller products run on one thread: splitting costs more than it saves
MIN_SPLIT_ELEMENTS = 1 << 18  # elementwise work below this runs on one thread (a hand-off costs ~20-50 us)
# threads: the pool's threads with the caller's (1: pool off); parts: how many of them a kernel uses (a fixed
# budget, at most `threads`; else `threads`); budget: None until runtime/cpu_share.py sets one; fixed: whether
# the budget is the user's count (it sizes the pool's parts too).
_state = {"configured": False, "threads": 1, "parts": 1, "pool": None, "budget": None, "fixed": False}
_openblas = {}  # "set" / "get": OpenBLAS's thread-count functions, looked up once
_lock = threading.Lock()


def _openblas_function(kind):
    """OpenBLAS's openblas_set_num_threads ("set") or openblas_get_num_threads ("get") in NumPy's BLAS, or None."""
    if not _openblas:
        _openblas.update(_find_openblas())
    return _openblas.get(kind)


def _find_openblas():
    try:
        maps = open("/proc/self/maps").read()
    except OSError:
        return {}
    for path in {line.split()[-1] for line in maps.splitlines() if "openblas" in line.lower() and "/" in line}:
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for prefix, suffix in (("scipy_", "64_"), ("scipy_", ""), ("", "64_"), ("", "")):
            setter = getattr(lib, f"{prefix}openblas_set_num_threads{suffix}", None)
            if setter is not None:
                setter.argtypes = [ctypes.c_int]
                getter = getattr(lib, f"{prefix}openblas_get_num_threads{suffix}", None)
                if getter is not None:
                    getter.restype = ctypes.c_int
                return {"set": setter, "get": getter}
    return {}


def _fresh_pool_after_fork():
    # A forked child has none of the parent's threads, but the executor would believe its workers exist and
    # wait on them forever; a new executor starts its threads on first use.
    if _state["pool"] is not None:
        _state["pool"] = ThreadPoolExecutor(max_workers=_state["threads"] - 1, thread_name_prefix="neuroflow-blas")


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_fresh_pool_after_fork)


def configure():
    """Once per process: OpenBLAS to one thread and our pool to the core count (no-op when disabled, on one
    core, or when NumPy's BLAS is not OpenBLAS)."""
    with _lock:
        if _state["configured"]:
            return
        _state["configured"] = True
        wanted = os.environ.get("NEUROFLOW_BLAS_THREADS")
        if wanted == "0":
            return
        if wanted:
            try:
                count = int(wanted)
            except ValueError:
                raise ValueError(f"NEUROFLOW_BLAS_THREADS must be a whole number of threads (0 turns the pool "
                                 f"off), not {wanted!r}") from None
        else:
            count = max(_usable_cores(), _state["budget"] or 0)
        setter = _openblas_function("set")
        if setter is None or count < 2:
            return
        setter(1)
        _state["threads"] = count
        _state["parts"] = min(count, _state["budget"]) if _state["fixed"] else count
        _state["pool"] = ThreadPoolExecutor(max_workers=count - 1, thread_name_prefix="neuroflow-blas")


def _usable_cores():
    from .cpu_share import usable_cores  # the affinity mask, at most a container's CPU quota
    return usable_cores()


def threads():
    """How many threads share the work: 1 until `configure` turns the pool on."""
    return _state["threads"]


def can_size():
    """Whether `set_budget` has anything to size: NumPy's BLAS is OpenBLAS (whose thread count can be set)."""
    return _openblas_function("set") is not None


def budget():
    """How many threads a kernel may use now (OpenBLAS's count, or the pool's parts); before any budget was set,
    the usable cores."""
    return _state["budget"] or _usable_cores()


def set_budget(count, fixed=False):
    """Lets kernels use `count` threads from now on: OpenBLAS's thread count where the pool is off; where it is on
    (OpenBLAS on one thread), the pool's parts when the count is the user's (`fixed`, at most the pool's threads),
    else all its threads (they block when idle: no core is taken from others)."""
    count = max(1, int(count))
    with _lock:
        _state["budget"], _state["fixed"] = count, bool(fixed)
        if _state["pool"] is None:
            setter = _openblas_function("set")
            if setter is not None:
                setter(count)
            return
        _state["parts"] = min(count, _state["threads"]) if fixed else _state["threads"]


def parts():
    """How many parts a kernel on the pool cuts its work into now (1 while the pool is off): the pool's threads, or
    the user's fixed count. For kernels with threads of their own, so that the thread settings bind them too."""
    return _state["parts"] if _state["pool"] is not None else 1


def openblas_threads():
    """OpenBLAS's thread count now (None when NumPy's BLAS is not OpenBLAS)."""
    getter = _openblas_function("get")
    return None if getter is None else getter()


def parallel_matmul(a, b):
    """a @ b for 2-D operands, split over the pool when large enough; the same result as np.matmul (each block
    of rows or columns is an independent product). The longer of the output's two sides is split: few rows
    split by rows leave each thread a thin product that BLAS runs slowly (measured, 64 x 3136 @ 3136 x 1024:
    4.9 ms by rows, 4.1 ms by columns; 3136 x 64 @ 64 x 1024: 3.0 ms by rows, 4.1 ms by columns)."""
    pool = _state["pool"]
    m, n = a.shape[0], b.shape[1]
    parts = _state["parts"]
    if pool is None or parts < 2 or max(m, n) < 32 * parts or m * a.shape[1] * n < MIN_FLOPS:
        return np.matmul(a, b)
    out = np.empty((m, n), dtype=np.result_type(a, b))
    if m >= n:
        bounds = [m * i // parts for i in range(parts + 1)]
        jobs = [(a[lo:hi], b, out[lo:hi]) for lo, hi in zip(bounds, bounds[1:])]
    else:  # column blocks of 16 (whole vector registers); the blocks write strided rows of `out`, which BLAS takes
        bounds = [n * i // parts // 16 * 16 for i in range(parts)] + [n]
        jobs = [(a, b[:, lo:hi], out[:, lo:hi]) for lo, hi in zip(bounds, bounds[1:])]
    futures = [pool.submit(np.matmul, x, y, out=o) for x, y, o in jobs[1:]]
    np.matmul(*jobs[0][:2], out=jobs[0][2])
    for f in futures:
        f.result()
    return out


def split_work(n, work, grain=1):
    """work(lo, hi) over `threads()` ranges covering [0, n), on the pool and this thread, when the pool is on
    (OpenBLAS single-threaded, so no spinning BLAS worker competes) and the work (n units of `grain` elements)
    is large; else work(0, n). For kernels that release the GIL (numba nogil, NumPy ufuncs on large arrays):
    each range is independent, so the result is the same. Single elements split at multiples of 16 (whole
    vector registers)."""
    pool = _state["pool"]
    parts = _state["parts"]
    if pool is None or parts < 2 or n * grain < MIN_SPLIT_ELEMENTS or n < parts:
        work(0, n)
        return
    align = 16 if grain == 1 else 1
    bounds = [n * i // parts // align * align for i in range(parts)] + [n]
    futures = [pool.submit(work, lo, hi) for lo, hi in zip(bounds[1:-1], bounds[2:])]
    work(bounds[0], bounds[1])
    for f in futures:
        f.result()
