"""Writes tests/data/tf_readers.json: what TensorFlow's v1 readers return for the files tests/test_readers.py makes.

Run with the anchors' python: ~/.cache/neuroflow-anchors/bin/python tests/data/make_tf_readers.py <empty dir> > tests/data/tf_readers.json
(then compact it; the test compares parsed JSON)."""
import json, os, sys
import tensorflow.compat.v1 as tf
tf.disable_eager_execution()
d = sys.argv[1]
files = {"a.txt": b"head\nx1\r\nx2\n\nx4", "b.txt": b"y1\ny2\n", "f.bin": bytes(range(23))}
for n, b in files.items():
    open(os.path.join(d, n), "wb").write(b)
with tf.python_io.TFRecordWriter(os.path.join(d, "r.tfrecord")) as w:
    for rec in [b"one", b"", b"three33"]:
        w.write(rec)
def run(reader, names):
    with tf.Graph().as_default():
        q = tf.train.string_input_producer([os.path.join(d, n) for n in names], num_epochs=1, shuffle=False)
        k, v = reader().read(q)
        out = []
        with tf.Session() as s:
            s.run(tf.local_variables_initializer()); c = tf.train.Coordinator(); t = tf.train.start_queue_runners(s, c)
            try:
                while True:
                    kk, vv = s.run([k, v]); out.append([kk.decode().replace(d, "DIR"), vv.hex()])
            except tf.errors.OutOfRangeError:
                pass
            c.request_stop(); c.join(t)
        return out
res = {"text": run(lambda: tf.TextLineReader(skip_header_lines=1), ["a.txt", "b.txt"]),
       "text0": run(lambda: tf.TextLineReader(), ["a.txt"]),
       "whole": run(lambda: tf.WholeFileReader(), ["a.txt", "b.txt"]),
       "fixed": run(lambda: tf.FixedLengthRecordReader(5, header_bytes=2, footer_bytes=3), ["f.bin"]),
       "fixed_hop": run(lambda: tf.FixedLengthRecordReader(5, header_bytes=2, footer_bytes=3, hop_bytes=3), ["f.bin"]),
       "tfrecord": run(lambda: tf.TFRecordReader(), ["r.tfrecord"])}
print(json.dumps(res, indent=1))
