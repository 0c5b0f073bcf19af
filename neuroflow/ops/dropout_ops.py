"""Dropout as one primitive (Dropout): the mask floor(keep_prob + U[0, 1)) and x / keep_prob * mask in one NumPy
pass instead of several small ops; its gradient is built from ops. The public function is `tf.nn.dropout`
(neuroflow/nn/misc.py)."""
import numpy as np

from ..framework import dtypes
from ..framework.op_def import InferenceError, register
from ..framework.tensor_shape import TensorShape
from ..framework.tensor_util import is_zeros, constant_value_as_shape
from .random_ops import _SeededOp
from .shape_inference import broadcast_shape

__all__ = []


# --- dropout -------------------------------------------------------------------------------------------------
@register
class Dropout(_SeededOp):
    """Dropout in one kernel: mask = floor(keep_prob + U[0, 1)) of shape `noise_shape` (1 with probability
    keep_prob), y = x / keep_prob * mask (mask broadcast against x). Outputs y and the mask (as ONNX's Dropout).

    A new mask on each run, from this op's generator (seeded by attrs `seed`, `seed2`: TensorFlow's rule). The
    same values as the composition random_uniform + add + floor + div + mul, about three times faster: the
    uniform draw is turned into the mask in place, so only two large arrays are allocated.
    """

    type_name = "Dropout"
    input_names = ("x", "keep_prob", "noise_shape")
    shape_arg_inputs = (2,)  # the mask output has the noise shape
    same_dtype = ("x", "keep_prob")
    allowed_dtypes = dtypes.FLOATING
    num_outputs = 2

    def infer(self, inputs, attrs):
        x, keep_prob, noise_shape = inputs
        if not keep_prob.shape.is_compatible_with(TensorShape([])):
            raise InferenceError(f"Shapes {keep_prob.shape} and () are incompatible")
        mask = constant_value_as_shape(noise_shape)
        broadcast_shape(x.shape, mask)  # raises for a noise_shape that does not broadcast against x
        return [(x.shape, x.dtype.base_dtype), (mask, x.dtype.base_dtype)]

    def draw(self, xp, gen, x, keep_prob, noise_shape, seed, seed2):
        shape = tuple(int(d) for d in noise_shape)
        u = gen.random(shape, dtype=xp.float64 if x.dtype == xp.float64 else xp.float32)
        u += keep_prob
        mask = xp.floor(u, out=u).astype(x.dtype, copy=False)
        y = x / keep_prob
        if np.broadcast_shapes(y.shape, mask.shape) == y.shape:
            y *= mask
        else:  # a noise_shape larger than x broadcasts the output, as the composition would
            y = y * mask
        return y, mask

    def grad(self, op, g, g_mask):
        # y is linear in x for a given mask (the mask's own derivative is zero almost everywhere).
        from . import math_ops
        from .reduce_ops import reduce_sum
        if is_zeros(g):
            return [None, None, None]
        keep_prob, mask = op.inputs[1], op.outputs[1]
        dx = math_ops.multiply(math_ops.truediv(g, keep_prob), mask)
        d_keep = math_ops.negative(math_ops.truediv(reduce_sum(math_ops.multiply(g, op.outputs[0])), keep_prob))
        return [dx, d_keep, None]
