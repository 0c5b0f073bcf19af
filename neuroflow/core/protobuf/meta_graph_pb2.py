"""`tensorflow.core.protobuf.meta_graph_pb2`: MetaGraphDef, CollectionDef, SignatureDef, TensorInfo, AssetFileDef."""
from ...framework.tf_protos import AssetFileDef, CollectionDef, MetaGraphDef, SignatureDef, TensorInfo  # noqa: F401
