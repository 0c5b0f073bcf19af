"""TF1 math names that are compositions of existing ops (no gradient code of their own): count_nonzero,
log_sigmoid, lbeta, matvec, meshgrid, sort, argsort and roll, with TensorFlow's signatures and argument errors."""
from ..framework import dtypes
from ..framework.apply import convert_to_tensor
from ..framework.graph import name_scope

__all__ = ["count_nonzero", "log_sigmoid", "lbeta", "meshgrid", "sort", "argsort", "roll"]  # matvec: tf.linalg only


def count_nonzero(input_tensor=None, axis=None, keepdims=None, dtype=dtypes.int64, name=None, reduction_indices=None,
                  keep_dims=None, input=None):  # noqa: A002 - TensorFlow's argument names
    """The number of non-zero entries (of a bool tensor: of True entries) along `axis`, as `dtype` (int64).

    Example: `tf.count_nonzero([[0, 1], [2, 0]])` is 2.
    """
    from ..framework.deprecation import deprecated_argument_lookup
    from .math_ops import cast, not_equal
    from .reduce_ops import reduce_sum
    from .op_util import constant_like
    input_tensor = deprecated_argument_lookup("input", input, "input_tensor", input_tensor)
    axis = deprecated_argument_lookup("axis", axis, "reduction_indices", reduction_indices)
    keepdims = bool(deprecated_argument_lookup("keepdims", keepdims, "keep_dims", keep_dims))
    with name_scope(name, "count_nonzero", [input_tensor]) as scope:
        x = convert_to_tensor(input_tensor, name="input")
        nonzero = not_equal(x, constant_like(False if x.dtype.base_dtype is dtypes.bool else 0, x))
        # Counted in int64 (as TensorFlow) so large tensors cannot overflow, then cast.
        counts = reduce_sum(cast(nonzero, dtypes.int64), axis=axis, keepdims=keepdims)
        return cast(counts, dtype, name=scope)


def log_sigmoid(x, name=None):
    """log(1 / (1 + exp(-x))), computed as -softplus(-x) so that it neither overflows nor loses precision."""
    from ..framework.apply import apply_op
    from .math_ops import negative
    from .nn_ops import Softplus
    with name_scope(name, "LogSigmoid", [x]) as scope:
        x = convert_to_tensor(x, name="x")
        return negative(apply_op(Softplus, [negative(x)], name="Softplus"), name=scope)


def lbeta(x, name=None):
    """log of the multivariate Beta function along the last axis: sum(lgamma(x)) - lgamma(sum(x)); an empty last
    axis gives 0 (log Beta of nothing is log 1)."""
    from .math_ops import subtract
    from .reduce_ops import reduce_sum
    from .special_math_ops import lgamma
    with name_scope(name, "lbeta", [x]) as scope:
        x = convert_to_tensor(x, name="x")
        return subtract(reduce_sum(lgamma(x), axis=-1), lgamma(reduce_sum(x, axis=-1)), name=scope)


def matvec(a, b, transpose_a=False, adjoint_a=False, a_is_sparse=False, b_is_sparse=False, name=None):
    """The matrix-vector product a @ b for batches: a [..., M, N], b [..., N] -> [..., M]."""
    from .grad_support_ops import expand_dims
    from .linalg_ops import matmul
    from .manip_ops import squeeze
    with name_scope(name, "MatVec", [a, b]) as scope:
        a = convert_to_tensor(a, name="a")
        b = convert_to_tensor(b, dtype=a.dtype.base_dtype, name="b")
        product = matmul(a, expand_dims(b, -1), transpose_a=transpose_a, adjoint_a=adjoint_a)
        return squeeze(product, axis=[-1], name=scope)


def meshgrid(*args, **kwargs):
    """Coordinate grids from 1-D tensors: with `indexing="xy"` (the default) the first two outputs have their
    axes swapped, as NumPy's meshgrid; "ij" keeps matrix indexing.

    Example: `X, Y = tf.meshgrid([1, 2, 3], [4, 5])` gives two [2, 3] tensors.
    """
    from .array_ops import reshape
    from .grad_support_ops import broadcast_to
    indexing = kwargs.pop("indexing", "xy")
    name = kwargs.pop("name", "meshgrid")
    if kwargs:
        raise TypeError(f"'{next(iter(kwargs))}' is an invalid keyword argument for this function")
    if indexing not in ("xy", "ij"):
        raise ValueError("indexing parameter must be either 'xy' or 'ij'")
    with name_scope(name, "meshgrid", list(args)):
        vectors = [reshape(convert_to_tensor(v), [-1]) for v in args]
        n = len(vectors)
        # Output axis of each input: its own position, except that "xy" swaps the first two.
        where = list(range(n))
        if indexing == "xy" and n > 1:
            where[0], where[1] = 1, 0
        order = sorted(range(n), key=lambda i: where[i])
        sizes = _stacked_sizes([vectors[i] for i in order])
        return [broadcast_to(reshape(v, [1] * where[i] + [-1] + [1] * (n - where[i] - 1)), sizes)
                for i, v in enumerate(vectors)]


def _stacked_sizes(vectors):
    from .array_ops import shape, stack
    return stack([shape(v)[0] for v in vectors])


def sort(values, axis=-1, direction="ASCENDING", name=None):
    """`values` sorted along `axis` (ASCENDING or DESCENDING), by `tf.nn.top_k` on that axis (as TensorFlow)."""
    return _sort_or_argsort(values, axis, direction, name, "sort", want_indices=False)


def argsort(values, axis=-1, direction="ASCENDING", stable=False, name=None):
    """The int32 indices that sort `values` along `axis` (ASCENDING or DESCENDING); ties keep their order."""
    return _sort_or_argsort(values, axis, direction, name, "argsort", want_indices=True)


def _sort_or_argsort(values, axis, direction, name, default_name, want_indices):
    from .manip_ops import transpose
    from .math_ops import negative
    from .op_util import static_int
    from ..framework.apply import apply_op
    from .top_k_ops import TopKV2
    if direction not in ("ASCENDING", "DESCENDING"):
        raise ValueError(f"{direction} should be one of ASCENDING, DESCENDING")
    with name_scope(name, default_name, [values]) as scope:
        values = convert_to_tensor(values, name="values")
        rank = values.shape.ndims
        if rank is None:
            raise ValueError("neuroflow's sort needs the rank of `values` while building the graph")
        axis = static_int(axis, "axis")
        if not -rank <= axis < rank:
            raise ValueError(f"axis {axis} is out of range for a tensor of rank {rank}")
        axis %= rank
        perm = list(range(rank))
        perm[axis], perm[-1] = perm[-1], perm[axis]
        moved = values if axis == rank - 1 else transpose(values, perm)
        from .array_ops import shape
        k = shape(moved)[-1]
        ascending = direction == "ASCENDING"
        # top_k finds the largest: the smallest first is the largest of the negation (ints and floats alike).
        top, indices = apply_op(TopKV2, [negative(moved) if ascending else moved, k], {"sorted": True},
                                name="TopKV2")
        result = indices if want_indices else (negative(top) if ascending else top)
        if axis != rank - 1:
            result = transpose(result, perm)
        from .array_ops import identity
        return identity(result, name=scope)


def roll(input, shift, axis, name=None):  # noqa: A002 - TensorFlow's argument name
    """`input` with elements shifted cyclically by `shift` along `axis` (each an int or a list of them; shifts
    known while building the graph).

    Example: `tf.roll([0, 1, 2, 3, 4], shift=2, axis=0)` is [3, 4, 0, 1, 2].
    """
    from .array_ops import shape
    from .concat_ops import concat
    from .op_util import static_ints
    shifts, axes = static_ints(shift, "roll's shift"), static_ints(axis, "roll's axis")
    shifts = shifts if isinstance(shifts, list) else [shifts]
    axes = axes if isinstance(axes, list) else [axes]
    if len(shifts) != len(axes):
        raise ValueError(f"shift and axis must have the same size, got {len(shifts)} and {len(axes)}")
    with name_scope(name, "Roll", [input]) as scope:
        x = convert_to_tensor(input, name="input")
        rank = x.shape.ndims
        if rank is None:
            raise ValueError("neuroflow's roll needs the rank of `input` while building the graph")
        for s, ax in zip(shifts, axes):
            ax %= rank
            known = x.shape.as_list()[ax]
            if known is not None:
                cut = (known - s % known) % known if known else 0
            else:
                size = shape(x)[ax]
                cut = (size - s % size) % size
            lead = (slice(None),) * ax
            x = concat([x[lead + (slice(cut, None),)], x[lead + (slice(None, cut),)]], axis=ax)
        from .array_ops import identity
        return identity(x, name=scope)
