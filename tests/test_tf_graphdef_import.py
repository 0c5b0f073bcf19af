"""tf.import_graph_def of GraphDefs that TensorFlow wrote (tests/data/tf_graphdef, made by make_fixtures.py with
the anchors' TensorFlow): frozen MLP and CNN predict what TensorFlow predicted, unfrozen graphs with reference and
resource variables run after their initializers, and graphs with op types neuroflow lacks fail with one error
listing them all."""
import pathlib
from collections import Counter

import numpy as np
import pytest

import neuroflow as tf
from neuroflow.framework import tf_protos as pb
from neuroflow.framework.tf_protos import text_format

DATA = pathlib.Path(__file__).parent / "data" / "tf_graphdef"
REF = np.load(DATA / "predictions.npz")
MODELS = {"mlp": ("x", ["probs", "classes", "mean_probs"]), "cnn": ("images", ["probs", "classes"]),
          "resource_mlp": ("x", ["probs"]), "rnn": ("sequence", ["probs"])}


def _read(name):
    return pb.GraphDef.FromString((DATA / f"{name}.pb").read_bytes())


def _predict(graph_def, model, prefix=""):
    feed, outputs = MODELS[model]
    with tf.Graph().as_default():
        tf.import_graph_def(graph_def, name=prefix)
        scope = prefix + "/" if prefix else ""
        with tf.Session() as sess:
            return sess.run([f"{scope}{o}:0" for o in outputs], {f"{scope}{feed}:0": REF[f"{model}/input/{feed}"]})


def _assert_tf_predictions(model, values):
    for output, value in zip(MODELS[model][1], values):
        expected = REF[f"{model}/{output}"]
        assert value.dtype == expected.dtype and value.shape == expected.shape
        np.testing.assert_allclose(value, expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("model", ["mlp", "cnn", "resource_mlp", "rnn"])
def test_frozen_graph_predicts_what_tensorflow_predicted(model):
    _assert_tf_predictions(model, _predict(_read(f"{model}_frozen"), model, prefix="frozen"))


def test_graphs_without_default_valued_attributes_import_with_tensorflows_defaults():
    stripped = _read("cnn_frozen_stripped")
    conv = next(n for n in stripped.node if n.op == "Conv2D")
    assert "data_format" not in conv.attr and "dilations" not in conv.attr
    _assert_tf_predictions("cnn", _predict(stripped, "cnn"))
    many = _read("many_ops_frozen_stripped")
    names = [key.split("/", 1)[1] for key in REF.files if key.startswith("many_ops/out_")]
    with tf.Graph().as_default():
        tf.import_graph_def(many, name="")
        with tf.Session() as sess:
            values = sess.run([f"{name}:0" for name in names], {"x:0": REF["many_ops/input/x"]})
    for name, value in zip(names, values):
        np.testing.assert_allclose(value, REF[f"many_ops/{name}"], rtol=1e-5, atol=1e-6, err_msg=name)


@pytest.mark.parametrize("model", ["mlp", "cnn"])
def test_text_form_imports_to_the_same_predictions(model):
    graph_def = text_format.Parse((DATA / f"{model}_frozen.pbtxt").read_text(), pb.GraphDef())
    _assert_tf_predictions(model, _predict(graph_def, model))


def test_a_protobuf_package_graph_def_is_accepted():
    graph_pb2 = pytest.importorskip("tensorboard.compat.proto.graph_pb2")
    message = graph_pb2.GraphDef.FromString((DATA / "mlp_frozen.pb").read_bytes())
    _assert_tf_predictions("mlp", _predict(message, "mlp"))


@pytest.mark.parametrize("model", ["mlp", "resource_mlp"])
def test_unfrozen_graph_runs_after_its_variable_initializers(model):
    graph_def = _read(f"{model}_graph")
    types = Counter(n.op for n in graph_def.node)
    assert types["SaveV2"] == 1 and types["RestoreV2"] == 1
    assert types["VarHandleOp" if model == "resource_mlp" else "VariableV2"] >= 2
    with tf.Graph().as_default() as graph:
        tf.import_graph_def(graph_def, name="")
        names = {op.name for op in graph.get_operations()}
        assert not any(op.type in ("SaveV2", "RestoreV2") for op in graph.get_operations())
        assert "save/SaveV2" not in names and "save/restore_all" not in names
        inits = [n.name for n in graph_def.node if n.op in ("Assign", "AssignVariableOp")
                 and not n.name.startswith("save/")]
        with tf.Session() as sess:
            sess.run(inits)
            probs = sess.run("probs:0", {"x:0": REF[f"{model}/input/x"]})
    np.testing.assert_allclose(probs, REF[f"{model}/probs"], rtol=1e-5, atol=1e-6)


def test_input_map_and_return_elements_with_a_tensorflow_graph_def():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 4], name="my_input")
        probs, relu = tf.import_graph_def(_read("mlp_frozen"), input_map={"x:0": x * 1.0},
                                          return_elements=["probs:0", "dense/Relu"], name="model")
        assert probs.name == "model/probs:0" and relu.type == "Relu"
        with tf.Session() as sess:
            value = sess.run(probs, {x: REF["mlp/input/x"]})
    np.testing.assert_allclose(value, REF["mlp/probs"], rtol=1e-5, atol=1e-6)


def test_op_types_neuroflow_lacks_are_listed_at_once_and_nothing_is_imported():
    graph_def = _read("mlp_frozen")
    for node in graph_def.node:   # op types neuroflow has no OpDef for, in several nodes
        if node.op in ("Relu", "Softmax"):
            node.op = "Fancy" + node.op
    with tf.Graph().as_default() as graph:
        with pytest.raises(ValueError) as info:
            tf.import_graph_def(graph_def)
        assert graph.get_operations() == []
    message = str(info.value)
    counts = Counter(n.op for n in graph_def.node)
    for op in ("FancyRelu", "FancySoftmax"):
        assert f"{op} ({counts[op]} node" in message
    assert "Nothing was imported" in message
    assert "Placeholder" not in message and "MatMul (" not in message


def test_fixture_op_types_are_all_importable():
    from neuroflow.framework.tf_graph_import import graph_def_from_tf
    seen = set()
    for name in ("mlp_frozen", "cnn_frozen", "rnn_frozen", "many_ops_frozen", "mlp_graph", "resource_mlp_graph",
                 "control_flow_frozen"):
        graph_def = _read(name)
        seen |= {n.op for n in graph_def.node}
        graph_def_from_tf(graph_def)          # raises when an op type cannot be imported
    assert {"Conv2D", "DepthwiseConv2dNative", "FusedBatchNormV3", "MaxPool", "AvgPool", "StridedSlice", "Pack",
            "ConcatV2", "Squeeze", "ArgMax", "Mean", "Pad", "Transpose", "Shape", "Reshape", "Relu6",
            "PlaceholderWithDefault", "VariableV2", "VarHandleOp", "ReadVariableOp", "AssignVariableOp", "Assign",
            "SaveV2", "RestoreV2", "NoOp", "Unpack", "Split", "Fill"} <= seen


def test_a_computed_axis_input_is_refused_with_the_node_named():
    graph_def = pb.GraphDef()
    x = graph_def.node.add(name="x", op="Placeholder")
    x.attr["dtype"].type = pb.DT_FLOAT
    axis = graph_def.node.add(name="axis", op="Placeholder")
    axis.attr["dtype"].type = pb.DT_INT32
    mean = graph_def.node.add(name="m", op="Mean", input=["x", "axis"])
    mean.attr["T"].type = pb.DT_FLOAT
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="Node 'm' \\(Mean\\): its axis input 'axis' must be a constant"):
            tf.import_graph_def(graph_def)


def test_short_value_lists_fill_the_shape_as_tensorflow_does():
    from neuroflow.framework.tf_proto_convert import tensor_from_proto
    proto = pb.TensorProto(dtype=pb.DT_FLOAT, float_val=[1.5, 2.5])
    proto.tensor_shape.dim.add(size=2)
    proto.tensor_shape.dim.add(size=2)
    np.testing.assert_array_equal(tensor_from_proto(proto), [[1.5, 2.5], [2.5, 2.5]])
    proto = pb.TensorProto(dtype=pb.DT_INT32)
    proto.tensor_shape.dim.add(size=3)
    np.testing.assert_array_equal(tensor_from_proto(proto), [0, 0, 0])
    proto = pb.TensorProto(dtype=pb.DT_FLOAT, tensor_content=b"\x00" * 7)
    proto.tensor_shape.dim.add(size=2)
    with pytest.raises(ValueError, match="tensor_content holds 7 bytes"):
        tensor_from_proto(proto)


def test_nodes_calling_library_functions_are_listed_with_the_missing_op_types():
    graph_def = pb.GraphDef()
    x = graph_def.node.add(name="x", op="Placeholder")
    x.attr["dtype"].type = pb.DT_INT32
    loop = graph_def.node.add(name="while", op="While", input=["x"])
    loop.attr["body"].func.name = "body_fn"
    loop.attr["cond"].func.name = "cond_fn"
    graph_def.node.add(name="call", op="StatefulPartitionedCall", input=["x"]).attr["f"].func.name = "f"
    graph_def.node.add(name="odd", op="NoSuchOpType")
    with tf.Graph().as_default(), pytest.raises(ValueError) as info:
        tf.import_graph_def(graph_def)
    message = str(info.value)
    assert "While with function attributes (1 node: 'while')" in message
    assert "StatefulPartitionedCall (1 node: 'call')" in message and "NoSuchOpType (1 node: 'odd')" in message


def test_a_node_missing_a_required_attribute_is_a_clear_value_error():
    graph_def = pb.GraphDef()
    graph_def.node.add(name="c", op="Const").attr["dtype"].type = pb.DT_FLOAT   # no "value"
    with tf.Graph().as_default(), pytest.raises(ValueError, match="NodeDef missing attr 'value' from Op 'Const' "
                                                                  "\\(node 'c'\\)"):
        tf.import_graph_def(graph_def)


def test_many_op_types_written_by_tensorflow_compute_what_tensorflow_computed():
    """90 outputs of TF1 ops (make_fixtures.build_many_ops): attributes TF adds for its own kernels
    (bad_indices_policy, grad_x, Tk, ...) are ignored, SquaredDifference becomes Square(Sub), and TF 1.x's op
    types Add, Div (float and integer), MaxPoolV2, FusedBatchNorm, BatchMatMul and Select import."""
    graph_def = _read("many_ops_frozen")
    names = [key.split("/", 1)[1] for key in REF.files if key.startswith("many_ops/out_")]
    assert len(names) >= 90
    with tf.Graph().as_default():
        tf.import_graph_def(graph_def, name="")
        with tf.Session() as sess:
            values = sess.run([f"{name}:0" for name in names], {"x:0": REF["many_ops/input/x"]})
    wrong = []
    for name, value in zip(names, values):
        expected = REF[f"many_ops/{name}"]
        same = value.shape == expected.shape and value.dtype == expected.dtype and (
            np.allclose(value, expected, rtol=1e-5, atol=1e-6) if expected.dtype.kind == "f"
            else np.array_equal(value, expected))
        if not same:
            wrong.append(name)
    assert wrong == []


@pytest.mark.parametrize("feeds, expected", [({}, "cond/out"), ({"scale:0": 0.0}, "cond/out_scale0"),
                                             ({"is_training:0": True}, "cond/out_training")])
def test_tf1_cond_frames_import_and_take_the_branch_tensorflow_took(feeds, expected):
    """Switch/Merge frames of tf.cond without loops (a batch norm and a dropout under is_training, a nested cond)
    become SelectV2 over both branches. A new session per case: random ops in a branch draw on every run, taken
    or not, so only a session's first draw is TensorFlow's."""
    graph_def = _read("cond_frozen")
    assert {"Switch", "Merge"} <= {n.op for n in graph_def.node}
    with tf.Graph().as_default() as graph:
        tf.import_graph_def(graph_def, name="")
        assert not {"Switch", "Merge"} & {op.type for op in graph.get_operations()}
        with tf.Session() as sess:
            value = sess.run("out:0", {"x:0": REF["cond/input/x"], **feeds})
    np.testing.assert_allclose(value, REF[expected], rtol=1e-5, atol=1e-5)


def _cond_graph(branch_op):
    """A hand-made TF1 cond: pred -> Switch(x) -> [true: branch_op, false: identity] -> Merge."""
    graph_def = pb.GraphDef()
    for name, dtype in (("x", pb.DT_FLOAT), ("pred", pb.DT_BOOL)):
        graph_def.node.add(name=name, op="Placeholder").attr["dtype"].type = dtype
    switch = graph_def.node.add(name="c/Switch", op="Switch", input=["x", "pred"])
    switch.attr["T"].type = pb.DT_FLOAT
    true = graph_def.node.add(name="c/true", op=branch_op, input=["c/Switch:1", "c/Switch:1"])
    true.attr["T"].type = pb.DT_FLOAT
    graph_def.node.add(name="c/false", op="Identity", input=["c/Switch"]).attr["T"].type = pb.DT_FLOAT
    merge = graph_def.node.add(name="c/Merge", op="Merge", input=["c/false", "c/true"])
    merge.attr["T"].type = pb.DT_FLOAT
    merge.attr["N"].i = 2
    graph_def.node.add(name="index", op="Identity", input=["c/Merge:1"]).attr["T"].type = pb.DT_INT32
    return graph_def


def test_a_hand_made_cond_selects_by_its_predicate_and_reports_the_branch_index():
    with tf.Graph().as_default():
        tf.import_graph_def(_cond_graph("Mul"), name="")
        with tf.Session() as sess:
            out = sess.run(["c/Merge:0", "index:0"], {"x:0": 3.0, "pred:0": True})
            assert out[0] == 9.0 and out[1] == 1
            out = sess.run(["c/Merge:0", "index:0"], {"x:0": 3.0, "pred:0": False})
            assert out[0] == 3.0 and out[1] == 0


def test_a_cond_branch_with_side_effects_is_refused():
    with tf.Graph().as_default() as graph, pytest.raises(ValueError, match="computes both branches"):
        tf.import_graph_def(_cond_graph("AssignAdd"), name="")
    assert graph.get_operations() == []
