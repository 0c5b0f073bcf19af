"""The sparse-tensor ops: the primitives SparseToDense (scatter into a default-filled tensor, checking order),
SparseReorder (row-major order) and SparseReshape (new coordinates for a new dense shape), and the public
functions built on them (sparse_placeholder, sparse_tensor_to_dense, sparse_reduce_sum,
sparse_tensor_dense_matmul, sparse_add, sparse_concat, sparse_reshape, sparse_reorder)."""
from ..framework import dtypes
from ..framework.apply import apply_op, convert_to_tensor
from ..framework.graph import name_scope
from ..framework.op_def import InferenceError, OpDef, register
from ..framework.sparse_tensor import SparseTensor, SparseTensorValue
from ..framework.tensor_shape import TensorShape
from ..framework.tensor_util import constant_value, constant_value_as_shape
from . import array_ops, math_ops
from .nd_index_ops import gather_nd, scatter_nd
from .op_util import check_index_dtype, invalid_argument, shape_text

__all__ = ["sparse_placeholder", "sparse_to_dense", "sparse_tensor_to_dense", "sparse_reduce_sum",
           "sparse_tensor_dense_matmul", "sparse_add", "sparse_concat", "sparse_reshape", "sparse_reorder"]


def _row(xp, indices, i):
    return "[" + ",".join(str(int(v)) for v in indices[i]) + "]"


def _linear(xp, indices, shape):
    """Row-major positions of the coordinate rows `indices` in a dense tensor of `shape`."""
    strides = [1] * len(shape)
    for d in range(len(shape) - 2, -1, -1):
        strides[d] = strides[d + 1] * int(shape[d + 1])
    return indices.astype(xp.int64) @ xp.asarray(strides, dtype=xp.int64) if len(shape) else \
        xp.zeros(indices.shape[:1], dtype=xp.int64)


# --- SparseToDense ---------------------------------------------------------------------------------------------
@register
class SparseToDense(OpDef):
    """dense[sparse_indices[i]] = sparse_values[i] (or the scalar value), `default_value` elsewhere."""

    type_name = "SparseToDense"
    input_names = ("sparse_indices", "output_shape", "sparse_values", "default_value")
    same_dtype = ("sparse_values", "default_value")
    shape_arg_inputs = (1,)

    def infer(self, inputs, attrs):
        indices, shape, values, default = inputs
        check_index_dtype(indices, "sparse_indices")
        if indices.shape.ndims is not None and indices.shape.ndims > 2:
            raise InferenceError(f"Shape must be at most rank 2 but is rank {indices.shape.ndims}")
        if default.shape.ndims not in (None, 0):
            raise InferenceError(f"Shape must be rank 0 but is rank {default.shape.ndims}")
        return [(constant_value_as_shape(shape), values.dtype.base_dtype)]

    def forward(self, xp, indices, output_shape, values, default_value, validate_indices):
        shape = tuple(int(d) for d in output_shape.reshape(-1))
        rows = indices.reshape(-1, 1) if indices.ndim < 2 else indices
        if rows.shape[1] != len(shape):
            raise invalid_argument(f"output_shape has incorrect number of elements: {len(shape)} should be: "
                                   f"{rows.shape[1]}")
        if values.ndim != 0 and values.shape != (rows.shape[0],):
            raise invalid_argument(f"sparse_values has incorrect shape {shape_text(values)}, should be [] or "
                                   f"[{rows.shape[0]}]")
        if rows.shape[0]:
            bounds = xp.asarray(shape, dtype=rows.dtype)
            bad = ((rows < 0) | (rows >= bounds)).any(axis=1)
            if bad.any():
                i = int(xp.argwhere(bad)[0, 0])
                raise invalid_argument(f"indices[{i}] = {_row(xp, rows, i)} is out of bounds: need 0 <= index < "
                                       f"{shape_text(shape)}")
            if validate_indices and rows.shape[0] > 1:
                step = xp.diff(_linear(xp, rows, shape))
                if (step <= 0).any():
                    i = int(xp.argwhere(step <= 0)[0, 0]) + 1
                    if int(step[i - 1]) == 0:
                        raise invalid_argument(f"indices[{i}] = {_row(xp, rows, i)} is repeated")
                    raise invalid_argument(f"indices[{i}] = {_row(xp, rows, i)} is out of order. Many sparse ops "
                                           "require sorted indices.\n    Use `tf.sparse.reorder` to create a "
                                           "correctly ordered copy.\n\n")
        out = xp.full(shape, default_value, dtype=values.dtype)
        out[tuple(rows[:, j] for j in range(len(shape)))] = values
        return out

    def grad(self, op, g):
        from .reduce_ops import reduce_sum
        indices, _, values, _ = op.inputs
        rows = indices if indices.shape.ndims == 2 else array_ops.reshape(indices, [-1, 1])
        picked = gather_nd(g, rows)
        if values.shape.ndims == 0:
            picked = reduce_sum(picked)
        return [None, None, picked, math_ops.subtract(reduce_sum(g), reduce_sum(picked))]


def sparse_to_dense(sparse_indices, output_shape, sparse_values, default_value=0, validate_indices=True,
                    name=None):
    """A dense tensor of `output_shape` holding `sparse_values` at `sparse_indices`, `default_value` elsewhere.

    Raises:
        InvalidArgumentError: at run time, an index out of bounds, or (with validate_indices) indices repeated or
            not in row-major order.

    Example:
        >>> tf.sparse_to_dense([[0, 1], [2, 0]], [3, 2], [5, 6])   # [[0, 5], [0, 0], [6, 0]]
    """
    with name_scope(name, "SparseToDense", [sparse_indices, output_shape, sparse_values, default_value]) as scope:
        sparse_values = convert_to_tensor(sparse_values, name="sparse_values")
        sparse_indices = convert_to_tensor(sparse_indices, name="sparse_indices")
        output_shape = convert_to_tensor(output_shape, dtype=sparse_indices.dtype.base_dtype, name="output_shape")
        default_value = convert_to_tensor(default_value, dtype=sparse_values.dtype.base_dtype,
                                          name="default_value")
        return apply_op(SparseToDense, [sparse_indices, output_shape, sparse_values, default_value],
                        {"validate_indices": bool(validate_indices)}, name=scope)


# --- SparseReorder ---------------------------------------------------------------------------------------------
@register
class SparseReorder(OpDef):
    """The same sparse tensor with its entries in row-major order (a stable sort of the coordinates)."""

    type_name = "SparseReorder"
    input_names = ("input_indices", "input_values", "input_shape")
    num_outputs = 2

    def infer(self, inputs, attrs):
        indices, values, _ = inputs
        return [(indices.shape, dtypes.int64), (values.shape, values.dtype.base_dtype)]

    def forward(self, xp, indices, values, shape):
        order = xp.argsort(_linear(xp, indices, shape), kind="stable")
        return indices[order], values[order]

    def grad(self, op, g_indices, g_values):
        # Where each input entry went: reorder the positions 0..N-1, then invert that permutation.
        from .index_ops import gather, range as range_
        from .manip_ops import invert_permutation
        indices, values, shape = op.inputs
        positions = range_(array_ops.shape(values, out_type=dtypes.int64)[0])
        _, moved = apply_op(SparseReorder, [indices, positions, shape], name="SparseReorder")
        return [None, gather(g_values, invert_permutation(moved)), None]


def sparse_reorder(sp_input, name=None):
    """`sp_input` with its entries in row-major (canonical) order. Example: indices [[1, 0], [0, 3]] become
    [[0, 3], [1, 0]], their values moving with them."""
    sp_input = _as_sparse(sp_input)
    with name_scope(name, "SparseReorder", [sp_input]) as scope:
        indices, values = apply_op(SparseReorder, [sp_input.indices, sp_input.values, sp_input.dense_shape],
                                   name=scope)
        return SparseTensor(indices, values, sp_input.dense_shape)


# --- SparseReshape ---------------------------------------------------------------------------------------------
def _resolved_shape(old_shape, new_shape, error):
    dense = 1
    for d in old_shape:
        dense *= int(d)
    unknown = [i for i, d in enumerate(new_shape) if int(d) == -1]
    if len(unknown) > 1:
        raise error(f"only one output dimension may be -1, not both {unknown[0]} and {unknown[1]}")
    known = 1
    for i, d in enumerate(new_shape):
        if int(d) < -1:
            raise error(f"size {i} must be non-negative, not {int(d)}")
        if int(d) != -1:
            known *= int(d)
    dims = [int(d) for d in new_shape]
    if unknown:
        if known == 0 or dense % known:
            raise error(f"Input to reshape is a SparseTensor with {dense} dense values, but the requested shape "
                        f"requires a multiple of {known}. inputShape={shape_text(old_shape)} "
                        f"outputShape={shape_text(dims)}")
        dims[unknown[0]] = dense // known
    elif known != dense:
        raise error(f"Input to reshape is a tensor with {dense} dense values, but the requested shape has {known}. "
                    f"inputShape={shape_text(old_shape)} outputShape={shape_text(dims)}")
    return dims


@register
class SparseReshape(OpDef):
    """New coordinates (and the resolved shape, -1 filled in) for the same entries in a dense shape of the
    same size; the values and their order are unchanged."""

    type_name = "SparseReshape"
    input_names = ("input_indices", "input_shape", "new_shape")
    num_outputs = 2

    def infer(self, inputs, attrs):
        indices, old, new = inputs
        rank = new.shape[0].value if new.shape.ndims == 1 else None
        old_v, new_v = constant_value(old), constant_value(new)
        resolved = None
        if old_v is not None and new_v is not None:
            resolved = TensorShape(_resolved_shape(old_v.tolist(), new_v.tolist(), InferenceError))
        rows = indices.shape[0].value if indices.shape.ndims == 2 else None
        if resolved is not None:
            rank = resolved.ndims
        return [(TensorShape([rows, rank]), dtypes.int64), (TensorShape([rank]), dtypes.int64)]

    def forward(self, xp, indices, input_shape, new_shape):
        dims = _resolved_shape(input_shape.tolist(), new_shape.tolist(), invalid_argument)
        linear = _linear(xp, indices, input_shape.tolist())
        out = xp.zeros((indices.shape[0], len(dims)), dtype=xp.int64)
        for j in range(len(dims) - 1, -1, -1):
            out[:, j] = linear % dims[j] if dims[j] else 0
            linear = linear // dims[j] if dims[j] else linear
        return out, xp.asarray(dims, dtype=xp.int64)

    grad = None  # integer coordinates; the values pass through unchanged


def sparse_reshape(sp_input, shape, name=None):
    """`sp_input` as a sparse tensor of dense shape `shape` (one entry may be -1); values keep their order.

    Raises:
        ValueError: the shapes are known and hold different numbers of elements, or more than one -1.

    Example:
        >>> tf.sparse_reshape(sp_2x3, [3, -1])   # dense_shape [3, 2]; [1, 2] becomes [2, 1]
    """
    sp_input = _as_sparse(sp_input)
    with name_scope(name, "SparseReshape", [sp_input]) as scope:
        shape = convert_to_tensor(shape, dtype=dtypes.int64, name="shape")
        indices, dense_shape = apply_op(SparseReshape, [sp_input.indices, sp_input.dense_shape, shape], name=scope)
        return SparseTensor(indices, sp_input.values, dense_shape)


# --- helpers and compositions --------------------------------------------------------------------------------
def _as_sparse(x):
    if isinstance(x, SparseTensorValue):
        return SparseTensor.from_value(x)
    if not isinstance(x, SparseTensor):
        raise TypeError("Input must be a SparseTensor.")
    return x


def sparse_placeholder(dtype, shape=None, name=None):
    """A SparseTensor of three placeholders (`name/indices`, `name/values`, `name/shape`) to feed with a
    SparseTensorValue; a fully known `shape` becomes a constant dense_shape.

    Example:
        >>> x = tf.sparse_placeholder(tf.float32)
        >>> sess.run(tf.sparse_reduce_sum(x), {x: tf.SparseTensorValue([[0, 0]], [2.0], [1, 1])})   # 2.0
    """
    from ..framework.constant_op import constant
    shape_name = f"{name}/shape" if name is not None else None
    rank, dense_shape = None, None
    if shape is not None:
        dims = list(shape.as_list()) if isinstance(shape, TensorShape) else list(shape)
        rank = len(dims)
        if None not in dims:
            dense_shape = constant(dims, dtype=dtypes.int64, name=shape_name)
    if dense_shape is None:
        dense_shape = array_ops.placeholder(dtypes.int64, shape=[rank], name=shape_name)
    values = array_ops.placeholder(dtype, shape=[None], name=f"{name}/values" if name is not None else None)
    indices = array_ops.placeholder(dtypes.int64, shape=[None, rank],
                                    name=f"{name}/indices" if name is not None else None)
    return SparseTensor(indices, values, dense_shape)


def sparse_tensor_to_dense(sp_input, default_value=0, validate_indices=True, name=None):
    """The dense tensor `sp_input` stands for, `default_value` where it has no entry.

    Example:
        >>> tf.sparse_tensor_to_dense(tf.SparseTensor([[0, 1]], [7], [2, 2]))   # [[0, 7], [0, 0]]
    """
    sp_input = _as_sparse(sp_input)
    if sp_input.dtype.base_dtype is dtypes.string and (default_value is None or isinstance(default_value, int)):
        default_value = b""  # the "zero" of strings, as TensorFlow's default gives them
    dense = sparse_to_dense(sp_input.indices, sp_input.dense_shape, sp_input.values, default_value,
                            validate_indices=validate_indices, name=name or "SparseToDense")
    static = sp_input.shape
    if static.ndims is not None:
        dense.set_shape(static)
    return dense


def _summed_dense(sp_input):
    """The dense tensor with repeated coordinates summed (what TF's sparse kernels compute for repeats)."""
    dense = scatter_nd(sp_input.indices, sp_input.values, sp_input.dense_shape)
    if sp_input.shape.ndims is not None:
        dense.set_shape(sp_input.shape)
    return dense


def sparse_reduce_sum(sp_input, axis=None, keepdims=None, reduction_axes=None, keep_dims=None):
    """The sum of the entries of `sp_input` over `axis` (all by default), as a dense tensor.

    Example:
        >>> tf.sparse_reduce_sum(tf.SparseTensor([[0, 0], [1, 2]], [1.0, 2.0], [2, 3]), axis=1)   # [1., 2.]
    """
    from .reduce_ops import reduce_sum
    sp_input = _as_sparse(sp_input)
    axis = reduction_axes if axis is None else axis
    keepdims = bool(keep_dims if keepdims is None else keepdims)
    with name_scope(None, "SparseReduceSum", [sp_input]):
        return reduce_sum(_summed_dense(sp_input), axis=axis, keepdims=keepdims)


def sparse_tensor_dense_matmul(sp_a, b, adjoint_a=False, adjoint_b=False, name=None):
    """The product of sparse matrix `sp_a` and dense matrix `b` (each optionally adjoint), a dense matrix;
    differentiable in `sp_a.values` and `b`.

    Example:
        >>> tf.sparse_tensor_dense_matmul(tf.SparseTensor([[0, 1]], [2.0], [1, 2]), [[1.0], [3.0]])   # [[6.]]
    """
    from .linalg_ops import matmul
    sp_a = _as_sparse(sp_a)
    with name_scope(name, "SparseTensorDenseMatMul", [sp_a, b]):
        b = convert_to_tensor(b, name="b")
        return matmul(_summed_dense(sp_a), b, adjoint_a=adjoint_a, adjoint_b=adjoint_b)


def sparse_add(a, b, thresh=0, threshold=None):
    """`a + b` where at least one is a SparseTensor: dense if either is dense, else a SparseTensor over the union
    of both coordinate sets (row-major), dropping sums whose magnitude is below `thresh`.

    Example:
        >>> tf.sparse_add(tf.SparseTensor([[0, 0]], [1.0], [2, 2]), tf.SparseTensor([[0, 0], [1, 1]], [2.0, 3.0],
        ...               [2, 2]))   # entries [0, 0]: 3.0 and [1, 1]: 3.0
    """
    from .grad_support_ops import ones_like, where
    from .math_ops import abs as abs_, greater, greater_equal
    if threshold is not None:
        thresh = threshold
    sparse_a, sparse_b = isinstance(a, (SparseTensor, SparseTensorValue)), isinstance(b, (SparseTensor,
                                                                                          SparseTensorValue))
    if not (sparse_a or sparse_b):
        raise TypeError("At least one input should be SparseTensor; do you mean to use tf.add()?")
    with name_scope(None, "SparseAdd", [a, b]):
        if not (sparse_a and sparse_b):
            sp, dense = (_as_sparse(a), b) if sparse_a else (_as_sparse(b), a)
            dense = convert_to_tensor(dense, dtype=sp.dtype.base_dtype)
            return math_ops.add(_summed_dense(sp), dense)
        a, b = _as_sparse(a), _as_sparse(b)
        total = math_ops.add(_summed_dense(a), _summed_dense(b))
        present = math_ops.add(scatter_nd(a.indices, ones_like(a.values, dtype=dtypes.int32), a.dense_shape),
                               scatter_nd(b.indices, ones_like(b.values, dtype=dtypes.int32), b.dense_shape))
        indices = where(greater(present, 0))
        values = gather_nd(total, indices)
        thresh = convert_to_tensor(thresh, dtype=values.dtype.base_dtype, name="thresh")
        if constant_value(thresh) is None or constant_value(thresh) > 0:
            keep = where(greater_equal(abs_(values), thresh))[:, 0]
            from .index_ops import gather
            indices, values = gather(indices, keep), gather(values, keep)
        return SparseTensor(indices, values, a.dense_shape)


def sparse_concat(axis, sp_inputs, name=None, expand_nonconcat_dim=False, concat_dim=None, expand_nonconcat_dims=None):
    """The SparseTensors `sp_inputs` joined along `axis` (row-major order in the result); with
    `expand_nonconcat_dim` the other dimensions become the largest among the inputs, else they must agree.

    Example:
        >>> tf.sparse_concat(1, [sp_2x3, sp_2x4])   # dense_shape [2, 7]
    """
    from .concat_ops import concat
    from .reduce_ops import reduce_max
    if concat_dim is not None:
        axis = concat_dim
    if expand_nonconcat_dims is not None:
        expand_nonconcat_dim = expand_nonconcat_dims
    if not isinstance(sp_inputs, (list, tuple)):
        raise TypeError("Inputs must be a list")
    sp_inputs = [_as_sparse(s) for s in sp_inputs]
    with name_scope(name, "SparseConcat", sp_inputs):
        rank = next((s.shape.ndims for s in sp_inputs if s.shape.ndims is not None), None)
        axis = int(axis)
        if axis < 0:
            if rank is None:
                raise ValueError("sparse_concat with a negative axis needs inputs of known rank")
            axis += rank
        shapes = [s.dense_shape for s in sp_inputs]
        sizes = [s[axis] for s in shapes]
        offsets, running = [], None
        for size in sizes:
            offsets.append(running if running is not None else convert_to_tensor(0, dtypes.int64))
            running = size if running is None else math_ops.add(running, size)
        moved = []
        for s, offset in zip(sp_inputs, offsets):
            one_hot_axis = math_ops.cast(math_ops.equal(_column_ids(s.indices), axis), dtypes.int64)
            moved.append(math_ops.add(s.indices, math_ops.multiply(one_hot_axis, offset)))
        indices = concat(moved, 0)
        values = concat([s.values for s in sp_inputs], 0)
        if expand_nonconcat_dim:
            base = reduce_max(array_ops.stack(shapes), axis=0)
        else:
            base = shapes[0]
        column = math_ops.cast(math_ops.equal(_column_ids_of_shape(base), axis), dtypes.int64)
        dense_shape = math_ops.add(math_ops.multiply(base, 1 - column), math_ops.multiply(column, running))
        return sparse_reorder(SparseTensor(indices, values, dense_shape))


def _column_ids(indices):
    """[0, 1, ..., rank-1], the column numbers of an [N, rank] index matrix."""
    from .index_ops import range as range_
    return range_(array_ops.shape(indices, out_type=dtypes.int64)[1])


def _column_ids_of_shape(shape):
    from .index_ops import range as range_
    return range_(array_ops.shape(shape, out_type=dtypes.int64)[0])
