"""Data-parallel training speed: the mlp workload (784-512-512-10, ReLU, softmax cross-entropy, Adam; sizes in
workload_timing.py) with neuroflow.distribute's DistributedOptimizer, on 1 and 2 ranks of this machine: steps/s
and samples/s of the job, and the allreduce time per step (inside the fused collective; "of it waiting": the
agreement check before the data moves, mostly waiting for the slower rank to arrive).

    python benchmarks/mpi_mlp.py                        # 1 and 2 ranks, 128 samples per rank (weak scaling)
    python benchmarks/mpi_mlp.py --ranks 1 2 4 --seconds 5 --rounds 3
    python benchmarks/mpi_mlp.py --ranks 1x1 1x2 2x1    # RANKSxTHREADS: threads per rank fixed
    python benchmarks/mpi_mlp.py --global-batch 256     # a fixed global batch split over the ranks (strong scaling)

Each rank gets cores // ranks threads (NEUROFLOW_NUM_THREADS, OPENBLAS_NUM_THREADS) unless a job is given as
RANKSxTHREADS, so the job never asks for more cores than the machine has. The jobs are launched in turn, round
after round, and the median over rounds is printed; other load on the machine still makes the figures noisy.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import workload_timing as wt  # noqa: E402


def worker(per_rank_batch, seconds):
    import neuroflow as tf
    import neuroflow.distribute as hvd
    hvd.init()
    images, classes = wt.random_batch((per_rank_batch, wt.MLP_SIZES[0]), seed=hvd.rank())
    x = tf.placeholder(tf.float32, [None, wt.MLP_SIZES[0]])
    labels = tf.placeholder(tf.int64, [None])
    h = x
    for units in wt.MLP_SIZES[1:-1]:
        h = tf.layers.dense(h, units, tf.nn.relu)
    logits = tf.layers.dense(h, wt.MLP_SIZES[-1])
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits))
    train = hvd.DistributedOptimizer(tf.train.AdamOptimizer(wt.LEARNING_RATE)).minimize(loss)
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    sess.run(hvd.broadcast_global_variables(0))
    feed = {x: images, labels: classes}
    for _ in range(5):
        sess.run(train, feed)
    before = hvd.allreduce_stats()
    steps, start = 0, time.perf_counter()
    go_on = np.ones(1, np.int32)
    while go_on[0]:
        sess.run(train, feed)
        steps += 1
        # rank 0 decides when to stop, so every rank makes the same number of steps
        go_on[0] = int(time.perf_counter() - start < seconds)
        _bcast(go_on)
    elapsed = time.perf_counter() - start
    after = hvd.allreduce_stats()
    if hvd.rank() == 0:
        calls = after["allreduce_calls"] - before["allreduce_calls"]
        print(json.dumps({"ranks": hvd.size(), "steps_per_s": steps / elapsed,
                          "samples_per_s": steps * per_rank_batch * hvd.size() / elapsed,
                          "allreduce_ms_per_step": 1e3 * (after["allreduce_seconds"] - before["allreduce_seconds"])
                          / steps, "wait_ms_per_step": 1e3 * (after["allreduce_wait_seconds"]
                                                              - before["allreduce_wait_seconds"]) / steps,
                          "mpi_calls_per_step": calls / steps,
                          "megabytes_per_step": (after["allreduce_bytes"] - before["allreduce_bytes"]) / steps / 1e6}))
    hvd.shutdown()


def _bcast(flag):
    """Rank 0's stop flag, on every rank (raw MPI on the package's communicator: not part of the measured step)."""
    from neuroflow.distribute import world
    world.current().comm.Bcast(flag, root=0)


def launch(ranks, threads, per_rank_batch, seconds):
    mpirun = shutil.which("mpirun", path=os.path.dirname(sys.executable)) or shutil.which("mpirun")
    if mpirun is None:
        sys.exit("no mpirun: pip install 'neuroflow[mpi]'")
    threads = str(threads or max(1, (os.cpu_count() or 1) // ranks))
    env = dict(os.environ, NEUROFLOW_NUM_THREADS=threads, OPENBLAS_NUM_THREADS=threads, OMP_NUM_THREADS=threads)
    command = [mpirun, "-np", str(ranks), "--oversubscribe"] + (["--allow-run-as-root"] if os.geteuid() == 0 else [])
    command += [sys.executable, os.path.abspath(__file__), "--worker", "--batch", str(per_rank_batch), "--seconds",
                str(seconds)]
    out = subprocess.run(command, env=env, stdout=subprocess.PIPE, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ranks", nargs="+", default=["1", "2"], help="rank counts, or RANKSxTHREADS")
    parser.add_argument("--batch", type=int, default=wt.MLP_BATCH, help="samples per rank per step")
    parser.add_argument("--global-batch", type=int, default=None, help="split this many samples over the ranks")
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args.batch, args.seconds)
    jobs = [tuple(int(n) for n in (spec.split("x") + ["0"])[:2]) for spec in args.ranks]
    results = {job: [] for job in jobs}
    for _ in range(args.rounds):
        for ranks, threads in jobs:
            batch = args.global_batch // ranks if args.global_batch else args.batch
            results[ranks, threads].append(launch(ranks, threads, batch, args.seconds))
    batches = f"global batch {args.global_batch}" if args.global_batch else f"{args.batch} samples per rank"
    print(f"mlp {wt.MLP_SIZES}, Adam, {batches}; "
          f"median of {args.rounds} rounds of {args.seconds:g} s; {os.cpu_count()} cores")
    print(f"{'ranks':>5} {'threads':>7} {'steps/s':>8} {'samples/s':>10} {'allreduce ms/step':>18} "
          f"{'of it waiting':>13} {'MPI calls/step':>15} {'MB/step':>8}")
    for (ranks, threads), runs in results.items():
        med = {k: float(np.median([r[k] for r in runs])) for k in runs[0]}
        threads = threads or max(1, (os.cpu_count() or 1) // ranks)
        print(f"{ranks:>5} {threads:>7} {med['steps_per_s']:>8.1f} {med['samples_per_s']:>10.0f} "
              f"{med['allreduce_ms_per_step']:>18.2f} {med['wait_ms_per_step']:>13.2f} "
              f"{med['mpi_calls_per_step']:>15.1f} {med['megabytes_per_step']:>8.2f}")


if __name__ == "__main__":
    main()
