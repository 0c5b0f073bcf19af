"""More math: `tf.cumsum`/`tf.cumprod` (the Cumsum and Cumprod scans), `tf.argmax`/`tf.argmin`, `tf.tensordot`
(one Tensordot primitive), `tf.norm` and `tf.reduce_logsumexp` (compositions)."""
import numbers

import numpy as np

from ..framework import dtypes
from ..framework.apply import apply_op, convert_to_tensor
from ..framework.graph import name_scope
from ..framework.op_def import InferenceError, OpDef, register
from ..framework.tensor_shape import TensorShape
from ..framework.deprecation import deprecated_argument_lookup
from ..framework.tensor_util import build_time_value, constant_value
from . import reduce_ops as _r

__all__ = ["cumsum", "cumprod", "argmax", "argmin", "arg_max", "arg_min", "tensordot", "norm", "reduce_logsumexp"]


def _static_int(value, what):
    """A Python int from an int or a tensor whose value is known while building the graph."""
    arr = np.asarray(build_time_value(value, what))
    if arr.ndim != 0 or arr.dtype.kind not in "iu":
        raise TypeError(f"{what} must be a scalar integer, got {value!r}")
    return int(arr)


# --- scans ---------------------------------------------------------------------------------------------------
class _Scan(OpDef):
    """A cumulative reduction along attr `axis` (`exclusive`: leave out the entry itself; `reverse`: scan from
    the end)."""

    input_names = ("x",)
    same_dtype = ("x",)
    allowed_dtypes = dtypes.NUMBER
    ufunc = None
    identity = None

    def infer(self, inputs, attrs):
        x = inputs[0]
        rank = x.shape.ndims
        axis = attrs["axis"]
        if rank is not None:
            if rank == 0:
                raise InferenceError("Shape must be at least rank 1 but is rank 0")
            if not -rank <= axis < rank:
                raise InferenceError(f"Expected axis in the range [{-rank}, {rank}), but got {axis}")
        return [(x.shape, x.dtype.base_dtype)]

    def forward(self, xp, x, axis, exclusive, reverse):
        if reverse:
            x = xp.flip(x, axis)
        # dtype= keeps int32 scans int32 (NumPy would widen them to int64).
        out = getattr(xp, self.ufunc)(x, axis=axis, dtype=x.dtype)
        if exclusive:
            # Shift by one along the axis rather than undoing the entry (x - x would turn inf into nan).
            shifted = xp.empty_like(out)
            axis %= out.ndim
            head = (slice(None),) * axis
            shifted[head + (slice(0, 1),)] = self.identity
            shifted[head + (slice(1, None),)] = out[head + (slice(None, -1),)]
            out = shifted
        return xp.flip(out, axis) if reverse else out

    def _attrs_like(self, op, **changes):
        attrs = op.attrs
        attrs.update(changes)
        return attrs


@register
class Cumsum(_Scan):
    type_name = "Cumsum"
    ufunc = "cumsum"
    identity = 0

    def grad(self, op, g):
        # Each x_i feeds the outputs after it (in scan order): the adjoint is the same scan run the other way.
        return [apply_op(Cumsum, [g], self._attrs_like(op, reverse=not op.get_attr("reverse")), name="Cumsum")]


@register
class Cumprod(_Scan):
    type_name = "Cumprod"
    ufunc = "cumprod"
    identity = 1

    def grad(self, op, g):
        # TensorFlow's formula: reverse-cumsum(y * g) / x. It divides by x, so it is not finite where x has zeros
        # (as in TensorFlow); reduce_prod's gradient avoids this path for first derivatives.
        from .math_ops import multiply, truediv
        x, y = op.inputs[0], op.outputs[0]
        attrs = self._attrs_like(op, reverse=not op.get_attr("reverse"))
        return [truediv(apply_op(Cumsum, [multiply(y, g)], attrs, name="Cumsum"), x)]


def _scan(opdef, default_name, x, axis, exclusive, reverse, name):
    with name_scope(name, default_name, [x]) as scope:
        x = convert_to_tensor(x, name="x")
        attrs = {"axis": _static_int(axis, "the scan axis"), "exclusive": bool(exclusive), "reverse": bool(reverse)}
        return apply_op(opdef, [x], attrs, name=scope)


def cumsum(x, axis=0, exclusive=False, reverse=False, name=None):
    """The cumulative sum of `x` along `axis`.

    Args:
        x: a numeric tensor (rank 1 or more).
        axis: the axis to scan (an int, or a tensor known at graph-building time).
        exclusive: leave each entry out of its own sum (the first output is 0).
        reverse: sum from the end of the axis.
        name: the node's name (default "Cumsum").

    Returns:
        A tensor of the shape and dtype of `x`.

    Raises:
        ValueError: `axis` is out of range, or `x` is a scalar.

    Example: `tf.cumsum([1, 2, 3], exclusive=True, reverse=True)` evaluates to `[5, 3, 0]`.
    """
    return _scan(Cumsum, "Cumsum", x, axis, exclusive, reverse, name)


def cumprod(x, axis=0, exclusive=False, reverse=False, name=None):
    """The cumulative product of `x` along `axis`; arguments as `tf.cumsum` (the exclusive first output is 1).

    Example: `tf.cumprod([1., 2., 3.])` evaluates to `[1., 2., 6.]`.
    """
    return _scan(Cumprod, "Cumprod", x, axis, exclusive, reverse, name)


# --- argmax / argmin -----------------------------------------------------------------------------------------
class _ArgExtremum(OpDef):
    """The index of the largest (smallest) entry along attr `axis`, as `output_type`; the first one on ties."""

    input_names = ("input",)
    same_dtype = ("input",)
    allowed_dtypes = dtypes.REAL
    reducer = None

    def canonicalize_attrs(self, inputs, attrs):
        rank, axis = inputs[0].shape.ndims, attrs["axis"]
        if rank is None:
            return attrs
        if not -rank <= axis < rank:
            raise InferenceError(f"Expected dimension in the range [{-rank}, {rank}), but got {axis}")
        return {**attrs, "axis": axis % rank}

    def infer(self, inputs, attrs):
        x = inputs[0]
        out_type = attrs["output_type"]
        if out_type not in (dtypes.int32, dtypes.int64):
            raise TypeError(f"Value passed to parameter 'output_type' has DataType {out_type.name} not in list of "
                            "allowed values: int32, int64")
        rank = x.shape.ndims
        if rank is None:
            return [(TensorShape(None), out_type)]
        axis = attrs["axis"]
        dims = x.shape.as_list()
        if dims[axis] == 0:
            raise InferenceError(f"Reduction axis {axis} is empty in shape {x.shape.bracket_str()}")
        return [(TensorShape(dims[:axis] + dims[axis + 1:]), out_type)]

    def forward(self, xp, x, axis, output_type):
        return getattr(xp, self.reducer)(x, axis=axis).astype(output_type.as_numpy_dtype)

    def explain_failure(self, arrays, attrs, exc):
        shape = np.shape(arrays[0]) if arrays else ()
        if -len(shape) <= attrs["axis"] < len(shape) and shape[attrs["axis"]] == 0:
            dims = "[" + ",".join(str(d) for d in shape) + "]"
            return f"Reduction axis {attrs['axis']} is empty in shape {dims}"
        return super().explain_failure(arrays, attrs, exc)


@register
class ArgMax(_ArgExtremum):
    type_name = "ArgMax"
    reducer = "argmax"


@register
class ArgMin(_ArgExtremum):
    type_name = "ArgMin"
    reducer = "argmin"


def _arg(opdef, default_name, input, axis, name, dimension, output_type):  # noqa: A002
    axis = deprecated_argument_lookup("axis", axis, "dimension", dimension)
    axis = 0 if axis is None else _static_int(axis, "the argmax/argmin axis")
    attrs = {"axis": axis, "output_type": dtypes.as_dtype(output_type).base_dtype}
    return apply_op(opdef, [input], attrs, name=name or default_name)


def argmax(input, axis=None, name=None, dimension=None, output_type=dtypes.int64):  # noqa: A002
    """The index of the largest entry along `axis` (the first one when several are equal). Not differentiable.

    Args:
        input: a real tensor.
        axis: the axis to reduce; 0 when neither `axis` nor `dimension` (its deprecated name) is given.
        name: the node's name (default "ArgMax").
        output_type: `tf.int64` (default) or `tf.int32`.

    Raises:
        ValueError: both `axis` and `dimension` are given, or `axis` is out of range.

    Example: `tf.argmax([[1, 9], [8, 2]], axis=1)` evaluates to `[1, 0]` (int64).
    """
    return _arg(ArgMax, "ArgMax", input, axis, name, dimension, output_type)


def argmin(input, axis=None, name=None, dimension=None, output_type=dtypes.int64):  # noqa: A002
    """The index of the smallest entry along `axis`; like `tf.argmax`. Node name "ArgMin"."""
    return _arg(ArgMin, "ArgMin", input, axis, name, dimension, output_type)


def arg_max(input, dimension, output_type=dtypes.int64, name=None):  # noqa: A002
    """The deprecated TF1 spelling of `tf.argmax(input, axis=dimension)`: `dimension` is required."""
    return _arg(ArgMax, "ArgMax", input, None, name, dimension, output_type)


def arg_min(input, dimension, output_type=dtypes.int64, name=None):  # noqa: A002
    """The deprecated TF1 spelling of `tf.argmin(input, axis=dimension)`: `dimension` is required."""
    return _arg(ArgMin, "ArgMin", input, None, name, dimension, output_type)


# --- tensordot -----------------------------------------------------------------------------------------------
def _inverse(perm):
    inv = [0] * len(perm)
    for i, p in enumerate(perm):
        inv[p] = i
    return inv


def _perm_to(result_axes):
    """The permutation that puts axes listed (as target axis numbers) in `result_axes` back in order 0..n-1;
    None when they already are."""
    perm = tuple(result_axes.index(i) for i in range(len(result_axes)))
    return None if perm == tuple(range(len(perm))) else perm


@register
class Tensordot(OpDef):
    """Contracts axes `a_axes` of `a` with `b_axes` of `b` (as `np.tensordot`: the output has a's free axes,
    then b's), then permutes the output by `perm` (None: no permutation). The permutation makes the
    gradients, which are tensordots too, come out in the inputs' axis order."""

    type_name = "Tensordot"
    input_names = ("a", "b")
    same_dtype = ("a", "b")
    allowed_dtypes = (dtypes.float16, dtypes.float32, dtypes.float64, dtypes.int32, dtypes.int64) + dtypes.COMPLEX

    def infer(self, inputs, attrs):
        a, b = inputs
        a_axes, b_axes, perm = attrs["a_axes"], attrs["b_axes"], attrs["perm"]
        for t in (a, b):
            if t.shape.ndims is None:
                raise InferenceError("Tensordot needs inputs of known rank")
        ad, bd = a.shape.as_list(), b.shape.as_list()
        for i, j in zip(a_axes, b_axes):
            if ad[i] is not None and bd[j] is not None and ad[i] != bd[j]:
                raise InferenceError(f"Dimensions must be equal, but are {ad[i]} and {bd[j]}")
        dims = [d for i, d in enumerate(ad) if i not in a_axes] + [d for j, d in enumerate(bd) if j not in b_axes]
        if perm is not None:
            dims = [dims[p] for p in perm]
        return [(TensorShape(dims), a.dtype.base_dtype)]

    def forward(self, xp, a, b, a_axes, b_axes, perm):
        out = xp.tensordot(a, b, axes=(list(a_axes), list(b_axes)))
        return out if perm is None else xp.transpose(out, perm)

    def grad(self, op, g):
        a, b = op.inputs
        a_axes, b_axes = list(op.get_attr("a_axes")), list(op.get_attr("b_axes"))
        a_free = [i for i in range(a.shape.ndims) if i not in a_axes]
        b_free = [j for j in range(b.shape.ndims) if j not in b_axes]
        n_a = len(a_free)
        perm = op.get_attr("perm") or tuple(range(n_a + len(b_free)))
        where_in_g = _inverse(perm)  # unpermuted output axis k is axis where_in_g[k] of g
        # da: contract g's b-free axes with b's free axes; what is left is (g's a-free axes in g's order, then
        # b's contracted axes in b's order), each naming an axis of a.
        left_a = [a_free[perm[j]] for j in range(len(perm)) if perm[j] < n_a]
        left_a += [a_axes[b_axes.index(j)] for j in sorted(b_axes)]
        da = apply_op(Tensordot, [g, b], {"a_axes": tuple(where_in_g[n_a + k] for k in range(len(b_free))),
                                          "b_axes": tuple(b_free), "perm": _perm_to(left_a)}, name="Tensordot")
        # db: contract a's free axes with g's a-free axes; left are a's contracted axes, then g's b-free axes.
        left_b = [b_axes[a_axes.index(i)] for i in sorted(a_axes)]
        left_b += [b_free[perm[j] - n_a] for j in range(len(perm)) if perm[j] >= n_a]
        db = apply_op(Tensordot, [a, g], {"a_axes": tuple(a_free), "b_axes": tuple(where_in_g[k] for k in range(n_a)),
                                          "perm": _perm_to(left_b)}, name="Tensordot_1")
        return [da, db]


def _axis_list(axes, rank, which):
    out = []
    for ax in ([axes] if isinstance(axes, numbers.Integral) else list(axes)):
        ax = int(ax)
        if not -rank <= ax < rank:
            raise ValueError(f"Invalid axis {ax} for tensordot argument '{which}' of rank {rank}.")
        if ax % rank in out:
            raise ValueError(f"Repeated axis {ax} for tensordot argument '{which}'.")
        out.append(ax % rank)
    return out


def _tensordot_axes(a, b, axes):
    ra, rb = a.shape.ndims, b.shape.ndims
    if hasattr(axes, "op") and hasattr(axes, "dtype"):
        axes = constant_value(axes)
        if axes is None:
            raise ValueError("neuroflow needs tensordot's 'axes' at graph-building time")
    if isinstance(axes, np.ndarray):
        axes = axes.tolist()
    if isinstance(axes, numbers.Integral):
        if axes < 0:
            raise ValueError("'axes' must be at least 0.")
        if axes > ra or axes > rb:
            raise ValueError(f"'axes' must not be larger than the number of dimensions of tensor "
                             f"{a if axes > ra else b}.")
        return list(range(ra - axes, ra)), list(range(axes))
    if not isinstance(axes, (list, tuple)) or len(axes) != 2:
        raise ValueError("'axes' must be an integer or have length 2.")
    a_axes, b_axes = _axis_list(axes[0], ra, "a"), _axis_list(axes[1], rb, "b")
    if len(a_axes) != len(b_axes):
        raise ValueError(f"Different number of contraction axes 'a' and 'b', {len(a_axes)} != {len(b_axes)}.")
    return a_axes, b_axes


def tensordot(a, b, axes, name=None):
    """Tensor contraction of `a` and `b` over the given axes (as `np.tensordot`).

    Args:
        a, b: tensors of one dtype, of known rank.
        axes: an int N (the last N axes of `a` with the first N of `b`), or a pair `[a_axes, b_axes]` of
            ints or equal-length lists of ints.
        name: the name scope and output node's name (default "Tensordot").

    Returns:
        A tensor whose axes are the free axes of `a`, then those of `b`.

    Raises:
        ValueError: malformed `axes`, an unknown rank, or contracted dimensions that differ.

    Example: `tf.tensordot(x, w, axes=[[2], [0]])` applies a [D, E] matrix `w` to the last axis of a
    [B, T, D] tensor `x`, giving [B, T, E].
    """
    with name_scope(name, "Tensordot", [a, b]) as scope:
        a = convert_to_tensor(a, name="a")
        b = convert_to_tensor(b, name="b")
        for t, which in ((a, "a"), (b, "b")):
            if t.shape.ndims is None:
                raise ValueError(f"neuroflow's tensordot needs the rank of '{which}' at graph-building time; "
                                 f"{t.name} has an unknown rank.")
        a_axes, b_axes = _tensordot_axes(a, b, axes)
        attrs = {"a_axes": tuple(a_axes), "b_axes": tuple(b_axes), "perm": None}
        return apply_op(Tensordot, [a, b], attrs, name=scope)


# --- norm and logsumexp (compositions) -----------------------------------------------------------------------
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
