"""NN primitives beyond activations: dropout masks, batch normalization, LRN, top_k, in_top_k."""
__all__ = []
