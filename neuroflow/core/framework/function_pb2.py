"""`tensorflow.core.framework.function_pb2`: FunctionDef, FunctionDefLibrary, GradientDef."""
from ...framework.tf_protos import FunctionDef, FunctionDefLibrary, GradientDef  # noqa: F401
