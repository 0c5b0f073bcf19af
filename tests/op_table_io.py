"""Op-table rows for the file ops (ReadFile, WriteFile, MatchingFiles) over files made in a temporary folder, checked
against Python's own file reading and glob; contents are digits, so a read is compared as the number it spells."""
import atexit
import glob
import os
import shutil
import tempfile

import numpy as np

import neuroflow as tf
from op_table_base import Row

_DIR = tempfile.mkdtemp(prefix="neuroflow_op_table_io_")
atexit.register(shutil.rmtree, _DIR, ignore_errors=True)
for _i, _text in enumerate(["7", "123456", "0", "42"]):
    with open(os.path.join(_DIR, f"f{_i}.txt"), "w") as _f:
        _f.write(_text)
os.makedirs(os.path.join(_DIR, "sub"))


def _s(text):
    return np.array(text.encode(), dtype=object)


def _read_ref(path):
    with open(path.item().decode(), "rb") as f:
        return np.int64(int(f.read()))


def _after(op, tensor_fn):
    """tensor_fn() built after `op` ran (a control dependency; in eager mode `op` already ran)."""
    with tf.control_dependencies([op] if op is not None else []):
        return tensor_fn()


def _write_then_read(path, contents):
    return _after(tf.write_file(path, contents), lambda: tf.strings.to_number(tf.read_file(path), tf.int64))


def _glob_ref(pattern):
    names = sorted(glob.glob(pattern.item().decode()) if pattern.ndim == 0 else
                   [n for p in pattern.tolist() for n in glob.glob(p.decode())])
    return np.array([len(n.encode()) for n in names], np.int32)


def _rows():
    reads = [(_s(os.path.join(_DIR, f"f{i}.txt")),) for i in range(4)]
    writes = [(_s(os.path.join(_DIR, "sub", "new", f"w{i}.txt")), _s(text)) for i, text in enumerate(["5", "987"])]
    patterns = [(_s(os.path.join(_DIR, "*.txt")),), (_s(os.path.join(_DIR, "none*")),),
                (np.array([os.path.join(_DIR, "f1*").encode(), os.path.join(_DIR, "f[23].txt").encode()],
                          dtype=object),)]
    return [
        Row("read_file", lambda p: tf.strings.to_number(tf.read_file(p), tf.int64), _read_ref, reads, grad=False,
            foldable=False),
        Row("write_file", _write_then_read, lambda p, c: np.int64(int(c.item())), writes, grad=False,
            foldable=False),
        Row("matching_files", lambda p: tf.strings.length(tf.matching_files(p)), _glob_ref, patterns, grad=False,
            foldable=False, data_dependent_shape=True),
    ]


ROWS = _rows()

COVERED_ELSEWHERE = set()
