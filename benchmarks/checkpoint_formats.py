"""Save and restore time of one model in TensorFlow's checkpoint format (Saver's default) and in neuroflow's
earlier format, interleaved in one process so machine load hits both alike. The difference is the checksum:
TensorFlow's format needs CRC32C (neuroflow.summary.crc32c, NumPy lanes), neuroflow's used zlib's CRC32.

    python benchmarks/checkpoint_formats.py [megabytes=100] [rounds=3] [variables=8]

Tensors of 16 MB and more take the numba-compiled CRC32C when numba is installed (NEUROFLOW_NUMBA=0: not).
"""
import os
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import neuroflow as tf  # noqa: E402


def main():
    megabytes = float(sys.argv[1]) if len(sys.argv) > 1 else 100.0
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 8
    rows = int(megabytes * 2 ** 20 / 4 / 1024 / count)
    variables = [tf.Variable(np.random.RandomState(i).rand(rows, 1024).astype(np.float32), name=f"w{i}")
                 for i in range(count)]
    saver = tf.train.Saver(variables)
    times = {"tensorflow": {"save": [], "restore": []}, "neuroflow": {"save": [], "restore": []}}
    with tf.Session() as sess, tempfile.TemporaryDirectory() as directory:
        sess.run(tf.global_variables_initializer())
        for _ in range(rounds):
            for file_format in times:
                saver._checkpoint_file_format = file_format
                start = time.perf_counter()
                path = saver.save(sess, os.path.join(directory, file_format), write_meta_graph=False)
                times[file_format]["save"].append(time.perf_counter() - start)
                start = time.perf_counter()
                saver.restore(sess, path)
                times[file_format]["restore"].append(time.perf_counter() - start)
    print(f"{count * rows * 1024 * 4 / 2 ** 20:.0f} MB in {count} float32 variables, best of {rounds} interleaved "
          "rounds:")
    for file_format, result in times.items():
        print(f"  {file_format:10s} save {min(result['save']):6.2f} s   restore {min(result['restore']):6.2f} s")


if __name__ == "__main__":
    main()
