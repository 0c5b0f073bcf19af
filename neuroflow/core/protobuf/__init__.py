"""`tensorflow.core.protobuf`: the `*_pb2` modules of TensorFlow's meta graph, saver and SavedModel messages."""
