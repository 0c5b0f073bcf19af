"""`tf.losses`: weighted, reduced losses collected in the LOSSES collection."""
