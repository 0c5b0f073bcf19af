"""Control flow in saved graphs and exports: If/While nodes (their branches and bodies as sub-graphs) through a
GraphDef and a meta graph round trip, TensorBoard's graph, and ONNX If/Loop run in onnxruntime; each compared
with the graph that was saved, or with NumPy."""
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import neuroflow as tf

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(autouse=True)
def _fresh_graph():
    with tf.Graph().as_default() as graph:
        yield graph


def _cond_and_loop():
    """A cond on a training flag reading a variable, a while_loop accumulating, and their gradients."""
    x = tf.placeholder(tf.float32, [None], name="x")
    training = tf.placeholder_with_default(False, [], name="training")
    v = tf.Variable(2.0, name="v")
    y = tf.cond(training, lambda: x * v + 1.0, lambda: x - v, name="flag")
    _, acc = tf.while_loop(lambda i, a: i < 5, lambda i, a: (i + 1, a * 1.5 + tf.reduce_sum(x) * v),
                           [0, tf.constant(1.0)], name="loop")
    grads = tf.gradients(tf.reduce_sum(y) + acc, [x, v])
    return [y, acc] + grads


def _run(graph, names, feeds):
    with tf.Session(graph=graph) as sess:
        sess.run(graph.get_operation_by_name("v/Assign"))
        return sess.run([graph.get_tensor_by_name(n) for n in names], feeds)


@pytest.mark.parametrize("training", [True, False])
def test_graph_def_round_trip_keeps_cond_and_while_with_their_gradients(_fresh_graph, training):
    fetches = _cond_and_loop()
    graph_def = _fresh_graph.as_graph_def()
    assert graph_def.skipped == []
    types = {n.op for n in graph_def.node}
    assert {"If", "StatelessIf"} & types and {"While", "StatelessWhile"} & types
    feeds = {"x:0": np.array([1.0, 2.0], np.float32), "training:0": training}
    expected = _run(_fresh_graph, [t.name for t in fetches], feeds)
    copy = tf.Graph()
    with copy.as_default():
        tf.import_graph_def(tf.GraphDef.FromString(graph_def.SerializeToString()), name="")
    got = _run(copy, [t.name for t in fetches], feeds)
    for a, b in zip(got, expected):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    # against the unrolled values: y, and acc = 1.5^5 + sum(x) * v * (1.5^5 - 1) / 0.5
    x, v = feeds["x:0"], 2.0
    np.testing.assert_allclose(got[0], x * v + 1 if training else x - v, rtol=1e-6)
    np.testing.assert_allclose(got[1], 1.5 ** 5 + x.sum() * v * (1.5 ** 5 - 1) / 0.5, rtol=1e-5)


def test_import_under_a_prefix_and_differentiate_the_imported_loop(_fresh_graph):
    x = tf.placeholder(tf.float32, [], name="x")
    _, out = tf.while_loop(lambda i, a: i < 3, lambda i, a: (i + 1, a * x), [0, tf.constant(1.0)])
    graph_def = _fresh_graph.as_graph_def()
    copy = tf.Graph()
    with copy.as_default():
        x2, out2 = tf.import_graph_def(graph_def, return_elements=["x:0", out.name], name="imported")
        assert out2.name == "imported/" + out.name
        grad, = tf.gradients(out2, x2)   # the imported While is differentiable: its body is a sub-graph again
        with tf.Session() as sess:
            value, g = sess.run([out2, grad], {x2: 1.5})
    np.testing.assert_allclose([value, g], [1.5 ** 3, 3 * 1.5 ** 2], rtol=1e-6)


def test_only_the_taken_branch_runs_after_import(_fresh_graph):
    flag = tf.placeholder(tf.bool, [], name="flag")
    counter = tf.Variable(0, name="counter")
    out = tf.cond(flag, lambda: tf.assign_add(counter, 1), lambda: tf.identity(counter), name="maybe_count")
    graph_def = _fresh_graph.as_graph_def()
    copy = tf.Graph()
    with copy.as_default():
        tf.import_graph_def(graph_def, name="")
        with tf.Session() as sess:
            sess.run("counter/Assign")
            values = [sess.run(out.name, {"flag:0": f}) for f in (True, False, True, False)]
    assert values == [1, 1, 2, 2]


def test_meta_graph_with_a_training_flag_cond_reloads_in_a_fresh_process(_fresh_graph, tmp_path):
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    t = tf.placeholder(tf.float32, [None], name="t")
    training = tf.placeholder_with_default(False, [], name="training")
    w = tf.Variable(np.array([0.5, -0.25, 0.125], np.float32), name="w")
    h = tf.reduce_sum(x * w, axis=1)
    noisy = tf.cond(training, lambda: h * 0.5, lambda: h, name="dropout_like")
    pred = tf.identity(noisy, name="pred")
    loss = tf.reduce_mean(tf.square(pred - t), name="loss")
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    tf.add_to_collection("train_op", train)
    X = np.arange(12, dtype=np.float32).reshape(4, 3) / 10
    T = np.array([1.0, 0.0, -1.0, 0.5], np.float32)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train, {x: X, t: T, training: True})
        prefix = tf.train.Saver().save(sess, str(tmp_path / "model.ckpt"))
        sess.run(train, {x: X, t: T, training: True})
        expected = [sess.run(pred, {x: X}), sess.run(pred, {x: X, training: True})]
    np.save(tmp_path / "x.npy", X)
    np.save(tmp_path / "t.npy", T)
    script = textwrap.dedent(f"""
        import numpy as np
        import neuroflow as tf
        d = {str(tmp_path)!r}
        saver = tf.train.import_meta_graph({prefix + ".meta"!r})
        X, T = np.load(d + "/x.npy"), np.load(d + "/t.npy")
        with tf.Session() as sess:
            saver.restore(sess, {prefix!r})
            sess.run(tf.get_collection("train_op")[0], {{"x:0": X, "t:0": T, "training:0": True}})
            np.save(d + "/eval.npy", sess.run("pred:0", {{"x:0": X}}))
            np.save(d + "/train.npy", sess.run("pred:0", {{"x:0": X, "training:0": True}}))
    """)
    env = dict(os.environ, PYTHONPATH=ROOT)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    np.testing.assert_allclose(np.load(tmp_path / "eval.npy"), expected[0], rtol=1e-6)
    np.testing.assert_allclose(np.load(tmp_path / "train.npy"), expected[1], rtol=1e-6)
    np.testing.assert_allclose(expected[1], expected[0] * 0.5, rtol=1e-6)


def test_meta_graph_export_scope_and_import_scope_rename_inside_branches(_fresh_graph):
    with tf.name_scope("model"):
        x = tf.placeholder(tf.float32, [], name="x")
        flag = tf.placeholder(tf.bool, [], name="flag")
        v = tf.Variable(3.0, name="v")   # read inside a branch by name: renamed there too, or not found
        out = tf.cond(flag, lambda: x * tf.assign_add(v, 0.0), lambda: x - 1.0, name="pick")
        _, looped = tf.while_loop(lambda i, a: i < 4, lambda i, a: (i + 1, a + x), [0, out], name="loop")
    meta = tf.train.export_meta_graph(export_scope="model", clear_devices=True)
    assert looped.name.startswith("model/")
    copy = tf.Graph()
    with copy.as_default():
        tf.train.import_meta_graph(meta, import_scope="again")
        with tf.Session() as sess:
            sess.run("again/v/Assign")
            got = [sess.run("again/" + looped.name[len("model/"):], {"again/x:0": 2.0, "again/flag:0": f})
                   for f in (True, False)]
    np.testing.assert_allclose(got, [2.0 * 3 + 4 * 2.0, 2.0 - 1 + 4 * 2.0])


def test_tensorboard_graph_draws_branches_and_loop_bodies_as_groups(_fresh_graph, tmp_path):
    pytest.importorskip("tensorboard", reason="reads the graph with TensorBoard (pip install neuroflow[tensorboard])")
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    fetches = _cond_and_loop()
    writer = tf.summary.FileWriter(str(tmp_path), _fresh_graph)
    writer.close()
    accumulator = EventAccumulator(str(tmp_path))
    accumulator.Reload()
    nodes = {n.name: n for n in accumulator.Graph().node}
    assert len(nodes) == len(accumulator.Graph().node)   # names unique: a captured variable is renamed too
    for node in nodes.values():   # every edge TensorBoard draws ends at a node it has
        for name in node.input:
            assert name.lstrip("^").split(":")[0] in nodes, (node.name, name)
    assert nodes["flag"].op in ("If", "StatelessIf")
    then_ops = {n.op for name, n in nodes.items() if name.startswith("flag/then_branch/")}
    else_ops = {n.op for name, n in nodes.items() if name.startswith("flag/else_branch/")}
    assert {"Mul", "AddV2"} <= then_ops and "Sub" in else_ops and "Mul" not in else_ops
    body = [n for name, n in nodes.items() if name.startswith("loop/body/")]
    assert {"Mul", "Sum"} <= {n.op for n in body}
    assert any(name.startswith("loop/cond/") and n.op == "Less" for name, n in nodes.items())
    # the value x enters the branch as an edge from the placeholder x
    assert any("x" in n.input for name, n in nodes.items() if name.startswith("flag/then_branch/"))
    # the gradient's own If and While are drawn with their sub-graphs as well
    grad_groups = {name.split("/then_branch/")[0] for name in nodes if "gradients" in name and "/then_branch/" in name}
    assert grad_groups


def test_tensorboard_draws_the_same_groups_from_a_saved_graph_def(_fresh_graph, tmp_path):
    pytest.importorskip("tensorboard", reason="reads the graph with TensorBoard (pip install neuroflow[tensorboard])")
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    _cond_and_loop()
    names = []
    for k, graph_or_def in enumerate([_fresh_graph, _fresh_graph.as_graph_def(add_shapes=False)]):
        writer = tf.summary.FileWriter(str(tmp_path / str(k)))
        writer.add_graph(graph_or_def) if k == 0 else writer.add_graph(None, graph_def=graph_or_def)
        writer.close()
        accumulator = EventAccumulator(str(tmp_path / str(k)))
        accumulator.Reload()
        names.append(sorted((n.name, n.op, tuple(n.input)) for n in accumulator.Graph().node))
    assert names[0] == names[1]


# --- ONNX ---------------------------------------------------------------------------------------------------------
def _onnx_matches(sess, inputs, outputs, feeds_list, reference=True):
    """Exports, runs in onnxruntime (and onnx's reference evaluator), and compares with neuroflow's outputs."""
    ort = pytest.importorskip("onnxruntime")
    from onnx.reference import ReferenceEvaluator
    model = tf.onnx.export(sess, inputs, outputs)
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    names = [i.name for i in model.graph.input]
    for feeds in feeds_list:
        expected = sess.run(outputs, dict(zip(inputs, feeds)))
        onnx_feeds = dict(zip(names, [np.asarray(f) for f in feeds]))
        runs = [session.run(None, onnx_feeds)]
        if reference:
            runs.append(ReferenceEvaluator(model).run(None, onnx_feeds))
        for got in runs:
            for g, e in zip(got, expected):
                np.testing.assert_allclose(g, e, rtol=1e-5, atol=1e-6)
    return model


def test_onnx_if_runs_the_taken_branch_with_variables_and_constants(rng):
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    flag = tf.placeholder(tf.bool, [], name="flag")
    w = tf.Variable(rng.standard_normal((3, 2)).astype(np.float32), name="w")
    y = tf.cond(flag, lambda: tf.nn.relu(tf.matmul(x, w)) + 1.0,
                lambda: (tf.reduce_sum(x, axis=1, keepdims=True) * tf.constant([[2.0, -3.0]])), name="pick")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        data = rng.standard_normal((4, 3)).astype(np.float32)
        model = _onnx_matches(sess, [x, flag], [y], [(data, True), (data, False), (data[:1], np.bool_(True))])
    assert [n.op_type for n in model.graph.node].count("If") == 1


def test_onnx_if_nested_and_with_several_outputs(rng):
    x = tf.placeholder(tf.float32, [None], name="x")
    a = tf.placeholder(tf.bool, [], name="a")
    b = tf.placeholder(tf.bool, [], name="b")
    s, p = tf.cond(a, lambda: tf.cond(b, lambda: (x + 1.0, x * 2.0), lambda: (x - 1.0, x * 3.0)),
                   lambda: (tf.square(x), tf.Print(x, [x], "print passes through: ")))
    with tf.Session() as sess:
        data = rng.standard_normal(5).astype(np.float32)
        _onnx_matches(sess, [x, a, b], [s, p], [(data, np.bool_(u), np.bool_(v)) for u in (0, 1) for v in (0, 1)])


def test_onnx_loop_counter_and_recurrence(rng):
    x = tf.placeholder(tf.float32, [None, 4], name="x")
    steps = tf.placeholder(tf.int32, [], name="steps")
    w = tf.Variable(rng.standard_normal((4, 4)).astype(np.float32) * 0.5, name="w")

    def body(i, h):
        return i + 1, tf.tanh(tf.matmul(h, w) + x)
    count, h = tf.while_loop(lambda i, h: i < steps, body, [tf.constant(0), tf.zeros_like(x)], name="rnn")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        data = rng.standard_normal((3, 4)).astype(np.float32)
        model = _onnx_matches(sess, [x, steps], [count, h], [(data, np.int32(k)) for k in (0, 1, 5)])
        # against the unrolled recurrence
        h_ref, w_value = np.zeros((3, 4), np.float32), sess.run(w)
        for _ in range(5):
            h_ref = np.tanh(h_ref @ w_value + data)
        np.testing.assert_allclose(sess.run(h, {x: data, steps: 5}), h_ref, rtol=1e-5, atol=1e-6)
    assert "Loop" in [n.op_type for n in model.graph.node]


def test_onnx_loop_with_maximum_iterations_and_a_shape_that_grows(rng):
    n = tf.placeholder(tf.int32, [], name="n")
    _, grown = tf.while_loop(lambda i, v: i < n, lambda i, v: (i + 1, tf.concat([v, v[-1:] * 2.0], 0)),
                             [0, tf.ones([1])], shape_invariants=[tf.TensorShape([]), tf.TensorShape([None])],
                             maximum_iterations=6)
    with tf.Session() as sess:
        _onnx_matches(sess, [n], [grown], [(np.int32(k),) for k in (0, 3, 10)])
        np.testing.assert_allclose(sess.run(grown, {n: 10}), 2.0 ** np.arange(7))


def test_onnx_identity_n_of_custom_gradient(rng):
    @tf.custom_gradient
    def clipped(v):
        return tf.identity(v * 2.0), lambda dy: tf.clip_by_value(dy, -1.0, 1.0)
    x = tf.placeholder(tf.float32, [None], name="x")
    y = clipped(x) + 1.0
    with tf.Session() as sess:
        _onnx_matches(sess, [x], [y], [(rng.standard_normal(4).astype(np.float32),)])


def test_onnx_map_fn_and_scan_through_sequences(rng):
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    squares = tf.map_fn(lambda r: tf.reduce_sum(r * r), x)
    running = tf.scan(lambda acc, r: acc * 0.5 + r, x)
    with tf.Session() as sess:
        feeds = [(rng.standard_normal((k, 3)).astype(np.float32),) for k in (1, 4, 7)]
        # onnx 1.x's reference SequenceInsert divides by the length (fails on an empty sequence): onnxruntime only
        model = _onnx_matches(sess, [x], [squares, running], feeds, reference=False)
        data = feeds[1][0]
        np.testing.assert_allclose(sess.run(squares, {x: data}), (data ** 2).sum(1), rtol=1e-5)
    types = {n.op_type for g in [model.graph] + [a.g for n in model.graph.node for a in n.attribute if a.g.node]
             for n in g.node}
    assert {"Loop", "SplitToSequence", "ConcatFromSequence", "SequenceInsert", "SequenceAt"} <= types


def test_onnx_dynamic_rnn_over_a_time_dimension_known_only_at_run_time(rng):
    x = tf.placeholder(tf.float32, [None, None, 3], name="x")
    out, state = tf.nn.dynamic_rnn(tf.nn.rnn_cell.GRUCell(4), x, dtype=tf.float32)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        _onnx_matches(sess, [x], [out, state], [(rng.standard_normal((2, t, 3)).astype(np.float32),) for t in (1, 5)],
                      reference=False)


def test_onnx_tensor_array_written_out_of_order_is_refused_at_run_time_not_miscomputed(rng):
    ort = pytest.importorskip("onnxruntime")
    n = tf.placeholder(tf.int32, [], name="n")
    ta = tf.TensorArray(tf.float32, size=n)
    _, ta = tf.while_loop(lambda i, ta: i < n, lambda i, ta: (i + 1, ta.write(n - 1 - i, tf.cast(i, tf.float32))),
                          [0, ta])
    stacked = ta.stack()
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(stacked, {n: 3}), [2.0, 1.0, 0.0])
        model = tf.onnx.export(sess, [n], [stacked])
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    np.testing.assert_array_equal(session.run(None, {"n": np.array(1, np.int32)})[0], [0.0])   # in order: index 0 only
    with pytest.raises(Exception, match="Invalid sequence index"):
        session.run(None, {"n": np.array(3, np.int32)})


def test_frozen_graph_with_cond_and_while_imports_and_runs(_fresh_graph):
    x = tf.placeholder(tf.float32, [None], name="x")
    training = tf.placeholder_with_default(False, [], name="training")
    v = tf.Variable(2.0, name="v")
    y = tf.cond(training, lambda: x * v + 1.0, lambda: x - v)
    _, acc = tf.while_loop(lambda i, a: i < 3, lambda i, a: (i + 1, a * v + tf.reduce_sum(x)), [0, tf.constant(1.0)])
    out = tf.identity(y + acc, name="out")
    feeds = {"x:0": np.array([1.0, 2.0], np.float32), "training:0": True}
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        frozen = tf.graph_util.convert_variables_to_constants(sess, sess.graph.as_graph_def(), ["out"])
        want = sess.run(out, feeds)
    assert "VariableV2" not in {n.op for n in frozen.node}
    with tf.Graph().as_default():
        tf.import_graph_def(frozen, name="")
        with tf.Session() as sess:
            got = sess.run("out:0", feeds)
    acc_ref = 1.0
    for _ in range(3):
        acc_ref = acc_ref * 2.0 + 3.0
    np.testing.assert_allclose(got, want)
    np.testing.assert_allclose(got, np.array([1.0, 2.0]) * 2.0 + 1.0 + acc_ref)


def test_a_branch_holding_an_unwritable_op_skips_the_cond_and_names_why(_fresh_graph):
    x = tf.placeholder(tf.float32, [], name="x")
    tf.cond(x > 0, lambda: tf.cast(tf.data.Dataset.range(3).make_one_shot_iterator().get_next(), tf.float32),
            lambda: x, name="pick")
    skipped = _fresh_graph.as_graph_def().skipped
    assert [s["name"] for s in skipped] == ["pick"]
    assert "sub-graph holds op 'pick/OneShotIterator'" in skipped[0]["reason"]


def test_a_malformed_sub_graph_is_refused_when_parsing(_fresh_graph):
    x = tf.placeholder(tf.float32, [], name="x")
    tf.cond(x > 0, lambda: x + 1.0, lambda: x, name="pick")
    text = _fresh_graph.as_graph_def().SerializeToString().decode()
    broken = text.replace('"positions":[', '"positions":["first",', 1)
    with pytest.raises(ValueError, match="Malformed sub-graph"):
        tf.GraphDef.FromString(broken.encode())
    renamed = text.replace('"outputs":["pick/add:0"]', '"outputs":["pick/nothing:0"]', 1)
    assert renamed != text
    with pytest.raises(ValueError, match="unknown tensor 'pick/nothing:0'"):
        tf.import_graph_def(tf.GraphDef.FromString(renamed.encode()), name="copy")


def test_nested_loops_and_a_loop_in_a_branch_round_trip_and_export(_fresh_graph, rng):
    x = tf.placeholder(tf.float32, [None], name="x")
    flag = tf.placeholder(tf.bool, [], name="flag")

    def inner(v):   # v * 2^3 by a loop
        return tf.while_loop(lambda j, u: j < 3, lambda j, u: (j + 1, u * 2.0), [0, v])[1]
    _, nested = tf.while_loop(lambda i, v: i < 2, lambda i, v: (i + 1, inner(v) + 1.0), [0, x])
    branched = tf.cond(flag, lambda: inner(x), lambda: -x)
    data = rng.standard_normal(3).astype(np.float32)
    with tf.Session() as sess:
        for f in (True, False):
            got_nested, got_branched = sess.run([nested, branched], {x: data, flag: f})
            np.testing.assert_allclose(got_nested, (data * 8 + 1) * 8 + 1, rtol=1e-6)
            np.testing.assert_allclose(got_branched, data * 8 if f else -data, rtol=1e-6)
        _onnx_matches(sess, [x, flag], [nested, branched], [(data, np.bool_(True)), (data, np.bool_(False))])
    copy = tf.Graph()
    with copy.as_default():
        tf.import_graph_def(_fresh_graph.as_graph_def(), name="")
        with tf.Session() as sess:
            got = sess.run([nested.name, branched.name], {"x:0": data, "flag:0": True})
    np.testing.assert_allclose(got[0], (data * 8 + 1) * 8 + 1, rtol=1e-6)
    np.testing.assert_allclose(got[1], data * 8, rtol=1e-6)


def test_onnx_fused_lstm_with_a_run_time_length_and_sequence_length(rng):
    x = tf.placeholder(tf.float32, [None, None, 3], name="x")
    lengths = tf.placeholder(tf.int32, [None], name="lengths")
    out, state = tf.nn.dynamic_rnn(tf.nn.rnn_cell.LSTMCell(4), x, sequence_length=lengths, dtype=tf.float32)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        feeds = [(rng.standard_normal((3, 6, 3)).astype(np.float32), np.array([2, 1, 0], np.int32)),
                 (rng.standard_normal((3, 6, 3)).astype(np.float32), np.array([6, 3, 1], np.int32)),
                 (rng.standard_normal((2, 1, 3)).astype(np.float32), np.array([1, 1], np.int32))]
        # (state.c would need the per-step cell states, which ONNX's LSTM does not output: not exportable here)
        _onnx_matches(sess, [x, lengths], [out, state.h], feeds)
        got = sess.run(out, {x: feeds[0][0], lengths: feeds[0][1]})
    assert not got[0, 2:].any() and got[0, :2].all()   # zeros past each length


def test_meta_graph_of_a_gru_trained_through_its_loop_reloads_and_trains_on(_fresh_graph, tmp_path, rng):
    """dynamic_rnn over a run-time length: a While with TensorArrays, and its gradient loop with stacked values."""
    x = tf.placeholder(tf.float32, [None, None, 2], name="x")
    t = tf.placeholder(tf.float32, [None], name="t")
    with tf.variable_scope("rnn_model"):
        _, state = tf.nn.dynamic_rnn(tf.nn.rnn_cell.GRUCell(3), x, dtype=tf.float32)
        pred = tf.identity(tf.layers.dense(state, 1)[:, 0], name="pred")
    loss = tf.reduce_mean(tf.square(pred - t))
    train = tf.train.AdamOptimizer(0.05).minimize(loss)
    tf.add_to_collection("train_op", train)
    X = rng.standard_normal((4, 5, 2)).astype(np.float32)
    T = X.sum(axis=(1, 2))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train, {x: X, t: T})
        prefix = tf.train.Saver().save(sess, str(tmp_path / "model.ckpt"))
        sess.run(train, {x: X, t: T})
        expected = sess.run(pred, {x: X})
    np.save(tmp_path / "x.npy", X)
    np.save(tmp_path / "t.npy", T)
    script = textwrap.dedent(f"""
        import numpy as np
        import neuroflow as tf
        d = {str(tmp_path)!r}
        saver = tf.train.import_meta_graph({prefix + ".meta"!r})
        X, T = np.load(d + "/x.npy"), np.load(d + "/t.npy")
        with tf.Session() as sess:
            saver.restore(sess, {prefix!r})
            sess.run(tf.get_collection("train_op")[0], {{"x:0": X, "t:0": T}})
            np.save(d + "/pred.npy", sess.run("rnn_model/pred:0", {{"x:0": X}}))
    """)
    env = dict(os.environ, PYTHONPATH=ROOT)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    np.testing.assert_allclose(np.load(tmp_path / "pred.npy"), expected, rtol=1e-5, atol=1e-6)


def test_onnx_loop_with_a_trip_count_and_if_written_by_hand_import_as_while_loop_and_cond():
    pytest.importorskip("onnx")
    from onnx import TensorProto, helper
    body = helper.make_graph(
        [helper.make_node("Identity", ["cond_in"], ["cond_out"]),
         helper.make_node("Cast", ["i"], ["i_float"], to=TensorProto.FLOAT),
         helper.make_node("Add", ["acc_in", "i_float"], ["acc_sum"]),
         helper.make_node("Mul", ["acc_sum", "scale"], ["acc_out"])],
        "body", [helper.make_tensor_value_info("i", TensorProto.INT64, []),
                 helper.make_tensor_value_info("cond_in", TensorProto.BOOL, []),
                 helper.make_tensor_value_info("acc_in", TensorProto.FLOAT, [2])],
        [helper.make_tensor_value_info("cond_out", TensorProto.BOOL, []),
         helper.make_tensor_value_info("acc_out", TensorProto.FLOAT, [2])])
    then_g = helper.make_graph([helper.make_node("Neg", ["looped"], ["t"])], "then", [],
                               [helper.make_tensor_value_info("t", TensorProto.FLOAT, [2])])
    else_g = helper.make_graph([helper.make_node("Identity", ["looped"], ["e"])], "else", [],
                               [helper.make_tensor_value_info("e", TensorProto.FLOAT, [2])])
    graph = helper.make_graph(
        [helper.make_node("Loop", ["trips", "", "start"], ["looped"], body=body),
         helper.make_node("If", ["flip"], ["out"], then_branch=then_g, else_branch=else_g)],
        "hand", [helper.make_tensor_value_info("trips", TensorProto.INT64, []),
                 helper.make_tensor_value_info("start", TensorProto.FLOAT, [2]),
                 helper.make_tensor_value_info("scale", TensorProto.FLOAT, []),
                 helper.make_tensor_value_info("flip", TensorProto.BOOL, [])],
        [helper.make_tensor_value_info("out", TensorProto.FLOAT, [2])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    inputs, outputs = tf.onnx.from_onnx(model)
    with tf.Session() as sess:
        for trips, flip in ((0, False), (4, True)):
            got = sess.run(outputs["out"], {inputs["trips"]: trips, inputs["start"]: [1.0, -2.0],
                                            inputs["scale"]: 0.5, inputs["flip"]: flip})
            want = np.array([1.0, -2.0])
            for i in range(trips):
                want = (want + i) * 0.5
            np.testing.assert_allclose(got, -want if flip else want, rtol=1e-6)


def test_onnx_a_cond_on_a_training_flag_left_at_its_default_exports_only_the_inference_branch(rng):
    x = tf.placeholder(tf.float32, [None, 4], name="x")
    training = tf.placeholder_with_default(False, [], name="training")
    h = tf.layers.dense(x, 3)
    y = tf.cond(training, lambda: tf.nn.dropout(h, 0.5), lambda: h * 1.0)   # the dropout has no ONNX form here
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        model = _onnx_matches(sess, [x], [y], [(rng.standard_normal((2, 4)).astype(np.float32),)])
    assert "If" not in {n.op_type for n in model.graph.node}
