"""The collectives on host NumPy arrays that the graph ops run: allreduce (several tensors fused into few large
buffers), allgather and broadcast, each with mpi4py's buffer interface (no pickling), each preceded by an
agreement check that every rank is making the same collective on tensors of the same dtypes and shapes."""
import hashlib
import os
import sys
import time

import numpy as np

__all__ = ["allreduce_arrays", "allgather_array", "broadcast_array", "MismatchedCollectiveError",
           "CollectiveTimeoutError", "REDUCE_OPS"]

REDUCE_OPS = ("sum", "average", "min", "max", "product")
_HEADER_TAG = 7001
_YIELD_SECONDS = 0.02
# Poll without yielding this long first: peers usually arrive within microseconds (the skew the last data call
# left), and a yield on a loaded machine can give the core away for a whole time slice (MPI's own data calls
# poll all along).
_SPIN_SECONDS = 2e-4


class MismatchedCollectiveError(ValueError):
    """The ranks called different collectives (names, dtypes or shapes differ, or they are out of order)."""


class CollectiveTimeoutError(RuntimeError):
    """Some ranks did not reach a collective within NEUROFLOW_MPI_TIMEOUT seconds."""


def _digest(text):
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "little", signed=True)


def _describe(arrays):
    return ", ".join(f"{a.dtype.name}{list(a.shape)}" for a in arrays)


def _wait_all(world, requests, peers, what):
    """Waits for `requests` (one per peer rank) without spinning on the CPU, warning once when the wait passes
    HOROVOD_STALL_CHECK_TIME_SECONDS and raising after NEUROFLOW_MPI_TIMEOUT (when set), naming the ranks that
    have not arrived."""
    mpi = world.mpi
    if mpi.Request.Testall(requests):
        return
    start = time.monotonic()
    while time.monotonic() - start < _SPIN_SECONDS:
        if mpi.Request.Testall(requests):
            return
    pause, warned = 0.0, False
    while not mpi.Request.Testall(requests):
        waited = time.monotonic() - start
        if (world.timeout and waited > world.timeout) or (not warned and waited > world.stall_warning):
            missing = [peer for peer, request in zip(peers, requests) if not request.Test()]
            message = (f"neuroflow.distribute: rank {world.rank} has waited {waited:.0f} s in {what} for "
                       f"rank(s) {missing}, which have not reached it (stopped, hung, or making other collectives)")
            if world.timeout and waited > world.timeout:
                raise CollectiveTimeoutError(message)
            sys.stderr.write(message + "\n")
            sys.stderr.flush()
            warned = True
        if waited < _YIELD_SECONDS:
            os.sched_yield()  # ranks usually arrive within milliseconds: stay runnable, as MPI's own waits do
        else:
            time.sleep(pause)  # a longer wait (a slow rank, a checkpoint on rank 0): leave the CPU to others
            pause = min(pause * 2 or 1e-4, 5e-3)


_DESCRIPTIONS_KEPT = 4096  # distinct collective signatures remembered (a program makes a few per step)


def _signature(world, kind, name, arrays, first_dim_free):
    """The description of a collective (what the mismatch error prints) and its 64-bit digest, computed once per
    (kind, name, dtypes, shapes): building and hashing the text cost as much as the header's round trip."""
    key = (kind, name, first_dim_free) + tuple((a.dtype, a.shape) for a in arrays)
    known = world.signatures.get(key)
    if known is None:
        shapes = [a.shape[1:] if first_dim_free else a.shape for a in arrays]
        description = f"{kind} '{name}' of " + ", ".join(f"{a.dtype.name}{list(s)}" for a, s in zip(arrays, shapes))
        if len(world.signatures) >= _DESCRIPTIONS_KEPT:
            world.signatures.clear()  # shapes that change every step: forget rather than grow without bound
        known = world.signatures[key] = (description, _digest(description))
    return known


class _HeaderExchange:
    """The agreement check's messages as persistent MPI requests (one receive from and one send to each peer),
    set up once and restarted for every collective: creating 2 (size - 1) requests per call cost more than the
    small messages themselves."""

    def __init__(self, world):
        self.header = np.zeros(3, np.int64)
        self.table = np.zeros((world.size, 3), np.int64)
        self.peers = [r for r in range(world.size) if r != world.rank]
        self.receives = [world.control.Recv_init(self.table[r], source=r, tag=_HEADER_TAG) for r in self.peers]
        self.sends = [world.control.Send_init(self.header, dest=r, tag=_HEADER_TAG) for r in self.peers]

    def free(self):
        for request in self.receives + self.sends:
            request.Free()


def _agree(world, kind, name, arrays, first_dim_free=False):
    """Checks that every rank is making the same collective: each rank sends every other a small header (a
    digest of the collective's kind, name, dtypes and shapes, and a sequence number) and compares. Returns the
    first dimensions of every rank's tensor (allgather needs them). Raises MismatchedCollectiveError naming each
    rank's collective when they differ."""
    description, digest = _signature(world, kind, name, arrays, first_dim_free)
    world.sequence += 1
    exchange = world.headers
    if exchange is None:
        exchange = world.headers = _HeaderExchange(world)
    header, table = exchange.header, exchange.table
    header[0], header[1] = digest, world.sequence
    header[2] = arrays[0].shape[0] if first_dim_free and arrays[0].ndim else 0
    table[world.rank] = header
    world.mpi.Prequest.Startall(exchange.receives + exchange.sends)
    try:
        _wait_all(world, exchange.receives, exchange.peers, description)
    except BaseException:
        world.headers = None  # its requests are still active: the next collective sets up fresh ones
        raise
    world.mpi.Request.Waitall(exchange.sends)
    if (table[:, :2] != header[:2]).any():
        raise MismatchedCollectiveError(_mismatch_message(world, description))
    return table[:, 2].copy()


def _mismatch_message(world, description):
    """Exchanges each rank's description (UTF-8 bytes, by buffer) to say exactly what differs."""
    mine = np.frombuffer(f"{description} (collective #{world.sequence})".encode("utf-8"), np.uint8)
    lengths = np.empty(world.size, np.int64)
    world.control.Allgather(np.array([mine.size], np.int64), lengths)
    everyone = np.empty(int(lengths.sum()), np.uint8)
    world.control.Allgatherv(mine, [everyone, lengths.astype(np.int32), world.mpi.BYTE])
    offsets = np.concatenate([[0], np.cumsum(lengths)])
    lines = [f"  rank {r}: {everyone[offsets[r]:offsets[r + 1]].tobytes().decode('utf-8')}"
             for r in range(world.size)]
    return ("Mismatched collectives across ranks (every rank must make the same collectives, in the same order, "
            "on tensors of the same dtype and shape):\n" + "\n".join(lines))


def _mpi_op(world, op, dtype):
    mpi = world.mpi
    if dtype == np.bool_:
        return mpi.LAND if op in ("min", "product") else mpi.LOR
    return {"sum": mpi.SUM, "average": mpi.SUM, "min": mpi.MIN, "max": mpi.MAX, "product": mpi.PROD}[op]


_RECYCLE_BYTES = 1 << 20  # smaller buffers come cheaply from malloc's free lists anyway
_RECYCLE_KEEP = 4


def _count_of_an_object_only_a_list_holds():
    """What sys.getrefcount reports, in the very expression form the pool uses, for an object held only by a list
    (2 on CPython 3.11: the list and the call's argument); measured rather than assumed, since interpreters differ
    in the temporary references an expression takes."""
    probe = [object()]
    i = 0
    return sys.getrefcount(probe[i])


_UNREFERENCED = _count_of_an_object_only_a_list_holds()


def _result_buffer(world, dtype, size):
    """A 1-d array for a result: a buffer this module allocated before and nobody references any more (its only
    references are the pool's), else a new one. glibc maps blocks over 32 MiB afresh on every allocation, and
    page-faulting 100 MB in costs as much as reducing it over shared memory; a training step's gradients are
    dropped by the end of the step, so their buffers come back here. A view of a buffer (the tensors handed out)
    holds a reference to it, so a buffer still in use anywhere is never reused."""
    nbytes = size * dtype.itemsize
    if nbytes < _RECYCLE_BYTES:
        return np.empty(size, dtype)
    pool = world.buffers.setdefault((dtype.str, size), [])
    for i in range(len(pool)):
        if sys.getrefcount(pool[i]) == _UNREFERENCED:
            return pool[i]
    buffer = np.empty(size, dtype)
    if len(pool) < _RECYCLE_KEEP:
        pool.append(buffer)
    return buffer


def _fusion_groups(arrays, threshold):
    """Indices of `arrays` grouped into fusion buffers: same dtype, in order, at most `threshold` bytes each
    (a larger tensor gets a buffer of its own)."""
    groups, open_groups = [], {}
    for i, a in enumerate(arrays):
        group = open_groups.get(a.dtype)
        if group is None or group[1] + a.nbytes > threshold:
            group = [[], 0]
            open_groups[a.dtype] = group
            groups.append(group[0])
        group[0].append(i)
        group[1] += a.nbytes
    return groups


def allreduce_arrays(world, arrays, op, name):
    """Allreduces each host array across ranks with `op` ("average" divides the sum by the size: integer
    tensors by floor division). Tensors are packed into fusion buffers of at most HOROVOD_FUSION_THRESHOLD bytes,
    so a step's gradients take few MPI calls. Returns new arrays."""
    with world.lock:
        start = time.perf_counter()
        _agree(world, "allreduce(" + op + ")", name, arrays)
        agreed = time.perf_counter()
        world.stats["allreduce_wait_seconds"] += agreed - start
        results = [None] * len(arrays)
        for group in _fusion_groups(arrays, world.fusion_threshold):
            members = [arrays[i] for i in group]
            dtype = members[0].dtype
            buffer = _result_buffer(world, dtype, sum(m.size for m in members))
            if len(members) == 1:
                send = np.ascontiguousarray(members[0]).reshape(-1)
                if buffer.size:
                    world.comm.Allreduce(send, buffer, op=_mpi_op(world, op, dtype))
            else:
                np.concatenate([m.reshape(-1) for m in members], out=buffer)
                if buffer.size:
                    world.comm.Allreduce(world.mpi.IN_PLACE, buffer, op=_mpi_op(world, op, dtype))
            if op == "average":
                if dtype.kind in "iu":
                    np.floor_divide(buffer, dtype.type(world.size), out=buffer)
                else:
                    np.divide(buffer, world.size, out=buffer, casting="unsafe")
            offset = 0
            for i, m in zip(group, members):
                results[i] = buffer[offset:offset + m.size].reshape(m.shape)
                offset += m.size
            world.stats["allreduce_calls"] += 1
            world.stats["allreduce_bytes"] += buffer.nbytes
        world.stats["allreduce_seconds"] += time.perf_counter() - start
        return results


def allgather_array(world, array, name):
    """Concatenates every rank's array along axis 0 (first dimensions may differ; the rest must agree)."""
    with world.lock:
        firsts = _agree(world, "allgather", name, [array], first_dim_free=True)
        if array.ndim == 0:
            raise ValueError(f"allgather '{name}' needs a tensor of rank >= 1, got a scalar")
        row = int(np.prod(array.shape[1:], dtype=np.int64))
        counts = firsts * row * array.dtype.itemsize
        result = np.empty((int(firsts.sum()),) + array.shape[1:], array.dtype)
        if result.size:
            send = np.ascontiguousarray(array).reshape(-1).view(np.uint8)
            displacements = np.concatenate([[0], np.cumsum(counts)[:-1]])
            world.comm.Allgatherv(send, [result.reshape(-1).view(np.uint8), counts, displacements,
                                         world.mpi.BYTE])
        return result


def broadcast_array(world, array, root_rank, name):
    """Rank `root_rank`'s array on every rank (all ranks pass arrays of one dtype and shape)."""
    if not 0 <= root_rank < world.size:
        raise ValueError(f"broadcast '{name}': root_rank {root_rank} is not a rank of this job (size {world.size})")
    with world.lock:
        _agree(world, f"broadcast(root {root_rank})", name, [array])
        result = np.array(array, order="C", copy=True) if world.rank == root_rank else np.empty(array.shape,
                                                                                                 array.dtype)
        if result.size:
            world.comm.Bcast(result.reshape(-1).view(np.uint8), root=root_rank)
        return result
