"""Writes reference.json: TensorFlow 2.21's tf.compat.v1.parse_example / parse_single_example of Examples with
FixedLenSequenceFeature(allow_missing=True) features (flat lists read as [steps] + shape, padded), next to the
serialized Examples (hex) and a FixedLenFeature and VarLenFeature in the same call
(tests/test_example_sequence_features.py).
Run with the anchors' python: ~/.cache/neuroflow-anchors/bin/python make_reference.py"""
import json
import os

import tensorflow.compat.v1 as tf

tf.disable_v2_behavior()


def example(floats, words, ints, label):
    feature = {"label": tf.train.Feature(int64_list=tf.train.Int64List(value=[label]))}
    if floats is not None:
        feature["pairs"] = tf.train.Feature(float_list=tf.train.FloatList(value=floats))
    if words is not None:
        feature["words"] = tf.train.Feature(bytes_list=tf.train.BytesList(value=words))
    if ints is not None:
        feature["ids"] = tf.train.Feature(int64_list=tf.train.Int64List(value=ints))
    return tf.train.Example(features=tf.train.Features(feature=feature)).SerializeToString()


SPEC = {"pairs": tf.io.FixedLenSequenceFeature([2], tf.float32, allow_missing=True),
        "words": tf.io.FixedLenSequenceFeature([], tf.string, allow_missing=True, default_value="pad"),
        "ids": tf.io.FixedLenSequenceFeature([], tf.int64, allow_missing=True, default_value=-1),
        "label": tf.io.FixedLenFeature([], tf.int64),
        "tags": tf.io.VarLenFeature(tf.string)}


def main():
    records = [example([1, 2, 3, 4], [b"a", b"bc"], None, 1), example(None, [b"x"], [5, 6, 7], 0),
               example([0.5, -1], [], [8], 2)]
    with tf.Graph().as_default(), tf.Session() as sess:
        batch = sess.run(tf.io.parse_example(records, SPEC))
        single = sess.run(tf.io.parse_single_example(records[0], SPEC))

    def text(x):
        if isinstance(x, list):
            return [text(y) for y in x]
        return x.decode() if isinstance(x, bytes) else x

    def plain(d):
        out = {}
        for k, v in d.items():
            if hasattr(v, "indices"):
                out[k] = {"indices": v.indices.tolist(), "values": text(v.values.tolist()),
                          "dense_shape": v.dense_shape.tolist()}
            else:
                out[k] = text(v.tolist())
        return out
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "reference.json"), "w") as f:
        json.dump({"records": [r.hex() for r in records], "batch": plain(batch), "single": plain(single)}, f,
                  indent=1)


if __name__ == "__main__":
    main()
