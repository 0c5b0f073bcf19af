"""`tensorflow.python.framework.ops`: graphs, tensors and their helpers (`reset_default_graph`, `Graph`,
`convert_to_tensor`, `name_scope`, `control_dependencies`, collections, gradient registration)."""
from ...util.lazy_alias import alias_module

_NAMES = """
Graph GraphKeys Operation Tensor add_to_collection add_to_collections control_dependencies convert_to_tensor
device get_collection get_collection_ref get_default_graph get_default_session name_scope reset_default_graph
register_tensor_conversion_function RegisterGradient NotDifferentiable no_gradient executing_eagerly
enable_eager_execution disable_eager_execution eager_mode graph_mode IndexedSlices IndexedSlicesValue
""".split()
_TABLE = {name: name for name in _NAMES}
_TABLE.update({"convert_to_tensor_or_indexed_slices": "convert_to_tensor_or_indexed_slices",
               "colocate_with": "colocate_with", "op_scope": "name_scope"})
alias_module(globals(), _TABLE)
