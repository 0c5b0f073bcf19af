"""ONNX exporters of the TensorArray list ops as ONNX sequences, for what tf.map_fn, tf.scan and TensorArray
loops do: a list reserved empty (SequenceEmpty) and written in index order (SequenceInsert at the index: a write
past the end fails in the runtime rather than computing something else), read (SequenceAt), unstacked
(SplitToSequence) and stacked (ConcatFromSequence) whole, and its size (SequenceLength). Lists written out of
order, gathered in part, concatenated or split by lengths have no such form and stay unexportable."""
from ..framework import dtypes
from ..ops import index_ops
from ..ops import tensor_list_ops as tl
from .exporter import NEVER_CONSTANT, onnx_type
from .registry import exporter

NEVER_CONSTANT.add(tl.TensorListReserve)   # a new list is an ONNX sequence even when its size is a constant


def _sequence(ctx, op):
    """The ONNX sequence the list input 0 of `op` is (fails for a flow that is no list: a zero gradient's)."""
    name = ctx.input(op, 0)
    if ctx.sequence_type(name) is None:
        ctx.fail("its list input is not a TensorArray list this export follows (a TensorList from "
                 "TensorListReserve, carried through loops and conds)")
    return name


def _out_sequence(ctx, op, op_type, inputs, elem_type, **attrs):
    name = ctx.out(op)
    ctx.node(op_type, inputs, [name], **attrs)
    ctx.mark_sequence(name, elem_type)


def _range_from_zero(ctx, op, i):
    """The `limit` tensor when input `i` of `op` is tf.range(0, limit, 1) (None otherwise)."""
    t = ctx.input_tensor(op, i)
    r = t.op
    if r.opdef is not index_ops.Range:
        return None
    start, delta = ctx.value(r, 0), ctx.value(r, 2)
    if start is None or delta is None or int(start) != 0 or int(delta) != 1:
        return None
    return ctx.input_tensor(r, 1)


@exporter(tl.TensorListReserve)
def _reserve(ctx, op):
    _out_sequence(ctx, op, "SequenceEmpty", [], onnx_type(op.get_attr("element_dtype")),
                  dtype=onnx_type(op.get_attr("element_dtype")))


@exporter(tl.TensorListSetItem)
def _set_item(ctx, op):
    seq = _sequence(ctx, op)
    _out_sequence(ctx, op, "SequenceInsert", [seq, ctx.input(op, 2), ctx.as_int64(op, 1)], ctx.sequence_type(seq))


@exporter(tl.TensorListGetItem)
def _get_item(ctx, op):
    ctx.node("SequenceAt", [_sequence(ctx, op), ctx.as_int64(op, 1)], [ctx.out(op)])


@exporter(tl.TensorListLength)
def _length(ctx, op):
    length = ctx.node("SequenceLength", [_sequence(ctx, op)])
    ctx.node("Cast", [length], [ctx.out(op)], to=onnx_type(dtypes.int32))


@exporter(tl.TensorListScatter)
def _scatter(ctx, op):
    seq = _sequence(ctx, op)
    source = ctx.input_tensor(op, 0).op
    if source.opdef is not tl.TensorListReserve or _range_from_zero(ctx, op, 1) is None:
        ctx.fail("only the unstacking of a whole tensor into a new list (indices tf.range(n)) has an ONNX form")
    _out_sequence(ctx, op, "SplitToSequence", [ctx.input(op, 2)], ctx.sequence_type(seq), axis=0, keepdims=0)


@exporter(tl.TensorListGather)
def _gather(ctx, op):
    seq = _sequence(ctx, op)
    limit = _range_from_zero(ctx, op, 1)
    if limit is None or limit.op.opdef is not tl.TensorListLength or \
            ctx.resolve(limit.op.inputs[0]) is not ctx.input_tensor(op, 0):
        ctx.fail("only the stacking of a whole list (indices tf.range(size), as TensorArray.stack) has an ONNX form")
    ctx.node("ConcatFromSequence", [seq], [ctx.out(op)], axis=0, new_axis=1)
