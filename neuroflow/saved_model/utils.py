"""TensorInfo protos for signatures: describe a graph's tensor by name, dtype and shape
(`tf.saved_model.utils.build_tensor_info`) and find it again in a loaded graph (`get_tensor_from_tensor_info`)."""
from ..framework.context import executing_eagerly
from ..framework.graph import get_default_graph
from ..framework.sparse_tensor import SparseTensor

__all__ = ["build_tensor_info", "build_tensor_info_from_op", "get_tensor_from_tensor_info",
           "get_element_from_tensor_info"]


def shape_proto(shape):
    """A TensorShapeProto of a TensorShape (unknown dims are -1, an unknown rank sets `unknown_rank`)."""
    from ..framework.tf_protos import TensorShapeProto
    proto = TensorShapeProto()
    if shape.ndims is None:
        proto.unknown_rank = True
    else:
        for dim in shape.as_list():
            proto.dim.add(size=-1 if dim is None else dim)
    return proto


def build_tensor_info(tensor):
    """A TensorInfo naming `tensor` (a Tensor or SparseTensor of a graph) with its dtype and static shape.

    Raises:
        RuntimeError: in eager mode (TensorFlow's signatures name graph tensors).

    Example:
        >>> info = tf.saved_model.utils.build_tensor_info(x)   # name "x:0", dtype DT_FLOAT, shape [-1, 4]
    """
    if executing_eagerly():
        raise RuntimeError("`build_tensor_info` is not supported in eager execution.")
    from ..framework.tf_protos import TensorInfo
    info = TensorInfo(dtype=tensor.dtype.base_dtype.as_datatype_enum, tensor_shape=shape_proto(tensor.get_shape()))
    if isinstance(tensor, SparseTensor):
        info.coo_sparse.values_tensor_name = tensor.values.name
        info.coo_sparse.indices_tensor_name = tensor.indices.name
        info.coo_sparse.dense_shape_tensor_name = tensor.dense_shape.name
    else:
        info.name = tensor.name
    return info


def build_tensor_info_from_op(op):
    """A TensorInfo naming an Operation (TensorFlow's way to list an init or train op in a signature)."""
    if executing_eagerly():
        raise RuntimeError("`build_tensor_info_from_op` is not supported in eager execution.")
    from ..framework.tf_protos import TensorInfo, TensorShapeProto
    return TensorInfo(dtype=0, name=op.name, tensor_shape=TensorShapeProto(unknown_rank=True))   # 0: DT_INVALID


def _prepend(name, import_scope):
    if not import_scope:
        return name
    if name.startswith("^"):
        return "^" + import_scope + "/" + name[1:]
    return import_scope + "/" + name


def get_tensor_from_tensor_info(tensor_info, graph=None, import_scope=None):
    """The Tensor (or SparseTensor) of `graph` (default: the default graph) that `tensor_info` names, inside
    `import_scope` when the graph was loaded into one.

    Raises:
        KeyError: no such tensor in the graph.
        ValueError: `tensor_info` has no encoding.
    """
    graph = graph or get_default_graph()

    def tensor(name):
        return graph.get_tensor_by_name(_prepend(name, import_scope))

    encoding = tensor_info.WhichOneof("encoding")
    if encoding == "name":
        return tensor(tensor_info.name)
    if encoding == "coo_sparse":
        sparse = tensor_info.coo_sparse
        return SparseTensor(tensor(sparse.indices_tensor_name), tensor(sparse.values_tensor_name),
                            tensor(sparse.dense_shape_tensor_name))
    raise ValueError(f"Invalid TensorInfo.encoding: {encoding}. Expected `coo_sparse`, `composite_tensor`, or "
                     "`name` for a dense tensor.")


def get_element_from_tensor_info(tensor_info, graph=None, import_scope=None):
    """The Operation or Tensor of `graph` that `tensor_info` names (init and train ops are listed by op name)."""
    graph = graph or get_default_graph()
    return graph.as_graph_element(_prepend(tensor_info.name, import_scope))
