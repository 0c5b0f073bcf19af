"""`tf.SparseTensor` (three tensors: int64 `indices` [N, rank], `values` [N], int64 `dense_shape` [rank]) and
`tf.SparseTensorValue`, the NumPy triple a session returns for a fetched SparseTensor and accepts as its feed."""
import collections

from . import dtypes
from .tensor_shape import TensorShape

__all__ = ["SparseTensor", "SparseTensorValue", "is_sparse"]

SparseTensorValue = collections.namedtuple("SparseTensorValue", ["indices", "values", "dense_shape"])


class SparseTensor:
    """A sparse tensor: `values[i]` sits at `indices[i]` of a dense tensor of shape `dense_shape`; every other
    entry is zero (or the default a conversion asks for).

    Args:
        indices: int64 [N, rank], in row-major order for the ops that require it.
        values: any dtype, [N].
        dense_shape: int64 [rank].

    Example:
        >>> sp = tf.SparseTensor(indices=[[0, 0], [1, 2]], values=[1, 2], dense_shape=[3, 4])
        >>> tf.sparse_tensor_to_dense(sp)   # [[1, 0, 0, 0], [0, 0, 2, 0], [0, 0, 0, 0]]
    """

    @classmethod
    def from_value(cls, sparse_tensor_value):
        """A SparseTensor from a SparseTensorValue (or a SparseTensor, returned as it is)."""
        if isinstance(sparse_tensor_value, SparseTensor):
            return sparse_tensor_value
        if not is_sparse(sparse_tensor_value):
            raise TypeError(f"Neither a SparseTensor nor SparseTensorValue: {sparse_tensor_value}.")
        return cls(sparse_tensor_value.indices, sparse_tensor_value.values, sparse_tensor_value.dense_shape)

    def __init__(self, indices, values, dense_shape):
        from .apply import convert_to_tensor
        from .graph import name_scope
        with name_scope(None, "SparseTensor", [indices, values, dense_shape]):
            indices = convert_to_tensor(indices, name="indices", dtype=dtypes.int64)
            values = convert_to_tensor(values, name="values")
            dense_shape = convert_to_tensor(dense_shape, name="dense_shape", dtype=dtypes.int64)
        indices_shape = indices.shape.with_rank(2)
        values_shape = values.shape.with_rank(1)
        shape_shape = dense_shape.shape.with_rank(1)
        indices_shape[0].merge_with(values_shape[0])  # TensorFlow's checks: one value per index row,
        indices_shape[1].merge_with(shape_shape[0])   # and each index row as long as the shape
        self._indices, self._values, self._dense_shape = indices, values, dense_shape

    indices = property(lambda self: self._indices, doc="The int64 [N, rank] coordinates of the values.")
    values = property(lambda self: self._values, doc="The [N] values.")
    dense_shape = property(lambda self: self._dense_shape, doc="The int64 [rank] shape of the dense tensor.")
    dtype = property(lambda self: self._values.dtype, doc="The dtype of the values.")
    op = property(lambda self: self._values.op, doc="The op that produces `values`.")
    graph = property(lambda self: self._indices.graph, doc="The graph of the three tensors.")

    @property
    def shape(self):
        """The static shape of the dense tensor (dims known where `dense_shape` is constant there)."""
        from .tensor_util import constant_value_as_shape
        shape = getattr(self._dense_shape, "_value", None)  # an eager tensor's value is its shape
        if shape is not None:
            return TensorShape([int(d) for d in shape])
        known = self._dense_shape.shape
        if known.ndims == 1 and known[0].value is not None and not known.is_fully_defined():
            return TensorShape(None)
        result = constant_value_as_shape(self._dense_shape)
        if result.ndims is None and known.is_fully_defined():
            return TensorShape([None] * int(known[0].value))
        return result

    def get_shape(self):
        return self.shape

    def consumers(self):
        return list({op for t in (self._indices, self._values, self._dense_shape) for op in t.consumers()})

    def eval(self, feed_dict=None, session=None):
        """The SparseTensorValue of this tensor in `session` (or the default session)."""
        from ..runtime.session import _session_for
        session = _session_for(self.graph, session, "evaluate tensor using `eval()`", "eval(session=sess)",
                               "tensor's")
        return session.run(self, feed_dict)

    # --- the session's protocol for values made of several tensors (runtime/fetches.py, runtime/session.py) --
    def _component_tensors(self):
        return (self._indices, self._values, self._dense_shape)

    @staticmethod
    def _value_from_components(values):
        return SparseTensorValue(*values)

    def __str__(self):
        return f"SparseTensor(indices={self._indices}, values={self._values}, dense_shape={self._dense_shape})"

    __repr__ = __str__


def is_sparse(x):
    """Whether `x` is a SparseTensor or a SparseTensorValue."""
    return isinstance(x, (SparseTensor, SparseTensorValue))


def _refuse_conversion(value, dtype=None, name=None, as_ref=False):
    """A SparseTensor is not a Tensor: dense ops refuse it with TensorFlow's TypeError (densify it first)."""
    raise TypeError(f"Failed to convert object of type {type(value)} to Tensor. Contents: {value}. Consider casting "
                    "elements to a supported type.")


def _register():
    from .apply import register_tensor_conversion_function
    register_tensor_conversion_function(SparseTensor, _refuse_conversion)
    register_tensor_conversion_function(SparseTensorValue, _refuse_conversion)


_register()
