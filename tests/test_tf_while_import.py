"""tf.import_graph_def of TF1 while frames (Enter/Merge/Switch/LoopCond/NextIteration/Exit) that TensorFlow wrote
(tests/data/tf_while, made by make_fixtures.py with the anchors' TensorFlow): frozen graphs of a counting loop, of
nested loops, of dynamic_rnn (LSTM and GRU cells with sequence_length: TensorArrays inside; time-major), of
map_fn/scan/foldl and of a cond inside a loop predict what TensorFlow predicted and what NumPy references compute
for other inputs, through a checkpoint + .meta and a SavedModel too; what cannot be imported (TF1 gradient stacks,
unknown op types) is listed frame by frame, and nothing is imported."""
import pathlib

import numpy as np
import pytest

import neuroflow as tf
from neuroflow.framework import tf_protos as pb

DATA = pathlib.Path(__file__).parent / "data" / "tf_while"
REF = np.load(DATA / "predictions.npz")
LOOP_OP_TYPES = {"Enter", "Exit", "Merge", "Switch", "NextIteration", "LoopCond"}


def _read(name):
    return pb.GraphDef.FromString((DATA / f"{name}.pb").read_bytes())


def _run(model, feeds, outputs=None, prefix=""):
    outputs = outputs or [str(o) for o in REF[f"{model}/outputs_list"]]
    scope = prefix + "/" if prefix else ""
    with tf.Graph().as_default() as graph:
        tf.import_graph_def(_read(f"{model}_frozen"), name=prefix)
        with tf.Session() as sess:
            values = sess.run([f"{scope}{o}:0" for o in outputs], {f"{scope}{k}:0": v for k, v in feeds.items()})
    return dict(zip(outputs, values)), graph


def _tf_feeds(model):
    prefix = f"{model}/input/"
    return {k[len(prefix):]: REF[k] for k in REF.files if k.startswith(prefix)}


@pytest.mark.parametrize("model", ["counting", "nested", "lstm", "gru", "cond_in_while", "functional",
                                   "time_major", "tensor_arrays", "while_in_cond", "array_read_in_cond"])
def test_frozen_tf1_loops_predict_what_tensorflow_predicted(model):
    values, graph = _run(model, _tf_feeds(model))
    for output, value in values.items():
        expected = REF[f"{model}/{output}"]
        assert value.dtype == expected.dtype and value.shape == expected.shape, output
        np.testing.assert_allclose(value, expected, rtol=1e-5, atol=1e-6)
    types = {op.type for op in graph.get_operations()}
    assert not types & LOOP_OP_TYPES and types & {"While", "StatelessWhile"}


def _counting_reference(x, n):
    i, acc = 0, np.zeros_like(x)
    while i < n:
        i, acc = i + 1, acc * np.float32(0.5) + x * np.float32(i)
    k = n
    for _ in range(4):   # maximum_iterations=4 of `while k < 100: k += 3`
        if k >= 100:
            break
        k += 3
    return i, acc, k


@pytest.mark.parametrize("n", [0, 1, 8])
def test_counting_loop_bounded_by_a_placeholder_follows_numpy(n):
    x = np.array([0.5, -1.0, 2.0, 3.0], np.float32)
    values, _ = _run("counting", {"x": x, "n": np.int32(n)})
    count, total, capped = _counting_reference(x, n)
    assert values["count"] == count and values["capped_out"] == capped
    np.testing.assert_allclose(values["total"], total, rtol=1e-6)


@pytest.mark.parametrize("n", [0, 2, 5])
def test_nested_loops_follow_numpy(n):
    x = np.array([1.5, -0.25], np.float32)
    acc = np.zeros(2, np.float32)
    for i in range(n):
        for j in range(i):
            acc = acc + x * np.float32(i * 10 + j)
        acc = acc * np.float32(0.9)
    values, _ = _run("nested", {"x": x, "n": np.int32(n)})
    np.testing.assert_allclose(values["total"], acc, rtol=1e-6)


def _sigmoid(v):
    return 1.0 / (1.0 + np.exp(-v))


def _lstm_reference(graph_def, inputs, lengths):
    """TF1's LSTMCell (forget bias 1) under dynamic_rnn with sequence_length, in float64, from the frozen
    graph's weights: outputs are zero past a sequence's length and its state is carried through."""
    consts = {n.name: n for n in graph_def.node if n.op == "Const"}
    from neuroflow.framework.tf_proto_convert import tensor_from_proto
    kernel = tensor_from_proto(consts["rnn/lstm_cell/kernel"].attr["value"].tensor, "kernel").astype(np.float64)
    bias = tensor_from_proto(consts["rnn/lstm_cell/bias"].attr["value"].tensor, "bias").astype(np.float64)
    batch, steps, _ = inputs.shape
    units = bias.shape[0] // 4
    c, h = np.zeros((batch, units)), np.zeros((batch, units))
    outputs = np.zeros((batch, steps, units))
    for t in range(steps):
        z = np.concatenate([inputs[:, t].astype(np.float64), h], 1) @ kernel + bias
        i, j, f, o = np.split(z, 4, axis=1)
        new_c = _sigmoid(f + 1.0) * c + _sigmoid(i) * np.tanh(j)
        new_h = _sigmoid(o) * np.tanh(new_c)
        live = (t < lengths)[:, None]
        c, h = np.where(live, new_c, c), np.where(live, new_h, h)
        outputs[:, t] = np.where(live, new_h, 0.0)
    return outputs, c, h


def test_dynamic_rnn_lstm_follows_a_numpy_lstm_for_other_lengths():
    rng = np.random.default_rng(7)
    inputs = rng.standard_normal([3, 4, 3]).astype(np.float32)
    lengths = np.array([1, 4, 0], np.int32)
    values, _ = _run("lstm", {"inputs": inputs, "lengths": lengths})
    outputs, c, h = _lstm_reference(_read("lstm_frozen"), inputs, lengths)
    np.testing.assert_allclose(values["outputs"], outputs, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(values["state_0"], c, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(values["state_1"], h, rtol=1e-5, atol=1e-6)


def test_import_under_a_name_with_an_input_map():
    x = np.array([1.0, 2.0, -3.0], np.float32)
    with tf.Graph().as_default():
        n = tf.constant(6, name="bound")
        total, count = tf.import_graph_def(_read("counting_frozen"), input_map={"n:0": n},
                                           return_elements=["total:0", "count:0"], name="model")
        assert total.name == "model/total:0"
        with tf.Session() as sess:
            total_value, count_value = sess.run([total, count], {"model/x:0": x})
    _, expected, _ = _counting_reference(x, 6)
    assert count_value == 6
    np.testing.assert_allclose(total_value, expected, rtol=1e-6)


def test_gradients_flow_through_an_imported_dynamic_rnn():
    inputs = _tf_feeds("lstm")["inputs"].astype(np.float64)
    lengths = _tf_feeds("lstm")["lengths"]
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 4, 3])
        outputs, = tf.import_graph_def(_read("lstm_frozen"), input_map={"inputs:0": x}, return_elements=["outputs:0"])
        loss = tf.reduce_sum(tf.square(outputs))
        grad, = tf.gradients(loss, [x])
        with tf.Session() as sess:
            analytic = sess.run(grad, {x: inputs, "import/lengths:0": lengths})
    graph_def = _read("lstm_frozen")

    def loss_of(v):
        out, _, _ = _lstm_reference(graph_def, v, lengths)
        return np.sum(out ** 2)
    eps = 1e-6
    for index in [(0, 0, 0), (1, 1, 2), (2, 2, 1), (2, 3, 0)]:
        plus, minus = inputs.copy(), inputs.copy()
        plus[index] += eps
        minus[index] -= eps
        numeric = (loss_of(plus) - loss_of(minus)) / (2 * eps)
        np.testing.assert_allclose(analytic[index], numeric, rtol=1e-3, atol=1e-5)


def test_a_training_graph_with_tf1_loop_gradient_stacks_is_refused_frame_by_frame():
    with tf.Graph().as_default() as graph:
        with pytest.raises(ValueError) as info:
            tf.import_graph_def(_read("loop_training_graph"))
        assert graph.get_operations() == []
    message = str(info.value)
    assert "StackV2 (1 node" in message and "StackPushV2 (1 node" in message and "StackPopV2 (1 node" in message
    assert "in while frame 'loop/while_context': StackPushV2" in message
    assert "in while frame 'gradients/loop/while_context'" in message and "ControlTrigger" in message
    assert "Nothing was imported" in message and "training graph" in message
    assert "Enter" not in message.split("frame")[0] and "Merge (" not in message


def test_unknown_op_types_inside_and_outside_loops_are_listed_at_once():
    graph_def = _read("counting_frozen")
    inside = next(n for n in graph_def.node if n.name == "loop/Cast")
    inside.op = "FancyCast"
    outside = next(n for n in graph_def.node if n.name == "count")
    outside.op = "FancyIdentity"
    with tf.Graph().as_default(), pytest.raises(ValueError) as info:
        tf.import_graph_def(graph_def)
    message = str(info.value)
    assert "outside loops: FancyIdentity (1 node: 'count')" in message
    assert "in while frame 'loop/while_context': FancyCast (1 node: 'loop/Cast')" in message


def test_a_value_used_from_inside_a_loop_other_than_through_exit_is_refused():
    graph_def = _read("counting_frozen")
    graph_def.node.add(name="peek", op="AddV2", input=["total", "loop/Identity_1"]).attr["T"].type = pb.DT_FLOAT
    with tf.Graph().as_default(), pytest.raises(ValueError, match="'peek'.*'loop/while_context'.*Exit"):
        tf.import_graph_def(graph_def)


def test_a_frame_without_its_loop_cond_is_refused_with_the_frame_named():
    graph_def = _read("nested_frozen")
    next(n for n in graph_def.node if n.name == "outer/inner/LoopCond").op = "Identity"
    with tf.Graph().as_default(), pytest.raises(ValueError, match="'outer/inner/while_context'.*0 LoopCond"):
        tf.import_graph_def(graph_def)


def test_the_cond_and_while_fixture_of_the_graphdef_tests_predicts_what_tensorflow_predicted():
    data = pathlib.Path(__file__).parent / "data" / "tf_graphdef"
    ref = np.load(data / "predictions.npz")
    with tf.Graph().as_default():
        tf.import_graph_def(pb.GraphDef.FromString((data / "control_flow_frozen.pb").read_bytes()), name="")
        with tf.Session() as sess:
            value = sess.run("out:0", {"x:0": ref["control_flow/input/x"]})
    np.testing.assert_allclose(value, ref["control_flow/out"], rtol=1e-6)


def test_ops_a_next_iteration_waits_for_run_in_every_iteration():
    """An Assert that NextIteration has as a control input (an op run for its effect) runs per iteration: it
    fails on the iteration where the counter reaches 3."""
    graph_def = _read("counting_frozen")
    frame = next(n for n in graph_def.node if n.name == "loop/Enter").attr["frame_name"]
    limit = graph_def.node.add(name="loop/limit", op="Const", input=["^loop/Identity"])
    limit.attr["dtype"].type = pb.DT_INT32
    limit.attr["value"].tensor.CopyFrom(pb.TensorProto(dtype=pb.DT_INT32, int_val=[3]))
    below = graph_def.node.add(name="loop/below", op="Less", input=["loop/Identity", "loop/limit"])
    below.attr["T"].type = pb.DT_INT32
    check = graph_def.node.add(name="loop/check", op="Assert", input=["loop/below", "loop/Identity"])
    check.attr["T"].list.type.append(pb.DT_INT32)
    check.attr["summarize"].i = 3
    next(n for n in graph_def.node if n.name == "loop/NextIteration").input.append("^loop/check")
    assert frame.s == b"loop/while_context"
    x = np.ones(3, np.float32)
    with tf.Graph().as_default():
        tf.import_graph_def(graph_def, name="")
        with tf.Session() as sess:
            assert sess.run("count:0", {"x:0": x, "n:0": 3}) == 3
            with pytest.raises(tf.errors.InvalidArgumentError):
                sess.run("count:0", {"x:0": x, "n:0": 4})


def test_a_tf_checkpoint_with_its_meta_graph_of_a_dynamic_rnn_restores_and_predicts():
    feeds = _tf_feeds("lstm_ckpt")
    with tf.Graph().as_default():
        saver = tf.train.import_meta_graph(str(DATA / "lstm_ckpt" / "model.ckpt.meta"))
        with tf.Session() as sess:
            saver.restore(sess, str(DATA / "lstm_ckpt" / "model.ckpt"))
            value = sess.run("outputs:0", {f"{k}:0": v for k, v in feeds.items()})
    np.testing.assert_allclose(value, REF["lstm_ckpt/outputs"], rtol=1e-5, atol=1e-6)


def test_a_tf_saved_model_of_a_dynamic_rnn_loads_and_predicts():
    feeds = _tf_feeds("lstm_ckpt")
    with tf.Graph().as_default():
        with tf.Session() as sess:
            meta_graph = tf.saved_model.loader.load(sess, ["serve"], str(DATA / "lstm_saved_model"))
            signature = meta_graph.signature_def["serving_default"]
            value = sess.run(signature.outputs["outputs"].name,
                             {signature.inputs[k].name: v for k, v in feeds.items()})
    np.testing.assert_allclose(value, REF["lstm_ckpt/outputs"], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("kind", ["ref", "resource"])
def test_a_loop_body_assigning_to_a_variable_updates_the_variable_itself(kind):
    with tf.Graph().as_default():
        tf.import_graph_def(_read(f"stateful_{kind}_graph"), name="")
        with tf.Session() as sess:
            sess.run("init")
            first = sess.run("result:0")
            second, count = sess.run(["result:0", "count:0"])
    assert first == REF[f"stateful_{kind}/first"] and second == REF[f"stateful_{kind}/second"] and count == 3


def test_an_imported_loop_round_trips_through_neuroflows_own_graph_def():
    feeds = _tf_feeds("lstm")
    with tf.Graph().as_default() as graph:
        tf.import_graph_def(_read("lstm_frozen"), name="")
        data = graph.as_graph_def().SerializeToString()
    with tf.Graph().as_default():
        tf.import_graph_def(tf.GraphDef.FromString(data), name="")
        with tf.Session() as sess:
            value = sess.run("outputs:0", {f"{k}:0": v for k, v in feeds.items()})
    np.testing.assert_allclose(value, REF["lstm/outputs"], rtol=1e-5, atol=1e-6)


def test_an_unfrozen_loop_graph_with_tensorflows_saver_nodes_imports_them_left_out():
    meta_graph = pb.MetaGraphDef.FromString((DATA / "lstm_ckpt" / "model.ckpt.meta").read_bytes())
    assert {"SaveV2", "RestoreV2"} <= {n.op for n in meta_graph.graph_def.node}
    with tf.Graph().as_default() as graph:
        tf.import_graph_def(meta_graph.graph_def, name="")
        types = {op.type for op in graph.get_operations()}
    assert "StatelessWhile" in types and not types & {"SaveV2", "RestoreV2"}


@pytest.mark.parametrize("n", [0, 1, 6])
def test_a_growing_tensor_array_follows_numpy(n):
    x = np.array([0.5, -2.0], np.float32)
    rows = np.stack([x * np.float32(i + 1) for i in range(n)]) if n else np.zeros([0, 2], np.float32)
    values, _ = _run("tensor_arrays", {"x": x, "n": np.int32(n)})
    if n == 0:   # nothing written: TensorFlow's stored outputs (shapes from the element shape it inferred)
        for output, value in values.items():
            expected = REF[f"tensor_arrays_empty/{output}"]
            assert value.shape == expected.shape and value.dtype == expected.dtype, output
        return
    assert values["size"] == n
    np.testing.assert_allclose(values["stacked"], rows, rtol=1e-6)
    np.testing.assert_allclose(values["joined"], rows.reshape(-1), rtol=1e-6)


@pytest.mark.parametrize("n", [0, 4])
def test_a_loop_inside_a_cond_follows_numpy_on_both_branches(n):
    x = np.array([1.0, -0.5, 3.0], np.float32)
    values, _ = _run("while_in_cond", {"x": x, "n": np.int32(n)})
    np.testing.assert_allclose(values["out"], x * np.float32(2.0 ** n) if n > 0 else x - 1.0, rtol=1e-6)


def test_loop_variables_take_the_shapes_the_writer_recorded():
    with tf.Graph().as_default() as graph:   # gru_frozen records `_output_shapes`; lstm_frozen does not
        tf.import_graph_def(_read("gru_frozen"), name="gru")
        tf.import_graph_def(_read("lstm_frozen"), name="lstm")
        gru_loop, = [op for op in graph.get_operations() if op.name.startswith("gru/") and "While" in op.type]
        lstm_loop, = [op for op in graph.get_operations() if op.name.startswith("lstm/") and "While" in op.type]
    assert [t.shape.as_list() for t in gru_loop.outputs] == [[], [], [], [None, 5]]   # counter, time, flow, state
    assert all(t.shape.ndims is None for t in lstm_loop.outputs)
    body = gru_loop.get_attr("body")
    assert [t.shape.as_list() for t in body.placeholders[:4]] == [[], [], [], [None, 5]]
