"""`tensorflow.core.framework.versions_pb2`: VersionDef."""
from ...framework.tf_protos import VersionDef  # noqa: F401
