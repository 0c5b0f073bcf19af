"""`tensorflow.python.summary`: summary."""
