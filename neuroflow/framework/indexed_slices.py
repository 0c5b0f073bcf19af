"""`tf.IndexedSlices`: a gradient that touches only some rows of a tensor (`values[i]` is the slice for row
`indices[i]` of a tensor of `dense_shape`), as gather and embedding_lookup produce it; `IndexedSlicesValue`, its
fetched value; and the two ways the gradient engine combines it (aggregation, densifying)."""
import collections

from .tensor_shape import TensorShape

__all__ = ["IndexedSlices", "IndexedSlicesValue", "densify", "aggregate"]

IndexedSlicesValue = collections.namedtuple("IndexedSlicesValue", ["values", "indices", "dense_shape"])


class IndexedSlices:
    """Rows `indices` of a tensor of shape `dense_shape`, holding `values` (repeated indices add up).

    Example:
        >>> g, = tf.gradients(tf.reduce_sum(tf.nn.embedding_lookup(emb, ids)), emb)   # an IndexedSlices
        >>> tf.convert_to_tensor(g)   # the dense gradient
    """

    def __init__(self, values, indices, dense_shape=None):
        self._values, self._indices, self._dense_shape = values, indices, dense_shape

    values = property(lambda self: self._values, doc="The slices, [N] + dense_shape[1:].")
    indices = property(lambda self: self._indices, doc="The rows the slices belong to, [N].")
    dense_shape = property(lambda self: self._dense_shape, doc="The shape of the dense tensor (or None).")
    dtype = property(lambda self: self._values.dtype)
    name = property(lambda self: self._values.name)
    op = property(lambda self: self._values.op)
    graph = property(lambda self: self._values.graph)
    device = property(lambda self: getattr(self._values, "device", ""))

    @property
    def shape(self):
        """The dense tensor's static shape: [unknown rows] + the slices' shape after the first axis, or what a
        constant `dense_shape` says."""
        from .tensor_util import constant_value_as_shape
        values = self._values.shape
        guess = TensorShape(None) if values.ndims is None else TensorShape([None]).concatenate(values[1:])
        if self._dense_shape is None:
            return guess
        known = getattr(self._dense_shape, "_value", None)
        if known is not None:
            return TensorShape([int(d) for d in known])
        return guess.merge_with(constant_value_as_shape(self._dense_shape)) if guess.ndims is not None else \
            constant_value_as_shape(self._dense_shape)

    def get_shape(self):
        return self.shape

    def __neg__(self):
        from ..ops.math_ops import negative
        return IndexedSlices(negative(self._values), self._indices, self._dense_shape)

    # --- the session's protocol for values made of several tensors (runtime/fetches.py, runtime/session.py) --
    def _component_tensors(self):
        if self._dense_shape is None:
            return (self._values, self._indices)
        return (self._values, self._indices, self._dense_shape)

    @staticmethod
    def _value_from_components(values):
        return IndexedSlicesValue(*values) if len(values) == 3 else IndexedSlicesValue(*values, None)

    def __str__(self):
        shape = "" if self._dense_shape is None else f", dense_shape={self._dense_shape}"
        return f"IndexedSlices(indices={self._indices}, values={self._values}{shape})"

    __repr__ = __str__


def densify(slices, name=None):
    """The dense tensor of `slices` (rows summed where indices repeat); tensors are returned unchanged."""
    if not isinstance(slices, IndexedSlices):
        return slices
    if slices.dense_shape is None:
        raise ValueError(f"Tensor conversion requested for IndexedSlices without dense_shape: {slices.name}")
    from .apply import apply_op
    from ..ops.index_ops import GatherV2Grad  # gather's dense gradient: a scatter-add of rows into zeros
    dense = apply_op(GatherV2Grad, [slices.values, slices.indices, slices.dense_shape], {"axis": 0},
                     name=name or "GatherV2Grad")
    static = slices.shape
    if static.ndims is not None:
        dense.set_shape(static)
    return dense


def aggregate(grads):
    """The sum of several gradients of one tensor, at least one of them IndexedSlices: IndexedSlices again
    (values and indices concatenated) when all are, else a dense sum."""
    from ..ops.concat_ops import concat
    from ..ops.grad_support_ops import add_n
    from ..ops.math_ops import cast
    from . import dtypes
    if all(isinstance(g, IndexedSlices) for g in grads):
        wide = any(g.indices.dtype.base_dtype is dtypes.int64 for g in grads)
        indices = [cast(g.indices, dtypes.int64) if wide else g.indices for g in grads]
        return IndexedSlices(concat([g.values for g in grads], 0), concat(indices, 0), grads[0].dense_shape)
    return add_n([densify(g) for g in grads])


def _convert(value, dtype=None, name=None, as_ref=False):
    del as_ref
    return densify(value, name=name)


def _register():
    from .apply import register_tensor_conversion_function
    register_tensor_conversion_function(IndexedSlices, _convert)


_register()
