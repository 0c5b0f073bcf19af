"""The op table: one row per public op — how to call it, a NumPy reference, sample inputs (scalars, empty
arrays, broadcasting pairs, rank 4, non-contiguous views), input domain and tolerances. Drives test_op_table."""
import numpy as np

import neuroflow as tf
from op_table_base import Row, _noncontiguous, _values, binary_samples, unary_samples

from neuroflow.ops.broadcast_gradient_args_op import broadcast_gradient_args

# Shape pairs whose broadcast gradients TensorFlow reduces: both-1 axes, missing leading axes, empty shapes.
_BROADCAST_SHAPE_PAIRS = [(np.array(a, np.int32), np.array(b, np.int32)) for a, b in
                          [([2, 1, 3], [1]), ([1, 1], [1]), ([4, 1], [1, 5]), ([], [3]), ([2, 0, 3], [3]), ([5], [5])]]


def _broadcast_gradient_args_reference(s0, s1):
    # Each operand's gradient is summed over the result's axes where the operand (1-padded on the left) has size
    # 1, also where the result's size is 1 too (TensorFlow lists those; tests/data/tf_models holds TF's answers).
    out = np.broadcast_shapes(tuple(s0), tuple(s1))
    axes = [[i for i, d in enumerate((1,) * (len(out) - len(s)) + tuple(s)) if d == 1] for s in (s0, s1)]
    return np.array(axes[0] + axes[1], np.int32)


# (indices, indices, data, data): a gap (zeros), 2-D indices, empty ones; repeated indices in the next row.
_STITCH_SAMPLES = [
    (np.array([0, 2], np.int32), np.array([1], np.int32), _values((2, 3), (-1, 1), np.float64),
     _values((1, 3), (-1, 1), np.float64)),
    (np.array([[0, 6], [4, 2]], np.int32), np.array([1, 5], np.int32), _values((2, 2), (-1, 1), np.float64),
     _values((2,), (-1, 1), np.float64)),
    (np.array([], np.int32), np.array([3, 0], np.int32), _values((0, 2), (-1, 1), np.float64),
     _values((2, 2), (-1, 1), np.float64))]


def _dynamic_stitch_reference(i0, i1, d0, d1):
    tail = d0.shape[i0.ndim:]
    out = np.zeros((max(np.max(i0, initial=-1), np.max(i1, initial=-1)) + 1,) + tail, d0.dtype)
    for i, d in ((i0, d0), (i1, d1)):
        for position, index in enumerate(i.reshape(-1)):
            out[index] = d.reshape((-1,) + tail)[position]
    return out

def _rows():
    rows = []
    positive = (0.2, 3.0)
    for name, fn, ref in [
        ("add", tf.add, np.add), ("subtract", tf.subtract, np.subtract), ("multiply", tf.multiply, np.multiply),
        ("maximum", tf.maximum, np.maximum), ("minimum", tf.minimum, np.minimum),
        ("squared_difference", tf.squared_difference, lambda x, y: (x - y) ** 2),
        ("operator+", lambda x, y: x + y, np.add), ("operator*", lambda x, y: x * y, np.multiply),
    ]:
        rows.append(Row(name, fn, ref, binary_samples() + binary_samples(dtype=np.int32)[:4]))
    rows.append(Row("truediv", tf.truediv, np.true_divide, binary_samples(domain_y=positive)))
    rows.append(Row("divide_int", tf.divide, lambda x, y: np.true_divide(x, y),
                    binary_samples((-9, 9), np.int32, (1, 5))[:4], grad=False))
    rows.append(Row("floordiv", tf.floordiv, np.floor_divide,
                    binary_samples(domain_y=positive) + binary_samples((-9, 9), np.int32, (1, 5))[:4], grad=False))
    rows.append(Row("floormod", tf.floormod, np.mod,
                    binary_samples(domain_y=positive) + binary_samples((-9, 9), np.int32, (1, 5))[:4], grad=False))
    rows.append(Row("pow", tf.pow, np.power, binary_samples(positive, domain_y=(-2, 2)) +
                    binary_samples((0, 4), np.int32, (0, 3))[:4]))
    for name, fn, ref in [
        ("less", tf.less, np.less), ("less_equal", tf.less_equal, np.less_equal), ("greater", tf.greater, np.greater),
        ("greater_equal", tf.greater_equal, np.greater_equal), ("equal", tf.equal, np.equal),
        ("not_equal", tf.not_equal, np.not_equal),
    ]:
        rows.append(Row(name, fn, ref, binary_samples((-2, 2), np.int32), grad=False))
    for name, fn, ref in [("logical_and", tf.logical_and, np.logical_and), ("logical_or", tf.logical_or,
                                                                             np.logical_or),
                          ("logical_xor", tf.logical_xor, np.logical_xor)]:
        rows.append(Row(name, fn, ref, binary_samples(dtype=np.bool_), grad=False))
    rows.append(Row("logical_not", tf.logical_not, np.logical_not, unary_samples(dtype=np.bool_), grad=False))
    for name, fn, ref, domain in [
        ("negative", tf.negative, np.negative, (-2, 2)), ("abs", tf.abs, np.abs, (-2, 2)),
        ("square", tf.square, np.square, (-2, 2)), ("sqrt", tf.sqrt, np.sqrt, positive),
        ("rsqrt", tf.rsqrt, lambda x: 1 / np.sqrt(x), positive), ("exp", tf.exp, np.exp, (-2, 2)),
        ("log", tf.log, np.log, positive), ("log1p", tf.log1p, np.log1p, (-0.5, 2)),
        ("sin", tf.sin, np.sin, (-3, 3)), ("cos", tf.cos, np.cos, (-3, 3)), ("tanh", tf.tanh, np.tanh, (-3, 3)),
        ("sigmoid", tf.sigmoid, lambda x: 1 / (1 + np.exp(-x)), (-5, 5)),
        ("reciprocal", tf.reciprocal, np.reciprocal, positive), ("operator-", lambda x: -x, np.negative, (-2, 2)),
    ]:
        rows.append(Row(name, fn, ref, unary_samples(domain)))
    for name, fn, ref in [("sign", tf.sign, np.sign), ("floor", tf.floor, np.floor), ("ceil", tf.ceil, np.ceil),
                          ("round", tf.round, np.round)]:
        rows.append(Row(name, fn, ref, unary_samples((-3, 3)), grad=False))
    rows.append(Row("cast", lambda x: tf.cast(x, tf.int32), lambda x: x.astype(np.int32),
                    unary_samples((-3, 3)), grad=False))
    rows.append(Row("cast_float", lambda x: tf.cast(x, tf.float32), lambda x: x.astype(np.float32),
                    unary_samples(), rtol=1e-6, grad=False))  # float32 output: checked in test_gradients
    mats = [(_values((3, 4), (-1, 1), np.float64), _values((4, 2), (-1, 1), np.float64)),
            (_values((1, 0), (-1, 1), np.float64), _values((0, 3), (-1, 1), np.float64)),
            (_noncontiguous((2, 3), (-1, 1), np.float64), _values((3, 3), (-1, 1), np.float64))]
    rows.append(Row("matmul", tf.matmul, np.matmul, mats + [(_values((2, 2), (-3, 3), np.int32),
                                                             _values((2, 2), (-3, 3), np.int32))]))
    rows.append(Row("matmul_transposed", lambda a, b: tf.matmul(a, b, transpose_a=True, transpose_b=True),
                    lambda a, b: a.T @ b.T, [(_values((4, 3), (-1, 1), np.float64), _values((2, 4), (-1, 1),
                                                                                            np.float64))]))
    rows.append(Row("matmul_batched", tf.matmul, np.matmul,
                    [(_values((2, 3, 4), (-1, 1), np.float64), _values((2, 4, 5), (-1, 1), np.float64)),
                     (_values((2, 1, 3, 4), (-1, 1), np.float64), _values((5, 4, 2), (-1, 1), np.float64))]))
    rank4 = [(_values((2, 3, 1, 4), (-2, 2), np.float64),), (_noncontiguous((3, 4), (-2, 2), np.float64),)]
    for axis, keep in [(None, False), (0, False), (-1, True), ((1, 2), False), ((0, 1, 2, 3), True)]:
        def sum_fn(x, axis=axis, keep=keep):
            return tf.reduce_sum(x, axis=_clip_axis(axis, x), keepdims=keep)

        def sum_ref(x, axis=axis, keep=keep):
            return np.sum(x, axis=_clip_axis(axis, x), keepdims=keep)

        def mean_fn(x, axis=axis, keep=keep):
            return tf.reduce_mean(x, axis=_clip_axis(axis, x), keepdims=keep)

        def mean_ref(x, axis=axis, keep=keep):
            return np.mean(x, axis=_clip_axis(axis, x), keepdims=keep)
        rows.append(Row(f"reduce_sum{axis}{keep}", sum_fn, sum_ref, rank4))
        rows.append(Row(f"reduce_mean{axis}{keep}", mean_fn, mean_ref, rank4))
    rows.append(Row("reduce_sum_int", tf.reduce_sum, lambda x: np.sum(x, dtype=x.dtype),
                    unary_samples((-5, 5), np.int32), grad=False))
    rows.append(Row("reduce_mean_int", tf.reduce_mean, lambda x: np.int32(np.trunc(np.mean(x))) if x.size else
                    np.int32(0), unary_samples((-5, 5), np.int32)[:4], grad=False))
    rows.append(Row("reshape", lambda x: tf.reshape(x, [-1]), lambda x: x.reshape(-1), unary_samples()))
    rows.append(Row("reshape_2d", lambda x: tf.reshape(x, [2, -1]), lambda x: x.reshape(2, -1),
                    [(_values((2, 3, 1, 4), (-1, 1), np.float64),), (_noncontiguous((4, 3), (-1, 1), np.float64),)]))
    rows.append(Row("identity", tf.identity, lambda x: x, unary_samples()))
    rows.append(Row("stack", lambda x, y: tf.stack([x, y], axis=-1), lambda x, y: np.stack([x, y], -1),
                    [(a, a * 2) for (a,) in unary_samples()]))
    rows.append(Row("shape", tf.shape, lambda x: np.array(x.shape, np.int32), unary_samples(), grad=False))
    rows.append(Row("shape_n", lambda x: tf.shape_n([x, tf.expand_dims(x, 0)], out_type=tf.int64)[1],
                    lambda x: np.array((1,) + x.shape, np.int64), unary_samples(), grad=False))
    rows.append(Row("broadcast_gradient_args", lambda s0, s1: tf.concat(broadcast_gradient_args(s0, s1), 0),
                    _broadcast_gradient_args_reference, _BROADCAST_SHAPE_PAIRS, grad=False,
                    data_dependent_shape=True))
    rows.append(Row("dynamic_stitch", lambda i0, i1, d0, d1: tf.dynamic_stitch([i0, i1], [d0, d1]),
                    _dynamic_stitch_reference, _STITCH_SAMPLES, data_dependent_shape=True))
    # Repeated indices: the later pair wins (TensorFlow's gradient still gathers into the overwritten value, so
    # no finite-difference check here).
    rows.append(Row("dynamic_stitch_repeated", lambda i0, i1, d0, d1: tf.dynamic_stitch([i0, i1], [d0, d1]),
                    _dynamic_stitch_reference, [(np.array([0, 1, 1], np.int32), np.array([1], np.int32),
                                                 _values((3,), (-1, 1), np.float64), _values((1,), (-1, 1),
                                                                                            np.float64))],
                    grad=False, data_dependent_shape=True))
    rows.append(Row("getitem", lambda x: x[1:, ::-1, 0], lambda x: x[1:, ::-1, 0],
                    [(_values((3, 4, 2), (-1, 1), np.float64),), (_values((2, 0, 3), (-1, 1), np.float64),)]))
    rows.append(Row("getitem_newaxis", lambda x: x[..., None, -1], lambda x: x[..., None, -1],
                    [(_values((3, 4), (-1, 1), np.float64),), (_noncontiguous((2, 5), (-1, 1), np.float64),)]))
    rows.append(Row("placeholder_with_default", lambda x: tf.placeholder_with_default(x, x.shape),
                    lambda x: x, unary_samples(), foldable=False))
    rows.append(Row("fill", lambda x: tf.fill(tf.shape(x), tf.constant(2.5, x.dtype)) * x,
                    lambda x: 2.5 * x, unary_samples()))
    rows.append(Row("zeros_ones", lambda x: x + tf.ones([3]) - tf.zeros([1000, 3])[0], lambda x: x + 1,
                    [(_values((2, 3), (-1, 1), np.float32),)],
                    grad=False))  # float32 by construction (tf.ones' default); Add/Sub gradients: rows above
    rows.append(Row("add_n", lambda x, y: tf.add_n([x, y, x]), lambda x, y: 2 * x + y,
                    [(a, a + 1) for (a,) in unary_samples()]))
    rows.append(Row("zeros_like", lambda x: tf.zeros_like(x) + x * tf.ones_like(x), lambda x: x, unary_samples()))
    rows.append(Row("broadcast_to", lambda x: tf.broadcast_to(x, [2, 3, 4]), lambda x: np.broadcast_to(x, (2, 3, 4)),
                    [(_values((3, 1), (-1, 1), np.float64),), (_values((4,), (-1, 1), np.float64),),
                     (_values((), (-1, 1), np.float64),)]))
    rows.append(Row("expand_dims", lambda x: tf.expand_dims(x, -1), lambda x: np.expand_dims(x, -1),
                    unary_samples()))
    rows.append(Row("size", tf.size, lambda x: np.int32(x.size), unary_samples(), grad=False))
    rows.append(Row("where", lambda c, x, y: tf.where(c, x, y), np.where,
                    [(_values((3, 4), (0, 1), np.bool_), _values((3, 4), (-1, 1), np.float64),
                      _values((4,), (-1, 1), np.float64)),
                     (_values((3, 1), (0, 1), np.bool_), _values((), (-1, 1), np.float64),
                      _values((1, 2), (-1, 1), np.float64))]))
    rows.append(Row("where_indices", lambda c: tf.where(c), lambda c: np.argwhere(c).astype(np.int64),
                    [(_values((3, 4), (0, 1), np.bool_),), (_values((5,), (0, 1), np.bool_),)], grad=False,
                    data_dependent_shape=True, foldable=False))
    rows.append(Row("stop_gradient", tf.stop_gradient, lambda x: x, unary_samples(), grad=False))
    rows.append(Row("unstack", lambda x: tf.unstack(x, num=2, axis=1)[1], lambda x: x[:, 1],
                    [(_values((3, 2, 2), (-1, 1), np.float64),), (_noncontiguous((4, 2), (-1, 1), np.float64),)]))
    # Gradient ops have rows too: their forward against NumPy, and (through the gradient check) their own
    # gradients, i.e. second order.
    rows.append(Row("strided_slice_grad", lambda x: tf.gradients(tf.reduce_sum(tf.square(x[1:, ::2])), x)[0],
                    lambda x: _slice_grad(x), [(_values((3, 4), (-1, 1), np.float64),)], graph_only=True))
    rows.append(Row("sum_to_shape", lambda x, b: tf.gradients(tf.reduce_sum(tf.square(x + b)), b)[0],
                    lambda x, b: np.sum(2 * (x + b), axis=0, keepdims=True).reshape(b.shape),
                    [(_values((3, 4), (-1, 1), np.float64), _values((4,), (-1, 1), np.float64)),
                     (_values((5, 2), (-1, 1), np.float64), _values((1, 2), (-1, 1), np.float64))], graph_only=True))
    rows.append(Row("check_numerics", lambda x: tf.check_numerics(x, "x"), lambda x: x, unary_samples(),
                    foldable=False))
    return rows


def _slice_grad(x):
    g = np.zeros_like(x)
    g[1:, ::2] = 2 * x[1:, ::2]
    return g


def _clip_axis(axis, x):
    rank = x.shape.ndims if hasattr(x, "shape") and hasattr(x.shape, "ndims") else np.ndim(x)
    if axis is None:
        return None
    axes = (axis,) if isinstance(axis, int) else axis
    return tuple(a for a in axes if -rank <= a < rank) or None


ROWS = _rows()

# OpDefs exercised elsewhere (state, feeding, randomness, ordering), not by forward/reference comparison.
COVERED_ELSEWHERE = {"Const", "Placeholder", "VariableV2", "Assign", "AssignAdd", "AssignSub", "NoOp",
                     "IsVariableInitialized", "ReportUninitializedVariables", "RandomUniform", "RandomNormal",
                     "TruncatedNormal", "ApplyGradientDescent", "ApplyMomentum", "ApplyAdagrad", "ApplyAdadelta",
                     "ApplyRMSProp", "ApplyCenteredRMSProp", "ApplyAdam", "RandomShuffle", "Multinomial",
                     "RandomGamma", "RandomPoissonV2", "RandomUniformInt",  # tests/test_tf_random_streams.py
                     "ReadVariableOp",  # eager variable reads: tests/test_eager.py
                     "IteratorV2", "OneShotIterator", "MakeIterator", "IteratorGetNext", "IteratorToStringHandle",
                     "IteratorFromStringHandleV2"}  # tf.data: tests/test_data.py
# TF1 input queues: tests/test_queues.py
COVERED_ELSEWHERE |= set(["FIFOQueueV2", "RandomShuffleQueueV2", "PaddingFIFOQueueV2", "QueueEnqueueV2", "QueueEnqueueManyV2",
                          "QueueDequeueV2", "QueueDequeueManyV2", "QueueDequeueUpToV2", "QueueCloseV2", "QueueSizeV2"])
COVERED_ELSEWHERE.add("CountUpTo")  # tests/test_input_producers.py
COVERED_ELSEWHERE |= {"TextLineReaderV2", "WholeFileReaderV2", "FixedLengthRecordReaderV2", "TFRecordReaderV2",
                      "ReaderReadV2", "ReaderReadUpToV2", "ReaderNumRecordsProducedV2",
                      "ReaderResetV2"}  # TF1 readers: tests/test_readers.py

# The op families kept in their own table files.
import op_table_array  # noqa: E402
import op_table_bitwise  # noqa: E402
import op_table_conv  # noqa: E402
import op_table_image  # noqa: E402
import op_table_io  # noqa: E402
import op_table_linalg  # noqa: E402
import op_table_select  # noqa: E402
import op_table_special_math  # noqa: E402
import op_table_control_flow  # noqa: E402
import op_table_distribute  # noqa: E402
import op_table_math  # noqa: E402
import op_table_nn  # noqa: E402
import op_table_nn_layers  # noqa: E402
import op_table_parsing  # noqa: E402
import op_table_example_parsing  # noqa: E402
import op_table_sequence_parsing  # noqa: E402
import op_table_rnn  # noqa: E402
import op_table_script  # noqa: E402
import op_table_sparse  # noqa: E402
import op_table_strings  # noqa: E402
import op_table_string_hash  # noqa: E402
import op_table_sparse_cross  # noqa: E402
import op_table_summary  # noqa: E402
import op_table_tensor_array  # noqa: E402
import op_table_tf_import  # noqa: E402

for _family in (op_table_math, op_table_array, op_table_nn, op_table_conv, op_table_nn_layers, op_table_rnn,
                op_table_summary, op_table_linalg, op_table_select, op_table_special_math, op_table_control_flow,
                op_table_script,
                op_table_tensor_array, op_table_sparse,
                op_table_image, op_table_bitwise, op_table_strings, op_table_string_hash, op_table_io, op_table_parsing,
                op_table_sparse_cross,
                op_table_example_parsing, op_table_sequence_parsing, op_table_distribute, op_table_tf_import):
    ROWS += _family.ROWS
    COVERED_ELSEWHERE |= _family.COVERED_ELSEWHERE
