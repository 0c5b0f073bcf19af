"""`tensorflow.core.framework`: the `*_pb2` modules of TensorFlow's graph messages."""
