"""Writes tf_placement.json: what TensorFlow 1's placer prints and raises on a machine without a GPU (the
placement log line of a MatMul, the error for a pin to a GPU that is not there, the session's device names).
Run with the anchors' python: ~/.cache/neuroflow-anchors/bin/python tests/data/gpu_placement/make_tf_placement.py
"""
import contextlib
import io
import json
import os
import re

os.environ["CUDA_VISIBLE_DEVICES"] = ""  # the reference is the machine without a GPU
import tensorflow as tf  # noqa: E402

tf1 = tf.compat.v1
tf1.disable_eager_execution()
out = {}
a = tf1.placeholder(tf.float32, [2, 2], name="a")
product = tf1.matmul(a, a, name="mm")
printed = io.StringIO()
with tf1.Session(config=tf1.ConfigProto(log_device_placement=True)) as sess:
    out["list_devices"] = [d.name for d in sess.list_devices()]
    # The placer prints with C's printf: capture file descriptor 1, not only sys.stdout.
    read_end, write_end = os.pipe()
    saved = os.dup(1)
    os.dup2(write_end, 1)
    try:
        sess.run(product, {a: [[1, 2], [3, 4]]})
        sess.run(product, {a: [[1, 2], [3, 4]]})
    finally:
        os.dup2(saved, 1)
        os.close(write_end)
    lines = os.read(read_end, 1 << 16).decode().splitlines()
out["log_lines"] = [line for line in lines if line.startswith("mm:")]
out["placeholder_log_lines"] = [line for line in lines if line.startswith("a:")]
with tf.device("/gpu:1"):
    pinned = tf1.add(a, a, name="c")
try:
    with tf1.Session() as sess:
        sess.run(pinned, {a: [[1, 2], [3, 4]]})
except tf.errors.InvalidArgumentError as e:
    out["pin_error"] = re.search(r"Cannot assign a device for operation c:.*", e.message).group(0)
with tf.device("/gpu:1"):
    soft = tf1.add(a, a, name="soft")
with tf1.Session(config=tf1.ConfigProto(allow_soft_placement=True)) as sess:
    out["soft_placed_value"] = sess.run(soft, {a: [[1, 2], [3, 4]]}).tolist()
out["gpu_device_name"] = tf.test.gpu_device_name()
with contextlib.redirect_stderr(io.StringIO()):
    out["is_gpu_available"] = tf.test.is_gpu_available()
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "tf_placement.json"), "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
