"""DynamicStitch (`tf.dynamic_stitch`): interleaves the values of several tensors into one by index. TensorFlow's
gradients of reductions over some axes of tensors with unknown shapes use it (`reduced_shape`), so training
graphs TensorFlow wrote hold it."""
from ..framework import dtypes
from ..framework.apply import apply_op, convert_to_tensor
from ..framework.graph import name_scope
from ..framework.op_def import InferenceError, OpDef, register
from ..framework.tensor_shape import TensorShape
from ..framework.tensor_util import constant_value

__all__ = ["dynamic_stitch"]


@register
class DynamicStitch(OpDef):
    """merged[indices[m][i, ...], ...] = data[m][i, ..., ...] for the N (indices, data) pairs, later pairs
    winning where indices repeat; inputs: N int32 index tensors, then N data tensors (attr N)."""

    type_name = "DynamicStitch"
    variadic = True
    data_dependent_shape = True   # the first dimension is the largest index + 1

    def canonicalize_attrs(self, inputs, attrs):
        n = attrs.get("N", len(inputs) // 2)
        if n < 1 or len(inputs) != 2 * n:
            raise InferenceError(f"DynamicStitch needs N index tensors and N data tensors, got {len(inputs)} "
                                 f"inputs for N={n}")
        return {"N": n}

    def infer(self, inputs, attrs):
        n = attrs["N"]
        indices, data = inputs[:n], inputs[n:]
        for t in indices:
            if t.dtype.base_dtype != dtypes.int32:
                raise InferenceError(f"indices must be int32, not {t.dtype.base_dtype.name}")
        if len({t.dtype.base_dtype for t in data}) != 1:
            raise InferenceError("All data tensors of DynamicStitch must have the same dtype")
        tail = TensorShape(None)
        for i, d in zip(indices, data):
            if i.shape.ndims is not None and d.shape.ndims is not None:
                if d.shape.ndims < i.shape.ndims or not d.shape[:i.shape.ndims].is_compatible_with(i.shape):
                    raise InferenceError(f"data shape {d.shape} must start with indices shape {i.shape}")
                tail = tail.merge_with(d.shape[i.shape.ndims:]) if tail.is_compatible_with(
                    d.shape[i.shape.ndims:]) else _fail(tail, d.shape[i.shape.ndims:])
        known = [constant_value(t) for t in indices]
        rows = None if any(v is None for v in known) else max((int(v.max()) + 1 for v in known if v.size), default=0)
        shape = TensorShape([rows]).concatenate(tail) if tail.ndims is not None else TensorShape(None)
        return [(shape, data[0].dtype.base_dtype)]

    def forward(self, xp, *values, N):  # noqa: N803 - TensorFlow's attribute name
        indices, data = values[:N], values[N:]
        tail = tuple(xp.shape(data[0]))[len(xp.shape(indices[0])):]
        sizes = [int(xp.max(i)) + 1 for i in indices if int(xp.size(i))]
        merged = xp.zeros((max(sizes, default=0),) + tail, dtype=xp.asarray(data[0]).dtype)
        for i, d in zip(indices, data):
            merged[xp.reshape(i, (-1,))] = xp.reshape(d, (-1,) + tail)
        return merged

    def grad(self, op, g):
        from .index_ops import gather
        n = op.get_attr("N")
        return [None] * n + [gather(g, i) for i in op.inputs[:n]]


def _fail(a, b):
    raise InferenceError(f"DynamicStitch's data shapes disagree after the indices: {a} vs. {b}")


def dynamic_stitch(indices, data, name=None):
    """Interleaves `data` (a list of tensors) by `indices` (a list of int32 tensors of their leading shapes).

    Example:
        >>> tf.dynamic_stitch([[0, 2], [1]], [[10., 30.], [20.]])   # [10., 20., 30.]
    """
    with name_scope(name, "DynamicStitch", list(indices) + list(data)) as scope:
        idx = [convert_to_tensor(i, dtype=dtypes.int32) for i in indices]
        values = [convert_to_tensor(d) for d in data]
        if len(idx) != len(values):
            raise ValueError(f"DynamicStitch needs as many index tensors as data tensors, got {len(idx)} and "
                             f"{len(values)}")
        return apply_op(DynamicStitch, idx + values, {"N": len(idx)}, name=scope)
