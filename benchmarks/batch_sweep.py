"""How the mlp's cost grows with its batch: the mlp workload (784-512-512-10, ReLU, Adam) at batch sizes 16 ...
2048, time per sample against batch size, for neuroflow, hand-written NumPy and, where the anchors' environment
is installed, TensorFlow v1, PyTorch eager and JAX jit. Small batches show per-step overhead; large ones show the
matrix products (BLAS), where every framework should meet.

    python benchmarks/batch_sweep.py                    # all sizes, one round
    python benchmarks/batch_sweep.py --batches 16 128 2048 --rounds 3 --no-anchors

Each framework runs all sizes in one process per round (rounds interleave the frameworks); figures are medians
over rounds of microseconds per sample (the step's time / batch).
"""
import argparse
import statistics
import sys

import compare
import workload_timing as wt

FRAMEWORKS = ["neuroflow", "tensorflow", "torch-eager", "jax-jit", "numpy-by-hand"]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batches", type=int, nargs="*", default=list(wt.SWEEP_BATCHES))
    parser.add_argument("--anchors", default=compare.DEFAULT_ANCHORS)
    parser.add_argument("--no-anchors", action="store_true")
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    anchors, installed = compare.find_anchors(args.anchors, args.no_anchors)
    names = [f"mlp-b{b}" for b in args.batches]
    commands = [([sys.executable, compare.HERE / "workloads_tf1.py", *names], {"PYTHONPATH": str(compare.REPO)}),
                ([sys.executable, compare.HERE / "workloads_numpy.py", *names], None)]
    for framework, (_, script, options) in compare.ANCHORS.items():
        if installed.get(framework):
            commands.append(([anchors, compare.HERE / script, *options, *names], None))
    samples = {}
    for round_ in range(args.rounds):
        print(f"round {round_ + 1}/{args.rounds} ...", file=sys.stderr, flush=True)
        for cmd, env in commands:
            for key, rate in compare.run(cmd, env).items():
                samples.setdefault(key, []).append(rate)
    us = {key: 1e6 / (statistics.median(rates) * wt.sweep_batch(key[1])) for key, rates in samples.items()}
    found = [f for f in FRAMEWORKS if any(k[0] == f for k in us)]
    print(f"mlp 784-512-512-10 + Adam, microseconds per sample (lower is better)"
          + (f", medians of {args.rounds} rounds" if args.rounds > 1 else ""))
    print(f"{'batch':>6}" + "".join(f"{f:>15}" for f in found) + f"{'best fw/ours':>14}")
    for batch, name in zip(args.batches, names):
        row = [us.get((f, name)) for f in found]
        ours = us.get(("neuroflow", name))
        peers = [v for f, v in zip(found, row) if f not in ("neuroflow", "numpy-by-hand") and v]
        ratio = f"{min(peers) / ours:>13.2f}x" if peers and ours else f"{'-':>14}"
        print(f"{batch:>6}" + "".join(f"{v:>15.2f}" if v else f"{'-':>15}" for v in row) + ratio)
    print("best fw/ours: the fastest of TensorFlow, PyTorch, JAX per sample against neuroflow (>= 1: we are at "
          "least as fast).")


if __name__ == "__main__":
    main()
