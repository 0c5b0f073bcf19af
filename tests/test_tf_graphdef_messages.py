"""neuroflow's copies of TensorFlow's protobuf messages (framework/tf_protos): the same bytes and text as the
protobuf package's compiled messages (tensorboard ships them; those tests skip without it), protobuf's Python
API, and safe failure on corrupt bytes."""
import math

import numpy as np
import pytest

from neuroflow.framework import tf_protos as pb
from neuroflow.framework.tf_protos import text_format


def _reference():
    pytest.importorskip("google.protobuf")
    tb = pytest.importorskip("tensorboard.compat.proto.graph_pb2").__name__.rsplit(".", 1)[0]
    import importlib
    return {name: importlib.import_module(f"{tb}.{name}") for name in
            ("graph_pb2", "meta_graph_pb2", "types_pb2", "tensor_pb2", "attr_value_pb2", "node_def_pb2")}


def _sample_graph_def():
    g = pb.GraphDef()
    x = g.node.add(name="x", op="Placeholder")
    x.attr["dtype"].type = pb.DT_FLOAT
    x.attr["shape"].shape.dim.add(size=-1)
    x.attr["shape"].shape.dim.add(size=3)
    c = g.node.add(name="w", op="Const", device="/device:CPU:0")
    t = c.attr["value"].tensor
    t.dtype = pb.DT_FLOAT
    t.tensor_shape.dim.add(size=3)
    t.tensor_shape.dim.add(size=2)
    t.tensor_content = np.arange(6, dtype="<f4").tobytes()
    c.attr["dtype"].type = pb.DT_FLOAT
    m = g.node.add(name="y", op="MatMul", input=["x", "w:0", "^init"])
    m.attr["transpose_a"].b = False           # a oneof member set to its default is still written
    m.attr["T"].type = pb.DT_FLOAT
    s = g.node.add(name="s", op="Const")
    st = s.attr["value"].tensor
    st.dtype = pb.DT_STRING
    st.tensor_shape.SetInParent()             # a scalar: an empty, present shape
    st.string_val.append(bytes(range(256)))
    lst = s.attr["lists"].list
    lst.i.extend([0, -1, 2 ** 40, -2 ** 63])
    lst.f.extend([0.1, -0.0, 1e-30, 3.0e38, math.inf])
    lst.b.extend([True, False])
    lst.type.extend([pb.DT_INT32, pb.DT_FLOAT_REF])
    lst.s.extend([b"SAME", b""])
    lst.shape.add(unknown_rank=True)
    q = g.node.add(name="q", op="Const")
    qt = q.attr["value"].tensor
    qt.dtype = pb.DT_INT64
    qt.int64_val.extend([-5, 7])
    qt.int_val.append(-3)
    qt.double_val.append(2.5)
    qt.bool_val.append(True)
    q.attr["f"].f = -1.5
    q.attr["i"].i = -7
    q.attr["fn"].func.name = "body"
    q.attr["fn"].func.attr["T"].type = pb.DT_HALF
    g.versions.producer = 1882
    g.versions.min_consumer = 12
    fn = g.library.function.add()
    fn.signature.name = "body"
    fn.signature.input_arg.add(name="a", type_attr="T")
    fn.ret["out"] = "a"
    fn.arg_attr[0].attr["_shape"].shape.unknown_rank = True
    return g


def test_binary_form_is_the_protobuf_packages_for_the_same_content():
    ref = _reference()
    g = _sample_graph_def()
    data = g.SerializeToString()
    theirs = ref["graph_pb2"].GraphDef.FromString(data)
    assert theirs.ByteSize() == len(data)
    # (map entries aside, whose order protobuf leaves open, the bytes are the same)
    assert pb.GraphDef.FromString(theirs.SerializeToString()) == g
    one_entry_maps = pb.GraphDef()
    one_entry_maps.node.add().CopyFrom(g.node[2])
    del one_entry_maps.node[0].input[:]
    one_entry_maps.node[0].ClearField("attr")
    one_entry_maps.node[0].attr["transpose_a"].b = False
    one_entry_maps.node.add().CopyFrom(g.node[0])
    one_entry_maps.node[1].ClearField("attr")
    one_entry_maps.node[1].attr["value"].CopyFrom(g.node[1].attr["value"])
    one_entry_maps.versions.CopyFrom(g.versions)
    their_copy = ref["graph_pb2"].GraphDef.FromString(one_entry_maps.SerializeToString())
    assert their_copy.SerializeToString() == one_entry_maps.SerializeToString()
    assert theirs.node[2].attr["transpose_a"].HasField("b")
    assert list(theirs.node[3].attr["lists"].list.i) == [0, -1, 2 ** 40, -2 ** 63]
    # and what protobuf writes, neuroflow reads back to the same bytes
    assert pb.GraphDef.FromString(theirs.SerializeToString()).SerializeToString() == theirs.SerializeToString()


def test_text_form_is_the_protobuf_packages_and_reads_back():
    ref = _reference()
    from google.protobuf import text_format as their_text_format
    g = _sample_graph_def()
    theirs = ref["graph_pb2"].GraphDef.FromString(g.SerializeToString())
    text = their_text_format.MessageToString(theirs)
    assert text_format.MessageToString(g) == text
    assert text_format.Parse(text, pb.GraphDef()) == g
    back = their_text_format.Parse(text_format.MessageToString(g), ref["graph_pb2"].GraphDef())
    assert pb.GraphDef.FromString(back.SerializeToString()) == g


def test_meta_graph_and_saved_model_messages_match_protobufs():
    ref = _reference()
    sm = pb.SavedModel(saved_model_schema_version=1)
    mg = sm.meta_graphs.add()
    mg.meta_info_def.tags.append("serve")
    mg.meta_info_def.tensorflow_version = "1.15.0"
    mg.graph_def.CopyFrom(_sample_graph_def())
    mg.saver_def.filename_tensor_name = "save/Const:0"
    mg.saver_def.keep_checkpoint_every_n_hours = 10000.0
    mg.saver_def.version = pb.SaverDef.V2
    mg.collection_def["variables"].bytes_list.value.append(b"\n\x01W")
    mg.collection_def["train_op"].node_list.value.append("train")
    mg.collection_def["steps"].int64_list.value.extend([1, -2])
    mg.collection_def["lr"].float_list.value.append(0.5)
    sig = mg.signature_def["serving_default"]
    sig.method_name = "tensorflow/serving/predict"
    sig.inputs["x"].name = "x:0"
    sig.inputs["x"].dtype = pb.DT_FLOAT
    sig.inputs["x"].tensor_shape.dim.add(size=-1)
    sig.outputs["y"].name = "y:0"
    mg.asset_file_def.add(filename="vocab.txt").tensor_info.name = "asset:0"
    meta = ref["meta_graph_pb2"].MetaGraphDef.FromString(mg.SerializeToString())
    assert pb.MetaGraphDef.FromString(meta.SerializeToString()) == mg
    assert meta.collection_def["train_op"].WhichOneof("kind") == "node_list"
    assert mg.collection_def["steps"].WhichOneof("kind") == "int64_list"
    assert pb.SavedModel.FromString(sm.SerializeToString()) == sm


def test_field_numbers_and_kinds_are_those_of_tensorflows_protos():
    ref = _reference()
    from google.protobuf.descriptor import FieldDescriptor as FD
    kinds = {FD.TYPE_INT32: "int32", FD.TYPE_INT64: "int64", FD.TYPE_UINT32: "uint32", FD.TYPE_UINT64: "uint64",
             FD.TYPE_BOOL: "bool", FD.TYPE_ENUM: "enum", FD.TYPE_FLOAT: "float", FD.TYPE_DOUBLE: "double",
             FD.TYPE_STRING: "string", FD.TYPE_BYTES: "bytes", FD.TYPE_MESSAGE: "message"}
    pairs = [(pb.GraphDef, ref["graph_pb2"].GraphDef), (pb.MetaGraphDef, ref["meta_graph_pb2"].MetaGraphDef)]
    seen = set()
    checked = 0
    while pairs:
        ours, theirs = pairs.pop()
        if ours in seen:
            continue
        seen.add(ours)
        ours()   # resolves the message classes its fields name
        for f in theirs.DESCRIPTOR.fields:
            mine = ours._by_number.get(f.number)
            if mine is None:
                continue   # kept as an unknown field (FullTypeDef, GraphDebugInfo, SavedObjectGraph)
            checked += 1
            assert mine.name == f.name, (ours, f.name)
            is_map = f.message_type is not None and f.message_type.GetOptions().map_entry
            assert mine.repeated == f.is_repeated, (ours, f.name)
            assert (mine.kind == "map") == bool(is_map), (ours, f.name)
            if is_map:
                key, value = f.message_type.fields
                assert (mine.key_kind, mine.value_kind) == (kinds[key.type], kinds[value.type]), (ours, f.name)
                if value.message_type is not None:
                    pairs.append((mine.message, _class_for(value.message_type)))
                continue
            assert mine.kind == kinds[f.type], (ours, f.name)
            assert (mine.oneof or None) == (f.containing_oneof.name if f.containing_oneof else None)
            if f.message_type is not None:
                pairs.append((mine.message, _class_for(f.message_type)))
    assert checked > 150


def _class_for(descriptor):
    from google.protobuf import message_factory
    return message_factory.GetMessageClass(descriptor)


def test_data_type_numbers_are_tensorflows():
    ref = _reference()
    for name, number in ref["types_pb2"].DataType.items():
        assert pb.DataType.Value(name) == number
        assert getattr(pb, name) == number


def test_protobuf_python_api():
    g = pb.GraphDef()
    n = g.node.add(name="a")
    assert not n.attr["x"].HasField("shape") and n.attr["x"].WhichOneof("value") is None
    _ = n.attr["x"].shape.dim                      # reading does not set
    assert n.attr["x"].WhichOneof("value") is None
    n.attr["x"].shape.dim.add(size=2)              # writing into it does
    assert n.attr["x"].WhichOneof("value") == "shape"
    n.attr["x"].i = 3                              # another member of the oneof clears it
    assert n.attr["x"].WhichOneof("value") == "i" and not n.attr["x"].HasField("shape")
    n.input.extend(["b", "c:1"])
    with pytest.raises(TypeError):
        n.input.append(3)
    with pytest.raises(AttributeError):
        n.attr = {}
    with pytest.raises(AttributeError):
        n.no_such_field = 1
    with pytest.raises(ValueError):
        n.attr["y"].list.i.append(2 ** 64)
    copy = pb.GraphDef()
    copy.CopyFrom(g)
    assert copy == g and copy is not g
    copy.node[0].name = "changed"
    assert g.node[0].name == "a"
    merged = pb.GraphDef()
    merged.MergeFromString(g.SerializeToString())
    merged.MergeFromString(g.SerializeToString())
    assert len(merged.node) == 2
    assert pb.GraphDef().ParseFromString(g.SerializeToString()) == len(g.SerializeToString())
    assert [name for name, _ in g.node[0].ListFields()] == ["name", "input", "attr"]
    g.node[0].ClearField("attr")
    assert dict(g.node[0].attr) == {}


def test_unknown_fields_are_skipped_and_kept():
    n = pb.NodeDef(name="a", op="Relu")
    data = n.SerializeToString() + b"\xf8\x06\x05" + b"\x8a\x07\x02hi"    # fields 111 (varint) and 113 (bytes)
    back = pb.NodeDef.FromString(data)
    assert back.name == "a" and back.op == "Relu"
    assert back.SerializeToString() == data


@pytest.mark.parametrize("data", [b"\x0a\x05ab", b"\x0a", b"\x08" + b"\xff" * 11, b"\x0b\x0c", b"\x0f",
                                  b"\x22\x02\x0a\xff", b"\x0a\x02\xc3\x28"])
def test_corrupt_bytes_raise_decode_error(data):
    with pytest.raises(pb.DecodeError, match="tensorflow.GraphDef"):
        pb.GraphDef.FromString(data)


def test_nesting_beyond_protobufs_limit_is_refused_not_a_crash():
    deep = _deep_tensor(150)
    with pytest.raises(pb.DecodeError, match="nested too deeply"):
        pb.TensorProto.FromString(deep)
    assert pb.TensorProto.FromString(_deep_tensor(20)).variant_val[0].tensors[0].variant_val


def _varint(n):
    from neuroflow.framework.tf_protos._wire import write_varint
    out = bytearray()
    write_varint(out, n)
    return out


def _deep_tensor(depth):
    """A TensorProto holding a VariantTensorDataProto holding a TensorProto ... `depth` levels deep."""
    data = b""
    for level in range(depth):
        number = 15 if (depth - level) % 2 == 1 else 3    # TensorProto.variant_val / VariantTensorDataProto.tensors
        data = bytes(_varint((number << 3) | 2)) + bytes(_varint(len(data))) + data
    return data


def test_text_format_reads_what_people_write():
    text = """
      # a comment
      node { name: 'a' op: "Const" attr { key: "value" value { tensor { dtype: DT_INT32 int_val: [1, 2, -3] } } }
             attr < key: "s" value < s: "a" "b\\x41\\101\\n" > > }
      node: { name: "b" input: ["a", "^c"] }
      versions { producer: 0x10 }
    """
    g = text_format.Parse(text, pb.GraphDef())
    assert g.node[0].attr["value"].tensor.int_val == [1, 2, -3]
    assert g.node[0].attr["s"].s == b"abAA\n"
    assert list(g.node[1].input) == ["a", "^c"]
    assert g.versions.producer == 16
    with pytest.raises(text_format.ParseError, match="no field named \"nodes\""):
        text_format.Parse("nodes {}", pb.GraphDef())
    with pytest.raises(text_format.ParseError):
        text_format.Parse("node { name: 3 }", pb.GraphDef())
    with pytest.raises(text_format.ParseError):
        text_format.Parse("node { name: \"a\"", pb.GraphDef())


_FIXTURES = __import__("pathlib").Path(__file__).parent / "data" / "tf_graphdef"


@pytest.mark.parametrize("name", ["mlp_frozen", "cnn_frozen", "rnn_frozen", "control_flow_frozen", "mlp_graph",
                                  "resource_mlp_graph"])
def test_files_tensorflow_wrote_read_and_write_back_byte_for_byte(name):
    data = (_FIXTURES / f"{name}.pb").read_bytes()
    graph_def = pb.GraphDef.FromString(data)
    assert len(graph_def.node) > 10 and graph_def.versions.producer > 0
    assert graph_def.SerializeToString() == data
    text_path = _FIXTURES / f"{name}.pbtxt"
    if text_path.exists():
        text = text_path.read_text()
        assert text_format.MessageToString(graph_def) == text
        assert text_format.Parse(text, pb.GraphDef()) == graph_def


def test_damaged_bytes_either_parse_or_raise_decode_error():
    import random
    data = (_FIXTURES / "cnn_frozen.pb").read_bytes()
    rng = random.Random(7)
    outcomes = set()
    for _ in range(300):
        damaged = bytearray(data)
        for _ in range(rng.randint(1, 4)):
            damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        if rng.random() < 0.3:
            damaged = damaged[:rng.randrange(len(damaged))]
        try:
            pb.GraphDef.FromString(bytes(damaged))
            outcomes.add("parsed")
        except pb.DecodeError:
            outcomes.add("DecodeError")
    assert outcomes == {"parsed", "DecodeError"}
