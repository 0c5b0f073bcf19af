"""The gradients of the SVD and QR decompositions (TensorFlow's formulas, after Townsend 2016 and Walter &
Lehmann 2018), composed from matrix products, solves and diagonal ops; kept apart from the kernels for length."""
from ..framework.apply import apply_op
from .linalg_decomp_ops import _add, _mm, _mul, _sub, matrix_triangular_solve
from .matrix_ops import MatrixDiag, MatrixSetDiag, adjoint, matrix_band_part
from .op_util import constant_like

__all__ = ["svd_grad", "qr_grad"]


def _safe_reciprocal(x, epsilon=1e-20):
    """x / (x^2 + eps): 1/x away from zero, 0 at zero (equal singular values contribute nothing)."""
    from .binary_ops import RealDiv
    return apply_op(RealDiv, [x, _add(_mul(x, x), constant_like(epsilon, x))], name="truediv")


def svd_grad(op, grad_s, grad_u, grad_v):
    """The gradient of A for s, u, v = svd(A) (real matrices; reduced u and v, or square A)."""
    from .grad_support_ops import expand_dims, zeros_like
    from .linalg_decomp_ops import svd
    a = op.inputs[0]
    if a.dtype.is_complex:
        raise NotImplementedError("neuroflow's SVD gradient is implemented for real matrices only")
    grad_s_mat = apply_op(MatrixDiag, [grad_s], name="MatrixDiag")
    if not op.get_attr("compute_uv"):
        s, u, v = svd(a, compute_uv=True)
        return _mm(u, _mm(grad_s_mat, v, adjoint_b=True))
    dims = a.shape.as_list() if a.shape.ndims is not None else [None, None]
    m, n = dims[-2:]
    if m is None or n is None:
        raise NotImplementedError("SVD gradient has not been implemented for input with unknown inner matrix "
                                  "shape.")
    full_matrices = op.get_attr("full_matrices")
    if full_matrices and m != n:
        raise NotImplementedError("neuroflow's SVD gradient with full_matrices=True needs a square matrix")
    s, u, v = op.outputs
    use_adjoint = m > n
    if use_adjoint:
        # The gradient for A^H = v s u^H, adjointed at the end.
        m, n = n, m
        u, v = v, u
        grad_u, grad_v = grad_v, grad_u
    s_mat = apply_op(MatrixDiag, [s], name="MatrixDiag_1")
    s_2 = _mul(s, s)
    # f[i, j] = 1 / (s_j^2 - s_i^2) off the diagonal, 0 on it.
    f = apply_op(MatrixSetDiag, [_safe_reciprocal(_sub(expand_dims(s_2, -2), expand_dims(s_2, -1))),
                                 zeros_like(s)], name="MatrixSetDiag")
    f_u = _mul(f, _mm(u, grad_u, adjoint_a=True))
    f_v = _mul(f, _mm(v, grad_v, adjoint_a=True))
    term1_inner = _add(grad_s_mat, _add(_mm(_add(f_u, adjoint(f_u)), s_mat), _mm(s_mat, _add(f_v, adjoint(f_v)))))
    grad_a = _mm(u, _mm(term1_inner, v, adjoint_b=True))
    if m != n:
        # v has n > m rows: the part of grad_v outside v's column space reaches A through s^-1.
        gv_t = adjoint(grad_v)
        term2_inner = _sub(gv_t, _mm(_mm(gv_t, v), v, adjoint_b=True))
        s_inv = apply_op(MatrixDiag, [_safe_reciprocal(s)], name="MatrixDiag_2")
        grad_a = _add(grad_a, _mm(_mm(u, s_inv), term2_inner))
    return adjoint(grad_a) if use_adjoint else grad_a


def qr_grad(op, grad_q, grad_r):
    """The gradient of A for q, r = qr(A), for A with at least as many rows as columns (reduced q and r), as
    TensorFlow."""
    a = op.inputs[0]
    q, r = op.outputs
    dims = a.shape.as_list() if a.shape.ndims is not None else [None, None]
    m, n = dims[-2:]
    if m is None or n is None:
        raise NotImplementedError("QrGrad not implemented with dynamic shapes.")
    if m < n or (op.get_attr("full_matrices") and m != n):
        raise NotImplementedError("QrGrad not implemented when ncols > nrows or full_matrices is true and "
                                  "ncols != nrows.")

    def solve_right(x):
        # x r^-H: the adjoint of r^-1 x^H, r upper triangular.
        return adjoint(matrix_triangular_solve(r, adjoint(x), lower=False, adjoint=False))
    qdq = _mm(q, grad_q, adjoint_a=True)
    rdr = _mm(r, grad_r, adjoint_b=True)
    tril = matrix_band_part(_add(_sub(qdq, adjoint(qdq)), _sub(rdr, adjoint(rdr))), -1, 0)
    grad_a = _mm(q, _add(grad_r, solve_right(tril)))
    grad_b = solve_right(_sub(grad_q, _mm(q, qdq)))
    return _add(grad_a, grad_b)
