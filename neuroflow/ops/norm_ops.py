"""Norms and log-sum-exp: `tf.norm` and `tf.reduce_logsumexp`, reductions composed of other ops (no primitive
and no gradient code of their own)."""
import numbers

import numpy as np

from ..framework.apply import convert_to_tensor
from ..framework.graph import name_scope
from . import reduce_ops as _r

__all__ = ["norm", "reduce_logsumexp"]


def _is_real_number(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def norm(tensor, ord="euclidean", axis=None, keepdims=None, name=None, keep_dims=None):  # noqa: A002
    """The vector or matrix norm of `tensor`.

    Args:
        tensor: a floating-point tensor.
        ord: for vectors 'euclidean' (= 2), 1, np.inf or any p > 0; for matrices 'euclidean'/'fro'
            (Frobenius), 1 (largest column sum) or np.inf (largest row sum).
        axis: None (the whole tensor as one vector), an int (vectors along it) or a pair of ints (matrices).
        keepdims: keep the reduced axes as size 1; `keep_dims` is its deprecated name.
        name: the name scope (default "norm").

    Raises:
        ValueError: an unsupported `ord` or a malformed `axis`.
        NotImplementedError: the spectral matrix norm (`ord=2` with a pair of axes).

    Example: `tf.norm([3., 4.])` evaluates to 5.0.
    """
    from .math_ops import abs as abs_, multiply, pow as pow_, sqrt
    keep = _r._resolve_keepdims(keepdims, keep_dims)
    is_matrix = isinstance(axis, (tuple, list)) and len(axis) == 2
    bad_axis = f"'axis' must be None, an integer, or a tuple of 2 unique integers, got {axis}"
    if is_matrix:
        if not all(isinstance(a, numbers.Integral) for a in axis) or axis[0] == axis[1]:
            raise ValueError(bad_axis)
        supported = ["euclidean", "fro", 1, 2, np.inf]
        if not any(ord is s or ord == s for s in supported):
            raise ValueError(f"'ord' must be a supported matrix norm in {supported}, got {ord}")
        if ord == 2:
            raise NotImplementedError("neuroflow does not compute the spectral matrix norm (ord=2 over a pair of "
                                      "axes); use ord='fro', 1 or np.inf")
        axis = tuple(int(a) for a in axis)
    else:
        if axis is not None and not isinstance(axis, numbers.Integral):
            raise ValueError(bad_axis)
        if ord != "euclidean" and not (_is_real_number(ord) and ord > 0):
            raise ValueError(f"'ord' must be a supported vector norm, got {ord}")
    with name_scope(name, "norm", [tensor]):
        x = convert_to_tensor(tensor, name="tensor")
        if ord in ("euclidean", "fro") or (ord == 2 and not is_matrix):
            return sqrt(_r.reduce_sum(multiply(x, x), axis, keepdims=keep))
        if ord == 1 and is_matrix:
            # Largest column sum: sum down axis[0] (kept as size 1), then the max over both axes.
            return _r.reduce_max(_r.reduce_sum(abs_(x), axis[0], keepdims=True), axis, keepdims=keep)
        if ord == np.inf and is_matrix:
            return _r.reduce_max(_r.reduce_sum(abs_(x), axis[1], keepdims=True), axis, keepdims=keep)
        if ord == 1:
            return _r.reduce_sum(abs_(x), axis, keepdims=keep)
        if ord == np.inf:
            return _r.reduce_max(abs_(x), axis, keepdims=keep)
        p = float(ord)
        return pow_(_r.reduce_sum(pow_(abs_(x), p), axis, keepdims=keep), 1.0 / p)


def reduce_logsumexp(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None, keep_dims=None):
    """log(sum(exp(x))) over `axis`, computed without overflow (the finite maximum is taken out first).

    Args: as `tf.reduce_sum`; `name` is the name scope (default "ReduceLogSumExp").

    Returns:
        A tensor of the input's (floating-point) dtype; -inf where every entry is -inf.

    Example: `tf.reduce_logsumexp([1000., 1000.])` evaluates to `1000.6931`.
    """
    from ..autodiff import stop_gradient
    from .array_ops import reshape, shape
    from .grad_support_ops import where, zeros_like
    from .math_ops import abs as abs_, add, exp, less, log, subtract
    axes = _r._resolve_axis(axis, reduction_indices)
    keep = _r._resolve_keepdims(keepdims, keep_dims)
    with name_scope(name, "ReduceLogSumExp", [input_tensor]):
        x = convert_to_tensor(input_tensor, name="input_tensor")
        raw_max = _r.reduce_max(x, axes, keepdims=True)
        # An infinite maximum (all -inf, or a +inf entry) is not subtracted: it would make inf - inf = nan.
        finite = less(abs_(raw_max), np.inf)
        shift = stop_gradient(where(finite, raw_max, zeros_like(raw_max)))
        result = log(_r.reduce_sum(exp(subtract(x, shift)), axes, keepdims=keep))
        if not keep:
            shift = reshape(shift, shape(result))
        return add(result, shift, name="Add")
