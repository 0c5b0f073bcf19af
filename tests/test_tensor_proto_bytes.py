"""neuroflow's TensorProto encoding (framework/tf_proto_convert.tensor_to_proto) writes the bytes TensorFlow's
make_tensor_proto writes, for every kind of array (tests/data/tensor_proto, made by real TensorFlow), and reads them
back to the same array."""
import json
import os

import numpy as np
import pytest

from neuroflow.framework.tf_proto_convert import tensor_from_proto, tensor_to_proto
from neuroflow.framework.tf_protos import TensorProto

with open(os.path.join(os.path.dirname(__file__), "data", "tensor_proto", "tensor_protos.json")) as _f:
    _CASES = json.load(_f)["cases"]


def _array(case):
    value = case["value"]
    if case["dtype"] == "object":
        return np.array([v.encode() for v in value], dtype=object).reshape(case["shape"])
    if case["dtype"].startswith("complex"):
        value = [complex(re, im) for re, im in value]
    return np.array(value, dtype=case["dtype"]).reshape(case["shape"])


@pytest.mark.parametrize("case", _CASES, ids=[f"{c['dtype']}{c['shape']}" for c in _CASES])
def test_tensor_proto_bytes_are_tensorflows(case):
    array = _array(case)
    assert tensor_to_proto(array).SerializeToString().hex() == case["bytes"]
    back = tensor_from_proto(TensorProto.FromString(bytes.fromhex(case["bytes"])))
    assert back.shape == array.shape
    np.testing.assert_array_equal(back, array)
    if array.dtype != object:
        assert back.dtype == array.dtype
        assert np.signbit(back).tolist() == np.signbit(array).tolist() if array.dtype.kind == "f" else True
