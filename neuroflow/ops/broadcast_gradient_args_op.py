"""BroadcastGradientArgs: the axes along which the gradients of two broadcast operands are summed.
neuroflow's own gradients use SumToShape instead; TensorFlow's gradient graphs hold this op, so training graphs
TensorFlow wrote import, and neuroflow's SumToShape is written with it for TensorFlow to read."""
import numpy as np

from ..framework import dtypes
from ..framework.op_def import InferenceError, OpDef, register
from ..framework.tensor_shape import TensorShape
from ..framework.tensor_util import constant_value

__all__ = ["broadcast_gradient_args"]


def reduction_axes(s0, s1):
    """TensorFlow's rule for shapes `s0`, `s1` (lists of ints): aligned on the right and 1-padded, an operand is
    summed along each axis where its size is 1 (where both are 1, both are). Raises ValueError when they do not
    broadcast."""
    rank = max(len(s0), len(s1))
    p0, p1 = [1] * (rank - len(s0)) + list(s0), [1] * (rank - len(s1)) + list(s1)
    for a, b in zip(p0, p1):
        if a != b and a != 1 and b != 1:
            raise ValueError(f"Incompatible shapes: [{','.join(map(str, s0))}] vs. [{','.join(map(str, s1))}]")
    return [i for i, d in enumerate(p0) if d == 1], [i for i, d in enumerate(p1) if d == 1]


@register
class BroadcastGradientArgs(OpDef):
    """(r0, r1): the reduction axes of the gradients of two operands of shapes `s0` and `s1` broadcast together."""

    type_name = "BroadcastGradientArgs"
    input_names = ("s0", "s1")
    same_dtype = ("s0", "s1")
    allowed_dtypes = (dtypes.int32, dtypes.int64)
    data_dependent_shape = True   # the outputs' lengths depend on the shapes' values

    def infer(self, inputs, attrs):
        for t in inputs:
            if t.shape.ndims not in (None, 1):
                raise InferenceError(f"Shape must be rank 1 but is rank {t.shape.ndims}")
        dtype = inputs[0].dtype.base_dtype
        s0, s1 = (constant_value(t) for t in inputs)
        if s0 is None or s1 is None:
            return [(TensorShape([None]), dtype), (TensorShape([None]), dtype)]
        try:
            r0, r1 = reduction_axes([int(d) for d in s0], [int(d) for d in s1])
        except ValueError as e:
            raise InferenceError(str(e)) from None
        return [(TensorShape([len(r0)]), dtype), (TensorShape([len(r1)]), dtype)]

    def forward(self, xp, s0, s1):
        r0, r1 = reduction_axes([int(d) for d in s0], [int(d) for d in s1])
        dtype = xp.asarray(s0).dtype
        return xp.asarray(np.asarray(r0, dtype=dtype)), xp.asarray(np.asarray(r1, dtype=dtype))

    def explain_failure(self, arrays, attrs, exc):
        return str(exc) if isinstance(exc, ValueError) else super().explain_failure(arrays, attrs, exc)


def broadcast_gradient_args(s0, s1, name=None):
    """The reduction axes (r0, r1) for the gradients of operands of shapes `s0` and `s1` (TensorFlow's
    `gen_array_ops.broadcast_gradient_args`)."""
    from ..framework.apply import apply_op
    return tuple(apply_op(BroadcastGradientArgs, [s0, s1], name=name or "BroadcastGradientArgs"))
