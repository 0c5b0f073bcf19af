"""`tf.layers` pooling layers: max/average pooling in 1-D and 2-D."""
__all__ = []
