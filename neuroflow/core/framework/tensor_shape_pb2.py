"""`tensorflow.core.framework.tensor_shape_pb2`: TensorShapeProto."""
from ...framework.tf_protos import TensorShapeProto  # noqa: F401
