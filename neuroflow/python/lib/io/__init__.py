"""`tensorflow.python.lib.io`: file_io."""
