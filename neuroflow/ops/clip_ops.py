"""Clipping: `tf.clip_by_value`, `tf.clip_by_norm`, `tf.global_norm`, `tf.clip_by_global_norm` — compositions
of elementwise ops and reductions, so their gradients come for free."""
from collections.abc import Sequence

from ..framework.apply import _is_tensor_like, convert_to_tensor
from ..framework.graph import name_scope

__all__ = ["clip_by_value", "clip_by_norm", "global_norm", "clip_by_global_norm"]


def _check_not_broadcast(values, result, what):
    """Clipping must not change the shape of `t` (a larger bound would silently broadcast it)."""
    if not values.shape.is_compatible_with(result.shape) or (
            values.shape.ndims is not None and result.shape.ndims is not None
            and values.shape.ndims != result.shape.ndims):
        raise ValueError(f"Shapes {values.shape} and {result.shape} are not compatible: {what} would broadcast "
                         f"'t' to a larger shape")


def clip_by_value(t, clip_value_min, clip_value_max, name=None):
    """`t` with entries below `clip_value_min` raised to it and entries above `clip_value_max` lowered to it.

    The gradient reaches `t` only where it was not clipped (entries equal to a bound count as not clipped),
    and the bounds receive the rest.

    Args:
        t: a real tensor.
        clip_value_min, clip_value_max: bounds, scalars or tensors broadcastable to the shape of `t`.
        name: the name scope and output node's name (default "clip_by_value").

    Raises:
        ValueError: the bounds would broadcast `t` to a larger shape.

    Example: `tf.clip_by_value([-2., 0.5, 3.], 0., 1.)` evaluates to `[0., 0.5, 1.]`.
    """
    from .math_ops import maximum, minimum
    with name_scope(name, "clip_by_value", [t, clip_value_min, clip_value_max]) as scope:
        values = convert_to_tensor(t, name="t")
        upper = minimum(values, clip_value_max)
        _check_not_broadcast(values, upper, "clip_value_max")
        clipped = maximum(upper, clip_value_min, name=scope)
        _check_not_broadcast(values, clipped, "clip_value_min")
        return clipped


def clip_by_norm(t, clip_norm, axes=None, name=None):
    """`t * clip_norm / max(l2norm(t), clip_norm)`: rescaled so that its L2 norm (over `axes`, all when None)
    is at most `clip_norm`; unchanged if it already is.

    Args:
        t: a floating-point tensor.
        clip_norm: a positive scalar.
        axes: the axes the norm is taken over (None: all), e.g. 1 to clip each row of a matrix separately.
        name: the name scope and output node's name (default "clip_by_norm").

    Example: `tf.clip_by_norm([3., 4.], 1.)` evaluates to `[0.6, 0.8]`.
    """
    from .array_ops import identity
    from .grad_support_ops import ones_like, where
    from .math_ops import greater, maximum, multiply, sqrt, truediv
    from .reduce_ops import reduce_sum
    with name_scope(name, "clip_by_norm", [t, clip_norm]) as scope:
        values = convert_to_tensor(t, name="t")
        l2sum = reduce_sum(multiply(values, values), axes, keepdims=True)
        # sqrt has an infinite derivative at 0: take it of 1 there instead, so a zero `t` has finite gradients.
        positive = greater(l2sum, 0)
        l2norm = where(positive, sqrt(where(positive, l2sum, ones_like(l2sum))), l2sum)
        scaled = multiply(values, clip_norm)
        _check_not_broadcast(values, scaled, "clip_norm")
        return identity(truediv(scaled, maximum(l2norm, clip_norm)), name=scope)


def _as_sequence(t_list):
    if not isinstance(t_list, Sequence) or isinstance(t_list, (str, bytes)):
        raise TypeError("t_list should be a sequence")
    return list(t_list)


def global_norm(t_list, name=None):
    """sqrt(sum of the squares of every entry of every tensor in `t_list`); None entries are ignored.

    Args:
        t_list: a list or tuple of tensors (of one floating-point dtype) or None.
        name: the name scope (default "global_norm"); the output is "<scope>/global_norm".

    Raises:
        TypeError: `t_list` is not a sequence.

    Example: `tf.global_norm([tf.constant([3.]), tf.constant([4.])])` evaluates to 5.0.
    """
    from .array_ops import stack
    from .math_ops import multiply, sqrt
    from .reduce_ops import reduce_sum
    t_list = _as_sequence(t_list)
    with name_scope(name, "global_norm", [t for t in t_list if t is not None]):
        values = [convert_to_tensor(t, name=f"t_{i}") for i, t in enumerate(t_list) if t is not None]
        if not values:
            raise ValueError("global_norm needs at least one tensor in t_list (all entries are None)")
        squares = [reduce_sum(multiply(v, v)) for v in values]
        total = reduce_sum(stack(squares))
        return sqrt(total, name="global_norm")


def clip_by_global_norm(t_list, clip_norm, use_norm=None, name=None):
    """Scales every tensor of `t_list` by `clip_norm / max(global_norm, clip_norm)`, so that together their
    global norm is at most `clip_norm` (directions are kept). The usual guard against exploding gradients.

    Args:
        t_list: a list or tuple of tensors or None (None entries come back as None).
        clip_norm: a positive scalar.
        use_norm: the global norm to use, if already computed (default: `tf.global_norm(t_list)`).
        name: the name scope (default "clip_by_global_norm").

    Returns:
        `(list_clipped, global_norm)`. If the global norm is inf or nan, every clipped entry is nan.

    Raises:
        TypeError: `t_list` is not a sequence.

    Example:
        >>> grads, _ = tf.clip_by_global_norm(grads, 5.0)
    """
    from ..framework.constant_op import constant
    from .array_ops import identity
    from .math_ops import add, cast, minimum, multiply, subtract, truediv
    t_list = _as_sequence(t_list)
    if use_norm is None:
        use_norm = global_norm(t_list, name)
    use_norm = convert_to_tensor(use_norm, name="use_norm")
    present = [t for t in t_list if t is not None]
    with name_scope(name, "clip_by_global_norm", present + [clip_norm]) as scope:
        norm_dtype = use_norm.dtype.base_dtype
        if not _is_tensor_like(clip_norm):
            clip_norm = convert_to_tensor(clip_norm, dtype=norm_dtype, name="clip_norm")
        one = constant(1.0, dtype=norm_dtype)
        scale = multiply(clip_norm, minimum(truediv(one, use_norm), truediv(one, clip_norm)))
        # (norm - norm) is 0, or nan when the norm is inf/nan: then every output is nan rather than silently 0.
        scale = add(scale, subtract(use_norm, use_norm))
        clipped = []
        for i, t in enumerate(t_list):
            if t is None:
                clipped.append(None)
                continue
            v = convert_to_tensor(t, name=f"t_{i}")
            s = scale if v.dtype.base_dtype is norm_dtype else cast(scale, v.dtype.base_dtype)
            clipped.append(identity(multiply(v, s), name=f"{scope}_{i}"))
        return clipped, use_norm
