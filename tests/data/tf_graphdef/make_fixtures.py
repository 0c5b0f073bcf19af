"""Writes the TensorFlow-made fixtures of tests/test_tf_graphdef*.py: frozen GraphDefs of a small MLP, a small
CNN and an unrolled LSTM (binary .pb and text .pbtxt), unfrozen graphs with variables (reference and resource)
and Saver ops, graphs with TF1 control-flow frames (cond alone; cond and while), two frozen graphs without their
default-valued attributes, and TensorFlow's predictions for fixed inputs (predictions.npz). Run with the anchors'
Python (TensorFlow installed):  ~/.cache/neuroflow-anchors/bin/python tests/data/tf_graphdef/make_fixtures.py
"""
import os

import numpy as np
import tensorflow as tf

v1 = tf.compat.v1
HERE = os.path.dirname(os.path.abspath(__file__))


def _variable(name, shape, rng, scale=0.5):
    return v1.Variable((rng.standard_normal(shape) * scale).astype(np.float32), name=name, use_resource=False)


def build_mlp(rng):
    x = v1.placeholder(tf.float32, [None, 4], name="x")
    w1, b1 = _variable("dense/kernel", [4, 8], rng), _variable("dense/bias", [8], rng)
    w2, b2 = _variable("logits/kernel", [8, 3], rng), _variable("logits/bias", [3], rng)
    h = tf.nn.relu(tf.nn.bias_add(tf.matmul(x, w1), b1), name="dense/Relu")
    h6 = tf.nn.relu6(h * 2.0, name="relu6")
    mix = tf.add(tf.sigmoid(h6), tf.tanh(h), name="mix")
    logits = tf.add(tf.matmul(mix, w2), b2, name="logits/add")   # AddV2
    probs = tf.nn.softmax(logits, name="probs")
    v1.identity(tf.argmax(probs, axis=1), name="classes")
    v1.identity(tf.reduce_mean(probs, axis=0), name="mean_probs")
    return ["probs", "classes", "mean_probs"]


def build_cnn(rng):
    x = v1.placeholder_with_default(np.zeros([1, 8, 8, 3], np.float32), [None, 8, 8, 3], name="images")
    k1 = _variable("conv/kernel", [3, 3, 3, 4], rng)
    b1 = _variable("conv/bias", [4], rng)
    h = tf.nn.relu(tf.nn.bias_add(tf.nn.conv2d(x, k1, [1, 1, 1, 1], "SAME"), b1))
    h = tf.nn.max_pool2d(h, 2, 2, "VALID")
    dk = _variable("depthwise/kernel", [3, 3, 4, 2], rng)
    h = tf.nn.depthwise_conv2d(h, dk, [1, 1, 1, 1], "SAME")
    scale, offset = _variable("bn/gamma", [8], rng), _variable("bn/beta", [8], rng)
    mean, var = _variable("bn/mean", [8], rng, 0.1), tf.abs(_variable("bn/var", [8], rng)) + 0.5
    h, _, _ = v1.nn.fused_batch_norm(h, scale, offset, mean, var, is_training=False, epsilon=1e-3)
    h = tf.nn.avg_pool2d(h, 2, 2, "SAME")
    h = tf.pad(h, [[0, 0], [1, 0], [0, 1], [0, 0]])
    h = tf.transpose(h, [0, 3, 1, 2])
    batch = tf.shape(h)[0]
    flat = tf.reshape(h, tf.stack([batch, -1]), name="flatten")
    extra = tf.cast(tf.squeeze(tf.reduce_mean(h, axis=[2, 3], keepdims=True), axis=[2, 3]), tf.float32)
    feats = tf.concat([flat, extra], axis=1, name="features")
    w = _variable("logits/kernel", [8 * 3 * 3 + 8, 5], rng, 0.2)
    logits = tf.matmul(feats, w, name="logits")
    tf.nn.softmax(logits, name="probs")
    v1.identity(tf.argmax(logits, axis=1, output_type=tf.int32), name="classes")
    return ["probs", "classes"]


def build_rnn(rng):
    """An LSTM unrolled over 4 steps, as TF1's static_rnn with BasicLSTMCell builds it (Unpack, ConcatV2, MatMul,
    BiasAdd, Split, Sigmoid, Tanh, Mul, AddV2), then a dense softmax on the last output."""
    x = v1.placeholder(tf.float32, [None, 4, 3], name="sequence")
    units = 5
    kernel = _variable("rnn/lstm_cell/kernel", [3 + units, 4 * units], rng, 0.4)
    bias = _variable("rnn/lstm_cell/bias", [4 * units], rng, 0.1)
    steps = tf.unstack(x, axis=1)
    batch = tf.shape(x)[0]
    h = c = tf.zeros(tf.stack([batch, units]))
    for t, step in enumerate(steps):
        with tf.name_scope(f"rnn/step_{t}"):
            gates = tf.nn.bias_add(tf.matmul(tf.concat([step, h], 1), kernel), bias)
            i, j, f, o = tf.split(gates, 4, axis=1)
            c = c * tf.sigmoid(f + 1.0) + tf.sigmoid(i) * tf.tanh(j)
            h = tf.tanh(c) * tf.sigmoid(o)
    w = _variable("out/kernel", [units, 2], rng)
    tf.nn.softmax(tf.matmul(h, w), name="probs")
    return ["probs"]


def build_many_ops(rng):
    """One graph of many small computations on a fed tensor, each output named `out_<what>`: the op types and
    attribute forms TF1 programs write (a reduction's axes as an input, masks of StridedSlice, MirrorPad, ...)."""
    x = v1.placeholder(tf.float32, [2, 3, 4], name="x")
    pos = tf.abs(x) + 0.5
    img = tf.reshape(x, [1, 2, 3, 4])
    k = tf.constant(rng.standard_normal([2, 2, 4, 3]).astype(np.float32))
    outs = {
        "sub": x - 1.5, "realdiv": x / pos, "floordiv": tf.math.floordiv(x, pos), "floormod": tf.math.floormod(x, pos),
        "maximum": tf.maximum(x, 0.1), "minimum": tf.minimum(x, -0.1), "pow": tf.pow(pos, 1.5),
        "squared_difference": tf.math.squared_difference(x, 0.3), "neg": -x, "exp": tf.exp(x), "log": tf.math.log(pos),
        "sqrt": tf.sqrt(pos), "rsqrt": tf.math.rsqrt(pos), "square": tf.square(x),
        "reciprocal": tf.math.reciprocal(pos),
        "sin": tf.sin(x), "cos": tf.cos(x), "sign": tf.sign(x), "floor": tf.floor(x), "ceil": tf.math.ceil(x),
        "round": tf.round(x * 3), "erf": tf.math.erf(x), "softplus": tf.nn.softplus(x), "softsign": tf.nn.softsign(x),
        "elu": tf.nn.elu(x), "selu": tf.nn.selu(x), "leaky_relu": tf.nn.leaky_relu(x, 0.1),
        "sum_keep": tf.reduce_sum(x, axis=1, keepdims=True), "mean_02": tf.reduce_mean(x, axis=[0, 2]),
        "max_last": tf.reduce_max(x, axis=-1), "min_all": tf.reduce_min(x), "prod": tf.reduce_prod(pos, axis=0),
        "any": tf.reduce_any(x > 1.0, axis=2), "all": tf.reduce_all(x > -3.0, axis=[1]),
        "argmin": tf.argmin(x, axis=2), "cumsum": tf.cumsum(x, axis=1, exclusive=True, reverse=True),
        "cumprod": tf.math.cumprod(pos, axis=2), "transpose": tf.transpose(x, [2, 0, 1]),
        "expand_dims": tf.expand_dims(x, -1), "squeeze": tf.squeeze(tf.reduce_sum(x, 1, keepdims=True), [1]),
        "tile": tf.tile(x, [1, 2, 1]), "mirror_pad": tf.pad(x, [[0, 0], [1, 1], [2, 0]], "REFLECT"),
        "pad_v2": tf.pad(x, [[1, 0], [0, 0], [0, 1]], constant_values=2.0), "stack": tf.stack([x, x * 2], axis=1),
        "unstack_1": tf.unstack(x, axis=1)[1], "split_2": tf.split(x, 2, axis=2)[1],
        "splitv_1": tf.split(x, [1, 3], axis=2)[1], "slice": tf.slice(x, [0, 1, 1], [2, 2, -1]),
        "strided": x[:, 1:, ::2], "strided_shrink": x[1, :, -1], "strided_newaxis": x[:, None, 0],
        "gather_axis1": tf.gather(x, [2, 0], axis=1), "gather_nd": tf.gather_nd(x, [[0, 1], [1, 2]]),
        "one_hot": tf.one_hot([0, 2, 1], 4, on_value=5.0, off_value=-1.0), "range": tf.range(1, 10, 3),
        "zeros_like": tf.zeros_like(x), "ones_like": tf.ones_like(x), "size": tf.size(x), "rank": tf.rank(x),
        "select": tf.where(x > 0, x, -x), "cast_int": tf.cast(x * 4, tf.int32), "cast_bool": tf.cast(x, tf.bool),
        "log_softmax": tf.nn.log_softmax(x), "l2_normalize": tf.math.l2_normalize(x, axis=2),
        "batch_matmul": tf.matmul(x, tf.transpose(x, [0, 2, 1])), "top_k_values": tf.nn.top_k(x, 2).values,
        "top_k_indices": tf.nn.top_k(x, 2).indices, "clip": tf.clip_by_value(x, -0.5, 0.5),
        "logical": tf.logical_or(tf.logical_and(x > 0, x < 1), tf.logical_not(x > -1)),
        "equal": tf.equal(tf.round(x), 0.0), "einsum": tf.einsum("bij,bkj->bik", x, x),
        "resize_bilinear": v1.image.resize_bilinear(img, [4, 5]),
        "resize_nearest": v1.image.resize_nearest_neighbor(img, [3, 6]),
        "conv_valid": tf.nn.conv2d(img, k, [1, 1, 1, 1], "VALID"),
        "conv_transpose": tf.nn.conv2d_transpose(img[:, :, :, :3], k, [1, 2, 3, 4], [1, 1, 1, 1], "SAME"),
        "lrn": tf.nn.local_response_normalization(img, depth_radius=1, alpha=0.5),
        "max_pool_same": tf.nn.max_pool2d(img, [1, 2, 2, 1], [1, 1, 2, 1], "SAME"),
        "bias_add": tf.nn.bias_add(x, [1.0, 2.0, 3.0, 4.0]), "add_n": tf.add_n([x, x, pos]),
        "fill": tf.fill(tf.shape(x)[1:], 7.0), "broadcast_to": tf.broadcast_to(x[:1], [2, 3, 4]),
        "reverse": tf.reverse(x, [1]), "sparse_softmax_xent": tf.nn.sparse_softmax_cross_entropy_with_logits(
            labels=[[0, 1, 2], [3, 0, 1]], logits=x),
    }
    # op types of TensorFlow 1.x releases that TF 2 writes no more, as frozen TF1 models hold them
    ints = tf.cast(x * 5, tf.int32)
    outs.update({
        "raw_add": tf.raw_ops.Add(x=x, y=pos), "raw_div_float": tf.raw_ops.Div(x=x, y=pos),
        "raw_div_int": tf.raw_ops.Div(x=ints, y=tf.constant(3)),
        "raw_max_pool_v2": tf.raw_ops.MaxPoolV2(input=img, ksize=[1, 2, 2, 1], strides=[1, 1, 2, 1],
                                                padding="VALID"),
        "raw_fused_batch_norm": tf.raw_ops.FusedBatchNorm(
            x=img, scale=tf.ones([4]), offset=tf.zeros([4]), mean=tf.fill([4], 0.1), variance=tf.fill([4], 2.0),
            is_training=False)[0],
        "raw_batch_matmul": tf.raw_ops.BatchMatMul(x=x, y=tf.transpose(x, [0, 2, 1])),
        "raw_select": tf.raw_ops.Select(condition=[True, False], x=x[:, 0], y=-x[:, 0])})
    for name, value in outs.items():
        v1.identity(value, name=f"out_{name}")
    return [f"out_{name}" for name in outs]


def build_cond(rng):
    """TF1 cond frames without loops, as frozen TF1 models hold them: a batch norm and a dropout under an
    `is_training` flag (a PlaceholderWithDefault), a cond nested in a branch, and a cond with two outputs."""
    v1.disable_control_flow_v2()
    x = v1.placeholder(tf.float32, [None, 3], name="x")
    training = v1.placeholder_with_default(False, [], name="is_training")
    moving_mean = tf.constant(rng.standard_normal(3).astype(np.float32))
    moving_var = tf.constant((rng.random(3) + 0.5).astype(np.float32))

    def batch_stats():
        mean, var = tf.nn.moments(x, [0])
        return mean, var
    mean, var = v1.cond(training, batch_stats, lambda: (moving_mean, moving_var), name="bn")
    h = tf.nn.relu((x - mean) * tf.math.rsqrt(var + 1e-3))
    h = v1.cond(training, lambda: tf.nn.dropout(h, rate=0.5, seed=1), lambda: h, name="dropout")
    scale = v1.placeholder_with_default(1.0, [], name="scale")
    nested = v1.cond(scale > 0.5, lambda: v1.cond(training, lambda: h * 0.5, lambda: h * scale, name="inner"),
                     lambda: -h, name="outer")
    v1.identity(nested + tf.reduce_sum(h), name="out")
    return ["out"]


def build_resource_mlp(rng):
    x = v1.placeholder(tf.float32, [None, 4], name="x")
    w = v1.Variable((rng.standard_normal([4, 3]) * 0.5).astype(np.float32), name="w", use_resource=True)
    b = v1.Variable(np.full([3], 0.1, np.float32), name="b", use_resource=True)
    tf.nn.softmax(tf.matmul(x, w) + b, name="probs")
    return ["probs"]


def build_control_flow():
    v1.disable_control_flow_v2()
    x = v1.placeholder(tf.float32, [None, 3], name="x")
    y = v1.cond(tf.reduce_sum(x) > 0, lambda: x * 2.0, lambda: x - 1.0, name="pick")
    _, total = v1.while_loop(lambda i, acc: i < 3, lambda i, acc: (i + 1, acc + y), [0, tf.zeros_like(y)],
                             name="loop")
    v1.identity(total, name="out")
    return ["out"]


def freeze(build, name, feeds, seed):
    graph = tf.Graph()
    with graph.as_default():
        outputs = build(np.random.default_rng(seed)) if build is not build_control_flow else build()
        with v1.Session() as sess:
            sess.run(v1.global_variables_initializer())
            frozen = v1.graph_util.convert_variables_to_constants(sess, graph.as_graph_def(), outputs)
            fetched = sess.run([o + ":0" for o in outputs], {k + ":0": v for k, v in feeds.items()})
            if name in ("mlp", "resource_mlp"):   # unfrozen: variables, their initializers, the Saver's nodes
                v1.train.Saver()
                v1.io.write_graph(graph.as_graph_def(), HERE, f"{name}_graph.pb", as_text=False)
    v1.io.write_graph(frozen, HERE, f"{name}_frozen.pb", as_text=False)
    v1.io.write_graph(frozen, HERE, f"{name}_frozen.pbtxt", as_text=True)
    return {f"{name}/{o}": v for o, v in zip(outputs, fetched)}


def _cond_variants(x):
    """TensorFlow's outputs of the frozen cond graph for the other branches: scale 0 (outer cond false) and
    is_training (batch statistics and dropout)."""
    graph_def = v1.GraphDef()
    with open(os.path.join(HERE, "cond_frozen.pb"), "rb") as f:
        graph_def.ParseFromString(f.read())
    with tf.Graph().as_default():
        v1.import_graph_def(graph_def, name="")
        with v1.Session() as sess:
            return {"cond/out_scale0": sess.run("out:0", {"x:0": x, "scale:0": 0.0}),
                    "cond/out_training": sess.run("out:0", {"x:0": x, "is_training:0": True})}


def _write_stripped(name):
    """`<name>_stripped.pb`: the frozen graph with every attribute equal to its op's default left out, as
    TensorFlow writes graphs with `strip_default_attrs=True` (SavedModels)."""
    from tensorflow.python.framework import op_def_registry
    graph_def = v1.GraphDef()
    with open(os.path.join(HERE, f"{name}.pb"), "rb") as f:
        graph_def.ParseFromString(f.read())
    for node in graph_def.node:
        op_def = op_def_registry.get(node.op)
        for attr in op_def.attr:
            if attr.HasField("default_value") and attr.name in node.attr and \
                    node.attr[attr.name] == attr.default_value:
                del node.attr[attr.name]
    with open(os.path.join(HERE, f"{name}_stripped.pb"), "wb") as f:
        f.write(graph_def.SerializeToString())


def main():
    v1.disable_eager_execution()
    rng = np.random.default_rng(0)
    feeds = {"mlp": {"x": rng.standard_normal([5, 4]).astype(np.float32)},
             "cnn": {"images": rng.standard_normal([2, 8, 8, 3]).astype(np.float32)},
             "control_flow": {"x": rng.standard_normal([2, 3]).astype(np.float32)},
             "resource_mlp": {"x": rng.standard_normal([3, 4]).astype(np.float32)},
             "rnn": {"sequence": rng.standard_normal([3, 4, 3]).astype(np.float32)},
             "many_ops": {"x": rng.standard_normal([2, 3, 4]).astype(np.float32)},
             "cond": {"x": rng.standard_normal([4, 3]).astype(np.float32)}}
    arrays = {}
    for name, build, seed in [("mlp", build_mlp, 1), ("cnn", build_cnn, 2), ("control_flow", build_control_flow, 3),
                              ("resource_mlp", build_resource_mlp, 4), ("rnn", build_rnn, 5),
                              ("many_ops", build_many_ops, 6), ("cond", build_cond, 7)]:
        arrays.update({f"{name}/input/{k}": v for k, v in feeds[name].items()})
        arrays.update(freeze(build, name, feeds[name], seed))
    arrays.update(_cond_variants(feeds["cond"]["x"]))
    for name in ("cnn_frozen", "many_ops_frozen"):
        _write_stripped(name)
    np.savez(os.path.join(HERE, "predictions.npz"), **arrays)
    with open(os.path.join(HERE, "tensorflow_version.txt"), "w") as f:
        f.write(tf.__version__ + "\n")


if __name__ == "__main__":
    main()
