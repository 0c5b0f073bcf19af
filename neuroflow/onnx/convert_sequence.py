"""ONNX exporter of ReverseSequence: ONNX's ReverseSequence takes its batch and time axes only as 0 and 1, so other
axes are transposed there and back; the lengths become int64."""
from ..ops import reverse_sequence_op as rsq
from .registry import exporter

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
