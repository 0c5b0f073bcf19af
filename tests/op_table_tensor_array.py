"""Op-table rows for tf.TensorArray (the TensorList ops under it) and the higher-order functions built on it
(map_fn, scan, foldl, foldr), each against NumPy: unstack/stack, write/read (fixed and dynamic size), gather with a
repeated index, scatter, split/concat, size; one graph-only row runs the gradient list ops (TensorArray gradients
of split, concat, write and read) against the hand-derived gradient; map_fn with nested elements and outputs, scan
forward, reversed and with an initializer, and both folds against NumPy loops."""
import numpy as np

import neuroflow as tf
from op_table_base import Row, _values

COVERED_ELSEWHERE = set()


def _unstack_stack(x):
    return tf.TensorArray(x.dtype, size=tf.shape(x)[0]).unstack(x).stack()


def _write_read(x):
    ta = tf.TensorArray(x.dtype, size=0, dynamic_size=True, clear_after_read=False).write(0, x).write(1, x * 3.0)
    return tf.stack([ta.read(1), ta.read(0)]) + ta.stack()


def _gather(x):
    return tf.TensorArray(x.dtype, size=3).unstack(x).gather([2, 0, 2])


def _scatter(x):
    return tf.TensorArray(x.dtype, size=3).scatter([2, 0, 1], x).stack()


def _scatter_ref(x):
    out = np.empty_like(x)
    out[[2, 0, 1]] = x
    return out


def _lengths(x):
    return tf.stack([1, 0, tf.shape(x)[0] - 1])


def _split_concat(x):
    ta = tf.TensorArray(x.dtype, size=3).split(x, _lengths(x))
    joined = ta.concat()
    return tf.concat([ta.read(2), joined], 0)


def _size(x):
    return tf.TensorArray(x.dtype, size=0, dynamic_size=True).unstack(x).size()


def _gradient_lists(x):
    """Gradients through split+concat (TensorListSplitLike, TensorListConcatOrZeros, TensorListClearItems) and
    write+read (TensorListGatherOrZeros, TensorListAddRows) of sum(y*y) + sum(z*z), y and z equal to x: 4x."""
    y = tf.TensorArray(x.dtype, size=3).split(x, _lengths(x)).concat()
    z = tf.TensorArray(x.dtype, size=2).write(0, x).read(0)
    return tf.gradients(tf.reduce_sum(y * y) + tf.reduce_sum(z * z), x)[0]


def _map_nested_output(x):
    doubled, total = tf.map_fn(lambda r: (r * 2.0, tf.reduce_sum(r)), x, dtype=(x.dtype, x.dtype))
    return doubled + tf.expand_dims(total, 1)


def _map_nested_elems(x):
    return tf.map_fn(lambda pair: pair["a"] * pair["b"][0], {"a": x, "b": (x + 1.0, x)}, dtype=x.dtype)


def _loop_ref(step, initial, rows):
    """The accumulators of a left-to-right loop `a = step(a, row)` from `initial`."""
    out, a = [], initial
    for row in rows:
        a = step(a, row)
        out.append(a)
    return out


def _scan_ref(x):
    return np.stack([x[0]] + _loop_ref(lambda a, r: a * 0.5 + r, x[0], x[1:]))


def _scan_reverse_ref(x):
    return np.stack(_loop_ref(lambda a, r: a * r + 1.0, np.ones_like(x[0]), x[::-1])[::-1])


def _foldl_ref(x):
    return ([x[0]] + _loop_ref(lambda a, r: a * r + r, x[0], x[1:]))[-1]


def _foldr_ref(x):
    return ([np.zeros(x.shape[1:])] + _loop_ref(lambda a, r: a * 0.5 + r * r, np.zeros(x.shape[1:]), x[::-1]))[-1]


def _samples(shapes):
    return [(_values(s, (-2.0, 2.0), np.float64),) for s in shapes]


# Every row is foldable=False: a TensorArray's list is made anew on each run (TensorListReserve does not fold),
# because writes extend it in place.
ROWS = [
    Row("tensor_array_unstack_stack", _unstack_stack, lambda x: x,
        _samples([(4,), (3, 2), (0,), (2, 1, 3, 2)]) + [(_values((5, 2), (-9, 9), np.int32),)], foldable=False),
    Row("tensor_array_write_read", _write_read, lambda x: np.stack([3 * x, x]) + np.stack([x, 3 * x]),
        _samples([(), (3,), (2, 3), (0, 2)]), foldable=False),
    Row("tensor_array_gather", _gather, lambda x: x[[2, 0, 2]], _samples([(3,), (3, 4), (3, 2, 2)]), foldable=False),
    Row("tensor_array_scatter", _scatter, _scatter_ref, _samples([(3,), (3, 2)]), foldable=False),
    Row("tensor_array_split_concat", _split_concat, lambda x: np.concatenate([x[1:], x]),
        _samples([(4,), (4, 2), (1, 3)]), data_dependent_shape=True, foldable=False),  # TensorFlow's concat: [?] + element[1:]
    Row("tensor_array_size", _size, lambda x: np.int32(len(x)), _samples([(3,), (0, 2)]), grad=False, foldable=False),
    Row("tensor_array_gradient_lists", _gradient_lists, lambda x: 4 * x, _samples([(3,), (4, 2)]), grad=False,
        graph_only=True, foldable=False),
    Row("map_fn", lambda x: tf.map_fn(lambda r: r * r + 1.0, x), lambda x: x * x + 1.0,
        _samples([(4,), (3, 2), (2, 2, 3)]), foldable=False),
    Row("map_fn_nested_output", _map_nested_output, lambda x: 2 * x + x.sum(1, keepdims=True),
        _samples([(3, 2), (1, 4)]), foldable=False),
    Row("map_fn_nested_elems", _map_nested_elems, lambda x: x * (x + 1.0), _samples([(4,), (2, 3)]),
        foldable=False),
    Row("scan", lambda x: tf.scan(lambda a, r: a * 0.5 + r, x), _scan_ref, _samples([(4,), (3, 2), (1, 2)]),
        foldable=False),
    Row("scan_reverse_initializer",
        lambda x: tf.scan(lambda a, r: a * r + 1.0, x, initializer=tf.ones_like(x[0]), reverse=True),
        _scan_reverse_ref, _samples([(4,), (3, 2)]), foldable=False),
    Row("foldl", lambda x: tf.foldl(lambda a, r: a * r + r, x), _foldl_ref, _samples([(4,), (3, 2), (1, 3)]),
        foldable=False),
    Row("foldr_initializer",  # an empty x folds to the initializer
        lambda x: tf.foldr(lambda a, r: a * 0.5 + r * r, x, initializer=tf.reduce_sum(x, 0) * 0.0), _foldr_ref, _samples([(4,), (3, 2), (0, 2)]), foldable=False),
]
