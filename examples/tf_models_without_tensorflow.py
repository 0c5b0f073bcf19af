"""Run models that TensorFlow wrote, without TensorFlow: a frozen GraphDef (`frozen.pb`, the format of many
published models) and a SavedModel (`saved_model.pb` + `variables/`, the format TF Serving loads). Both hold a small
CNN that TensorFlow 2.21's tf.compat.v1 trained and wrote (tests/data/tf_models/make_fixtures.py); its predictions
for three images are compared with the ones TensorFlow computed.

The code is TensorFlow 1.x code: `import tensorflow as tf` runs it unchanged.

Run: python examples/tf_models_without_tensorflow.py [MODEL_DIR]   (default: tests/data/tf_models/cnn)
"""
import os
import sys

import numpy as np

import neuroflow as tf

here = os.path.dirname(os.path.abspath(__file__))
model_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "tests", "data", "tf_models", "cnn")
images = np.load(os.path.join(model_dir, "inputs.npy"))               # [3, 8, 8, 1]
tensorflows_probs = np.load(os.path.join(model_dir, "probs.npy"))     # what TensorFlow predicted for them

# 1. A frozen graph: a GraphDef whose variables were turned into constants.
graph_def = tf.GraphDef()
with open(os.path.join(model_dir, "frozen.pb"), "rb") as f:
    graph_def.ParseFromString(f.read())
with tf.Graph().as_default() as graph:
    tf.import_graph_def(graph_def, name="")
    print(f"frozen graph: {len(graph_def.node)} nodes, op types {sorted({n.op for n in graph_def.node})}")
    with tf.Session(graph=graph) as sess:
        probs = sess.run("probs:0", {"x:0": images})
print("frozen graph predicts classes", probs.argmax(1).tolist(),
      f"(largest difference from TensorFlow's probabilities: {np.abs(probs - tensorflows_probs).max():.1e})")

# 2. A SavedModel: the graph, its variables and a signature naming the inputs and outputs.
with tf.Session(graph=tf.Graph()) as sess:
    meta_graph_def = tf.saved_model.loader.load(sess, [tf.saved_model.tag_constants.SERVING],
                                                os.path.join(model_dir, "saved_model"))
    signature = meta_graph_def.signature_def[tf.saved_model.signature_constants.DEFAULT_SERVING_SIGNATURE_DEF_KEY]
    print(f"SavedModel signature: inputs {sorted(signature.inputs)}, outputs {sorted(signature.outputs)}")
    probs = sess.run(signature.outputs["probs"].name, {signature.inputs["images"].name: images})
print("SavedModel predicts classes", probs.argmax(1).tolist(),
      f"(largest difference from TensorFlow's probabilities: {np.abs(probs - tensorflows_probs).max():.1e})")
