"""neuroflow: TensorFlow 1.x's graph-and-session programming model on NumPy. `import neuroflow as tf`.

This module is the public surface only; everything is defined in the subpackages.
"""
from . import contrib, data, debugging, errors, initializers, layers, losses, metrics, nn, regularizers, train
from . import bitwise, compat, dtypes, strings  # noqa: F401 - compat.v1 is this package itself
from . import estimator  # noqa: F401 - tf.estimator
from .framework.apply import convert_to_tensor, register_tensor_conversion_function
from .framework.constant_op import constant
from .framework.dtypes import (DType, as_dtype, bool, complex64, complex128, double, float16, float32,  # noqa: A004
                               float64, half, int8, int16, int32, int64, string, uint8, uint16, uint32, uint64)
from .framework.graph import Graph, GraphKeys, get_default_graph, name_scope, reset_default_graph
from .framework.graph_io_import import import_graph_def
from .framework.graph_api import add_to_collection, add_to_collections, device, get_collection, get_collection_ref
from .framework.operation import Operation
from .framework.random_seed import set_random_seed
from .framework.tensor import Tensor
from .framework.tensor_shape import Dimension, TensorShape
from .ops import overloads as _overloads  # noqa: F401 - installs the Tensor operators
from .ops.array_ops import fill, identity, ones, placeholder, placeholder_with_default, reshape, shape, stack, zeros
from .ops.control_flow_ops import case, cond, control_dependencies, group, no_op, tuple, while_loop  # noqa: A004
from .ops.linalg_ops import matmul, tensordot
from .ops.math_ops import (abs, add, cast, ceil, cos, div, div_no_nan, divide, equal, exp, floor,  # noqa: A004
                           floor_div, floordiv, floormod, greater, greater_equal, less, less_equal, log, log1p,
                           logical_and, logical_not, logical_or, logical_xor, maximum, minimum, mod, multiply,
                           negative, not_equal, pow, realdiv, reciprocal, round, rsqrt, scalar_mul, sigmoid, sign,
                           sin, sqrt, square, squared_difference, subtract, tan, tanh, to_double, to_float, to_int32,
                           to_int64, truediv, truncatediv)
from .ops.debug_ops import add_check_numerics_ops, check_numerics
from .ops.logging_ops import Assert, Print, print_v2 as print  # noqa: A004 - TensorFlow's tf.print
from .ops.script_ops import numpy_function, py_func
from .ops.py_function_ops import py_function
from .ops.check_ops import *  # noqa: F401,F403 - tf.assert_equal, tf.assert_positive, ...
from .ops.random_ops import (multinomial, random_gamma, random_normal, random_poisson, random_shuffle,
                             random_uniform, truncated_normal)
from .ops.reduce_ops import reduce_mean, reduce_sum
from .ops.slicing import strided_slice
from .ops.state_ops import assign, assign_add, assign_sub, is_variable_initialized
from .runtime.session import (ConfigProto, GPUOptions, GraphOptions, InteractiveSession, OptimizerOptions,
                              RunMetadata, RunOptions, Session, get_default_session)
from .variables.collections import (all_variables, global_variables, global_variables_initializer,
                                    initialize_all_variables, initialize_variables, local_variables,
                                    local_variables_initializer, model_variables, moving_average_variables,
                                    report_uninitialized_variables, trainable_variables, variables_initializer)
from .variables.initializers import (constant_initializer, glorot_normal_initializer, glorot_uniform_initializer,
                                     ones_initializer, orthogonal_initializer, random_normal_initializer,
                                     random_uniform_initializer, truncated_normal_initializer,
                                     variance_scaling_initializer, zeros_initializer)
from .variables.scope import AUTO_REUSE, VariableScope, get_variable, get_variable_scope, variable_scope
from .variables.variable import Variable, VariableV1
from .eager import GradientTape, function
from .framework.context import (disable_eager_execution, eager_mode, enable_eager_execution, executing_eagerly,
                                graph_mode)
from .compat.behavior import disable_v2_behavior, enable_v2_behavior
from .tf_logging import get_logger
from .nn.rnn import reverse_sequence

newaxis = None
from .version import COMPILER_VERSION, VERSION
__version__ = VERSION

from .autodiff import gradients, stop_gradient
from .autodiff.custom_gradient import custom_gradient
from .autodiff.gradient_overrides import NotDifferentiable, RegisterGradient, no_gradient
from .ops.array_ops import unstack
from .ops.grad_support_ops import add_n, broadcast_to, expand_dims, ones_like, size, where, zeros_like
from .ops.clip_ops import *  # noqa: F401,F403 - each family module lists its public names in __all__
from .ops.concat_ops import *  # noqa: F401,F403
from .ops.index_ops import *  # noqa: F401,F403
from .ops.manip_ops import *  # noqa: F401,F403
from .ops.argminmax_ops import *  # noqa: F401,F403
from .ops.cumulative_ops import *  # noqa: F401,F403
from .ops.norm_ops import *  # noqa: F401,F403
from .ops.pad_ops import *  # noqa: F401,F403
from .ops.reduce_ops import *  # noqa: F401,F403
from .ops.matrix_ops import *  # noqa: F401,F403
from .ops.linalg_decomp_ops import *  # noqa: F401,F403
from .ops.segment_ops import *  # noqa: F401,F403
from .ops.special_math_ops import *  # noqa: F401,F403
from .ops.einsum_ops import *  # noqa: F401,F403
from .ops.counting_ops import *  # noqa: F401,F403
from .ops.math_compositions import *  # noqa: F401,F403
from .ops.tensor_array_ops import TensorArray
from .framework.sparse_tensor import SparseTensor, SparseTensorValue
from .ops.nd_index_ops import *  # noqa: F401,F403
from .ops.sparse_ops import *  # noqa: F401,F403
from .framework.indexed_slices import IndexedSlices, IndexedSlicesValue
from .ops.scatter_ops import *  # noqa: F401,F403
from .ops.edit_distance_ops import edit_distance
from .ops.sparse_extra_ops import *  # noqa: F401,F403
from .ops.functional_ops import foldl, foldr, map_fn, scan
from .ops.string_ops import *  # noqa: F401,F403
from .ops.string_split_join_ops import *  # noqa: F401,F403
from .ops.string_hash_ops import string_to_hash_bucket_fast  # noqa: F401
from .ops.io_ops import *  # noqa: F401,F403
from .ops.parsing_ops import *  # noqa: F401,F403
from .ops.example_parsing_ops import *  # noqa: F401,F403
from .ops.sequence_example_parsing_ops import *  # noqa: F401,F403
from .ops.queue_ops import FIFOQueue, PaddingFIFOQueue, QueueBase, RandomShuffleQueue
from .ops.count_up_to_op import count_up_to
from .ops.unique_op import unique
from .ops.shape_n_ops import shape_n
from .ops import broadcast_gradient_args_op as _broadcast_gradient_args_op  # noqa: F401 - TF's gradient graphs
from .ops.dynamic_stitch_ops import dynamic_stitch
from .ops.reader_ops import FixedLengthRecordReader, ReaderBase, TextLineReader, TFRecordReader, WholeFileReader


_LAZY = {"examples": ".examples", "keras": ".keras", "summary": ".summary", "onnx": ".onnx",
         "graph_util": ".graph_util", "io": ".io", "nest": ".util.nest",
         "app": ".app", "flags": ".flags", "logging": ".tf_logging", "gfile": ".gfile", "test": ".test",
         "math": ".math", "linalg": ".linalg", "random": ".random", "sparse": ".sparse", "python": ".python",
         "image": ".image", "python_io": ".python_io", "feature_column": ".feature_column",
         "saved_model": ".saved_model"}


def __getattr__(name):
    # Heavier feature packages load on first use (`tf.keras`, `tf.summary`, ...), keeping `import neuroflow` fast.
    if name == "GIT_VERSION":
        from .version import GIT_VERSION
        return GIT_VERSION
    if name == "GraphDef":   # TensorFlow's message classes load on first use
        from .framework.graph_def_files import GraphDef
        return GraphDef
    if name in ("MetaGraphDef", "NodeDef", "AttrValue"):
        from .framework import tf_protos
        return getattr(tf_protos, name)
    if name in _LAZY:
        import importlib
        return importlib.import_module(_LAZY[name], __name__)
    raise AttributeError(f"module 'neuroflow' has no attribute {name!r}")
