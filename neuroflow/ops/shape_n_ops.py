"""ShapeN (`tf.shape_n`): the shapes of several tensors in one op. TensorFlow's gradient of Conv2D uses it, so
graphs TensorFlow wrote for training a CNN (its `.meta` files, SavedModels) hold it."""
import numpy as np

from ..framework import dtypes
from ..framework.apply import apply_op, convert_to_tensor
from ..framework.graph import name_scope
from ..framework.op_def import InferenceError, OpDef, register
from ..framework.tensor_shape import TensorShape

__all__ = ["shape_n"]


@register
class ShapeN(OpDef):
    """The dynamic shape of each input as a 1-D int tensor (attr `out_type`): output i is `tf.shape(input[i])`."""

    type_name = "ShapeN"
    variadic = True   # not `depends_only_on_input_shape`: that trait means input 0's shape alone

    def canonicalize_attrs(self, inputs, attrs):
        if not inputs:
            raise InferenceError("ShapeN needs at least one input")
        out_type = dtypes.as_dtype(attrs.get("out_type", dtypes.int32))
        if out_type not in (dtypes.int32, dtypes.int64):
            raise InferenceError(f"out_type must be int32 or int64, not {out_type.name}")
        return {"N": len(inputs), "out_type": out_type}

    def infer(self, inputs, attrs):
        return [(TensorShape([t.shape.ndims]), attrs["out_type"]) for t in inputs]

    def forward(self, xp, *values, N, out_type):  # noqa: N803 - TensorFlow's attribute name
        shapes = tuple(xp.asarray(xp.shape(v), dtype=out_type.as_numpy_dtype) for v in values)
        return shapes[0] if len(shapes) == 1 else shapes   # a node with one output holds the array itself

    def grad(self, op, *grads):
        return [None] * len(op.inputs)

    def static_value(self, op, index):
        shape = op.inputs[index].shape
        if shape.is_fully_defined():
            return np.asarray(shape.as_list(), dtype=op.get_attr("out_type").as_numpy_dtype)
        return None


def shape_n(input, out_type=dtypes.int32, name=None):  # noqa: A002 - TensorFlow's argument name
    """The shapes of the tensors in `input` (a list), as a list of 1-D `out_type` tensors.

    Example:
        >>> a_shape, b_shape = tf.shape_n([a, b])
    """
    with name_scope(name, "ShapeN", list(input)) as scope:
        tensors = [convert_to_tensor(t) for t in input]
        outputs = apply_op(ShapeN, tensors, {"out_type": dtypes.as_dtype(out_type)}, name=scope)
        return list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]
