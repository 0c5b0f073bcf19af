"""Neural-network primitives: activations, softmax, cross-entropies, bias_add (the OpDefs behind `tf.nn`)."""
__all__ = []
