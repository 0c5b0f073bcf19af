"""Op-table rows for reductions (max/min/prod/any/all/logsumexp), argmax/argmin (and arg_max/arg_min), clipping,
cumsum/cumprod, norm, tensordot, div_no_nan and truncatediv."""
import numpy as np

import neuroflow as tf
from op_table_base import Row, _noncontiguous, _values, binary_samples

_F = np.float64


def _fit_axes(axis, x):
    """`axis` restricted to the axes `x` (a tensor or an array) has; None when none is left."""
    rank = x.shape.ndims if hasattr(x.shape, "ndims") else np.ndim(x)
    if axis is None:
        return None
    axes = (axis,) if isinstance(axis, int) else axis
    return tuple(a for a in axes if -rank <= a < rank) or None


def _reduction_samples(domain=(-2.0, 2.0), dtype=_F, empty_dtype=None):
    """Rank 4, non-contiguous, rank 1 and empty inputs. `empty_dtype` (float32) keeps the empty sample out of
    the float64 gradient check where reducing it gives -inf, which central differences cannot handle."""
    return [(_values((2, 3, 1, 4), domain, dtype),), (_noncontiguous((3, 4), domain, dtype),),
            (_values((5,), domain, dtype),), (_values((0, 3), domain, empty_dtype or dtype),)]


def _with_zeros():
    """Products where a reduced slice holds one zero, another two zeros, another none."""
    x = _values((3, 4), (0.5, 1.5), _F)
    x[0, 1] = 0.0
    x[1, 0] = x[1, 3] = 0.0
    y = _values((2, 3, 2), (0.5, 1.5), _F)
    y[1, 2, 0] = 0.0
    return [(x,), (x.T,), (y,)]


def _with_ties(dtype=_F):
    x = np.array([[1.0, 3.0, 3.0, -1.0], [2.0, 2.0, 2.0, 2.0], [-4.0, 0.5, -4.0, 0.0]], dtype)
    return [(x,), (x.T,)]


_AXES = [(None, False), (0, False), (-1, True), ((1, 2), False), ((0, 1, 2, 3), True)]


def _empty_max(x, axis, keep):
    return np.max(x, axis=axis, keepdims=keep, initial=-np.inf) if x.dtype.kind == "f" else \
        np.max(x, axis=axis, keepdims=keep, initial=np.iinfo(x.dtype).min)


def _empty_min(x, axis, keep):
    return np.min(x, axis=axis, keepdims=keep, initial=np.inf) if x.dtype.kind == "f" else \
        np.min(x, axis=axis, keepdims=keep, initial=np.iinfo(x.dtype).max)


def _logsumexp_ref(x, axis, keep):
    with np.errstate(divide="ignore"):
        return np.log(np.sum(np.exp(x), axis=axis, keepdims=keep))


def _reduction_rows():
    rows = []
    reductions = [
        ("reduce_max", tf.reduce_max, _empty_max, (-2.0, 2.0), np.float32),
        ("reduce_min", tf.reduce_min, _empty_min, (-2.0, 2.0), np.float32),
        ("reduce_prod", tf.reduce_prod, lambda x, axis, keep: np.prod(x, axis, keepdims=keep, dtype=x.dtype),
         (-1.5, 1.5), None),
        ("reduce_logsumexp", tf.reduce_logsumexp, _logsumexp_ref, (-3.0, 3.0), np.float32),
    ]
    for name, fn, ref, domain, empty_dtype in reductions:
        for axis, keep in _AXES:
            def f(x, fn=fn, axis=axis, keep=keep):
                return fn(x, axis=_fit_axes(axis, x), keepdims=keep)

            def r(x, ref=ref, axis=axis, keep=keep):
                return ref(x, _fit_axes(axis, x), keep)
            rows.append(Row(f"{name}{axis}{keep}", f, r, _reduction_samples(domain, empty_dtype=empty_dtype)))
    for name, fn, ref in [("reduce_max", tf.reduce_max, _empty_max), ("reduce_min", tf.reduce_min, _empty_min),
                          ("reduce_prod", tf.reduce_prod,
                           lambda x, axis, keep: np.prod(x, axis, keepdims=keep, dtype=x.dtype))]:
        for axis in (None, 1):
            rows.append(Row(f"{name}_int{axis}", lambda x, fn=fn, axis=axis: fn(x, axis=_fit_axes(axis, x)),
                            lambda x, ref=ref, axis=axis: ref(x, _fit_axes(axis, x), False),
                            _reduction_samples((-3, 3), np.int32), grad=False))
    # Deprecated argument names.
    rows.append(Row("reduce_max_deprecated", lambda x: tf.reduce_max(x, reduction_indices=[0], keep_dims=True),
                    lambda x: np.max(x, 0, keepdims=True), _reduction_samples()[:3]))
    # Ties: the forward value, and the gradient shared equally among the tied entries (as a forward row: the
    # function has a kink there, so central differences do not apply).
    for name, fn, ref in [("reduce_max", tf.reduce_max, np.max), ("reduce_min", tf.reduce_min, np.min)]:
        rows.append(Row(f"{name}_ties", lambda x, fn=fn: fn(x, axis=1), lambda x, ref=ref: ref(x, axis=1),
                        _with_ties() + _with_ties(np.int32), grad=False))
        rows.append(Row(f"{name}_ties_grad", lambda x, fn=fn: tf.gradients(tf.reduce_sum(fn(x, axis=1)), x)[0],
                        lambda x, ref=ref: _tie_share(x, ref), _with_ties(), grad=False, graph_only=True))
    # Products with zeros: the gradient is the product of the other entries (no division by zero).
    for axis in (None, 0, 1, (0, 2)):
        rows.append(Row(f"reduce_prod_zeros{axis}", lambda x, axis=axis: tf.reduce_prod(x, axis=_fit_axes(axis, x)),
                        lambda x, axis=axis: np.prod(x, _fit_axes(axis, x)), _with_zeros()))
    # The gradient of prod as a function (second order, through Cumprod's gradient): nonzero inputs.
    rows.append(Row("reduce_prod_grad", lambda x: tf.gradients(tf.reduce_prod(x, axis=[0, 2]), x)[0],
                    lambda x: np.prod(x, axis=(0, 2), keepdims=True) / x,
                    [(_values((2, 3, 2), (0.5, 1.5), _F),)], graph_only=True))
    for name, fn, ref in [("reduce_any", tf.reduce_any, np.any), ("reduce_all", tf.reduce_all, np.all)]:
        for axis, keep in _AXES[:4]:
            rows.append(Row(f"{name}{axis}{keep}",
                            lambda x, fn=fn, axis=axis, keep=keep: fn(x, axis=_fit_axes(axis, x), keepdims=keep),
                            lambda x, ref=ref, axis=axis, keep=keep: ref(x, axis=_fit_axes(axis, x), keepdims=keep),
                            _reduction_samples(dtype=np.bool_) + [(np.ones((2, 3), np.bool_),)], grad=False))
    return rows


def _tie_share(x, ref):
    hit = (x == ref(x, axis=1, keepdims=True)).astype(x.dtype)
    return hit / hit.sum(axis=1, keepdims=True)


def _arg_rows():
    rows = []
    samples = [(_values((2, 3, 1, 4), (-2, 2), _F),), (_noncontiguous((3, 4), (-2, 2), _F),),
               (_values((4, 5), (-2, 2), np.int32),), (_values((0, 3), (-2, 2), _F),)]
    for name, fn, ref in [("argmax", tf.argmax, np.argmax), ("argmin", tf.argmin, np.argmin)]:
        rows.append(Row(f"{name}_default", fn, lambda x, ref=ref: ref(x, axis=0), samples[:3] + _with_ties(),
                        grad=False))
        rows.append(Row(f"{name}_last", lambda x, fn=fn: fn(x, axis=-1), lambda x, ref=ref: ref(x, axis=-1),
                        samples + _with_ties() + _with_ties(np.int32), grad=False))
        rows.append(Row(f"{name}_int32", lambda x, fn=fn: fn(x, 1, output_type=tf.int32),
                        lambda x, ref=ref: ref(x, axis=1).astype(np.int32), samples[:3], grad=False))
    # The deprecated TF1 aliases, whose axis is the required `dimension`.
    for name, fn, ref in [("arg_max", tf.arg_max, np.argmax), ("arg_min", tf.arg_min, np.argmin)]:
        rows.append(Row(name, lambda x, fn=fn: fn(x, 1), lambda x, ref=ref: ref(x, axis=1),
                        samples[1:3] + _with_ties(), grad=False))
        rows.append(Row(f"{name}_dimension", lambda x, fn=fn: fn(x, dimension=-1, output_type=tf.int32),
                        lambda x, ref=ref: ref(x, axis=-1).astype(np.int32), samples[:3], grad=False))
    return rows


def _exclusive(x, axis, reverse, op, identity):
    if reverse:
        x = np.flip(x, axis)
    out = op(x, axis=axis, dtype=x.dtype)
    ident = np.full(out.shape[:axis] + (1,) + out.shape[axis + 1:], identity, out.dtype)
    out = np.concatenate([ident, out], axis=axis)  # shift right by one, dropping the last entry
    out = np.moveaxis(np.moveaxis(out, axis, 0)[:-1], 0, axis)
    return np.flip(out, axis) if reverse else out


def _scan_ref(x, axis, exclusive, reverse, op, identity):
    if exclusive:
        return _exclusive(x, axis, reverse, op, identity)
    if reverse:
        return np.flip(op(np.flip(x, axis), axis=axis, dtype=x.dtype), axis)
    return op(x, axis=axis, dtype=x.dtype)


def _scan_rows():
    rows = []
    for name, fn, op, identity, domain in [("cumsum", tf.cumsum, np.cumsum, 0, (-2.0, 2.0)),
                                           ("cumprod", tf.cumprod, np.cumprod, 1, (0.5, 1.5))]:
        samples = [(_values((2, 3, 1, 4), domain, _F),), (_noncontiguous((3, 4), domain, _F),),
                   (_values((5,), domain, _F),), (_values((0, 3), domain, _F),)]
        for axis, exclusive, reverse in [(0, False, False), (-1, True, False), (1, False, True), (0, True, True)]:
            rows.append(Row(f"{name}{axis}{'_excl' if exclusive else ''}{'_rev' if reverse else ''}",
                            lambda x, fn=fn, axis=axis, e=exclusive, r=reverse:
                                fn(x, axis=axis % x.shape.ndims, exclusive=e, reverse=r),
                            lambda x, op=op, i=identity, axis=axis, e=exclusive, r=reverse:
                                _scan_ref(x, axis % x.ndim, e, r, op, i), samples))
        rows.append(Row(f"{name}_int", lambda x, fn=fn: fn(x, axis=1, exclusive=True),
                        lambda x, op=op, i=identity: _scan_ref(x, 1, True, False, op, i),
                        [(_values((3, 4), (-3, 3), np.int32),), (_values((2, 0), (-3, 3), np.int32),)], grad=False))
    return rows


def _clip_rows():
    rows = []
    samples = [(_values((3, 4), (-2, 2), _F),), (_noncontiguous((2, 3), (-2, 2), _F),), (_values((), (-2, 2), _F),),
               (_values((0, 2), (-2, 2), _F),), (_values((2, 1, 2, 3), (-2, 2), _F),)]
    rows.append(Row("clip_by_value", lambda t: tf.clip_by_value(t, -0.5, 0.75), lambda t: np.clip(t, -0.5, 0.75),
                    samples))
    rows.append(Row("clip_by_value_int", lambda t: tf.clip_by_value(t, -2, 3), lambda t: np.clip(t, -2, 3),
                    [(_values((4, 3), (-5, 5), np.int32),), (_values((0,), (-5, 5), np.int32),)], grad=False))
    rows.append(Row("clip_by_value_tensors", tf.clip_by_value, lambda t, lo, hi: np.minimum(np.maximum(t, lo), hi),
                    [(_values((3, 4), (-2, 2), _F), _values((4,), (-1.5, -0.2), _F), _values((3, 1), (0.2, 1.5), _F)),
                     (_noncontiguous((2, 3), (-2, 2), _F), _values((), (-1, -0.2), _F), _values((3,), (0.2, 1), _F))]))
    rows.append(Row("clip_by_norm", lambda t: tf.clip_by_norm(t, 1.5),
                    lambda t: t * 1.5 / max(np.sqrt(np.sum(t * t)), 1.5), samples[:3] + [(samples[0][0] / 10,)]))
    rows.append(Row("clip_by_norm_rows", lambda t: tf.clip_by_norm(t, 1.0, axes=[1]),
                    lambda t: t / np.maximum(np.sqrt(np.sum(t * t, axis=1, keepdims=True)), 1.0),
                    [(_values((4, 3), (-1, 1), _F) * np.array([[0.1], [1.0], [2.0], [0.3]]),),
                     (_noncontiguous((3, 2), (-1, 1), _F),)]))
    pairs = [(_values((3, 4), (-1, 1), _F), _values((5,), (-1, 1), _F)),
             (_values((2, 2), (-0.2, 0.2), _F), _noncontiguous((2, 3), (-0.2, 0.2), _F)),
             (_values((), (-1, 1), _F), _values((0, 2), (-1, 1), _F))]
    rows.append(Row("global_norm", lambda x, y: tf.global_norm([x, None, y]),
                    lambda x, y: np.sqrt(np.sum(x * x) + np.sum(y * y)), pairs))
    for i in (0, 1):
        rows.append(Row(f"clip_by_global_norm{i}", lambda x, y, i=i: tf.clip_by_global_norm([x, y], 1.2)[0][i],
                        lambda x, y, i=i: (x, y)[i] * 1.2 / max(np.sqrt(np.sum(x * x) + np.sum(y * y)), 1.2), pairs))
    return rows


def _norm_rows():
    rows = []
    vec_samples = [(_values((2, 3, 1, 4), (-2, 2), _F),), (_noncontiguous((3, 4), (-2, 2), _F),),
                   (_values((5,), (-2, 2), _F),)]
    for ord_, p in [("euclidean", 2), (1, 1), (np.inf, np.inf), (3, 3), (0.5, 0.5)]:
        rows.append(Row(f"norm_{ord_}", lambda x, o=ord_: tf.norm(x, ord=o),
                        lambda x, p=p: np.linalg.norm(x.reshape(-1), p), vec_samples))
        rows.append(Row(f"norm_{ord_}_axis", lambda x, o=ord_: tf.norm(x, ord=o, axis=-1, keepdims=True),
                        lambda x, p=p: np.linalg.norm(x, p, axis=-1, keepdims=True), vec_samples))
    mat_samples = [(_values((3, 4), (-2, 2), _F),), (_noncontiguous((2, 3), (-2, 2), _F),),
                   (_values((2, 3, 4), (-2, 2), _F),)]
    for ord_, p in [("fro", "fro"), ("euclidean", "fro"), (1, 1), (np.inf, np.inf)]:
        rows.append(Row(f"norm_matrix_{ord_}", lambda x, o=ord_: tf.norm(x, ord=o, axis=[-2, -1]),
                        lambda x, p=p: np.linalg.norm(x, p, axis=(-2, -1)), mat_samples))
        rows.append(Row(f"norm_matrix_{ord_}_keep", lambda x, o=ord_: tf.norm(x, ord=o, axis=(-1, 0), keep_dims=True),
                        lambda x, p=p: np.linalg.norm(x, p, axis=(-1, 0), keepdims=True), mat_samples[:2]))
    return rows


def _tensordot_rows():
    rows = []
    v = _values
    rows.append(Row("tensordot_1", lambda a, b: tf.tensordot(a, b, 1), lambda a, b: np.tensordot(a, b, 1),
                    [(v((2, 3, 4), (-1, 1), _F), v((4, 5), (-1, 1), _F)),
                     (_noncontiguous((3, 4), (-1, 1), _F), v((4,), (-1, 1), _F)),
                     (v((2, 0), (-1, 1), _F), v((0, 3), (-1, 1), _F)),
                     (v((3, 4), (-3, 3), np.int32), v((4, 2), (-3, 3), np.int32))]))
    rows.append(Row("tensordot_0", lambda a, b: tf.tensordot(a, b, 0), lambda a, b: np.tensordot(a, b, 0),
                    [(v((2, 3), (-1, 1), _F), v((4,), (-1, 1), _F)), (v((), (-1, 1), _F), v((3,), (-1, 1), _F))]))
    rows.append(Row("tensordot_2", lambda a, b: tf.tensordot(a, b, axes=2), lambda a, b: np.tensordot(a, b, 2),
                    [(v((2, 3, 4), (-1, 1), _F), v((3, 4, 2), (-1, 1), _F)),
                     (v((3, 4), (-1, 1), _F), _noncontiguous((3, 4), (-1, 1), _F))]))
    rows.append(Row("tensordot_pairs", lambda a, b: tf.tensordot(a, b, axes=[[1, 2], [1, 0]]),
                    lambda a, b: np.tensordot(a, b, axes=([1, 2], [1, 0])),
                    [(v((2, 3, 4), (-1, 1), _F), v((4, 3, 5), (-1, 1), _F)),
                     (v((1, 2, 3, 2), (-1, 1), _F), v((3, 2, 2), (-1, 1), _F))]))
    rows.append(Row("tensordot_ints", lambda a, b: tf.tensordot(a, b, axes=[0, -1]),
                    lambda a, b: np.tensordot(a, b, axes=([0], [-1])),
                    [(v((3, 2), (-1, 1), _F), v((4, 3), (-1, 1), _F)),
                     (_noncontiguous((3, 2, 2), (-1, 1), _F), v((2, 3), (-1, 1), _F))]))
    # The gradient as a function: checks the permuted tensordots it is built from, and (by the gradient check)
    # their own gradients.
    rows.append(Row("tensordot_grad",
                    lambda a, b: tf.gradients(tf.reduce_sum(tf.square(tf.tensordot(a, b, [[1, 2], [1, 0]]))), b)[0],
                    lambda a, b: np.einsum("ijk,il->kjl", a, 2 * np.einsum("ijk,kjl->il", a, b)),
                    [(v((2, 3, 4), (-1, 1), _F), v((4, 3, 5), (-1, 1), _F))], graph_only=True))
    return rows


def _with_zero_divisors(dtype=_F, special=True):
    """x / y pairs where some y are exactly 0, broadcasting and not; with `special`, x is NaN or Inf at some of
    those places (div_no_nan gives 0 there all the same)."""
    y = _values((3, 4), (0.5, 2.0), dtype) * np.where(_values((3, 4), (0, 1), np.int32) == 1, 1, -1).astype(dtype)
    y[0, 1] = y[2, 0] = y[2, 3] = 0.0
    x = _values((3, 4), (-2.0, 2.0), dtype)
    if special:
        x[0, 1], x[2, 0] = np.nan, np.inf
    column = np.array([[1.5], [0.0], [-2.0]], dtype)
    return [(x, y), (x, column), (x.T, y.T), (_values((), (-2, 2), dtype), y[0])]


def _div_no_nan_ref(x, y):
    safe = np.where(y == 0, 1, y)
    return np.where(y == 0, 0, x / safe).astype(np.result_type(x, y))


def _sum_to(g, x, y, shape):
    """`g` broadcast to the shape of x op y, then summed back to `shape` (what a gradient of a broadcast does)."""
    full = np.broadcast_to(g, np.broadcast_shapes(x.shape, y.shape))
    lead = full.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(lead + i for i, n in enumerate(shape) if n == 1 and full.shape[lead + i] != 1)
    return full.sum(axis=axes, keepdims=True).reshape(shape)


def _div_no_nan_grads(x, y):
    """TensorFlow's gradient of sum(3 * div_no_nan(x, y)): 3 / y and -3 x / y**2, and 0 for both where y == 0."""
    safe = np.where(y == 0, 1, y)
    return (_sum_to(np.where(y == 0, 0, 3.0 / safe), x, y, x.shape),
            _sum_to(np.where(y == 0, 0, -3.0 * x / safe ** 2), x, y, y.shape))


def _nonzero_ints(shape, dtype=np.int32):
    magnitude = _values(shape, (1, 6), dtype)
    return magnitude * np.where(_values(shape, (0, 1), np.int32) == 1, 1, -1).astype(dtype)


def _division_rows():
    rows = []
    positive = [(x, np.abs(y) + 0.2) for x, y in binary_samples()]
    signed = [(x, np.where(y >= 0, y + 0.2, y - 0.2)) for x, y in binary_samples()]
    rows.append(Row("div_no_nan", tf.div_no_nan, _div_no_nan_ref, positive + signed))
    rows.append(Row("div_no_nan_zeros", tf.div_no_nan, _div_no_nan_ref,
                    _with_zero_divisors() + _with_zero_divisors(np.float32), grad=False))
    # The gradient where y == 0 (as forward rows: the function jumps there, so central differences do not apply).
    finite = _with_zero_divisors(special=False) + [(_values((3, 4), (-2, 2), _F), np.array([0.0, 1.5, -0.5, 0.0]))]
    for i, wrt in enumerate("xy"):
        rows.append(Row(f"div_no_nan_zeros_grad_{wrt}",
                        lambda x, y, i=i: tf.gradients(tf.reduce_sum(tf.div_no_nan(x, y) * 3.0), [x, y])[i],
                        lambda x, y, i=i: _div_no_nan_grads(x, y)[i], finite, grad=False, graph_only=True))
    int_pairs = [(_values((3, 4), (-9, 9), np.int32), _nonzero_ints((3, 4))),
                 (_values((2, 1, 3, 1), (-20, 20), np.int64), _nonzero_ints((4, 1, 1), np.int64)),
                 (_values((), (-9, 9), np.int32), _nonzero_ints((5,))),
                 (_noncontiguous((3, 4), (-9, 9), np.int32), _nonzero_ints((4,))),
                 (_values((0, 3), (-9, 9), np.int32), _nonzero_ints((1, 3))),
                 (_values((4,), (0, 250), np.uint8), _values((4,), (1, 9), np.uint8)),
                 (np.array([-7, 7, -7, 7, 6, -6, 0], np.int32), np.array([5, 5, -5, -5, -3, 3, -2], np.int32))]
    # C's division as |x| // |y| with the quotient's sign: independent of how the op rounds.
    rows.append(Row("truncatediv", tf.truncatediv,
                    lambda x, y: (np.sign(x) * np.sign(y) * (np.abs(x) // np.abs(y))).astype(x.dtype),
                    int_pairs, grad=False))
    return rows


ROWS = (_reduction_rows() + _arg_rows() + _scan_rows() + _clip_rows() + _norm_rows() + _tensordot_rows()
        + _division_rows())
COVERED_ELSEWHERE = set()
