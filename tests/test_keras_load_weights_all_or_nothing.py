"""Keras `load_weights` is all-or-nothing: a shape or count mismatch in a later layer, or a corrupted later tensor,
raises and leaves every weight of the model as it was — in both file formats, in order and by name."""
import json
import os
import struct
import subprocess

import numpy as np
import pytest

import neuroflow as tf
from neuroflow import keras


def _model(last_units=4, last_bias=True):
    return keras.Sequential([keras.layers.Dense(16, activation="relu", input_shape=(6,), name="d1"),
                             keras.layers.Dense(8, activation="relu", name="d2"),
                             keras.layers.Dense(last_units, use_bias=last_bias, name="d3")])


@pytest.fixture(params=["tf", "h5"])
def saved(request, tmp_path):
    """The path of saved weights of a 3-layer model, in the TF checkpoint format or the single-file one."""
    path = str(tmp_path / ("w" if request.param == "tf" else "w.h5"))
    _model().save_weights(path)
    tf.reset_default_graph()
    return path


def _expect_unchanged(model, load, error, match):
    before = model.get_weights()
    with pytest.raises(error, match=match):
        load()
    after = model.get_weights()
    assert len(after) == len(before)
    for k, (a, b) in enumerate(zip(after, before)):
        np.testing.assert_array_equal(a, b, err_msg=f"weight #{k} was loaded")


def test_a_later_shape_mismatch_loads_nothing(saved):
    model = _model(last_units=5)
    _expect_unchanged(model, lambda: model.load_weights(saved), ValueError,
                      r"Layer weight shape \(8, 5\) not compatible with provided weight shape \(8, 4\)")


def test_by_name_a_later_shape_mismatch_loads_nothing(saved):
    model = _model(last_units=5)
    _expect_unchanged(model, lambda: model.load_weights(saved, by_name=True), ValueError,
                      r"Layer weight shape \(8, 5\) not compatible")


def test_by_name_a_later_weight_count_mismatch_loads_nothing(saved):
    model = _model(last_bias=False)
    _expect_unchanged(model, lambda: model.load_weights(saved, by_name=True), ValueError,
                      r'Layer #2 \(named "d3"\) expects 1 weight\(s\), but the saved weights have 2 element\(s\)')


def test_a_different_weight_count_loads_nothing(saved):
    model = _model(last_bias=False)
    _expect_unchanged(model, lambda: model.load_weights(saved), ValueError,
                      "a weight file containing 6 weights into a model with 5 weights")


def _offset_of(path, name):
    """Where tensor `name`'s bytes start in the file that holds them: from the single file's documented header, or
    (TensorFlow's checkpoint format, whose index is a protobuf table) where its saved little-endian values lie in
    the data file."""
    if path.endswith(".h5"):
        raw = open(path, "rb").read()
        _, _, length, _ = struct.unpack_from("<8sIQI", raw)
        header = json.loads(raw[24:24 + length])
        (record,) = [r for r in header["tensors"] if r["name"] == name]
        return path, 24 + length + record["offset"]
    data = path + ".data-00000-of-00001"
    values = np.ascontiguousarray(tf.train.load_variable(path, name), dtype="<f4").tobytes()
    raw = open(data, "rb").read()
    assert raw.count(values) == 1, f"{name}'s values are not in {data} exactly once"
    return data, raw.index(values)


def test_weights_are_a_tensorflow_checkpoint(tmp_path):
    """save_weights without .h5 writes TensorFlow's V2 checkpoint: its index is a LevelDB-style table (TensorFlow's
    footer magic), not neuroflow's earlier JSON-framed index; TensorFlow itself reads the weights where installed."""
    model = _model()
    path = str(tmp_path / "w")
    model.save_weights(path)
    index = open(path + ".index", "rb").read()
    assert not index.startswith(b"NFCKPTIX")
    assert index[-8:] == (0xdb4775248b80fb57).to_bytes(8, "little")
    assert dict(tf.train.list_variables(path))["d1/kernel"] == [6, 16]
    anchors = os.path.expanduser("~/.cache/neuroflow-anchors/bin/python")
    if not os.path.exists(anchors):
        return   # the file checks above stand alone; TensorFlow's own reading needs the reference environment
    code = ("import sys, numpy as np, tensorflow as tf\n"
            "r = tf.train.load_checkpoint(sys.argv[1])\n"
            "np.save(sys.argv[2], r.get_tensor('d3/kernel'))\n")
    out = str(tmp_path / "k.npy")
    subprocess.run([anchors, "-c", code, path, out], check=True, capture_output=True, timeout=300)
    np.testing.assert_array_equal(np.load(out), model.get_weights()[4])


def test_a_corrupt_later_tensor_loads_nothing(saved):
    target, offset = _offset_of(saved, "d3/kernel")
    raw = bytearray(open(target, "rb").read())
    raw[offset + 5] ^= 0x08
    with open(target, "wb") as f:
        f.write(bytes(raw))
    model = _model()
    error = OSError if saved.endswith(".h5") else tf.errors.DataLossError
    _expect_unchanged(model, lambda: model.load_weights(saved), error, "(?i)checksum.*d3/kernel|d3/kernel.*checksum")
