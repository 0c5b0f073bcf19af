"""`tf.data.TFRecordDataset`: the records (string scalars) of one or more TFRecord files, optionally GZIP or ZLIB
compressed, read one file after another or, with `num_parallel_reads`, interleaved like TensorFlow's
deterministic parallel interleave (a record from each of that many open files in turn)."""
import numpy as np

from ..framework import dtypes
from ..io_records import TFRecordOptions, read_tfrecord_file
from . import structure as nest
from .dataset_ops import Dataset
from .sources import _captured

__all__ = ["TFRecordDataset"]


class TFRecordDataset(Dataset):
    """The records of TFRecord files, as string scalars.

    Args:
        filenames: a file name, a list of them, or a string tensor of them.
        compression_type: "" / None, "ZLIB" or "GZIP".
        buffer_size: accepted for compatibility.
        num_parallel_reads: read this many files at once, taking a record from each in turn.

    Example:
        >>> ds = tf.data.TFRecordDataset(["a.tfrecord", "b.tfrecord"]).map(parse).batch(32)
    """

    def __init__(self, filenames, compression_type=None, buffer_size=None, num_parallel_reads=None):
        value = nest.value_of(filenames, "filenames")
        super().__init__(nest.Spec(dtypes.string, []), captures=_captured([value]))
        self._filenames = value
        self._compression = TFRecordOptions.get_compression_type_string(compression_type)
        self._parallel = int(num_parallel_reads) if num_parallel_reads else 1
        if self._parallel < 1 and num_parallel_reads != -1:
            raise ValueError(f"num_parallel_reads must be positive, got {num_parallel_reads}")

    def _elements(self, run):
        names = np.asarray(run.get(self._filenames), dtype=object).reshape(-1).tolist()
        paths = [n.decode() if isinstance(n, bytes) else str(n) for n in names]
        readers = (read_tfrecord_file(p, self._compression) for p in paths)
        cycle = max(self._parallel, 1) if self._parallel != -1 else max(len(paths), 1)
        active = []
        for reader in readers:  # open files up to the cycle length
            active.append(reader)
            if len(active) == cycle:
                break
        i = 0
        while active:
            try:
                record = next(active[i])
            except StopIteration:
                replacement = next(readers, None)
                if replacement is None:
                    del active[i]
                    if active:
                        i %= len(active)
                else:  # the next file takes the slot, and the turn passes on, as in TensorFlow
                    active[i] = replacement
                    i = (i + 1) % len(active)
                continue
            yield (np.array(record, dtype=object),)
            i = (i + 1) % len(active)
