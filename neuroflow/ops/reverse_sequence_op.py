"""ReverseSequence, the primitive of `tf.reverse_sequence`: each batch entry's first `seq_lengths[b]` steps along
the sequence axis reversed, the rest left in place (bidirectional RNNs run their backward cell on it). One op, as
TensorFlow writes it, so graphs round-trip through TensorFlow's files; its gradient is the same reversal."""
from ..framework import dtypes
from ..framework.apply import apply_op
from ..framework.op_def import InferenceError, OpDef, register
from ..framework.tensor_shape import TensorShape
from .op_util import check_rank, invalid_argument, merge_dim

__all__ = []


@register
class ReverseSequence(OpDef):
    """input with `input[b, :seq_lengths[b]]` (along `seq_dim`, batch along `batch_dim`) reversed."""

    type_name = "ReverseSequence"
    input_names = ("input", "seq_lengths")

    def infer(self, inputs, attrs):
        x, lengths = inputs
        if lengths.dtype.base_dtype not in (dtypes.int32, dtypes.int64):
            raise TypeError(f"Value passed to parameter 'seq_lengths' has DataType {lengths.dtype.base_dtype.name} "
                            "not in list of allowed values: int32, int64")
        check_rank(lengths, 1)
        seq_dim, batch_dim = attrs["seq_dim"], attrs["batch_dim"]
        rank = x.shape.ndims
        if rank is None:
            return [(TensorShape(None), x.dtype.base_dtype)]
        if not 0 <= batch_dim < rank:
            raise InferenceError(f"batch_dim must be < input rank: {batch_dim} vs. {rank}")
        if not 0 <= seq_dim < rank:
            raise InferenceError(f"seq_dim must be < input rank: {seq_dim} vs. {rank}")
        dims = x.shape.as_list()
        dims[batch_dim] = merge_dim(dims[batch_dim], lengths.shape[0].value if lengths.shape.ndims else None)
        return [(TensorShape(dims), x.dtype.base_dtype)]

    def forward(self, xp, x, seq_lengths, seq_dim, batch_dim):
        if seq_dim == batch_dim:
            raise invalid_argument(f"batch_dim == seq_dim == {seq_dim}")
        if seq_lengths.shape[0] != x.shape[batch_dim]:
            raise invalid_argument(f"Length of seq_lengths != input.dims({batch_dim}), ({seq_lengths.shape[0]} vs. "
                                   f"{x.shape[batch_dim]})")
        steps = x.shape[seq_dim]
        if seq_lengths.size:
            if int(seq_lengths.min()) < 0:
                raise invalid_argument(f"seq_lens({int(xp.argmax(seq_lengths < 0))}) < 0")
            if int(seq_lengths.max()) > steps:
                raise invalid_argument(f"seq_lens({int(xp.argmax(seq_lengths > steps))}) > input.dims({seq_dim})")
        moved = xp.moveaxis(x, (batch_dim, seq_dim), (0, 1))   # [batch, time, ...]
        time = xp.arange(steps).reshape(1, -1)
        lengths = seq_lengths.astype(time.dtype).reshape(-1, 1)
        source = xp.where(time < lengths, lengths - 1 - time, time)   # [batch, time]: where each step comes from
        source = source.reshape(source.shape + (1,) * (moved.ndim - 2))
        return xp.moveaxis(xp.take_along_axis(moved, source, axis=1), (0, 1), (batch_dim, seq_dim))

    def grad(self, op, g):
        return [reverse_sequence_op(g, op.inputs[1], op.get_attr("seq_dim"), op.get_attr("batch_dim")), None]


def reverse_sequence_op(x, seq_lengths, seq_dim, batch_dim, name=None):
    """A ReverseSequence op (tf.reverse_sequence, in nn/rnn.py, checks and normalizes the axes)."""
    return apply_op(ReverseSequence, [x, seq_lengths], {"seq_dim": int(seq_dim), "batch_dim": int(batch_dim)},
                    name=name or "ReverseSequence")
