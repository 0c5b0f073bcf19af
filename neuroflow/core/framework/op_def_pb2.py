"""`tensorflow.core.framework.op_def_pb2`: OpDef, OpList, OpDeprecation."""
from ...framework.tf_protos import OpDef, OpDeprecation, OpList  # noqa: F401
