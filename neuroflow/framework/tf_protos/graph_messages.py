"""TensorFlow's graph messages (tensor_shape.proto, tensor.proto, attr_value.proto, node_def.proto,
function.proto, op_def.proto, versions.proto, graph.proto), field for field, on neuroflow's message machinery."""
from ._message import Message, field, map_field
from .types import FullTypeId

__all__ = ["FullTypeDef", "TensorShapeProto",
           "ResourceHandleProto", "VariantTensorDataProto", "TensorProto", "AttrValue",
           "NameAttrList", "NodeDef", "VersionDef", "OpDeprecation", "OpDef", "OpList", "FunctionDef",
           "GradientDef", "RegisteredGradient", "FunctionDefLibrary", "GraphDef"]


class FullTypeDef(Message):
    _PROTO_NAME = "tensorflow.FullTypeDef"
    _FIELDS = [field("type_id", 1, "enum", message=FullTypeId), field("args", 2, "message", True, "FullTypeDef"),
               field("s", 3, "string", oneof="attr"), field("i", 4, "int64", oneof="attr")]


class TensorShapeProto(Message):
    _PROTO_NAME = "tensorflow.TensorShapeProto"

    class Dim(Message):
        _PROTO_NAME = "tensorflow.TensorShapeProto.Dim"
        _FIELDS = [field("size", 1, "int64"), field("name", 2, "string")]

    _FIELDS = [field("dim", 2, "message", True, "TensorShapeProto.Dim"), field("unknown_rank", 3, "bool")]


class ResourceHandleProto(Message):
    _PROTO_NAME = "tensorflow.ResourceHandleProto"

    class DtypeAndShape(Message):
        _PROTO_NAME = "tensorflow.ResourceHandleProto.DtypeAndShape"
        _FIELDS = [field("dtype", 1, "enum"), field("shape", 2, "message", message="TensorShapeProto")]

    _FIELDS = [field("device", 1, "string"), field("container", 2, "string"), field("name", 3, "string"),
               field("hash_code", 4, "uint64"), field("maybe_type_name", 5, "string"),
               field("dtypes_and_shapes", 6, "message", True, "ResourceHandleProto.DtypeAndShape")]


class VariantTensorDataProto(Message):
    _PROTO_NAME = "tensorflow.VariantTensorDataProto"
    _FIELDS = [field("type_name", 1, "string"), field("metadata", 2, "bytes"),
               field("tensors", 3, "message", True, "TensorProto")]


class TensorProto(Message):
    _PROTO_NAME = "tensorflow.TensorProto"
    _FIELDS = [field("dtype", 1, "enum"), field("tensor_shape", 2, "message", message="TensorShapeProto"),
               field("version_number", 3, "int32"), field("tensor_content", 4, "bytes"),
               field("half_val", 13, "int32", True), field("float_val", 5, "float", True),
               field("double_val", 6, "double", True), field("int_val", 7, "int32", True),
               field("string_val", 8, "bytes", True), field("scomplex_val", 9, "float", True),
               field("int64_val", 10, "int64", True), field("bool_val", 11, "bool", True),
               field("dcomplex_val", 12, "double", True),
               field("resource_handle_val", 14, "message", True, "ResourceHandleProto"),
               field("variant_val", 15, "message", True, "VariantTensorDataProto"),
               field("uint32_val", 16, "uint32", True), field("uint64_val", 17, "uint64", True),
               field("float8_val", 18, "bytes")]


class NameAttrList(Message):
    _PROTO_NAME = "tensorflow.NameAttrList"
    _FIELDS = [field("name", 1, "string"), map_field("attr", 2, "string", "message", "AttrValue")]


class AttrValue(Message):
    _PROTO_NAME = "tensorflow.AttrValue"

    class ListValue(Message):
        _PROTO_NAME = "tensorflow.AttrValue.ListValue"
        _FIELDS = [field("s", 2, "bytes", True), field("i", 3, "int64", True), field("f", 4, "float", True),
                   field("b", 5, "bool", True), field("type", 6, "enum", True),
                   field("shape", 7, "message", True, "TensorShapeProto"),
                   field("tensor", 8, "message", True, "TensorProto"),
                   field("func", 9, "message", True, "NameAttrList")]

    _FIELDS = [field("list", 1, "message", message="AttrValue.ListValue", oneof="value"),
               field("s", 2, "bytes", oneof="value"), field("i", 3, "int64", oneof="value"),
               field("f", 4, "float", oneof="value"), field("b", 5, "bool", oneof="value"),
               field("type", 6, "enum", oneof="value"),
               field("shape", 7, "message", message="TensorShapeProto", oneof="value"),
               field("tensor", 8, "message", message="TensorProto", oneof="value"),
               field("placeholder", 9, "string", oneof="value"),
               field("func", 10, "message", message="NameAttrList", oneof="value")]


class NodeDef(Message):
    _PROTO_NAME = "tensorflow.NodeDef"

    class ExperimentalDebugInfo(Message):
        _PROTO_NAME = "tensorflow.NodeDef.ExperimentalDebugInfo"
        _FIELDS = [field("original_node_names", 1, "string", True),
                   field("original_func_names", 2, "string", True)]

    _FIELDS = [field("name", 1, "string"), field("op", 2, "string"), field("input", 3, "string", True),
               field("device", 4, "string"), map_field("attr", 5, "string", "message", "AttrValue"),
               field("experimental_debug_info", 6, "message", message="NodeDef.ExperimentalDebugInfo"),
               field("experimental_type", 7, "message", message="FullTypeDef")]


class VersionDef(Message):
    _PROTO_NAME = "tensorflow.VersionDef"
    _FIELDS = [field("producer", 1, "int32"), field("min_consumer", 2, "int32"),
               field("bad_consumers", 3, "int32", True)]


class OpDeprecation(Message):
    _PROTO_NAME = "tensorflow.OpDeprecation"
    _FIELDS = [field("version", 1, "int32"), field("explanation", 2, "string")]


class OpDef(Message):
    _PROTO_NAME = "tensorflow.OpDef"

    class ArgDef(Message):
        _PROTO_NAME = "tensorflow.OpDef.ArgDef"
        _FIELDS = [field("name", 1, "string"), field("description", 2, "string"), field("type", 3, "enum"),
                   field("type_attr", 4, "string"), field("number_attr", 5, "string"),
                   field("type_list_attr", 6, "string"),
                   field("handle_data", 7, "message", True, "ResourceHandleProto.DtypeAndShape"),
                   field("is_ref", 16, "bool"),
                   field("experimental_full_type", 17, "message", message="FullTypeDef")]

    class AttrDef(Message):
        _PROTO_NAME = "tensorflow.OpDef.AttrDef"
        _FIELDS = [field("name", 1, "string"), field("type", 2, "string"),
                   field("default_value", 3, "message", message="AttrValue"), field("description", 4, "string"),
                   field("has_minimum", 5, "bool"), field("minimum", 6, "int64"),
                   field("allowed_values", 7, "message", message="AttrValue")]

    _FIELDS = [field("name", 1, "string"), field("input_arg", 2, "message", True, "OpDef.ArgDef"),
               field("output_arg", 3, "message", True, "OpDef.ArgDef"),
               field("control_output", 20, "string", True), field("attr", 4, "message", True, "OpDef.AttrDef"),
               field("deprecation", 8, "message", message="OpDeprecation"), field("summary", 5, "string"),
               field("description", 6, "string"), field("is_commutative", 18, "bool"),
               field("is_aggregate", 16, "bool"), field("is_stateful", 17, "bool"),
               field("allows_uninitialized_input", 19, "bool"), field("is_distributed_communication", 21, "bool")]


class OpList(Message):
    _PROTO_NAME = "tensorflow.OpList"
    _FIELDS = [field("op", 1, "message", True, "OpDef")]


class FunctionDef(Message):
    _PROTO_NAME = "tensorflow.FunctionDef"

    class ArgAttrs(Message):
        _PROTO_NAME = "tensorflow.FunctionDef.ArgAttrs"
        _FIELDS = [map_field("attr", 1, "string", "message", "AttrValue")]

    _FIELDS = [field("signature", 1, "message", message="OpDef"),
               map_field("attr", 5, "string", "message", "AttrValue"),
               map_field("arg_attr", 7, "uint32", "message", "FunctionDef.ArgAttrs"),
               map_field("resource_arg_unique_id", 8, "uint32", "uint32"),
               field("node_def", 3, "message", True, "NodeDef"), map_field("ret", 4, "string", "string"),
               map_field("control_ret", 6, "string", "string")]


class GradientDef(Message):
    _PROTO_NAME = "tensorflow.GradientDef"
    _FIELDS = [field("function_name", 1, "string"), field("gradient_func", 2, "string")]


class RegisteredGradient(Message):
    _PROTO_NAME = "tensorflow.RegisteredGradient"
    _FIELDS = [field("gradient_func", 1, "string"), field("registered_op_type", 2, "string")]


class FunctionDefLibrary(Message):
    _PROTO_NAME = "tensorflow.FunctionDefLibrary"
    _FIELDS = [field("function", 1, "message", True, "FunctionDef"),
               field("gradient", 2, "message", True, "GradientDef"),
               field("registered_gradients", 3, "message", True, "RegisteredGradient")]


class GraphDef(Message):
    """TensorFlow's GraphDef: `node` (NodeDefs), `versions`, `library` (functions).

    Example:
        >>> graph_def = GraphDef()
        >>> with open("frozen_inference_graph.pb", "rb") as f:
        ...     graph_def.ParseFromString(f.read())
        >>> [n.op for n in graph_def.node][:2]
        ['Placeholder', 'Const']
    """
    _PROTO_NAME = "tensorflow.GraphDef"
    _FIELDS = [field("node", 1, "message", True, "NodeDef"), field("library", 2, "message",
                                                                     message="FunctionDefLibrary"),
               field("version", 3, "int32"), field("versions", 4, "message", message="VersionDef")]
