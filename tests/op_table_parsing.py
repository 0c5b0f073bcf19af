"""Op-table rows for DecodeCSV (each column of tf.decode_csv against Python's csv module, empty fields taking
their defaults) and DecodeRaw (tf.decode_raw against np.frombuffer, both byte orders). Errors: test_parsing.py."""
import csv

import numpy as np

import neuroflow as tf
from op_table_base import Row, _rng

_DEFAULTS = [[-1], [0.5], ["none"], np.array([7], np.int64)]
_TYPES = [np.int32, np.float32, object, np.int64]


def _records(shape):
    out = np.empty(shape, dtype=object)
    flat = out.reshape(-1)
    for i in range(flat.size):
        fields = [str(int(_rng.integers(-99, 99))), f"{_rng.uniform(-5, 5):.3f}", '"a,b"' if i % 3 == 0 else "xy",
                  str(int(_rng.integers(0, 10 ** 12)))]
        for k in range(4):
            if _rng.random() < 0.25:
                fields[k] = ""  # an empty field takes its column's default
        flat[i] = ",".join(fields).encode()
    return out


def _column_ref(c):
    def ref(records):
        out = np.empty(records.shape, dtype=_TYPES[c])
        flat = out.reshape(-1)
        for i, record in enumerate(records.reshape(-1).tolist()):
            field = next(csv.reader([record.decode()]))[c]
            if field == "":
                flat[i] = _DEFAULTS[c][0].encode() if c == 2 else _DEFAULTS[c][0]
            else:
                flat[i] = field.encode() if c == 2 else _TYPES[c](float(field) if c == 1 else int(field))
        return np.vectorize(len, otypes=[np.int32])(out) if c == 2 else out
    return ref


def _column(c):
    def fn(records):
        value = tf.decode_csv(records, _DEFAULTS)[c]
        return tf.strings.length(value) if c == 2 else value
    return fn


def _raw(shape, width):
    out = np.empty(shape, dtype=object)
    flat = out.reshape(-1)
    for i in range(flat.size):
        data = bytes(_rng.integers(0, 256, size=width, dtype=np.uint8).tolist())
        flat[i] = data[:-1] + b"\x00" if i % 2 else data  # trailing zero bytes are data too
    return out


def _raw_ref(dtype, little_endian):
    def ref(data):
        order = np.dtype(dtype).newbyteorder("<" if little_endian else ">")
        rows = [np.frombuffer(s, dtype=order).astype(dtype) for s in data.reshape(-1).tolist()]
        width = len(data.reshape(-1)[0]) // np.dtype(dtype).itemsize if data.size else 0
        return np.array(rows, dtype=dtype).reshape(data.shape + (width,))
    return ref


def _rows():
    record_samples = [(_records(s),) for s in [(), (6,), (2, 3), (0,)]]
    rows = [Row(f"decode_csv_column_{c}", _column(c), _column_ref(c), record_samples, grad=False)
            for c in range(4)]
    for dtype, width in ((np.int32, 8), (np.uint8, 3), (np.float64, 16), (np.int16, 4)):
        for little in (True, False):
            rows.append(Row(f"decode_raw_{np.dtype(dtype).name}_{'le' if little else 'be'}",
                            lambda b, d=dtype, le=little: tf.decode_raw(b, tf.as_dtype(d), little_endian=le),
                            _raw_ref(dtype, little), [(_raw(s, width),) for s in [(), (5,), (2, 2)]], grad=False,
                            data_dependent_shape=True, foldable=False))  # the last dimension is a run-time one
    return rows


ROWS = _rows()

COVERED_ELSEWHERE = set()
