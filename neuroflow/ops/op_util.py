"""Small helpers the op families share: TensorFlow's run-time error for a bad argument, shapes as messages print
them, constants of a tensor's dtype, and the build-time checks of index-typed inputs (dtype, rank, values known
when the graph is built)."""
import numpy as np

from ..framework import dtypes, errors
from ..framework.op_def import InferenceError
from ..framework.tensor_util import build_time_value

__all__ = ["INDEX_DTYPES", "invalid_argument", "shape_text", "constant_like", "check_index_dtype", "check_rank",
           "static_int", "static_ints", "normalize_axis", "dims_or_none", "merge_dim", "index_shape"]

INDEX_DTYPES = (dtypes.int32, dtypes.int64)


def invalid_argument(message):
    """A run-time failure with TensorFlow's class; the session adds the node and the user's line."""
    return errors.InvalidArgumentError(None, None, message)


def shape_text(value):
    """A shape as TensorFlow's messages print it, `[2,3]`, from an array (its shape) or a sequence of dims."""
    if hasattr(value, "shape"):
        dims = value.shape
    elif np.isscalar(value):
        dims = ()
    else:
        dims = value
    return "[" + ",".join(str(d) for d in dims) + "]"


def constant_like(value, like):
    """A Const of `value` with the (base) dtype of tensor `like`."""
    from ..framework.constant_op import constant
    return constant(value, dtype=like.dtype.base_dtype)


def check_index_dtype(t, param):
    """TensorFlow's TypeError for an index input (`param`) that is not int32 or int64."""
    if t.dtype.base_dtype not in INDEX_DTYPES:
        raise TypeError(f"Value passed to parameter '{param}' has DataType {t.dtype.base_dtype.name} not in list "
                        "of allowed values: int32, int64")


def check_rank(t, rank):
    if t.shape.ndims is not None and t.shape.ndims != rank:
        raise InferenceError(f"Shape must be rank {rank} but is rank {t.shape.ndims}")


def static_int(value, what):
    """A Python int from an int or a tensor whose value is known while building the graph; TypeError naming
    `what` otherwise."""
    arr = np.asarray(build_time_value(value, what))
    if arr.ndim != 0 or arr.dtype.kind not in "iu":
        raise TypeError(f"{what} must be a scalar integer, got {value!r}")
    return int(arr)


def static_ints(value, what):
    """`value` (an int, a list of ints, or a tensor known at graph-build time) as a Python int or list."""
    value = build_time_value(value, what)
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        return [int(getattr(v, "value", v)) for v in value]
    return int(getattr(value, "value", value))


def normalize_axis(axis, rank, message):
    """`axis` in [0, rank) (kept as given while the rank is unknown); InferenceError(message) when out of range."""
    if rank is None:
        return axis
    if not -rank <= axis < rank:
        raise InferenceError(message)
    return axis % rank


def dims_or_none(shape, rank):
    """A static shape's dims, or `rank` Nones when the shape is unknown."""
    return shape.as_list() if shape.ndims is not None else [None] * rank


def merge_dim(a, b):
    """Two static dims that must agree (None: unknown) merged into one; InferenceError when both are known and
    differ."""
    if a is not None and b is not None and a != b:
        raise InferenceError(f"Dimensions must be equal, but are {a} and {b}")
    return a if a is not None else b


def index_shape(t, out_type):
    """`tf.shape(t, out_type)`: the run-time shape of `t` as an index tensor."""
    from .array_ops import shape
    return shape(t, out_type=out_type)
