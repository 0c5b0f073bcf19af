"""ONNX exporters of arithmetic: elementwise unary and binary ops, comparisons and logic, casts, matrix products
and reductions."""
import numpy as np

from ..ops import binary_ops as bo
from ..ops import grad_support_ops as gs
from ..ops import linalg_ops as la
from ..ops import argminmax_ops as am
from ..ops import cumulative_ops as cu
from ..ops import nn_ops as nn
from ..ops import reduce_ops as ro
from ..ops import unary_ops as uo
from .registry import ONNX_TYPES, exporter

__all__ = []

# OpDef -> the ONNX op computing it from the same inputs.
_UNARY = {uo.Abs: "Abs", uo.Ceil: "Ceil", uo.Cos: "Cos", uo.Exp: "Exp", uo.Floor: "Floor", uo.Log: "Log",
          uo.Neg: "Neg", uo.Reciprocal: "Reciprocal", nn.Relu: "Relu", uo.Sigmoid: "Sigmoid", uo.Sign: "Sign",
          uo.Sin: "Sin", uo.Sqrt: "Sqrt", uo.Tanh: "Tanh", nn.Elu: "Elu", nn.Softplus: "Softplus",
          nn.Softsign: "Softsign", uo.Round: "Round", uo.LogicalNot: "Not"}
_BINARY = {bo.AddV2: "Add", bo.Sub: "Sub", bo.Mul: "Mul", bo.RealDiv: "Div", bo.Maximum: "Max",
           bo.Minimum: "Min", bo.Pow: "Pow", bo.Equal: "Equal", bo.Greater: "Greater",
           bo.GreaterEqual: "GreaterOrEqual", bo.Less: "Less", bo.LessEqual: "LessOrEqual", bo.LogicalAnd: "And",
           bo.LogicalOr: "Or"}


def _unary(ctx, op):
    ctx.node(_UNARY[op.opdef], [ctx.input(op, 0)], [ctx.out(op)])


def _binary(ctx, op):
    ctx.node(_BINARY[op.opdef], [ctx.input(op, 0), ctx.input(op, 1)], [ctx.out(op)])


exporter(*_UNARY)(_unary)
exporter(*_BINARY)(_binary)


def _scalar(ctx, value, op, i=0):
    """An initializer holding scalar `value` in the dtype of input `i`."""
    return ctx.const(np.asarray(value, dtype=ctx.dtype(op, i).as_numpy_dtype), "scalar")


@exporter(nn.Selu)
def _selu(ctx, op):
    ctx.node("Selu", [ctx.input(op, 0)], [ctx.out(op)], alpha=1.6732632423543772, gamma=1.0507009873554805)


@exporter(nn.LeakyRelu)
def _leaky_relu(ctx, op):
    ctx.node("LeakyRelu", [ctx.input(op, 0)], [ctx.out(op)], alpha=float(op.get_attr("alpha")))


@exporter(nn.Relu6)
def _relu6(ctx, op):
    ctx.node("Clip", [ctx.input(op, 0), _scalar(ctx, 0, op), _scalar(ctx, 6, op)], [ctx.out(op)])


@exporter(uo.Log1p)
def _log1p(ctx, op):
    ctx.node("Log", [ctx.node("Add", [ctx.input(op, 0), _scalar(ctx, 1, op)])], [ctx.out(op)])


@exporter(uo.Rsqrt)
def _rsqrt(ctx, op):
    ctx.node("Reciprocal", [ctx.node("Sqrt", [ctx.input(op, 0)])], [ctx.out(op)])


@exporter(uo.Square)
def _square(ctx, op):
    x = ctx.input(op, 0)
    ctx.node("Mul", [x, x], [ctx.out(op)])


@exporter(bo.NotEqual)
def _not_equal(ctx, op):
    ctx.node("Not", [ctx.node("Equal", [ctx.input(op, 0), ctx.input(op, 1)])], [ctx.out(op)])


@exporter(bo.FloorDiv)
def _floor_div(ctx, op):
    dt = ctx.dtype(op, 0)
    x, y = ctx.input(op, 0), ctx.input(op, 1)
    if dt.is_floating:
        ctx.node("Floor", [ctx.node("Div", [x, y])], [ctx.out(op)])
        return
    # ONNX's integer Div truncates toward zero; TensorFlow's FloorDiv rounds down: divide in float64 (exact for
    # the magnitudes where it matters) and floor.
    f64 = ONNX_TYPES["float64"]
    q = ctx.node("Floor", [ctx.node("Div", [ctx.node("Cast", [x], to=f64), ctx.node("Cast", [y], to=f64)])])
    ctx.node("Cast", [q], [ctx.out(op)], to=ONNX_TYPES[dt.name])


@exporter(bo.TruncateDiv)
def _truncate_div(ctx, op):
    # Integers only (as TensorFlow's kernels): ONNX's integer Div rounds toward zero, as C's division does.
    ctx.node("Div", [ctx.input(op, 0), ctx.input(op, 1)], [ctx.out(op)])


@exporter(bo.DivNoNan)
def _div_no_nan(ctx, op):
    # x / y, then 0 where y == 0; dividing by 1 there keeps the Div free of infinities and NaN.
    x, y = ctx.input(op, 0), ctx.input(op, 1)
    zero = ctx.node("Equal", [y, _scalar(ctx, 0, op, 1)])
    quotient = ctx.node("Div", [x, ctx.node("Where", [zero, _scalar(ctx, 1, op, 1), y])])
    ctx.node("Where", [zero, _scalar(ctx, 0, op), quotient], [ctx.out(op)])


@exporter(bo.FloorMod)
def _floor_mod(ctx, op):
    x, y = ctx.input(op, 0), ctx.input(op, 1)
    if ctx.dtype(op, 0).is_floating:   # x - floor(x / y) * y (ONNX's float Mod is C's fmod)
        q = ctx.node("Floor", [ctx.node("Div", [x, y])])
        ctx.node("Sub", [x, ctx.node("Mul", [q, y])], [ctx.out(op)])
    else:                              # integer Mod with fmod=0 takes the divisor's sign, as TensorFlow
        ctx.node("Mod", [x, y], [ctx.out(op)], fmod=0)


@exporter(gs.AddN)
def _add_n(ctx, op):
    inputs = [ctx.input(op, i) for i in range(len(op.inputs))]
    if len(inputs) == 1:
        ctx.node("Identity", inputs, [ctx.out(op)])
    else:
        ctx.node("Sum", inputs, [ctx.out(op)])


@exporter(uo.Cast)
def _cast(ctx, op):
    from .exporter import onnx_type
    ctx.node("Cast", [ctx.input(op, 0)], [ctx.out(op)], to=onnx_type(op.get_attr("DstT")))


@exporter(la.MatMul)
def _matmul(ctx, op):
    a, b = ctx.input(op, 0), ctx.input(op, 1)
    ta, tb = bool(op.get_attr("transpose_a")), bool(op.get_attr("transpose_b"))
    if not (ta or tb):
        ctx.node("MatMul", [a, b], [ctx.out(op)])
    elif ctx.dtype(op, 0).is_floating:
        ctx.node("Gemm", [a, b], [ctx.out(op)], transA=int(ta), transB=int(tb))
    else:
        a = ctx.node("Transpose", [a], perm=[1, 0]) if ta else a
        b = ctx.node("Transpose", [b], perm=[1, 0]) if tb else b
        ctx.node("MatMul", [a, b], [ctx.out(op)])


def _swap_last(ctx, name, rank, what):
    if rank is None:
        ctx.fail(f"the rank of '{what}' must be known to transpose it")
    perm = list(range(rank))
    perm[-2:] = perm[-1], perm[-2]
    return ctx.node("Transpose", [name], perm=perm)


@exporter(la.BatchMatMulV2)
def _batch_matmul(ctx, op):
    a, b = ctx.input(op, 0), ctx.input(op, 1)
    if ctx.attr(op, "adj_x", False):
        a = _swap_last(ctx, a, ctx.shape(op, 0).ndims, "x")
    if ctx.attr(op, "adj_y", False):
        b = _swap_last(ctx, b, ctx.shape(op, 1).ndims, "y")
    ctx.node("MatMul", [a, b], [ctx.out(op)])


@exporter(la.Tensordot)
def _tensordot(ctx, op):
    ra, rb = ctx.shape(op, 0).ndims, ctx.shape(op, 1).ndims
    if ra is None or rb is None:
        ctx.fail("the ranks of both operands must be known")
    a_axes, b_axes = list(op.get_attr("a_axes")), list(op.get_attr("b_axes"))
    letters = iter("abcdefghijklmnopqrstuvwxyz")
    la = [next(letters) for _ in range(ra)]
    lb = [next(letters) for _ in range(rb)]
    for i, j in zip(a_axes, b_axes):
        lb[j % rb] = la[i % ra]
    out = [la[i] for i in range(ra) if i not in [k % ra for k in a_axes]]
    out += [lb[j] for j in range(rb) if j not in [k % rb for k in b_axes]]
    perm = op.get_attr("perm")
    if perm is not None:
        out = [out[p] for p in perm]
    equation = f"{''.join(la)},{''.join(lb)}->{''.join(out)}"
    ctx.node("Einsum", [ctx.input(op, 0), ctx.input(op, 1)], [ctx.out(op)], equation=equation)


def _axes(ctx, op):
    """The reduction axes of a reduce op (attr `axis`: None for all) as a list, or None for all axes."""
    axis = op.get_attr("axis")
    if axis is None:
        return None
    return [int(a) for a in np.atleast_1d(np.asarray(axis)).ravel()]


_REDUCE = {ro.Sum: "ReduceSum", ro.Mean: "ReduceMean", ro.Max: "ReduceMax", ro.Min: "ReduceMin",
           ro.Prod: "ReduceProd"}


@exporter(*_REDUCE)
def _reduce(ctx, op):
    axes, keep = _axes(ctx, op), int(bool(op.get_attr("keep_dims")))
    x = ctx.input(op, 0)
    if axes == []:   # reducing over no axis: the input itself
        ctx.node("Identity", [x], [ctx.out(op)])
        return
    if op.opdef is ro.Sum:   # opset 13+: ReduceSum takes its axes as an input
        inputs = [x] if axes is None else [x, ctx.int64(axes, "axes")]
        ctx.node("ReduceSum", inputs, [ctx.out(op)], keepdims=keep)
        return
    attrs = {"keepdims": keep}
    if axes is not None:
        attrs["axes"] = axes
    ctx.node(_REDUCE[op.opdef], [x], [ctx.out(op)], **attrs)


@exporter(ro.All, ro.Any)
def _reduce_bool(ctx, op):
    axes, keep = _axes(ctx, op), int(bool(op.get_attr("keep_dims")))
    as_int = ctx.node("Cast", [ctx.input(op, 0)], to=ONNX_TYPES["int32"])
    attrs = {"keepdims": keep}
    if axes is not None:
        attrs["axes"] = axes
    reduced = ctx.node("ReduceMin" if op.opdef is ro.All else "ReduceMax", [as_int], **attrs)
    ctx.node("Cast", [reduced], [ctx.out(op)], to=ONNX_TYPES["bool"])


@exporter(am.ArgMax, am.ArgMin)
def _arg(ctx, op):
    axis = op.get_attr("axis")
    out_type = op.get_attr("output_type")
    index = ctx.node("ArgMax" if op.opdef is am.ArgMax else "ArgMin", [ctx.input(op, 0)], axis=int(axis), keepdims=0)
    if out_type.name == "int64":
        ctx.node("Identity", [index], [ctx.out(op)])
    else:
        ctx.node("Cast", [index], [ctx.out(op)], to=ONNX_TYPES[out_type.name])


@exporter(cu.Cumsum)
def _cumsum(ctx, op):
    ctx.node("CumSum", [ctx.input(op, 0), ctx.int64(int(op.get_attr("axis")), "axis")], [ctx.out(op)],
             exclusive=int(bool(op.get_attr("exclusive"))), reverse=int(bool(op.get_attr("reverse"))))


@exporter(nn.L2Loss)
def _l2_loss(ctx, op):
    x = ctx.input(op, 0)
    total = ctx.node("ReduceSum", [ctx.node("Mul", [x, x])], keepdims=0)
    ctx.node("Div", [total, _scalar(ctx, 2, op)], [ctx.out(op)])
