"""TensorFlow's meta graph and SavedModel messages (meta_graph.proto, saver.proto, saved_model.proto,
google.protobuf.Any), field for field, on neuroflow's message machinery."""
from ._message import Message, field, map_field
from .types import CheckpointFormatVersion
from .graph_messages import GraphDef, OpList, TensorProto, TensorShapeProto

__all__ = ["Any", "SaverDef", "CollectionDef", "TensorInfo", "SignatureDef", "AssetFileDef", "MetaGraphDef",
           "SavedModel"]


class Any(Message):
    _PROTO_NAME = "google.protobuf.Any"
    _FIELDS = [field("type_url", 1, "string"), field("value", 2, "bytes")]


class SaverDef(Message):
    _PROTO_NAME = "tensorflow.SaverDef"
    LEGACY, V1, V2 = 0, 1, 2
    CheckpointFormatVersion = CheckpointFormatVersion
    _FIELDS = [field("filename_tensor_name", 1, "string"), field("save_tensor_name", 2, "string"),
               field("restore_op_name", 3, "string"), field("max_to_keep", 4, "int32"),
               field("sharded", 5, "bool"), field("keep_checkpoint_every_n_hours", 6, "float"),
               field("version", 7, "enum", message=CheckpointFormatVersion)]


class CollectionDef(Message):
    _PROTO_NAME = "tensorflow.CollectionDef"

    class NodeList(Message):
        _PROTO_NAME = "tensorflow.CollectionDef.NodeList"
        _FIELDS = [field("value", 1, "string", True)]

    class BytesList(Message):
        _PROTO_NAME = "tensorflow.CollectionDef.BytesList"
        _FIELDS = [field("value", 1, "bytes", True)]

    class Int64List(Message):
        _PROTO_NAME = "tensorflow.CollectionDef.Int64List"
        _FIELDS = [field("value", 1, "int64", True)]

    class FloatList(Message):
        _PROTO_NAME = "tensorflow.CollectionDef.FloatList"
        _FIELDS = [field("value", 1, "float", True)]

    class AnyList(Message):
        _PROTO_NAME = "tensorflow.CollectionDef.AnyList"
        _FIELDS = [field("value", 1, "message", True, "Any")]

    _FIELDS = [field("node_list", 1, "message", message="CollectionDef.NodeList", oneof="kind"),
               field("bytes_list", 2, "message", message="CollectionDef.BytesList", oneof="kind"),
               field("int64_list", 3, "message", message="CollectionDef.Int64List", oneof="kind"),
               field("float_list", 4, "message", message="CollectionDef.FloatList", oneof="kind"),
               field("any_list", 5, "message", message="CollectionDef.AnyList", oneof="kind")]


class TensorInfo(Message):
    _PROTO_NAME = "tensorflow.TensorInfo"

    class CooSparse(Message):
        _PROTO_NAME = "tensorflow.TensorInfo.CooSparse"
        _FIELDS = [field("values_tensor_name", 1, "string"), field("indices_tensor_name", 2, "string"),
                   field("dense_shape_tensor_name", 3, "string")]

    _FIELDS = [field("name", 1, "string", oneof="encoding"),
               field("coo_sparse", 4, "message", message="TensorInfo.CooSparse", oneof="encoding"),
               field("dtype", 2, "enum"), field("tensor_shape", 3, "message", message="TensorShapeProto")]


class SignatureDef(Message):
    _PROTO_NAME = "tensorflow.SignatureDef"
    _FIELDS = [map_field("inputs", 1, "string", "message", "TensorInfo"),
               map_field("outputs", 2, "string", "message", "TensorInfo"), field("method_name", 3, "string"),
               map_field("defaults", 4, "string", "message", "TensorProto")]


class AssetFileDef(Message):
    _PROTO_NAME = "tensorflow.AssetFileDef"
    _FIELDS = [field("tensor_info", 1, "message", message="TensorInfo"), field("filename", 2, "string")]


class MetaGraphDef(Message):
    """TensorFlow's MetaGraphDef: `meta_info_def`, `graph_def`, `saver_def`, `collection_def`,
    `signature_def`, `asset_file_def`."""
    _PROTO_NAME = "tensorflow.MetaGraphDef"

    class MetaInfoDef(Message):
        _PROTO_NAME = "tensorflow.MetaGraphDef.MetaInfoDef"
        _FIELDS = [field("meta_graph_version", 1, "string"),
                   field("stripped_op_list", 2, "message", message="OpList"),
                   field("any_info", 3, "message", message="Any"), field("tags", 4, "string", True),
                   field("tensorflow_version", 5, "string"), field("tensorflow_git_version", 6, "string"),
                   field("stripped_default_attrs", 7, "bool"),
                   map_field("function_aliases", 8, "string", "string")]

    _FIELDS = [field("meta_info_def", 1, "message", message="MetaGraphDef.MetaInfoDef"),
               field("graph_def", 2, "message", message="GraphDef"),
               field("saver_def", 3, "message", message="SaverDef"),
               map_field("collection_def", 4, "string", "message", "CollectionDef"),
               map_field("signature_def", 5, "string", "message", "SignatureDef"),
               field("asset_file_def", 6, "message", True, "AssetFileDef")]


class SavedModel(Message):
    _PROTO_NAME = "tensorflow.SavedModel"
    _FIELDS = [field("saved_model_schema_version", 1, "int64"),
               field("meta_graphs", 2, "message", True, "MetaGraphDef")]


_ = (GraphDef, OpList, TensorProto, TensorShapeProto)   # names the field lists above refer to
