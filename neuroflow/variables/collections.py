"""The variable collections and their initializers: `tf.global_variables()`, `tf.trainable_variables()`,
`tf.global_variables_initializer()`, `tf.report_uninitialized_variables()`, ..."""
from ..framework.apply import apply_op
from ..framework.graph import GraphKeys, get_default_graph, name_scope
from ..ops import control_flow_ops, state_ops

__all__ = ["global_variables", "trainable_variables", "local_variables", "model_variables",
           "moving_average_variables", "variables_initializer", "global_variables_initializer",
           "local_variables_initializer", "initialize_all_variables", "initialize_variables",
           "report_uninitialized_variables", "all_variables"]


def global_variables(scope=None):
    """Variables in GLOBAL_VARIABLES (optionally whose names match regex `scope` at the start)."""
    return get_default_graph().get_collection(GraphKeys.GLOBAL_VARIABLES, scope)


all_variables = global_variables


def trainable_variables(scope=None):
    """Variables created with `trainable=True`: what optimizers update by default."""
    return get_default_graph().get_collection(GraphKeys.TRAINABLE_VARIABLES, scope)


def local_variables(scope=None):
    return get_default_graph().get_collection(GraphKeys.LOCAL_VARIABLES, scope)


def model_variables(scope=None):
    return get_default_graph().get_collection(GraphKeys.MODEL_VARIABLES, scope)


def moving_average_variables(scope=None):
    return get_default_graph().get_collection(GraphKeys.MOVING_AVERAGE_VARIABLES, scope)


def variables_initializer(var_list, name="init"):
    """One op that runs the initializers of `var_list` (a no-op for an empty list)."""
    if var_list:
        return control_flow_ops.group(*[v.initializer for v in var_list], name=name)
    return control_flow_ops.no_op(name=name)


initialize_variables = variables_initializer


def global_variables_initializer():
    """The op that initializes every global variable: `sess.run(tf.global_variables_initializer())`."""
    return variables_initializer(global_variables())


initialize_all_variables = global_variables_initializer


def local_variables_initializer():
    return variables_initializer(local_variables())


def report_uninitialized_variables(var_list=None, name="report_uninitialized_variables"):
    """A 1-D string tensor: the names of the variables (default: all global and local) not yet initialized."""
    if var_list is None:
        var_list = global_variables() + local_variables()
    with name_scope(name) as scope:
        return apply_op(state_ops.ReportUninitializedVariables, [v._ref() for v in var_list], name=scope)
