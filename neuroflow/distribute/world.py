"""The MPI process group of `neuroflow.distribute`: `init()`/`shutdown()`, rank and size queries, and the abort
of every rank when one stops on an uncaught exception. mpi4py is imported here, by `init()`, and nowhere else at
import time, so `import neuroflow.distribute` costs nothing until a program asks for MPI."""
import os
import sys
import threading

import numpy as np

__all__ = ["init", "shutdown", "is_initialized", "size", "rank", "local_rank", "local_size", "cross_rank",
           "cross_size", "is_homogeneous", "mpi_built", "mpi_enabled", "nccl_built", "gloo_built",
           "mpi_threads_supported", "current", "allreduce_stats", "NotInitializedError"]

# Environment variables through which launchers (Open MPI, MPICH/Hydra, PMIx, Slurm) tell a process the size of its
# job: a collective run before init() in such a job is an error, not a silent world of one.
_LAUNCHER_SIZE_VARIABLES = ("OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE", "MPI_LOCALNRANKS", "SLURM_NTASKS")


class NotInitializedError(ValueError):
    """A rank or size query, or a collective inside a multi-process launch, before `init()`."""


class World:
    """The initialized process group: our own duplicates of the communicators (so a user's MPI traffic on
    COMM_WORLD never meets ours), the rank/size facts, and settings read once from the environment."""

    def __init__(self, mpi, comm):
        self.mpi = mpi
        self.comm = comm.Dup()              # data: the collectives themselves
        self.control = comm.Dup()           # headers: the agreement check before each collective
        self.local = comm.Split_type(mpi.COMM_TYPE_SHARED, key=comm.Get_rank())
        self.rank = self.comm.Get_rank()
        self.size = self.comm.Get_size()
        self.local_rank = self.local.Get_rank()
        self.local_size = self.local.Get_size()
        # Machines: the ranks with the same local rank form one "cross" communicator (Horovod's cross_rank/size).
        self.cross = comm.Split(self.local_rank, key=comm.Get_rank())
        self.cross_rank = self.cross.Get_rank()
        self.cross_size = self.cross.Get_size()
        sizes = np.empty(self.size, np.int64)
        self.comm.Allgather(np.array([self.local_size], np.int64), sizes)
        self.homogeneous = bool((sizes == sizes[0]).all())
        self.sequence = 0                   # collectives made so far: every rank must make the same ones
        self.signatures = {}                # (kind, name, dtypes, shapes) -> (description, digest)
        self.headers = None                 # the agreement check's persistent requests, set up at first use
        self.lock = threading.Lock()        # one collective at a time per process (order matters in MPI)
        # What allreduces cost so far (MPI calls, bytes reduced, seconds inside them): benchmarks and users read it.
        self.buffers = {}                   # (dtype, size) -> large result buffers, reused once unreferenced
        self.stats = {"allreduce_calls": 0, "allreduce_bytes": 0, "allreduce_seconds": 0.0,
                      "allreduce_wait_seconds": 0.0}
        self.fusion_threshold = _int_env("HOROVOD_FUSION_THRESHOLD", 64 * 1024 * 1024)
        self.timeout = _float_env("NEUROFLOW_MPI_TIMEOUT", 0.0)      # 0: wait as long as the job lives
        self.stall_warning = _float_env("HOROVOD_STALL_CHECK_TIME_SECONDS", 60.0)

    def free(self):
        if self.headers is not None:
            self.headers.free()
        for comm in (self.comm, self.control, self.local, self.cross):
            comm.Free()


_world = None
_previous_excepthook = None


def _int_env(name, default):
    value = os.environ.get(name, "")
    try:
        return int(value) if value else default
    except ValueError:
        raise ValueError(f"{name} must be an integer number of bytes, got {value!r}") from None


def _float_env(name, default):
    value = os.environ.get(name, "")
    try:
        return float(value) if value else default
    except ValueError:
        raise ValueError(f"{name} must be a number of seconds, got {value!r}") from None


def init(comm=None):
    """Initializes MPI (through mpi4py) for this process; call it once at the start of the program.

    Args:
        comm: an mpi4py communicator to use instead of `MPI.COMM_WORLD` (a list of ranks, as Horovod accepts, is
            not supported).

    Raises:
        ImportError: mpi4py is not installed (`pip install neuroflow[mpi]`).

    Example:
        >>> import neuroflow.distribute as hvd
        >>> hvd.init()
        >>> print(hvd.rank(), "of", hvd.size())
    """
    global _world, _previous_excepthook
    if _world is not None:
        return
    try:
        from mpi4py import MPI
    except ImportError as exc:
        raise ImportError("neuroflow.distribute needs mpi4py and an MPI library: pip install 'neuroflow[mpi]' "
                          f"(installs mpi4py and Open MPI from the package index) ({exc})") from exc
    if comm is not None and not isinstance(comm, MPI.Comm):
        raise TypeError(f"init(comm=...) takes an mpi4py communicator, got {type(comm).__name__}")
    _world = World(MPI, comm if comm is not None else MPI.COMM_WORLD)
    if _world.size > 1 and _previous_excepthook is None:
        _previous_excepthook = sys.excepthook
        sys.excepthook = _abort_all_ranks


def shutdown():
    """Releases this module's communicators (MPI itself is finalized by mpi4py at exit). `init()` may follow."""
    global _world, _previous_excepthook
    if _world is None:
        return
    world, _world = _world, None
    if _previous_excepthook is not None:
        sys.excepthook, _previous_excepthook = _previous_excepthook, None
    world.free()


def _abort_all_ranks(exc_type, exc, tb):
    """sys.excepthook while several ranks run: print the traceback, name this rank, then MPI_Abort, so the other
    ranks stop now instead of waiting forever in their next collective."""
    world = _world
    hook = _previous_excepthook or sys.__excepthook__
    hook(exc_type, exc, tb)
    if world is None or issubclass(exc_type, KeyboardInterrupt):
        return
    sys.stderr.write(f"neuroflow.distribute: rank {world.rank} of {world.size} stopped with an uncaught "
                     f"{exc_type.__name__}: {exc}; aborting all {world.size} ranks (MPI_Abort)\n")
    sys.stderr.flush()
    world.mpi.COMM_WORLD.Abort(1)


def current():
    """The World, or None before init(). Raises NotInitializedError when the launcher started several processes
    but this one never called init() (each would otherwise train alone, silently)."""
    if _world is not None:
        return _world
    for variable in _LAUNCHER_SIZE_VARIABLES:
        if os.environ.get(variable, "1").strip() not in ("", "1", "0"):
            raise NotInitializedError(
                f"neuroflow.distribute has not been initialized, but this process is one of {os.environ[variable]} "
                f"launched together ({variable}); call neuroflow.distribute.init() first.")
    return None


def _initialized():
    if _world is None:
        raise NotInitializedError("neuroflow.distribute has not been initialized; use neuroflow.distribute.init().")
    return _world


def is_initialized():
    """Whether init() has been called (and shutdown() has not)."""
    return _world is not None


def size():
    """The number of processes (ranks) training together."""
    return _initialized().size


def rank():
    """This process's rank, 0 to size() - 1. Rank 0 writes checkpoints and summaries by convention."""
    return _initialized().rank


def local_size():
    """The number of ranks on this machine."""
    return _initialized().local_size


def local_rank():
    """This process's rank among those on this machine (e.g. to pick a GPU)."""
    return _initialized().local_rank


def cross_rank():
    """The index of this rank's machine among the machines (ranks with this local rank, ordered by rank)."""
    return _initialized().cross_rank


def cross_size():
    """The number of machines that have a rank with this process's local rank."""
    return _initialized().cross_size


def is_homogeneous():
    """Whether every machine runs the same number of ranks."""
    return _initialized().homogeneous


def mpi_built():
    """True: the collectives run on MPI (Horovod's build query)."""
    return True


def mpi_enabled():
    """Whether MPI is in use, i.e. init() has been called."""
    return _world is not None


def nccl_built():
    """0: no NCCL (Horovod returns the NCCL version it was built with, or 0)."""
    return 0


def gloo_built():
    """False: no Gloo controller."""
    return False


def allreduce_stats():
    """A copy of this process's allreduce counters since init(): `allreduce_calls` (MPI Allreduce calls, one per
    fusion buffer), `allreduce_bytes` (bytes reduced), `allreduce_seconds` (wall time inside the allreduce
    kernels) and `allreduce_wait_seconds` (the part of it spent in the agreement check, which is mostly waiting
    for the slowest rank to arrive)."""
    return dict(_initialized().stats)


def mpi_threads_supported():
    """Whether the MPI library was initialized with MPI_THREAD_MULTIPLE."""
    world = _initialized()
    return world.mpi.Query_thread() == world.mpi.THREAD_MULTIPLE
