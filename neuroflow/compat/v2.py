"""`tf.compat.v2`: neuroflow seen as TensorFlow 2's namespace — the same implementations, without the TF1-only
graph-building names TensorFlow 2 dropped from its top level (placeholder, Session, get_variable, tf.app, ...),
which stay reachable under `tf.compat.v1`."""
import neuroflow as _tf

# TF2's top level lacks these (they live in tf.compat.v1 there); everything else resolves to neuroflow's own.
_REMOVED_IN_V2 = frozenset("""
AUTO_REUSE ConfigProto GPUOptions GraphOptions InteractiveSession OptimizerOptions RunMetadata RunOptions Session
SparseTensorValue
VariableScope VariableV1 add_check_numerics_ops add_to_collection add_to_collections all_variables app arg_max
arg_min assign assign_add assign_sub cholesky cholesky_solve contrib cross diag diag_part disable_eager_execution
disable_v2_behavior div enable_eager_execution enable_v2_behavior floor_div flags get_collection get_collection_ref
get_default_graph get_default_session get_variable get_variable_scope gfile glorot_normal_initializer
glorot_uniform_initializer global_variables global_variables_initializer initialize_all_variables
initialize_variables is_variable_initialized layers lin_space local_variables local_variables_initializer logging
matrix_band_part matrix_determinant matrix_diag matrix_diag_part matrix_inverse matrix_set_diag matrix_solve
matrix_solve_ls matrix_transpose matrix_triangular_solve model_variables moving_average_variables multinomial
placeholder placeholder_with_default py_func random_normal random_normal_initializer random_shuffle random_uniform
random_uniform_initializer report_uninitialized_variables reset_default_graph self_adjoint_eig self_adjoint_eigvals
set_random_seed sparse_add sparse_concat sparse_placeholder sparse_reduce_sum sparse_reorder sparse_reshape
sparse_tensor_dense_matmul sparse_tensor_to_dense sparse_to_dense svd to_double to_float to_int32 to_int64
trainable_variables truncated_normal_initializer variable_scope variables_initializer variance_scaling_initializer
zeros_initializer ones_initializer constant_initializer Print VERSION GIT_VERSION COMPILER_VERSION
""".split())


def __getattr__(name):
    if name in _REMOVED_IN_V2 or name.startswith("_"):
        raise AttributeError(f"module '{__name__}' has no attribute '{name}'")
    try:
        return getattr(_tf, name)
    except AttributeError:
        raise AttributeError(f"module '{__name__}' has no attribute '{name}'") from None


def __dir__():
    return sorted(n for n in dir(_tf) if not n.startswith("_") and n not in _REMOVED_IN_V2)
