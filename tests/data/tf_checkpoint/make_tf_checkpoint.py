"""Writes the TensorFlow-written checkpoint the tensor-bundle tests read (run with the anchors' python:
`~/.cache/neuroflow-anchors/bin/python tests/data/tf_checkpoint/make_tf_checkpoint.py`).

A small MLP trained two Adam steps (so `W/Adam`, `W/Adam_1`, `beta1_power` exist under TF's names), two variables
split by a partitioner (saved by TF as one full tensor with slices), and one variable of every dtype a TF1
program saves, strings included. `expected.json` holds every tensor as TensorFlow's own reader returns it
(`tf.train.load_checkpoint`), as base64 of its little-endian bytes, so the test compares bytes exactly.

`sharded.ckpt` is a second, sharded save (`Saver(sharded=True)`, variables on two CPU devices): one index over
two data files, `sharded.ckpt.data-00000-of-00002` and `-00001-of-00002`; its values are in expected.json too.
"""
import base64
import json
import os

import numpy as np
import tensorflow as tf

HERE = os.path.dirname(os.path.abspath(__file__))
PREFIX = os.path.join(HERE, "model.ckpt")


def build():
    tf1 = tf.compat.v1
    rng = np.random.RandomState(0)
    x = tf1.placeholder(tf.float32, [None, 4], name="x")
    y = tf1.placeholder(tf.float32, [None, 3], name="y")
    with tf1.variable_scope("dense"):
        w1 = tf1.get_variable("W", initializer=rng.randn(4, 8).astype(np.float32))
        b1 = tf1.get_variable("b", initializer=np.zeros(8, np.float32))
    with tf1.variable_scope("logits"):
        w2 = tf1.get_variable("W", initializer=rng.randn(8, 3).astype(np.float32))
        b2 = tf1.get_variable("b", initializer=np.zeros(3, np.float32))
    loss = tf1.reduce_mean(tf1.square(tf1.matmul(tf1.nn.relu(tf1.matmul(x, w1) + b1), w2) + b2 - y))
    step = tf1.train.get_or_create_global_step()
    train = tf1.train.AdamOptimizer(0.01).minimize(loss, global_step=step)
    tf1.get_variable("embedding", [7, 4], tf.float32, tf1.random_uniform_initializer(seed=1),
                     partitioner=tf1.fixed_size_partitioner(3))
    # slices starting at row 65 and 65 rows long: slice keys with two-byte numbers
    tf1.get_variable("wide", [130, 2], tf.float64, tf1.random_uniform_initializer(seed=2),
                     partitioner=tf1.fixed_size_partitioner(2))
    with tf1.variable_scope("dtypes"):
        values = {
            "f16": np.array([1.5, -2.25, 65504.0], np.float16),
            "f64": np.array([[np.pi, -1e300], [5e-324, 0.0]], np.float64),
            "i8": np.array([-128, 0, 127], np.int8),
            "i16": np.array([-32768, 7, 32767], np.int16),
            "i32": np.array([[-(2 ** 31), 1], [2, 2 ** 31 - 1]], np.int32),
            "i64": np.array([-(2 ** 63), 2 ** 63 - 1], np.int64),
            "u8": np.array([0, 200, 255], np.uint8),
            "u16": np.array([0, 40000, 65535], np.uint16),
            "u32": np.array([0, 2 ** 32 - 1], np.uint32),
            "u64": np.array([2 ** 64 - 1], np.uint64),
            "flag": np.array([True, False, True]),
            "c64": np.array([1 + 2j, -3.5j], np.complex64),
            "c128": np.array([[1e-10 + 1j]], np.complex128),
            "scalar": np.float32(7.25),
            "empty": np.zeros((0, 3), np.float32),
        }
        for name, value in values.items():
            tf1.get_variable(name, initializer=value)
        tf1.Variable(np.array([[b"", b"abc"], [b"\x00\xff binary", "h\u00e9llo".encode("utf-8")]], object),
                     dtype=tf.string, name="words")
        tf1.Variable(b"x" * 300, dtype=tf.string, name="long_word")   # a length needing a 2-byte varint
    feed = {x: rng.randn(5, 4).astype(np.float32), y: rng.randn(5, 3).astype(np.float32)}
    return train, feed


def encode(value):
    value = np.array(value, dtype=object) if isinstance(value, bytes) else np.asarray(value)
    if value.dtype == object:
        data = [base64.b64encode(bytes(v)).decode("ascii") for v in value.reshape(-1)]
        return {"dtype": "string", "shape": list(value.shape), "strings": data}
    return {"dtype": value.dtype.name, "shape": list(value.shape),
            "bytes": base64.b64encode(np.ascontiguousarray(value, value.dtype.newbyteorder("<")).tobytes())
            .decode("ascii")}


def main():
    tf1 = tf.compat.v1
    tf1.disable_eager_execution()
    train, feed = build()
    with tf1.Session() as sess:
        sess.run(tf1.global_variables_initializer())
        for _ in range(2):
            sess.run(train, feed)
        for stale in os.listdir(HERE):
            if stale.startswith(("model.ckpt", "sharded.ckpt")) or stale == "checkpoint":
                os.remove(os.path.join(HERE, stale))
        tf1.train.Saver(write_version=tf1.train.SaverDef.V2).save(sess, PREFIX, write_meta_graph=False,
                                                                  write_state=False)
    sharded = write_sharded()
    out = {"tensorflow": tf.__version__}
    for key, prefix in (("tensors", PREFIX), ("sharded", sharded)):
        reader = tf.train.load_checkpoint(prefix)
        out[key] = {name: encode(reader.get_tensor(name)) for name in sorted(reader.get_variable_to_shape_map())}
    with open(os.path.join(HERE, "expected.json"), "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write("\n")


def write_sharded():
    tf1 = tf.compat.v1
    prefix = os.path.join(HERE, "sharded.ckpt")
    with tf1.Graph().as_default():
        for device, name in (("/cpu:0", "first"), ("/cpu:1", "second")):
            with tf1.device(device):
                tf1.get_variable(name, initializer=np.arange(6, dtype=np.float32).reshape(2, 3) + len(name))
                tf1.get_variable(name + "_words", initializer=np.array([name.encode()] * 2, object),
                                 dtype=tf.string)
        config = tf1.ConfigProto(device_count={"CPU": 2})
        with tf1.Session(config=config) as sess:
            sess.run(tf1.global_variables_initializer())
            tf1.train.Saver(sharded=True).save(sess, prefix, write_meta_graph=False, write_state=False)
    return prefix


if __name__ == "__main__":
    main()
