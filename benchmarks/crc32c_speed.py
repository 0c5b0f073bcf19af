"""CRC32C throughput of the record writer's checksum (TensorBoard event files, checkpoints), in MB/s.

Run: python benchmarks/crc32c_speed.py. Large records take the lane-parallel path; a plain byte loop would
need seconds for 4 MB.
"""
import os
import time

from neuroflow.summary.crc32c import crc32c


def main():
    for size in (1 << 10, 64 << 10, 4 << 20, 32 << 20):
        data = os.urandom(size)
        crc32c(data)                          # warm (tables, first-call costs)
        best = float("inf")
        for _ in range(5):
            start = time.perf_counter()
            crc32c(data)
            best = min(best, time.perf_counter() - start)
        print(f"{size:>10,d} bytes: {best * 1e3:9.3f} ms  {size / best / 1e6:8.1f} MB/s")


if __name__ == "__main__":
    main()
