"""`tf.initializers`: initializer classes by their short names, plus the variable-collection initializers."""
from .variables.collections import global_variables_initializer as global_variables  # noqa: F401
from .variables.collections import local_variables_initializer as local_variables  # noqa: F401
from .variables.collections import variables_initializer as variables  # noqa: F401
from .variables.initializers import (Constant as constant, GlorotNormal as glorot_normal,  # noqa: F401
                                     GlorotUniform as glorot_uniform, Ones as ones, RandomNormal as random_normal,
                                     RandomUniform as random_uniform, TruncatedNormal as truncated_normal,
                                     VarianceScaling as variance_scaling, Zeros as zeros, he_normal, he_uniform,
                                     lecun_normal, lecun_uniform)

from .util.lazy_alias import alias_module  # noqa: E402

# TF1's other tf.initializers names, each the top-level `tf.<name>_initializer` when neuroflow has it.
alias_module(globals(), {"orthogonal": "orthogonal_initializer", "identity": "identity_initializer",
                         "uniform_unit_scaling": "uniform_unit_scaling_initializer",
                         "tables_initializer": "tables_initializer"})
