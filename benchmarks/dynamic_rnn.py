"""dynamic_rnn with a time dimension known only at run time against the same model with the time dimension in
the graph: the lstm workload (LSTM of 128 units, 28 steps of 28 features, batch 64, dense 10, Adam; sizes in
workload_timing.py), training steps per second side by side, timed in alternating windows (a shared machine's
changing load weighs on both alike), the best window of each.

    python benchmarks/dynamic_rnn.py                       # neuroflow
    python benchmarks/dynamic_rnn.py --framework tensorflow
    python benchmarks/dynamic_rnn.py --cell gru            # a cell without a fused kernel
"""
import argparse
import os
import time

import workload_timing as wt
from workloads_tf1 import load

CELLS = {"lstm": lambda tf: tf.nn.rnn_cell.LSTMCell(wt.LSTM_UNITS),
         "gru": lambda tf: tf.nn.rnn_cell.GRUCell(wt.LSTM_UNITS)}


def lstm_step(tf, cell, time_dim, with_lengths):
    """The lstm workload's training step, its input placeholder [None, time_dim, 28] (time_dim None: known only
    at run time); with `with_lengths`, a sequence_length of full lengths is fed too."""
    tf.reset_default_graph()
    tf.set_random_seed(0)
    sequences, classes = wt.random_batch((wt.LSTM_BATCH, wt.LSTM_STEPS, wt.LSTM_FEATURES))
    x = tf.placeholder(tf.float32, [None, time_dim, wt.LSTM_FEATURES])
    labels = tf.placeholder(tf.int64, [None])
    feed = {x: sequences, labels: classes}
    lengths = None
    if with_lengths:
        lengths = tf.placeholder(tf.int32, [None])
        feed[lengths] = [wt.LSTM_STEPS] * wt.LSTM_BATCH
    outputs, _ = tf.nn.dynamic_rnn(CELLS[cell](tf), x, sequence_length=lengths, dtype=tf.float32)
    logits = tf.layers.dense(outputs[:, -1], wt.CLASSES)
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits))
    train = tf.train.AdamOptimizer(wt.LEARNING_RATE).minimize(loss)
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    return lambda: sess.run([loss, train], feed)


def interleaved_rates(steps, windows=7):
    """Steps per second of each step function, timed in alternating windows after two warm-up steps, so that
    load from other processes changing over time weighs on all of them alike; each one's best window counts
    (the least disturbed by other processes, as timeit takes the minimum)."""
    for step in steps:
        step()
        step()
    rates = [[] for _ in steps]
    for _ in range(windows):
        for step, rate in zip(steps, rates):
            start = time.perf_counter()
            for _ in range(wt.STEPS["lstm"]):
                step()
            rate.append(wt.STEPS["lstm"] / (time.perf_counter() - start))
    return [max(r) for r in rates]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--framework", default=os.environ.get("BENCH_MODULE", "neuroflow"),
                        help="neuroflow (default) or tensorflow")
    parser.add_argument("--cell", choices=sorted(CELLS), default="lstm")
    args = parser.parse_args()
    tf = load(args.framework)
    for with_lengths in (False, True):
        rates = interleaved_rates([lstm_step(tf, args.cell, time_dim, with_lengths)
                                   for time_dim in (wt.LSTM_STEPS, None)])
        label = f"{args.framework} {args.cell}" + (" sequence_length" if with_lengths else "")
        print(f"{label}: static time {rates[0]:.1f} steps/s, run-time time {rates[1]:.1f} steps/s, "
              f"static/run-time {rates[0] / rates[1]:.3f}", flush=True)


if __name__ == "__main__":
    main()
