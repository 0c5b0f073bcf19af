"""tf.train.Example and friends: messages serialized by TensorFlow 2.21's protobuf (tests/data/tfrecord, made by
make_data.py there) parse to the same fields and re-serialize to the same bytes; real TensorFlow parses neuroflow's
bytes when its environment is present; the protobuf Python API (keywords, maps, oneof, CopyFrom, errors)."""
import json
import os
import pickle

import pytest

import neuroflow as tf
from anchor_tf import ANCHOR_PYTHON, run_tf

DATA = os.path.join(os.path.dirname(__file__), "data", "tfrecord")


def _read(name):
    with open(os.path.join(DATA, name), "rb") as f:
        return f.read()


def _example():
    return tf.train.Example(features=tf.train.Features(feature={
        "label": tf.train.Feature(int64_list=tf.train.Int64List(value=[7, -3, 2 ** 40])),
        "score": tf.train.Feature(float_list=tf.train.FloatList(value=[0.5, -1.25, 3.0])),
        "name": tf.train.Feature(bytes_list=tf.train.BytesList(value=[b"cat", b""])),
        "empty": tf.train.Feature(),
    }))


def test_parses_tensorflows_example():
    ex = tf.train.Example.FromString(_read("example.pb"))
    f = ex.features.feature
    assert sorted(f.keys()) == ["empty", "label", "name", "score"]
    assert list(f["label"].int64_list.value) == [7, -3, 2 ** 40]
    assert list(f["score"].float_list.value) == [0.5, -1.25, 3.0]
    assert list(f["name"].bytes_list.value) == [b"cat", b""]
    assert f["empty"].WhichOneof("kind") is None and f["label"].WhichOneof("kind") == "int64_list"
    assert ex == _example()
    assert ex.SerializeToString() == _read("example.pb")


def test_parses_tensorflows_sequence_example():
    se = tf.train.SequenceExample()
    assert se.ParseFromString(_read("sequence_example.pb")) == len(_read("sequence_example.pb"))
    assert list(se.context.feature["len"].int64_list.value) == [2]
    steps = se.feature_lists.feature_list["tok"].feature
    assert [list(s.int64_list.value) for s in steps] == [[1, 2], [3]]
    assert se.SerializeToString() == _read("sequence_example.pb")


def test_field_access_creates_and_oneof_switches():
    ex = tf.train.Example()
    assert not ex.HasField("features") and ex.SerializeToString() == b""
    ex.features.feature["x"].float_list.value.extend([1, 2.5])
    assert ex.HasField("features") and "x" in ex.features.feature
    feat = ex.features.feature["x"]
    feat.int64_list.value.append(4)
    assert feat.WhichOneof("kind") == "int64_list" and not feat.HasField("float_list")
    assert list(feat.float_list.value) == []
    assert tf.train.Example.FromString(ex.SerializeToString()) == ex
    fl = tf.train.FeatureList()
    fl.feature.add(bytes_list=tf.train.BytesList(value=["é"]))
    assert fl.feature[0].bytes_list.value[0] == "é".encode()


def test_values_are_checked_and_rounded():
    lst = tf.train.Int64List()
    with pytest.raises(TypeError):
        lst.value.append(1.5)
    with pytest.raises(ValueError):
        lst.value.append(2 ** 63)
    with pytest.raises(TypeError):
        tf.train.BytesList(value=[3])
    v = tf.train.FloatList(value=[0.1]).value[0]
    assert v == pytest.approx(0.1, rel=1e-7) and v != 0.1  # float32, as protobuf stores it
    with pytest.raises(ValueError, match='has no "nope" field'):
        tf.train.Feature(nope=1)
    with pytest.raises(AttributeError, match="Assignment not allowed"):
        tf.train.Example().features = tf.train.Features()
    with pytest.raises(Exception, match="Error parsing message"):
        tf.train.Example.FromString(b"\x0a\x05\x01")


def test_copy_merge_clear_pickle_repr():
    a = _example()
    b = tf.train.Example()
    b.CopyFrom(a)
    assert a == b and a is not b
    b.features.feature["label"].int64_list.value.append(1)
    assert a != b
    c = tf.train.Int64List(value=[1])
    c.MergeFrom(tf.train.Int64List(value=[2]))
    assert list(c.value) == [1, 2]
    b.Clear()
    assert b == tf.train.Example()
    assert pickle.loads(pickle.dumps(a)) == a
    assert 'key: "label"' in str(a) and "value: 0.5" in repr(a) and "value: 3\n" in str(a)
    assert a.ByteSize() == len(a.SerializeToString())


def test_unknown_fields_and_unpacked_scalars_are_read():
    # int64 value 5 unpacked (tag 0x08), float unpacked (tag 0x0d), then an unknown varint field 9.
    assert list(tf.train.Int64List.FromString(b"\x08\x05\x48\x01").value) == [5]
    assert list(tf.train.FloatList.FromString(b"\x0d\x00\x00\xc0\x3f").value) == [1.5]


@pytest.mark.skipif(ANCHOR_PYTHON is None, reason="the anchors' TensorFlow is not installed")
def test_tensorflow_parses_neuroflows_bytes(tmp_path):
    ex = _example()
    se = tf.train.SequenceExample()
    se.context.feature["n"].bytes_list.value.append(b"\x00\xff")
    for step in ([1.5], [2.0, -0.25]):
        se.feature_lists.feature_list["f"].feature.add().float_list.value.extend(step)
    (tmp_path / "ex.pb").write_bytes(ex.SerializeToString())
    (tmp_path / "se.pb").write_bytes(se.SerializeToString())
    out = run_tf(
        "import sys, json\n"
        "from google.protobuf.json_format import MessageToDict\n"
        "ex = tf.train.Example.FromString(open(sys.argv[1], 'rb').read())\n"
        "se = tf.train.SequenceExample.FromString(open(sys.argv[2], 'rb').read())\n"
        "print(json.dumps([MessageToDict(ex), MessageToDict(se)]))", tmp_path / "ex.pb", tmp_path / "se.pb")
    ex_d, se_d = json.loads(out)
    f = ex_d["features"]["feature"]
    assert f["label"]["int64List"]["value"] == ["7", "-3", str(2 ** 40)]
    assert f["score"]["floatList"]["value"] == [0.5, -1.25, 3.0]
    assert f["name"]["bytesList"]["value"] == ["Y2F0", ""] and f["empty"] == {}
    assert se_d["context"]["feature"]["n"]["bytesList"]["value"] == ["AP8="]
    steps = se_d["featureLists"]["featureList"]["f"]["feature"]
    assert [s["floatList"]["value"] for s in steps] == [[1.5], [2.0, -0.25]]


def test_fast_feature_decoder_agrees_with_the_messages():
    from neuroflow.train.example_decode import DecodeError, decode_example_features
    for data in [_read("example.pb"), _example().SerializeToString(), b""]:
        ex = tf.train.Example.FromString(data)
        want = {k: (f.WhichOneof("kind"), list(getattr(f, f.WhichOneof("kind")).value) if f.WhichOneof("kind")
                    else []) for k, f in ex.features.feature.items()}
        assert decode_example_features(data) == want
    # a later entry for a key replaces the earlier one; a Feature whose oneof is set twice keeps the last
    a = tf.train.Example(features={"feature": {"k": {"int64_list": {"value": [1]}}}}).SerializeToString()
    b = tf.train.Example(features={"feature": {"k": {"float_list": {"value": [2.0]}}}}).SerializeToString()
    assert decode_example_features(a + b) == {"k": ("float_list", [2.0])}
    assert tf.train.Example.FromString(a + b).features.feature["k"].WhichOneof("kind") == "float_list"
    with pytest.raises(DecodeError):
        decode_example_features(_read("example.pb")[:-3])
