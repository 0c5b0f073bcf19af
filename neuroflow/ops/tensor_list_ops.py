"""The list primitives under `tf.TensorArray` in graphs: a TensorArray's flow tensor holds, at run time, an
immutable `TensorList` (tensor_list_value.py: element arrays, None where nothing was written); every op that
changes the array returns a new list (functional, as TensorFlow 2's TensorList), so loops and gradients see plain
values.

The flow is a float32 scalar to the graph (TensorFlow 1's `ta.flow`), so the gradient engine sums gradient lists
with AddN (`TensorList.__add__`) and a ZerosLike of a flow (an all-zero gradient) is a number the list ops read
as the empty list. Their gradients are built from the gradient-list ops of tensor_list_grad_ops.py.
"""
from ..framework import dtypes
from ..framework.op_def import InferenceError, OpDef, register
from ..framework.tensor_shape import TensorShape
from .op_util import invalid_argument
from .tensor_list_value import TensorList, as_list

__all__ = ["TensorList"]

_FLOW = (TensorShape([]), dtypes.float32)


def _indices(xp, index):
    """(python ints, was a scalar) of an index input of rank 0 or 1."""
    if getattr(index, "ndim", 0) == 0:
        return [int(index)], True
    return [int(i) for i in index.tolist()], False


def _written(lst, writes, resize):
    """`lst` with `writes` ((index, value) pairs) added, after TensorFlow's checks: in range unless `resize`,
    each index written once."""
    size = grow = lst.length
    seen = set() if len(writes) > 1 else None
    for i, _ in writes:
        if i < 0 or (i >= size and not resize):
            raise invalid_argument(f"Tried to write to index {i} but array is not resizeable and size is: {size}")
        if lst.get(i) is not None or (seen is not None and i in seen):
            raise invalid_argument(f"Could not write to TensorArray index {i} because it has already been written "
                                   "to.")
        if seen is not None:
            seen.add(i)
        if i >= grow:
            grow = i + 1
    return lst.with_items(writes, grow)


def _read(lst, i):
    if i < 0 or i >= lst.length:
        raise invalid_argument(f"Tried to read from index {i} but array size is: {lst.length}")
    item = lst.get(i)
    if item is None:
        raise invalid_argument(f"Could not read from TensorArray index {i} because it has not yet been written to.")
    return item


def _stack(xp, rows, element_dtype, element_shape):
    if rows:
        first = rows[0].shape
        for k, r in enumerate(rows):
            if r.shape != first:
                raise invalid_argument(f"Could not stack elements of the TensorArray: element {k} has shape "
                                       f"{list(r.shape)} but element 0 has shape {list(first)}")
        return xp.stack(rows)
    if not element_shape.is_fully_defined():
        raise invalid_argument(f"TensorArray has size zero, but element shape {element_shape} is not fully defined. "
                               "Currently only static shapes are supported when packing zero-size TensorArrays.")
    return xp.zeros([0] + element_shape.as_list(), element_dtype.as_numpy_dtype)


def _flow_input(t, name):
    if t.dtype.base_dtype is not dtypes.float32 or t.shape.ndims not in (None, 0):
        raise InferenceError(f"{name} takes a TensorArray's flow (a float32 scalar), got {t.dtype.name} "
                             f"{t.shape.bracket_str()}")


class _ListOp(OpDef):
    """Common shape of the list ops: input 0 is a flow; `infer` of ops returning a flow."""

    def infer(self, inputs, attrs):
        _flow_input(inputs[0], self.type_name)
        return [_FLOW]


@register
class TensorListReserve(OpDef):
    """A list of `num_elements` unwritten items (attrs `element_dtype`, `element_shape`: what writes will hold)."""

    type_name = "TensorListReserve"
    input_names = ("num_elements",)
    # A new list per run: writes extend a list's store in place, which a constant shared by runs must not be.
    foldable = False

    def infer(self, inputs, attrs):
        return [_FLOW]

    def forward(self, xp, num_elements, element_dtype, element_shape):
        n = int(num_elements)
        if n < 0:
            raise invalid_argument(f"Size should be >= 0, but got {n}")
        return TensorList({}, length=n)


@register
class TensorListSetItem(_ListOp):
    """The list with `item` written at `index` (attr `resize_if_index_out_of_bounds`: a dynamic_size array)."""

    type_name = "TensorListSetItem"
    input_names = ("input_handle", "index", "item")

    def forward(self, xp, flow, index, item, resize_if_index_out_of_bounds):
        return _written(as_list(flow), [(int(index), item)], resize_if_index_out_of_bounds)

    def grad(self, op, g):
        flow, index, item = op.inputs
        return [clear_items(g, index), None, gather_or_zeros(g, index, item)]


@register
class TensorListGetItem(_ListOp):
    """The item at `index` (attrs `element_dtype`, `element_shape`: its static dtype and shape)."""

    type_name = "TensorListGetItem"
    input_names = ("input_handle", "index")
    may_alias_input = True  # the item is the array the list holds

    def infer(self, inputs, attrs):
        _flow_input(inputs[0], self.type_name)
        return [(attrs["element_shape"], attrs["element_dtype"])]

    def forward(self, xp, flow, index, element_dtype, element_shape):
        return _read(as_list(flow), int(index))

    def grad(self, op, g):
        return [add_rows(op.inputs[0], op.inputs[1], g), None]


@register
class TensorListGather(_ListOp):
    """The items at `indices` stacked (attrs `element_dtype`, `element_shape`)."""

    type_name = "TensorListGather"
    input_names = ("input_handle", "indices")

    def infer(self, inputs, attrs):
        _flow_input(inputs[0], self.type_name)
        indices = inputs[1].shape
        if indices.ndims not in (None, 1):
            raise InferenceError(f"Shape must be rank 1 but is rank {indices.ndims}")
        n = indices.dims[0] if indices.ndims == 1 else None
        return [(TensorShape([n]).concatenate(attrs["element_shape"]), attrs["element_dtype"])]

    def forward(self, xp, flow, indices, element_dtype, element_shape):
        lst = as_list(flow)
        return _stack(xp, [_read(lst, i) for i in indices.tolist()], element_dtype, element_shape)

    def grad(self, op, g):
        return [add_rows(op.inputs[0], op.inputs[1], g), None]


@register
class TensorListScatter(_ListOp):
    """The list with the rows of `value` written at `indices` (attr `resize_if_index_out_of_bounds`)."""

    type_name = "TensorListScatter"
    input_names = ("input_handle", "indices", "value")

    def forward(self, xp, flow, indices, value, resize_if_index_out_of_bounds):
        indices = indices.tolist()
        if len(indices) != value.shape[0]:
            raise invalid_argument(f"Expected len(indices) == values.shape[0], but saw: {len(indices)} vs. "
                                   f"{value.shape[0]}")
        return _written(as_list(flow), [(i, value[k]) for k, i in enumerate(indices)], resize_if_index_out_of_bounds)

    def grad(self, op, g):
        flow, indices, value = op.inputs
        return [clear_items(g, indices), None, gather_or_zeros(g, indices, value)]


@register
class TensorListConcat(_ListOp):
    """All items joined along their first axis (attrs `element_dtype`, `element_shape`: of one item)."""

    type_name = "TensorListConcat"
    input_names = ("input_handle",)

    def infer(self, inputs, attrs):
        _flow_input(inputs[0], self.type_name)
        shape = attrs["element_shape"]
        rest = TensorShape(None) if shape.ndims is None else TensorShape([None] + shape.as_list()[1:])
        return [(rest, attrs["element_dtype"])]

    def forward(self, xp, flow, element_dtype, element_shape):
        lst = as_list(flow)
        rows = [_read(lst, i) for i in range(lst.length)]
        if not rows:
            rest = element_shape.as_list()[1:] if element_shape.ndims else None
            if rest is None or None in rest:
                raise invalid_argument(f"TensorArray has size zero, but element shape {element_shape} is not fully "
                                       "defined. Currently only static shapes are supported when concatenating "
                                       "zero-size TensorArrays.")
            return xp.zeros([0] + rest, element_dtype.as_numpy_dtype)
        if any(r.ndim == 0 for r in rows):
            raise invalid_argument("Concat saw a scalar shape at index 0 but requires at least vectors.")
        return xp.concatenate(rows, 0)

    def grad(self, op, g):
        return [split_like(op.inputs[0], g)]


@register
class TensorListSplit(_ListOp):
    """The list with `value` split along axis 0 into pieces of `lengths` written at 0, 1, ... (attr
    `resize_if_index_out_of_bounds`)."""

    type_name = "TensorListSplit"
    input_names = ("input_handle", "value", "lengths")

    def forward(self, xp, flow, value, lengths, resize_if_index_out_of_bounds):
        lengths = [int(n) for n in lengths.tolist()]
        if value.ndim == 0 or sum(lengths) != value.shape[0]:
            raise invalid_argument(f"Expected sum of lengths to be equal to values.shape[0], but sum of lengths is "
                                   f"{sum(lengths)} and value's shape is: {list(value.shape)}")
        writes, start = [], 0
        for i, n in enumerate(lengths):
            writes.append((i, value[start:start + n]))
            start += n
        return _written(as_list(flow), writes, resize_if_index_out_of_bounds)

    def grad(self, op, g):
        flow, value, lengths = op.inputs
        from .index_ops import range as range_
        from .grad_support_ops import Size
        from ..framework.apply import apply_op
        count = apply_op(Size, [lengths], {"out_type": dtypes.int32}, name="count")
        return [clear_items(g, range_(count)), concat_or_zeros(g, value, lengths), None]


@register
class TensorListLength(_ListOp):
    """The number of items (written or not), int32."""

    type_name = "TensorListLength"
    input_names = ("input_handle",)

    def infer(self, inputs, attrs):
        _flow_input(inputs[0], self.type_name)
        return [(TensorShape([]), dtypes.int32)]

    def forward(self, xp, flow):
        return xp.asarray(as_list(flow).length, dtype=xp.int32)


from .tensor_list_grad_ops import add_rows, clear_items, concat_or_zeros, gather_or_zeros, split_like  # noqa: E402
