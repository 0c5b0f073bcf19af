"""neuroflow's graphs as TensorFlow's GraphDef: tf.train.write_graph writes protobuf's binary and text forms,
tf.GraphDef / tf.io.read_graph read them (and neuroflow's JSON form), corrupt files raise DataLossError naming
the file, and graph_util keeps TensorFlow's messages. Where the anchors' TensorFlow is installed (skipped
otherwise), TensorFlow imports what neuroflow wrote and predicts what neuroflow predicts."""
import json
import pathlib

import numpy as np
import pytest
from anchor_tf import ANCHOR_PYTHON, run_tf

import neuroflow as tf
from neuroflow import graph_util
from neuroflow.framework import tf_protos as pb
from neuroflow.framework.tf_graph_export import graph_to_tf_graph_def

DATA = pathlib.Path(__file__).parent / "data" / "tf_graphdef"
REF = np.load(DATA / "predictions.npz")
needs_tf = pytest.mark.skipif(ANCHOR_PYTHON is None, reason="the anchors' TensorFlow is not installed")


def _model():
    """A small CNN + MLP head using ops whose attributes differ from TensorFlow's: reductions, concat, argmax,
    softmax, expand_dims, gather, split (axes as attributes), placeholder_with_default; and dropout, one op in
    neuroflow, written as TensorFlow's RandomUniform/GreaterEqual/Cast/RealDiv/Mul."""
    rng = np.random.RandomState(3)
    x = tf.placeholder(tf.float32, [None, 6, 6, 2], name="x")
    k = tf.Variable(rng.randn(3, 3, 2, 4).astype(np.float32) * 0.3, name="conv/kernel")
    h = tf.nn.relu(tf.nn.conv2d(x, k, [1, 1, 1, 1], "SAME"))
    h = tf.nn.max_pool(h, [1, 2, 2, 1], [1, 2, 2, 1], "VALID")
    a, b = tf.split(h, 2, axis=3)
    pooled = tf.reduce_mean(tf.concat([b, a], axis=3), axis=[1, 2])
    extra = tf.expand_dims(tf.reduce_max(h, axis=[1, 2, 3]), 1)
    feats = tf.concat([pooled, extra, tf.gather(pooled, [0, 2], axis=1)], axis=1)
    feats = tf.nn.dropout(feats, tf.placeholder_with_default(1.0, [], name="keep_prob"))   # a neuroflow-only op
    scale = tf.placeholder_with_default(tf.constant(1.0), [], name="scale")
    w = tf.Variable(rng.randn(7, 3).astype(np.float32) * 0.5, name="dense/kernel")
    logits = tf.matmul(feats, w) * scale
    probs = tf.nn.softmax(logits, name="probs")
    tf.argmax(probs, axis=1, name="classes")
    return x, probs, rng.randn(4, 6, 6, 2).astype(np.float32)


def _frozen(tmp_path, as_text):
    x, probs, inputs = _model()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        frozen = graph_util.convert_variables_to_constants(sess, sess.graph.as_graph_def(), ["probs", "classes"])
        ours = sess.run([probs, "classes:0"], {x: inputs})
    name = "frozen.pbtxt" if as_text else "frozen.pb"
    path = tf.train.write_graph(frozen, str(tmp_path), name, as_text=as_text)
    return path, inputs, ours


@pytest.mark.parametrize("as_text", [False, True])
def test_write_graph_writes_tensorflows_forms_and_neuroflow_reads_them_back(tmp_path, as_text):
    path, inputs, ours = _frozen(tmp_path, as_text)
    data = pathlib.Path(path).read_bytes()
    assert not data.lstrip().startswith(b"{")
    message = pb.text_format.Parse(data.decode(), pb.GraphDef()) if as_text else pb.GraphDef.FromString(data)
    types = {n.op for n in message.node}
    assert "VariableV2" not in types and {"Conv2D", "Mean", "ConcatV2", "Split", "RandomUniform"} <= types
    assert "Dropout" not in types
    mean = next(n for n in message.node if n.op == "Mean")
    assert len(mean.input) == 2 and mean.attr["Tidx"].type == pb.DT_INT32 and "axis" not in mean.attr
    read = tf.io.read_graph(path)
    assert isinstance(read, tf.GraphDef) and read == message
    with tf.Graph().as_default():
        tf.import_graph_def(read, name="")
        with tf.Session() as sess:
            got = sess.run(["probs:0", "classes:0"], {"x:0": inputs})
    np.testing.assert_allclose(got[0], ours[0], rtol=1e-6, atol=1e-7)
    np.testing.assert_array_equal(got[1], ours[1])


def test_tf_graph_def_reads_tensorflows_bytes_and_neuroflows_json():
    data = (DATA / "mlp_frozen.pb").read_bytes()
    graph_def = tf.GraphDef()
    assert graph_def.ParseFromString(data) == len(data)
    assert graph_def.SerializeToString() == data and graph_def.node[0].name == "x"
    with tf.Graph().as_default() as g:
        x = tf.placeholder(tf.float32, [None, 2], name="x")
        tf.cond(tf.reduce_sum(x) > 0, lambda: x * 2.0, lambda: x - 1.0, name="pick")   # no TF message form
        json_bytes = g.as_graph_def().SerializeToString()
    from_json = tf.GraphDef.FromString(json_bytes)
    assert isinstance(from_json, tf.GraphDef)
    with tf.Graph().as_default():
        out, = tf.import_graph_def(from_json, return_elements=["pick:0"], name="")
        with tf.Session() as sess:
            np.testing.assert_array_equal(sess.run(out, {"x:0": [[1.0, 2.0]]}), [[2.0, 4.0]])


def test_a_graph_tensorflows_messages_cannot_hold_is_written_in_neuroflows_form_with_a_warning(tmp_path, caplog):
    with tf.Graph().as_default() as g:
        x = tf.placeholder(tf.float32, [], name="x")
        tf.cond(x > 0, lambda: x + 1.0, lambda: x, name="pick")
    path = tf.train.write_graph(g, str(tmp_path), "graph.pb", as_text=False)
    assert "neuroflow's own GraphDef format" in caplog.text
    with tf.Graph().as_default():
        tf.import_graph_def(tf.io.read_graph(path), name="")
        with tf.Session() as sess:
            assert sess.run("pick:0", {"x:0": 2.0}) == 3.0


@pytest.mark.parametrize("content", [b"\x0a\x05trunc", b"\x0a\xff\xff\xff\xff\x0f", b"node { name: ", b"\xff\xfe"])
def test_a_corrupt_graph_file_raises_data_loss_naming_it(tmp_path, content):
    path = tmp_path / "broken.pb"
    path.write_bytes(content)
    with pytest.raises(tf.errors.DataLossError, match="broken.pb"):
        tf.io.read_graph(str(path))


def test_graph_util_keeps_tensorflows_message_kind():
    graph_def = pb.GraphDef.FromString((DATA / "mlp_graph.pb").read_bytes())
    with tf.Graph().as_default() as g:
        tf.import_graph_def(graph_def, name="")
        with tf.Session() as sess:
            sess.run([n.name for n in graph_def.node if n.op == "Assign" and not n.name.startswith("save/")])
            frozen = graph_util.convert_variables_to_constants(sess, graph_def, ["probs"])
            sub = graph_util.extract_sub_graph(graph_def, ["logits/add"])
    assert isinstance(frozen, tf.GraphDef) and isinstance(sub, tf.GraphDef)
    assert not {"VariableV2", "Assign", "SaveV2"} & {n.op for n in frozen.node}
    assert {n.op for n in sub.node} >= {"VariableV2", "MatMul"} and "probs" not in {n.name for n in sub.node}
    with tf.Graph().as_default():
        tf.import_graph_def(frozen, name="")
        with tf.Session() as sess:
            probs = sess.run("probs:0", {"x:0": REF["mlp/input/x"]})
    np.testing.assert_allclose(probs, REF["mlp/probs"], rtol=1e-5, atol=1e-6)


@needs_tf
@pytest.mark.parametrize("source", ["neuroflow_model", "tf_cnn_reexported", "tf_rnn_reexported"])
def test_tensorflow_imports_neuroflows_graph_def_and_predicts_the_same(tmp_path, source):
    if source == "neuroflow_model":
        path, inputs, ours = _frozen(tmp_path, as_text=False)
        feed, fetches = "x:0", ["probs:0", "classes:0"]
    else:   # TensorFlow's CNN / LSTM, imported by neuroflow and written again
        model = source.split("_")[1]
        feed = "images:0" if model == "cnn" else "sequence:0"
        fetches = ["probs:0", "probs:0" if model == "rnn" else "classes:0"]
        with tf.Graph().as_default() as g:
            tf.import_graph_def(pb.GraphDef.FromString((DATA / f"{model}_frozen.pb").read_bytes()), name="")
            path = str(tmp_path / f"{model}.pbtxt")
            pathlib.Path(path).write_text(pb.text_format.MessageToString(graph_to_tf_graph_def(g)))
            inputs = REF[f"{model}/input/{feed[:-2]}"]
            with tf.Session() as sess:
                ours = sess.run(fetches, {feed: inputs})
            np.testing.assert_allclose(ours[0], REF[f"{model}/probs"], rtol=1e-5, atol=1e-6)
    np.save(tmp_path / "inputs.npy", inputs)
    out = run_tf("""
import json, sys
import numpy as np
from google.protobuf import text_format
v1 = tf.compat.v1
v1.disable_v2_behavior()
graph_def = v1.GraphDef()
data = open(sys.argv[1], "rb").read()
if sys.argv[1].endswith(".pbtxt"):
    text_format.Parse(data.decode(), graph_def)
else:
    graph_def.ParseFromString(data)
v1.import_graph_def(graph_def, name="")
with v1.Session() as sess:
    probs, classes = sess.run(sys.argv[3].split(","), {sys.argv[2]: np.load(sys.argv[4])})
print(json.dumps([probs.tolist(), classes.tolist()]))
""", path, feed, ",".join(fetches), tmp_path / "inputs.npy")
    theirs = json.loads(out.strip().splitlines()[-1])
    np.testing.assert_allclose(np.array(theirs[0], np.float32), ours[0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(np.array(theirs[1]), ours[1], rtol=1e-5, atol=1e-6)


def test_tensorflow_core_pb2_module_paths():
    from neuroflow.core.framework import attr_value_pb2, graph_pb2, node_def_pb2, tensor_pb2, types_pb2
    from neuroflow.core.protobuf import meta_graph_pb2, saved_model_pb2, saver_pb2
    assert graph_pb2.GraphDef is tf.GraphDef and node_def_pb2.NodeDef is pb.NodeDef
    assert attr_value_pb2.AttrValue is pb.AttrValue and tensor_pb2.TensorProto is pb.TensorProto
    assert types_pb2.DT_FLOAT == 1 and types_pb2.DT_INT64_REF == 109 and types_pb2.DataType.Name(7) == "DT_STRING"
    assert meta_graph_pb2.MetaGraphDef is pb.MetaGraphDef and saver_pb2.SaverDef.V2 == 2
    assert saved_model_pb2.SavedModel is pb.SavedModel
    graph_def = graph_pb2.GraphDef()
    graph_def.ParseFromString((DATA / "mlp_frozen.pb").read_bytes())
    assert graph_def.node[0].attr["dtype"].type == types_pb2.DT_FLOAT


def _random_graph():
    g = tf.Graph()
    with g.as_default():
        tf.random_uniform([3, 2], seed=1, name="u")
        tf.random_uniform([3, 2], -2.0, 5.0, seed=2, name="u2")
        tf.random_uniform([4], maxval=7, dtype=tf.int32, seed=3, name="ui")
        tf.random_normal([2, 2], mean=1.0, stddev=3.0, seed=4, name="n")
        tf.truncated_normal([2], seed=5, name="t")
        with tf.Session() as sess:
            values = sess.run(["u:0", "u2:0", "ui:0", "n:0", "t:0"])
    return g, values


def test_random_ops_are_written_as_tensorflows_and_read_back_to_the_same_draws():
    g, values = _random_graph()
    message = graph_to_tf_graph_def(g)
    types = {n.op for n in message.node}
    assert {"RandomUniform", "RandomUniformInt", "RandomStandardNormal", "TruncatedNormal"} <= types
    assert "RandomNormal" not in types
    assert not any(k in n.attr for n in message.node for k in ("minval", "maxval", "mean", "stddev"))
    with tf.Graph().as_default():
        tf.import_graph_def(message, name="")
        with tf.Session() as sess:
            again = sess.run(["u:0", "u2:0", "ui:0", "n:0", "t:0"])
    for a, b in zip(values, again):
        np.testing.assert_array_equal(a, b)


@needs_tf
def test_tensorflow_draws_what_neuroflow_draws_from_the_written_random_ops(tmp_path):
    g, values = _random_graph()
    path = tf.train.write_graph(g, str(tmp_path), "random.pb", as_text=False)
    out = run_tf("""
import json, sys
v1 = tf.compat.v1
v1.disable_v2_behavior()
graph_def = v1.GraphDef()
graph_def.ParseFromString(open(sys.argv[1], "rb").read())
v1.import_graph_def(graph_def, name="")
with v1.Session() as sess:
    print(json.dumps([v.tolist() for v in sess.run(["u:0", "u2:0", "ui:0", "n:0", "t:0"])]))
""", path)
    theirs = json.loads(out.strip().splitlines()[-1])
    for mine, tf_values in zip(values, theirs):
        np.testing.assert_allclose(np.array(tf_values, mine.dtype), mine, rtol=1e-6, atol=1e-6)
