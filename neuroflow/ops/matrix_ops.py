"""Matrix structure ops: diagonals (Diag/DiagPart of whole tensors, MatrixDiag/MatrixDiagPart/MatrixSetDiag of
batched matrices), MatrixBandPart, Cross, and the compositions `tf.matrix_transpose`, `tf.trace`, `tf.eye`."""
import math

import numpy as np

from ..framework import dtypes
from ..framework.apply import apply_op, convert_to_tensor
from ..framework.graph import name_scope
from ..framework.op_def import InferenceError, OpDef, register
from ..framework.tensor_shape import TensorShape
from .op_util import invalid_argument, merge_dim, shape_text

__all__ = ["diag", "diag_part", "matrix_diag", "matrix_diag_part", "matrix_set_diag", "matrix_band_part",
           "matrix_transpose", "trace", "cross", "eye"]


def _at_least_rank(t, rank):
    if t.shape.ndims is not None and t.shape.ndims < rank:
        raise InferenceError(f"Shape must be at least rank {rank} but is rank {t.shape.ndims}")


# --- the diagonal of a whole tensor (TF1's tf.diag / tf.diag_part) ---------------------------------------------
@register
class Diag(OpDef):
    """A rank-2k tensor from a rank-k one: out[i1..ik, i1..ik] = diagonal[i1..ik], zero elsewhere."""

    type_name = "Diag"
    input_names = ("diagonal",)
    allowed_dtypes = dtypes.NUMBER

    def infer(self, inputs, attrs):
        d = inputs[0]
        _at_least_rank(d, 1)
        if d.shape.ndims is None:
            return [(TensorShape(None), d.dtype.base_dtype)]
        return [(d.shape.concatenate(d.shape), d.dtype.base_dtype)]

    def forward(self, xp, d):
        return xp.diag(xp.reshape(d, (-1,))).reshape(d.shape + d.shape)

    def grad(self, op, g):
        return [apply_op(DiagPart, [g], name="DiagPart")]


@register
class DiagPart(OpDef):
    """The inverse of Diag: from a rank-2k tensor whose first k dims equal its last k, out[i..] = x[i.., i..]."""

    type_name = "DiagPart"
    input_names = ("input",)
    allowed_dtypes = dtypes.NUMBER

    def infer(self, inputs, attrs):
        x = inputs[0]
        if x.shape.ndims is None:
            return [(TensorShape(None), x.dtype.base_dtype)]
        rank = x.shape.ndims
        if rank == 0 or rank % 2:
            raise InferenceError(f"Input must have even and non-zero rank, input rank is {rank}")
        dims = x.shape.as_list()
        k = rank // 2
        return [(TensorShape([merge_dim(a, b) for a, b in zip(dims[:k], dims[k:])]), x.dtype.base_dtype)]

    def forward(self, xp, x):
        k = x.ndim // 2
        if x.shape[:k] != x.shape[k:]:
            raise invalid_argument(f"Invalid shape {shape_text(x)}: dimensions {k} and {x.ndim - 1} do not match.")
        n = math.prod(x.shape[:k])
        idx = xp.arange(n)
        return xp.reshape(x, (n, n))[idx, idx].reshape(x.shape[:k])

    def grad(self, op, g):
        return [apply_op(Diag, [g], name="Diag")]


# --- diagonals of batched matrices -----------------------------------------------------------------------------
@register
class MatrixDiag(OpDef):
    """Batched diagonal matrices: [..., N] -> [..., N, N] with the input on the main diagonal."""

    type_name = "MatrixDiag"
    input_names = ("diagonal",)

    def infer(self, inputs, attrs):
        d = inputs[0]
        _at_least_rank(d, 1)
        if d.shape.ndims is None:
            return [(TensorShape(None), d.dtype.base_dtype)]
        return [(d.shape.concatenate([d.shape.as_list()[-1]]), d.dtype.base_dtype)]

    def forward(self, xp, d):
        n = d.shape[-1]
        out = xp.zeros(d.shape + (n,), d.dtype)
        idx = xp.arange(n)
        out[..., idx, idx] = d
        return out

    def grad(self, op, g):
        return [apply_op(MatrixDiagPart, [g], name="MatrixDiagPart")]


@register
class MatrixDiagPart(OpDef):
    """The main diagonals of batched matrices: [..., M, N] -> [..., min(M, N)]."""

    type_name = "MatrixDiagPart"
    input_names = ("input",)

    def infer(self, inputs, attrs):
        x = inputs[0]
        _at_least_rank(x, 2)
        if x.shape.ndims is None:
            return [(TensorShape(None), x.dtype.base_dtype)]
        dims = x.shape.as_list()
        m, n = dims[-2:]
        k = min(m, n) if m is not None and n is not None else None
        return [(TensorShape(dims[:-2] + [k]), x.dtype.base_dtype)]

    def forward(self, xp, x):
        idx = xp.arange(min(x.shape[-2:]))
        return x[..., idx, idx]

    def grad(self, op, g):
        from .grad_support_ops import zeros_like
        return [apply_op(MatrixSetDiag, [zeros_like(op.inputs[0]), g], name="MatrixSetDiag")]


@register
class MatrixSetDiag(OpDef):
    """Batched matrices [..., M, N] with their main diagonals replaced by `diagonal` [..., min(M, N)]."""

    type_name = "MatrixSetDiag"
    input_names = ("input", "diagonal")
    same_dtype = ("input", "diagonal")

    def infer(self, inputs, attrs):
        x, d = inputs
        _at_least_rank(x, 2)
        _at_least_rank(d, 1)
        if x.shape.ndims is not None and d.shape.ndims is not None:
            if d.shape.ndims != x.shape.ndims - 1:
                raise InferenceError(f"Shape must be rank {x.shape.ndims - 1} but is rank {d.shape.ndims}")
            xd, dd = x.shape.as_list(), d.shape.as_list()
            batch = [merge_dim(a, b) for a, b in zip(xd[:-2], dd[:-1])]
            m, n = xd[-2:]
            k = min(m, n) if m is not None and n is not None else None
            merge_dim(k, dd[-1])
            return [(TensorShape(batch + [m, n]), x.dtype.base_dtype)]
        return [(x.shape, x.dtype.base_dtype)]

    def forward(self, xp, x, d):
        k = min(x.shape[-2:])
        if d.shape != x.shape[:-2] + (k,):
            raise invalid_argument(f"diagonal must have shape {shape_text(x.shape[:-2] + (k,))}, "
                                   f"got {shape_text(d)}")
        out = x.copy()
        idx = xp.arange(k)
        out[..., idx, idx] = d
        return out

    def grad(self, op, g):
        from .grad_support_ops import zeros_like
        return [apply_op(MatrixSetDiag, [g, zeros_like(op.inputs[1])], name="MatrixSetDiag"),
                apply_op(MatrixDiagPart, [g], name="MatrixDiagPart")]


@register
class MatrixBandPart(OpDef):
    """Batched matrices with everything outside a band zeroed: x[..., i, j] is kept where (num_lower < 0 or
    i - j <= num_lower) and (num_upper < 0 or j - i <= num_upper). (-1, 0) keeps the lower triangle."""

    type_name = "MatrixBandPart"
    input_names = ("input", "num_lower", "num_upper")
    same_dtype = ("num_lower", "num_upper")

    def infer(self, inputs, attrs):
        x, lower, upper = inputs
        _at_least_rank(x, 2)
        for t in (lower, upper):
            if t.shape.ndims not in (None, 0):
                raise InferenceError(f"Shape must be rank 0 but is rank {t.shape.ndims}")
        return [(x.shape, x.dtype.base_dtype)]

    def forward(self, xp, x, num_lower, num_upper):
        m, n = x.shape[-2:]
        lower, upper = int(num_lower), int(num_upper)
        if lower > m:
            raise invalid_argument(f"num_lower must be negative or less or equal to number of rows ({m}) got: "
                                   f"{lower}")
        if upper > n:
            raise invalid_argument(f"num_upper must be negative or less or equal to number of columns ({n}) got: "
                                   f"{upper}")
        offset = xp.arange(m)[:, None] - xp.arange(n)[None, :]  # i - j
        keep = xp.ones((m, n), dtype=bool)
        if lower >= 0:
            keep &= offset <= lower
        if upper >= 0:
            keep &= -offset <= upper
        return xp.where(keep, x, xp.zeros((), x.dtype))

    def grad(self, op, g):
        _, lower, upper = op.inputs
        return [apply_op(MatrixBandPart, [g, lower, upper], name="MatrixBandPart"), None, None]


# --- cross product ---------------------------------------------------------------------------------------------
@register
class Cross(OpDef):
    """The cross product of 3-vectors along the last axis of two same-shaped tensors."""

    type_name = "Cross"
    input_names = ("a", "b")
    same_dtype = ("a", "b")
    allowed_dtypes = dtypes.REAL

    def infer(self, inputs, attrs):
        a, b = inputs
        _at_least_rank(a, 1)
        _at_least_rank(b, 1)
        if not a.shape.is_compatible_with(b.shape):
            raise InferenceError(f"Shapes {a.shape.bracket_str()} and {b.shape.bracket_str()} are incompatible")
        shape = a.shape.merge_with(b.shape)
        if shape.ndims is not None and shape.as_list()[-1] not in (None, 3):
            raise InferenceError(f"Dimension must be 3 but is {shape.as_list()[-1]}")
        return [(shape, a.dtype.base_dtype)]

    def forward(self, xp, a, b):
        if a.shape != b.shape:
            raise invalid_argument(f"Both inputs must be of same shape: {shape_text(a)} vs. {shape_text(b)}")
        if a.shape[-1] != 3:
            raise invalid_argument(f"Trailing dimension must be of size 3, got {a.shape[-1]}")
        return xp.cross(a, b)

    def grad(self, op, g):
        a, b = op.inputs
        return [apply_op(Cross, [b, g], name="Cross"), apply_op(Cross, [g, a], name="Cross_1")]


# --- public functions ------------------------------------------------------------------------------------------
def diag(diagonal, name=None):
    """A tensor with `diagonal` on its diagonal: rank k in, rank 2k out (`tf.diag([1, 2])` is [[1, 0], [0, 2]])."""
    return apply_op(Diag, [diagonal], name=name or "Diag")


def diag_part(input, name=None):  # noqa: A002 - TensorFlow's argument name
    """The diagonal of a rank-2k tensor whose first k dims equal its last k (the inverse of `tf.diag`)."""
    return apply_op(DiagPart, [input], name=name or "DiagPart")


def _only_main_diagonal(k):
    if k != 0:
        raise NotImplementedError("neuroflow supports only the main diagonal (k=0)")


def matrix_diag(diagonal, name="diag", k=0, num_rows=-1, num_cols=-1, padding_value=0, align="RIGHT_LEFT"):
    """Batched diagonal matrices: `[..., N]` -> `[..., N, N]` (only the main diagonal, k=0)."""
    _only_main_diagonal(k)
    return apply_op(MatrixDiag, [diagonal], name=name)


def matrix_diag_part(input, name="diag_part", k=0, padding_value=0, align="RIGHT_LEFT"):  # noqa: A002
    """The main diagonals of batched matrices: `[..., M, N]` -> `[..., min(M, N)]`."""
    _only_main_diagonal(k)
    return apply_op(MatrixDiagPart, [input], name=name)


def matrix_set_diag(input, diagonal, name="set_diag", k=0, align="RIGHT_LEFT"):  # noqa: A002
    """`input` with the main diagonal of each matrix replaced by `diagonal`."""
    _only_main_diagonal(k)
    return apply_op(MatrixSetDiag, [input, diagonal], name=name)


def matrix_band_part(input, num_lower, num_upper, name=None):  # noqa: A002
    """Zeroes everything outside a band of each matrix; a negative count keeps the whole triangle.

    Example: `tf.matrix_band_part(x, -1, 0)` is the lower triangle, `(0, 0)` the diagonal.
    """
    with name_scope(name, "MatrixBandPart", [input, num_lower, num_upper]) as scope:
        x = convert_to_tensor(input, name="input")
        lower = convert_to_tensor(num_lower, dtype=dtypes.int64, name="num_lower")
        upper = convert_to_tensor(num_upper, dtype=lower.dtype.base_dtype, name="num_upper")
        return apply_op(MatrixBandPart, [x, lower, upper], name=scope)


def matrix_transpose(a, name="matrix_transpose", conjugate=False):
    """Swaps the last two axes of `a` (conjugating complex values when `conjugate`)."""
    from .manip_ops import transpose
    with name_scope(name, "matrix_transpose", [a]) as scope:
        a = convert_to_tensor(a, name="a")
        rank = a.shape.ndims
        if rank is not None:
            if rank < 2:
                raise ValueError(f"Argument 'a' should be a (batch) matrix, with rank >= 2.  Found: {a.shape}")
            perm = list(range(rank - 2)) + [rank - 1, rank - 2]
        else:
            from .concat_ops import concat
            from .index_ops import range as range_, rank as rank_of
            r = rank_of(a)
            perm = concat([range_(r - 2), [r - 1, r - 2]], axis=0)
        return transpose(a, perm, name=scope, conjugate=conjugate)


def adjoint(matrix, name=None):
    """The conjugate transpose of each matrix (the plain transpose for real ones)."""
    return matrix_transpose(matrix, name=name or "adjoint", conjugate=True)


def trace(x, name=None):
    """The sum of each matrix's main diagonal: `[..., M, N]` -> `[...]`."""
    from .reduce_ops import reduce_sum
    with name_scope(name, "Trace", [x]) as scope:
        return reduce_sum(matrix_diag_part(convert_to_tensor(x, name="x")), axis=-1, name=scope)


def cross(a, b, name=None):
    """The pairwise cross product of 3-vectors on the last axis of `a` and `b`."""
    return apply_op(Cross, [a, b], name=name or "Cross")


def eye(num_rows, num_columns=None, batch_shape=None, dtype=dtypes.float32, name=None):
    """An identity matrix (or a batch of them): ones on the main diagonal, zeros elsewhere. A constant when the
    sizes are known while building; otherwise built at run time (`tf.eye(tf.shape(x)[0])`)."""
    from ..framework.constant_op import constant
    from ..framework.tensor_util import constant_value
    dtype = dtypes.as_dtype(dtype).base_dtype
    sizes = [num_rows, num_columns, batch_shape]
    known = [v if v is None or not hasattr(v, "dtype") else constant_value(v) for v in sizes]
    if all(k is not None or v is None for k, v in zip(known, sizes)):
        rows = int(known[0])
        cols = rows if known[1] is None else int(known[1])
        batch = [] if known[2] is None else [int(d) for d in np.reshape(known[2], -1)]
        value = np.broadcast_to(np.eye(rows, cols, dtype=dtype.as_numpy_dtype), batch + [rows, cols])
        return constant(value, dtype=dtype, name=name or "eye")
    from .array_ops import ones, stack, zeros
    from .concat_ops import concat
    from .math_ops import minimum
    with name_scope(name, "eye", [num_rows, num_columns, batch_shape]) as scope:
        rows = convert_to_tensor(num_rows, dtype=dtypes.int32, name="num_rows")
        cols = rows if num_columns is None else convert_to_tensor(num_columns, dtype=dtypes.int32,
                                                                  name="num_columns")
        batch = (convert_to_tensor([], dtype=dtypes.int32) if batch_shape is None else
                 convert_to_tensor(batch_shape, dtype=dtypes.int32, name="batch_shape"))
        diagonal = ones(concat([batch, stack([minimum(rows, cols)])], 0), dtype=dtype)
        return matrix_set_diag(zeros(concat([batch, stack([rows, cols])], 0), dtype=dtype), diagonal, name=scope)
