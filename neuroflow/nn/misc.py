"""`tf.nn` dropout, batch_normalization, fused_batch_norm, lrn, embedding_lookup, top_k, in_top_k."""
__all__ = []
