"""`tensorflow.core.framework.attr_value_pb2`: AttrValue, NameAttrList."""
from ...framework.tf_protos import AttrValue, NameAttrList  # noqa: F401
