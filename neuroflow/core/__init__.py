"""`tensorflow.core`'s module paths for TensorFlow's protocol buffer messages (`from neuroflow.core.framework
import graph_pb2`): thin modules re-exporting framework/tf_protos, never copies."""
