"""`tf.contrib.rnn`: the RNN cells and runners under their contrib names."""
