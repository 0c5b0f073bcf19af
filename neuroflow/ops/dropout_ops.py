"""Dropout as one primitive (Dropout): TensorFlow 2.x's formula where(U[0, 1) >= rate, x * scale, 0), with U
TensorFlow's own uniform draw (ops/philox.py), in one NumPy pass instead of several small ops; its gradient is
built from ops. The public function is `tf.nn.dropout` (neuroflow/nn/misc.py)."""
import numpy as np

from ..framework import dtypes
from ..framework.op_def import InferenceError, register
from ..framework.tensor_shape import TensorShape
from ..framework.tensor_util import is_zeros, constant_value_as_shape
from . import philox
from .random_ops import _PhiloxOp
from .shape_inference import broadcast_shape

__all__ = []


# --- dropout -------------------------------------------------------------------------------------------------
@register
class Dropout(_PhiloxOp):
    """Dropout in one kernel, as TensorFlow 2.x's `tf.compat.v1.nn.dropout` computes it: a uniform draw U of
    shape `noise_shape` (the values of `tf.random_uniform(noise_shape, seed=...)`), kept where U >= rate, and
    y = where(keep, x * scale, 0) (keep broadcast against x). Outputs y and the keep mask as 0/1 values (as
    ONNX's Dropout).

    With a Python keep probability the attr `rate` holds 1 - keep_prob as TF computes it (in double) and
    scale = 1 / (1 - rate) is rounded once to x's dtype; with a tensor (`rate` None), rate = 1 - keep_prob and
    scale is the division x / (1 - rate), in x's dtype. A new mask on each run, continuing this op's stream.
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

    def draw(self, xp, stream, x, keep_prob, noise_shape, seed, seed2, rate=None):
        shape = tuple(int(d) for d in noise_shape)
        size = int(np.prod(shape, dtype=np.int64))
        np_dtype = x.dtype
        key, counter = stream.reserve_outputs(size)
        u = xp.asarray(philox.uniform(key, counter, size, np_dtype).reshape(shape))
        if rate is None:
            rate = 1 - keep_prob          # in x's dtype, as TF's `1. - keep_prob` on a tensor
            y = x / (1 - rate)
        else:
            y = x * xp.asarray(1.0 / (1.0 - rate), dtype=np_dtype)
            rate = xp.asarray(rate, dtype=np_dtype)
        keep = u >= rate
        mask = keep.astype(np_dtype)
        if np.broadcast_shapes(y.shape, mask.shape) == y.shape:
            y *= mask  # where(keep, y, 0): y is finite where kept; dropped values become 0 (x's inf/nan too)
            y[~xp.broadcast_to(keep, y.shape)] = 0
        else:  # a noise_shape larger than x broadcasts the output, as the composition would
            y = xp.where(keep, y, xp.zeros((), dtype=np_dtype))
        return y, mask

    def grad(self, op, g, g_mask):
        # y is linear in x for a given mask (the mask's own derivative is zero almost everywhere).
        from . import math_ops
        from .reduce_ops import reduce_sum
        if is_zeros(g):
            return [None, None, None]
        keep_prob, mask = op.inputs[1], op.outputs[1]
        rate = op.get_attr("rate")
        if rate is not None:
            scale = np.asarray(1.0 / (1.0 - rate), dtype=g.dtype.base_dtype.as_numpy_dtype)
            return [math_ops.multiply(math_ops.multiply(g, mask), scale), None, None]
        dx = math_ops.multiply(math_ops.truediv(g, keep_prob), mask)
        d_keep = math_ops.negative(math_ops.truediv(reduce_sum(math_ops.multiply(g, op.outputs[0])), keep_prob))
        return [dx, d_keep, None]
