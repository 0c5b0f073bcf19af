"""`tensorflow.core.protobuf.saved_model_pb2`: SavedModel."""
from ...framework.tf_protos import SavedModel  # noqa: F401
