"""`tf.TensorArray` while executing eagerly: a Python list of eager tensors written in place (as TensorFlow 2's
eager TensorArray); reading and stacking use ordinary ops, so a GradientTape differentiates through them."""
from ..framework import dtypes, errors
from ..framework.apply import convert_to_tensor
from ..framework.tensor_shape import TensorShape
from .tensor_array_ops import TensorArray


def _error(message):
    return errors.InvalidArgumentError(None, None, message)


class EagerTensorArray(TensorArray):
    """What `tf.TensorArray(...)` makes in eager mode; `write` and friends change it and return it."""

    def __init__(self, dtype, size=None, dynamic_size=None, clear_after_read=None, tensor_array_name=None,
                 handle=None, flow=None, infer_shape=True, element_shape=None, colocate_with_first_write_call=True,
                 name=None):
        if size is None:
            raise ValueError("Size must be declared for TensorArrays when not in graph mode.")
        self._dtype = dtypes.as_dtype(dtype).base_dtype
        self._dynamic_size = bool(dynamic_size)
        self._clear_after_read = True if clear_after_read is None else bool(clear_after_read)
        self._infer_shape = infer_shape
        self._element_shape = [TensorShape(element_shape)]
        self._static_size = None
        self._items = [None] * int(convert_to_tensor(size).numpy())
        self._previously_read = set()

    @property
    def flow(self):
        from ..framework.constant_op import constant
        return constant(0.0, dtype=dtypes.float32)

    handle = flow

    def _index(self, index):
        return int(convert_to_tensor(index).numpy())

    def _get(self, i, clear):
        if i < 0 or i >= len(self._items):
            raise _error(f"Tried to read from index {i} but array size is: {len(self._items)}")
        item = self._items[i]
        if item is None:
            if i in self._previously_read:
                raise _error(f"Could not read index {i} twice because it was cleared after a previous read (perhaps "
                             "try setting clear_after_read = false?)")
            raise _error(f"Could not read from TensorArray index {i} because it has not yet been written to.")
        if clear and self._clear_after_read:
            self._items[i] = None
            self._previously_read.add(i)
        return item

    def _put(self, i, value):
        if i < 0 or (i >= len(self._items) and not self._dynamic_size):
            raise _error(f"Tried to write to index {i} but array is not resizeable and size is: {len(self._items)}")
        if i >= len(self._items):
            self._items.extend([None] * (i + 1 - len(self._items)))
        elif self._items[i] is not None:
            raise _error(f"Could not write to TensorArray index {i} because it has already been written to.")
        self._items[i] = value

    def read(self, index, name=None):
        return self._get(self._index(index), clear=True)

    def write(self, index, value, name=None):
        value = self._value(value)
        self._merge_element_shape(value.shape)
        self._put(self._index(index), value)
        return self

    def _stacked(self, rows):
        from .array_ops import stack, zeros
        if rows:
            return stack(rows)
        shape = self.element_shape
        if not shape.is_fully_defined():
            raise _error(f"TensorArray has size zero, but element shape {shape} is not fully defined. Currently "
                         "only static shapes are supported when packing zero-size TensorArrays.")
        return zeros([0] + shape.as_list(), dtype=self._dtype)

    def gather(self, indices, name=None):
        indices = convert_to_tensor(indices, dtype=dtypes.int32).numpy().tolist()
        return self._stacked([self._get(i, clear=False) for i in indices])

    def stack(self, name=None):
        return self._stacked([self._get(i, clear=False) for i in range(len(self._items))])

    def concat(self, name=None):
        from .concat_ops import concat
        rows = [self._get(i, clear=False) for i in range(len(self._items))]
        if not rows:
            from .array_ops import zeros
            return zeros([0] + self.element_shape.as_list()[1:], dtype=self._dtype)
        return concat(rows, 0)

    def size(self, name=None):
        from ..framework.constant_op import constant
        return constant(len(self._items), dtype=dtypes.int32)

    def scatter(self, indices, value, name=None):
        from .array_ops import unstack
        indices = convert_to_tensor(indices, dtype=dtypes.int32).numpy().tolist()
        value = self._value(value)
        if len(indices) != value.shape[0]:
            raise _error(f"Expected len(indices) == values.shape[0], but saw: {len(indices)} vs. {value.shape[0]}")
        if value.shape.ndims:
            self._merge_element_shape(value.shape[1:])
        for i, row in zip(indices, unstack(value) if indices else ()):
            self._put(i, row)
        return self

    def unstack(self, value, name=None):
        value = self._value(value)
        return self.scatter(list(range(int(value.shape[0]))), value)

    def split(self, value, lengths, name=None):
        from .concat_ops import split
        value = self._value(value)
        lengths = [int(n) for n in convert_to_tensor(lengths).numpy().tolist()]
        if value.shape.ndims == 0 or sum(lengths) != value.shape[0]:
            raise _error(f"Expected sum of lengths to be equal to values.shape[0], but sum of lengths is "
                         f"{sum(lengths)} and value's shape is: {value.shape.as_list()}")
        if lengths:
            self._merge_element_shape(TensorShape([None]).concatenate(value.shape[1:]))
            for i, piece in enumerate(split(value, lengths, axis=0)):
                self._put(i, piece)
        return self

    def identity(self):
        return self

    def close(self, name=None):
        return None

    def _with_flow(self, flow, static_size="same"):
        return self

    # An eager while_loop runs in Python and passes this very object on; its one component is a placeholder value.
    def _to_components(self):
        return [self.flow]

    def _from_components(self, components):
        return self

