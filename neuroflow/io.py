"""`tf.io`: write_graph / read graphs (and file helpers)."""
