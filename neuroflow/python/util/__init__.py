"""`tensorflow.python.util`: compat (bytes/str helpers) and nest."""
