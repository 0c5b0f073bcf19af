"""`tf.linalg`: TensorFlow 1.x's linear-algebra namespace, each name an alias of the one implementation (its TF1
top-level name: `det` is `tf.matrix_determinant`, `inv` is `tf.matrix_inverse`, ...; the few with no TF1 top-level
name, such as `logdet`, from their op module). Missing implementations are absent names."""
from .util.lazy_alias import alias_module

alias_module(globals(), {
    "adjoint": "ops.matrix_ops.adjoint", "band_part": "matrix_band_part", "cholesky": "cholesky",
    "cholesky_solve": "cholesky_solve", "cross": "cross", "det": "matrix_determinant", "diag": "matrix_diag",
    "diag_part": "matrix_diag_part", "eigh": "self_adjoint_eig", "eigvalsh": "self_adjoint_eigvals",
    "einsum": "einsum", "expm": "expm", "eye": "eye", "inv": "matrix_inverse", "l2_normalize": "nn.l2_normalize",
    "logdet": "ops.linalg_decomp_ops.logdet", "lstsq": "matrix_solve_ls", "lu": "lu", "matmul": "matmul",
    "matvec": "ops.math_compositions.matvec", "norm": "norm", "qr": "qr", "set_diag": "matrix_set_diag",
    "slogdet": "log_matrix_determinant", "solve": "matrix_solve", "svd": "svd", "tensor_diag": "diag",
    "tensor_diag_part": "diag_part", "tensordot": "tensordot", "trace": "trace", "transpose": "matrix_transpose",
    "triangular_solve": "matrix_triangular_solve",
})
