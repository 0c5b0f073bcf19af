import tensorflow as tf, sys
out = sys.argv[1]
recs = [b"", b"hello", bytes(range(256)) * 5, b"x" * 1000]
for kind, name in [("", "plain"), ("GZIP", "gzip"), ("ZLIB", "zlib")]:
    with tf.io.TFRecordWriter(f"{out}/records_{name}.tfrecord", options=kind) as w:
        for r in recs: w.write(r)
ex = tf.train.Example(features=tf.train.Features(feature={
    "label": tf.train.Feature(int64_list=tf.train.Int64List(value=[7, -3, 2**40])),
    "score": tf.train.Feature(float_list=tf.train.FloatList(value=[0.5, -1.25, 3.0])),
    "name": tf.train.Feature(bytes_list=tf.train.BytesList(value=[b"cat", b""])),
    "empty": tf.train.Feature(),
}))
open(f"{out}/example.pb", "wb").write(ex.SerializeToString())
se = tf.train.SequenceExample(
    context=tf.train.Features(feature={"len": tf.train.Feature(int64_list=tf.train.Int64List(value=[2]))}),
    feature_lists=tf.train.FeatureLists(feature_list={"tok": tf.train.FeatureList(feature=[
        tf.train.Feature(int64_list=tf.train.Int64List(value=[1, 2])),
        tf.train.Feature(int64_list=tf.train.Int64List(value=[3]))])}))
open(f"{out}/sequence_example.pb", "wb").write(se.SerializeToString())
with tf.io.TFRecordWriter(f"{out}/examples.tfrecord") as w:
    for i in range(5):
        e = tf.train.Example(features=tf.train.Features(feature={
            "x": tf.train.Feature(float_list=tf.train.FloatList(value=[i, i * 0.5])),
            "y": tf.train.Feature(int64_list=tf.train.Int64List(value=[i])),
            "tags": tf.train.Feature(bytes_list=tf.train.BytesList(value=[b"t%d" % j for j in range(i)]))}))
        w.write(e.SerializeToString())
