"""Writes tf_graph_event.pbtxt: the GraphDef that TensorFlow's `tf.compat.v1.summary.FileWriter.add_graph` puts in
its graph event for a small program (placeholder, constants, MatMul, BiasAdd, Relu, a reduction over an axis,
Softmax, a control dependency), read back from the event file. tests/test_summary_graph_event.py builds the
same program in neuroflow and compares. Run with the anchors' python:

    ~/.cache/neuroflow-anchors/bin/python tests/data/tensorboard_graph/make_tf_graph_event.py
"""
import glob
import os
import tempfile

import numpy as np
import tensorflow as tf
from google.protobuf import text_format

v1 = tf.compat.v1


def build():
    x = v1.placeholder(tf.float32, [None, 3], name="x")
    w = tf.constant(np.arange(6, dtype=np.float32).reshape(3, 2), name="w")
    b = tf.constant(np.array([0.5, -0.5], dtype=np.float32), name="b")
    h = tf.nn.relu(tf.nn.bias_add(tf.matmul(x, w, name="mm"), b, name="ba"), name="relu")
    total = tf.reduce_sum(h, axis=[1], name="total")
    probs = tf.nn.softmax(h, name="probs")
    with tf.control_dependencies([total]):
        tf.identity(probs, name="out")


def main():
    v1.disable_eager_execution()
    graph = tf.Graph()
    with graph.as_default():
        build()
    logdir = tempfile.mkdtemp()
    writer = v1.summary.FileWriter(logdir, graph)
    writer.close()
    graph_def = None
    for event in tf.compat.v1.train.summary_iterator(glob.glob(os.path.join(logdir, "events.*"))[0]):
        if event.graph_def:
            graph_def = tf.compat.v1.GraphDef.FromString(event.graph_def)
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "tf_graph_event.pbtxt"), "w") as f:
        f.write(f"# TensorFlow {tf.__version__}: FileWriter.add_graph's GraphDef ({__file__.split('/')[-1]})\n")
        f.write(text_format.MessageToString(graph_def))


if __name__ == "__main__":
    main()
