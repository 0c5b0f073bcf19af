"""Running matrix products on our own threads instead of OpenBLAS's.

OpenBLAS's worker threads spin on a core for ~100 ms after each multi-threaded call, so every kernel that runs
between two products (ReLU, bias, convolution, optimizer updates) finds one of the two cores busy. Measured on the
cnn workload: the compiled convolution kernels take 5.9 ms each alone but 11 ms in the step. So when a plan first
builds a compiled convolution kernel (runtime/accel/conv.py), OpenBLAS is set to one thread for the process and
large MatMul products are split by rows over a small pool of Python threads (NumPy releases the GIL inside BLAS);
idle pool threads block instead of spinning. Measured on 2 cores, steps/s, pool vs OpenBLAS threads: cnn 20.8-25.4
vs 16.3-18.0; but mlp 218-245 vs 254-312 and lstm 68-72 vs 92-100, where products dominate and OpenBLAS's own
threading wins, so programs without compiled convolutions keep it. NEUROFLOW_BLAS_THREADS=0 never switches;
NEUROFLOW_BLAS_THREADS=n sets the pool size.
"""
import ctypes
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np

__all__ = ["configure", "parallel_matmul", "threads"]

MIN_FLOPS = 4_000_000   # smaller products run on one thread: splitting costs more than it saves
_state = {"configured": False, "threads": 1, "pool": None}
_lock = threading.Lock()


def _openblas_setter():
    try:
        maps = open("/proc/self/maps").read()
    except OSError:
        return None
    for path in {line.split()[-1] for line in maps.splitlines() if "openblas" in line.lower() and "/" in line}:
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for name in ("scipy_openblas_set_num_threads64_", "scipy_openblas_set_num_threads",
                     "openblas_set_num_threads64_", "openblas_set_num_threads"):
            fn = getattr(lib, name, None)
            if fn is not None:
                fn.argtypes = [ctypes.c_int]
                return fn
    return None


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
        count = int(wanted) if wanted else (os.cpu_count() or 1)
        setter = _openblas_setter()
        if setter is None or count < 2:
            return
        setter(1)
        _state["threads"] = count
        _state["pool"] = ThreadPoolExecutor(max_workers=count - 1, thread_name_prefix="neuroflow-blas")


def threads():
    return _state["threads"]


def parallel_matmul(a, b):
    """a @ b for 2-D operands, split by rows over the pool when large enough; the same result as np.matmul
    (each row block is an independent product)."""
    pool = _state["pool"]
    m = a.shape[0]
    if pool is None or m < 2 * _state["threads"] or m * a.shape[1] * b.shape[1] < MIN_FLOPS:
        return np.matmul(a, b)
    out = np.empty((m, b.shape[1]), dtype=np.result_type(a, b))
    parts = _state["threads"]
    bounds = [m * i // parts for i in range(parts + 1)]
    futures = [pool.submit(np.matmul, a[bounds[i]:bounds[i + 1]], b, out=out[bounds[i]:bounds[i + 1]])
               for i in range(1, parts)]
    np.matmul(a[bounds[0]:bounds[1]], b, out=out[bounds[0]:bounds[1]])
    for f in futures:
        f.result()
    return out
