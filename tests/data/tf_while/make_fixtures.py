"""Writes the TensorFlow-made fixtures of tests/test_tf_while_import.py: frozen TF1 GraphDefs (control flow v1:
Enter/Merge/Switch/LoopCond/NextIteration/Exit frames) of (a) a counting and accumulating tf.while_loop bounded by
a placeholder, (b) nested while loops, (c) tf.nn.dynamic_rnn with an LSTM cell and sequence_length, (d) a GRU
dynamic_rnn, (e) a tf.cond inside a while loop and a loop inside a cond, map_fn/scan/foldl, a time-major
dynamic_rnn, a growing TensorArray, a TensorArray read in a cond inside a loop, (f) a training graph whose loop
gradient uses TF1's stacks, (g) the LSTM's checkpoint with its .meta and as a SavedModel, and (h) unfrozen graphs
whose loop body assigns to a (reference or resource) variable; TensorFlow's outputs for fixed inputs go to
predictions.npz. Run with the anchors' Python (TensorFlow installed):
    ~/.cache/neuroflow-anchors/bin/python tests/data/tf_while/make_fixtures.py
"""
import os

import numpy as np
import tensorflow as tf

v1 = tf.compat.v1
HERE = os.path.dirname(os.path.abspath(__file__))


def build_counting(rng):
    x = v1.placeholder(tf.float32, [None], name="x")
    n = v1.placeholder(tf.int32, [], name="n")
    scale = tf.constant(0.5, name="scale")

    def body(i, acc):
        return i + 1, acc * scale + x * tf.cast(i, tf.float32)
    count, total = v1.while_loop(lambda i, acc: i < n, body, [tf.constant(0), tf.zeros_like(x)], name="loop")
    v1.identity(count, name="count")
    v1.identity(total, name="total")
    capped = v1.while_loop(lambda k: k < 100, lambda k: k + 3, [n], maximum_iterations=4, name="capped")
    v1.identity(capped, name="capped_out")
    return ["count", "total", "capped_out"], {"x": rng.standard_normal([3]).astype(np.float32), "n": np.int32(5)}


def build_nested(rng):
    x = v1.placeholder(tf.float32, [2], name="x")
    n = v1.placeholder(tf.int32, [], name="n")

    def outer_body(i, acc):
        def inner_body(j, a):
            return j + 1, a + x * tf.cast(i * 10 + j, tf.float32)
        _, acc = v1.while_loop(lambda j, a: j < i, inner_body, [tf.constant(0), acc], name="inner")
        return i + 1, acc * 0.9
    _, total = v1.while_loop(lambda i, acc: i < n, outer_body, [tf.constant(0), tf.zeros_like(x)], name="outer")
    v1.identity(total, name="total")
    return ["total"], {"x": rng.standard_normal([2]).astype(np.float32), "n": np.int32(4)}


def _rnn(cell_class, rng):
    inputs = v1.placeholder(tf.float32, [None, 4, 3], name="inputs")
    lengths = v1.placeholder(tf.int32, [None], name="lengths")
    init = v1.random_normal_initializer(0.0, 0.5, seed=1)
    cell = cell_class(5, **({"initializer": init} if cell_class.__name__ == "LSTMCell" else
                            {"kernel_initializer": init,
                             "bias_initializer": v1.random_normal_initializer(0.0, 0.5, seed=2)}))
    outputs, state = v1.nn.dynamic_rnn(cell, inputs, sequence_length=lengths, dtype=tf.float32)
    v1.identity(outputs, name="outputs")
    names = ["outputs"]
    for k, s in enumerate(tf.nest.flatten(state)):
        v1.identity(s, name=f"state_{k}")
        names.append(f"state_{k}")
    feeds = {"inputs": rng.standard_normal([3, 4, 3]).astype(np.float32), "lengths": np.array([4, 2, 3], np.int32)}
    return names, feeds


def build_lstm(rng):
    from tensorflow.python.ops import rnn_cell_impl   # TF1's cells (tf_keras behind it)
    return _rnn(rnn_cell_impl.LSTMCell, rng)


def build_gru(rng):
    from tensorflow.python.ops import rnn_cell_impl
    return _rnn(rnn_cell_impl.GRUCell, rng)


def build_functional(rng):
    """tf.map_fn, tf.scan and tf.foldl: while loops over TensorArrays (unstacked input, stacked output)."""
    x = v1.placeholder(tf.float32, [None, 3], name="x")
    v1.identity(tf.map_fn(lambda row: tf.reduce_sum(row * row), x), name="squares")
    v1.identity(tf.scan(lambda acc, row: acc * 0.5 + row, x), name="decayed")
    v1.identity(tf.foldl(lambda acc, row: acc + row, x), name="summed")
    return ["squares", "decayed", "summed"], {"x": rng.standard_normal([4, 3]).astype(np.float32)}


def build_time_major(rng):
    inputs = v1.placeholder(tf.float32, [5, None, 3], name="inputs")
    from tensorflow.python.ops import rnn_cell_impl
    with v1.variable_scope("rnn", initializer=v1.random_normal_initializer(0.0, 0.5, seed=3)):
        outputs, state = v1.nn.dynamic_rnn(rnn_cell_impl.BasicRNNCell(4), inputs, time_major=True, dtype=tf.float32)
    v1.identity(outputs, name="outputs")
    v1.identity(state, name="state")
    return ["outputs", "state"], {"inputs": rng.standard_normal([5, 2, 3]).astype(np.float32)}


def build_tensor_arrays(rng):
    """A TensorArray that grows (dynamic_size) in a loop, then stacked, sized and concatenated."""
    n = v1.placeholder(tf.int32, [], name="n")
    x = v1.placeholder(tf.float32, [2], name="x")

    def body(i, array):
        return i + 1, array.write(i, x * tf.cast(i + 1, tf.float32))
    array = tf.TensorArray(tf.float32, size=0, dynamic_size=True, clear_after_read=False)
    _, array = v1.while_loop(lambda i, a: i < n, body, [0, array], name="grow")
    v1.identity(array.stack(), name="stacked")
    v1.identity(array.size(), name="size")
    v1.identity(array.concat(), name="joined")
    return ["stacked", "size", "joined"], {"n": np.int32(4), "x": rng.standard_normal([2]).astype(np.float32)}


def build_array_read_in_cond(rng):
    """A cond inside a loop that reads an unstacked TensorArray in one branch (its handle passes a cond Switch)."""
    x = v1.placeholder(tf.float32, [None, 2], name="x")
    rows = tf.TensorArray(tf.float32, size=tf.shape(x)[0]).unstack(x)

    def body(i, acc):
        picked = v1.cond(tf.equal(i % 2, 0), lambda: rows.read(i), lambda: acc * 0.5, name="pick")
        return i + 1, acc + picked
    _, total = v1.while_loop(lambda i, a: i < tf.shape(x)[0], body, [0, tf.zeros([2])], name="loop")
    v1.identity(total, name="total")
    return ["total"], {"x": rng.standard_normal([5, 2]).astype(np.float32)}


def build_while_in_cond(rng):
    x = v1.placeholder(tf.float32, [3], name="x")
    n = v1.placeholder(tf.int32, [], name="n")

    def doubled():
        return v1.while_loop(lambda i, a: i < n, lambda i, a: (i + 1, a * 2.0), [0, x], name="doubling")[1]
    v1.identity(v1.cond(n > 0, doubled, lambda: x - 1.0, name="maybe"), name="out")
    return ["out"], {"x": rng.standard_normal([3]).astype(np.float32), "n": np.int32(3)}


def build_cond_in_while(rng):
    x = v1.placeholder(tf.float32, [3], name="x")
    n = v1.placeholder(tf.int32, [], name="n")

    def body(i, acc):
        acc = v1.cond(tf.equal(i % 2, 0), lambda: acc + x, lambda: acc * 2.0 - 1.0, name="pick")
        return i + 1, acc
    _, total = v1.while_loop(lambda i, acc: i < n, body, [tf.constant(0), tf.zeros_like(x)], name="loop")
    v1.identity(total, name="total")
    return ["total"], {"x": rng.standard_normal([3]).astype(np.float32), "n": np.int32(5)}


def freeze(build, name, seed):
    graph = tf.Graph()
    with graph.as_default():
        outputs, feeds = build(np.random.default_rng(seed))
        with v1.Session() as sess:
            sess.run(v1.global_variables_initializer())
            # the GRU's graph records its nodes' shapes (`_output_shapes`), as some published graphs do
            frozen = v1.graph_util.convert_variables_to_constants(
                sess, graph.as_graph_def(add_shapes=name == "gru"), outputs)
            fetched = sess.run([o + ":0" for o in outputs], {k + ":0": v for k, v in feeds.items()})
    v1.io.write_graph(frozen, HERE, f"{name}_frozen.pb", as_text=False)
    arrays = {f"{name}/input/{k}": v for k, v in feeds.items()}
    arrays.update({f"{name}/{o}": v for o, v in zip(outputs, fetched)})
    arrays[f"{name}/outputs_list"] = np.array(outputs)
    return arrays


def empty_tensor_array_outputs():
    """TensorFlow's outputs of the frozen tensor_arrays graph when the loop writes nothing (n = 0)."""
    graph_def = v1.GraphDef()
    with open(os.path.join(HERE, "tensor_arrays_frozen.pb"), "rb") as f:
        graph_def.ParseFromString(f.read())
    with tf.Graph().as_default():
        v1.import_graph_def(graph_def, name="")
        with v1.Session() as sess:
            values = sess.run(["stacked:0", "size:0", "joined:0"], {"x:0": np.ones(2, np.float32), "n:0": 0})
    return {f"tensor_arrays_empty/{k}": v for k, v in zip(["stacked", "size", "joined"], values)}


def write_training_graph():
    """An unfrozen graph with a loop's gradient (TF1 keeps per-iteration values on StackV2 stacks)."""
    with tf.Graph().as_default() as graph:
        x = v1.placeholder(tf.float32, [3], name="x")
        w = v1.Variable(np.ones(3, np.float32), name="w", use_resource=False)
        _, y = v1.while_loop(lambda i, a: i < 3, lambda i, a: (i + 1, a * w), [0, x], name="loop")
        loss = tf.reduce_sum(y, name="loss")
        v1.train.GradientDescentOptimizer(0.1).minimize(loss, name="train")
    v1.io.write_graph(graph.as_graph_def(), HERE, "loop_training_graph.pb", as_text=False)


def write_stateful_graphs():
    """Unfrozen graphs whose loop body adds to a variable (reference and resource), with the variable's value
    after one and two runs of the loop, as TensorFlow computes them."""
    arrays = {}
    for kind in ("ref", "resource"):
        with tf.Graph().as_default() as graph:
            v = v1.Variable(1.0, name="v", use_resource=kind == "resource")

            def body(i):   # (TF's AssignAddVariableOp is not imported yet: the resource variable assigns a sum)
                update = v1.assign_add(v, 2.0) if kind == "ref" else v1.assign(v, v.read_value() + 2.0)
                with tf.control_dependencies([update]):
                    return i + 1
            count = v1.while_loop(lambda i: i < 3, body, [0], name="loop")
            with tf.control_dependencies([count]):
                v1.identity(v.read_value(), name="result")
            v1.identity(count, name="count")
            v1.variables_initializer([v], name="init")
            with v1.Session() as sess:
                sess.run("init")
                arrays[f"stateful_{kind}/first"] = sess.run("result:0")
                arrays[f"stateful_{kind}/second"] = sess.run("result:0")
        v1.io.write_graph(graph.as_graph_def(), HERE, f"stateful_{kind}_graph.pb", as_text=False)
    return arrays


def write_lstm_checkpoint_and_saved_model():
    """The LSTM dynamic_rnn unfrozen: a checkpoint with its .meta (lstm_ckpt/) and a SavedModel (lstm_saved_model/),
    and TensorFlow's outputs for their inputs."""
    import shutil
    with tf.Graph().as_default():
        outputs, feeds = build_lstm(np.random.default_rng(6))
        with v1.Session() as sess:
            sess.run(v1.global_variables_initializer())
            fetched = sess.run(outputs[0] + ":0", {k + ":0": v for k, v in feeds.items()})
            v1.train.Saver().save(sess, os.path.join(HERE, "lstm_ckpt", "model.ckpt"), write_state=False)
            export_dir = os.path.join(HERE, "lstm_saved_model")
            shutil.rmtree(export_dir, ignore_errors=True)
            graph = sess.graph
            v1.saved_model.simple_save(sess, export_dir, {k: graph.get_tensor_by_name(k + ":0") for k in feeds},
                                       {"outputs": graph.get_tensor_by_name("outputs:0")})
    arrays = {f"lstm_ckpt/input/{k}": v for k, v in feeds.items()}
    arrays["lstm_ckpt/outputs"] = fetched
    return arrays


def main():
    v1.disable_eager_execution()
    v1.disable_control_flow_v2()
    arrays = {}
    for name, build, seed in [("counting", build_counting, 1), ("nested", build_nested, 2), ("lstm", build_lstm, 3),
                              ("gru", build_gru, 4), ("cond_in_while", build_cond_in_while, 5),
                              ("functional", build_functional, 7), ("time_major", build_time_major, 8),
                              ("tensor_arrays", build_tensor_arrays, 9), ("while_in_cond", build_while_in_cond, 10),
                              ("array_read_in_cond", build_array_read_in_cond, 11)]:
        arrays.update(freeze(build, name, seed))
    arrays.update(empty_tensor_array_outputs())
    write_training_graph()
    arrays.update(write_lstm_checkpoint_and_saved_model())
    arrays.update(write_stateful_graphs())
    np.savez(os.path.join(HERE, "predictions.npz"), **arrays)
    with open(os.path.join(HERE, "tensorflow_version.txt"), "w") as f:
        f.write(tf.__version__ + "\n")


if __name__ == "__main__":
    main()
