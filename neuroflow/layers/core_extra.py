"""`tf.layers` Dropout/dropout (training=) and Flatten/flatten."""
__all__ = []
