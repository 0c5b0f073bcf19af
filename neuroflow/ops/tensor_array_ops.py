"""`tf.TensorArray`: an array of tensors written once per index, in graphs a value (the flow, a TensorList at run
time; ops in tensor_list_ops.py) that every write replaces, so it can be a loop variable and be differentiated;
in eager mode a Python list of eager tensors (the tape records the ops on them)."""
import numpy as np

from ..framework import context as mode
from ..framework import dtypes, errors
from ..framework.apply import apply_op, convert_to_tensor
from ..framework.graph import name_scope
from ..framework.tensor_shape import TensorShape
from ..framework.tensor_util import constant_value
from . import tensor_list_ops as tl

__all__ = ["TensorArray"]


def _check_dtype(ta_dtype, value):
    if value.dtype.base_dtype is not ta_dtype:
        raise errors.InvalidArgumentError(None, None, f"TensorArray dtype is {ta_dtype.name} but Op is trying to "
                                                      f"write dtype {value.dtype.base_dtype.name} ")


def _static_int(t):
    value = constant_value(t) if not isinstance(t, (int, np.integer)) else t
    return None if value is None else int(value)


class TensorArray:
    """A list of same-dtype tensors, each written once (TensorFlow 1's `tf.TensorArray`).

    Every write returns a new TensorArray (use it: `ta = ta.write(i, x)`); `stack()`, `read(i)`, `gather`,
    `concat` read it. In a `tf.while_loop` it is a loop variable like a tensor. Differentiable.

    Args:
        dtype: the elements' dtype.
        size: the number of elements (int or int32 tensor), unless `flow` is given.
        dynamic_size: writes past the end grow the array (else they fail).
        clear_after_read: eager mode only: a read clears the element (a second read fails).
        element_shape: the elements' static shape, when known; with `infer_shape`, writes refine it.
        flow: a flow tensor of an existing TensorArray (as `tf.while_loop` rebuilds its loop variables); `handle`,
            TensorFlow 1's resource, is the flow here too.

    Example:
        >>> ta = tf.TensorArray(tf.float32, size=2).write(0, [1., 2.]).write(1, [3., 4.])
        >>> ta.stack()   # [[1, 2], [3, 4]]
    """

    def __new__(cls, *args, **kwargs):
        if cls is TensorArray and mode.executing_eagerly():
            from .tensor_array_eager import EagerTensorArray
            return object.__new__(EagerTensorArray)
        return object.__new__(cls)

    def __init__(self, dtype, size=None, dynamic_size=None, clear_after_read=None, tensor_array_name=None,
                 handle=None, flow=None, infer_shape=True, element_shape=None, colocate_with_first_write_call=True,
                 name=None):
        if handle is not None and size is not None:
            raise ValueError("Cannot provide both a handle and size at the same time")
        if handle is None and size is None and flow is None:
            raise ValueError("Size must be provided if handle is not provided")
        if size is not None and flow is not None:
            raise ValueError("Cannot provide both a flow and size at the same time")
        if flow is None:
            flow = handle  # the handle of a TensorArray here is its flow (TF1 code rebuilds with handle and flow)
        self._dtype = dtypes.as_dtype(dtype).base_dtype
        self._dynamic_size = bool(dynamic_size)
        self._infer_shape = infer_shape
        # Shared (a one-item list) by every TensorArray derived from this one, as TensorFlow shares it.
        self._element_shape = [TensorShape(element_shape)]
        self._static_size = None
        if flow is not None:
            self._flow = convert_to_tensor(flow)
            return
        with name_scope(tensor_array_name or name or "TensorArray") as scope:
            size = convert_to_tensor(size, dtype=dtypes.int32, name="size")
            if not self._dynamic_size:
                self._static_size = _static_int(size)
            self._flow = apply_op(tl.TensorListReserve, [size], {"element_dtype": self._dtype,
                                                                 "element_shape": self._element_shape[0]},
                                  name=scope)

    # --- properties -------------------------------------------------------------------------
    @property
    def flow(self):
        """The value that carries this array through the graph (a float32 scalar to the graph)."""
        return self._flow

    @property
    def handle(self):
        return self._flow

    @property
    def dtype(self):
        return self._dtype

    @property
    def element_shape(self):
        return self._element_shape[0]

    @property
    def dynamic_size(self):
        return self._dynamic_size

    def _merge_element_shape(self, shape):
        shape = TensorShape(shape)
        current = self._element_shape[0]
        if not self._infer_shape:
            return
        if not current.is_compatible_with(shape):
            raise ValueError(f"Inconsistent shapes: saw {shape} but expected {current} (and infer_shape=True)")
        self._element_shape[0] = current.merge_with(shape)

    def _with_flow(self, flow, static_size="same"):
        ta = object.__new__(type(self))
        ta.__dict__.update(self.__dict__)
        ta._flow = flow
        if static_size != "same":
            ta._static_size = static_size
        return ta

    def _attrs(self):
        return {"element_dtype": self._dtype, "element_shape": self._element_shape[0]}

    def _value(self, value):
        value = convert_to_tensor(value, preferred_dtype=self._dtype, name="value")
        _check_dtype(self._dtype, value)
        return value

    # --- reading ---------------------------------------------------------------------------
    def read(self, index, name=None):
        """The element at `index`."""
        index = convert_to_tensor(index, dtype=dtypes.int32, name="index")
        return apply_op(tl.TensorListGetItem, [self._flow, index], self._attrs(), name=name or "TensorArrayRead")

    def gather(self, indices, name=None):
        """The elements at `indices`, stacked along a new first axis."""
        indices = convert_to_tensor(indices, dtype=dtypes.int32, name="indices")
        return apply_op(tl.TensorListGather, [self._flow, indices], self._attrs(), name=name or "TensorArrayGather")

    def stack(self, name=None):
        """All elements stacked along a new first axis (shape [size] + element_shape)."""
        from .index_ops import range as range_
        with name_scope(name or "TensorArrayStack"):
            if self._static_size is not None:
                indices = convert_to_tensor(np.arange(self._static_size, dtype=np.int32), name="indices")
            else:
                indices = range_(self.size(), name="range")
            return self.gather(indices, name="TensorArrayGather")

    def concat(self, name=None):
        """All elements joined along their first axis."""
        return apply_op(tl.TensorListConcat, [self._flow], self._attrs(), name=name or "TensorArrayConcat")

    def size(self, name=None):
        """The number of elements (int32)."""
        return apply_op(tl.TensorListLength, [self._flow], name=name or "TensorArraySize")

    # --- writing ---------------------------------------------------------------------------
    def write(self, index, value, name=None):
        """A TensorArray with `value` at `index` (an index may be written once)."""
        with name_scope(name or "TensorArrayWrite") as scope:
            index = convert_to_tensor(index, dtype=dtypes.int32, name="index")
            value = self._value(value)
            self._merge_element_shape(value.shape)
            flow = apply_op(tl.TensorListSetItem, [self._flow, index, value],
                            {"resize_if_index_out_of_bounds": self._dynamic_size}, name=scope)
        return self._with_flow(flow)

    def scatter(self, indices, value, name=None):
        """A TensorArray with row k of `value` at `indices[k]`."""
        with name_scope(name or "TensorArrayScatter") as scope:
            indices = convert_to_tensor(indices, dtype=dtypes.int32, name="indices")
            value = self._value(value)
            if value.shape.ndims is not None and value.shape.ndims > 0:
                self._merge_element_shape(value.shape[1:])
            flow = apply_op(tl.TensorListScatter, [self._flow, indices, value],
                            {"resize_if_index_out_of_bounds": self._dynamic_size}, name=scope)
        return self._with_flow(flow)

    def unstack(self, value, name=None):
        """A TensorArray with the rows of `value` at 0, 1, ..."""
        from .array_ops import shape
        from .index_ops import range as range_
        with name_scope(name or "TensorArrayUnstack"):
            value = self._value(value)
            rows = value.shape[0] if value.shape.ndims else None
            rows = getattr(rows, "value", rows)
            if rows is not None:
                indices = convert_to_tensor(np.arange(rows, dtype=np.int32), name="indices")
            else:
                indices = range_(shape(value)[0], name="range")
            return self.scatter(indices, value, name="TensorArrayScatter")

    def split(self, value, lengths, name=None):
        """A TensorArray whose element i is the next `lengths[i]` rows of `value`."""
        with name_scope(name or "TensorArraySplit") as scope:
            value = self._value(value)
            lengths = convert_to_tensor(lengths, dtype=dtypes.int64 if _is_int64(lengths) else dtypes.int32,
                                        name="lengths")
            if value.shape.ndims is not None and value.shape.ndims > 0:
                self._merge_element_shape(TensorShape([None]).concatenate(value.shape[1:]))
            flow = apply_op(tl.TensorListSplit, [self._flow, value, lengths],
                            {"resize_if_index_out_of_bounds": self._dynamic_size}, name=scope)
        return self._with_flow(flow)

    def identity(self):
        """A TensorArray with an identity of the flow (for control dependencies)."""
        from .array_ops import identity
        return self._with_flow(identity(self._flow))

    def close(self, name=None):
        """Nothing to free in a value: a no-op (TensorFlow's TensorArrayClose releases a resource)."""
        from .control_flow_ops import no_op
        return no_op(name=name or "TensorArrayClose")

    def grad(self, source, flow=None, name=None):
        raise NotImplementedError("TensorArray.grad: gradients of TensorArrays come from tf.gradients here")

    # --- while_loop: a TensorArray loop variable travels as its flow -------------------------
    def _to_components(self):
        return [self._flow]

    def _from_components(self, components):
        return self._with_flow(components[0])

    def __repr__(self):
        return f"<tf.TensorArray dtype={self._dtype.name} element_shape={self.element_shape}>"


def _is_int64(value):
    return getattr(getattr(value, "dtype", None), "base_dtype", None) is dtypes.int64
