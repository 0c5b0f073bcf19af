"""Training fed by tf.data: does `prefetch` overlap the input pipeline with the training step? The mlp workload's
step (784-512-512-10, Adam, batch 128) reads its batches from `from_tensor_slices -> shuffle -> map -> batch ->
repeat -> prefetch`, where the per-element `map` (rounds of tanh(x @ M), M 784x784) is sized to cost about as
much as the step. Prints milliseconds per step for the step alone (a fed batch), the input alone (get_next only),
training without prefetch (about the sum) and with it (about the larger of the two when input overlaps compute);
the configurations are timed in alternating windows, medians of the windows.

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python benchmarks/data_pipeline.py            # neuroflow
    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 ANCHOR_PYTHON benchmarks/data_pipeline.py --framework tensorflow

(one BLAS thread per product, so the producer thread and the step can each have a core of a 2-core machine).
--map-rounds sets the map's cost by hand; by default it is calibrated so that the input alone costs about the
step alone.
"""
import argparse
import os
import statistics
import time

import numpy as np

import workload_timing as wt
from workloads_tf1 import load

ELEMENTS = 4096  # rows of the source; shuffled with a buffer of 1024


def build(tf, map_rounds, prefetch):
    """(session, train fetch, next-batch fetch, fed-step function) of the mlp trained from the pipeline."""
    tf.reset_default_graph()
    tf.set_random_seed(0)
    images, classes = wt.random_batch((ELEMENTS, wt.MLP_SIZES[0]))
    mixing = (np.random.default_rng(1).standard_normal((wt.MLP_SIZES[0],) * 2) / 28.0).astype(np.float32)

    def augment(image, label):
        m = tf.constant(mixing)
        for _ in range(map_rounds):
            image = tf.tanh(tf.matmul(image[None], m))[0]
        return image, label

    ds = tf.data.Dataset.from_tensor_slices((images, classes)).shuffle(1024, seed=0).map(augment)
    ds = ds.batch(wt.MLP_BATCH, drop_remainder=True).repeat()
    if prefetch:
        ds = ds.prefetch(prefetch)
    batch_x, batch_y = tf.data.make_one_shot_iterator(ds).get_next()
    x = tf.placeholder_with_default(batch_x, [None, wt.MLP_SIZES[0]])
    labels = tf.placeholder_with_default(batch_y, [None])
    h = x
    for units in wt.MLP_SIZES[1:-1]:
        h = tf.layers.dense(h, units, tf.nn.relu)
    logits = tf.layers.dense(h, wt.MLP_SIZES[-1])
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits))
    train = tf.train.AdamOptimizer(wt.LEARNING_RATE).minimize(loss)
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    fixed = {x: images[:wt.MLP_BATCH], labels: classes[:wt.MLP_BATCH]}
    return sess, train, batch_x, lambda: sess.run(train, fixed)


def ms_per_call(fn, calls):
    start = time.perf_counter()
    for _ in range(calls):
        fn()
    return (time.perf_counter() - start) / calls * 1e3


def calibrate(tf, steps):
    """Map rounds that make the input alone cost about the step alone."""
    sess, _, next_batch, fed_step = build(tf, 1, 0)
    for _ in range(3):
        fed_step(), sess.run(next_batch)
    step_ms = ms_per_call(fed_step, steps)
    one_round_ms = ms_per_call(lambda: sess.run(next_batch), max(3, steps // 2))
    sess.close()
    sess, _, next_batch, _ = build(tf, 0, 0)
    for _ in range(3):
        sess.run(next_batch)
    base_ms = ms_per_call(lambda: sess.run(next_batch), max(3, steps // 2))
    sess.close()
    return max(1, round((step_ms - base_ms) / max(one_round_ms - base_ms, 1e-3)))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--framework", default=os.environ.get("BENCH_MODULE", "neuroflow"))
    parser.add_argument("--map-rounds", type=int, help="tanh(x @ M) rounds per element (default: calibrated)")
    parser.add_argument("--steps", type=int, default=20, help="steps per timed window")
    parser.add_argument("--windows", type=int, default=5)
    args = parser.parse_args()
    tf = load(args.framework)
    rounds = args.map_rounds or calibrate(tf, args.steps)
    serial_sess, serial_train, next_batch, fed_step = build(tf, rounds, 0)
    piped_sess, piped_train, _, _ = build(tf, rounds, tf.data.experimental.AUTOTUNE)
    configs = {"step alone": fed_step,
               "input alone": lambda: serial_sess.run(next_batch),
               "training, no prefetch": lambda: serial_sess.run(serial_train),
               "training, prefetch": lambda: piped_sess.run(piped_train)}
    for fn in configs.values():
        fn(), fn()
    times = {name: [] for name in configs}
    for _ in range(args.windows):
        for name, fn in configs.items():
            times[name].append(ms_per_call(fn, args.steps))
    print(f"{args.framework}: map of {rounds} tanh(x @ M) rounds per element, batch {wt.MLP_BATCH}; ms per step "
          f"(median of {args.windows} windows of {args.steps})")
    for name, values in times.items():
        print(f"  {name:<24}{statistics.median(values):8.2f} ms")
    med = {name: statistics.median(v) for name, v in times.items()}
    longer = max(med["step alone"], med["input alone"])
    print(f"  with prefetch / max(step, input): {med['training, prefetch'] / longer:.2f} (1.00: input fully "
          f"hidden); without / (step + input): "
          f"{med['training, no prefetch'] / (med['step alone'] + med['input alone']):.2f}")


if __name__ == "__main__":
    main()
