"""Array manipulation that moves values without computing new ones: transpose, squeeze, concat, split, slice,
tile, pad (constant and mirror) and reverse, each a primitive with its gradient built from the others."""
import builtins

import numpy as np

from ..framework import dtypes
from ..framework import errors
from ..framework.apply import _is_tensor_like, apply_op, convert_to_tensor
from ..framework.constant_op import constant
from ..framework.graph import name_scope
from ..framework.op_def import InferenceError, OpDef, register
from ..framework.tensor_shape import TensorShape
from ..framework.tensor_util import constant_value

__all__ = ["transpose", "invert_permutation", "squeeze", "concat", "split", "slice", "tile", "reverse",
           "reverse_v2"]

_INDEX_DTYPES = (dtypes.int32, dtypes.int64)


def _invalid(message):
    """A run-time failure with TensorFlow's class; the session adds the node and the user's line."""
    return errors.InvalidArgumentError(None, None, message)


def _check_index_dtype(t, param):
    if t.dtype.base_dtype not in _INDEX_DTYPES:
        raise TypeError(f"Value passed to parameter '{param}' has DataType {t.dtype.base_dtype.name} not in list "
                        "of allowed values: int32, int64")


def _check_rank(t, rank):
    if t.shape.ndims is not None and t.shape.ndims != rank:
        raise InferenceError(f"Shape must be rank {rank} but is rank {t.shape.ndims}")


def _static_ints(value, what):
    """`value` (an int, a list of ints, or a tensor known at graph-build time) as a Python int or list."""
    if _is_tensor_like(value):
        known = constant_value(convert_to_tensor(value))
        if known is None:
            raise ValueError(f"neuroflow needs {what} at graph-building time; got the tensor {value.name}, whose "
                             "value is only known when the graph runs.")
        value = known
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        return [int(getattr(v, "value", v)) for v in value]
    return int(getattr(value, "value", value))


def _normalize_axis(axis, rank, message):
    if rank is None:
        return axis
    if not -rank <= axis < rank:
        raise InferenceError(message)
    return axis % rank


def _dims_or_none(shape, rank):
    return shape.as_list() if shape.ndims is not None else [None] * rank


def _index_shape(t, out_type):
    from .array_ops import shape
    return shape(t, out_type=out_type)


# --- transpose -------------------------------------------------------------------------------------------------
class _Permute(OpDef):
    """`x` with its axes permuted: output axis i is input axis perm[i]."""

    input_names = ("x", "perm")
    may_alias_input = True  # NumPy returns a strided view
    conjugate = False

    def infer(self, inputs, attrs):
        x, perm_t = inputs
        _check_index_dtype(perm_t, "perm")
        _check_rank(perm_t, 1)
        rank = x.shape.ndims
        n = perm_t.shape[0].value if perm_t.shape.ndims == 1 else None
        if rank is not None and n is not None and rank != n:
            raise InferenceError(f"Dimension must be {rank} but is {n}")
        perm = constant_value(perm_t)
        size = rank if rank is not None else n
        if perm is None:
            return [(TensorShape(None if size is None else [None] * size), x.dtype.base_dtype)]
        perm = [int(p) for p in perm.tolist()]
        for p in perm:
            if not 0 <= p < len(perm):
                raise InferenceError(f"perm dim {p} is out of range of input rank {len(perm)}")
        for i in range(len(perm)):
            if i not in perm:
                raise InferenceError(f"{i} is missing from 'perm' argument.")
        dims = _dims_or_none(x.shape, len(perm))
        return [(TensorShape([dims[p] for p in perm]), x.dtype.base_dtype)]

    def forward(self, xp, x, perm):
        perm = tuple(int(p) for p in perm)
        if len(perm) != x.ndim:
            raise _invalid(f"transpose expects a vector of size {x.ndim}. But input(1) is a vector of size "
                           f"{len(perm)}")
        if sorted(perm) != list(range(len(perm))):
            missing = min(set(range(len(perm))) - set(perm))
            raise _invalid(f"{missing} is missing from {{{','.join(map(str, perm))}}}.")
        out = xp.transpose(x, perm)
        return xp.conj(out) if self.conjugate else out

    def grad(self, op, g):
        perm = op.inputs[1]
        known = constant_value(perm)
        inverse = (constant(np.argsort(known).astype(known.dtype), name="InvertPermutation") if known is not None
                   else apply_op(InvertPermutation, [perm], name="InvertPermutation"))
        return [apply_op(self, [g, inverse], name=self.type_name), None]


@register
class Transpose(_Permute):
    """`x` with its axes permuted: output axis i is input axis perm[i]."""

    type_name = "Transpose"


@register
class ConjugateTranspose(_Permute):
    """Transpose and complex conjugate (`tf.transpose(..., conjugate=True)` of a complex tensor)."""

    type_name = "ConjugateTranspose"
    may_alias_input = False
    conjugate = True


@register
class InvertPermutation(OpDef):
    """The inverse of a permutation vector: y[x[i]] = i."""

    type_name = "InvertPermutation"
    input_names = ("x",)

    def infer(self, inputs, attrs):
        _check_index_dtype(inputs[0], "x")
        _check_rank(inputs[0], 1)
        return [(inputs[0].shape, inputs[0].dtype.base_dtype)]

    def forward(self, xp, x):
        n = x.shape[0]
        bad = (x < 0) | (x >= n)
        if bad.any():
            raise _invalid(f"{x[bad][0]} is not between 0 and {n}")
        out = xp.full(n, -1, dtype=x.dtype)
        out[x] = xp.arange(n, dtype=x.dtype)
        if (out < 0).any():
            raise _invalid(f"{int(xp.argmax(xp.bincount(x, minlength=n)))} is duplicated in the input.")
        return out

    grad = None  # integer permutations: no gradient, as in TensorFlow


def invert_permutation(x, name=None):
    """The inverse permutation of `x`. Example: `tf.invert_permutation([3, 4, 0, 2, 1])` -> [2, 4, 3, 0, 1]."""
    return apply_op(InvertPermutation, [x], name=name or "InvertPermutation")


def transpose(a, perm=None, name="transpose", conjugate=False):
    """`a` with its axes permuted by `perm` (default: reversed, so a matrix is transposed).

    Args:
        a: a tensor.
        perm: a permutation of its axes (list or int tensor); None reverses them.
        conjugate: also conjugate complex values (TF's `ConjugateTranspose`).

    Example:
        >>> tf.transpose(tf.zeros([2, 3, 4]), [0, 2, 1]).shape
        TensorShape([Dimension(2), Dimension(4), Dimension(3)])
    """
    with name_scope(name, "transpose", [a]) as scope:
        a = convert_to_tensor(a, name="a")
        opdef = ConjugateTranspose if conjugate and a.dtype.is_complex else Transpose
        if perm is None:
            if a.shape.ndims is not None:
                perm = constant(np.arange(a.shape.ndims)[::-1].astype(np.int32), name="perm")
            else:
                from .index_ops import range as range_, rank
                r = rank(a)
                perm = (r - 1) - range_(0, r, 1)
        return apply_op(opdef, [a, perm], name=scope)


# --- squeeze ---------------------------------------------------------------------------------------------------
@register
class Squeeze(OpDef):
    """`input` without size-1 axes: those listed in attr `squeeze_dims`, or all of them when it is empty."""

    type_name = "Squeeze"
    input_names = ("input",)
    may_alias_input = True

    def infer(self, inputs, attrs):
        x = inputs[0]
        axes = attrs["squeeze_dims"]
        rank = x.shape.ndims
        if rank is None:
            return [(TensorShape(None), x.dtype.base_dtype)]
        norm = set()
        for a in axes:
            if not -rank <= a < rank:
                raise InferenceError(f"Tried to squeeze dim index {a} for tensor with {rank} dimensions.")
            norm.add(a % rank)
        attrs["squeeze_dims"] = tuple(sorted(norm))
        out = []
        for i, d in enumerate(x.shape.as_list()):
            if norm:
                if i in norm:
                    if d is not None and d != 1:
                        raise InferenceError(f"Can not squeeze dim[{i}], expected a dimension of 1, got {d}")
                    continue
            elif d == 1:
                continue
            elif d is None:  # might be 1 at run time: the rank is unknown
                return [(TensorShape(None), x.dtype.base_dtype)]
            out.append(d)
        return [(TensorShape(out), x.dtype.base_dtype)]

    def forward(self, xp, x, squeeze_dims):
        if not squeeze_dims:
            return xp.squeeze(x)
        rank = x.ndim
        for a in squeeze_dims:
            if not -rank <= a < rank:
                raise _invalid(f"Tried to squeeze dim index {a} for tensor with {rank} dimensions.")
            if x.shape[a] != 1:
                raise _invalid(f"Can not squeeze dim[{a % rank}], expected a dimension of 1, got {x.shape[a]}")
        return xp.squeeze(x, axis=tuple(squeeze_dims))

    def grad(self, op, g):
        from .array_ops import reshape, shape
        return [reshape(g, shape(op.inputs[0]))]


def squeeze(input, axis=None, name=None, squeeze_dims=None):  # noqa: A002 - TensorFlow's argument name
    """`input` with size-1 dimensions removed (only those in `axis` when given).

    Args:
        axis: an int or list of ints; `squeeze_dims` is its deprecated name.

    Raises:
        ValueError: a listed dimension is known not to be 1 ("Can not squeeze dim[1], expected a dimension of
            1, got 3"); InvalidArgumentError at run time for one found then.

    Example:
        >>> tf.squeeze(tf.zeros([1, 2, 1, 3])).shape   # (2, 3)
    """
    if squeeze_dims is not None:
        if axis is not None:
            raise ValueError("Cannot specify both 'squeeze_dims' and 'axis'.")
        axis = squeeze_dims
    axes = [] if axis is None else _static_ints(axis, "squeeze's axis")
    axes = [axes] if isinstance(axes, int) else axes
    return apply_op(Squeeze, [input], {"squeeze_dims": tuple(axes)}, name=name or "Squeeze")


# --- concat and split ------------------------------------------------------------------------------------------
def _split_dims(x, axis):
    """The sizes along `axis` of each tensor in `x`: a constant when all are static, else built at run time."""
    from .array_ops import stack
    sizes = []
    for t in x:
        d = t.shape[axis].value if t.shape.ndims is not None else None
        sizes.append(d)
    if None not in sizes:
        return constant(np.asarray(sizes, dtype=np.int32))
    return stack([constant(np.int32(d)) if d is not None else _index_shape(t, dtypes.int32)[axis]
                  for d, t in zip(sizes, x)])


@register
class ConcatV2(OpDef):
    """Joins N tensors along attr `axis`; all other dimensions must agree."""

    type_name = "ConcatV2"
    input_names = ("values",)
    variadic = True
    same_dtype = ("values",)

    def infer(self, inputs, attrs):
        attrs["N"] = len(inputs)
        axis = attrs["axis"]
        dt = inputs[0].dtype.base_dtype
        known = [t for t in inputs if t.shape.ndims is not None]
        if not known:
            return [(TensorShape(None), dt)]
        rank = known[0].shape.ndims
        if rank == 0:
            raise InferenceError("Can't concatenate scalars (use tf.stack instead)")
        axis = _normalize_axis(axis, rank, f"ConcatOp : Expected concatenating dimensions in the range "
                                           f"[{-rank}, {rank}), but got {axis}")
        attrs["axis"] = axis
        out = list(known[0].shape.as_list())
        out[axis] = 0
        first = known[0].shape
        for t in inputs:
            if t.shape.ndims is None:
                out[axis] = None
                continue
            if t.shape.ndims != rank:
                raise InferenceError(f"Shape must be rank {rank} but is rank {t.shape.ndims}")
            for j, d in enumerate(t.shape.as_list()):
                if j == axis:
                    out[j] = None if out[j] is None or d is None else out[j] + d
                elif out[j] is None:
                    out[j] = d
                elif d is not None and d != out[j]:
                    raise InferenceError(f"Dimension {j} in both shapes must be equal, but are {out[j]} and {d}. "
                                         f"Shapes are {first.bracket_str()} and {t.shape.bracket_str()}.")
        return [(TensorShape(out), dt)]

    def forward(self, xp, *values, axis, N):  # noqa: N803 - TensorFlow's attr name
        return xp.concatenate(values, axis=axis)

    def explain_failure(self, arrays, attrs, exc):
        shapes = [list(np.shape(a)) for a in arrays]
        for i, s in enumerate(shapes[1:], 1):
            if len(s) != len(shapes[0]):
                return (f"ConcatOp : Ranks of all input tensors should match: shape[0] = {shapes[0]} vs. "
                        f"shape[{i}] = {s}")
            for j, (a, b) in enumerate(zip(shapes[0], s)):
                if a != b and j != attrs["axis"] % len(s):
                    return f"ConcatOp : Dimensions of inputs should match: shape[0] = {shapes[0]} vs. shape[{i}] = {s}"
        return super().explain_failure(arrays, attrs, exc)

    def grad(self, op, g):
        axis = op._attrs["axis"]
        parts = apply_op(SplitV, [g, _split_dims(op.inputs, axis)], {"axis": axis, "num_split": len(op.inputs)},
                         name="split")
        return [parts] if len(op.inputs) == 1 else list(parts)


def _split_infer(x, axis, sizes):
    """Output specs for splitting `x` along `axis` into pieces of `sizes` (None entries: unknown)."""
    dt = x.dtype.base_dtype
    if x.shape.ndims is None:
        return [(TensorShape(None), dt)] * len(sizes)
    dims = x.shape.as_list()
    return [(TensorShape(dims[:axis] + [s] + dims[axis + 1:]), dt) for s in sizes]


def _outputs(parts):
    """A kernel's result: one array for a single output (the session stores it as is), else a tuple."""
    return parts[0] if len(parts) == 1 else tuple(parts)


def _split_axis(x, attrs):
    rank = x.shape.ndims
    axis = attrs["axis"]
    if rank is not None:
        axis = _normalize_axis(axis, rank, f"-{rank} <= split_dim < {rank} but got {axis}" if rank else
                               "Can't split a scalar")
        attrs["axis"] = axis
    return axis


@register
class Split(OpDef):
    """`value` cut along attr `axis` into attr `num_split` equal pieces."""

    type_name = "Split"
    input_names = ("value",)
    may_alias_input = True

    def infer(self, inputs, attrs):
        x = inputs[0]
        n = attrs["num_split"]
        if n < 1:
            raise InferenceError(f"Value for attr 'num_split' of {n} must be at least minimum 1")
        axis = _split_axis(x, attrs)
        d = x.shape[axis].value if x.shape.ndims is not None else None
        if d is not None and d % n:
            raise InferenceError(f"Dimension size must be evenly divisible by {n} but is {d}")
        return _split_infer(x, axis, [None if d is None else d // n] * n)

    def forward(self, xp, x, axis, num_split):
        d = x.shape[axis]
        if d % num_split:
            raise _invalid(f"Number of ways to split should evenly divide the split dimension, but got split_dim "
                           f"{axis % x.ndim} (size = {d}) and num_split {num_split}")
        return _outputs(xp.split(x, num_split, axis=axis))

    def grad(self, op, *grads):
        if len(grads) == 1:
            return [grads[0]]
        return [apply_op(ConcatV2, list(grads), {"axis": op._attrs["axis"]}, name="concat")]


def _resolve_sizes(sizes, d):
    """Fills the one -1 in `sizes` from dimension size `d`; checks they add up to it (TF's message)."""
    sizes = [int(s) for s in sizes]
    if sum(s == -1 for s in sizes) > 1:
        raise ValueError("Only one size may be -1 (inferred).")
    if any(s < -1 for s in sizes):
        raise ValueError(f"Split sizes must be >= 0 or -1 (inferred), got {sizes}")
    known = sum(s for s in sizes if s != -1)
    if d is None:
        return [None if s == -1 else s for s in sizes]
    if (-1 in sizes and known > d) or (-1 not in sizes and known != d):
        raise ValueError("Determined shape must either match input shape along split_dim exactly if fully "
                         "specified, or be less than the size of the input along split_dim if not fully "
                         f"specified.  Got: {known}")
    return [d - known if s == -1 else s for s in sizes]


@register
class SplitV(OpDef):
    """`value` cut along attr `axis` into pieces of the sizes in `size_splits` (one may be -1: the rest)."""

    type_name = "SplitV"
    input_names = ("value", "size_splits")
    may_alias_input = True

    def infer(self, inputs, attrs):
        x, sizes_t = inputs
        _check_index_dtype(sizes_t, "size_splits")
        _check_rank(sizes_t, 1)
        n = attrs["num_split"]
        axis = _split_axis(x, attrs)
        sizes = constant_value(sizes_t)
        if sizes is None:
            return _split_infer(x, axis, [None] * n)
        if len(sizes) != n:
            raise InferenceError(f"Length of size_splits should be equal to num_split, got {len(sizes)} and {n}")
        d = x.shape[axis].value if x.shape.ndims is not None else None
        try:
            return _split_infer(x, axis, _resolve_sizes(sizes, d))
        except ValueError as e:
            raise InferenceError(str(e)) from None

    def forward(self, xp, x, size_splits, axis, num_split):
        try:
            sizes = _resolve_sizes(size_splits.tolist(), x.shape[axis])
        except ValueError as e:
            raise _invalid(str(e)) from None
        return _outputs(xp.split(x, np.cumsum(sizes[:-1]).tolist(), axis=axis))

    def grad(self, op, *grads):
        if len(grads) == 1:
            return [grads[0], None]
        return [apply_op(ConcatV2, list(grads), {"axis": op._attrs["axis"]}, name="concat"), None]


def concat(values, axis, name="concat"):
    """Joins tensors along `axis` (negative counts from the end); a single tensor is returned as an identity.

    Example:
        >>> tf.concat([tf.zeros([2, 3]), tf.ones([2, 1])], axis=-1).shape   # (2, 4)
    """
    if not isinstance(values, (list, tuple)):
        values = [values]
    values = list(values)
    if not values:
        raise ValueError("List argument 'values' to 'ConcatV2' Op with length 0 shorter than minimum length 1.")
    axis = _static_ints(axis, "concat's axis")
    if len(values) == 1:  # TensorFlow's degenerate case: an Identity, no ConcatV2 node
        from .array_ops import identity
        with name_scope(name):
            return identity(values[0], name=name)
    return apply_op(ConcatV2, values, {"axis": axis}, name=name)


def split(value, num_or_size_splits, axis=0, num=None, name="split"):
    """Splits `value` along `axis`: into `num_or_size_splits` equal parts (an int), or into parts of the listed
    sizes (one may be -1, meaning the rest). Returns a list of tensors.

    Raises:
        ValueError: the dimension is known not to divide evenly, or the sizes do not add up;
            `num` is needed but cannot be inferred.

    Example:
        >>> a, b, c = tf.split(tf.zeros([6, 4]), 3)          # each (2, 4)
        >>> a, b = tf.split(tf.zeros([6, 4]), [1, -1], 1)    # (6, 1) and (6, 3)
    """
    axis = _static_ints(axis, "split's axis")
    n = num_or_size_splits
    if _is_tensor_like(n) and n.shape.ndims == 0 and n.dtype.is_integer:
        n = _static_ints(n, "split's num_or_size_splits")
    if isinstance(n, (int, np.integer)) or hasattr(n, "value") and not _is_tensor_like(n):
        n = int(getattr(n, "value", n))
        out = apply_op(Split, [value], {"axis": axis, "num_split": n}, name=name)
        return [out] if n == 1 else list(out)
    with name_scope(name, "split", [value]) as scope:
        sizes = convert_to_tensor(n, name="size_splits") if not _is_tensor_like(n) else n
        if num is None:
            num = sizes.shape[0].value if sizes.shape.ndims == 1 else None
            if num is None:
                raise ValueError(f"Cannot infer num from shape {n}")
        out = apply_op(SplitV, [value, sizes], {"axis": axis, "num_split": int(num)}, name=scope)
    return [out] if num == 1 else list(out)


# --- slice, tile -----------------------------------------------------------------------------------------------
@register
class Slice(OpDef):
    """The block of `input` starting at `begin` with extent `size` per axis (-1: to the end)."""

    type_name = "Slice"
    input_names = ("input", "begin", "size")
    same_dtype = ("begin", "size")
    allowed_dtypes = _INDEX_DTYPES
    may_alias_input = True

    def infer(self, inputs, attrs):
        x, begin_t, size_t = inputs
        _check_rank(begin_t, 1)
        _check_rank(size_t, 1)
        rank = x.shape.ndims
        for t in (begin_t, size_t):
            n = t.shape[0].value if t.shape.ndims == 1 else None
            if rank is None:
                rank = n
            elif n is not None and n != rank:
                raise InferenceError(f"Length of begin and size arguments must equal the rank of input: {n} vs. "
                                     f"{rank}")
        if rank is None:
            return [(TensorShape(None), x.dtype.base_dtype)]
        begin, size = constant_value(begin_t), constant_value(size_t)
        dims = _dims_or_none(x.shape, rank)
        out = []
        for i, d in enumerate(dims):
            b = None if begin is None else int(begin[i])
            s = None if size is None else int(size[i])
            if b is not None and d is not None and not 0 <= b <= d:
                raise InferenceError(f"Expected begin[{i}] in [0, {d}], but got {b}")
            if s == -1:
                s = None if b is None or d is None else d - b
            elif s is not None and (s < 0 or (b is not None and d is not None and b + s > d)):
                raise InferenceError(f"Expected size[{i}] in [0, {'?' if b is None or d is None else d - b}], "
                                     f"but got {s}")
            out.append(s)
        return [(TensorShape(out), x.dtype.base_dtype)]

    def forward(self, xp, x, begin, size):
        if len(begin) != x.ndim or len(size) != x.ndim:
            raise _invalid(f"Expected begin and size arguments to be 1-D tensors of size {x.ndim}, but got shapes "
                           f"[{len(begin)}] and [{len(size)}] instead.")
        index = []
        for i, (b, s, d) in enumerate(zip(begin.tolist(), size.tolist(), x.shape)):
            if s == -1:
                s = d - b
            if not 0 <= b <= d:
                raise _invalid(f"Expected begin[{i}] in [0, {d}], but got {b}")
            if not 0 <= s <= d - b:
                raise _invalid(f"Expected size[{i}] in [0, {d - b}], but got {s}")
            index.append(builtins.slice(b, b + s))
        return x[tuple(index)]

    def grad(self, op, g):
        from .array_ops import stack
        from .pad_ops import Pad  # pad_ops builds on this module
        x, begin, _ = op.inputs
        idx = begin.dtype.base_dtype
        after = _index_shape(x, idx) - _index_shape(op.outputs[0], idx) - begin
        return [apply_op(Pad, [g, stack([begin, after], axis=1)], name="Pad"), None, None]


def slice(input_, begin, size, name=None):  # noqa: A001 - TensorFlow's public name
    """The block of `input_` at `begin` (one index per axis) of extent `size` (-1: to the end of that axis).

    Example:
        >>> tf.slice(tf.reshape(tf.range(12), [3, 4]), [1, 1], [2, -1])   # [[5, 6, 7], [9, 10, 11]]
    """
    return apply_op(Slice, [input_, begin, size], name=name or "Slice")


@register
class Tile(OpDef):
    """`input` repeated `multiples[i]` times along each axis i."""

    type_name = "Tile"
    input_names = ("input", "multiples")

    def infer(self, inputs, attrs):
        x, m_t = inputs
        _check_index_dtype(m_t, "multiples")
        _check_rank(m_t, 1)
        rank = x.shape.ndims
        n = m_t.shape[0].value if m_t.shape.ndims == 1 else None
        if rank is not None and n is not None and n != rank:
            raise InferenceError(f"Expected multiples argument to be a vector of length {rank} but got length {n}")
        rank = rank if rank is not None else n
        if rank is None:
            return [(TensorShape(None), x.dtype.base_dtype)]
        mult = constant_value(m_t)
        if mult is not None and (mult < 0).any():
            raise InferenceError(f"Expected multiples[{int(np.argmax(mult < 0))}] >= 0, but got {int(mult.min())}")
        dims = _dims_or_none(x.shape, rank)
        if mult is None:
            return [(TensorShape([None] * rank), x.dtype.base_dtype)]
        out = [None if d is None else d * int(m) for d, m in zip(dims, mult.tolist())]
        return [(TensorShape(out), x.dtype.base_dtype)]

    def forward(self, xp, x, multiples):
        if len(multiples) != x.ndim:
            raise _invalid(f"Expected multiples argument to be a vector of length {x.ndim} but got length "
                           f"{len(multiples)}")
        if (multiples < 0).any():
            raise _invalid(f"Expected multiples[{int(np.argmax(multiples < 0))}] >= 0, but got "
                           f"{int(multiples.min())}")
        return xp.tile(x, tuple(int(m) for m in multiples))

    def grad(self, op, g):
        # g viewed as [m0, d0, m1, d1, ...] summed over the m axes: SumToShape to [1, d0, 1, d1, ...] does that
        # with run-time shapes only.
        from .array_ops import reshape, stack
        from .grad_support_ops import ones_like, sum_to_shape
        x, multiples = op.inputs
        dims = _index_shape(x, multiples.dtype.base_dtype)
        split_shape = reshape(stack([multiples, dims], axis=1), [-1])
        target = reshape(stack([ones_like(dims), dims], axis=1), [-1])
        return [reshape(sum_to_shape(reshape(g, split_shape), target), dims), None]


def tile(input, multiples, name=None):  # noqa: A002
    """`input` repeated along each axis. Example: `tf.tile([[1, 2]], [2, 3])` has shape (2, 6)."""
    return apply_op(Tile, [input, multiples], name=name or "Tile")


# --- reverse ---------------------------------------------------------------------------------------------------
@register
class ReverseV2(OpDef):
    """`tensor` with the order of its entries reversed along each axis in `axis`."""

    type_name = "ReverseV2"
    input_names = ("tensor", "axis")
    may_alias_input = True

    def infer(self, inputs, attrs):
        x, axis_t = inputs
        _check_index_dtype(axis_t, "axis")
        _check_rank(axis_t, 1)
        axes = constant_value(axis_t)
        rank = x.shape.ndims
        if axes is not None and rank is not None:
            _normalized_axes(axes, rank, InferenceError)
        return [(x.shape, x.dtype.base_dtype)]

    def forward(self, xp, x, axis):
        axes = _normalized_axes(axis, x.ndim, _invalid)
        return xp.flip(x, axis=axes) if axes else x

    def grad(self, op, g):
        return [apply_op(ReverseV2, [g, op.inputs[1]], name="ReverseV2"), None]


def _normalized_axes(axes, rank, error):
    out = []
    for a in np.asarray(axes).reshape(-1).tolist():
        if not -rank <= a < rank:
            raise error(f"'axis'[{len(out)}] = {a} is out of valid range [{-rank}, {rank - 1}]")
        if a % rank in out:
            raise error(f"axis {a % rank} specified more than once.")
        out.append(a % rank)
    return tuple(out)


def reverse(tensor, axis, name=None):
    """`tensor` reversed along the axes in `axis` (a list; negative counts from the end).

    Example:
        >>> tf.reverse([[1, 2], [3, 4]], [1])   # [[2, 1], [4, 3]]
    """
    if not _is_tensor_like(axis) and np.ndim(axis) == 0:
        axis = [axis]
    return apply_op(ReverseV2, [tensor, axis], name=name or "ReverseV2")


reverse_v2 = reverse
