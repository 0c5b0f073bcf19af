"""Op-table rows for matrix structure ops (diag, diag_part, matrix_diag/_part/set_diag, band_part, cross), tan,
the linear-algebra primitives (determinant, inverse, Cholesky, solves, eigen, SVD, QR), einsum and the segment
reductions, each against NumPy."""
import numpy as np

import neuroflow as tf
from op_table_base import Row, _noncontiguous, _values, unary_samples

_F = np.float64


def _well_conditioned(shape):
    """Random matrices with a dominant diagonal: far from singular, so inverses and solves are stable."""
    a = _values(shape, (-1, 1), _F)
    return a + 4 * np.eye(shape[-1])


def _diag_ref(d):
    return np.diag(d.reshape(-1)).reshape(d.shape + d.shape)


def _diag_part_ref(x):
    k = x.ndim // 2
    n = int(np.prod(x.shape[:k]))
    return np.diagonal(x.reshape(n, n)).reshape(x.shape[:k])


def _matrix_diag_ref(d):
    out = np.zeros(d.shape + d.shape[-1:], d.dtype)
    idx = np.arange(d.shape[-1])
    out[..., idx, idx] = d
    return out


def _set_diag_ref(x, d):
    out = x.copy()
    idx = np.arange(min(x.shape[-2:]))
    out[..., idx, idx] = d
    return out


def _band_ref(x, lower, upper):
    i, j = np.indices(x.shape[-2:])
    keep = ((lower < 0) | (i - j <= lower)) & ((upper < 0) | (j - i <= upper))
    return np.where(keep, x, 0)


def _structure_rows():
    rows = [
        Row("diag", tf.diag, _diag_ref, [(_values((4,), (-2, 2), _F),), (_values((2, 3), (-2, 2), _F),),
                                         (_values((3,), (-5, 5), np.int32),), (_values((0,), (-1, 1), _F),)]),
        Row("diag_part", tf.diag_part, _diag_part_ref,
            [(_values((3, 3), (-2, 2), _F),), (_values((2, 3, 2, 3), (-2, 2), _F),),
             (_noncontiguous((4, 4), (-2, 2), _F),)]),
        Row("matrix_diag", tf.matrix_diag, _matrix_diag_ref,
            [(_values((4,), (-2, 2), _F),), (_values((2, 3), (-2, 2), _F),), (_values((0, 2), (-2, 2), _F),)]),
        Row("matrix_diag_part", tf.matrix_diag_part, lambda x: np.diagonal(x, axis1=-2, axis2=-1).copy(),
            [(_values((3, 3), (-2, 2), _F),), (_values((2, 3, 4), (-2, 2), _F),), (_values((4, 2), (-2, 2), _F),),
             (_noncontiguous((3, 3), (-2, 2), _F),)]),
        Row("matrix_set_diag", tf.matrix_set_diag, _set_diag_ref,
            [(_values((3, 3), (-2, 2), _F), _values((3,), (-2, 2), _F)),
             (_values((2, 3, 4), (-2, 2), _F), _values((2, 3), (-2, 2), _F))]),
        Row("cross", tf.cross, np.cross, [(_values((3,), (-2, 2), _F), _values((3,), (-2, 2), _F)),
                                          (_values((4, 3), (-2, 2), _F), _values((4, 3), (-2, 2), _F)),
                                          (_values((2, 3), (-5, 5), np.int32), _values((2, 3), (-5, 5), np.int32))]),
        Row("tan", tf.tan, np.tan, unary_samples((-1.2, 1.2))),
    ]
    for lower, upper in [(-1, 0), (0, -1), (1, 0), (0, 0), (1, 2)]:
        rows.append(Row(f"matrix_band_part{lower}{upper}",
                        lambda x, lo=lower, up=upper: tf.matrix_band_part(x, lo, up),
                        lambda x, lo=lower, up=upper: _band_ref(x, lo, up),
                        [(_values((4, 3), (-2, 2), _F),), (_values((2, 3, 3), (-2, 2), _F),)]))
    return rows


def _symmetric(a):
    return a + np.swapaxes(a, -1, -2)


def _sym_tf(a):
    return a + tf.matrix_transpose(a)


def _spd_tf(a):
    return tf.matmul(a, a, transpose_b=True) + tf.eye(a.shape.as_list()[-1] or 3, dtype=a.dtype)


def _decomposition_rows():
    square = [(_well_conditioned((3, 3)),), (_well_conditioned((2, 4, 4)),), (_well_conditioned((1, 1)),)]
    solve = [(_well_conditioned((3, 3)), _values((3, 2), (-2, 2), _F)),
             (_well_conditioned((2, 4, 4)), _values((2, 4, 1), (-2, 2), _F))]
    rows = [
        Row("matrix_determinant", tf.matrix_determinant, np.linalg.det,
            square + [(_values((3, 3), (-1, 1), _F),)]),
        Row("log_matrix_determinant", lambda a: tf.log_matrix_determinant(a)[1], lambda a: np.linalg.slogdet(a)[1],
            square + [(_values((3, 3), (-1, 1), _F),)], rtol=1e-9),
        Row("log_matrix_determinant_sign", lambda a: tf.log_matrix_determinant(a)[0],
            lambda a: np.linalg.slogdet(a)[0], [(_values((3, 3), (-1, 1), _F),), (-_well_conditioned((2, 2)),)],
            grad=False),
        Row("matrix_inverse", tf.matrix_inverse, np.linalg.inv, square, rtol=1e-9),
        Row("matrix_inverse_adjoint", lambda a: tf.matrix_inverse(a, adjoint=True),
            lambda a: np.linalg.inv(np.swapaxes(a, -1, -2)), square, rtol=1e-9),
        Row("matrix_solve", tf.matrix_solve, np.linalg.solve, solve, rtol=1e-9),
        Row("matrix_solve_adjoint", lambda a, b: tf.matrix_solve(a, b, adjoint=True),
            lambda a, b: np.linalg.solve(np.swapaxes(a, -1, -2), b), solve, rtol=1e-9),
        # Cholesky reads one triangle and its gradient is symmetric: fed symmetric matrices, as TensorFlow's
        # contract asks (a a^T + I for any a).
        Row("cholesky", lambda a: tf.cholesky(_spd_tf(a)),
            lambda a: np.linalg.cholesky(a @ np.swapaxes(a, -1, -2) + np.eye(3)),
            [(_values((3, 3), (-1, 1), _F),), (_values((2, 3, 3), (-1, 1), _F),)], rtol=1e-9),
        Row("self_adjoint_eigvals", lambda a: tf.self_adjoint_eigvals(_sym_tf(a)),
            lambda a: np.linalg.eigvalsh(_symmetric(a)),
            [(_values((3, 3), (-1, 1), _F),), (_values((2, 4, 4), (-1, 1), _F),)], rtol=1e-9, atol=1e-12),
        Row("self_adjoint_eig_values", lambda a: tf.self_adjoint_eig(_sym_tf(a))[0],
            lambda a: np.linalg.eigh(_symmetric(a))[0], [(_values((3, 3), (-1, 1), _F),)], rtol=1e-9),
        # Eigenvectors are defined up to sign: their squares are not.
        Row("self_adjoint_eig_vectors", lambda a: tf.square(tf.self_adjoint_eig(_sym_tf(a))[1]),
            lambda a: np.linalg.eigh(_symmetric(a))[1] ** 2,
            [(_values((3, 3), (-1, 1), _F),), (_values((2, 4, 4), (-1, 1), _F),)], rtol=1e-9, atol=1e-12),
        Row("matrix_solve_ls", lambda a, b: tf.matrix_solve_ls(a, b),
            lambda a, b: np.linalg.lstsq(a, b, rcond=None)[0],
            [(_values((5, 3), (-1, 1), _F), _values((5, 2), (-1, 1), _F))], rtol=1e-8),
        Row("matrix_solve_ls_l2", lambda a, b: tf.matrix_solve_ls(a, b, l2_regularizer=0.5),
            lambda a, b: np.linalg.solve(a.T @ a + 0.5 * np.eye(a.shape[1]), a.T @ b),
            [(_values((5, 3), (-1, 1), _F), _values((5, 2), (-1, 1), _F))], rtol=1e-8),
        Row("matrix_solve_ls_wide", lambda a, b: tf.matrix_solve_ls(a, b),
            lambda a, b: np.linalg.pinv(a) @ b,
            [(_values((2, 4), (-1, 1), _F), _values((2, 1), (-1, 1), _F))], rtol=1e-8),
    ]
    for lower in (True, False):
        for adjoint in (False, True):
            def ref(a, b, lower=lower, adjoint=adjoint):
                t = np.tril(a) if lower else np.triu(a)
                return np.linalg.solve(np.swapaxes(t, -1, -2) if adjoint else t, b)
            rows.append(Row(f"matrix_triangular_solve_{lower}_{adjoint}",
                            lambda a, b, lower=lower, adjoint=adjoint: tf.matrix_triangular_solve(a, b, lower,
                                                                                                  adjoint),
                            ref, solve, rtol=1e-9))
    # SVD and QR gradients need the matrix dims while the graph is built (as TensorFlow's): a reshape to the
    # sample's constant shape gives them even to placeholders of unknown shape.
    for shape in [(3, 3), (4, 3), (3, 5), (2, 4, 3)]:
        sample = [(_values(shape, (-1, 1), _F),)]
        tag = "x".join(map(str, shape))

        def known(a, shape=shape):
            return tf.reshape(a, shape)
        rows.append(Row(f"svd_values_{tag}", lambda a, k=known: tf.svd(k(a), compute_uv=False),
                        lambda a: np.linalg.svd(a, compute_uv=False), sample, rtol=1e-9))
        rows.append(Row(f"svd_s_{tag}", lambda a, k=known: tf.svd(k(a))[0],
                        lambda a: np.linalg.svd(a)[1], sample, rtol=1e-9))
        # Singular vectors are defined up to a shared sign: u_ij v_kj (each column pair's outer product) is not.
        rows.append(Row(f"svd_uv_{tag}", lambda a, k=known: _uv_products(*tf.svd(k(a))[1:]),
                        lambda a: _uv_products_ref(a), sample, rtol=1e-8, atol=1e-12))
        if shape[-2] >= shape[-1]:
            rows.append(Row(f"qr_q_{tag}", lambda a, k=known: tf.qr(k(a))[0],
                            lambda a: np.linalg.qr(a)[0], sample, rtol=1e-9, atol=1e-12))
            rows.append(Row(f"qr_r_{tag}", lambda a, k=known: tf.qr(k(a))[1],
                            lambda a: np.linalg.qr(a)[1], sample, rtol=1e-9, atol=1e-12))
    rows.append(Row("qr_full_wide", lambda a: tf.qr(a, full_matrices=True)[1],
                    lambda a: np.linalg.qr(a, mode="complete")[1], [(_values((2, 3), (-1, 1), _F),)], grad=False,
                    rtol=1e-9, atol=1e-12))
    return rows


def _uv_products(u, v):
    """sum_j u[i, j] v[k, j] * w_j with fixed weights: invariant under flipping the sign of a pair (u_j, v_j)."""
    p = u.shape.as_list()[-1]
    weights = tf.constant(np.arange(1.0, p + 1.0), u.dtype)
    return tf.matmul(u * weights, v, transpose_b=True)


def _uv_products_ref(a):
    u, _, vh = np.linalg.svd(a, full_matrices=False)
    weights = np.arange(1.0, u.shape[-1] + 1.0)
    return (u * weights) @ vh


_SEGMENT_REFS = {"sum": np.add, "prod": np.multiply, "max": np.maximum, "min": np.minimum}


def _unsorted_ref(kind, n):
    def ref(data, ids):
        ufunc = _SEGMENT_REFS[kind]
        inner = data.shape[ids.ndim:]
        if kind in ("sum", "prod"):
            out = np.full((n,) + inner, 0 if kind == "sum" else 1, data.dtype)
        else:
            info = np.finfo(data.dtype) if data.dtype.kind == "f" else np.iinfo(data.dtype)
            out = np.full((n,) + inner, info.min if kind == "max" else info.max, data.dtype)
        for index in np.ndindex(ids.shape):
            if ids[index] >= 0:
                out[ids[index]] = ufunc(out[ids[index]], data[index])
        return out
    return ref


def _sorted_ref(kind):
    def ref(data, ids):
        n = int(ids[-1]) + 1 if ids.size else 0
        out = np.zeros((n,) + data.shape[1:], data.dtype)
        for s in range(n):
            rows = data[ids == s]
            if len(rows):
                out[s] = {"sum": np.sum, "prod": np.prod, "max": np.max, "min": np.min}[kind](rows, axis=0)
            elif kind == "prod":
                out[s] = 1
        return out
    return ref


def _segment_rows():
    rows = []
    positive = (0.5, 2.0)  # products away from zero: the gradient check divides by the entries
    sorted_samples = [(_values((6, 2), positive, _F), np.array([0, 0, 1, 3, 3, 3], np.int32)),
                      (_values((4,), positive, _F), np.array([1, 1, 1, 2], np.int64)),
                      (_values((3, 2, 2), (-5, 5), np.int32), np.array([0, 1, 1], np.int32))]
    unsorted_samples = [(_values((6, 2), positive, _F), np.array([2, 0, -1, 2, 0, 2], np.int32)),
                        (_values((2, 3, 2), positive, _F), np.array([[1, 0, 1], [3, 3, 0]], np.int64)),
                        (_values((5,), (-5, 5), np.int32), np.array([0, 0, 1, -1, 3], np.int32)),
                        (_values((0, 2), positive, _F), np.zeros((0,), np.int32))]
    # Every segment used: an empty one's max is the lowest float, which central differences cannot handle.
    covering = [(_values((6, 2), positive, _F), np.array([2, 0, -1, 3, 1, 2], np.int32)),
                (_values((2, 3, 2), positive, _F), np.array([[1, 0, 2], [3, 3, 0]], np.int64))]
    for kind in ("sum", "prod", "max", "min"):
        rows.append(Row(f"segment_{kind}", getattr(tf, f"segment_{kind}"), _sorted_ref(kind), sorted_samples,
                        data_dependent_shape=True, foldable=False))  # like Where: never folded
        unsorted_fn = (lambda d, ids, kind=kind: getattr(tf, f"unsorted_segment_{kind}")(d, ids, 4))
        if kind in ("sum", "prod"):
            rows.append(Row(f"unsorted_segment_{kind}", unsorted_fn, _unsorted_ref(kind, 4), unsorted_samples))
        else:
            rows.append(Row(f"unsorted_segment_{kind}", unsorted_fn, _unsorted_ref(kind, 4), covering))
            rows.append(Row(f"unsorted_segment_{kind}_empty_segments", unsorted_fn, _unsorted_ref(kind, 4),
                            unsorted_samples, grad=False))
    return rows


def _einsum_rows():
    rows = []
    for equation, shapes in [("ij,jk->ik", [(3, 4), (4, 2)]), ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]),
                             ("...ij,...jk->...ik", [(2, 1, 3, 4), (5, 4, 2)]), ("ij->ji", [(3, 4)]),
                             ("ij->", [(3, 4)]), ("ij,ij->i", [(3, 4), (3, 4)]), ("i,j->ij", [(3,), (4,)]),
                             ("bhqd,bhkd->bhqk", [(2, 3, 4, 5), (2, 3, 6, 5)]), ("ik,jk", [(3, 4), (5, 4)]),
                             ("bi,bij->bj", [(2, 3), (2, 3, 4)]), ("ij,jk->ik", [(0, 4), (4, 2)])]:
        sample = tuple(_values(shape, (-1, 1), _F) for shape in shapes)
        rows.append(Row(f"einsum_{equation}", lambda *xs, eq=equation: tf.einsum(eq, *xs),
                        lambda *xs, eq=equation: np.einsum(eq, *xs), [sample], rtol=1e-12, atol=1e-14))
    rows.append(Row("einsum_int", lambda a, b: tf.einsum("ij,jk->ik", a, b), lambda a, b: np.einsum("ij,jk->ik", a, b),
                    [(_values((2, 3), (-5, 5), np.int32), _values((3, 2), (-5, 5), np.int32))], grad=False))
    return rows


ROWS = _structure_rows() + _decomposition_rows() + _segment_rows() + _einsum_rows()
COVERED_ELSEWHERE = set()
