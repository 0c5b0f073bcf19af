"""`tensorflow.core.framework.tensor_pb2`: TensorProto."""
from ...framework.tf_protos import TensorProto  # noqa: F401
