"""Freeze a trained model into one file TensorFlow loads: the classic TF1 script. A small classifier is trained,
`tf.graph_util.convert_variables_to_constants` turns its variables into constants, and the GraphDef's bytes
(TensorFlow's binary protobuf) are written to `frozen.pb`. The file is then loaded back the way deployment code
does: `tf.GraphDef().ParseFromString` + `tf.import_graph_def`, with no checkpoint and nothing to initialize.

The code is TensorFlow 1.x code: `import tensorflow as tf` runs it unchanged, and TensorFlow's own
`tf.compat.v1.import_graph_def` runs the frozen.pb this writes.

Run: python examples/freeze_graph.py [OUTPUT_DIR]   (default: a temporary folder)
"""
import os
import sys
import tempfile

import numpy as np

import neuroflow as tf

out_dir = sys.argv[1] if len(sys.argv) > 1 else tempfile.mkdtemp(prefix="frozen-")
tf.gfile.MakeDirs(out_dir)
rng = np.random.RandomState(0)
features = rng.randn(300, 4).astype(np.float32)
labels = (features[:, 0] + features[:, 1] > 0).astype(np.int64) + (features[:, 2] > 1).astype(np.int64)

# 1. Train: the graph holds variables, a loss and an optimizer.
with tf.Graph().as_default():
    tf.set_random_seed(1)
    x = tf.placeholder(tf.float32, [None, 4], name="x")
    y = tf.placeholder(tf.int64, [None], name="y")
    hidden = tf.layers.dense(x, 16, activation=tf.nn.relu, name="hidden")
    logits = tf.layers.dense(hidden, 3, name="logits")
    probs = tf.nn.softmax(logits, name="probs")
    loss = tf.losses.sparse_softmax_cross_entropy(y, logits)
    train = tf.train.AdamOptimizer(0.05).minimize(loss)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(200):
            sess.run(train, {x: features, y: labels})
        trained_probs = sess.run(probs, {x: features})

        # 2. Freeze: only what "probs" needs, variables as constants holding their trained values.
        output_graph_def = tf.graph_util.convert_variables_to_constants(sess, sess.graph.as_graph_def(), ["probs"])
        path = os.path.join(out_dir, "frozen.pb")
        with tf.gfile.GFile(path, "wb") as f:
            f.write(output_graph_def.SerializeToString())
print(f"wrote {path}: {len(output_graph_def.node)} nodes, {output_graph_def.ByteSize()} bytes, op types "
      f"{sorted({n.op for n in output_graph_def.node})}")

# 3. Deploy: a fresh graph from the file alone.
graph_def = tf.GraphDef()
with tf.gfile.GFile(path, "rb") as f:
    graph_def.ParseFromString(f.read())
with tf.Graph().as_default() as graph:
    tf.import_graph_def(graph_def, name="")
    with tf.Session(graph=graph) as sess:
        frozen_probs = sess.run("probs:0", {"x:0": features})
accuracy = float((frozen_probs.argmax(1) == labels).mean())
print(f"frozen model accuracy: {accuracy:.3f}")
print(f"largest difference from the trained model: {np.abs(frozen_probs - trained_probs).max():.1e}")
