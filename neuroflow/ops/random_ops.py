"""Random primitives (RandomUniform, RandomNormal, TruncatedNormal, RandomShuffle, Multinomial) drawing exactly
TensorFlow's numbers: each op owns a Philox stream per Session (TF's GuardedPhiloxRandom, seeded from the op's
`seed`/`seed2` attributes by TensorFlow's rule), each run continues it and a new Session starts it again.

The words are made on the host (ops/philox.py) and handed to the context's array module, as TensorFlow's own
CPU kernels compute them."""
import numpy as np

from ..framework import dtypes, errors
from ..framework.apply import _is_tensor_like, apply_op
from ..framework.graph import name_scope
from ..framework.op_def import OpDef, register
from ..framework.random_seed import get_seed
from ..framework.tensor_util import constant_value_as_shape
from . import math_ops, philox

__all__ = ["random_uniform", "random_normal", "truncated_normal", "random_shuffle", "multinomial", "categorical",
           "random_gamma", "random_poisson"]


def philox_stream(op, ctx):
    """The Philox stream of random op `op` in context `ctx`, made on first use from the op's seeds.

    In a graph each op node has its own (TensorFlow's kernel per node). Eagerly, TensorFlow keeps one kernel per
    op type and attributes, so calls with the same seeds continue one stream until `tf.set_random_seed` clears
    them; the key mirrors that.
    """
    if getattr(op, "graph", None) is None:
        key = ("philox", op.type, op.get_attr("seed"), op.get_attr("seed2"), str(_attr_or_none(op, "dtype")),
               str(_attr_or_none(op, "output_dtype")))
    else:
        key = ("philox", op.name)
    stream = ctx.resources.get(key)
    if stream is None:
        stream = ctx.resources[key] = philox.PhiloxStream(op.get_attr("seed"), op.get_attr("seed2"))
    return stream


def _attr_or_none(op, name):
    try:
        return op.get_attr(name)
    except (KeyError, ValueError):
        return None


class _PhiloxOp(OpDef):
    """A random op drawing from its Philox stream (seeds as attrs `seed`, `seed2`; both 0: a random stream)."""

    stateful = True
    foldable = False

    def kernel(self, op, ctx):
        stream = philox_stream(op, ctx)
        draw = self.draw
        attrs = op.attrs
        xp = ctx.xp
        return lambda *arrays: draw(xp, stream, *arrays, **attrs)

    def forward(self, xp, *arrays, **attrs):
        return self.draw(xp, philox.PhiloxStream(attrs["seed"], attrs["seed2"]), *arrays, **attrs)


class RandomOp(_PhiloxOp):
    """Draws a tensor of shape `shape` (a 1-D int input); attrs `dtype`, `seed`, `seed2` and the distribution's."""

    input_names = ("shape",)
    shape_arg_inputs = (0,)

    def infer(self, inputs, attrs):
        return [(constant_value_as_shape(inputs[0]), attrs["dtype"])]

    def draw(self, xp, stream, shape, dtype, seed, seed2, **params):
        dims = tuple(int(d) for d in shape)
        size = int(np.prod(dims, dtype=np.int64))
        np_dtype = dtype.as_numpy_dtype
        key, counter = stream.reserve_outputs(size)  # TF's ReserveRandomOutputs(size, 256)
        return xp.asarray(self.sample(key, counter, size, np_dtype, **params).reshape(dims))


def _in_dtype(value, np_dtype):
    return np.asarray(value).astype(np_dtype)


@register
class RandomUniform(RandomOp):
    """Uniform in [minval, maxval): floats as u * (maxval - minval) + minval in the dtype's arithmetic (TF's
    Python composition), integers as minval + bits mod (maxval - minval) (TF's RandomUniformInt)."""

    type_name = "RandomUniform"

    def sample(self, key, counter, size, np_dtype, minval, maxval):
        if np.issubdtype(np_dtype, np.integer):
            if not minval < maxval:
                raise errors.InvalidArgumentError(None, None, f"Need minval < maxval, got {minval} >= {maxval}")
            return philox.uniform_int(key, counter, size, np_dtype, minval, maxval)
        u = philox.uniform(key, counter, size, np_dtype)
        if minval == 0 and maxval == 1:
            return u
        lo, hi = _in_dtype(minval, np_dtype), _in_dtype(maxval, np_dtype)
        return u * (hi - lo) + lo


@register
class RandomNormal(RandomOp):
    """Normal with attrs `mean` and `stddev`: TF's standard normal draw * stddev + mean, in the dtype."""

    type_name = "RandomNormal"

    def sample(self, key, counter, size, np_dtype, mean, stddev):
        z = philox.standard_normal(key, counter, size, np_dtype)
        return z * _in_dtype(stddev, np_dtype) + _in_dtype(mean, np_dtype)


@register
class TruncatedNormal(RandomOp):
    """Normal with `mean` and `stddev`, values more than two standard deviations away redrawn (TF's rejection
    loop over Box-Muller pairs)."""

    type_name = "TruncatedNormal"

    def sample(self, key, counter, size, np_dtype, mean, stddev):
        z = philox.truncated_normal(key, counter, size, np_dtype)
        return z * _in_dtype(stddev, np_dtype) + _in_dtype(mean, np_dtype)


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
    if dtype.is_integer and (_is_tensor_like(minval) or _is_tensor_like(maxval)):
        return _random_uniform_int(shape, minval, maxval, dtype, seed, name)
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


@register
class RandomUniformInt(_PhiloxOp):
    """Integers in [minval, maxval) with the bounds as scalar inputs (TF's RandomUniformInt; RandomUniform with
    an integer dtype takes them as attributes when they are known)."""

    type_name = "RandomUniformInt"
    input_names = ("shape", "minval", "maxval")
    shape_arg_inputs = (0,)
    same_dtype = ("minval", "maxval")
    allowed_dtypes = (dtypes.int32, dtypes.int64)

    def infer(self, inputs, attrs):
        from ..framework.op_def import InferenceError
        for name, bound in zip(("minval", "maxval"), inputs[1:]):
            if bound.shape.ndims not in (None, 0):
                raise InferenceError(f"Shape must be rank 0 but is rank {bound.shape.ndims} for {name}")
        return [(constant_value_as_shape(inputs[0]), inputs[1].dtype.base_dtype)]

    def draw(self, xp, stream, shape, minval, maxval, seed, seed2):
        dims = tuple(int(d) for d in shape)
        lo, hi = int(minval), int(maxval)
        if not lo < hi:
            raise errors.InvalidArgumentError(None, None, f"Need minval < maxval, got {lo} >= {hi}")
        size = int(np.prod(dims, dtype=np.int64))
        key, counter = stream.reserve_outputs(size)
        np_dtype = np.int64 if minval.dtype == np.int64 else np.int32
        return xp.asarray(philox.uniform_int(key, counter, size, np_dtype, lo, hi).reshape(dims))


def _random_uniform_int(shape, minval, maxval, dtype, seed, name):
    from ..framework.apply import convert_to_tensor
    from .array_ops import _shape_tensor
    with name_scope(name, "random_uniform", [shape, minval, maxval]) as scope:
        shape_t = _shape_tensor(shape)
        lo = convert_to_tensor(minval, dtype=dtype, name="min")
        hi = convert_to_tensor(maxval, dtype=dtype, name="max")
        seed1, seed2 = get_seed(seed)
        return apply_op(RandomUniformInt, [shape_t, lo, hi], {"seed": seed1 or 0, "seed2": seed2 or 0},
                        name=scope)


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
    """A random op over a data input drawing from a NumPy generator of this session (seeded by the attrs; not
    TensorFlow's stream): the candidate samplers' base."""

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
class RandomShuffle(_PhiloxOp):
    """`value` with its first dimension shuffled: TF's Fisher-Yates pass, swapping row i with row
    i + word_i mod (n - i) for i = 0 .. n-2 (one 32-bit word each)."""

    type_name = "RandomShuffle"
    input_names = ("value",)

    def infer(self, inputs, attrs):
        return [(inputs[0].shape, inputs[0].dtype.base_dtype)]

    def draw(self, xp, stream, value, seed, seed2):
        n = value.shape[0] if value.ndim else 0
        if value.ndim == 0 or value.size <= 1 or n <= 1:
            return value.copy()
        key, counter = stream.reserve((n - 1 + 3) // 4)  # ReserveSamples32(n - 1)
        words = philox.philox_blocks(key, counter, np.arange((n + 2) // 4, dtype=np.uint64)).reshape(-1)[:n - 1]
        targets = (np.arange(n - 1) + words % np.arange(n, 1, -1, dtype=np.uint32)).tolist()
        order = list(range(n))
        for i, j in enumerate(targets):  # sequential by nature: each swap sees the earlier ones
            order[i], order[j] = order[j], order[i]
        return value[xp.asarray(np.asarray(order, dtype=np.int64))]


@register
class Multinomial(_PhiloxOp):
    """`num_samples` class indices per row of `logits` ([batch, classes]), drawn from softmax(logits) as TF's CPU
    kernel does: the unnormalized CDF of exp(logit - max) in double (non-finite logits add nothing), searched for
    a uniform double (two words) times its total.

    The rows take consecutive words, as in TF whenever its kernel runs in one piece. For large batches TF splits
    the rows over its threads (blocks sized by Eigen's cost model and the machine's thread count), and each
    block starts at its own place in the stream: those draws depend on TF's thread count and are not matched."""

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

    def draw(self, xp, stream, logits, num_samples, seed, seed2, output_dtype):
        # Host values: the CDF search follows TF's kernel step by step.
        logits = np.asarray(xp.asnumpy(logits) if hasattr(xp, "asnumpy") else logits)
        n = int(num_samples)
        batch, classes = logits.shape
        out_np = output_dtype.as_numpy_dtype
        if batch * n == 0:
            return xp.asarray(np.zeros((batch, n), dtype=out_np))
        # CPU doubles use two words each: TF reserves 2 * ceil4(n) outputs per row, 256 blocks each.
        key, counter = stream.reserve_outputs(batch * ((n + 3) // 4 * 4) * 2)
        # One worker shard (TF's layout for the batch sizes one thread handles): the rows use consecutive words.
        words = philox.philox_blocks(key, counter, np.arange((batch * n * 2 + 3) // 4, dtype=np.uint64))
        words = words.reshape(-1)[:batch * n * 2].reshape(batch, n, 2)
        u = philox.uint64_to_double(words[..., 0], words[..., 1])
        finite = np.isfinite(logits)
        top = np.where(finite, logits, -np.inf).max(axis=1, initial=np.finfo(logits.dtype).min)
        weights = np.where(finite, np.exp(logits.astype(np.float64) - top.astype(np.float64)[:, None]), 0.0)
        cdf = np.cumsum(weights, axis=1)
        out = np.empty((batch, n), dtype=out_np)
        for b in range(batch):
            out[b] = np.searchsorted(cdf[b], u[b] * cdf[b, -1], side="right")
        return xp.asarray(out)


def categorical(logits, num_samples, dtype=None, seed=None, name=None):
    """`tf.random.categorical`: `multinomial` with TensorFlow's newer argument order (`dtype` int32 or int64).

    Example: `tf.random.categorical(tf.log([[0.5, 0.5]]), 5)` gives a [1, 5] int64 tensor of 0s and 1s.
    """
    with name_scope(name, "categorical", [logits]):
        dtype = dtypes.as_dtype(dtype) if dtype else dtypes.int64
        if dtype not in (dtypes.int32, dtypes.int64):
            raise ValueError(f"Argument `dtype` got invalid value {dtype}. Accepted dtypes are int32 and int64.")
        return multinomial(logits, num_samples, seed=seed, output_dtype=dtype)


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


@register
class RandomGamma(_PhiloxOp):
    """Gamma(alpha, 1) draws of shape `shape` + alpha's shape (TF's RandomGamma kernel, ops/philox.py's gamma)."""

    type_name = "RandomGamma"
    input_names = ("shape", "alpha")
    shape_arg_inputs = (0,)
    same_dtype = ("alpha",)
    allowed_dtypes = (dtypes.float16, dtypes.float32, dtypes.float64)

    def infer(self, inputs, attrs):
        return [(constant_value_as_shape(inputs[0]).concatenate(inputs[1].shape), inputs[1].dtype.base_dtype)]

    def draw(self, xp, stream, shape, alpha, seed, seed2):
        dims = tuple(int(d) for d in shape)
        alpha = np.asarray(xp.asnumpy(alpha) if hasattr(xp, "asnumpy") else alpha)
        num_samples = int(np.prod(dims, dtype=np.int64))
        out_shape = dims + alpha.shape
        if num_samples == 0:
            return xp.asarray(np.zeros(out_shape, dtype=alpha.dtype))
        if alpha.size == 0:
            raise errors.InvalidArgumentError(
                None, None, f"Input alpha should have non-zero element count, got: {alpha.size}")
        key, counter = stream.reserve_outputs(num_samples * alpha.size)
        values = philox.gamma(key, counter, num_samples, alpha, alpha.dtype)
        return xp.asarray(values.reshape(out_shape))


def random_gamma(shape, alpha, beta=None, dtype=dtypes.float32, seed=None, name=None):
    """Draws `shape` samples from each Gamma(alpha, beta) (rate beta; alpha and beta broadcast): output shape
    `shape + broadcast(alpha, beta).shape`, each at least the dtype's smallest normal number.

    Example: `tf.random_gamma([10], [0.5, 1.5])` gives a [10, 2] tensor.
    """
    from ..framework.apply import convert_to_tensor
    from .grad_support_ops import ones_like
    dtype = dtypes.as_dtype(dtype).base_dtype
    with name_scope(name, "random_gamma", [shape, alpha, beta]):
        shape = convert_to_tensor(shape, name="shape", dtype=dtypes.int32)
        alpha = convert_to_tensor(alpha, name="alpha", dtype=dtype)
        beta = convert_to_tensor(beta if beta is not None else 1, name="beta", dtype=dtype)
        # alpha broadcast against beta (exact: times ones)
        alpha_broadcast = alpha if beta.shape.ndims == 0 else math_ops.multiply(alpha, ones_like(beta))
        seed1, seed2 = get_seed(seed)
        draws = apply_op(RandomGamma, [shape, alpha_broadcast], {"seed": seed1 or 0, "seed2": seed2 or 0},
                         name="RandomGamma")
        return math_ops.maximum(np.finfo(dtype.as_numpy_dtype).tiny, math_ops.truediv(draws, beta))


@register
class RandomPoissonV2(_PhiloxOp):
    """Poisson(rate) draws of shape `shape` + rate's shape, as dtype `dtype` (TF's RandomPoissonV2 kernel,
    ops/philox.py's poisson)."""

    type_name = "RandomPoissonV2"
    input_names = ("shape", "rate")
    shape_arg_inputs = (0,)
    same_dtype = ("rate",)
    allowed_dtypes = (dtypes.float16, dtypes.float32, dtypes.float64, dtypes.int32, dtypes.int64)

    def infer(self, inputs, attrs):
        return [(constant_value_as_shape(inputs[0]).concatenate(inputs[1].shape), attrs["dtype"])]

    def draw(self, xp, stream, shape, rate, seed, seed2, dtype):
        dims = tuple(int(d) for d in shape)
        rate = np.asarray(xp.asnumpy(rate) if hasattr(xp, "asnumpy") else rate)
        num_samples = int(np.prod(dims, dtype=np.int64))
        out_shape = dims + rate.shape
        if num_samples == 0:
            return xp.asarray(np.zeros(out_shape, dtype=dtype.as_numpy_dtype))
        if rate.size == 0:
            raise errors.InvalidArgumentError(
                None, None, f"Input rate should have non-zero element count, got: {rate.size}")
        key, counter = stream.reserve_outputs(num_samples * rate.size)
        values = philox.poisson(key, counter, num_samples, rate)
        return xp.asarray(values.reshape(out_shape).astype(dtype.as_numpy_dtype))


def random_poisson(lam, shape, dtype=dtypes.float32, seed=None, name=None):
    """Draws `shape` samples from each Poisson(lam): output shape `shape + lam.shape`, of dtype `dtype`.

    Example: `tf.random_poisson([0.5, 1.5], [10])` gives a [10, 2] float32 tensor.
    """
    from ..framework.apply import convert_to_tensor
    with name_scope(name, "random_poisson", [lam, shape]):
        shape = convert_to_tensor(shape, name="shape", dtype=dtypes.int32)
        lam = convert_to_tensor(lam, name="rate")
        seed1, seed2 = get_seed(seed)
        return apply_op(RandomPoissonV2, [shape, lam],
                        {"seed": seed1 or 0, "seed2": seed2 or 0, "dtype": dtypes.as_dtype(dtype).base_dtype},
                        name="RandomPoissonV2")
