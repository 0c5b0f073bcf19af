"""ONNX exporters of coordinate indexing: GatherNd (ONNX GatherND), ScatterNd (ScatterND adding into zeros, opset
16's reduction="add") and SparseToDense (ScatterND into the default value expanded to the output shape; the run-time
order checks of validate_indices are not part of the exported model)."""
import numpy as np

from ..ops import nd_index_ops as nd
from ..ops import sparse_ops as sp
from .registry import exporter

__all__ = []


@exporter(nd.GatherNd)
def _gather_nd(ctx, op):
    ctx.node("GatherND", [ctx.input(op, 0), ctx.as_int64(op, 1)], [ctx.out(op)])


def like_dtype(ctx, op):
    return ctx.dtype(op).as_numpy_dtype


@exporter(nd.ScatterNd)
def _scatter_nd(ctx, op):
    shape = ctx.as_int64(op, 2)
    zeros = ctx.node("ConstantOfShape", [shape], value=np.zeros(1, like_dtype(ctx, op)))
    ctx.node("ScatterND", [zeros, ctx.as_int64(op, 0), ctx.input(op, 1)], [ctx.out(op)], reduction="add")


@exporter(sp.SparseToDense)
def _sparse_to_dense(ctx, op):
    indices = ctx.node("Reshape", [ctx.as_int64(op, 0), ctx.int64([-1, 1], "column")]) \
        if ctx.shape(op, 0).ndims in (0, 1) else ctx.as_int64(op, 0)
    shape = ctx.as_int64(op, 1)
    data = ctx.node("Expand", [ctx.input(op, 3), shape])
    values = ctx.input(op, 2)
    if ctx.shape(op, 2).ndims == 0:  # one value for every index: as many copies as index rows
        rows = ctx.node("Slice", [ctx.node("Shape", [indices]), ctx.int64([0], "start"), ctx.int64([1], "end")])
        values = ctx.node("Expand", [values, rows])
    ctx.node("ScatterND", [data, indices, values], [ctx.out(op)])
