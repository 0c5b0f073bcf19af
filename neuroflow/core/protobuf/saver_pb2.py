"""`tensorflow.core.protobuf.saver_pb2`: SaverDef."""
from ...framework.tf_protos import SaverDef  # noqa: F401
