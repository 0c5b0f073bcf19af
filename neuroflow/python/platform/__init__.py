"""`tensorflow.python.platform`: app, flags, tf_logging, gfile, test, googletest — the scaffolding modules."""
