"""Writes tensor_protos.json: the bytes of TensorFlow's `make_tensor_proto` for arrays of each kind neuroflow writes
(a single number of each dtype, several numbers, none, strings), so tests/test_tensor_proto_bytes.py can check that
neuroflow's tensor_to_proto writes the same bytes. Run with the anchors' python:

    ~/.cache/neuroflow-anchors/bin/python tests/data/tensor_proto/make_tensor_protos.py
"""
import json
import os

import numpy as np
import tensorflow as tf

CASES = [("float32", 2.5), ("float32", -0.0), ("float64", 0.1), ("float16", 1.5), ("int32", [1]), ("int16", [[7]]),
         ("int8", -4), ("uint8", 200), ("uint16", 65000), ("uint32", 4000000000), ("int64", -3),
         ("uint64", 2 ** 63 + 5), ("bool", True), ("complex64", [1 + 2j]), ("complex128", -0.5j),
         ("float32", [1.0, 2.0]), ("int64", [[1, 2], [3, 4]]), ("bool", [True, False]), ("uint16", [1, 2, 3]),
         ("complex64", [1 + 2j, 3 - 4j]), ("complex128", [[0.5j], [2.0]]), ("float16", [0.5, -2.0]), ("int32", []),
         ("float32", np.zeros((0, 3)).tolist()), ("object", [b"a", b"bc"]), ("object", b"one")]


def main():
    out = []
    for dtype, value in CASES:
        array = np.array(value, dtype=dtype)
        if dtype == "object":
            value = [v.decode() for v in np.ravel(array)]
        elif dtype.startswith("complex"):   # JSON has no complex numbers: [real, imaginary] pairs
            value = [[float(v.real), float(v.imag)] for v in np.ravel(array)]
        out.append({"dtype": dtype, "value": value, "shape": list(array.shape),
                    "bytes": tf.make_tensor_proto(array).SerializeToString().hex()})
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tensor_protos.json")
    with open(path, "w") as f:
        json.dump({"tensorflow": tf.__version__, "cases": out}, f, indent=1)


if __name__ == "__main__":
    main()
