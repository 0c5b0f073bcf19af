"""Allreduce bandwidth of neuroflow.distribute against mpi4py's raw `Allreduce` on the same float32 buffers, 1 MB to
100 MB, across ranks of one machine: raw MPI, our host collective (agreement check + fusion buffer), the graph op
through Session.run, and the same bytes as 50 gradient-sized tensors in one fused grouped allreduce; and the
agreement check alone (the fixed cost per collective that the host collective adds to raw MPI).

    python benchmarks/allreduce_bandwidth.py               # starts itself under mpirun with 2 ranks
    python benchmarks/allreduce_bandwidth.py --ranks 4 --repeats 9

Variants are interleaved (raw, ours, op, fused; round after round) and each figure is the median over rounds, so
load from other processes falls on all of them alike; on a shared machine the figures are still noisy. Printed:
milliseconds per allreduce (median and best round; each round times several calls for small buffers), algorithm
bandwidth (bytes / median time) and each variant's time over raw MPI's (aim <= 1.1).
"""
import argparse
import os
import shutil
import subprocess
import sys
import time

import numpy as np

SIZES_MB = (1, 4, 16, 64, 100)


def launch(ranks, argv):
    mpirun = shutil.which("mpirun", path=os.path.dirname(sys.executable)) or shutil.which("mpirun")
    if mpirun is None:
        sys.exit("no mpirun: pip install 'neuroflow[mpi]'")
    command = [mpirun, "-np", str(ranks), "--oversubscribe"] + (["--allow-run-as-root"] if os.geteuid() == 0 else [])
    sys.exit(subprocess.call(command + [sys.executable, os.path.abspath(__file__), "--worker"] + argv))


def worker(repeats):
    import neuroflow as tf
    import neuroflow.distribute as hvd
    from neuroflow.distribute import collectives, world as world_module
    hvd.init()
    world = world_module.current()
    comm, mpi = world.comm, world.mpi
    if hvd.rank() == 0:
        print(f"{hvd.size()} ranks, {mpi.Get_library_version().splitlines()[0].strip()}; median of {repeats} "
              "interleaved rounds")
        print(f"{'MB':>5} {'variant':>22} {'median ms':>9} {'GB/s':>6} {'x raw':>6} {'best ms':>8} {'x raw':>6}")
    for mb in SIZES_MB:
        n = mb * 1024 * 1024 // 4
        data = np.random.default_rng(hvd.rank()).standard_normal(n).astype(np.float32)
        out = np.empty_like(data)
        parts = np.array_split(data, 50)
        with tf.Graph().as_default():
            x = tf.placeholder(tf.float32, [n])
            reduced = hvd.allreduce(x, op=hvd.Sum)
            pieces = [tf.placeholder(tf.float32, [p.size]) for p in parts]
            fused = hvd.grouped_allreduce(pieces, op=hvd.Sum)
            sess = tf.Session()

            variants = {
                "raw mpi4py Allreduce": lambda: comm.Allreduce(data, out, op=mpi.SUM),
                "collectives.allreduce": lambda: collectives.allreduce_arrays(world, [data], "sum", "bench"),
                "graph op (Session.run)": lambda: sess.run(reduced.op, {x: data}),
                "50 tensors, fused op": lambda: sess.run(fused[0].op, dict(zip(pieces, parts))),
                "agreement check alone": lambda: collectives._agree(world, "allreduce(sum)", "bench", [data]),
            }
            timings = {name: [] for name in variants}
            inner = max(1, 16 // mb)  # calls per timing: small buffers take too little time to time one alone
            for _ in range(repeats + 1):  # the first round warms up (plans, pages)
                for name, run in variants.items():
                    comm.Barrier()
                    start = time.perf_counter()
                    for _ in range(inner):
                        run()
                    elapsed = np.array([(time.perf_counter() - start) / inner])
                    comm.Allreduce(mpi.IN_PLACE, elapsed, op=mpi.MAX)  # the slowest rank's time
                    timings[name].append(elapsed[0])
            sess.close()
        if hvd.rank() == 0:
            raw = np.median(timings["raw mpi4py Allreduce"][1:])
            raw_best = np.min(timings["raw mpi4py Allreduce"][1:])
            for name, values in timings.items():
                t, best = np.median(values[1:]), np.min(values[1:])
                print(f"{mb:>5} {name:>22} {t * 1e3:>9.2f} {mb / 1024 / t:>6.2f} {t / raw:>6.2f} {best * 1e3:>8.2f} "
                      f"{best / raw_best:>6.2f}")
    hvd.shutdown()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ranks", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.repeats)
    else:
        launch(args.ranks, ["--repeats", str(args.repeats)])


if __name__ == "__main__":
    main()
