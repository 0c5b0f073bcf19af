"""Joining and splitting along an axis: `tf.concat` (ConcatV2) and `tf.split` (Split, SplitV)."""
import itertools

import numpy as np

from ..framework import dtypes
from ..framework.apply import _is_tensor_like, apply_op, convert_to_tensor
from ..framework.constant_op import constant
from ..framework.graph import name_scope
from ..framework.op_def import InferenceError, OpDef, register
from ..framework.tensor_shape import TensorShape
from ..framework.tensor_util import constant_value
from .op_util import check_index_dtype, check_rank, index_shape, invalid_argument, normalize_axis, static_ints

__all__ = ["concat", "split"]


def _split_dims(x, axis):
    """The sizes along `axis` of each tensor in `x`: a constant when all are static, else built at run time."""
    from .array_ops import stack
    sizes = []
    for t in x:
        d = t.shape[axis].value if t.shape.ndims is not None else None
        sizes.append(d)
    if None not in sizes:
        return constant(np.asarray(sizes, dtype=np.int32))
    return stack([constant(np.int32(d)) if d is not None else index_shape(t, dtypes.int32)[axis]
                  for d, t in zip(sizes, x)])


@register
class ConcatV2(OpDef):
    """Joins N tensors along attr `axis`; all other dimensions must agree."""

    type_name = "ConcatV2"
    input_names = ("values",)
    variadic = True
    same_dtype = ("values",)

    def canonicalize_attrs(self, inputs, attrs):
        known = [t.shape.ndims for t in inputs if t.shape.ndims is not None]
        axis = attrs["axis"]
        if known and known[0]:
            axis = normalize_axis(axis, known[0], f"ConcatOp : Expected concatenating dimensions in the range "
                                                   f"[{-known[0]}, {known[0]}), but got {axis}")
        return {**attrs, "N": len(inputs), "axis": axis}

    def infer(self, inputs, attrs):
        axis = attrs["axis"]
        dt = inputs[0].dtype.base_dtype
        known = [t for t in inputs if t.shape.ndims is not None]
        if not known:
            return [(TensorShape(None), dt)]
        rank = known[0].shape.ndims
        if rank == 0:
            raise InferenceError("Can't concatenate scalars (use tf.stack instead)")
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
        axis = op.get_attr("axis")
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
        axis = normalize_axis(axis, rank, f"-{rank} <= split_dim < {rank} but got {axis}" if rank else
                              "Can't split a scalar")
    return axis


def _canonical_split_attrs(self, inputs, attrs):
    return {**attrs, "axis": _split_axis(inputs[0], attrs)}


@register
class Split(OpDef):
    """`value` cut along attr `axis` into attr `num_split` equal pieces."""

    type_name = "Split"
    input_names = ("value",)
    may_alias_input = True
    canonicalize_attrs = _canonical_split_attrs

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
            raise invalid_argument(f"Number of ways to split should evenly divide the split dimension, but got "
                                   f"split_dim {axis % x.ndim} (size = {d}) and num_split {num_split}")
        return _outputs(xp.split(x, num_split, axis=axis))

    def grad(self, op, *grads):
        if len(grads) == 1:
            return [grads[0]]
        return [apply_op(ConcatV2, list(grads), {"axis": op.get_attr("axis")}, name="concat")]


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
    shape_arg_inputs = (1,)
    input_names = ("value", "size_splits")
    may_alias_input = True
    canonicalize_attrs = _canonical_split_attrs

    def infer(self, inputs, attrs):
        x, sizes_t = inputs
        check_index_dtype(sizes_t, "size_splits")
        check_rank(sizes_t, 1)
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
            raise invalid_argument(str(e)) from None
        return _outputs(xp.split(x, list(itertools.accumulate(sizes[:-1])), axis=axis))  # host ints: split points

    def grad(self, op, *grads):
        if len(grads) == 1:
            return [grads[0], None]
        return [apply_op(ConcatV2, list(grads), {"axis": op.get_attr("axis")}, name="concat"), None]


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
    axis = static_ints(axis, "concat's axis")
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
    axis = static_ints(axis, "split's axis")
    n = num_or_size_splits
    if _is_tensor_like(n) and n.shape.ndims == 0 and n.dtype.is_integer:
        n = static_ints(n, "split's num_or_size_splits")
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
