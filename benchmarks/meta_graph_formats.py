"""What writing `.meta` in TensorFlow's form costs Saver.save: the time to export (and write) the meta graph of a
training graph (an MLP of N dense layers with Adam: its forward, gradient and update ops) in TensorFlow's
MetaGraphDef form and in neuroflow's JSON form, interleaved in one process (best of several rounds each), and the
time to import each back. Also `Saver.save` of the same graph again ("tf, saved again"): the bytes built on its
first save are reused while the graph is unchanged (framework/graph_def_cache), so only the write is timed.

    python benchmarks/meta_graph_formats.py [--layers 5 20] [--rounds 5]
"""
import argparse
import os
import tempfile
import time

import numpy as np

import neuroflow as tf
from neuroflow.train import meta_graph


def build(layers):
    x = tf.placeholder(tf.float32, [None, 32], name="x")
    y = tf.placeholder(tf.int64, [None], name="y")
    h = x
    for _ in range(layers):
        h = tf.layers.dense(h, 32, activation=tf.nn.relu)
    loss = tf.losses.sparse_softmax_cross_entropy(y, tf.layers.dense(h, 3))
    tf.train.AdamOptimizer().minimize(loss, global_step=tf.train.get_or_create_global_step())
    return tf.train.Saver()


def best_of(rounds, fn):
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--layers", type=int, nargs="+", default=[5, 20])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    folder = tempfile.mkdtemp()
    print(f"{'layers':>6} {'ops':>5} {'format':>10} {'export+write ms':>16} {'import ms':>10} {'bytes':>8}")
    for layers in args.layers:
        graph = tf.Graph()
        with graph.as_default():
            saver = build(layers)
        ops = len(graph.get_operations())
        results = {}
        for _ in range(2):   # interleaved: both formats see the same machine load
            for fmt in ("tensorflow", "neuroflow"):
                meta_graph.META_GRAPH_FILE_FORMAT = fmt
                path = os.path.join(folder, f"{fmt}.meta")
                with graph.as_default():
                    export = best_of(args.rounds, lambda: saver.export_meta_graph(path))

                def load():
                    with tf.Graph().as_default():
                        tf.train.import_meta_graph(path)
                imported = best_of(args.rounds, load)
                old = results.get(fmt, (np.inf, np.inf, 0))
                results[fmt] = (min(old[0], export), min(old[1], imported), os.path.getsize(path))
        for fmt, (export, imported, size) in results.items():
            print(f"{layers:>6} {ops:>5} {fmt:>10} {export * 1e3:>16.1f} {imported * 1e3:>10.1f} {size:>8}")
        with graph.as_default(), tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            prefix = os.path.join(folder, "saved")
            saver.save(sess, prefix)   # builds and caches the .meta
            with_meta = best_of(args.rounds, lambda: saver.save(sess, prefix))
            without = best_of(args.rounds, lambda: saver.save(sess, prefix, write_meta_graph=False))
        print(f"{layers:>6} {ops:>5} {'tf, saved again: .meta adds':>28} {(with_meta - without) * 1e3:.1f} ms "
              f"(Saver.save {with_meta * 1e3:.1f} ms, without .meta {without * 1e3:.1f} ms)")
    meta_graph.META_GRAPH_FILE_FORMAT = "tensorflow"


if __name__ == "__main__":
    main()
