"""`tf.onnx.from_onnx`: ONNX models (the exporter's own, over the op library and trained models, and hand-built
ones) imported into neuroflow graphs compute what onnxruntime computes."""
import numpy as np
import pytest

import neuroflow as tf

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
from onnx import helper  # noqa: E402

from test_onnx_ops import CASES, _placeholder  # noqa: E402


def _import_and_run(model, feeds):
    with tf.Graph().as_default():
        inputs, outputs = tf.onnx.from_onnx(model)
        with tf.Session() as sess:
            return sess.run(list(outputs.values()), {inputs[k]: v for k, v in feeds.items()})


@pytest.mark.parametrize("case", sorted(CASES))
def test_exported_models_import_back(case):
    fn, arrays = CASES[case][:2]
    phs = [_placeholder(a) for a in arrays]
    outs = fn(*phs)
    outs = outs if isinstance(outs, list) else [outs]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        model = tf.onnx.export(sess, phs, outs, input_names=[f"in{i}" for i in range(len(phs))])
        expected = sess.run(outs, dict(zip(phs, arrays)))
    got = _import_and_run(model, {f"in{i}": a for i, a in enumerate(arrays)})
    for k, (g, w) in enumerate(zip(got, expected)):
        np.testing.assert_allclose(g, w, rtol=2e-5, atol=2e-5, err_msg=f"{case} output {k}")


def test_trained_cnn_and_lstm_round_trip(tmp_path, rng):
    x = tf.placeholder(tf.float32, [None, 8, 8, 1], name="x")
    h = tf.layers.conv2d(x, 4, 3, padding="same", activation=tf.nn.relu)
    h = tf.layers.batch_normalization(h, training=False)
    h = tf.layers.max_pooling2d(h, 2, 2)
    cnn = tf.layers.dense(tf.layers.flatten(h), 3, name="cnn")
    seq = tf.placeholder(tf.float32, [None, 5, 2], name="seq")
    with tf.variable_scope("lstm"):
        outputs, state = tf.nn.dynamic_rnn(tf.nn.rnn_cell.LSTMCell(4), seq, dtype=tf.float32)
    with tf.variable_scope("peep"):
        _, peep = tf.nn.dynamic_rnn(tf.nn.rnn_cell.LSTMCell(3, use_peepholes=True), seq, dtype=tf.float32)
    X = rng.random((3, 8, 8, 1)).astype(np.float32)
    S = rng.standard_normal((3, 5, 2)).astype(np.float32)
    path = tmp_path / "m.onnx"
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        tf.onnx.export(sess, [x, seq], [cnn, state.h, outputs, peep.h], path=path)
        expected = sess.run([cnn, state.h, outputs, peep.h], {x: X, seq: S})
    got = _import_and_run(str(path), {"x": X, "seq": S})
    for g, w in zip(got, expected):
        np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-5)


def _model(nodes, inputs, outputs, initializers=()):
    graph = helper.make_graph(nodes, "g", inputs, outputs, initializer=list(initializers))
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    return model


def test_hand_built_model_matches_onnxruntime(rng):
    w = onnx.numpy_helper.from_array(rng.standard_normal((3, 2, 3, 3)).astype(np.float32), "w")
    nodes = [helper.make_node("Conv", ["x", "w"], ["c"], pads=[1, 0, 1, 2], strides=[1, 2]),
             helper.make_node("AveragePool", ["c"], ["p"], kernel_shape=[2, 2], pads=[0, 0, 1, 1],
                              count_include_pad=1),
             helper.make_node("Reshape", ["p", "shape"], ["f"]),
             helper.make_node("Slice", ["f", "starts", "ends", "axes", "steps"], ["g"]),
             helper.make_node("Gemm", ["f", "g"], ["y"], transB=1, alpha=0.5)]
    consts = [w, onnx.numpy_helper.from_array(np.array([0, -1], np.int64), "shape"),
              onnx.numpy_helper.from_array(np.array([-1], np.int64), "starts"),
              onnx.numpy_helper.from_array(np.array([np.iinfo(np.int64).min], np.int64), "ends"),
              onnx.numpy_helper.from_array(np.array([0], np.int64), "axes"),
              onnx.numpy_helper.from_array(np.array([-1], np.int64), "steps")]
    model = _model(nodes, [helper.make_tensor_value_info("x", 1, [4, 2, 6, 7])],
                   [helper.make_tensor_value_info("y", 1, [4, 4])], consts)
    onnx.checker.check_model(model, full_check=True)
    X = rng.standard_normal((4, 2, 6, 7)).astype(np.float32)
    want = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"]).run(None, {"x": X})
    got = _import_and_run(model, {"x": X})
    np.testing.assert_allclose(got[0], want[0], rtol=1e-5, atol=1e-5)


def test_common_nodes_of_other_exporters(rng):
    consts = [onnx.numpy_helper.from_array(rng.standard_normal((3, 4)).astype(np.float32), "w"),
              onnx.numpy_helper.from_array(rng.standard_normal(4).astype(np.float32), "c")]
    nodes = [helper.make_node("GlobalAveragePool", ["x"], ["g"]),
             helper.make_node("Flatten", ["g"], ["f"]),
             helper.make_node("Dropout", ["f"], ["d"]),
             helper.make_node("Gemm", ["d", "w", "c"], ["y"], beta=0.5),
             helper.make_node("GlobalMaxPool", ["x"], ["m"])]
    model = _model(nodes, [helper.make_tensor_value_info("x", 1, ["n", 3, 5, 5])],
                   [helper.make_tensor_value_info("y", 1, ["n", 4]), helper.make_tensor_value_info("m", 1, None)],
                   consts)
    X = rng.standard_normal((2, 3, 5, 5)).astype(np.float32)
    want = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"]).run(None, {"x": X})
    for g, w in zip(_import_and_run(model, {"x": X}), want):
        np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-5)


def test_unsupported_nodes_are_named():
    model = _model([helper.make_node("Hardmax", ["x"], ["y"], name="hm")],
                   [helper.make_tensor_value_info("x", 1, [2, 3])], [helper.make_tensor_value_info("y", 1, None)])
    with pytest.raises(ValueError, match=r"Cannot import ONNX node 'hm' \(op_type: 'Hardmax'\): neuroflow has no "
                                         "importer"):
        tf.onnx.from_onnx(model)


def test_every_importer_is_keyed_by_an_onnx_op_type():
    """The import registry's keys are ONNX's own op names (a misspelled one would never match a node)."""
    from neuroflow.onnx import import_ops
    unknown = sorted(t for t in import_ops._IMPORTERS if not onnx.defs.has(t))
    assert import_ops._IMPORTERS and unknown == []


def _resize_model(scales=None, sizes=None, **attrs):
    inits = [helper.make_tensor("roi", onnx.TensorProto.FLOAT, [0], [])]
    names = ["x", "roi", "", ""]
    if scales is not None:
        inits.append(helper.make_tensor("scales", onnx.TensorProto.FLOAT, [4], scales))
        names[2] = "scales"
    if sizes is not None:
        inits.append(helper.make_tensor("sizes", onnx.TensorProto.INT64, [4], sizes))
        names[3] = "sizes"
    node = helper.make_node("Resize", [n for n in names if n] if sizes is None else names, ["y"], **attrs)
    graph = helper.make_graph([node], "resize", [helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT,
                                                                               [1, 2, 3, 4])],
                              [helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, None)], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


@pytest.mark.parametrize("attrs, method, align, half", [
    (dict(mode="linear", coordinate_transformation_mode="half_pixel"), "bilinear", False, True),
    (dict(mode="nearest", coordinate_transformation_mode="asymmetric", nearest_mode="floor"), "nearest", False,
     False),
    (dict(mode="cubic", coordinate_transformation_mode="align_corners"), "bicubic", True, False),
])
def test_hand_built_resize_by_scales_imports_as_tensorflows_resize(rng, attrs, method, align, half):
    x = rng.standard_normal((1, 2, 3, 4)).astype(np.float32)
    model = _resize_model(scales=[1.0, 1.0, 2.0, 1.5], **attrs)
    got, = _import_and_run(model, {"x": x})
    fn = {"bilinear": tf.image.resize_bilinear, "nearest": tf.image.resize_nearest_neighbor,
          "bicubic": tf.image.resize_bicubic}[method]
    with tf.Graph().as_default(), tf.Session() as sess:
        want = sess.run(fn(np.transpose(x, [0, 2, 3, 1]), [6, 6], align_corners=align, half_pixel_centers=half))
    np.testing.assert_allclose(got, np.transpose(want, [0, 3, 1, 2]), rtol=1e-6, atol=1e-6)
    if method != "bicubic":   # TensorFlow tabulates the cubic weights; onnxruntime computes them exactly
        session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
        np.testing.assert_allclose(got, session.run(None, {"x": x})[0], rtol=1e-5, atol=1e-5)


def test_resize_in_a_mode_tensorflow_has_no_rule_for_is_refused_by_name():
    model = _resize_model(sizes=[1, 2, 6, 6], mode="linear", coordinate_transformation_mode="pytorch_half_pixel")
    with pytest.raises(ValueError, match="mode='linear', coordinate_transformation_mode='pytorch_half_pixel' is "
                                         "none of TensorFlow's resize rules"):
        _import_and_run(model, {"x": np.zeros((1, 2, 3, 4), np.float32)})
