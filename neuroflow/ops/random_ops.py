"""Random primitives (RandomUniform, RandomNormal, TruncatedNormal, RandomShuffle, Multinomial) with TensorFlow's seed rule: each op
draws from its own generator per Session, so a new Session restarts the sequence."""
import numpy as np

from ..framework import dtypes
from ..framework.apply import _is_tensor_like, apply_op
from ..framework.graph import name_scope
from ..framework.op_def import OpDef, register
from ..framework.random_seed import get_seed
from ..framework.tensor_util import constant_value_as_shape
from . import math_ops

__all__ = ["random_uniform", "random_normal", "truncated_normal", "random_shuffle", "multinomial"]


class RandomOp(OpDef):
    """Draws a tensor of shape `shape` (a 1-D int input); attrs `dtype`, `seed`, `seed2` and the distribution's."""

    input_names = ("shape",)
    stateful = True
    foldable = False

    def infer(self, inputs, attrs):
        return [(constant_value_as_shape(inputs[0]), attrs["dtype"])]

    def kernel(self, op, ctx):
        gen = ctx.random_generator(op)
        draw = self.draw
        attrs = op.attrs
        np_dtype = attrs["dtype"].as_numpy_dtype
        return lambda shape: draw(gen, tuple(int(d) for d in shape), np_dtype, attrs)

    def forward(self, xp, shape, **attrs):
        seed, seed2 = attrs["seed"], attrs["seed2"]
        gen = xp.random.default_rng(None if (seed, seed2) == (0, 0) else [seed, seed2])
        return self.draw(gen, tuple(int(d) for d in shape), attrs["dtype"].as_numpy_dtype, attrs)


def _float_dtype(np_dtype):
    return np_dtype if np_dtype in (np.float32, np.float64) else np.float32


@register
class RandomUniform(RandomOp):
    """Uniform in [minval, maxval); integers in [minval, maxval) for integer dtypes."""

    type_name = "RandomUniform"
    shape_arg_inputs = (0,)

    def draw(self, gen, shape, np_dtype, attrs):
        lo, hi = attrs["minval"], attrs["maxval"]
        if np.issubdtype(np_dtype, np.integer):
            return gen.integers(lo, hi, size=shape, dtype=np_dtype)
        u = gen.random(shape, dtype=_float_dtype(np_dtype))
        if lo != 0 or hi != 1:
            u = u * (hi - lo) + lo
        return u.astype(np_dtype, copy=False)


@register
class RandomNormal(RandomOp):
    """Normal with attrs `mean` and `stddev`."""

    type_name = "RandomNormal"
    shape_arg_inputs = (0,)

    def draw(self, gen, shape, np_dtype, attrs):
        z = gen.standard_normal(shape, dtype=_float_dtype(np_dtype))
        if attrs["stddev"] != 1 or attrs["mean"] != 0:
            z = z * attrs["stddev"] + attrs["mean"]
        return z.astype(np_dtype, copy=False)


@register
class TruncatedNormal(RandomOp):
    """Normal with `mean` and `stddev`, redrawing values more than two standard deviations away."""

    type_name = "TruncatedNormal"
    shape_arg_inputs = (0,)

    def draw(self, gen, shape, np_dtype, attrs):
        float_dtype = _float_dtype(np_dtype)
        z = gen.standard_normal(shape, dtype=float_dtype)
        bad = abs(z) > 2
        while bad.any():
            z[bad] = gen.standard_normal(int(bad.sum()), dtype=float_dtype)
            bad = abs(z) > 2
        if attrs["stddev"] != 1 or attrs["mean"] != 0:
            z = z * attrs["stddev"] + attrs["mean"]
        return z.astype(np_dtype, copy=False)


def _random(opdef, shape, dtype, seed, name, default_name, params, tensor_params):
    """Builds the op; parameters given as tensors are applied with ops after a standard draw."""
    from .array_ops import _shape_tensor
    dtype = dtypes.as_dtype(dtype).base_dtype
    seed1, seed2 = get_seed(seed)
    with name_scope(name, default_name, [shape]) as scope:
        shape_t = _shape_tensor(shape)
        attrs = {"dtype": dtype, "seed": seed1 or 0, "seed2": seed2 or 0}
        attrs.update(params)
        if not tensor_params:
            return apply_op(opdef, [shape_t], attrs, name=scope)
        draw = apply_op(opdef, [shape_t], attrs, name=opdef.type_name)
        return tensor_params(draw, scope)


def random_uniform(shape, minval=0, maxval=None, dtype=dtypes.float32, seed=None, name=None):
    """Uniform random values in [minval, maxval) (maxval defaults to 1 for floats; required for integers).

    Example: `tf.random_uniform([2, 3], -1.0, 1.0, seed=1)`.
    """
    dtype = dtypes.as_dtype(dtype).base_dtype
    if maxval is None:
        if dtype.is_integer:
            raise ValueError(f"Must specify maxval for integer dtype {dtype!r}")
        maxval = 1
    if _is_tensor_like(minval) or _is_tensor_like(maxval):
        def scale(u, scope):
            lo = math_ops.cast(minval, dtype)
            return math_ops.add(math_ops.multiply(u, math_ops.subtract(maxval, lo)), lo, name=scope)
        return _random(RandomUniform, shape, dtype, seed, name, "random_uniform", {"minval": 0, "maxval": 1}, scale)
    if dtype.is_integer:
        minval, maxval = int(minval), int(maxval)
    else:
        minval, maxval = float(minval), float(maxval)
    return _random(RandomUniform, shape, dtype, seed, name, "random_uniform", {"minval": minval, "maxval": maxval},
                   None)


def _normal(opdef, default_name, shape, mean, stddev, dtype, seed, name):
    if _is_tensor_like(mean) or _is_tensor_like(stddev):
        def scale(z, scope):
            return math_ops.add(math_ops.multiply(z, stddev), mean, name=scope)
        return _random(opdef, shape, dtype, seed, name, default_name, {"mean": 0.0, "stddev": 1.0}, scale)
    return _random(opdef, shape, dtype, seed, name, default_name, {"mean": float(mean), "stddev": float(stddev)},
                   None)


def random_normal(shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, seed=None, name=None):
    """Normally distributed random values. Example: `tf.random_normal([784, 10], stddev=0.1)`."""
    return _normal(RandomNormal, "random_normal", shape, mean, stddev, dtype, seed, name)


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, seed=None, name=None):
    """Normal random values, redrawn where more than 2 standard deviations from the mean."""
    return _normal(TruncatedNormal, "truncated_normal", shape, mean, stddev, dtype, seed, name)


class _SeededOp(OpDef):
    """A random op over a data input: draws from this session's generator for the op (seeds as attrs)."""

    stateful = True
    foldable = False

    def kernel(self, op, ctx):
        gen = ctx.random_generator(op)
        draw = self.draw
        attrs = op.attrs
        xp = ctx.xp
        return lambda *arrays: draw(xp, gen, *arrays, **attrs)

    def forward(self, xp, *arrays, **attrs):
        seed, seed2 = attrs["seed"], attrs["seed2"]
        gen = xp.random.default_rng(None if (seed, seed2) == (0, 0) else [seed, seed2])
        return self.draw(xp, gen, *arrays, **attrs)


@register
class RandomShuffle(_SeededOp):
    """`value` with its first dimension shuffled."""

    type_name = "RandomShuffle"
    input_names = ("value",)

    def infer(self, inputs, attrs):
        return [(inputs[0].shape, inputs[0].dtype.base_dtype)]

    def draw(self, xp, gen, value, seed, seed2):
        if value.ndim == 0:
            return value.copy()
        return value[gen.permutation(value.shape[0])]


@register
class Multinomial(_SeededOp):
    """`num_samples` class indices per row of `logits` ([batch, classes]), drawn from softmax(logits)."""

    type_name = "Multinomial"
    data_dependent_shape = True
    shape_arg_inputs = (1,)
    input_names = ("logits", "num_samples")

    def infer(self, inputs, attrs):
        from ..framework.op_def import InferenceError
        from ..framework.tensor_shape import TensorShape
        from ..framework.tensor_util import constant_value
        logits, n = inputs
        if logits.shape.ndims not in (None, 2):
            raise InferenceError(f"Shape must be rank 2 but is rank {logits.shape.ndims}")
        count = constant_value(n)
        batch = logits.shape[0].value if logits.shape.ndims == 2 else None
        return [(TensorShape([batch, None if count is None else int(count)]), attrs["output_dtype"])]

    def draw(self, xp, gen, logits, num_samples, seed, seed2, output_dtype):
        logits = logits.astype(xp.float64)
        n = int(num_samples)
        # Gumbel-max: argmax(logits + Gumbel noise) is a draw from softmax(logits); -inf logits never win.
        u = gen.random((logits.shape[0], n, logits.shape[1]))
        gumbel = -xp.log(-xp.log(xp.clip(u, 1e-300, None)))
        return xp.argmax(logits[:, None, :] + gumbel, axis=-1).astype(output_dtype.as_numpy_dtype)


def random_shuffle(value, seed=None, name=None):
    """`value` shuffled along its first dimension (a new order on each run)."""
    seed1, seed2 = get_seed(seed)
    return apply_op(RandomShuffle, [value], {"seed": seed1 or 0, "seed2": seed2 or 0}, name=name or "RandomShuffle")


def multinomial(logits, num_samples, seed=None, name=None, output_dtype=None):
    """Draws `num_samples` class indices per row from the categorical distribution softmax(logits[i]).

    Example: `tf.multinomial(tf.log([[0.5, 0.5]]), 10)` gives a [1, 10] int64 tensor of 0s and 1s.
    """
    seed1, seed2 = get_seed(seed)
    out = dtypes.as_dtype(output_dtype or dtypes.int64)
    with name_scope(name, "multinomial", [logits]) as scope:
        from ..framework.constant_op import constant
        n = num_samples if _is_tensor_like(num_samples) else constant(int(num_samples), dtypes.int32,
                                                                      name="num_samples")
        return apply_op(Multinomial, [logits, n], {"seed": seed1 or 0, "seed2": seed2 or 0, "output_dtype": out},
                        name=scope)
