"""`tf.layers.batch_normalization` / BatchNormalization, with moving statistics updated through UPDATE_OPS."""
__all__ = []
