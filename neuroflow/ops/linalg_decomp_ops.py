"""Batched linear-algebra primitives over the last two axes: determinant, inverse, Cholesky, linear and triangular
solves, symmetric eigendecomposition, SVD and QR, with TensorFlow's gradients; `tf.matrix_solve_ls` composed."""
from ..framework import dtypes
from ..framework.apply import apply_op, convert_to_tensor
from ..framework.graph import name_scope
from ..framework.op_def import InferenceError, OpDef, register
from ..framework.tensor_shape import TensorShape
from .matrix_ops import MatrixDiag, MatrixDiagPart, MatrixSetDiag, adjoint, matrix_band_part
from .op_util import constant_like, merge_dim

__all__ = ["matrix_determinant", "log_matrix_determinant", "matrix_inverse", "cholesky", "matrix_solve", "matrix_triangular_solve",
           "matrix_solve_ls", "self_adjoint_eig", "self_adjoint_eigvals", "svd", "qr", "cholesky_solve"]

_LINALG_TYPES = (dtypes.float32, dtypes.float64, dtypes.complex64, dtypes.complex128)


def _square_dims(t):
    """The static dims of a batch of square matrices (None when the rank is unknown); InferenceError otherwise."""
    if t.shape.ndims is None:
        return None
    if t.shape.ndims < 2:
        raise InferenceError(f"Shape must be at least rank 2 but is rank {t.shape.ndims}")
    dims = t.shape.as_list()
    n = merge_dim(dims[-2], dims[-1])
    return dims[:-2] + [n, n]


def _mm(a, b, adjoint_a=False, adjoint_b=False):
    from .linalg_ops import matmul
    return matmul(a, b, adjoint_a=adjoint_a, adjoint_b=adjoint_b)


def _expand_twice(x):
    from .grad_support_ops import expand_dims
    return expand_dims(expand_dims(x, -1), -1)


def _mul(a, b):
    from .binary_ops import Mul
    return apply_op(Mul, [a, b], name="mul")


def _neg(x):
    from .unary_ops import Neg
    return apply_op(Neg, [x], name="Neg")


def _swap(xp, x):
    return xp.swapaxes(x, -1, -2)


def _adj(xp, x):
    x = _swap(xp, x)
    return xp.conj(x) if x.dtype.kind == "c" else x


class _LinalgOp(OpDef):
    """A batched matrix primitive: one input dtype among float32/64, complex64/128; LAPACK's failures
    (LinAlgError) explained in TensorFlow's words (`failure_message`)."""

    allowed_dtypes = _LINALG_TYPES
    failure_message = None

    def explain_failure(self, arrays, attrs, exc):
        if type(exc).__name__ == "LinAlgError" and self.failure_message:
            return self.failure_message
        return super().explain_failure(arrays, attrs, exc)


@register
class MatrixDeterminant(_LinalgOp):
    """det of each square matrix: [..., M, M] -> [...]."""

    type_name = "MatrixDeterminant"

    def infer(self, inputs, attrs):
        dims = _square_dims(inputs[0])
        return [(TensorShape(None if dims is None else dims[:-2]), inputs[0].dtype.base_dtype)]

    def forward(self, xp, x):
        return xp.asarray(xp.linalg.det(x), dtype=x.dtype)

    def grad(self, op, g):
        # d det(A) = det(A) tr(A^-1 dA): the gradient is g det(A) A^-H.
        a_inv_adj = apply_op(MatrixInverse, [op.inputs[0]], {"adjoint": True}, name="MatrixInverse")
        return [_mul(_expand_twice(_mul(g, op.outputs[0])), a_inv_adj)]


@register
class LogMatrixDeterminant(_LinalgOp):
    """(sign, log |det|) of each square matrix: [..., M, M] -> two [...] tensors; stable where det under- or
    overflows."""

    type_name = "LogMatrixDeterminant"
    num_outputs = 2

    def infer(self, inputs, attrs):
        dims = _square_dims(inputs[0])
        shape = TensorShape(None if dims is None else dims[:-2])
        return [(shape, inputs[0].dtype.base_dtype)] * 2

    def forward(self, xp, x):
        sign, logabs = xp.linalg.slogdet(x)
        return xp.asarray(sign, dtype=x.dtype), xp.asarray(logabs, dtype=x.dtype)

    def grad(self, op, grad_sign, grad_log_abs):
        # d log|det A| = tr(A^-1 dA); the sign is piecewise constant.
        a_inv_adj = apply_op(MatrixInverse, [op.inputs[0]], {"adjoint": True}, name="MatrixInverse")
        return [_mul(_expand_twice(grad_log_abs), a_inv_adj)]


@register
class MatrixInverse(_LinalgOp):
    """The inverse of each square matrix (of its adjoint when attr `adjoint`)."""

    type_name = "MatrixInverse"
    failure_message = "Input is not invertible."

    def infer(self, inputs, attrs):
        dims = _square_dims(inputs[0])
        return [(TensorShape(dims), inputs[0].dtype.base_dtype)]

    def forward(self, xp, x, adjoint=False):
        return xp.linalg.inv(_adj(xp, x) if adjoint else x)

    def grad(self, op, g):
        y = op.outputs[0]
        if op.get_attr("adjoint"):
            return [_neg(_mm(y, _mm(g, y, adjoint_a=True)))]
        return [_neg(_mm(y, _mm(g, y, adjoint_b=True), adjoint_a=True))]


@register
class Cholesky(_LinalgOp):
    """The lower-triangular L with L L^H = A for each Hermitian positive-definite A (only A's lower triangle
    is read)."""

    type_name = "Cholesky"
    failure_message = "Cholesky decomposition was not successful. The input might not be valid."

    def infer(self, inputs, attrs):
        return [(TensorShape(_square_dims(inputs[0])), inputs[0].dtype.base_dtype)]

    def forward(self, xp, x):
        return xp.linalg.cholesky(x)

    def grad(self, op, g):
        # Murray (2016), as TensorFlow: A_bar = L^-H Phi(L^H L_bar) L^-1, symmetrized, where Phi keeps the lower
        # triangle and halves the diagonal.
        lower = op.outputs[0]
        identity = apply_op(MatrixDiag, [_ones_like(apply_op(MatrixDiagPart, [lower], name="MatrixDiagPart"))],
                            name="eye")
        l_inv = matrix_triangular_solve(lower, identity, lower=True)
        middle = _mm(lower, g, adjoint_a=True)
        half_diag = _mul(constant_like(0.5, g), apply_op(MatrixDiagPart, [middle], name="MatrixDiagPart_1"))
        middle = apply_op(MatrixSetDiag, [middle, half_diag], name="MatrixSetDiag")
        middle = matrix_band_part(middle, -1, 0)
        grad_a = _mm(_mm(l_inv, middle, adjoint_a=True), l_inv)
        return [_mul(constant_like(0.5, g), _add(grad_a, adjoint(grad_a)))]


def _ones_like(x):
    from .grad_support_ops import ones_like
    return ones_like(x)


def _add(a, b):
    from .binary_ops import AddV2
    return apply_op(AddV2, [a, b], name="add")


def _sub(a, b):
    from .binary_ops import Sub
    return apply_op(Sub, [a, b], name="sub")


def _solve_shape(matrix, rhs):
    dims = _square_dims(matrix)
    if rhs.shape.ndims is not None and rhs.shape.ndims < 2:
        raise InferenceError(f"Shape must be at least rank 2 but is rank {rhs.shape.ndims}")
    if dims is None or rhs.shape.ndims is None:
        return TensorShape(None)
    rd = rhs.shape.as_list()
    if len(rd) != len(dims):
        raise InferenceError(f"Shape must be rank {len(dims)} but is rank {len(rd)}")
    batch = [merge_dim(a, b) for a, b in zip(dims[:-2], rd[:-2])]
    return TensorShape(batch + [merge_dim(dims[-1], rd[-2]), rd[-1]])


def _solve_grads(op, g, grad_b, lower=None):
    """The matrix input's gradient of X = A^-1 B (or A^-H B when attr `adjoint`), given B's."""
    x = op.outputs[0]
    if op.get_attr("adjoint"):
        grad_a = _neg(_mm(x, grad_b, adjoint_b=True))
    else:
        grad_a = _neg(_mm(grad_b, x, adjoint_b=True))
    if lower is not None:
        grad_a = matrix_band_part(grad_a, -1, 0) if lower else matrix_band_part(grad_a, 0, -1)
    return [grad_a, grad_b]


@register
class MatrixSolve(_LinalgOp):
    """X with A X = B for each square A (A^H X = B when attr `adjoint`): [..., M, M], [..., M, K] -> [..., M, K]."""

    type_name = "MatrixSolve"
    input_names = ("matrix", "rhs")
    same_dtype = ("matrix", "rhs")
    failure_message = "Input matrix is not invertible."

    def infer(self, inputs, attrs):
        return [(_solve_shape(*inputs), inputs[0].dtype.base_dtype)]

    def forward(self, xp, a, b, adjoint=False):
        return xp.linalg.solve(_adj(xp, a) if adjoint else a, b)

    def grad(self, op, g):
        grad_b = matrix_solve(op.inputs[0], g, adjoint=not op.get_attr("adjoint"))
        return _solve_grads(op, g, grad_b)


@register
class MatrixTriangularSolve(_LinalgOp):
    """X with T X = B, T the lower (attr `lower`) or upper triangle of each square matrix (T^H with `adjoint`);
    the other triangle is not read."""

    type_name = "MatrixTriangularSolve"
    input_names = ("matrix", "rhs")
    same_dtype = ("matrix", "rhs")
    failure_message = "Input matrix is not invertible."

    def infer(self, inputs, attrs):
        return [(_solve_shape(*inputs), inputs[0].dtype.base_dtype)]

    def forward(self, xp, a, b, lower=True, adjoint=False):
        t = xp.tril(a) if lower else xp.triu(a)
        return xp.linalg.solve(_adj(xp, t) if adjoint else t, b)

    def grad(self, op, g):
        lower = op.get_attr("lower")
        grad_b = matrix_triangular_solve(op.inputs[0], g, lower=lower, adjoint=not op.get_attr("adjoint"))
        return _solve_grads(op, g, grad_b, lower=lower)


@register
class SelfAdjointEigV2(_LinalgOp):
    """Eigenvalues (ascending) and eigenvectors (columns) of each Hermitian matrix, from its lower triangle.
    Without attr `compute_v` the eigenvector output is empty, shape [0]."""

    type_name = "SelfAdjointEigV2"
    num_outputs = 2
    failure_message = "Self-adjoint eigen decomposition was not successful. The input might not be valid."

    def infer(self, inputs, attrs):
        dims = _square_dims(inputs[0])
        dtype = inputs[0].dtype.base_dtype
        if dims is None:
            return [(TensorShape(None), dtype), (TensorShape(None if attrs["compute_v"] else [0]), dtype)]
        return [(TensorShape(dims[:-1]), dtype), (TensorShape(dims if attrs["compute_v"] else [0]), dtype)]

    def forward(self, xp, x, compute_v=True):
        if not compute_v:
            return xp.linalg.eigvalsh(x).astype(x.dtype), xp.zeros((0,), x.dtype)
        e, v = xp.linalg.eigh(x)
        return e.astype(x.dtype), v

    def grad(self, op, grad_e, grad_v):
        e, v = op.outputs
        if op.get_attr("compute_v"):
            # f[i, j] = 1 / (e_j - e_i) off the diagonal, 0 on it.
            from .grad_support_ops import expand_dims, zeros_like
            from .unary_ops import Reciprocal
            gaps = _sub(expand_dims(e, -2), expand_dims(e, -1))
            f = apply_op(MatrixSetDiag, [apply_op(Reciprocal, [gaps], name="Reciprocal"), zeros_like(e)],
                         name="MatrixSetDiag")
            inner = _add(apply_op(MatrixDiag, [grad_e], name="MatrixDiag"), _mul(f, _mm(v, grad_v, adjoint_a=True)))
        else:
            _, v = self_adjoint_eig(op.inputs[0])
            inner = apply_op(MatrixDiag, [grad_e], name="MatrixDiag")
        grad_a = _mm(v, _mm(inner, v, adjoint_b=True))
        # Only the lower triangle is read: its gradient collects both triangles', the diagonal once.
        grad_a = matrix_band_part(_add(grad_a, adjoint(grad_a)), -1, 0)
        half = _mul(constant_like(0.5, grad_a), apply_op(MatrixDiagPart, [grad_a], name="MatrixDiagPart"))
        return [apply_op(MatrixSetDiag, [grad_a, half], name="MatrixSetDiag_1")]


@register
class Svd(_LinalgOp):
    """Singular values (descending) s, and (attr `compute_uv`) u, v with A = u diag(s) v^H for each
    [..., M, N] matrix; `full_matrices` makes u and v square. Without `compute_uv`, u and v are empty ([0])."""

    type_name = "Svd"
    num_outputs = 3
    failure_message = "SVD did not converge."

    def infer(self, inputs, attrs):
        x = inputs[0]
        dtype = x.dtype.base_dtype
        if x.shape.ndims is not None and x.shape.ndims < 2:
            raise InferenceError(f"Shape must be at least rank 2 but is rank {x.shape.ndims}")
        if not attrs["compute_uv"]:
            s = TensorShape(None) if x.shape.ndims is None else TensorShape(
                x.shape.as_list()[:-2] + [_min_dim(*x.shape.as_list()[-2:])])
            return [(s, dtype), (TensorShape([0]), dtype), (TensorShape([0]), dtype)]
        if x.shape.ndims is None:
            return [(TensorShape(None), dtype)] * 3
        dims = x.shape.as_list()
        batch, (m, n) = dims[:-2], dims[-2:]
        p = _min_dim(m, n)
        full = attrs["full_matrices"]
        return [(TensorShape(batch + [p]), dtype), (TensorShape(batch + [m, m if full else p]), dtype),
                (TensorShape(batch + [n, n if full else p]), dtype)]

    def forward(self, xp, x, compute_uv=True, full_matrices=False):
        if not compute_uv:
            empty = xp.zeros((0,), x.dtype)
            return xp.linalg.svd(x, compute_uv=False).astype(x.dtype), empty, empty
        u, s, vh = xp.linalg.svd(x, full_matrices=full_matrices)
        return s.astype(x.dtype), u, _adj(xp, vh)

    def grad(self, op, grad_s, grad_u, grad_v):
        from .svd_grad import svd_grad
        return [svd_grad(op, grad_s, grad_u, grad_v)]


def _min_dim(m, n):
    return None if m is None or n is None else min(m, n)


@register
class Qr(_LinalgOp):
    """q (orthonormal columns) and r (upper triangular) with A = q r for each [..., M, N] matrix; reduced
    (q [..., M, P], r [..., P, N], P = min(M, N)) unless attr `full_matrices`."""

    type_name = "Qr"
    num_outputs = 2

    def infer(self, inputs, attrs):
        x = inputs[0]
        dtype = x.dtype.base_dtype
        if x.shape.ndims is not None and x.shape.ndims < 2:
            raise InferenceError(f"Shape must be at least rank 2 but is rank {x.shape.ndims}")
        if x.shape.ndims is None:
            return [(TensorShape(None), dtype)] * 2
        dims = x.shape.as_list()
        batch, (m, n) = dims[:-2], dims[-2:]
        p = m if attrs["full_matrices"] else _min_dim(m, n)
        return [(TensorShape(batch + [m, p]), dtype), (TensorShape(batch + [p, n]), dtype)]

    def forward(self, xp, x, full_matrices=False):
        q, r = xp.linalg.qr(x, mode="complete" if full_matrices else "reduced")
        return q, r

    def grad(self, op, grad_q, grad_r):
        from .svd_grad import qr_grad
        return [qr_grad(op, grad_q, grad_r)]


# --- public functions ------------------------------------------------------------------------------------------
def matrix_determinant(input, name=None):  # noqa: A002 - TensorFlow's argument name
    """The determinant of each square matrix in `input` ([..., M, M] -> [...])."""
    return apply_op(MatrixDeterminant, [input], name=name or "MatrixDeterminant")


def log_matrix_determinant(input, name=None):  # noqa: A002
    """(sign, log_abs_determinant) of each square matrix: the determinant is sign * exp(log_abs_determinant),
    without its overflow or underflow."""
    sign, log_abs = apply_op(LogMatrixDeterminant, [input], name=name or "LogMatrixDeterminant")
    return sign, log_abs


def logdet(matrix, name=None):
    """log(det(matrix)) of Hermitian positive-definite matrices, from their Cholesky factors (`tf.linalg.logdet`):
    2 * sum(log(diag(cholesky(matrix))))."""
    from .math_ops import log, multiply
    from .reduce_ops import reduce_sum
    with name_scope(name, "logdet", [matrix]) as scope:
        chol = cholesky(matrix)
        diag = apply_op(MatrixDiagPart, [chol], name="MatrixDiagPart")
        return multiply(constant_like(2.0, chol), reduce_sum(log(diag), axis=-1), name=scope)


def matrix_inverse(input, adjoint=False, name=None):  # noqa: A002
    """The inverse (of the adjoint, when `adjoint`) of each square matrix; InvalidArgumentError when singular."""
    return apply_op(MatrixInverse, [input], {"adjoint": bool(adjoint)}, name=name or "MatrixInverse")


def cholesky(input, name=None):  # noqa: A002
    """The lower-triangular Cholesky factor of each Hermitian positive-definite matrix.

    Example: `tf.cholesky([[4., 2.], [2., 2.]])` is [[2, 0], [1, 1]].
    """
    return apply_op(Cholesky, [input], name=name or "Cholesky")


def matrix_solve(matrix, rhs, adjoint=False, name=None):
    """X with matrix @ X = rhs (matrix^H @ X = rhs when `adjoint`) for batches of square matrices."""
    return apply_op(MatrixSolve, [matrix, rhs], {"adjoint": bool(adjoint)}, name=name or "MatrixSolve")


def matrix_triangular_solve(matrix, rhs, lower=True, adjoint=False, name=None):
    """X with T @ X = rhs, T the lower (or upper) triangle of `matrix`."""
    return apply_op(MatrixTriangularSolve, [matrix, rhs], {"lower": bool(lower), "adjoint": bool(adjoint)},
                    name=name or "MatrixTriangularSolve")


def cholesky_solve(chol, rhs, name=None):
    """X with A X = rhs given A's Cholesky factor `chol`: two triangular solves."""
    with name_scope(name, "cholesky_solve", [chol, rhs]):
        y = matrix_triangular_solve(chol, rhs, lower=True, adjoint=False)
        return matrix_triangular_solve(chol, y, lower=True, adjoint=True)


def matrix_solve_ls(matrix, rhs, l2_regularizer=0.0, fast=True, name=None):
    """The least-squares solution of matrix @ X = rhs, with Tikhonov regularization `l2_regularizer`, by the
    normal equations as TensorFlow's `fast` path: (A^H A + l2 I)^-1 A^H B when M >= N, else
    A^H (A A^H + l2 I)^-1 B (chosen at run time by `tf.cond` when M or N is unknown while building)."""
    if not fast:
        raise NotImplementedError("neuroflow's matrix_solve_ls solves the normal equations only (fast=True)")
    with name_scope(name, "matrix_solve_ls", [matrix, rhs, l2_regularizer]) as scope:
        a = convert_to_tensor(matrix, name="matrix")
        b = convert_to_tensor(rhs, dtype=a.dtype.base_dtype, name="rhs")
        if a.shape.ndims is not None and a.shape.ndims < 2:
            raise ValueError(f"matrix must have rank >= 2, got shape {a.shape}")
        l2 = convert_to_tensor(l2_regularizer, dtype=a.dtype.base_dtype, name="l2_regularizer")
        dims = a.shape.as_list()[-2:] if a.shape.ndims is not None else [None, None]
        if None not in dims:
            return (_overdetermined if dims[0] >= dims[1] else _underdetermined)(a, b, l2, scope)
        from .array_ops import shape
        from .control_flow_ops import cond
        from .math_ops import greater_equal
        rows_cols = shape(a)
        return cond(greater_equal(rows_cols[-2], rows_cols[-1]), lambda: _overdetermined(a, b, l2, None),
                    lambda: _underdetermined(a, b, l2, None), name=scope)


def _regularized_cholesky(gram, l2):
    eye = apply_op(MatrixDiag, [_ones_like(apply_op(MatrixDiagPart, [gram], name="MatrixDiagPart"))], name="eye")
    return cholesky(_add(gram, _mul(l2, eye)))


def _overdetermined(a, b, l2, name):
    chol = _regularized_cholesky(_mm(a, a, adjoint_a=True), l2)
    return cholesky_solve(chol, _mm(a, b, adjoint_a=True), name=name)


def _underdetermined(a, b, l2, name):
    chol = _regularized_cholesky(_mm(a, a, adjoint_b=True), l2)
    from .array_ops import identity
    return identity(_mm(a, cholesky_solve(chol, b), adjoint_a=True), name=name)


def self_adjoint_eig(tensor, name=None):
    """(e, v): the eigenvalues (ascending) and eigenvectors (columns of v) of each Hermitian matrix, read from
    its lower triangle."""
    e, v = apply_op(SelfAdjointEigV2, [tensor], {"compute_v": True}, name=name or "SelfAdjointEigV2")
    return e, v


def self_adjoint_eigvals(tensor, name=None):
    """The eigenvalues (ascending) of each Hermitian matrix."""
    e, _ = apply_op(SelfAdjointEigV2, [tensor], {"compute_v": False}, name=name or "SelfAdjointEigV2")
    return e


def svd(tensor, full_matrices=False, compute_uv=True, name=None):
    """The singular value decomposition A = u diag(s) v^H of each matrix: (s, u, v), or s alone when not
    `compute_uv` (TensorFlow's order: s first, and v, not v^H).

    Example: `s, u, v = tf.svd(a)`; `tf.matmul(u * s[..., None, :], v, adjoint_b=True)` rebuilds `a`.
    """
    s, u, v = apply_op(Svd, [tensor], {"compute_uv": bool(compute_uv), "full_matrices": bool(full_matrices)},
                       name=name or "Svd")
    return (s, u, v) if compute_uv else s


def qr(input, full_matrices=False, name=None):  # noqa: A002
    """(q, r) with input = q @ r, q with orthonormal columns and r upper triangular, for each matrix."""
    q, r = apply_op(Qr, [input], {"full_matrices": bool(full_matrices)}, name=name or "Qr")
    return q, r
