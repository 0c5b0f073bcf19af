"""`tensorflow.core.framework.node_def_pb2`: NodeDef."""
from ...framework.tf_protos import NodeDef  # noqa: F401
