"""Learning-rate schedules over the global step: `tf.train.exponential_decay`, `piecewise_constant`, ..."""
from ..framework import dtypes
from ..framework.apply import convert_to_tensor
from ..framework.graph import name_scope
from ..ops import math_ops
from ..ops.grad_support_ops import where

__all__ = ["exponential_decay", "piecewise_constant", "inverse_time_decay", "natural_exp_decay",
           "polynomial_decay"]


def _float(x, dtype=None, name=None):
    t = convert_to_tensor(x, name=name) if dtype is None else convert_to_tensor(x, dtype=dtype, name=name)
    return t if t.dtype.base_dtype.is_floating else math_ops.cast(t, dtypes.float32)


def _progress(learning_rate, global_step, decay_steps, staircase):
    """The learning rate as a float tensor and global_step / decay_steps in its dtype (floored if staircase)."""
    lr = _float(learning_rate, name="learning_rate")
    dtype = lr.dtype.base_dtype
    p = math_ops.truediv(math_ops.cast(global_step, dtype), math_ops.cast(decay_steps, dtype))
    return lr, dtype, (math_ops.floor(p) if staircase else p)


def exponential_decay(learning_rate, global_step, decay_steps, decay_rate, staircase=False, name=None):
    """learning_rate * decay_rate ^ (global_step / decay_steps); the exponent is floored if `staircase`.

    Example:
        >>> step = tf.train.get_or_create_global_step()
        >>> lr = tf.train.exponential_decay(0.1, step, 1000, 0.96, staircase=True)
    """
    if global_step is None:
        raise ValueError("global_step is required for exponential_decay.")
    with name_scope(name, "ExponentialDecay", [learning_rate, global_step]) as scope:
        lr, dtype, p = _progress(learning_rate, global_step, decay_steps, staircase)
        return math_ops.multiply(lr, math_ops.pow(math_ops.cast(decay_rate, dtype), p), name=scope)


def inverse_time_decay(learning_rate, global_step, decay_steps, decay_rate, staircase=False, name=None):
    """learning_rate / (1 + decay_rate * global_step / decay_steps)."""
    with name_scope(name, "InverseTimeDecay", [learning_rate, global_step]) as scope:
        lr, dtype, p = _progress(learning_rate, global_step, decay_steps, staircase)
        denom = math_ops.add(math_ops.cast(1.0, dtype), math_ops.multiply(math_ops.cast(decay_rate, dtype), p))
        return math_ops.truediv(lr, denom, name=scope)


def natural_exp_decay(learning_rate, global_step, decay_steps, decay_rate, staircase=False, name=None):
    """learning_rate * exp(-decay_rate * global_step / decay_steps)."""
    with name_scope(name, "NaturalExpDecay", [learning_rate, global_step]) as scope:
        lr, dtype, p = _progress(learning_rate, global_step, decay_steps, staircase)
        return math_ops.multiply(lr, math_ops.exp(math_ops.multiply(math_ops.cast(-decay_rate, dtype), p)),
                                 name=scope)


def polynomial_decay(learning_rate, global_step, decay_steps, end_learning_rate=0.0001, power=1.0, cycle=False,
                     name=None):
    """(lr - end) * (1 - min(step, decay_steps) / decay_steps) ^ power + end."""
    if cycle:
        raise NotImplementedError("polynomial_decay(cycle=True) is not supported yet")
    with name_scope(name, "PolynomialDecay", [learning_rate, global_step]) as scope:
        lr = _float(learning_rate, name="learning_rate")
        dtype = lr.dtype.base_dtype
        step = math_ops.minimum(math_ops.cast(global_step, dtype), math_ops.cast(decay_steps, dtype))
        frac = math_ops.subtract(math_ops.cast(1.0, dtype), math_ops.truediv(step, math_ops.cast(decay_steps, dtype)))
        end = math_ops.cast(end_learning_rate, dtype)
        return math_ops.add(math_ops.multiply(math_ops.subtract(lr, end), math_ops.pow(frac, math_ops.cast(power, dtype))),
                            end, name=scope)


def piecewise_constant(x, boundaries, values, name=None):
    """values[0] while x <= boundaries[0], values[1] while x <= boundaries[1], ..., values[-1] after.

    Raises:
        ValueError: len(values) != len(boundaries) + 1.
    """
    if len(values) != len(boundaries) + 1:
        raise ValueError("The length of boundaries should be 1 less than the length of values")
    with name_scope(name, "PiecewiseConstant", [x]) as scope:
        x = convert_to_tensor(x)
        vals = [convert_to_tensor(v) for v in values]
        result = vals[-1]
        for b, v in reversed(list(zip(boundaries, vals[:-1]))):
            bound = convert_to_tensor(b, dtype=x.dtype.base_dtype)
            result = where(math_ops.less_equal(x, bound), v, result)
        return _named_identity(result, scope)


def _named_identity(t, scope):
    from ..ops.array_ops import identity
    return identity(t, name=scope)
