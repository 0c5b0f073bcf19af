"""ONNX importers of coordinate indexing: GatherND (tf.gather_nd) and ScatterND (into a copy of `data`: summed with
reduction "add", replacing the entries at the indices otherwise, which ONNX requires to be distinct)."""
from .import_ops import _tf, importer

__all__ = []


@importer("GatherND")
def _gather_nd(ctx, node, attrs):
    if int(attrs.get("batch_dims", 0)):
        ctx.fail("batch_dims other than 0 is not supported")
    return _tf().gather_nd(ctx.input(node, 0), ctx.input(node, 1))


@importer("ScatterND")
def _scatter_nd(ctx, node, attrs):
    tf = _tf()
    data, indices, updates = (ctx.input(node, i) for i in range(3))
    reduction = attrs.get("reduction", "none")
    reduction = reduction.decode() if isinstance(reduction, bytes) else reduction
    shape = tf.shape(data, out_type=indices.dtype.base_dtype)
    scattered = tf.scatter_nd(indices, updates, shape)
    if reduction == "add":
        return data + scattered
    if reduction != "none":
        ctx.fail(f"reduction {reduction!r} is not supported")
    covered = tf.scatter_nd(indices, tf.ones_like(updates), shape)
    return tf.where(tf.greater(covered, tf.zeros_like(covered)), scattered, data)
