"""`tensorflow.python.training`: saver, training_util, optimizer modules — aliases of `tf.train`."""
