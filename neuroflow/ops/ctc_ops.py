"""Connectionist temporal classification: tf.nn.ctc_loss (CTCLoss: -log p(labels | logits) by the forward-backward
recursion in log space, and its gradient with respect to the logits) and tf.nn.ctc_greedy_decoder
(CTCGreedyDecoder: the best class per frame, repeats merged and blanks removed, as a SparseTensor). The blank is the
last class, num_classes - 1, as in TensorFlow."""
from ..framework import dtypes
from ..framework.apply import apply_op, convert_to_tensor
from ..framework.graph import name_scope
from ..framework.op_def import InferenceError, OpDef, register
from ..framework.tensor_shape import TensorShape
from .op_util import invalid_argument

__all__ = ["ctc_loss", "ctc_greedy_decoder"]


def _label_sequences(xp, indices, values, batch):
    """One list of label ids per batch row from a SparseTensor's [N, 2] indices and values (row-major)."""
    rows = [[] for _ in range(batch)]
    for i in range(indices.shape[0]):
        b = int(indices[i, 0])
        if not 0 <= b < batch:
            raise invalid_argument(f"labels batch index {b} is out of range [0, {batch})")
        rows[b].append(int(values[i]))
    return rows


def _logsumexp(xp, a, b):
    return xp.logaddexp(a, b)  # -inf where both are -inf (no path)


def _ctc_one(xp, log_probs, labels, blank, merge_repeated):
    """(-log p, gradient with respect to the logits) for one sequence's [T, C] log-softmax."""
    steps, classes = log_probs.shape
    extended = [blank]
    for label in labels:
        extended += [label, blank]
    size = len(extended)
    ext = xp.asarray(extended)
    # Which states each state may also come from two back (a label differing from the one before the blank).
    skip = xp.asarray([s > 1 and extended[s] != blank and not (merge_repeated and extended[s] == extended[s - 2])
                       for s in range(size)])
    stay = xp.asarray([merge_repeated or extended[s] == blank for s in range(size)])
    emit = log_probs[:, ext]  # [T, S]
    neg_inf = -xp.inf
    alpha = xp.full((steps, size), neg_inf)
    alpha[0, :min(2, size)] = emit[0, :min(2, size)]
    for t in range(1, steps):
        prev = alpha[t - 1]
        total = xp.where(stay, prev, neg_inf)
        total = _logsumexp(xp, total, xp.concatenate([xp.asarray([neg_inf]), prev[:-1]]))
        total = _logsumexp(xp, total, xp.where(skip, xp.concatenate([xp.full(2, neg_inf), prev[:-2]])[:size],
                                                neg_inf))
        alpha[t] = total + emit[t]
    beta = xp.full((steps, size), neg_inf)
    beta[-1, max(size - 2, 0):] = emit[-1, max(size - 2, 0):]
    skip_next = xp.concatenate([skip[2:], xp.zeros(2, dtype=bool)])[:size]  # state s may go to s + 2
    for t in range(steps - 2, -1, -1):
        nxt = beta[t + 1]
        total = xp.where(stay, nxt, neg_inf)
        total = _logsumexp(xp, total, xp.concatenate([nxt[1:], xp.asarray([neg_inf])]))
        total = _logsumexp(xp, total, xp.where(skip_next, xp.concatenate([nxt[2:], xp.full(2, neg_inf)])[:size],
                                                neg_inf))
        beta[t] = total + emit[t]
    log_p = _logsumexp(xp, alpha[-1, -1], alpha[-1, -2] if size > 1 else neg_inf)
    occupancy = alpha + beta - emit  # log of the probability mass through (t, s)
    grad = xp.exp(log_probs)
    if xp.isfinite(log_p):
        for s in range(size):
            grad[:, extended[s]] -= xp.exp(occupancy[:, s] - log_p)
    return -log_p, grad


@register
class CTCLoss(OpDef):
    """Per sequence -log p(labels | inputs) over time-major logits [T, B, C], and the loss's gradient with respect
    to the logits (second output; TensorFlow's CTCLoss computes both at once)."""

    type_name = "CTCLoss"
    input_names = ("inputs", "labels_indices", "labels_values", "sequence_length")
    num_outputs = 2
    allowed_dtypes = (dtypes.float32, dtypes.float64)

    def infer(self, inputs, attrs):
        logits = inputs[0]
        if logits.shape.ndims not in (None, 3):
            raise InferenceError(f"Shape must be rank 3 but is rank {logits.shape.ndims}")
        batch = logits.shape[1].value if logits.shape.ndims == 3 else None
        return [(TensorShape([batch]), logits.dtype.base_dtype), (logits.shape, logits.dtype.base_dtype)]

    def forward(self, xp, logits, indices, values, sequence_length, preprocess_collapse_repeated,
                ctc_merge_repeated, ignore_longer_outputs_than_inputs):
        steps, batch, classes = logits.shape
        if sequence_length.shape != (batch,):
            raise invalid_argument(f"len(sequence_length) != batch_size.  len(sequence_length):  "
                                   f"{sequence_length.shape[0] if sequence_length.ndim else 0} batch_size: {batch}")
        blank = classes - 1
        shifted = logits - logits.max(axis=2, keepdims=True)
        log_probs = shifted - xp.log(xp.exp(shifted).sum(axis=2, keepdims=True))
        losses = xp.zeros(batch, dtype=logits.dtype)
        grads = xp.zeros(logits.shape, dtype=logits.dtype)
        for b, labels in enumerate(_label_sequences(xp, indices, values, batch)):
            length = int(sequence_length[b])
            if length > steps:
                raise invalid_argument(f"sequence_length({b}) <= {steps}")
            if preprocess_collapse_repeated:
                labels = [x for i, x in enumerate(labels) if i == 0 or x != labels[i - 1]]
            if any(not 0 <= x < blank for x in labels):
                raise invalid_argument(f"Saw a non-null label (index >= num_classes - 1) following a null label, "
                                       f"batch: {b} num_classes: {classes} labels: {','.join(map(str, labels))}")
            repeats = sum(1 for i in range(1, len(labels)) if labels[i] == labels[i - 1]) if ctc_merge_repeated \
                else 0
            required = len(labels) + repeats
            if required > length:
                if ignore_longer_outputs_than_inputs:
                    continue  # loss and gradient 0, as TensorFlow leaves them
                raise invalid_argument(f"Not enough time for target transition sequence (required: {required}, "
                                       f"available: {length}){b}You can turn this error into a warning by using "
                                       "the flag ignore_longer_outputs_than_inputs")
            if length == 0:
                continue
            loss, grad = _ctc_one(xp, log_probs[:length, b].astype(xp.float64), labels, blank, ctc_merge_repeated)
            losses[b] = loss
            grads[:length, b] = grad
        return losses, grads

    def grad(self, op, grad_loss, _):
        # The gradient output is treated as a constant (TensorFlow prevents differentiating it again).
        from ..autodiff import stop_gradient
        from .grad_support_ops import expand_dims
        from .math_ops import multiply
        return [multiply(expand_dims(expand_dims(grad_loss, 0), -1), stop_gradient(op.outputs[1])), None, None, None]


def ctc_loss(labels, inputs=None, sequence_length=None, preprocess_collapse_repeated=False, ctc_merge_repeated=True,
             ignore_longer_outputs_than_inputs=False, time_major=True, logits=None):
    """The CTC loss per batch row: -log of the total probability of the frame labellings (blank = the last class)
    that read `labels` once blanks are removed and repeats merged.

    Args:
        labels: an int32 SparseTensor [batch, max_label_length] (indices row-major).
        inputs: logits [max_time, batch, num_classes] (or [batch, max_time, ...] with time_major=False);
            the softmax is applied here.
        sequence_length: int32 [batch], each <= max_time.

    Returns:
        float [batch] losses; differentiable in `inputs`.

    Raises:
        TypeError: labels that are not a SparseTensor. InvalidArgumentError (run time): a label sequence that
            needs more frames than the row has.

    Example:
        >>> loss = tf.reduce_mean(tf.nn.ctc_loss(sparse_targets, logits, seq_len))
    """
    from ..framework.sparse_tensor import SparseTensor, SparseTensorValue
    from .manip_ops import transpose
    if logits is not None:
        inputs = logits
    if not isinstance(labels, (SparseTensor, SparseTensorValue)):
        raise TypeError("Expected labels (first argument) to be a SparseTensor")
    labels = SparseTensor.from_value(labels)
    with name_scope(None, "CTCLoss", [inputs, labels]):
        inputs = convert_to_tensor(inputs, name="inputs")
        if not time_major:
            inputs = transpose(inputs, [1, 0, 2])
        loss, _ = apply_op(CTCLoss, [inputs, labels.indices, labels.values,
                                     convert_to_tensor(sequence_length, dtype=dtypes.int32, name="sequence_length")],
                           {"preprocess_collapse_repeated": bool(preprocess_collapse_repeated),
                            "ctc_merge_repeated": bool(ctc_merge_repeated),
                            "ignore_longer_outputs_than_inputs": bool(ignore_longer_outputs_than_inputs)},
                           name="CTCLoss")
        return loss


@register
class CTCGreedyDecoder(OpDef):
    """Per batch row, the argmax class of each frame up to its length, repeats merged (merge_repeated) and blanks
    removed: SparseTensor parts (indices, values, dense_shape) and -sum of each frame's largest logit [B, 1]."""

    type_name = "CTCGreedyDecoder"
    input_names = ("inputs", "sequence_length")
    num_outputs = 4
    data_dependent_shape = True

    def infer(self, inputs, attrs):
        logits = inputs[0]
        batch = logits.shape[1].value if logits.shape.ndims == 3 else None
        return [(TensorShape([None, 2]), dtypes.int64), (TensorShape([None]), dtypes.int64),
                (TensorShape([2]), dtypes.int64), (TensorShape([batch, 1]), logits.dtype.base_dtype)]

    def forward(self, xp, logits, sequence_length, merge_repeated):
        steps, batch, classes = logits.shape
        blank = classes - 1
        best = logits.argmax(axis=2)  # [T, B]
        top = logits.max(axis=2)
        decoded, neg_sum = [], xp.zeros((batch, 1), dtype=logits.dtype)
        for b in range(batch):
            length = int(sequence_length[b])
            if length > steps:
                raise invalid_argument(f"sequence_length({b}) <= {steps}")
            neg_sum[b, 0] = -top[:length, b].sum()
            row, previous = [], -1
            for t in range(length):
                k = int(best[t, b])
                if k != blank and not (merge_repeated and k == previous):
                    row.append(k)
                previous = k
            decoded.append(row)
        indices = [[b, i] for b, row in enumerate(decoded) for i in range(len(row))]
        values = [k for row in decoded for k in row]
        longest = max((len(row) for row in decoded), default=0)
        return (xp.asarray(indices, dtype=xp.int64).reshape(-1, 2), xp.asarray(values, dtype=xp.int64),
                xp.asarray([batch, longest], dtype=xp.int64), neg_sum)

    grad = None  # TensorFlow: not differentiable


def ctc_greedy_decoder(inputs, sequence_length, merge_repeated=True):
    """Greedy (best path) decoding of time-major logits [max_time, batch, num_classes].

    Returns:
        ([decoded], neg_sum_logits): `decoded` an int64 SparseTensor [batch, longest decoding]; neg_sum_logits
        [batch, 1] the negated sum of each frame's largest logit.

    Example:
        >>> (decoded,), _ = tf.nn.ctc_greedy_decoder(logits, seq_len)
        >>> tf.edit_distance(tf.cast(decoded, tf.int32), targets)
    """
    from ..framework.sparse_tensor import SparseTensor
    with name_scope(None, "CTCGreedyDecoder", [inputs, sequence_length]):
        indices, values, shape, neg_sum = apply_op(
            CTCGreedyDecoder, [convert_to_tensor(inputs, name="inputs"),
                               convert_to_tensor(sequence_length, dtype=dtypes.int32, name="sequence_length")],
            {"merge_repeated": bool(merge_repeated)}, name="CTCGreedyDecoder")
        return [SparseTensor(indices, values, shape)], neg_sum
