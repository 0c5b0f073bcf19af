"""`tensorflow.core.framework.types_pb2`: the DataType enum and its values (DT_FLOAT, ...)."""
from ...framework.tf_protos.types import DataType

globals().update(DataType.items())
