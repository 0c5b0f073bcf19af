"""`tf.summary`: summary ops, FileWriter and event files that TensorBoard reads."""
