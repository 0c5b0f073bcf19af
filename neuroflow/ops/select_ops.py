"""TensorFlow 1's Select, the op behind `tf.where(condition, x, y)` in TF1 programs: `x` and `y` of one shape, and a
condition that is a scalar, the same shape, or a vector choosing whole rows. Its static output is x's shape even
when the condition's rank is unknown (the run checks the contract), so shapes survive where SelectV2's
broadcasting could not promise them."""
from ..framework import dtypes
from ..framework.apply import apply_op
from ..framework.op_def import InferenceError, OpDef, register
from .op_util import invalid_argument, shape_text

__all__ = []


@register
class Select(OpDef):
    """x where condition else y, elementwise; a vector condition picks rows of x and y (their first axis)."""

    type_name = "Select"
    input_names = ("condition", "t", "e")
    same_dtype = ("t", "e")

    def infer(self, inputs, attrs):
        c, t, e = inputs
        if c.dtype.base_dtype is not dtypes.bool:
            raise TypeError(f"Value passed to parameter 'condition' has DataType {c.dtype.base_dtype.name} not in "
                            "list of allowed values: bool")
        if not t.shape.is_compatible_with(e.shape):
            raise InferenceError(f"Shapes {t.shape.bracket_str()} and {e.shape.bracket_str()} are incompatible")
        data = t.shape.merge_with(e.shape)
        c_rank, rank = c.shape.ndims, data.ndims
        if c_rank is None or rank is None or c_rank == 0:
            return [(data, t.dtype.base_dtype)]
        if c_rank == 1 and rank > 1:
            c_dim, data_dim = c.shape.as_list()[0], data.as_list()[0]
            if c_dim is not None and data_dim is not None and c_dim != data_dim:
                raise InferenceError(f"Dimensions must be equal, but are {data_dim} and {c_dim}")
            return [(data, t.dtype.base_dtype)]
        if c_rank != rank:
            raise InferenceError(f"Shape must be rank {rank} but is rank {c_rank}")
        if not c.shape.is_compatible_with(data):
            raise InferenceError(f"Shapes {c.shape.bracket_str()} and {data.bracket_str()} are incompatible")
        return [(data.merge_with(c.shape), t.dtype.base_dtype)]

    def forward(self, xp, c, t, e):
        if c.ndim == 1 and t.ndim != 1:
            if t.ndim == 0:
                raise invalid_argument(f"'then' must be at least a vector, but saw shape: {shape_text(t)}")
            if t.shape[0] != c.shape[0]:
                raise invalid_argument(f"Number of batches of 'then' must match size of 'cond', but saw: "
                                       f"{t.shape[0]} vs. {c.shape[0]}")
            if t.shape != e.shape:
                raise invalid_argument(f"'then' and 'else' must have the same size.  but received: "
                                       f"{shape_text(t)} vs. {shape_text(e)}")
            return xp.where(c.reshape(c.shape + (1,) * (t.ndim - 1)), t, e)
        if c.ndim == 0:
            if t.shape != e.shape:
                raise invalid_argument(f"'then' and 'else' must have the same size.  but received: "
                                       f"{shape_text(t)} vs. {shape_text(e)}")
        elif not c.shape == t.shape == e.shape:
            bad, other = (1, t) if c.shape != t.shape else (2, e)
            raise invalid_argument(f"Inputs to operation Select must have the same size and shape.  Input 0: "
                                   f"{shape_text(c)} != input {bad}: {shape_text(other)}")
        return xp.where(c, t, e)

    def grad(self, op, g):
        from .grad_support_ops import zeros_like
        c = op.inputs[0]
        zeros = zeros_like(g)
        return [None, apply_op(Select, [c, g, zeros], name="Select"), apply_op(Select, [c, zeros, g], name="Select_1")]


def tf1_select_applies(condition, x, y):
    """Whether `tf.where(condition, x, y)` must follow TF1's Select rather than broadcast: x and y of one shape,
    and a condition whose rank is unknown or that is a vector picking rows of higher-rank x and y."""
    c_rank, x_rank = condition.shape.ndims, x.shape.ndims
    if x_rank is None or y.shape.ndims != x_rank or not x.shape.is_compatible_with(y.shape):
        return False
    return c_rank is None or (c_rank == 1 and x_rank > 1)
