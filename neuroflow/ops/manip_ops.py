"""Array manipulation that moves values without computing new ones: transpose, squeeze, concat, split, slice,
tile, pad (constant and mirror) and reverse, each a primitive with its gradient built from the others."""
import builtins

import numpy as np

from ..framework.apply import _is_tensor_like, apply_op, convert_to_tensor
from ..framework.constant_op import constant
from ..framework.graph import name_scope
from ..framework.op_def import InferenceError, OpDef, register
from ..framework.tensor_shape import TensorShape
from ..framework.tensor_util import constant_value
from .op_util import (INDEX_DTYPES, check_index_dtype, check_rank, dims_or_none, index_shape, invalid_argument,
                      static_ints)

__all__ = ["transpose", "invert_permutation", "squeeze", "slice", "tile", "reverse",
           "reverse_v2"]

# --- transpose -------------------------------------------------------------------------------------------------
class _Permute(OpDef):
    """`x` with its axes permuted: output axis i is input axis perm[i]."""

    input_names = ("x", "perm")
    may_alias_input = True  # NumPy returns a strided view
    conjugate = False

    def infer(self, inputs, attrs):
        x, perm_t = inputs
        check_index_dtype(perm_t, "perm")
        check_rank(perm_t, 1)
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
        dims = dims_or_none(x.shape, len(perm))
        return [(TensorShape([dims[p] for p in perm]), x.dtype.base_dtype)]

    def forward(self, xp, x, perm):
        perm = tuple(int(p) for p in perm)
        if len(perm) != x.ndim:
            raise invalid_argument(f"transpose expects a vector of size {x.ndim}. But input(1) is a vector of size "
                                   f"{len(perm)}")
        if sorted(perm) != list(range(len(perm))):
            missing = min(set(range(len(perm))) - set(perm))
            raise invalid_argument(f"{missing} is missing from {{{','.join(map(str, perm))}}}.")
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
    shape_arg_inputs = (1,)


@register
class ConjugateTranspose(_Permute):
    """Transpose and complex conjugate (`tf.transpose(..., conjugate=True)` of a complex tensor)."""

    type_name = "ConjugateTranspose"
    shape_arg_inputs = (1,)
    may_alias_input = False
    conjugate = True


@register
class InvertPermutation(OpDef):
    """The inverse of a permutation vector: y[x[i]] = i."""

    type_name = "InvertPermutation"
    input_names = ("x",)

    def infer(self, inputs, attrs):
        check_index_dtype(inputs[0], "x")
        check_rank(inputs[0], 1)
        return [(inputs[0].shape, inputs[0].dtype.base_dtype)]

    def forward(self, xp, x):
        n = x.shape[0]
        bad = (x < 0) | (x >= n)
        if bad.any():
            raise invalid_argument(f"{x[bad][0]} is not between 0 and {n}")
        out = xp.full(n, -1, dtype=x.dtype)
        out[x] = xp.arange(n, dtype=x.dtype)
        if (out < 0).any():
            raise invalid_argument(f"{int(xp.argmax(xp.bincount(x, minlength=n)))} is duplicated in the input.")
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
    identity_if_same_shape = True
    input_names = ("input",)
    may_alias_input = True

    def canonicalize_attrs(self, inputs, attrs):
        rank = inputs[0].shape.ndims
        if rank is None:
            return attrs
        for a in attrs["squeeze_dims"]:
            if not -rank <= a < rank:
                raise InferenceError(f"Tried to squeeze dim index {a} for tensor with {rank} dimensions.")
        return {**attrs, "squeeze_dims": tuple(sorted({a % rank for a in attrs["squeeze_dims"]}))}

    def infer(self, inputs, attrs):
        x = inputs[0]
        if x.shape.ndims is None:
            return [(TensorShape(None), x.dtype.base_dtype)]
        norm = set(attrs["squeeze_dims"])
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
                raise invalid_argument(f"Tried to squeeze dim index {a} for tensor with {rank} dimensions.")
            if x.shape[a] != 1:
                raise invalid_argument(f"Can not squeeze dim[{a % rank}], expected a dimension of 1, got {x.shape[a]}")
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
    axes = [] if axis is None else static_ints(axis, "squeeze's axis")
    axes = [axes] if isinstance(axes, int) else axes
    return apply_op(Squeeze, [input], {"squeeze_dims": tuple(axes)}, name=name or "Squeeze")


# --- slice, tile -----------------------------------------------------------------------------------------------
@register
class Slice(OpDef):
    """The block of `input` starting at `begin` with extent `size` per axis (-1: to the end)."""

    type_name = "Slice"
    shape_arg_inputs = (1, 2)
    input_names = ("input", "begin", "size")
    same_dtype = ("begin", "size")
    allowed_dtypes = INDEX_DTYPES
    may_alias_input = True

    def infer(self, inputs, attrs):
        x, begin_t, size_t = inputs
        check_rank(begin_t, 1)
        check_rank(size_t, 1)
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
        from .partial_shape import known_elements  # sizes known in part, as `tf.stack([tf.shape(x)[0], 2])`
        begin, size = known_elements(begin_t, rank), known_elements(size_t, rank)
        dims = dims_or_none(x.shape, rank)
        out = []
        for i, d in enumerate(dims):
            b, s = begin[i], size[i]
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
            raise invalid_argument(f"Expected begin and size arguments to be 1-D tensors of size {x.ndim}, but got "
                                   f"shapes [{len(begin)}] and [{len(size)}] instead.")
        index = []
        for i, (b, s, d) in enumerate(zip(begin.tolist(), size.tolist(), x.shape)):
            if s == -1:
                s = d - b
            if not 0 <= b <= d:
                raise invalid_argument(f"Expected begin[{i}] in [0, {d}], but got {b}")
            if not 0 <= s <= d - b:
                raise invalid_argument(f"Expected size[{i}] in [0, {d - b}], but got {s}")
            index.append(builtins.slice(b, b + s))
        return x[tuple(index)]

    def grad(self, op, g):
        from .array_ops import stack
        from .pad_ops import Pad  # pad_ops builds on this module
        x, begin, _ = op.inputs
        idx = begin.dtype.base_dtype
        after = index_shape(x, idx) - index_shape(op.outputs[0], idx) - begin
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
    identity_if_same_shape = True
    shape_arg_inputs = (1,)
    input_names = ("input", "multiples")

    def infer(self, inputs, attrs):
        x, m_t = inputs
        check_index_dtype(m_t, "multiples")
        check_rank(m_t, 1)
        rank = x.shape.ndims
        n = m_t.shape[0].value if m_t.shape.ndims == 1 else None
        if rank is not None and n is not None and n != rank:
            raise InferenceError(f"Expected multiples argument to be a vector of length {rank} but got length {n}")
        rank = rank if rank is not None else n
        if rank is None:
            return [(TensorShape(None), x.dtype.base_dtype)]
        from .partial_shape import known_elements  # multiples known in part, as `[tf.shape(x)[0], 1]`
        mult = known_elements(m_t, rank)
        negative = [i for i, m in enumerate(mult) if m is not None and m < 0]
        if negative:
            raise InferenceError(f"Expected multiples[{negative[0]}] >= 0, but got {mult[negative[0]]}")
        dims = dims_or_none(x.shape, rank)
        out = [None if d is None or m is None else d * m for d, m in zip(dims, mult)]
        return [(TensorShape(out), x.dtype.base_dtype)]

    def forward(self, xp, x, multiples):
        if len(multiples) != x.ndim:
            raise invalid_argument(f"Expected multiples argument to be a vector of length {x.ndim} but got length "
                                   f"{len(multiples)}")
        if (multiples < 0).any():
            raise invalid_argument(f"Expected multiples[{int((multiples < 0).argmax())}] >= 0, but got "
                                   f"{int(multiples.min())}")
        return xp.tile(x, tuple(int(m) for m in multiples))

    def grad(self, op, g):
        # g viewed as [m0, d0, m1, d1, ...] summed over the m axes: SumToShape to [1, d0, 1, d1, ...] does that
        # with run-time shapes only.
        from .array_ops import reshape, stack
        from .grad_support_ops import ones_like, sum_to_shape
        x, multiples = op.inputs
        dims = index_shape(x, multiples.dtype.base_dtype)
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
        check_index_dtype(axis_t, "axis")
        check_rank(axis_t, 1)
        axes = constant_value(axis_t)
        rank = x.shape.ndims
        if axes is not None and rank is not None:
            _normalized_axes(axes, rank, InferenceError)
        return [(x.shape, x.dtype.base_dtype)]

    def forward(self, xp, x, axis):
        axes = _normalized_axes(axis, x.ndim, invalid_argument)
        return xp.flip(x, axis=axes) if axes else x

    def grad(self, op, g):
        return [apply_op(ReverseV2, [g, op.inputs[1]], name="ReverseV2"), None]


def _normalized_axes(axes, rank, error):
    out = []
    for a in axes.reshape(-1).tolist():  # `axes`: a constant's ndarray, or a backend array
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
