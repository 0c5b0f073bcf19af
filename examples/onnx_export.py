"""Train a small CNN on scikit-learn's 8x8 digits, export it to ONNX, and run the exported model in onnxruntime:
the model leaves Python (the same `digits_cnn.onnx` runs from C++, C#, Java or JavaScript, see docs/onnx.md).

Also shows the two neuroflow-native ways to keep a trained graph: a meta graph + checkpoint
(`tf.train.import_meta_graph`) and a frozen GraphDef (`tf.graph_util.convert_variables_to_constants`).

Run: python examples/onnx_export.py   (needs scikit-learn, onnx and onnxruntime: pip install "neuroflow[examples]")
"""
import os
import sys
import tempfile

import numpy as np

try:
    import onnx  # noqa: F401 - tf.onnx.export writes the file with it
    import onnxruntime as ort
    from sklearn.datasets import load_digits
except ImportError as missing:
    package = {"sklearn": "scikit-learn"}.get(missing.name, missing.name)
    sys.exit(f"examples/onnx_export.py needs scikit-learn, onnx and onnxruntime ({package} is missing): "
             "pip install \"neuroflow[examples]\"")

import neuroflow as tf

digits = load_digits()
images = (digits.images / 16.0).astype(np.float32)[..., None]   # [1797, 8, 8, 1], NHWC
labels = digits.target.astype(np.int32)
x_train, x_test, y_train, y_test = tf.data.split(images, labels, ratios=(0.8, 0.2), seed=0)

tf.set_random_seed(0)
x = tf.placeholder(tf.float32, [None, 8, 8, 1], name="images")
y = tf.placeholder(tf.int32, [None], name="labels")
training = tf.placeholder_with_default(False, [], name="training")   # the export uses the default: inference
h = tf.layers.conv2d(x, 16, 3, padding="same", activation=tf.nn.relu)
# momentum 0.9: the moving averages that inference uses settle within the ~70 training steps (with the default
# 0.99 they still lean half-way to their initial values, and test accuracy swung 0.45-0.94 with the seed)
h = tf.layers.batch_normalization(h, momentum=0.9, training=training)
h = tf.layers.max_pooling2d(h, 2, 2)
h = tf.layers.conv2d(h, 32, 3, padding="same", activation=tf.nn.relu)
h = tf.layers.max_pooling2d(h, 2, 2)
h = tf.layers.dropout(tf.layers.flatten(h), rate=0.3, training=training)
logits = tf.layers.dense(h, 10)
probs = tf.nn.softmax(logits, name="probs")
loss = tf.losses.sparse_softmax_cross_entropy(labels=y, logits=logits)
with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):   # batch norm's moving averages
    train_op = tf.train.AdamOptimizer(0.01).minimize(loss)

# A scratch folder for the exported files, deleted at the end (or when the program exits).
scratch = tempfile.TemporaryDirectory(prefix="neuroflow-onnx-")
out_dir = scratch.name
rng = np.random.default_rng(0)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for epoch in range(3):
        order = rng.permutation(len(x_train))
        for start in range(0, len(order), 64):
            batch = order[start:start + 64]
            sess.run(train_op, {x: x_train[batch], y: y_train[batch], training: True})
    ours = sess.run(probs, {x: x_test})
    print(f"neuroflow test accuracy: {np.mean(ours.argmax(1) == y_test):.3f}")

    # 1. ONNX: variables become initializers, the batch dimension stays symbolic.
    onnx_path = os.path.join(out_dir, "digits_cnn.onnx")
    tf.onnx.export(sess, inputs=[x], outputs=[probs], path=onnx_path, opset=17)

    # 2. A meta graph + checkpoint (reloaded with tf.train.import_meta_graph, without this code).
    checkpoint = tf.train.Saver().save(sess, os.path.join(out_dir, "model.ckpt"))

    # 3. A frozen graph: one file, variables turned into constants.
    frozen = tf.graph_util.convert_variables_to_constants(sess, sess.graph, ["probs"])
    tf.io.write_graph(frozen, out_dir, "frozen.json", as_text=False)

session = ort.InferenceSession(onnx_path, providers=["CPUExecutionProvider"])
theirs = session.run(["probs"], {"images": x_test})[0]
print(f"onnxruntime test accuracy: {np.mean(theirs.argmax(1) == y_test):.3f}")
print(f"largest difference between the two: {np.abs(theirs - ours).max():.1e}")

with tf.Graph().as_default():
    saver = tf.train.import_meta_graph(checkpoint + ".meta")
    with tf.Session() as sess:
        saver.restore(sess, checkpoint)
        reloaded = sess.run("probs:0", {"images:0": x_test})
print(f"meta graph + checkpoint reloaded: identical = {np.array_equal(reloaded, ours)}")
print(f"files in {out_dir}: {sorted(os.listdir(out_dir))}")
scratch.cleanup()
