"""Set-ups the graph export tests share (test_freeze_graph, test_saved_model): running a GraphDef's bytes imported
into a fresh graph, a small linear model with a SavedModelBuilder over it, and a SavedModel holding an asset."""
import contextlib

import numpy as np

import neuroflow as tf


def run_from_bytes(graph_def, fetches, feed=None):
    """Imports `graph_def` (a message, whose serialized bytes are read back as `tf.GraphDef`, or the bytes) into a
    fresh graph, with no name prefix, and runs `fetches` (names) there with `feed` ({name: value})."""
    data = graph_def if isinstance(graph_def, bytes) else graph_def.SerializeToString()
    with tf.Graph().as_default():
        tf.import_graph_def(tf.GraphDef.FromString(data), name="")
        with tf.Session() as sess:
            return sess.run(fetches, feed)


def linear_model():
    """In the default graph: x [None, 2] -> y = x @ w + b, with variables w = [[1], [-2]] and b = 0.5; (x, y)."""
    x = tf.placeholder(tf.float32, [None, 2], name="x")
    w = tf.Variable(np.array([[1.0], [-2.0]], np.float32), name="w")
    b = tf.Variable(0.5, name="b")
    return x, tf.add(tf.matmul(x, w), b, name="y")


@contextlib.contextmanager
def linear_model_builder(export_dir, with_signature=True):
    """Builds `linear_model()` in the default graph and initializes it in a Session; yields (sess, builder, x, y)
    where `builder`, a SavedModelBuilder for `export_dir`, holds the graph under the tag "serve" with its variables
    (and a "serving_default" predict signature x -> y, `with_signature`), not saved yet."""
    x, y = linear_model()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        builder = tf.saved_model.builder.SavedModelBuilder(export_dir)
        signatures = {"serving_default": tf.saved_model.predict_signature_def({"x": x}, {"y": y})}
        builder.add_meta_graph_and_variables(sess, ["serve"], signatures if with_signature else None)
        yield sess, builder, x, y


def simple_save_with_asset(source, export_dir):
    """Writes with `tf.saved_model.simple_save` to `export_dir` a graph holding the asset file `source` (a path)
    and a legacy init op that stores the asset's path, as the loaded SavedModel sees it, in variable
    "remembered"; its signature maps string input "x" to output "y" (an identity)."""
    asset = tf.constant(str(source), name="vocab_path")
    tf.add_to_collection(tf.GraphKeys.ASSET_FILEPATHS, asset)
    remembered = tf.Variable("", name="remembered", trainable=False)
    x = tf.placeholder(tf.string, [None], name="x")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        tf.saved_model.simple_save(sess, export_dir, {"x": x}, {"y": tf.identity(x, name="y")},
                                   legacy_init_op=tf.assign(remembered, asset).op)
    return asset
