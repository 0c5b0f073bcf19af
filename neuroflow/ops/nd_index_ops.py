"""Indexing by coordinate rows: gather_nd (GatherNd: slices of `params` at the coordinates in `indices`' last axis)
and scatter_nd (ScatterNd: updates summed into zeros of a shape at those coordinates), each the other's gradient.
The sparse ops (ops/sparse_ops.py) densify and read back through them."""
from ..framework import dtypes
from ..framework.apply import apply_op
from ..framework.graph import name_scope
from ..framework.op_def import InferenceError, OpDef, register
from ..framework.tensor_shape import TensorShape
from ..framework.tensor_util import constant_value_as_shape
from .op_util import check_index_dtype, invalid_argument, shape_text

__all__ = ["gather_nd", "scatter_nd"]


def _coordinates(xp, indices, shape, what):
    """The tuple of index arrays `indices[..., j]` after TensorFlow's bounds check against `shape`."""
    depth = indices.shape[-1]
    bounds = xp.asarray([int(d) for d in shape[:depth]], dtype=indices.dtype)
    bad = (indices < 0) | (indices >= bounds)
    if indices.size and bad.any():
        row = xp.argwhere(bad.any(axis=-1))[0]
        at = ",".join(str(int(i)) for i in row)
        coords = ", ".join(str(int(v)) for v in indices[tuple(int(i) for i in row)])
        raise invalid_argument(f"indices[{at}] = [{coords}] does not index into {what} {shape_text(shape)}")
    return tuple(indices[..., j] for j in range(depth))


@register
class GatherNd(OpDef):
    """out[i...] = params[indices[i..., :]]: shape indices.shape[:-1] + params.shape[indices.shape[-1]:]."""

    type_name = "GatherNd"
    input_names = ("params", "indices")

    def infer(self, inputs, attrs):
        params, indices = inputs
        check_index_dtype(indices, "indices")
        if indices.shape.ndims == 0:
            raise InferenceError("Shape must be at least rank 1 but is rank 0")
        if params.shape.ndims is None or indices.shape.ndims is None or indices.shape[-1].value is None:
            return [(TensorShape(None), params.dtype.base_dtype)]
        depth = indices.shape[-1].value
        if depth > params.shape.ndims:
            raise InferenceError(f"indices.shape[-1] must be <= params.rank, but saw indices shape: "
                                 f"{indices.shape.bracket_str()} and params shape: {params.shape.bracket_str()}")
        dims = indices.shape.as_list()[:-1] + params.shape.as_list()[depth:]
        return [(TensorShape(dims), params.dtype.base_dtype)]

    def forward(self, xp, params, indices):
        return params[_coordinates(xp, indices, params.shape, "param shape")]

    def grad(self, op, g):
        from .array_ops import shape
        params, indices = op.inputs
        return [scatter_nd(indices, g, shape(params, out_type=indices.dtype.base_dtype)), None]


@register
class ScatterNd(OpDef):
    """Zeros of `shape` with `updates` added at the coordinates in `indices`' last axis (repeats accumulate)."""

    type_name = "ScatterNd"
    input_names = ("indices", "updates", "shape")
    shape_arg_inputs = (2,)

    def infer(self, inputs, attrs):
        indices, updates, shape = inputs
        check_index_dtype(indices, "indices")
        if shape.dtype.base_dtype is not indices.dtype.base_dtype:
            raise TypeError(f"Input 'shape' of 'ScatterNd' Op has type {shape.dtype.base_dtype.name} that does not "
                            f"match type {indices.dtype.base_dtype.name} of argument 'indices'.")
        return [(constant_value_as_shape(shape), updates.dtype.base_dtype)]

    def forward(self, xp, indices, updates, shape):
        shape = tuple(int(d) for d in shape)
        out = xp.zeros(shape, dtype=updates.dtype)
        xp.add.at(out, _coordinates(xp, indices, shape, "shape"), updates)
        return out

    def grad(self, op, g):
        indices = op.inputs[0]
        return [None, gather_nd(g, indices), None]


def gather_nd(params, indices, name=None, batch_dims=0):
    """Slices of `params` at the coordinates in the last axis of `indices`.

    Raises:
        InvalidArgumentError: at run time, a coordinate outside `params` ("indices[1] = [2, 0] does not index
            into param shape [2,2]").

    Example:
        >>> tf.gather_nd([[1, 2], [3, 4]], [[1, 0], [0, 1]])   # [3, 2]
    """
    if batch_dims:
        raise NotImplementedError("neuroflow's tf.gather_nd supports only batch_dims=0")
    return apply_op(GatherNd, [params, indices], name=name or "GatherNd")


def scatter_nd(indices, updates, shape, name=None):
    """Zeros of `shape` with `updates` summed in at the coordinates in the last axis of `indices`.

    Example:
        >>> tf.scatter_nd([[1], [3]], [9, 10], [5])   # [0, 9, 0, 10, 0]
    """
    from ..framework.apply import convert_to_tensor
    with name_scope(name, "ScatterNd", [indices, updates, shape]) as scope:
        indices = convert_to_tensor(indices, name="indices")
        shape = convert_to_tensor(shape, dtype=indices.dtype.base_dtype if indices.dtype.base_dtype in
                                  (dtypes.int32, dtypes.int64) else None, name="shape")
        return apply_op(ScatterNd, [indices, updates, shape], name=scope)
