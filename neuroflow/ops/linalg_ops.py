"""Matrix products: the MatMul (rank 2) and BatchMatMulV2 (batched, broadcasting) primitives and `tf.matmul`."""
import numpy as np

from ..framework import dtypes
from ..framework.apply import _is_tensor_like, apply_op, convert_to_tensor
from ..framework.graph import name_scope
from ..framework.op_def import InferenceError, OpDef, register
from ..framework.tensor_shape import TensorShape
from .shape_inference import broadcast_shape
from .op_util import shape_text

__all__ = ["matmul"]

_MATMUL_TYPES = (dtypes.float16, dtypes.float32, dtypes.float64, dtypes.int32, dtypes.int64) + dtypes.COMPLEX


def _swap(xp, a):
    return xp.swapaxes(a, -1, -2)


@register
class MatMul(OpDef):
    """a @ b for matrices, optionally transposing either first (attrs `transpose_a`, `transpose_b`)."""

    type_name = "MatMul"
    input_names = ("a", "b")
    same_dtype = ("a", "b")
    allowed_dtypes = _MATMUL_TYPES

    def infer(self, inputs, attrs):
        a, b = inputs
        for t in (a, b):
            if t.shape.ndims is not None and t.shape.ndims != 2:
                raise InferenceError(f"Shape must be rank 2 but is rank {t.shape.ndims}")
        ad = a.shape.as_list() if a.shape.ndims is not None else [None, None]
        bd = b.shape.as_list() if b.shape.ndims is not None else [None, None]
        if attrs.get("transpose_a"):
            ad = ad[::-1]
        if attrs.get("transpose_b"):
            bd = bd[::-1]
        if ad[1] is not None and bd[0] is not None and ad[1] != bd[0]:
            raise InferenceError(f"Dimensions must be equal, but are {ad[1]} and {bd[0]}")
        return [(TensorShape([ad[0], bd[1]]), a.dtype.base_dtype)]

    def forward(self, xp, a, b, transpose_a=False, transpose_b=False):
        return _matmul(xp.matmul, transpose_a, transpose_b)(a, b)

    def kernel(self, op, ctx):
        matmul = ctx.xp.matmul
        if ctx.xp is np and op.inputs[0].dtype.base_dtype.is_floating:
            from ..runtime.blas_threads import parallel_matmul
            matmul = parallel_matmul  # our threads, not OpenBLAS's spinning ones (see runtime/blas_threads.py)
        return _matmul(matmul, op.attrs.get("transpose_a", False), op.attrs.get("transpose_b", False))

    def grad(self, op, g):
        return _product_grads(op, g, self, "transpose_a", "transpose_b")

    def explain_failure(self, arrays, attrs, exc):
        if len(arrays) == 2:
            return f"Matrix size-incompatible: In[0]: {shape_text(arrays[0])}, In[1]: {shape_text(arrays[1])}"
        return super().explain_failure(arrays, attrs, exc)


def _matmul(matmul, transpose_a, transpose_b):
    """MatMul around a matrix-product function (the array module's, or on NumPy our threaded one): what
    `forward` computes and a plan's kernel calls."""
    if not transpose_a and not transpose_b:
        return matmul
    return lambda a, b: matmul(a.T if transpose_a else a, b.T if transpose_b else b)


@register
class BatchMatMulV2(OpDef):
    """Batched x @ y over the last two axes, broadcasting the batch axes (attrs `adj_x`, `adj_y`)."""

    type_name = "BatchMatMulV2"
    input_names = ("x", "y")
    same_dtype = ("x", "y")
    allowed_dtypes = _MATMUL_TYPES

    def infer(self, inputs, attrs):
        x, y = inputs
        for t in (x, y):
            if t.shape.ndims is not None and t.shape.ndims < 2:
                raise InferenceError(f"Shape must be at least rank 2 but is rank {t.shape.ndims}")
        if x.shape.ndims is None or y.shape.ndims is None:
            return [(TensorShape(None), x.dtype.base_dtype)]
        xd, yd = x.shape.as_list(), y.shape.as_list()
        xm = xd[-2:][::-1] if attrs.get("adj_x") else xd[-2:]
        ym = yd[-2:][::-1] if attrs.get("adj_y") else yd[-2:]
        if xm[1] is not None and ym[0] is not None and xm[1] != ym[0]:
            raise InferenceError(f"Dimensions must be equal, but are {xm[1]} and {ym[0]}")
        batch = broadcast_shape(TensorShape(xd[:-2]), TensorShape(yd[:-2]))
        return [(batch.concatenate([xm[0], ym[1]]), x.dtype.base_dtype)]

    def forward(self, xp, x, y, adj_x=False, adj_y=False):
        if adj_x:
            x = _swap(xp, x)
            x = xp.conj(x) if x.dtype.kind == "c" else x
        if adj_y:
            y = _swap(xp, y)
            y = xp.conj(y) if y.dtype.kind == "c" else y
        return xp.matmul(x, y)

    broadcasts_inputs = True  # batch axes broadcast: the engine sums gradients back to each input's shape

    def grad(self, op, g):
        return _product_grads(op, g, self, "adj_x", "adj_y")

    def explain_failure(self, arrays, attrs, exc):
        if len(arrays) == 2:
            return f"Matrix size-incompatible: In[0]: {shape_text(arrays[0])}, In[1]: {shape_text(arrays[1])}"
        return super().explain_failure(arrays, attrs, exc)


def _product_grads(op, g, opdef, flag_a, flag_b):
    """Gradients of a = op(x, y) with transpose flags: each is a product of g with the other input, with the
    transposes that make the shapes line up (TensorFlow's four cases)."""
    x, y = op.inputs
    tx, ty = op.attrs.get(flag_a, False), op.attrs.get(flag_b, False)

    def mm(p, q, tp, tq, name):
        return apply_op(opdef, [p, q], {flag_a: tp, flag_b: tq}, name=name)
    if not tx and not ty:
        return [mm(g, y, False, True, "MatMul"), mm(x, g, True, False, "MatMul_1")]
    if not tx and ty:
        return [mm(g, y, False, False, "MatMul"), mm(g, x, True, False, "MatMul_1")]
    if tx and not ty:
        return [mm(y, g, False, True, "MatMul"), mm(x, g, False, False, "MatMul_1")]
    return [mm(y, g, True, True, "MatMul"), mm(g, x, True, True, "MatMul_1")]


def matmul(a, b, transpose_a=False, transpose_b=False, adjoint_a=False, adjoint_b=False, a_is_sparse=False,
           b_is_sparse=False, name=None):
    """a @ b. Rank-2 inputs make a MatMul node; higher ranks a batched product over the leading axes.

    Example:
        >>> tf.matmul(tf.constant([[3, 3]]), tf.constant([[2], [2]]))
        <tf.Tensor 'MatMul:0' shape=(1, 1) dtype=int32>
    """
    with name_scope(name, "MatMul", [a, b]) as scope:
        a = convert_to_tensor(a, name="a")
        b = convert_to_tensor(b, name="b") if _is_tensor_like(b) else convert_to_tensor(
            b, dtype=a.dtype.base_dtype, name="b")
        ranks = (a.shape.ndims, b.shape.ndims)
        if (transpose_a and adjoint_a) or (transpose_b and adjoint_b):
            raise ValueError("Only one of transpose_a and adjoint_a (or transpose_b and adjoint_b) can be True.")
        if not any(r is not None and r > 2 for r in ranks):
            conj_a, conj_b = adjoint_a and a.dtype.is_complex, adjoint_b and b.dtype.is_complex
            if conj_a or conj_b:
                return apply_op(BatchMatMulV2, [a, b], {"adj_x": adjoint_a, "adj_y": adjoint_b}, name=scope)
            return apply_op(MatMul, [a, b], {"transpose_a": transpose_a or adjoint_a,
                                             "transpose_b": transpose_b or adjoint_b}, name=scope)
        return apply_op(BatchMatMulV2, [a, b], {"adj_x": transpose_a or adjoint_a,
                                                "adj_y": transpose_b or adjoint_b}, name=scope)
