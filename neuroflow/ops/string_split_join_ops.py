"""String primitives that change a tensor's shape: StringSplit (tf.string_split) and StringSplitV2
(tf.strings.split) into SparseTensors, and ReduceJoin (tf.reduce_join) along axes."""
import re

from ..framework import dtypes
from ..framework.apply import apply_op
from ..framework.op_def import InferenceError, register
from ..framework.tensor_shape import TensorShape
from .string_ops import _bytes, _check_string, _StringOp, _strings

__all__ = ["string_split", "reduce_join"]


@register
class ReduceJoin(_StringOp):
    """The strings along attr `axis` joined with `separator`, axis by axis in the order given (so [1, 0] joins rows
    first, [0, 1] columns first); None means every axis, last first."""

    type_name = "ReduceJoin"
    input_names = ("inputs",)

    def canonicalize_attrs(self, inputs, attrs):
        rank = inputs[0].shape.ndims
        axis = attrs["axis"]
        if axis is None:
            if rank is None:
                raise ValueError("reduce_join over every axis needs the input's rank")
            axis = list(range(rank))[::-1]
        axis = [int(a) for a in (axis if isinstance(axis, (list, tuple)) else [axis])]
        if rank is not None:
            for a in axis:
                if not -rank <= a < rank:
                    raise ValueError(f"Invalid reduction dimension {a} for input with {rank} dimensions.")
            axis = list(dict.fromkeys(a % rank for a in axis))
        return {**attrs, "axis": axis}

    def infer(self, inputs, attrs):
        x = inputs[0]
        _check_string(x, "ReduceJoin", "inputs")
        if x.shape.ndims is None:
            return [(TensorShape(None), dtypes.string)]
        dims = x.shape.as_list()
        kept = [1 if i in attrs["axis"] else d for i, d in enumerate(dims)] if attrs["keep_dims"] else \
            [d for i, d in enumerate(dims) if i not in attrs["axis"]]
        return [(TensorShape(kept), dtypes.string)]

    def forward(self, xp, x, axis, keep_dims, separator):
        x = xp.asarray(x)
        sep = _bytes(separator)
        rest = [i for i in range(x.ndim) if i not in axis]
        rest_shape = tuple(x.shape[i] for i in rest)
        n_rows = 1
        for d in rest_shape:
            n_rows *= d
        width = 1
        for i in axis:
            width *= x.shape[i]
        # The axis reduced first varies fastest in the joined order; explicit sizes keep empty inputs right.
        rows = xp.transpose(x, rest + list(axis)[::-1]).reshape(n_rows, width)
        out = xp.empty(rest_shape, dtype=object)
        flat_out = out.reshape(-1)
        for i, row in enumerate(rows.tolist()):
            flat_out[i] = sep.join(row)
        if keep_dims:
            out = out.reshape(tuple(1 if i in axis else x.shape[i] for i in range(x.ndim)))
        return out


class _Split(_StringOp):
    """A 1-D string tensor split per element: a SparseTensor's indices [N, 2], values [N] and dense_shape [2]."""

    num_outputs = 3
    data_dependent_shape = True

    def infer(self, inputs, attrs):
        source, sep = inputs
        _check_string(source, self.type_name, "input")
        if source.shape.ndims not in (None, 1):
            raise InferenceError(f"Shape must be rank 1 but is rank {source.shape.ndims}")
        return [(TensorShape([None, 2]), dtypes.int64), (TensorShape([None]), dtypes.string),
                (TensorShape([2]), dtypes.int64)]

    def forward(self, xp, source, sep, **attrs):
        sep = xp.asarray(sep).reshape(()).tolist()
        rows = [self.split(s, _bytes(sep), **attrs) for s in xp.asarray(source).tolist()]
        indices = [(r, c) for r, parts in enumerate(rows) for c in range(len(parts))]
        values = xp.empty(len(indices), dtype=object)
        for k, piece in enumerate(p for parts in rows for p in parts):
            values[k] = piece
        width = max((len(parts) for parts in rows), default=0)
        return (xp.asarray(indices, dtype=xp.int64).reshape(-1, 2), values,
                xp.asarray([len(rows), width], dtype=xp.int64))


@register
class StringSplit(_Split):
    """TF1's tf.string_split: every byte of the delimiter splits (an empty delimiter splits into bytes)."""

    type_name = "StringSplit"
    input_names = ("input", "delimiter")

    @staticmethod
    def split(s, delimiter, skip_empty):
        if not delimiter:
            return [s[i:i + 1] for i in range(len(s))]
        parts = re.split(b"[" + re.escape(delimiter) + b"]", s)
        return [p for p in parts if p] if skip_empty else parts


@register
class StringSplitV2(_Split):
    """tf.strings.split: Python's bytes.split(sep, maxsplit) per element (sep "" means runs of whitespace)."""

    type_name = "StringSplitV2"
    input_names = ("input", "sep")

    @staticmethod
    def split(s, sep, maxsplit):
        return s.split(sep or None, maxsplit)


def reduce_join(inputs, axis=None, keep_dims=None, separator="", name=None, reduction_indices=None,
                keepdims=None):
    """The strings along `axis` (all axes when None) joined in order: `tf.reduce_join([["a", "b"], ["c", "d"]],
    axis=1)` is [b"ab", b"cd"]."""
    axis = reduction_indices if axis is None else axis
    keep = bool(keepdims if keepdims is not None else keep_dims)
    return apply_op(ReduceJoin, [_strings(inputs, "inputs")], {"axis": axis, "keep_dims": keep,
                                                              "separator": separator}, name=name or "ReduceJoin")


def _sparse(parts):
    from ..framework.sparse_tensor import SparseTensor
    return SparseTensor(*parts)


def string_split(source, delimiter=" ", skip_empty=True, sep=None, result_type="SparseTensor", name=None):
    """TF1's tf.string_split: each string of the 1-D `source` split at every byte of `delimiter`, as a
    SparseTensor [number of strings, most parts]."""
    if result_type != "SparseTensor":
        raise ValueError("result_type must be 'SparseTensor' (neuroflow has no RaggedTensor)")
    delimiter = sep if sep is not None else delimiter
    return _sparse(apply_op(StringSplit, [_strings(source), _strings(delimiter, "delimiter")],
                            {"skip_empty": bool(skip_empty)}, name=name or "StringSplit"))


def strings_split(input=None, sep=None, maxsplit=-1, result_type="SparseTensor", source=None,  # noqa: A002
                  name=None):
    """tf.strings.split: each string of the 1-D input split as Python's bytes.split(sep, maxsplit) splits it,
    as a SparseTensor."""
    if result_type != "SparseTensor":
        raise ValueError("result_type must be 'SparseTensor' (neuroflow has no RaggedTensor)")
    source = input if input is not None else source
    return _sparse(apply_op(StringSplitV2, [_strings(source), _strings(sep or "", "sep")],
                            {"maxsplit": int(maxsplit)}, name=name or "StringSplit"))
