"""`tf.data.Dataset` and its transformations."""
__all__ = []
