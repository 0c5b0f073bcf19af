"""The list ops that gradients of TensorArray ops are built from: a gradient list holds the gradient of each item
(None: zero), so reading it gives zeros shaped like the forward value, and the gradient of a read is a list that
holds the incoming gradient at the index read (summed, for repeated indices)."""
from ..framework.apply import apply_op
from ..framework.op_def import InferenceError, OpDef, register
from .tensor_list_ops import _FLOW, _flow_input, _indices
from .tensor_list_value import TensorList, as_list

__all__ = ["gather_or_zeros", "clear_items", "add_rows", "split_like", "concat_or_zeros"]


def _item_or_zeros(xp, lst, i, like):
    item = lst.get(i)
    return xp.zeros_like(like) if item is None else item


@register
class TensorListGatherOrZeros(OpDef):
    """The item at a scalar `indices`, or the items at vector `indices` stacked; zeros shaped like `like` (or
    its rows) where an item is unset."""

    type_name = "TensorListGatherOrZeros"
    input_names = ("input_handle", "indices", "like")

    def infer(self, inputs, attrs):
        _flow_input(inputs[0], self.type_name)
        return [(inputs[2].shape, inputs[2].dtype.base_dtype)]

    def forward(self, xp, flow, indices, like):
        lst = as_list(flow)
        positions, scalar = _indices(xp, indices)
        if scalar:
            return _item_or_zeros(xp, lst, positions[0], like)
        if not positions:
            return xp.zeros_like(like)
        return xp.stack([_item_or_zeros(xp, lst, i, like[k]) for k, i in enumerate(positions)])

    def grad(self, op, g):
        return [add_rows(op.inputs[0], op.inputs[1], g), None, None]


@register
class TensorListClearItems(OpDef):
    """The list with the items at `indices` (rank 0 or 1) unset: their gradient has gone to what wrote them."""

    type_name = "TensorListClearItems"
    input_names = ("input_handle", "indices")

    def infer(self, inputs, attrs):
        _flow_input(inputs[0], self.type_name)
        return [_FLOW]

    def forward(self, xp, flow, indices):
        lst = as_list(flow)
        return lst.with_items([(i, None) for i in _indices(xp, indices)[0] if lst.get(i) is not None])

    def grad(self, op, g):
        return [clear_items(g, op.inputs[1]), None]


@register
class TensorListAddRows(OpDef):
    """A list as long as `like_handle`'s holding `rows` (one item for a scalar `indices`, else its rows) at
    `indices`, summed where an index repeats: the gradient of reading items."""

    type_name = "TensorListAddRows"
    input_names = ("like_handle", "indices", "rows")

    def infer(self, inputs, attrs):
        _flow_input(inputs[0], self.type_name)
        return [_FLOW]

    def forward(self, xp, like_flow, indices, rows):
        items = {}
        positions, scalar = _indices(xp, indices)
        for k, i in enumerate(positions):
            row = rows if scalar else rows[k]
            items[i] = row if i not in items else items[i] + row
        return TensorList(items, length=max([as_list(like_flow).length] + [i + 1 for i in items]))

    def grad(self, op, g):
        return [None, None, gather_or_zeros(g, op.inputs[1], op.inputs[2])]


@register
class TensorListSplitLike(OpDef):
    """`value` split along axis 0 into items as long as `like_handle`'s: the gradient of concatenating them.
    (Its own gradient, a second-order one through TensorArray.concat, is not built.)"""

    type_name = "TensorListSplitLike"
    input_names = ("like_handle", "value")

    def infer(self, inputs, attrs):
        _flow_input(inputs[0], self.type_name)
        return [_FLOW]

    def forward(self, xp, like_flow, value):
        items, start = [], 0
        for item in as_list(like_flow).items:
            n = item.shape[0]
            items.append(value[start:start + n])
            start += n
        return TensorList(items)


@register
class TensorListConcatOrZeros(OpDef):
    """Items 0..len(lengths)-1 joined along axis 0, zeros (rows of `like`) where an item is unset: the gradient
    of splitting `like` into a list. (Its own gradient, second order through TensorArray.split, is not built.)"""

    type_name = "TensorListConcatOrZeros"
    input_names = ("input_handle", "like", "lengths")

    def infer(self, inputs, attrs):
        _flow_input(inputs[0], self.type_name)
        if inputs[2].shape.ndims not in (None, 1):
            raise InferenceError(f"Shape must be rank 1 but is rank {inputs[2].shape.ndims}")
        return [(inputs[1].shape, inputs[1].dtype.base_dtype)]

    def forward(self, xp, flow, like, lengths):
        lst, parts, start = as_list(flow), [], 0
        for i, n in enumerate(int(n) for n in lengths.tolist()):
            parts.append(_item_or_zeros(xp, lst, i, like[start:start + n]))
            start += n
        return xp.concatenate(parts, 0) if parts else xp.zeros_like(like)


def gather_or_zeros(flow, indices, like, name=None):
    return apply_op(TensorListGatherOrZeros, [flow, indices, like], name=name or "TensorListGatherOrZeros")


def clear_items(flow, indices, name=None):
    return apply_op(TensorListClearItems, [flow, indices], name=name or "TensorListClearItems")


def add_rows(like_flow, indices, rows, name=None):
    return apply_op(TensorListAddRows, [like_flow, indices, rows], name=name or "TensorListAddRows")


def split_like(like_flow, value, name=None):
    return apply_op(TensorListSplitLike, [like_flow, value], name=name or "TensorListSplitLike")


def concat_or_zeros(flow, like, lengths, name=None):
    return apply_op(TensorListConcatOrZeros, [flow, like, lengths], name=name or "TensorListConcatOrZeros")
