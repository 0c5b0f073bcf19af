"""`tf.nn`: neural-network functions (activations, softmax, losses, normalization)."""
