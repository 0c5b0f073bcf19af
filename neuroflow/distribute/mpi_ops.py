"""The collective OpDefs (HorovodAllreduce, HorovodGroupedAllreduce, HorovodAllgather, HorovodBroadcast) and their
public functions: graph ops, so they sit in compiled plans and run in eager mode like any other op. Their kernels
hand host arrays to `collectives`; before `init()` (or with one rank) they act on a world of one process."""
import numpy as np

from ..framework import dtypes
from ..framework.apply import apply_op, convert_to_tensor
from ..framework.indexed_slices import IndexedSlices
from ..framework.op_def import InferenceError, OpDef, register
from ..framework.tensor_shape import TensorShape
from . import collectives, world as world_module

__all__ = ["allreduce", "grouped_allreduce", "allgather", "broadcast", "Average", "Sum", "Min", "Max",
           "Product", "Adasum", "Compression"]

Average, Sum, Min, Max, Product = "average", "sum", "min", "max", "product"
Adasum = "adasum"  # named so that Horovod programs import; refused when used (see _reduce_op)

_TRANSFERABLE = dtypes.NUMBER + (dtypes.bool,)


def _host(xp, array):
    return np.asarray(xp.asnumpy(array) if hasattr(xp, "asnumpy") else array)


class _Collective(OpDef):
    """What the collectives share: never folded, merged or reordered away (every rank must make the same calls),
    and with one rank the output is the input itself."""

    stateful = True
    foldable = False
    may_alias_input = True
    data_dependent_shape = False
    allowed_dtypes = _TRANSFERABLE

    def kernel(self, op, ctx):
        xp, attrs, name = ctx.xp, op.attrs, op.name  # ranks must agree on the name (checked before each call)

        def run(*arrays):
            world = world_module.current()
            if world is None or world.size == 1:
                return self.forward(xp, *arrays, **attrs)
            results = self.collective(world, [_host(xp, a) for a in arrays], name, **attrs)
            if isinstance(results, list):
                return tuple(xp.asarray(r) for r in results)
            return xp.asarray(results)
        return run


@register
class HorovodAllreduce(_Collective):
    """The elementwise reduction (`reduce_op`: sum, average, min, max, product) of a tensor across ranks."""

    type_name = "HorovodAllreduce"
    input_names = ("tensor",)

    def canonicalize_attrs(self, inputs, attrs):
        return {"reduce_op": _reduce_op(attrs["reduce_op"], [inputs[0]])}

    def infer(self, inputs, attrs):
        return [(inputs[0].shape, inputs[0].dtype.base_dtype)]

    def forward(self, xp, x, reduce_op):
        return x  # one rank: every reduction of a single contribution is that contribution

    def collective(self, world, arrays, name, reduce_op):
        return collectives.allreduce_arrays(world, arrays, reduce_op, name)[0]

    def grad(self, op, g):
        return [_allreduce_grad(op.get_attr("reduce_op"), [g])[0]]


@register
class HorovodGroupedAllreduce(_Collective):
    """The allreduce of several tensors in one collective (tensor fusion: packed into few buffers)."""

    type_name = "HorovodGroupedAllreduce"
    input_names = ("tensors",)
    variadic = True

    def canonicalize_attrs(self, inputs, attrs):
        return {"reduce_op": _reduce_op(attrs["reduce_op"], inputs)}

    def infer(self, inputs, attrs):
        return [(t.shape, t.dtype.base_dtype) for t in inputs]

    def forward(self, xp, *tensors, reduce_op):
        return tensors if len(tensors) != 1 else tensors[0]

    def collective(self, world, arrays, name, reduce_op):
        results = collectives.allreduce_arrays(world, arrays, reduce_op, name)
        return results if len(results) != 1 else results[0]

    def grad(self, op, *grads):
        from ..ops.grad_support_ops import zeros_like
        filled = [g if g is not None else zeros_like(y) for g, y in zip(grads, op.outputs)]
        return _allreduce_grad(op.get_attr("reduce_op"), filled)


def _reduce_op(op, tensors):
    if op == Adasum:
        raise NotImplementedError("neuroflow.distribute does not implement Adasum; use op=Average or op=Sum")
    if op not in collectives.REDUCE_OPS:
        raise ValueError(f"Unknown reduction op {op!r}: use one of Average, Sum, Min, Max, Product")
    if op == Average and any(t.dtype.base_dtype == dtypes.bool for t in tensors):
        raise TypeError("Cannot average bool tensors across ranks; use op=Sum (logical or) or op=Min (logical and)")
    if op in (Min, Max) and any(t.dtype.base_dtype in dtypes.COMPLEX for t in tensors):
        raise TypeError(f"Cannot take the {op} of complex tensors across ranks (complex numbers are not ordered)")
    return op


def _allreduce_grad(reduce_op, grads):
    """Horovod's rule: the gradient of a sum or average across ranks is the same reduction of the gradients."""
    if reduce_op not in (Sum, Average):
        raise LookupError(f"No gradient defined for an allreduce with op={reduce_op!r} (only Sum and Average)")
    if len(grads) == 1:
        return [apply_op(HorovodAllreduce, grads, {"reduce_op": reduce_op}, name="HorovodAllreduceGrad")]
    return list(apply_op(HorovodGroupedAllreduce, grads, {"reduce_op": reduce_op},
                         name="HorovodGroupedAllreduceGrad"))


@register
class HorovodAllgather(_Collective):
    """Every rank's tensor concatenated along axis 0 (first dimensions may differ across ranks)."""

    type_name = "HorovodAllgather"
    input_names = ("tensor",)
    data_dependent_shape = True  # the first dimension sums the other ranks' first dimensions

    def infer(self, inputs, attrs):
        shape = inputs[0].shape
        if shape.ndims == 0:
            raise InferenceError("allgather needs a tensor of rank at least 1, got a scalar")
        rest = shape.as_list()[1:] if shape.ndims is not None else None
        return [(TensorShape(None if rest is None else [None] + rest), inputs[0].dtype.base_dtype)]

    def forward(self, xp, x):
        return x

    def collective(self, world, arrays, name):
        return collectives.allgather_array(world, arrays[0], name)

    def grad(self, op, g):
        """Horovod's rule: sum the gradients of the gathered tensor across ranks, keep this rank's rows."""
        import neuroflow as tf
        x = op.inputs[0]
        summed = _allreduce_grad(Sum, [g])[0]
        rows = tf.reshape(tf.shape(x, out_type=dtypes.int64)[0], [1])
        counts = apply_op(HorovodAllgather, [rows], {}, name="HorovodAllgatherGradSizes")
        world = world_module.current()
        start = tf.reduce_sum(counts[:world.rank if world else 0])
        rest = tf.shape(summed, out_type=dtypes.int64)[1:]
        begin = tf.concat([tf.reshape(start, [1]), tf.zeros_like(rest)], 0)
        return [tf.slice(summed, begin, tf.concat([rows, rest], 0))]


@register
class HorovodBroadcast(_Collective):
    """Rank `root_rank`'s tensor, on every rank."""

    type_name = "HorovodBroadcast"
    input_names = ("tensor",)

    def canonicalize_attrs(self, inputs, attrs):
        root = attrs["root_rank"]
        if isinstance(root, bool) or not isinstance(root, (int, np.integer)) or root < 0:
            raise ValueError(f"root_rank must be a non-negative integer, got {root!r}")
        return {"root_rank": int(root)}

    def infer(self, inputs, attrs):
        return [(inputs[0].shape, inputs[0].dtype.base_dtype)]

    def forward(self, xp, x, root_rank):
        if root_rank != 0:
            raise ValueError(f"broadcast: root_rank {root_rank} is not a rank of this job (size 1)")
        return x

    def collective(self, world, arrays, name, root_rank):
        return collectives.broadcast_array(world, arrays[0], root_rank, name)

    def grad(self, op, g):
        """Horovod's rule: the root receives the sum of every rank's gradient, the others zero."""
        summed = _allreduce_grad(Sum, [g])[0]
        world = world_module.current()
        if (world.rank if world else 0) != op.get_attr("root_rank"):
            return [summed * 0]
        return [summed]


class Compression:
    """Horovod's gradient compression choices: `none`, or `fp16` (floating tensors travel as float16)."""

    class none:  # noqa: N801 - Horovod's name
        @staticmethod
        def compress(tensor):
            return tensor, None

        @staticmethod
        def decompress(tensor, ctx):
            return tensor

    class fp16:  # noqa: N801 - Horovod's name
        @staticmethod
        def compress(tensor):
            from ..ops.math_ops import cast
            if tensor.dtype.base_dtype in (dtypes.float32, dtypes.float64):
                return cast(tensor, dtypes.float16), tensor.dtype.base_dtype
            return tensor, None

        @staticmethod
        def decompress(tensor, ctx):
            from ..ops.math_ops import cast
            return tensor if ctx is None else cast(tensor, ctx)


def _resolve_op(average, op):
    if average is not None and op is not None:
        raise ValueError("The op parameter supersedes average. Please provide only one of them.")
    if op is not None:
        return op
    return Sum if average is False else Average


def _scaled(tensor, factor):
    return tensor if factor == 1.0 else tensor * factor


def allreduce(tensor, average=None, device_dense="", device_sparse="", compression=Compression.none, op=None,
              prescale_factor=1.0, postscale_factor=1.0, name=None):
    """The reduction of `tensor` across all ranks (by default their average), Horovod's `hvd.allreduce`.

    An `IndexedSlices` (an embedding's gradient) is gathered instead: every rank's values and indices
    concatenated (values divided by the size for Average), as Horovod does.

    Args:
        tensor: a tensor (or IndexedSlices) of the same dtype and shape on every rank.
        average: deprecated; `op=Average` (default) or `op=Sum`.
        device_dense, device_sparse: ignored (placement is the runtime's).
        compression: `Compression.none` or `Compression.fp16`.
        op: Average, Sum, Min, Max or Product.
        prescale_factor, postscale_factor: multiply the tensor before / the result after the reduction.
        name: the op's name; ranks must agree on it.

    Raises:
        ValueError: both `average` and `op` given. At run time, MismatchedCollectiveError when the ranks'
        tensors differ in dtype or shape.

    Example:
        >>> mean_loss = hvd.allreduce(loss)   # the average over ranks
    """
    reduce_op = _resolve_op(average, op)
    if isinstance(tensor, IndexedSlices):
        if reduce_op not in (Average, Sum):
            raise NotImplementedError("Only Average and Sum are supported for IndexedSlices (sparse gradients)")
        values = allgather(_scaled(tensor.values, prescale_factor), name=None if name is None else name + "_values")
        indices = allgather(tensor.indices, name=None if name is None else name + "_indices")
        if reduce_op == Average:
            values = values / float(_size_or_one())
        return IndexedSlices(_scaled(values, postscale_factor), indices, dense_shape=tensor.dense_shape)
    tensor = convert_to_tensor(tensor)
    compressed, ctx = compression.compress(_scaled(tensor, prescale_factor))
    reduced = apply_op(HorovodAllreduce, [compressed], {"reduce_op": reduce_op}, name=name or "HorovodAllreduce")
    return _scaled(compression.decompress(reduced, ctx), postscale_factor)


def grouped_allreduce(tensors, average=None, device_dense="", device_sparse="", compression=Compression.none,
                      op=None, prescale_factor=1.0, postscale_factor=1.0, name=None):
    """The allreduce of each tensor in `tensors`, made as one fused collective (few MPI calls for many
    tensors); IndexedSlices among them are gathered as in `allreduce`. Returns a list in the same order."""
    reduce_op = _resolve_op(average, op)
    tensors = list(tensors)
    dense = [i for i, t in enumerate(tensors) if not isinstance(t, IndexedSlices)]
    results = [allreduce(t, op=reduce_op, prescale_factor=prescale_factor, postscale_factor=postscale_factor)
               if isinstance(t, IndexedSlices) else None for t in tensors]
    if dense:
        pairs = [compression.compress(_scaled(convert_to_tensor(tensors[i]), prescale_factor)) for i in dense]
        reduced = apply_op(HorovodGroupedAllreduce, [p[0] for p in pairs], {"reduce_op": reduce_op},
                           name=name or "HorovodGroupedAllreduce")
        reduced = [reduced] if len(dense) == 1 else list(reduced)
        for i, r, (_, ctx) in zip(dense, reduced, pairs):
            results[i] = _scaled(compression.decompress(r, ctx), postscale_factor)
    return results


def allgather(tensor, name=None, ignore_name_scope=False):
    """Every rank's `tensor` concatenated along the first dimension, in rank order (Horovod's `hvd.allgather`);
    the first dimension may differ between ranks, the others must agree.

    Example:
        >>> everyone = hvd.allgather(tf.reshape(local_count, [1]))   # shape [size()]
    """
    return apply_op(HorovodAllgather, [tensor], {}, name=name or "HorovodAllgather")


def broadcast(tensor, root_rank, name=None, ignore_name_scope=False):
    """Rank `root_rank`'s value of `tensor`, on every rank (Horovod's `hvd.broadcast`).

    Example:
        >>> same_w = hvd.broadcast(w, root_rank=0)
    """
    return apply_op(HorovodBroadcast, [tensor], {"root_rank": root_rank}, name=name or "HorovodBroadcast")


def _size_or_one():
    world = world_module.current()
    return world.size if world else 1
