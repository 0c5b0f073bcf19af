"""The convolutional workloads (cnn, cifar of benchmarks/workloads_tf1.py) on neuroflow with each of issue 21's
convolution-side speedups switched off in turn, all variants built in one process and timed in short interleaved
windows (the order alternating), so that a loaded machine slows them alike. Prints each variant's median and
best ms per step and its ratio to "all".

    python benchmarks/conv_variants.py                    # cnn and cifar, 20 rounds of 3 steps per variant
    python benchmarks/conv_variants.py cifar --rounds 40 --steps 2

Variants: all (everything on); no-absorb (the compiler pass `absorb_consumers` off: BiasAdd, Relu, ReluGrad and
BiasAddGrad run as their own steps); no-readers (BiasAddGrad and MaxPool run as their own steps, not in the max-pool
gradient and the convolution's epilogue); no-2x2 (max pooling and its gradient on the general kernels); no-tile-matmul (MatMul on
the BLAS pool's single-threaded OpenBLAS parts); none (all off). --variants picks some (with "all").
"""
import argparse
import statistics
import sys
import time

import workloads_tf1 as workloads

VARIANTS = {  # name -> (absorb, 2x2 pooling, tile MatMul, bias gradients summed in the pool gradient)
    "all": (True, True, True, True), "no-absorb": (False, True, True, False), "no-readers": (True, True, True, False),
    "no-2x2": (True, False, True, True), "no-tile-matmul": (True, True, False, True), "none": (False, False, False, False)}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("workloads", nargs="*", default=["cnn", "cifar"])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--steps", type=int, default=3, help="steps per timed window")
    parser.add_argument("--variants", nargs="+", choices=list(VARIANTS), default=list(VARIANTS))
    args = parser.parse_args()
    import neuroflow as tf
    from neuroflow.ops import linalg_ops
    from neuroflow.runtime import accel
    from neuroflow.runtime.accel import pool_2x2
    from neuroflow.runtime.compiler import passes
    absorb, applies, matmul_entry = passes.absorb_consumers, pool_2x2.applies, accel._FACTORIES[linalg_ops.MatMul]
    readers = passes._absorb_readers

    def switch(variant):
        """Sets the variant's switches (compile-time ones matter while it builds, the 2x2 one at every run)."""
        on_absorb, on_2x2, on_matmul, on_sums = VARIANTS[variant]
        passes.absorb_consumers = absorb if on_absorb else (lambda program: None)
        passes._absorb_readers = readers if on_sums else (lambda program: None)
        pool_2x2.applies = applies if on_2x2 else (lambda *args: False)
        if on_matmul:
            accel._FACTORIES[linalg_ops.MatMul] = matmul_entry
        else:
            accel._FACTORIES.pop(linalg_ops.MatMul, None)

    for workload in args.workloads:
        steps = {}
        chosen = ["all"] + [v for v in args.variants if v != "all"]
        for variant in chosen:
            switch(variant)
            with tf.Graph().as_default():
                tf.set_random_seed(0)
                steps[variant] = getattr(workloads, workload)(tf)
                steps[variant]()
                steps[variant]()
        times = {variant: [] for variant in chosen}
        names = chosen
        for r in range(args.rounds):
            for variant in names if r % 2 == 0 else names[::-1]:
                switch(variant)
                step = steps[variant]
                start = time.perf_counter()
                for _ in range(args.steps):
                    step()
                times[variant].append((time.perf_counter() - start) / args.steps * 1e3)
        switch("all")
        base = statistics.median(times["all"])
        print(f"{workload}: ms per step (median, best of {args.rounds} windows of {args.steps} steps)")
        for variant in names:
            median = statistics.median(times[variant])
            print(f"  {variant:15s} {median:7.2f} {min(times[variant]):7.2f}   all is {median / base:.2f}x as fast")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
