"""TensorFlow's candidate samplers for sampled losses: UniformCandidateSampler and LogUniformCandidateSampler
(Zipfian) draw `num_sampled` classes in [0, range_max) (distinct ones with `unique`), and report the expected count of
each true and sampled class under the same sampling (the log-Q correction of nce_loss / sampled_softmax_loss)."""
import math

from ..framework import dtypes
from ..framework.apply import apply_op, convert_to_tensor
from ..framework.graph import name_scope
from ..framework.op_def import InferenceError
from ..framework.random_seed import get_seed
from ..framework.tensor_shape import TensorShape
from .op_util import invalid_argument
from .random_ops import _SeededOp
from ..framework.op_def import register

__all__ = ["uniform_candidate_sampler", "log_uniform_candidate_sampler"]


class _CandidateSampler(_SeededOp):
    """Draws candidates (int64 [num_sampled]) and the expected counts of `true_classes` (float32
    [batch, num_true]) and of the candidates (float32 [num_sampled]). Subclasses give `sample(xp, gen, n)` (n
    classes as an int64 array) and `probability(xp, classes)`."""

    input_names = ("true_classes",)
    num_outputs = 3

    def infer(self, inputs, attrs):
        true_classes = inputs[0]
        if true_classes.dtype.base_dtype is not dtypes.int64:
            raise TypeError(f"Input 'true_classes' of '{self.type_name}' Op has type "
                            f"{true_classes.dtype.base_dtype.name} that does not match expected type of int64.")
        if true_classes.shape.ndims not in (None, 2):
            raise InferenceError(f"Shape must be rank 2 but is rank {true_classes.shape.ndims}")
        if attrs["unique"] and attrs["num_sampled"] > attrs["range_max"]:
            raise InferenceError("Sampler's range is too small.")
        batch = true_classes.shape[0].value if true_classes.shape.ndims == 2 else None
        n = attrs["num_sampled"]
        return [(TensorShape([n]), dtypes.int64), (TensorShape([batch, attrs["num_true"]]), dtypes.float32),
                (TensorShape([n]), dtypes.float32)]

    def draw(self, xp, gen, true_classes, num_true, num_sampled, unique, range_max, seed, seed2):
        if true_classes.ndim != 2 or true_classes.shape[1] != num_true:
            raise invalid_argument(f"true_classes must be a matrix with {num_true} columns, got shape "
                                   f"{list(true_classes.shape)}")
        if not unique:
            sampled = self.sample(xp, gen, num_sampled, range_max)
            tries = num_sampled
        else:
            # Rejection, as TensorFlow's RangeSampler: draw until num_sampled distinct classes are in, counting
            # every draw (num_tries sets the expected counts below).
            if num_sampled > range_max:
                raise invalid_argument("Sampler's range is too small.")
            picked, seen, tries = [], set(), 0
            while len(picked) < num_sampled:
                for value in self.sample(xp, gen, max(num_sampled - len(picked), 1), range_max):
                    tries += 1
                    value = int(value)
                    if value not in seen:
                        seen.add(value)
                        picked.append(value)
                        if len(picked) == num_sampled:
                            break
            sampled = xp.asarray(picked, dtype=xp.int64)
        return (sampled, self._expected(xp, true_classes, num_sampled, tries, range_max),
                self._expected(xp, sampled, num_sampled, tries, range_max))

    def _expected(self, xp, classes, num_sampled, tries, range_max):
        p = self.probability(xp, classes.astype(xp.float64), range_max)
        if tries == num_sampled:
            return (p * num_sampled).astype(xp.float32)
        return (-xp.expm1(tries * xp.log1p(-p))).astype(xp.float32)  # 1 - (1 - p)^tries, stably

    grad = None  # TensorFlow: candidate samplers are not differentiable


@register
class UniformCandidateSampler(_CandidateSampler):
    """Each class in [0, range_max) with probability 1 / range_max."""

    type_name = "UniformCandidateSampler"

    @staticmethod
    def sample(xp, gen, n, range_max):
        return gen.integers(0, range_max, size=n).astype(xp.int64)

    @staticmethod
    def probability(xp, classes, range_max):
        return xp.full(classes.shape, 1.0 / range_max)


@register
class LogUniformCandidateSampler(_CandidateSampler):
    """Class k with probability log((k + 2) / (k + 1)) / log(range_max + 1): frequent (small) ids are likelier,
    as for words sorted by frequency."""

    type_name = "LogUniformCandidateSampler"

    @staticmethod
    def sample(xp, gen, n, range_max):
        values = xp.floor(xp.exp(gen.random(n) * math.log(range_max + 1.0))) - 1
        return xp.clip(values, 0, range_max - 1).astype(xp.int64)

    @staticmethod
    def probability(xp, classes, range_max):
        return (xp.log(classes + 2.0) - xp.log(classes + 1.0)) / math.log(range_max + 1.0)


def _sampler(opdef, true_classes, num_true, num_sampled, unique, range_max, seed, name):
    seed1, seed2 = get_seed(seed)
    with name_scope(name, opdef.type_name, [true_classes]) as scope:
        if not hasattr(true_classes, "dtype"):  # Python values become int64; an int32 tensor is a TypeError
            true_classes = convert_to_tensor(true_classes, dtype=dtypes.int64, name="true_classes")
        attrs = {"num_true": int(num_true), "num_sampled": int(num_sampled), "unique": bool(unique),
                 "range_max": int(range_max), "seed": seed1 or 0, "seed2": seed2 or 0}
        return tuple(apply_op(opdef, [true_classes], attrs, name=scope))


def uniform_candidate_sampler(true_classes, num_true, num_sampled, unique, range_max, seed=None, name=None):
    """Samples `num_sampled` classes uniformly from [0, range_max) (distinct ones if `unique`).

    Returns:
        (sampled_candidates int64 [num_sampled], true_expected_count float32 [batch, num_true],
        sampled_expected_count float32 [num_sampled]).

    Example:
        >>> sampled, true_count, sampled_count = tf.nn.uniform_candidate_sampler(labels, 1, 64, True, 10000)
    """
    return _sampler(UniformCandidateSampler, true_classes, num_true, num_sampled, unique, range_max, seed, name)


def log_uniform_candidate_sampler(true_classes, num_true, num_sampled, unique, range_max, seed=None, name=None):
    """Samples `num_sampled` classes from the log-uniform (Zipfian) distribution over [0, range_max):
    P(k) = (log(k + 2) - log(k + 1)) / log(range_max + 1), distinct ones if `unique`.

    Returns:
        (sampled_candidates, true_expected_count, sampled_expected_count), as uniform_candidate_sampler.
    """
    return _sampler(LogUniformCandidateSampler, true_classes, num_true, num_sampled, unique, range_max, seed, name)
