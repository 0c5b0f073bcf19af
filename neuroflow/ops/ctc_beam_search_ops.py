"""tf.nn.ctc_beam_search_decoder (CTCBeamSearchDecoder): prefix beam search over time-major logits, keeping the
`beam_width` label prefixes of highest probability (blank-ending and label-ending mass tracked apart, so repeats
need a blank between them), and returning the `top_paths` best as SparseTensors with their log probabilities."""
import math

from ..framework import dtypes
from ..framework.apply import apply_op, convert_to_tensor
from ..framework.graph import name_scope
from ..framework.op_def import InferenceError, OpDef, register
from ..framework.tensor_shape import TensorShape
from .op_util import invalid_argument

__all__ = ["ctc_beam_search_decoder"]

_NONE = -math.inf


def _add(a, b):
    """log(exp(a) + exp(b)) on Python floats."""
    if a == _NONE:
        return b
    if b == _NONE:
        return a
    high = max(a, b)
    return high + math.log1p(math.exp(-abs(a - b)))


def _beam_search(log_probs, beam_width, blank):
    """[(prefix, log probability)] best first, for one sequence's [T][C] log-softmax rows (Python floats)."""
    beams = {(): (0.0, _NONE)}  # prefix -> (log mass ending in blank, log mass ending in its last label)
    for row in log_probs:
        grown = {}

        def add(prefix, blank_mass, label_mass):
            old_blank, old_label = grown.get(prefix, (_NONE, _NONE))
            grown[prefix] = (_add(old_blank, blank_mass), _add(old_label, label_mass))

        for prefix, (blank_mass, label_mass) in beams.items():
            total = _add(blank_mass, label_mass)
            add(prefix, total + row[blank], _NONE)
            for c, lp in enumerate(row):
                if c == blank:
                    continue
                if prefix and prefix[-1] == c:
                    add(prefix + (c,), _NONE, blank_mass + lp)  # a repeat needs a blank in between
                    add(prefix, _NONE, label_mass + lp)  # or it continues the last label
                else:
                    add(prefix + (c,), _NONE, total + lp)
        ranked = sorted(grown.items(), key=lambda item: -_add(*item[1]))
        beams = dict(ranked[:beam_width])
    return sorted(((p, _add(*m)) for p, m in beams.items()), key=lambda item: -item[1])


@register
class CTCBeamSearchDecoder(OpDef):
    """For each of `top_paths` paths: SparseTensor parts (indices, values, dense_shape) of every row's decoding;
    then the [batch, top_paths] log probabilities."""

    type_name = "CTCBeamSearchDecoder"
    input_names = ("inputs", "sequence_length")
    data_dependent_shape = True

    def infer(self, inputs, attrs):
        logits = inputs[0]
        if attrs["top_paths"] > attrs["beam_width"]:
            raise InferenceError("top_paths must be <= beam_width")
        batch = logits.shape[1].value if logits.shape.ndims == 3 else None
        paths = attrs["top_paths"]
        return ([(TensorShape([None, 2]), dtypes.int64)] * paths + [(TensorShape([None]), dtypes.int64)] * paths +
                [(TensorShape([2]), dtypes.int64)] * paths +
                [(TensorShape([batch, paths]), logits.dtype.base_dtype)])

    def forward(self, xp, logits, sequence_length, beam_width, top_paths, merge_repeated):
        steps, batch, classes = logits.shape
        shifted = logits - logits.max(axis=2, keepdims=True)
        log_probs = shifted - xp.log(xp.exp(shifted).sum(axis=2, keepdims=True))
        decoded = [[] for _ in range(top_paths)]
        scores = xp.zeros((batch, top_paths), dtype=logits.dtype)
        for b in range(batch):
            length = int(sequence_length[b])
            if length > steps:
                raise invalid_argument(f"sequence_length({b}) <= {steps}")
            rows = [[float(v) for v in log_probs[t, b]] for t in range(length)]
            best = _beam_search(rows, beam_width, classes - 1)
            if len(best) < top_paths:
                raise invalid_argument(f"Beam search produced fewer than top_paths ({top_paths}) paths for batch "
                                       f"{b}: {len(best)}")
            for k in range(top_paths):
                prefix, score = best[k]
                if merge_repeated:  # TensorFlow's output rule: equal consecutive labels are emitted once
                    prefix = [c for i, c in enumerate(prefix) if i == 0 or c != prefix[i - 1]]
                decoded[k].append(list(prefix))
                scores[b, k] = score
        indices, values, shapes = [], [], []
        for rows in decoded:
            indices.append(xp.asarray([[b, i] for b, row in enumerate(rows) for i in range(len(row))],
                                      dtype=xp.int64).reshape(-1, 2))
            values.append(xp.asarray([c for row in rows for c in row], dtype=xp.int64))
            shapes.append(xp.asarray([batch, max((len(r) for r in rows), default=0)], dtype=xp.int64))
        return tuple(indices + values + shapes + [scores])

    grad = None  # TensorFlow: not differentiable


def ctc_beam_search_decoder(inputs, sequence_length, beam_width=100, top_paths=1, merge_repeated=True):
    """Beam search decoding of time-major logits [max_time, batch, num_classes] (blank = the last class).

    Returns:
        (decoded, log_probabilities): `top_paths` int64 SparseTensors, best first, and their [batch, top_paths]
        log probabilities.

    Example:
        >>> decoded, log_prob = tf.nn.ctc_beam_search_decoder(logits, seq_len, beam_width=10)
    """
    from ..framework.sparse_tensor import SparseTensor
    with name_scope(None, "CTCBeamSearchDecoder", [inputs, sequence_length]):
        outs = apply_op(CTCBeamSearchDecoder,
                        [convert_to_tensor(inputs, name="inputs"),
                         convert_to_tensor(sequence_length, dtype=dtypes.int32, name="sequence_length")],
                        {"beam_width": int(beam_width), "top_paths": int(top_paths),
                         "merge_repeated": bool(merge_repeated)}, name="CTCBeamSearchDecoder")
        n = int(top_paths)
        decoded = [SparseTensor(outs[k], outs[n + k], outs[2 * n + k]) for k in range(n)]
        return decoded, outs[3 * n]
