"""The classic TF1 freezing script, as a user runs it: `graph.as_graph_def()` is TensorFlow's GraphDef message
(`node` loops with AttrValues, `SerializeToString()` / `ByteSize()`), `convert_variables_to_constants` of it
written with `f.write(graph_def.SerializeToString())` is a file TensorFlow loads (the anchors' TensorFlow runs it,
skipped where absent), and `tf.GraphDef().ParseFromString` + `import_graph_def` brings it back. Predictions are
checked against a NumPy forward pass of the trained weights."""
import numpy as np
import pytest
from anchor_tf import ANCHOR_PYTHON, run_tf
from graph_export_helpers import run_from_bytes

import neuroflow as tf
from neuroflow.framework import graph_io, tf_protos


def _mlp():
    """x [None, 4] -> relu dense 8 -> dense 3 -> softmax 'probs', with a Momentum step on labels y."""
    x = tf.placeholder(tf.float32, [None, 4], name="x")
    y = tf.placeholder(tf.int64, [None], name="y")
    hidden = tf.layers.dense(x, 8, activation=tf.nn.relu, name="hidden")
    logits = tf.layers.dense(hidden, 3, name="logits")
    probs = tf.nn.softmax(logits, name="probs")
    loss = tf.losses.sparse_softmax_cross_entropy(y, logits)
    train = tf.train.MomentumOptimizer(0.1, 0.9).minimize(loss)
    return x, y, probs, train


def _numpy_probs(weights, inputs):
    """The MLP's forward pass in float64 NumPy from its trained variables (the independent reference)."""
    h = np.maximum(inputs @ weights["hidden/kernel"] + weights["hidden/bias"], 0.0)
    z = h @ weights["logits/kernel"] + weights["logits/bias"]
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _trained_and_frozen(tmp_path):
    """Trains the MLP a few steps and runs the classic freezing script; returns (frozen.pb path, inputs,
    NumPy reference probabilities, neuroflow's probabilities before freezing)."""
    rng = np.random.RandomState(3)
    inputs = rng.randn(6, 4).astype(np.float32)
    labels = rng.randint(0, 3, 6)
    with tf.Graph().as_default():
        x, y, probs, train = _mlp()
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for _ in range(3):
                sess.run(train, {x: inputs, y: labels})
            weights = {v.op.name: sess.run(v).astype(np.float64) for v in tf.trainable_variables()}
            before = sess.run(probs, {x: inputs})
            # the script, as TF1 tutorials write it
            output_graph_def = tf.graph_util.convert_variables_to_constants(
                sess, sess.graph.as_graph_def(), ["probs"])
            path = str(tmp_path / "frozen.pb")
            with tf.gfile.GFile(path, "wb") as f:
                f.write(output_graph_def.SerializeToString())
    return path, inputs, _numpy_probs(weights, inputs.astype(np.float64)), before


def test_the_classic_freezing_script_writes_tensorflows_binary_graphdef(tmp_path):
    path, _, _, _ = _trained_and_frozen(tmp_path)
    data = open(path, "rb").read()
    assert not data.lstrip().startswith(b"{")   # not neuroflow's JSON form
    message = tf_protos.GraphDef.FromString(data)   # TensorFlow's wire format, read by field numbers
    ops = {node.name: node.op for node in message.node}
    assert ops["probs"] == "Softmax" and ops["x"] == "Placeholder"
    assert ops["hidden/kernel"] == "Const" and "VariableV2" not in ops.values()
    assert not any(op.startswith(("Apply", "Assign")) for op in ops.values())
    assert message.versions.producer > 0


def test_the_frozen_file_imports_back_and_predicts_as_the_trained_model(tmp_path):
    path, inputs, reference, before = _trained_and_frozen(tmp_path)
    graph_def = tf.GraphDef()
    with tf.gfile.GFile(path, "rb") as f:
        graph_def.ParseFromString(f.read())
    with tf.Graph().as_default():
        tf.import_graph_def(graph_def, name="")
        with tf.Session() as sess:   # nothing to initialize: the weights are constants
            got = sess.run("probs:0", {"x:0": inputs})
    np.testing.assert_allclose(got, reference, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got, before, rtol=1e-6, atol=1e-7)


@pytest.mark.skipif(ANCHOR_PYTHON is None, reason="the anchors' TensorFlow is not installed")
def test_tensorflow_loads_the_frozen_file_and_predicts_the_same(tmp_path):
    path, inputs, reference, _ = _trained_and_frozen(tmp_path)
    np.save(tmp_path / "inputs.npy", inputs)
    out = run_tf("""
import json, sys
import numpy as np
v1 = tf.compat.v1
v1.disable_v2_behavior()
graph_def = v1.GraphDef()
with v1.gfile.GFile(sys.argv[1], "rb") as f:
    graph_def.ParseFromString(f.read())
v1.import_graph_def(graph_def, name="")
with v1.Session() as sess:
    print(json.dumps(sess.run("probs:0", {"x:0": np.load(sys.argv[2])}).tolist()))
""", path, tmp_path / "inputs.npy")
    theirs = np.array(__import__("json").loads(out.strip().splitlines()[-1]))
    np.testing.assert_allclose(theirs, reference, rtol=1e-5, atol=1e-6)


def test_as_graph_def_is_tensorflows_message_with_attr_values():
    with tf.Graph().as_default() as graph:
        x = tf.placeholder(tf.float32, [None, 3], name="x")
        tf.reduce_sum(x * 2.0, axis=1, name="total")
        graph_def = graph.as_graph_def()
        with tf.Session() as sess:
            assert isinstance(sess.graph_def, tf.GraphDef)
    assert isinstance(graph_def, tf.GraphDef)
    seen = {}
    for n in graph_def.node:
        seen[n.name] = (n.op, list(n.input), dict(n.attr))
    assert seen["x"][0] == "Placeholder"
    assert seen["x"][2]["dtype"].type == tf_protos.DataType.Value("DT_FLOAT")
    assert [d.size for d in seen["x"][2]["shape"].shape.dim] == [-1, 3]
    # TensorFlow's Sum takes its axes as an input, and its type attrs
    assert seen["total"][0] == "Sum" and seen["total"][1][0] == "mul" and len(seen["total"][1]) == 2
    assert seen["total"][2]["T"].type == tf_protos.DataType.Value("DT_FLOAT")
    assert graph_def.ByteSize() == len(graph_def.SerializeToString())
    assert "_output_shapes" not in seen["x"][2]   # TensorFlow's default, add_shapes=False
    shaped = graph.as_graph_def(add_shapes=True)
    assert [d.size for d in shaped.node[0].attr["_output_shapes"].list.shape[0].dim] == [-1, 3]


def test_the_message_imports_exactly_in_process_and_its_bytes_through_tensorflows_form():
    with tf.Graph().as_default() as graph:
        x = tf.placeholder(tf.float32, [None, 4], name="x")
        tf.nn.softmax(x, axis=0, name="probs")   # neuroflow's Softmax axis: TensorFlow's form is a transpose pair
        graph_def = graph.as_graph_def()
    inputs = np.arange(8, dtype=np.float32).reshape(2, 4)
    e = np.exp(inputs - inputs.max(axis=0))
    want = e / e.sum(axis=0)
    imported = []
    for given in (graph_def, tf.GraphDef.FromString(graph_def.SerializeToString())):
        with tf.Graph().as_default() as copy:
            tf.import_graph_def(given, name="")
            with tf.Session() as sess:
                np.testing.assert_allclose(sess.run("probs:0", {"x:0": inputs}), want, rtol=1e-6)
        imported.append({op.type for op in copy.get_operations()})
    # in process the op imports as written; from the bytes, as the TensorFlow ops that stand for it
    assert "Transpose" not in imported[0] and "Transpose" in imported[1]
    assert "Transpose" in {n.op for n in graph_def.node}


def test_an_edited_message_imports_its_edits():
    with tf.Graph().as_default() as graph:
        x = tf.placeholder(tf.float32, [2], name="x")
        tf.multiply(x, 3.0, name="out")
        graph_def = graph.as_graph_def()
    for node in graph_def.node:
        if node.name == "out":
            node.name = "tripled"
    with tf.Graph().as_default() as copy:
        tf.import_graph_def(graph_def, name="")
        assert "tripled" in {op.name for op in copy.get_operations()}
        assert "out" not in {op.name for op in copy.get_operations()}
        with tf.Session() as sess:
            np.testing.assert_allclose(sess.run("tripled:0", {"x:0": [1.0, 2.0]}), [3.0, 6.0])


def test_a_graph_with_a_loop_and_a_dataset_keeps_its_exact_form_and_freezes_to_tensorflows(tmp_path):
    """A while loop and a tf.data iterator have no TensorFlow GraphDef form: as_graph_def() is neuroflow's
    GraphDef, whose bytes import back exactly; the frozen inference part is TensorFlow's message."""
    with tf.Graph().as_default():
        features = tf.data.Dataset.from_tensor_slices(np.ones((4, 2), np.float32)).batch(2)
        batch = features.make_one_shot_iterator().get_next()
        x = tf.placeholder(tf.float32, [None, 2], name="x")
        w = tf.Variable([[1.0], [2.0]], name="w")
        tf.matmul(batch, w, name="train_out")   # the training input; inference feeds x
        _, total = tf.while_loop(lambda i, a: i < 3, lambda i, a: (i + 1, a + 1.0), [0, tf.constant(0.0)])
        tf.identity(total, name="count")
        tf.matmul(x, w, name="out")
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            whole = sess.graph.as_graph_def()
            frozen = tf.graph_util.convert_variables_to_constants(sess, whole, ["out"])
            looped = tf.graph_util.convert_variables_to_constants(sess, whole, ["count"])
    assert isinstance(whole, graph_io.GraphDef) and whole.skipped   # the iterator's ops
    assert run_from_bytes(whole, "count:0") == 3.0
    assert isinstance(frozen, tf.GraphDef)
    data = frozen.SerializeToString()
    assert not data.lstrip().startswith(b"{")
    assert {n.op for n in tf_protos.GraphDef.FromString(data).node} >= {"Placeholder", "MatMul", "Const"}
    np.testing.assert_allclose(run_from_bytes(data, "out:0", {"x:0": [[1.0, 1.0]]}), [[3.0]])
    assert isinstance(looped, graph_io.GraphDef)   # the loop keeps neuroflow's form, which imports exactly
    assert run_from_bytes(looped, "count:0") == 3.0


def test_the_message_feeds_export_meta_graph_and_tensorboard(tmp_path):
    with tf.Graph().as_default() as graph:
        x = tf.placeholder(tf.float32, [2], name="x")
        tf.multiply(x, 2.0, name="y")
        graph_def = graph.as_graph_def()
    tf.train.export_meta_graph(str(tmp_path / "m.meta"), graph_def=graph_def, graph=graph)
    with tf.Graph().as_default():
        tf.train.import_meta_graph(str(tmp_path / "m.meta"))
        with tf.Session() as sess:
            np.testing.assert_allclose(sess.run("y:0", {"x:0": [1.0, 2.0]}), [2.0, 4.0])
    pytest.importorskip("tensorboard", reason="reads the graph event with TensorBoard")
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    writer = tf.summary.FileWriter(str(tmp_path / "logs"))
    writer.add_graph(None, graph_def=graph_def)
    writer.close()
    accumulator = EventAccumulator(str(tmp_path / "logs"))
    accumulator.Reload()
    drawn = {n.name: n.op for n in accumulator.Graph().node}
    assert drawn["x"] == "Placeholder" and drawn["y"] == "Mul"


def test_the_example_freezes_and_runs_its_frozen_graph(tmp_path):
    import os
    import subprocess
    import sys
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    done = subprocess.run([sys.executable, os.path.join(root, "examples", "freeze_graph.py"), str(tmp_path)],
                          capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=root), timeout=300)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert float(lines[1].rsplit(" ", 1)[1]) > 0.9
    assert float(lines[2].rsplit(" ", 1)[1]) == 0.0
    assert {n.op for n in tf_protos.GraphDef.FromString((tmp_path / "frozen.pb").read_bytes()).node} == {
        "BiasAdd", "Const", "Identity", "MatMul", "Placeholder", "Relu", "Softmax"}
    if ANCHOR_PYTHON is not None:   # TensorFlow runs the file the example wrote
        out = run_tf("""
import sys
import numpy as np
v1 = tf.compat.v1
graph_def = v1.GraphDef()
graph_def.ParseFromString(open(sys.argv[1], "rb").read())
with v1.Graph().as_default():
    v1.import_graph_def(graph_def, name="")
    with v1.Session() as sess:
        print(sess.run("probs:0", {"x:0": np.ones((1, 4), np.float32)}).shape)
""", tmp_path / "frozen.pb")
        assert out.strip().splitlines()[-1] == "(1, 3)"


def test_graph_util_on_the_message_gives_messages_of_the_right_nodes():
    with tf.Graph().as_default() as graph:
        x = tf.placeholder(tf.float32, [2], name="x")
        a = tf.identity(x, name="a")
        b = tf.check_numerics(a, "bad", name="b")
        tf.multiply(b, 2.0, name="out")
        tf.add(x, 1.0, name="unused")
        graph_def = graph.as_graph_def()
    sub = tf.graph_util.extract_sub_graph(graph_def, ["out"])
    assert isinstance(sub, tf.GraphDef)
    assert [n.name for n in sub.node] == ["x", "a", "b", "out/y", "out"]
    lean = tf.graph_util.remove_training_nodes(graph_def, protected_nodes=["out"])
    assert isinstance(lean, tf.GraphDef)
    assert {n.name for n in lean.node} == {"x", "out/y", "out", "unused/y", "unused"}
    assert list(next(n for n in lean.node if n.name == "out").input) == ["x", "out/y"]
    np.testing.assert_allclose(run_from_bytes(lean, "out:0", {"x:0": [1.0, -2.0]}), [2.0, -4.0])


def test_a_graph_with_tf_nn_dropout_round_trips_through_its_bytes():
    """tf.nn.dropout's op `d/Dropout` has an input named `d/Dropout/keep_prob`: the TensorFlow form of the op
    must not add a helper node of that name (it did: two nodes of that name, "Duplicate node name" on import)."""
    with tf.Graph().as_default() as graph:
        x = tf.placeholder(tf.float32, [4, 6], name="x")
        tf.identity(tf.nn.dropout(x, rate=0.5, seed=1, name="d") * 2.0, name="out")
        data = graph.as_graph_def().SerializeToString()
    names = [n.name for n in tf_protos.GraphDef.FromString(data).node]
    assert len(names) == len(set(names))
    out = run_from_bytes(data, "out:0", {"x:0": np.ones((4, 6))})
    assert set(np.unique(out)) <= {0.0, 4.0} and 0 < np.count_nonzero(out) < out.size   # kept ones scaled by 2


def _same_values(want, got):
    want, got = np.asarray(want), np.asarray(got)
    if want.shape != got.shape or want.dtype != got.dtype:
        return False
    if want.dtype == object:
        return all(a == b for a, b in zip(want.ravel(), got.ravel()))
    return np.allclose(want, got, rtol=1e-5, atol=1e-6, equal_nan=True)


def _round_trip_through_bytes(sample, build):
    """Builds `build(placeholders)` (it returns tensor names) over placeholders "in<k>" fed `sample`, runs it, and
    runs the same names in the import of `graph.as_graph_def()`'s bytes. Returns (whether the def was TensorFlow's
    message, None or what went wrong)."""
    feed = {f"in{k}:0": a for k, a in enumerate(sample)}
    with tf.Graph().as_default() as graph:
        names = build([tf.placeholder(tf.as_dtype(a.dtype), a.shape, name=f"in{k}") for k, a in enumerate(sample)])
        with tf.Session() as sess:
            want = sess.run(names, feed)
        graph_def = graph.as_graph_def()
    try:
        got = run_from_bytes(graph_def, names, feed)
    except Exception as e:   # noqa: BLE001 - the caller collects every case's failure, all reported at once
        return isinstance(graph_def, tf.GraphDef), f"{type(e).__name__}: {str(e)[:200]}"
    same = all(_same_values(w, g) for w, g in zip(want, got))
    return isinstance(graph_def, tf.GraphDef), None if same else "values differ"


def _assert_every_graph_round_trips(cases):
    """`_round_trip_through_bytes` of each (label, sample, build) case: none fails (all failures are listed at
    once), and more than 90% of the graphs are written in TensorFlow's form."""
    failures, in_tf_form = [], 0
    for label, sample, build in cases:
        tf_form, failure = _round_trip_through_bytes(sample, build)
        in_tf_form += tf_form
        if failure:
            failures.append(f"{label}: {failure}")
    assert not failures, "\n".join(failures)
    assert in_tf_form > 0.9 * len(cases)


def test_every_op_table_graph_imports_back_from_as_graph_def_bytes_and_computes_the_same():
    """Graph.as_graph_def()'s bytes were neuroflow's JSON; now TensorFlow's form (for graphs that have one), which
    must import back into the same computation for every op the table covers."""
    from op_table_cases import FORWARD_CASES

    def outputs_of(row):
        return lambda inputs: [t.name for t in tf.nest.flatten(row.fn(*inputs)) if isinstance(t, tf.Tensor)]
    _assert_every_graph_round_trips([(f"{row.name}-{index}", row.samples[index], outputs_of(row))
                                     for row, index in FORWARD_CASES])


def test_every_op_table_gradient_graph_imports_back_from_as_graph_def_bytes_and_computes_the_same():
    """Training graphs hold the gradient ops (SumToShape, *Grad kernels, ...): their TensorFlow form must import
    back into the same gradients."""
    from op_table_cases import GRADIENT_CASES

    def gradients_of(case):
        def build(inputs):
            outputs = [t for t in tf.nest.flatten(case.row.fn(*inputs))
                       if isinstance(t, tf.Tensor) and t.dtype.is_floating]
            grads = tf.gradients(tf.add_n([tf.reduce_sum(t) for t in outputs]),
                                 [p for p, moved in zip(inputs, case.perturbed) if moved])
            return [tf.convert_to_tensor(g).name for g in grads if g is not None]
        return build
    _assert_every_graph_round_trips([(case.id, case.sample, gradients_of(case)) for case in GRADIENT_CASES])


def test_a_graph_with_a_py_func_stays_in_neuroflows_form_and_its_frozen_parts_import_back():
    with tf.Graph().as_default() as graph:
        x = tf.placeholder(tf.float32, [2], name="x")
        w = tf.Variable([3.0, 4.0], name="w")
        tf.identity(tf.py_func(lambda a: a + 1.0, [x * w], tf.float32), name="with_py")
        tf.identity(x * w, name="plain")
        with tf.Session() as sess:
            sess.run(w.initializer)
            whole = graph.as_graph_def()
            with_py = tf.graph_util.convert_variables_to_constants(sess, whole, ["with_py"])
            plain = tf.graph_util.convert_variables_to_constants(sess, whole, ["plain"])
        assert isinstance(whole, graph_io.GraphDef) and isinstance(with_py, graph_io.GraphDef)
        assert isinstance(plain, tf.GraphDef)
        with tf.Graph().as_default():   # in this process, where the py_func's function lives
            tf.import_graph_def(tf.GraphDef.FromString(with_py.SerializeToString()), name="")
            tf.import_graph_def(tf.GraphDef.FromString(plain.SerializeToString()), name="p")
            with tf.Session() as sess:
                got = sess.run(["with_py:0", "p/plain:0"], {"x:0": [1.0, 2.0], "p/x:0": [1.0, 2.0]})
    np.testing.assert_allclose(got[0], [4.0, 9.0])
    np.testing.assert_allclose(got[1], [3.0, 8.0])
