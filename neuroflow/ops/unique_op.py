"""`tf.unique` (Unique): the distinct entries of a vector in order of first appearance, and for each entry the
position of its value among them (TensorFlow's optimizers deduplicate sparse gradients with it)."""
from collections import namedtuple

from ..framework import dtypes
from ..framework.apply import apply_op
from ..framework.op_def import OpDef, register
from ..framework.tensor_shape import TensorShape
from .op_util import check_rank

__all__ = ["unique"]

UniqueResult = namedtuple("Unique", ["y", "idx"])


@register
class Unique(OpDef):
    """y: the distinct values of the 1-D `x`, first appearance first; idx (`out_idx`): x == y[idx]."""

    type_name = "Unique"
    input_names = ("x",)
    num_outputs = 2
    grad = None   # TensorFlow registers no gradient for Unique either

    def infer(self, inputs, attrs):
        x = inputs[0]
        check_rank(x, 1)
        out_idx = attrs["out_idx"]
        if out_idx not in (dtypes.int32, dtypes.int64):
            raise TypeError(f"Value for attr 'out_idx' of {out_idx.name} is not in the list of allowed values: "
                            "int32, int64")
        length = x.shape[0] if x.shape.ndims == 1 else None
        return [(TensorShape([None]), x.dtype.base_dtype), (TensorShape([length]), out_idx)]

    def forward(self, xp, x, out_idx):
        values, first, inverse = xp.unique(x, return_index=True, return_inverse=True)
        order = xp.argsort(first, kind="stable")   # sorted values -> first-appearance order
        rank = xp.empty_like(order)
        rank[order] = xp.arange(order.shape[0], dtype=order.dtype)
        return values[order], rank[inverse.reshape(-1)].astype(out_idx.as_numpy_dtype)


def unique(x, out_idx=dtypes.int32, name=None):
    """The distinct values of 1-D `x` in order of first appearance, and where each entry of `x` is among them.

    Returns:
        A namedtuple (y, idx) with `x == tf.gather(y, idx)`.

    Example:
        >>> y, idx = tf.unique([1, 1, 2, 4, 4, 4, 7, 8, 8])   # y = [1, 2, 4, 7, 8], idx = [0, 0, 1, 2, 2, 2, 3, 4, 4]
    """
    y, idx = apply_op(Unique, [x], {"out_idx": dtypes.as_dtype(out_idx)}, name=name or "Unique")
    return UniqueResult(y, idx)
