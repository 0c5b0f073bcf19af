"""Op-table rows for array manipulation and indexing ops (transpose, squeeze, concat, split, slice, gather, one_hot, tile, pad, range, ...)."""
import numpy as np

import neuroflow as tf
from op_table_base import Row, _noncontiguous, _values, unary_samples

F64, I32, I64 = np.float64, np.int32, np.int64


def V(*shape, dtype=F64, domain=(-2.0, 2.0)):  # noqa: N802 - short on purpose: many samples below
    return _values(shape, domain, dtype)


def NC(*shape, dtype=F64):  # noqa: N802
    return _noncontiguous(shape, (-2.0, 2.0), dtype)


def _unknown_rank(x):
    """`x` behind a placeholder of unknown rank, to exercise the dynamic (run-time shape) paths."""
    return tf.placeholder_with_default(x, None)


def _fold(x, pads, mode, g):
    """Adjoint of np.pad(mode) applied to `g`, via the index map (independent of MirrorPadGrad's folding)."""
    idx = np.pad(np.arange(x.size).reshape(x.shape), pads, mode)
    return np.bincount(idx.ravel(), weights=g.ravel(), minlength=x.size).reshape(x.shape)


def _square_grad(f_np, x):
    """d/dx sum(f(x)**2) for a map `f_np` that only moves (or zero-fills) entries: 2 * f's adjoint of f(x),
    the adjoint found by pushing entry numbers through `f_np` (0 marks a filled-in entry)."""
    y = f_np(x)
    idx = f_np(np.arange(1, x.size + 1).reshape(x.shape))
    return np.bincount(idx.ravel(), weights=(2 * y).ravel(), minlength=x.size + 1)[1:].reshape(x.shape)


def _one_hot_ref(i, depth, axis=-1, on=1.0, off=0.0, dtype=np.float32):
    out = np.where(np.expand_dims(i, -1) == np.arange(depth), on, off).astype(dtype)
    return np.moveaxis(out, -1, axis)


def _rows():
    rows = []
    rank4 = [(V(2, 3, 1, 4),), (V(2, 0, 3, 1),), (NC(3, 2, 4, 2),), (V(2, 3, 1, 4, dtype=I32, domain=(-9, 9)),),
             (V(1, 2, 3, 2, dtype=np.bool_),)]
    # --- transpose -------------------------------------------------------------------------------------------
    rows.append(Row("transpose", tf.transpose, np.transpose,
                    unary_samples() + [(V(3, 4, dtype=I32, domain=(-9, 9)),), (V(2, 3, dtype=np.bool_),)]))
    rows.append(Row("transpose_perm", lambda x: tf.transpose(x, [0, 2, 3, 1]),
                    lambda x: np.transpose(x, (0, 2, 3, 1)), rank4))
    rows.append(Row("transpose_perm_tensor", lambda x, p: tf.transpose(x, p), np.transpose,
                    [(V(2, 3, 4), np.array([2, 0, 1], I32)), (V(3, 0, 2), np.array([1, 2, 0], I64))],
                    data_dependent_shape=True))
    rows.append(Row("transpose_unknown_rank", lambda x: tf.transpose(_unknown_rank(x)), np.transpose,
                    [(V(2, 3, 4),), (V(5,),), (NC(3, 2),)], data_dependent_shape=True, foldable=False))
    rows.append(Row("transpose_conjugate", lambda x: tf.transpose(x, [1, 0], conjugate=True),
                    lambda x: np.conj(x.T), [(V(2, 3) + 1j * V(2, 3),), (V(0, 2).astype(np.complex64),)],
                    grad=False))
    rows.append(Row("transpose_conjugate_real", lambda x: tf.transpose(x, conjugate=True), np.transpose,
                    [(V(2, 3),)]))
    rows.append(Row("invert_permutation", tf.invert_permutation, lambda p: np.argsort(p).astype(p.dtype),
                    [(np.array([3, 4, 0, 2, 1], I32),), (np.zeros(0, I32),), (np.array([1, 0], I64),)], grad=False))
    # --- squeeze ---------------------------------------------------------------------------------------------
    rows.append(Row("squeeze", tf.squeeze, np.squeeze,
                    [(V(2, 1, 3, 1),), (V(1, 1),), (V(),), (V(1, 0, 1),), (NC(4, 1),),
                     (V(1, 3, dtype=I32, domain=(-9, 9)),)]))
    rows.append(Row("squeeze_axis", lambda x: tf.squeeze(x, [-1, 1]), lambda x: np.squeeze(x, (-1, 1)),
                    [(V(2, 1, 3, 1),), (V(0, 1, 1),), (NC(3, 1, 1),),
                     (V(3, 1, 1, dtype=np.bool_),)]))
    rows.append(Row("squeeze_int_axis", lambda x: tf.squeeze(x, axis=0), lambda x: x[0],
                    [(V(1, 3),), (V(1),), (V(1, 0, 2, dtype=I32),)]))
    # --- concat / split --------------------------------------------------------------------------------------
    rows.append(Row("concat", lambda x, y: tf.concat([x, y], -1), lambda x, y: np.concatenate([x, y], -1),
                    [(V(3, 4), V(3, 2)), (V(2, 3, 1, 2), V(2, 3, 1, 5)), (V(0, 3), V(0, 2)), (NC(3, 4), V(3, 1)),
                     (V(4), V(0)), (V(2, 2, dtype=I32, domain=(-9, 9)), V(2, 3, dtype=I32, domain=(-9, 9))),
                     (V(2, 1, dtype=np.bool_), V(2, 2, dtype=np.bool_))]))
    rows.append(Row("concat3_axis0", lambda x, y, z: tf.concat([x, y, z], 0),
                    lambda x, y, z: np.concatenate([x, y, z], 0),
                    [(V(1, 2, 1, 3), V(2, 2, 1, 3), V(0, 2, 1, 3)), (NC(2, 3), V(1, 3), V(4, 3))]))
    rows.append(Row("concat_single", lambda x: tf.concat([x], 1), lambda x: x, [(V(2, 3),), (NC(3, 2),)]))
    rows.append(Row("split_equal", lambda x: tf.stack(tf.split(x, 3, axis=1)),
                    lambda x: np.stack(np.split(x, 3, axis=1)),
                    [(V(2, 6),), (V(2, 3, 1, 2),), (V(0, 3),), (NC(3, 6),), (V(2, 3, dtype=I32, domain=(-9, 9)),)]))
    rows.append(Row("split_one_part", lambda x: tf.split(x, 2, axis=-1)[1], lambda x: np.split(x, 2, axis=-1)[1],
                    [(V(3, 4),), (V(2, 1, 3, 2),), (NC(2, 4),)]))
    rows.append(Row("split_sizes", lambda x: tf.concat(tf.split(x, [1, -1, 2], axis=0)[::-1], 0),
                    lambda x: np.concatenate([x[-2:], x[1:-2], x[:1]], 0),
                    [(V(5),), (V(5, 2, 1, 3),), (NC(5, 3),), (V(3, 0),), (V(4, 2, dtype=I32, domain=(-9, 9)),)]))
    rows.append(Row("split_sizes_tensor", lambda x, s: tf.split(x, s, axis=1, num=2)[0],
                    lambda x, s: x[:, :s[0]], [(V(2, 5), np.array([2, 3], I32)), (V(3, 2), np.array([0, 2], I64))],
                    data_dependent_shape=True))
    # --- slice / tile ----------------------------------------------------------------------------------------
    rows.append(Row("slice", lambda x: tf.slice(x, [1, 1], [-1, 2]), lambda x: x[1:, 1:3],
                    [(V(3, 4),), (NC(3, 4),), (V(2, 3, dtype=I32, domain=(-9, 9)),), (V(1, 3),)]))
    rows.append(Row("slice_rank4", lambda x: tf.slice(x, [1, 0, 1, 0], [1, -1, 2, 1]),
                    lambda x: x[1:2, :, 1:3, 0:1], [(V(2, 3, 4, 2),), (NC(3, 2, 3, 2),)]))
    rows.append(Row("slice_empty", lambda x: tf.slice(x, np.array([1, 0], I64), np.array([0, -1], I64)),
                    lambda x: x[1:1, :], [(V(3, 4),), (V(2, 0),)]))
    rows.append(Row("slice_tensor_begin", lambda x, b: tf.slice(x, b, [2, -1]), lambda x, b: x[b[0]:b[0] + 2,
                                                                                            b[1]:],
                    [(V(4, 3), np.array([1, 2], I32)), (V(2, 2), np.array([0, 0], I32))], data_dependent_shape=True))
    rows.append(Row("tile", lambda x: tf.tile(x, [2, 1, 3]), lambda x: np.tile(x, (2, 1, 3)),
                    [(V(2, 1, 3),), (V(1, 0, 2),), (NC(2, 3, 2),), (V(2, 2, 1, dtype=I32, domain=(-9, 9)),),
                     (V(1, 2, 1, dtype=np.bool_),)]))
    rows.append(Row("tile_rank4", lambda x: tf.tile(x, [1, 2, 0, 2]), lambda x: np.tile(x, (1, 2, 0, 2)),
                    [(V(2, 3, 1, 4),)]))
    rows.append(Row("tile_unknown_rank", lambda x: tf.tile(_unknown_rank(x), [3, 2]), lambda x: np.tile(x, (3, 2)),
                    [(V(2, 3),), (NC(1, 2),)], data_dependent_shape=True, foldable=False))
    # --- pad -------------------------------------------------------------------------------------------------
    rows.append(Row("pad", lambda x: tf.pad(x, [[1, 0], [2, 1]]), lambda x: np.pad(x, [[1, 0], [2, 1]]),
                    [(V(3, 4),), (NC(3, 4),), (V(0, 3),), (V(2, 2, dtype=I32, domain=(-9, 9)),),
                     (V(1, 2, dtype=np.bool_),)]))
    rows.append(Row("pad_constant_values", lambda x: tf.pad(x, [[0, 1], [1, 1], [0, 0], [2, 0]], constant_values=1.5),
                    lambda x: np.pad(x, [[0, 1], [1, 1], [0, 0], [2, 0]], constant_values=1.5),
                    [(V(2, 3, 1, 2),), (NC(1, 2, 2, 3),)]))
    rows.append(Row("pad_constant_int", lambda x: tf.pad(x, [[1, 1]], constant_values=7),
                    lambda x: np.pad(x, [[1, 1]], constant_values=7), [(V(3, dtype=I32, domain=(-9, 9)),)],
                    grad=False))  # integer data: nothing to differentiate
    rows.append(Row("pad_reflect", lambda x: tf.pad(x, [[1, 2], [2, 1]], "REFLECT"),
                    lambda x: np.pad(x, [[1, 2], [2, 1]], "reflect"),
                    [(V(3, 4),), (V(4, 3),), (NC(3, 3),), (V(3, 3, dtype=I32, domain=(-9, 9)),)]))
    rows.append(Row("pad_symmetric", lambda x: tf.pad(x, [[2, 1], [0, 0], [0, 3], [1, 1]], "symmetric"),
                    lambda x: np.pad(x, [[2, 1], [0, 0], [0, 3], [1, 1]], "symmetric"),
                    [(V(2, 1, 3, 1),), (V(3, 0, 4, 2),), (NC(2, 2, 3, 1),)]))
    rows.append(Row("pad_tensor_paddings", lambda x, p: tf.pad(x, p, "Reflect"), lambda x, p: np.pad(x, p, "reflect"),
                    [(V(3, 4), np.array([[1, 2], [0, 3]], I32)), (V(2, 2), np.array([[0, 0], [1, 1]], I64))],
                    data_dependent_shape=True))
    for mode, pads in [("REFLECT", [[1, 2], [2, 0]]), ("SYMMETRIC", [[2, 0], [3, 1]])]:
        rows.append(Row(f"mirror_pad_grad_{mode.lower()}",
                        lambda x, mode=mode, pads=pads: tf.gradients(tf.reduce_sum(tf.square(tf.pad(x, pads, mode))),
                                                                     x)[0],
                        lambda x, mode=mode, pads=pads: _fold(x, pads, mode.lower(), 2 * np.pad(x, pads,
                                                                                                mode.lower())),
                        [(V(3, 3),), (NC(4, 3),)], graph_only=True))
    # --- reverse ---------------------------------------------------------------------------------------------
    rows.append(Row("reverse", lambda x: tf.reverse(x, [0, -1]), lambda x: np.flip(x, (0, -1)),
                    [(V(3, 4),), (V(2, 3, 1, 4),), (V(0, 3),), (NC(3, 4),), (V(2, 3, dtype=I32, domain=(-9, 9)),),
                     (V(2, 2, dtype=np.bool_),)]))
    rows.append(Row("reverse_v2", lambda x: tf.reverse_v2(x, [1]), lambda x: x[:, ::-1], [(V(2, 3),), (V(1, 4, 2),)]))
    rows.append(Row("reverse_no_axes", lambda x: tf.reverse(x, np.zeros(0, I32)), lambda x: x, [(V(2, 3),)]))
    # --- gather ----------------------------------------------------------------------------------------------
    rows.append(Row("gather", lambda x: tf.gather(x, [2, 0, 2]), lambda x: x[[2, 0, 2]],
                    [(V(3, 4),), (V(3),), (NC(3, 4),), (V(4, 2, 1, 3),), (V(3, 0),),
                     (V(3, 2, dtype=I32, domain=(-9, 9)),), (V(3, dtype=np.bool_),)]))
    rows.append(Row("gather_axis", lambda x: tf.gather(x, [[1, 0], [1, 1]], axis=-1),
                    lambda x: np.take(x, [[1, 0], [1, 1]], axis=-1), [(V(2, 3, 1, 2),), (NC(3, 2),)]))
    rows.append(Row("gather_axis1_empty", lambda x: tf.gather(x, np.zeros((0, 2), I64), axis=1),
                    lambda x: np.take(x, np.zeros((0, 2), I64), axis=1), [(V(3, 4),)]))
    rows.append(Row("gather_tensor_indices", tf.gather, lambda x, i: x[i],
                    [(V(5, 2), np.array([4, 0, 4, 1], I32)), (V(3), np.array([[2], [0]], I64)),
                     (V(4), np.zeros(0, I32))]))
    rows.append(Row("gather_scalar_index", lambda x: tf.gather(x, 1, axis=1), lambda x: x[:, 1],
                    [(V(2, 3),), (V(2, 2, 3),)]))
    rows.append(Row("gather_grad", lambda x: tf.gradients(tf.reduce_sum(tf.square(tf.gather(x, [2, 0, 2, 2],
                                                                                              axis=1))), x)[0],
                    lambda x: 2 * x * np.bincount([2, 0, 2, 2], minlength=x.shape[1]), [(V(2, 3),), (NC(3, 4),)],
                    graph_only=True))
    # --- one_hot ---------------------------------------------------------------------------------------------
    idx = [(V(6, dtype=I32, domain=(-1, 5)),), (V(2, 3, dtype=I32, domain=(0, 4)),), (np.array(2, I32),),
           (np.zeros(0, I32),), (V(2, 2, dtype=I64, domain=(-2, 4)),), (V(4, dtype=np.uint8, domain=(0, 5)),)]
    rows.append(Row("one_hot", lambda i: tf.one_hot(i, 4), lambda i: _one_hot_ref(i, 4), idx, grad=False))
    rows.append(Row("one_hot_axis0", lambda i: tf.one_hot(i, 3, on_value=5.0, off_value=-1.0, axis=0,
                                                          dtype=tf.float32),
                    lambda i: _one_hot_ref(i, 3, 0, 5.0, -1.0), idx[:2], grad=False))
    rows.append(Row("one_hot_int", lambda i: tf.one_hot(i, 3, dtype=tf.int32), lambda i: _one_hot_ref(i, 3,
                                                                                                   dtype=I32),
                    idx[:3], grad=False))
    rows.append(Row("one_hot_on_off_f64", lambda i, on, off: tf.one_hot(i, 2, on, off, axis=1),
                    lambda i, on, off: _one_hot_ref(i, 2, 1, on, off, F64),
                    [(V(3, 2, dtype=I32, domain=(0, 2)), np.float64(3.5), np.float64(0.5))], grad=False))
    # --- range / linspace / rank -----------------------------------------------------------------------------
    rows.append(Row("range", tf.range, lambda s, e, d: np.arange(s, e, d, dtype=s.dtype),
                    [(np.int32(2), np.int32(11), np.int32(3)), (np.int32(5), np.int32(-3), np.int32(-2)),
                     (np.float32(1.0), np.float32(2.6), np.float32(0.5)), (np.float64(0.0), np.float64(-1.0),
                                                                           np.float64(-0.25)),
                     (np.int64(3), np.int64(3), np.int64(1))], grad=False, data_dependent_shape=True))
    rows.append(Row("range_limit_only", tf.range, lambda n: np.arange(n, dtype=n.dtype),
                    [(np.int32(4),), (np.int32(0),), (np.float64(2.5),)], grad=False, data_dependent_shape=True))
    rows.append(Row("range_static", lambda x: x * tf.range(1.0, 3.0, 0.5, dtype=tf.float64),
                    lambda x: x * np.arange(1.0, 3.0, 0.5), [(V(4),), (V(2, 4),)]))
    rows.append(Row("linspace", lambda a, b: tf.linspace(a, b, 5), lambda a, b: np.linspace(a, b, 5, dtype=a.dtype),
                    [(np.float64(-1.0), np.float64(3.0)), (np.float32(2.0), np.float32(0.5))], grad=False))
    rows.append(Row("lin_space_num", lambda a, b, n: tf.lin_space(a, b, n), lambda a, b, n: np.linspace(a, b, n),
                    [(np.float64(0.0), np.float64(1.0), np.int32(3)), (np.float64(2.0), np.float64(4.0),
                                                                       np.int32(1))],
                    grad=False, data_dependent_shape=True))
    rows.append(Row("rank", tf.rank, lambda x: np.int32(x.ndim), unary_samples()[:4], grad=False))
    rows.append(Row("rank_unknown", lambda x: tf.rank(_unknown_rank(x)), lambda x: np.int32(x.ndim),
                    unary_samples()[:4], grad=False, foldable=False))
    # --- masks -----------------------------------------------------------------------------------------------
    lengths = [(np.array([0, 3, 1], I32),), (np.array([[2, 5], [4, 1]], I32),), (np.zeros(0, I32),)]
    rows.append(Row("sequence_mask", lambda n: tf.sequence_mask(n, 5), lambda n: np.arange(5) < n[..., None],
                    lengths, grad=False))
    rows.append(Row("sequence_mask_float", lambda n: tf.sequence_mask(n, 4, dtype=tf.float64),
                    lambda n: (np.arange(4) < n[..., None]).astype(F64), lengths[:2], grad=False))
    rows.append(Row("boolean_mask", lambda x: tf.boolean_mask(x, [True, False, True]),
                    lambda x: x[[True, False, True]], [(V(3),), (V(3, 4),), (NC(3, 2),), (V(3, 0),),
                                                       (V(3, 2, dtype=I32, domain=(-9, 9)),)],
                    data_dependent_shape=True, foldable=False))
    mask2 = np.array([[True, False], [True, True], [False, False]])
    rows.append(Row("boolean_mask_axis", lambda x: tf.boolean_mask(x, mask2, axis=1),
                    lambda x: x.reshape(x.shape[0], 6, *x.shape[3:])[:, mask2.ravel()],
                    [(V(2, 3, 2, 4),), (V(1, 3, 2),)], data_dependent_shape=True, foldable=False))
    rows.append(Row("boolean_mask_tensor", tf.boolean_mask, lambda x, m: x[m],
                    [(V(4, 2), np.array([True, False, True, True])), (V(2, 3), np.ones((2, 3), bool))],
                    data_dependent_shape=True, foldable=False))
    rows.append(Row("sequence_mask_default_maxlen", tf.sequence_mask, lambda n: np.arange(n.max()) < n[..., None],
                    lengths[:2], grad=False, data_dependent_shape=True))
    # Second order: each movement op's gradient (built from the others) differentiated again.
    mask = np.array([True, False, True])
    for name, f_tf, f_np, shape in [
        ("transpose", lambda x: tf.transpose(x, [1, 0]), lambda a: a.T, (3, 4)),
        ("squeeze", lambda x: tf.squeeze(x, [1]), lambda a: a[:, 0], (3, 1)),
        ("concat", lambda x: tf.concat([x, x[::-1]], 0), lambda a: np.concatenate([a, a[::-1]], 0), (3, 2)),
        ("split", lambda x: tf.concat(tf.split(x, [1, -1], 1)[::-1], 1), lambda a: np.roll(a, -1, 1), (2, 4)),
        ("split_equal", lambda x: tf.split(x, 2, 0)[1], lambda a: a[2:], (4, 2)),
        ("slice", lambda x: tf.slice(x, [1, 1], [-1, 2]), lambda a: a[1:, 1:3], (3, 4)),
        ("tile", lambda x: tf.tile(x, [2, 3]), lambda a: np.tile(a, (2, 3)), (2, 2)),
        ("pad", lambda x: tf.pad(x, [[1, 0], [0, 2]]), lambda a: np.pad(a, [[1, 0], [0, 2]]), (2, 3)),
        ("pad_v2", lambda x: tf.pad(x, [[1, 1]], constant_values=0.5), lambda a: np.pad(a, [[1, 1]]), (3,)),
        ("reverse", lambda x: tf.reverse(x, [-1]), lambda a: a[:, ::-1], (2, 3)),
        ("gather", lambda x: tf.gather(x, [[2, 0], [2, 2]], axis=1), lambda a: a[:, [[2, 0], [2, 2]]], (2, 3)),
        ("boolean_mask", lambda x: tf.boolean_mask(x, mask), lambda a: a[mask], (3, 2)),
    ]:
        rows.append(Row(f"grad_of_{name}",
                        lambda x, f_tf=f_tf: tf.gradients(tf.reduce_sum(tf.square(f_tf(x))), x)[0],
                        lambda x, f_np=f_np: _square_grad(f_np, x), [(V(*shape),), (NC(*shape),)],
                        graph_only=True, foldable=name != "boolean_mask"))
    return rows


ROWS = _rows()
COVERED_ELSEWHERE = set()
