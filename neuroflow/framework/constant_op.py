"""The `Const` primitive and `tf.constant`: values baked into the graph."""
import numpy as np

from . import dtypes
from .op_def import OpDef, register
from .tensor_shape import TensorShape
from . import tensor_util

__all__ = ["Const", "constant"]


@register
class Const(OpDef):
    """A constant value (attrs: `value` ndarray, `dtype`)."""

    type_name = "Const"
    is_constant = True
    input_names = ()
    output_is_shared = True  # the attr array itself is the output: copy before handing it to the user

    def infer(self, inputs, attrs):
        return [(TensorShape(attrs["value"].shape), attrs["dtype"])]

    def forward(self, xp, value, dtype):
        return value if xp is np else xp.asarray(value)

    def static_value(self, op, index):
        return op._attrs["value"]


def constant(value, dtype=None, shape=None, name="Const", verify_shape=False):
    """A tensor whose value is `value`, fixed in the graph.

    Args:
        value: a Python scalar or nested list, or a NumPy array.
        dtype: the element type; inferred by TensorFlow's rules when None (Python float -> float32).
        shape: optional; a single value fills it, a shorter list is padded with its last element.
        name: the op name (default "Const").
        verify_shape: if True, `value` must already have `shape`.

    Example:
        >>> tf.constant([1.0, 2.0])
        <tf.Tensor 'Const:0' shape=(2,) dtype=float32>
    """
    from .apply import apply_op
    if dtype is not None:
        dtype = dtypes.as_dtype(dtype).base_dtype
    if shape is not None:
        if verify_shape:
            arr = tensor_util.make_ndarray(value, dtype)
            if tuple(arr.shape) != tuple(TensorShape(shape).as_list()):
                raise TypeError(f"Expected Tensor's shape: {tuple(TensorShape(shape).as_list())}, got "
                                f"{tuple(arr.shape)}.")
        else:
            arr = tensor_util.shape_from_constant(value, shape, dtype)
    else:
        arr = tensor_util.make_ndarray(value, dtype)
    return apply_op(Const, [], {"value": arr, "dtype": dtypes.as_dtype(arr.dtype) if dtype is None else dtype},
                    name=name)
