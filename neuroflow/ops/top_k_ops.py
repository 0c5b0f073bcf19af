"""Selection of the largest entries: top_k (TopKV2: values and indices, largest first) and in_top_k (InTopKV2:
whether each target is among its row's k largest). The public functions are in neuroflow/nn/misc.py."""

from ..framework import dtypes
from ..framework.apply import apply_op
from ..framework.op_def import InferenceError, OpDef, register
from ..framework.tensor_shape import TensorShape
from ..framework.tensor_util import constant_value
from .op_util import check_rank, invalid_argument, merge_dim

__all__ = []


# --- top_k, in_top_k -----------------------------------------------------------------------------------------
def _static_k(k):
    value = constant_value(k)
    return None if value is None else int(value)


@register
class TopKV2(OpDef):
    """The k largest entries along the last axis (values, int32 indices), largest first; among equal values
    the lower index comes first, as in TensorFlow. `k` is a scalar int32 input."""

    type_name = "TopKV2"
    input_names = ("input", "k")
    shape_arg_inputs = (1,)
    num_outputs = 2

    def infer(self, inputs, attrs):
        x, k = inputs
        if x.dtype.base_dtype not in dtypes.REAL:
            raise TypeError(f"Value passed to parameter 'input' has DataType {x.dtype.base_dtype.name} not in list "
                            "of allowed values: float16, float32, float64, int8, int16, int32, int64, uint8, "
                            "uint16, uint32, uint64")
        if k.dtype.base_dtype is not dtypes.int32:
            raise TypeError(f"Input 'k' of 'TopKV2' Op has type {k.dtype.base_dtype.name} that does not match "
                            "expected type of int32.")
        check_rank(k, 0)
        rank = x.shape.ndims
        if rank is not None and rank < 1:
            raise InferenceError(f"Shape must be at least rank 1 but is rank {rank}")
        kv = _static_k(k)
        if kv is not None and kv < 0:
            raise InferenceError(f"Need k >= 0, got {kv}")
        if rank is None:
            shape = TensorShape(None)
        else:
            last = x.shape[-1].value
            if last is not None and kv is not None and last < kv:
                raise InferenceError(f"input must have last dimension >= k = {kv} but is {last}")
            shape = TensorShape(x.shape.as_list()[:-1] + [kv])
        return [(shape, x.dtype.base_dtype), (shape, dtypes.int32)]

    def forward(self, xp, x, k, sorted):  # noqa: A002 - TensorFlow's attr name
        k = int(k)
        if k < 0:
            raise invalid_argument(f"Need k >= 0, got {k}")
        n = x.shape[-1]
        if n < k:
            raise invalid_argument(f"input must have at least k columns. Had {n}, needed {k}")
        # A stable ascending sort of the reversed row, read backwards, is a descending sort in which equal values
        # keep their original order (lower index first) - for every dtype, with no negation overflow.
        order = xp.argsort(x[..., ::-1], axis=-1, kind="stable")[..., ::-1][..., :k]
        indices = (n - 1 - order).astype(xp.int32)
        return xp.take_along_axis(x, indices, axis=-1), indices

    def grad(self, op, g_values, g_indices):
        # Scatter the values' gradient back to where they came from: flat positions row * n + index.
        from . import array_ops, math_ops
        from .grad_support_ops import size
        from .index_ops import GatherV2Grad, range as range_
        from .reduce_ops import reduce_prod
        x, indices = op.inputs[0], op.outputs[1]
        shape = array_ops.shape(x)
        n = shape[-1]
        rows = reduce_prod(shape[:-1])
        k = array_ops.shape(indices)[-1]
        offsets = array_ops.reshape(math_ops.multiply(range_(rows), n), [-1, 1])
        flat = array_ops.reshape(math_ops.add(array_ops.reshape(indices, array_ops.stack([rows, k])), offsets), [-1])
        scattered = apply_op(GatherV2Grad, [array_ops.reshape(g_values, [-1]), flat,
                                            array_ops.reshape(size(x), [1])], {"axis": 0},
                             name="GatherV2Grad")
        return [array_ops.reshape(scattered, shape), None]


@register
class InTopKV2(OpDef):
    """Whether each target's prediction is among the k largest of its row ([batch] bool): true when fewer than k
    predictions are strictly larger. An out-of-range target or a non-finite prediction in the row gives False."""

    type_name = "InTopKV2"
    input_names = ("predictions", "targets", "k")
    same_dtype = ("targets", "k")
    allowed_dtypes = (dtypes.int32, dtypes.int64)
    grad = None  # a bool output: not differentiable

    def infer(self, inputs, attrs):
        predictions, targets, k = inputs
        if predictions.dtype.base_dtype not in dtypes.FLOATING:
            raise TypeError(f"Input 'predictions' of 'InTopKV2' Op has type {predictions.dtype.base_dtype.name} "
                            "that does not match expected type of float32.")
        check_rank(predictions, 2)
        check_rank(targets, 1)
        check_rank(k, 0)
        batch = predictions.shape[0].value if predictions.shape.ndims == 2 else None
        if targets.shape.ndims == 1:
            batch = merge_dim(batch, targets.shape[0].value)
        return [(TensorShape([batch]), dtypes.bool)]

    def forward(self, xp, predictions, targets, k):
        batch, classes = predictions.shape
        if targets.shape[0] != batch:
            raise invalid_argument(f"First dimension of predictions {batch} must match length of targets "
                                   f"{targets.shape[0]}")
        valid = (targets >= 0) & (targets < classes)
        target_values = predictions[xp.arange(batch), xp.where(valid, targets, 0)]
        larger = xp.count_nonzero(predictions > target_values[:, None], axis=1)
        return valid & xp.isfinite(predictions).all(axis=1) & (larger < int(k))
