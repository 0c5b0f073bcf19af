"""Variables: `tf.Variable`, `tf.get_variable` with variable scopes, initializers, and the variable collections."""
