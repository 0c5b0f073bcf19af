"""ONNX exporters of the vector and sequence ops TensorFlow's graphs bring: ReverseSequence (ONNX's takes its batch
and time axes only as 0 and 1, so other axes are transposed there and back; the lengths become int64) and Unique
(ONNX's Unique unsorted: first appearances in order, as TensorFlow's; its int64 inverse indices cast to out_idx)."""
from ..ops import reverse_sequence_op as rsq
from ..ops import unique_op as uq
from .registry import ONNX_TYPES, exporter

__all__ = []


@exporter(rsq.ReverseSequence)
def _reverse_sequence(ctx, op):
    seq, batch = int(op.get_attr("seq_dim")), int(op.get_attr("batch_dim"))
    lengths = ctx.as_int64(op, 1)
    if {seq, batch} == {0, 1}:
        ctx.node("ReverseSequence", [ctx.input(op, 0), lengths], [ctx.out(op)], batch_axis=batch, time_axis=seq)
        return
    rank = ctx.shape(op, 0).ndims
    perm = [batch, seq] + [a for a in range(rank) if a not in (batch, seq)]
    moved = ctx.node("Transpose", [ctx.input(op, 0)], perm=perm)
    reversed_ = ctx.node("ReverseSequence", [moved, lengths], batch_axis=0, time_axis=1)
    ctx.node("Transpose", [reversed_], [ctx.out(op)], perm=[perm.index(a) for a in range(rank)])


# onnxruntime's Unique kernels: these element types; other integers go through int64 and back.
_UNIQUE_TYPES = frozenset(("float32", "float64", "int64", "int8", "string"))


@exporter(uq.Unique)
def _unique(ctx, op):
    dtype = ctx.dtype(op, 0)
    x = ctx.input(op, 0) if dtype.name in _UNIQUE_TYPES else ctx.node("Cast", [ctx.input(op, 0)],
                                                                       to=ONNX_TYPES["int64"])
    values, _, inverse, _ = ctx.node("Unique", [x], 4, sorted=0)
    if dtype.name in _UNIQUE_TYPES:
        ctx.node("Identity", [values], [ctx.out(op, 0)])
    else:
        ctx.node("Cast", [values], [ctx.out(op, 0)], to=ONNX_TYPES[dtype.name])
    ctx.node("Cast", [inverse], [ctx.out(op, 1)], to=ONNX_TYPES[op.get_attr("out_idx").name])
