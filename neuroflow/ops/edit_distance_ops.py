"""tf.edit_distance (EditDistance): the Levenshtein distance between the sequences of two SparseTensors, one
sequence per position of all but their last dimension, optionally divided by the truth's length."""
from ..framework import dtypes
from ..framework.apply import apply_op
from ..framework.graph import name_scope
from ..framework.op_def import OpDef, register
from ..framework.tensor_shape import TensorShape
from ..framework.tensor_util import constant_value
from .op_util import invalid_argument

__all__ = ["edit_distance"]


def _levenshtein(a, b):
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i]
        for j, y in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y)))
        previous = current
    return previous[-1]


def _sequences(indices, codes):
    """{position (all but the last coordinate): [value codes in the order given]}."""
    groups = {}
    for i in range(indices.shape[0]):
        key = tuple(int(v) for v in indices[i, :-1])
        groups.setdefault(key, []).append(int(codes[i]))
    return groups


@register
class EditDistance(OpDef):
    """Levenshtein distances (float32) of shape max(hypothesis_shape, truth_shape)[:-1]; with `normalize`, each
    divided by the truth sequence's length (inf where only the hypothesis has a sequence)."""

    type_name = "EditDistance"
    input_names = ("hypothesis_indices", "hypothesis_values", "hypothesis_shape", "truth_indices", "truth_values",
                   "truth_shape")
    same_dtype = ("hypothesis_values", "truth_values")
    shape_arg_inputs = (2, 5)

    def infer(self, inputs, attrs):
        hyp_shape, truth_shape = constant_value(inputs[2]), constant_value(inputs[5])
        if hyp_shape is not None and truth_shape is not None:
            return [(TensorShape([max(int(h), int(t)) for h, t in zip(hyp_shape[:-1], truth_shape[:-1])]),
                     dtypes.float32)]
        rank = inputs[2].shape[0].value if inputs[2].shape.ndims == 1 else None
        return [(TensorShape(None if rank is None else [None] * (rank - 1)), dtypes.float32)]

    def forward(self, xp, hyp_indices, hyp_values, hyp_shape, truth_indices, truth_values, truth_shape, normalize):
        if hyp_shape.shape != truth_shape.shape:
            raise invalid_argument(f"hypothesis and truth must have the same rank; got {hyp_shape.shape[0]} and "
                                   f"{truth_shape.shape[0]}")
        # Equal values get equal integer codes, so sequences of any dtype (strings too) compare as ints.
        _, codes = xp.unique(xp.concatenate([hyp_values, truth_values]), return_inverse=True)
        codes = codes.reshape(-1)
        hyp = _sequences(hyp_indices, codes[:hyp_values.shape[0]])
        truth = _sequences(truth_indices, codes[hyp_values.shape[0]:])
        shape = tuple(max(int(h), int(t)) for h, t in zip(hyp_shape[:-1], truth_shape[:-1]))
        out = xp.zeros(shape, dtype=xp.float32)
        for key in set(hyp) | set(truth):
            if any(k >= s for k, s in zip(key, shape)):
                raise invalid_argument(f"Got an index {list(key)} outside the output shape {list(shape)}")
            h, t = hyp.get(key, []), truth.get(key, [])
            distance = float(_levenshtein(h, t))
            if normalize:
                distance = distance / len(t) if t else float("inf")
            out[key] = distance
        return out

    grad = None  # TensorFlow: EditDistance is not differentiable


def edit_distance(hypothesis, truth, normalize=True, name="edit_distance"):
    """The Levenshtein distance between the sequences of `hypothesis` and `truth` (SparseTensors of one rank;
    each sequence runs along the last dimension), per position of the other dimensions.

    Args:
        normalize: divide each distance by the truth's length (inf where the truth is empty).

    Raises:
        TypeError: an argument that is not a SparseTensor.

    Example:
        >>> tf.edit_distance(hypothesis, truth)   # TF's documented example: [[inf, 1.], [0.5, 1.]]
    """
    from ..framework.sparse_tensor import SparseTensor, SparseTensorValue
    if not isinstance(hypothesis, (SparseTensor, SparseTensorValue)):
        raise TypeError("Hypothesis must be a SparseTensor.")
    if not isinstance(truth, (SparseTensor, SparseTensorValue)):
        raise TypeError("Truth must be a SparseTensor.")
    hypothesis, truth = SparseTensor.from_value(hypothesis), SparseTensor.from_value(truth)
    with name_scope(name, "edit_distance", [hypothesis, truth]) as scope:
        return apply_op(EditDistance, [hypothesis.indices, hypothesis.values, hypothesis.dense_shape,
                                       truth.indices, truth.values, truth.dense_shape],
                        {"normalize": bool(normalize)}, name=scope)
