"""`tf.metrics`: streaming metrics (value, update_op) over local variables."""
