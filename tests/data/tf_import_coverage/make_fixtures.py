"""Writes the TensorFlow-made graphs that tests/test_tf_import_coverage.py imports: for each TF1 optimizer, a model
with resource variables (use_resource=True: ReadVariableOp, ResourceGather of an embedding, ResourceApply*,
ResourceSparseApply* / ResourceScatterAdd for the embedding's sparse gradient) saved as checkpoint + .meta right
after initialization, with TensorFlow's predictions after two training steps; and a graph of the resource-variable
updates outside optimizers (assign_add, assign_sub, scatter_update/add/sub) with TensorFlow's values; a
frozen bidirectional_dynamic_rnn with sequence lengths (ReverseSequence inside), and tf.reverse_sequence's values and
gradients on several axes (reverse_sequence.npz); a frozen graph whose reductions take axes TensorFlow computes as
Range(0, Rank(x), 1) (inputs of unknown rank, tf.compat.v1.losses, the rank of another tensor), with its outputs;
a parsing serving graph (tf.compat.v1.parse_example, which writes ParseExampleV2, and TF1's ParseExample op) with
serialized tf.train.Examples and TensorFlow's parsed values; a frozen raw_rnn (a loop_fn with a cond and
reduce_all over the finished flags) with its outputs.

Run with the anchors' TensorFlow, from anywhere:
    ~/.cache/neuroflow-anchors/bin/python tests/data/tf_import_coverage/make_fixtures.py
"""
import os
import shutil

import numpy as np
import tensorflow as tf

v1 = tf.compat.v1
v1.disable_v2_behavior()

HERE = os.path.dirname(os.path.abspath(__file__))
OPTIMIZERS = {
    "gradient_descent": lambda: v1.train.GradientDescentOptimizer(0.3),
    "momentum": lambda: v1.train.MomentumOptimizer(0.2, 0.9),
    "nesterov": lambda: v1.train.MomentumOptimizer(0.2, 0.9, use_nesterov=True),
    "adam": lambda: v1.train.AdamOptimizer(0.05),
    "adagrad": lambda: v1.train.AdagradOptimizer(0.3),
    "rmsprop": lambda: v1.train.RMSPropOptimizer(0.05, momentum=0.5),
    "centered_rmsprop": lambda: v1.train.RMSPropOptimizer(0.05, centered=True),
    "adadelta": lambda: v1.train.AdadeltaOptimizer(1.0, rho=0.9),
}


def build_model():
    """ids [batch, 2] -> a 7x3 embedding -> dense relu (4) -> logits (3); resource variables throughout."""
    ids = v1.placeholder(tf.int32, [None, 2], name="ids")
    with v1.variable_scope("model", use_resource=True):
        table = v1.get_variable("embedding", [7, 3], initializer=v1.random_normal_initializer(seed=1))
        w1 = v1.get_variable("w1", [6, 4], initializer=v1.glorot_uniform_initializer(seed=2))
        b1 = v1.get_variable("b1", [4], initializer=v1.constant_initializer(0.1))
        w2 = v1.get_variable("w2", [4, 3], initializer=v1.glorot_uniform_initializer(seed=3))
    features = tf.reshape(tf.nn.embedding_lookup(table, ids), [-1, 6])
    logits = tf.matmul(tf.nn.relu(tf.matmul(features, w1) + b1), w2)
    return ids, tf.nn.softmax(logits, name="probs"), logits


def write_optimizer(kind, inputs, labels):
    out = os.path.join(HERE, kind)
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    graph = tf.Graph()
    with graph.as_default():
        ids, probs, logits = build_model()
        y = v1.placeholder(tf.int32, [None], name="y")
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
        train_op = OPTIMIZERS[kind]().minimize(loss)
        v1.add_to_collection("train_op", train_op)
        saver = v1.train.Saver(save_relative_paths=True)
        with v1.Session(graph=graph) as sess:
            sess.run(v1.global_variables_initializer())
            saver.save(sess, os.path.join(out, "model.ckpt"))
            for _ in range(2):
                sess.run(train_op, {ids: inputs, y: labels})
            np.save(os.path.join(out, "probs_after_2_steps.npy"), sess.run(probs, {ids: inputs}))
        ops = sorted({op.type for op in graph.get_operations()})
    with open(os.path.join(out, "op_types.txt"), "w") as f:
        f.write("\n".join(ops) + "\n")


def write_variable_updates():
    """assign_add / assign_sub / scatter_update / scatter_add / scatter_sub of resource variables, grouped in
    'update'; the variables' values after running it twice."""
    out = os.path.join(HERE, "variable_updates")
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    graph = tf.Graph()
    with graph.as_default():
        with v1.variable_scope("v", use_resource=True):
            counter = v1.get_variable("counter", [2], initializer=v1.constant_initializer([1.0, 2.0]))
            table = v1.get_variable("table", [4, 2], initializer=v1.constant_initializer(np.arange(8.0)))
            other = v1.get_variable("other", [3], initializer=v1.constant_initializer(10.0))
        delta = v1.placeholder(tf.float32, [2], name="delta")
        update = tf.group(counter.assign_add(delta), other.assign_sub([1.0, 2.0, 3.0]),
                          v1.scatter_update(table, [3, 0], [[-1.0, -2.0], [5.0, 6.0]]),
                          v1.scatter_add(table, [1, 1], [[0.5, 0.5], [1.0, 1.0]]),
                          v1.scatter_sub(other, [2], [0.25]), name="update")
        gathered = tf.identity(tf.gather(table, [1, 3]), name="gathered")
        with v1.Session(graph=graph) as sess:
            sess.run(v1.global_variables_initializer())
            v1.train.export_meta_graph(os.path.join(out, "graph.meta"))
            for step in range(2):
                sess.run(update, {delta: [0.5, -1.5]})
            values = sess.run({"counter": counter, "table": table, "other": other, "gathered": gathered})
        ops = sorted({op.type for op in graph.get_operations()})
    np.savez(os.path.join(out, "values_after_2_runs.npz"), **values)
    with open(os.path.join(out, "op_types.txt"), "w") as f:
        f.write("\n".join(ops) + "\n")


def write_bidirectional_rnn():
    """A frozen GRU/LSTM bidirectional_dynamic_rnn over [batch, time, 3] with sequence lengths; its outputs."""
    from tensorflow.python.ops import rnn_cell_impl   # TF1's cells
    rng = np.random.RandomState(5)
    inputs, lengths = rng.randn(3, 5, 3).astype(np.float32), np.array([5, 2, 0], np.int32)
    graph = tf.Graph()
    with graph.as_default():
        x = v1.placeholder(tf.float32, [None, 5, 3], name="x")
        n = v1.placeholder(tf.int32, [None], name="lengths")
        v1.set_random_seed(7)
        (fw, bw), _ = v1.nn.bidirectional_dynamic_rnn(rnn_cell_impl.GRUCell(4), rnn_cell_impl.LSTMCell(2), x,
                                                      sequence_length=n, dtype=tf.float32)
        tf.concat([fw, bw], 2, name="outputs")
        with v1.Session(graph=graph) as sess:
            sess.run(v1.global_variables_initializer())
            outputs = sess.run("outputs:0", {x: inputs, n: lengths})
            frozen = v1.graph_util.convert_variables_to_constants(sess, graph.as_graph_def(), ["outputs"])
    with open(os.path.join(HERE, "bidirectional_rnn_frozen.pb"), "wb") as f:
        f.write(frozen.SerializeToString())
    np.savez(os.path.join(HERE, "bidirectional_rnn.npz"), inputs=inputs, lengths=lengths, outputs=outputs)


def write_reverse_sequence():
    """tf.reverse_sequence of a [2, 4, 3] tensor along (seq, batch) axes (1, 0), (0, 1), (2, 0), int32 and int64
    lengths, and the gradient of sum(result * weights)."""
    rng = np.random.RandomState(6)
    x_value = rng.randn(2, 4, 3).astype(np.float32)
    weights = rng.randn(2, 4, 3).astype(np.float32)
    cases = {"s1b0": (1, 0, np.array([3, 0], np.int32)), "s0b1": (0, 1, np.array([2, 1, 0, 2], np.int64)),
             "s2b0": (2, 0, np.array([2, 3], np.int64)), "s1b2": (1, 2, np.array([4, 1, 2], np.int32))}
    out = {"x": x_value, "weights": weights}
    graph = tf.Graph()
    with graph.as_default(), v1.Session(graph=graph) as sess:
        x = tf.constant(x_value)
        for key, (seq, batch, lengths) in cases.items():
            y = tf.reverse_sequence(x, lengths, seq_axis=seq, batch_axis=batch)
            out[key + "_lengths"] = lengths
            out[key], out[key + "_grad"] = sess.run([y, tf.gradients(tf.reduce_sum(y * weights), x)[0]])
    np.savez(os.path.join(HERE, "reverse_sequence.npz"), **out)


def write_computed_axes():
    """Reductions over Range(start, Rank(t), delta) axes; frozen with add_shapes (the writers' _output_shapes)."""
    rng = np.random.RandomState(8)
    feeds = {"p": rng.randn(2, 3, 4).astype(np.float32), "labels": rng.randn(5, 3).astype(np.float32)}
    graph = tf.Graph()
    with graph.as_default():
        p = v1.placeholder(tf.float32, None, name="p")   # unknown rank: reduce-all axes are computed
        labels = v1.placeholder(tf.float32, [None, 3], name="labels")
        predictions = labels * 0.5 + 1.0
        outputs = [tf.reduce_sum(p), tf.reduce_mean(p, keepdims=True), tf.reduce_max(p), tf.reduce_all(p > -5.0),
                   v1.losses.mean_squared_error(labels, predictions),
                   tf.reduce_sum(labels, tf.range(1, tf.raw_ops.Rank(input=predictions)))]   # a Rank op
        tf.group(*[tf.identity(o, name=f"out{k}") for k, o in enumerate(outputs)], name="all")
        with v1.Session(graph=graph) as sess:
            values = sess.run([f"out{k}:0" for k in range(len(outputs))], {p: feeds["p"], labels: feeds["labels"]})
            frozen = v1.graph_util.convert_variables_to_constants(
                sess, graph.as_graph_def(add_shapes=True), [f"out{k}" for k in range(len(outputs))])
    with open(os.path.join(HERE, "computed_axes_frozen.pb"), "wb") as f:
        f.write(frozen.SerializeToString())
    np.savez(os.path.join(HERE, "computed_axes.npz"), **feeds, **{f"out{k}": v for k, v in enumerate(values)})


def _example(a=None, b=(), c=None, d=()):
    feature = {"b": tf.train.Feature(int64_list=tf.train.Int64List(value=list(b))),
               "d": tf.train.Feature(float_list=tf.train.FloatList(value=list(d)))}
    if a is not None:
        feature["a"] = tf.train.Feature(float_list=tf.train.FloatList(value=a))
    if c is not None:
        feature["c"] = tf.train.Feature(bytes_list=tf.train.BytesList(value=[c]))
    return tf.train.Example(features=tf.train.Features(feature=feature)).SerializeToString()


def write_parse_example():
    """A frozen serving graph: serialized Examples -> parse_example (ParseExampleV2) and raw ParseExample (TF1's
    op, keys as inputs) -> outputs; the examples and TensorFlow's outputs."""
    examples = np.array([_example([1.0, 2.0], [3, 4, 5], b"x", [0.5]), _example(None, [], None, [1.0, 2.0, 3.0]),
                         _example([-1.0, 0.25], [7], b"yz", [])], dtype=object)
    graph = tf.Graph()
    with graph.as_default():
        serialized = v1.placeholder(tf.string, [None], name="examples")
        features = v1.parse_example(serialized, {
            "a": tf.io.FixedLenFeature([2], tf.float32, default_value=[0.0, 1.0]),
            "b": tf.io.VarLenFeature(tf.int64), "c": tf.io.FixedLenFeature([], tf.string, default_value="none"),
            "d": tf.io.FixedLenSequenceFeature([], tf.float32, allow_missing=True, default_value=-1.0)})
        outputs = [features["a"], features["b"].indices, features["b"].values, features["b"].dense_shape,
                   features["c"], features["d"]]
        v1_op = tf.raw_ops.ParseExample(serialized=serialized, names=tf.constant([], tf.string),
                                        sparse_keys=[tf.constant("b")], dense_keys=[tf.constant("a")],
                                        dense_defaults=[tf.constant([0.0, 1.0])], sparse_types=[tf.int64],
                                        dense_shapes=[[2]])
        outputs += [v1_op.sparse_values[0], v1_op.dense_values[0]]
        names = [f"parsed{k}" for k in range(len(outputs))]
        for name, o in zip(names, outputs):
            tf.identity(o, name=name)
        with v1.Session(graph=graph) as sess:
            values = sess.run([n + ":0" for n in names], {serialized: examples})
        ops = sorted({op.type for op in graph.get_operations()})
        frozen = graph.as_graph_def()
    assert "ParseExampleV2" in ops and "ParseExample" in ops, ops
    with open(os.path.join(HERE, "parse_example_frozen.pb"), "wb") as f:
        f.write(frozen.SerializeToString())
    # the serialized examples as their bytes and lengths: NumPy's fixed-width bytes would drop trailing zero bytes
    np.savez(os.path.join(HERE, "parse_example.npz"),
             example_bytes=np.frombuffer(b"".join(examples.tolist()), np.uint8),
             example_lengths=np.array([len(e) for e in examples.tolist()], np.int64),
             **{f"parsed{k}": (v.astype(bytes) if v.dtype == object else v) for k, v in enumerate(values)})


def write_raw_rnn():
    """tf.nn.raw_rnn of a BasicRNNCell, time-major inputs read from a TensorArray, lengths 4/2/3: frozen."""
    from tensorflow.python.ops import rnn, rnn_cell_impl
    rng = np.random.RandomState(9)
    inputs, lengths = rng.randn(4, 3, 2).astype(np.float32), np.array([4, 2, 3], np.int32)
    graph = tf.Graph()
    with graph.as_default():
        x = v1.placeholder(tf.float32, [4, None, 2], name="x")
        n = v1.placeholder(tf.int32, [None], name="lengths")
        steps = tf.TensorArray(tf.float32, size=4).unstack(x)
        v1.set_random_seed(3)
        cell = rnn_cell_impl.BasicRNNCell(3)

        def loop_fn(time, cell_output, cell_state, loop_state):
            state = cell.zero_state(tf.shape(x)[1], tf.float32) if cell_output is None else cell_state
            finished = time >= n
            following = tf.cond(tf.reduce_all(finished), lambda: tf.zeros([tf.shape(x)[1], 2]),
                                lambda: steps.read(tf.minimum(time, 3)))
            return finished, following, state, cell_output, None

        outputs, final_state, _ = rnn.raw_rnn(cell, loop_fn)
        tf.identity(outputs.stack(), name="outputs")
        tf.identity(final_state, name="final_state")
        with v1.Session(graph=graph) as sess:
            sess.run(v1.global_variables_initializer())
            values = sess.run(["outputs:0", "final_state:0"], {x: inputs, n: lengths})
            frozen = v1.graph_util.convert_variables_to_constants(sess, graph.as_graph_def(),
                                                                  ["outputs", "final_state"])
    with open(os.path.join(HERE, "raw_rnn_frozen.pb"), "wb") as f:
        f.write(frozen.SerializeToString())
    np.savez(os.path.join(HERE, "raw_rnn.npz"), inputs=inputs, lengths=lengths, outputs=values[0],
             final_state=values[1])


def main():
    rng = np.random.RandomState(0)
    inputs, labels = rng.randint(0, 7, (5, 2)).astype(np.int32), rng.randint(0, 3, 5).astype(np.int32)
    np.save(os.path.join(HERE, "inputs.npy"), inputs)
    np.save(os.path.join(HERE, "labels.npy"), labels)
    for kind in OPTIMIZERS:
        write_optimizer(kind, inputs, labels)
    write_variable_updates()
    write_bidirectional_rnn()
    write_reverse_sequence()
    write_computed_axes()
    write_parse_example()
    write_raw_rnn()
    with open(os.path.join(HERE, "tensorflow_version.txt"), "w") as f:
        f.write(tf.__version__ + "\n")


if __name__ == "__main__":
    main()
