"""Writes the TensorFlow-made model files that tests/test_tf_meta_graph*.py and tests/test_saved_model*.py load:
for a small MLP and a small CNN, a checkpoint with its .meta (tf.train.Saver), a frozen GraphDef
(convert_variables_to_constants) and a SavedModel (simple_save for the MLP, SavedModelBuilder for the CNN), with
the inputs, TensorFlow's predictions and the predictions after one more training step (.npy); and an inference MLP
with resource variables (mlp_resource: checkpoint + .meta, SavedModel); a linear regression whose gradients use
BroadcastGradientArgs (broadcast: checkpoint + .meta, predictions before and after one more step), and one
whose gradient also uses DynamicStitch (reduction); the MLP trained with Adam on tf.compat.v1.losses' loss
(mlp_adam).

Run with the anchors' TensorFlow, from anywhere:
    ~/.cache/neuroflow-anchors/bin/python tests/data/tf_models/make_fixtures.py
"""
import json
import os
import shutil

import numpy as np
import tensorflow as tf

v1 = tf.compat.v1
v1.disable_v2_behavior()   # graph mode and ref variables (VariableV2), as TF1 wrote them

HERE = os.path.dirname(os.path.abspath(__file__))


def dense(x, n_in, n_out, name):
    with v1.variable_scope(name):
        w = v1.get_variable("kernel", [n_in, n_out], initializer=v1.glorot_uniform_initializer(seed=1))
        b = v1.get_variable("bias", [n_out], initializer=v1.constant_initializer(0.1))
        return tf.nn.bias_add(tf.matmul(x, w), b)


def build_mlp():
    x = v1.placeholder(tf.float32, [None, 4], name="x")
    hidden = tf.nn.relu(dense(x, 4, 8, "hidden"))
    return x, dense(hidden, 8, 3, "logits")


def build_cnn():
    x = v1.placeholder(tf.float32, [None, 8, 8, 1], name="x")
    with v1.variable_scope("conv"):
        k = v1.get_variable("kernel", [3, 3, 1, 4], initializer=v1.glorot_uniform_initializer(seed=2))
        b = v1.get_variable("bias", [4], initializer=v1.constant_initializer(0.05))
        conv = tf.nn.relu(tf.nn.bias_add(tf.nn.conv2d(x, k, [1, 1, 1, 1], "SAME"), b))
    pooled = tf.nn.max_pool2d(conv, 2, 2, "VALID")
    flat = tf.reshape(pooled, [-1, 4 * 4 * 4])
    return x, dense(flat, 64, 3, "logits")


def write(kind, build, inputs, labels):
    out = os.path.join(HERE, kind)
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    graph = tf.Graph()
    with graph.as_default():
        v1.set_random_seed(7)
        x, logits = build()
        probs = tf.nn.softmax(logits, name="probs")
        y = v1.placeholder(tf.int64, [None], name="y")
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits),
                              name="loss")
        global_step = v1.train.get_or_create_global_step()
        train_op = v1.train.GradientDescentOptimizer(0.5).minimize(loss, global_step=global_step,
                                                                   name="train_op")
        v1.add_to_collection("train_op", train_op)
        saver = v1.train.Saver(save_relative_paths=True)
        with v1.Session(graph=graph) as sess:
            sess.run(v1.global_variables_initializer())
            for _ in range(3):   # trained a little, so the checkpoint is not the initial values
                sess.run(train_op, {x: inputs, y: labels})
            saver.save(sess, os.path.join(out, "model.ckpt"), global_step=global_step)
            meta_ops = sorted({n.op for n in graph.as_graph_def().node})
            np.save(os.path.join(out, "probs.npy"), sess.run(probs, {x: inputs}))
            frozen = v1.graph_util.convert_variables_to_constants(sess, graph.as_graph_def(), ["probs"])
            with open(os.path.join(out, "frozen.pb"), "wb") as f:
                f.write(frozen.SerializeToString())
            export_dir = os.path.join(out, "saved_model")
            if kind == "mlp":
                v1.saved_model.simple_save(sess, export_dir, inputs={"x": x}, outputs={"probs": probs})
            else:
                builder = v1.saved_model.builder.SavedModelBuilder(export_dir)
                predict = v1.saved_model.signature_def_utils.predict_signature_def(
                    inputs={"images": x}, outputs={"probs": probs, "logits": logits})
                builder.add_meta_graph_and_variables(
                    sess, [v1.saved_model.tag_constants.SERVING],
                    signature_def_map={v1.saved_model.signature_constants.DEFAULT_SERVING_SIGNATURE_DEF_KEY:
                                       predict})
                builder.save()
            sess.run(train_op, {x: inputs, y: labels})   # what one more step from the checkpoint gives
            np.save(os.path.join(out, "probs_after_step.npy"), sess.run(probs, {x: inputs}))
        saved_model_ops = sorted({n.op for n in graph.as_graph_def().node})
        frozen_ops = sorted({n.op for n in frozen.node})
    np.save(os.path.join(out, "inputs.npy"), inputs)
    np.save(os.path.join(out, "labels.npy"), labels)
    with open(os.path.join(out, "op_types.json"), "w") as f:
        json.dump({"meta": meta_ops, "frozen": frozen_ops, "saved_model": saved_model_ops,
                   "tensorflow": tf.__version__}, f, indent=1)
        f.write("\n")


def write_resource_variables_mlp():
    """An inference MLP with TensorFlow 2's default resource variables (VarHandleOp / ReadVariableOp), as
    tf.compat.v1 code writes it without disable_v2_behavior: checkpoint + .meta and a SavedModel."""
    out = os.path.join(HERE, "mlp_resource")
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    inputs = np.random.RandomState(1).randn(4, 4).astype(np.float32)
    graph = tf.Graph()
    with graph.as_default():
        v1.set_random_seed(7)
        with v1.variable_scope("res", use_resource=True):
            x, logits = build_mlp()
        probs = tf.nn.softmax(logits, name="probs")
        saver = v1.train.Saver(save_relative_paths=True)
        with v1.Session(graph=graph) as sess:
            sess.run(v1.global_variables_initializer())
            saver.save(sess, os.path.join(out, "model.ckpt"))
            np.save(os.path.join(out, "probs.npy"), sess.run(probs, {x: inputs}))
            v1.saved_model.simple_save(sess, os.path.join(out, "saved_model"), inputs={"x": x},
                                       outputs={"probs": probs})
    np.save(os.path.join(out, "inputs.npy"), inputs)


def write_broadcasting_regression(kind="broadcast"):
    """A linear regression whose gradients TensorFlow writes with BroadcastGradientArgs (prediction - t, both of
    shape [None]): checkpoint + .meta, and the predictions before and after one more training step. As "reduction"
    its prediction is reduce_sum(x * w, axis=1), whose gradient TensorFlow writes with DynamicStitch."""
    out = os.path.join(HERE, kind)
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    rng = np.random.RandomState(2)
    inputs, targets = rng.randn(6, 3).astype(np.float32), rng.randn(6).astype(np.float32)
    graph = tf.Graph()
    with graph.as_default():
        x = v1.placeholder(tf.float32, [None, 3], name="x")
        t = v1.placeholder(tf.float32, [None], name="t")
        w = v1.get_variable("w", [3], initializer=v1.constant_initializer([0.5, -1.0, 2.0]))
        b = v1.get_variable("b", [], initializer=v1.constant_initializer(0.25))
        if kind == "broadcast":
            prediction = tf.add(tf.squeeze(tf.matmul(x, tf.expand_dims(w, 1)), [1]), b, name="prediction")
        else:
            prediction = tf.add(tf.reduce_sum(x * w, axis=1), b, name="prediction")
        loss = tf.reduce_mean(tf.square(prediction - t))
        train_op = v1.train.GradientDescentOptimizer(0.1).minimize(loss, name="train_op")
        v1.add_to_collection("train_op", train_op)
        saver = v1.train.Saver(save_relative_paths=True)
        with v1.Session(graph=graph) as sess:
            sess.run(v1.global_variables_initializer())
            sess.run(train_op, {x: inputs, t: targets})
            saver.save(sess, os.path.join(out, "model.ckpt"))
            np.save(os.path.join(out, "prediction.npy"), sess.run(prediction, {x: inputs}))
            sess.run(train_op, {x: inputs, t: targets})
            np.save(os.path.join(out, "prediction_after_step.npy"), sess.run(prediction, {x: inputs}))
    np.save(os.path.join(out, "inputs.npy"), inputs)
    np.save(os.path.join(out, "targets.npy"), targets)


def write_adam_mlp():
    """The MLP trained with Adam on tf.compat.v1.losses' loss (slots W/Adam, W/Adam_1, beta1_power; the loss
    reduces over Range(0, Rank, 1) axes): checkpoint + .meta after 2 steps, the predictions then and after 2 more."""
    out = os.path.join(HERE, "mlp_adam")
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    rng = np.random.RandomState(3)
    inputs, labels = rng.randn(6, 4).astype(np.float32), rng.randint(0, 3, 6).astype(np.int64)
    graph = tf.Graph()
    with graph.as_default():
        x, logits = build_mlp()
        probs = tf.nn.softmax(logits, name="probs")
        y = v1.placeholder(tf.int64, [None], name="y")
        loss = v1.losses.sparse_softmax_cross_entropy(y, logits)
        train_op = v1.train.AdamOptimizer(0.05).minimize(loss, global_step=v1.train.get_or_create_global_step())
        v1.add_to_collection("train_op", train_op)
        saver = v1.train.Saver(save_relative_paths=True)
        with v1.Session(graph=graph) as sess:
            sess.run(v1.global_variables_initializer())
            for _ in range(2):
                sess.run(train_op, {x: inputs, y: labels})
            saver.save(sess, os.path.join(out, "model.ckpt"))
            np.save(os.path.join(out, "probs.npy"), sess.run(probs, {x: inputs}))
            for _ in range(2):
                sess.run(train_op, {x: inputs, y: labels})
            np.save(os.path.join(out, "probs_after_2_steps.npy"), sess.run(probs, {x: inputs}))
    np.save(os.path.join(out, "inputs.npy"), inputs)
    np.save(os.path.join(out, "labels.npy"), labels)


def main():
    rng = np.random.RandomState(0)
    write("mlp", build_mlp, rng.randn(5, 4).astype(np.float32), rng.randint(0, 3, 5).astype(np.int64))
    write("cnn", build_cnn, rng.randn(3, 8, 8, 1).astype(np.float32), rng.randint(0, 3, 3).astype(np.int64))
    write_resource_variables_mlp()
    write_broadcasting_regression()
    write_broadcasting_regression("reduction")
    write_adam_mlp()


if __name__ == "__main__":
    main()
