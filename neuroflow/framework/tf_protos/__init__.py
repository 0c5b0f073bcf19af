"""TensorFlow's protocol buffer messages (GraphDef, NodeDef, AttrValue, TensorProto, MetaGraphDef, SavedModel,
...) with protobuf's Python API and byte-for-byte protobuf's binary and text formats, without the protobuf
package: reading a `.pb`, `.pbtxt`, `.meta` or `saved_model.pb` never runs code from the file.

    from neuroflow.framework.tf_protos import GraphDef
    graph_def = GraphDef.FromString(open("frozen_inference_graph.pb", "rb").read())
    graph_def.node[0].attr["dtype"].type            # 1 == DataType.DT_FLOAT
"""
from . import text_format
from ._message import DecodeError, Message
from .graph_messages import (AttrValue, FullTypeDef, FunctionDef, FunctionDefLibrary, GradientDef, GraphDef,
                             NameAttrList,
                             NodeDef, OpDef, OpDeprecation, OpList, RegisteredGradient, ResourceHandleProto,
                             TensorProto, TensorShapeProto, VariantTensorDataProto, VersionDef)
from .meta_graph_messages import (Any, AssetFileDef, CollectionDef, MetaGraphDef, SavedModel, SaverDef,
                                  SignatureDef, TensorInfo)
from .types import CheckpointFormatVersion, DataType, FullTypeId

__all__ = ["Message", "DecodeError", "text_format", "DataType", "FullTypeId", "CheckpointFormatVersion",
           "FullTypeDef", "AttrValue", "FunctionDef", "FunctionDefLibrary",
           "GradientDef", "GraphDef", "NameAttrList", "NodeDef", "OpDef", "OpDeprecation", "OpList",
           "RegisteredGradient", "ResourceHandleProto", "TensorProto", "TensorShapeProto",
           "VariantTensorDataProto", "VersionDef", "Any", "AssetFileDef", "CollectionDef", "MetaGraphDef",
           "SavedModel", "SaverDef", "SignatureDef", "TensorInfo"]

# The DataType values by name (DT_FLOAT, DT_INT32_REF, ...), as types_pb2 offers them.
globals().update({name: number for name, number in DataType.items()})
__all__ += DataType.keys()
