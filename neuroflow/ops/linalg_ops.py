"""Matrix products and tensor contraction: the MatMul (rank 2), BatchMatMulV2 (batched, broadcasting) and Tensordot
primitives, `tf.matmul` and `tf.tensordot`."""
import numbers

import numpy as np

from ..framework import dtypes
from ..framework.apply import _is_tensor_like, apply_op, convert_to_tensor
from ..framework.graph import name_scope
from ..framework.op_def import InferenceError, OpDef, register
from ..framework.tensor_shape import TensorShape
from ..framework.tensor_util import constant_value
from .shape_inference import broadcast_shape
from .op_util import shape_text

__all__ = ["matmul", "tensordot"]

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


# --- tensordot -----------------------------------------------------------------------------------------------
def _inverse(perm):
    inv = [0] * len(perm)
    for i, p in enumerate(perm):
        inv[p] = i
    return inv


def _perm_to(result_axes):
    """The permutation that puts axes listed (as target axis numbers) in `result_axes` back in order 0..n-1;
    None when they already are."""
    perm = tuple(result_axes.index(i) for i in range(len(result_axes)))
    return None if perm == tuple(range(len(perm))) else perm


@register
class Tensordot(OpDef):
    """Contracts axes `a_axes` of `a` with `b_axes` of `b` (as `np.tensordot`: the output has a's free axes,
    then b's), then permutes the output by `perm` (None: no permutation). The permutation makes the
    gradients, which are tensordots too, come out in the inputs' axis order."""

    type_name = "Tensordot"
    input_names = ("a", "b")
    same_dtype = ("a", "b")
    allowed_dtypes = (dtypes.float16, dtypes.float32, dtypes.float64, dtypes.int32, dtypes.int64) + dtypes.COMPLEX

    def infer(self, inputs, attrs):
        a, b = inputs
        a_axes, b_axes, perm = attrs["a_axes"], attrs["b_axes"], attrs["perm"]
        for t in (a, b):
            if t.shape.ndims is None:
                raise InferenceError("Tensordot needs inputs of known rank")
        ad, bd = a.shape.as_list(), b.shape.as_list()
        for i, j in zip(a_axes, b_axes):
            if ad[i] is not None and bd[j] is not None and ad[i] != bd[j]:
                raise InferenceError(f"Dimensions must be equal, but are {ad[i]} and {bd[j]}")
        dims = [d for i, d in enumerate(ad) if i not in a_axes] + [d for j, d in enumerate(bd) if j not in b_axes]
        if perm is not None:
            dims = [dims[p] for p in perm]
        return [(TensorShape(dims), a.dtype.base_dtype)]

    def forward(self, xp, a, b, a_axes, b_axes, perm):
        out = xp.tensordot(a, b, axes=(list(a_axes), list(b_axes)))
        return out if perm is None else xp.transpose(out, perm)

    def grad(self, op, g):
        a, b = op.inputs
        a_axes, b_axes = list(op.get_attr("a_axes")), list(op.get_attr("b_axes"))
        a_free = [i for i in range(a.shape.ndims) if i not in a_axes]
        b_free = [j for j in range(b.shape.ndims) if j not in b_axes]
        n_a = len(a_free)
        perm = op.get_attr("perm") or tuple(range(n_a + len(b_free)))
        where_in_g = _inverse(perm)  # unpermuted output axis k is axis where_in_g[k] of g
        # da: contract g's b-free axes with b's free axes; what is left is (g's a-free axes in g's order, then
        # b's contracted axes in b's order), each naming an axis of a.
        left_a = [a_free[perm[j]] for j in range(len(perm)) if perm[j] < n_a]
        left_a += [a_axes[b_axes.index(j)] for j in sorted(b_axes)]
        da = apply_op(Tensordot, [g, b], {"a_axes": tuple(where_in_g[n_a + k] for k in range(len(b_free))),
                                          "b_axes": tuple(b_free), "perm": _perm_to(left_a)}, name="Tensordot")
        # db: contract a's free axes with g's a-free axes; left are a's contracted axes, then g's b-free axes.
        left_b = [b_axes[a_axes.index(i)] for i in sorted(a_axes)]
        left_b += [b_free[perm[j] - n_a] for j in range(len(perm)) if perm[j] >= n_a]
        db = apply_op(Tensordot, [a, g], {"a_axes": tuple(a_free), "b_axes": tuple(where_in_g[k] for k in range(n_a)),
                                          "perm": _perm_to(left_b)}, name="Tensordot_1")
        return [da, db]


def _axis_list(axes, rank, which):
    out = []
    for ax in ([axes] if isinstance(axes, numbers.Integral) else list(axes)):
        ax = int(ax)
        if not -rank <= ax < rank:
            raise ValueError(f"Invalid axis {ax} for tensordot argument '{which}' of rank {rank}.")
        if ax % rank in out:
            raise ValueError(f"Repeated axis {ax} for tensordot argument '{which}'.")
        out.append(ax % rank)
    return out


def _tensordot_axes(a, b, axes):
    ra, rb = a.shape.ndims, b.shape.ndims
    if hasattr(axes, "op") and hasattr(axes, "dtype"):
        axes = constant_value(axes)
        if axes is None:
            raise ValueError("neuroflow needs tensordot's 'axes' at graph-building time")
    if isinstance(axes, np.ndarray):
        axes = axes.tolist()
    if isinstance(axes, numbers.Integral):
        if axes < 0:
            raise ValueError("'axes' must be at least 0.")
        if axes > ra or axes > rb:
            raise ValueError(f"'axes' must not be larger than the number of dimensions of tensor "
                             f"{a if axes > ra else b}.")
        return list(range(ra - axes, ra)), list(range(axes))
    if not isinstance(axes, (list, tuple)) or len(axes) != 2:
        raise ValueError("'axes' must be an integer or have length 2.")
    a_axes, b_axes = _axis_list(axes[0], ra, "a"), _axis_list(axes[1], rb, "b")
    if len(a_axes) != len(b_axes):
        raise ValueError(f"Different number of contraction axes 'a' and 'b', {len(a_axes)} != {len(b_axes)}.")
    return a_axes, b_axes


def tensordot(a, b, axes, name=None):
    """Tensor contraction of `a` and `b` over the given axes (as `np.tensordot`).

    Args:
        a, b: tensors of one dtype, of known rank.
        axes: an int N (the last N axes of `a` with the first N of `b`), or a pair `[a_axes, b_axes]` of
            ints or equal-length lists of ints.
        name: the name scope and output node's name (default "Tensordot").

    Returns:
        A tensor whose axes are the free axes of `a`, then those of `b`.

    Raises:
        ValueError: malformed `axes`, an unknown rank, or contracted dimensions that differ.

    Example: `tf.tensordot(x, w, axes=[[2], [0]])` applies a [D, E] matrix `w` to the last axis of a
    [B, T, D] tensor `x`, giving [B, T, E].
    """
    with name_scope(name, "Tensordot", [a, b]) as scope:
        a = convert_to_tensor(a, name="a")
        b = convert_to_tensor(b, name="b")
        for t, which in ((a, "a"), (b, "b")):
            if t.shape.ndims is None:
                raise ValueError(f"neuroflow's tensordot needs the rank of '{which}' at graph-building time; "
                                 f"{t.name} has an unknown rank.")
        a_axes, b_axes = _tensordot_axes(a, b, axes)
        attrs = {"a_axes": tuple(a_axes), "b_axes": tuple(b_axes), "perm": None}
        return apply_op(Tensordot, [a, b], attrs, name=scope)
