"""Each ONNX exporter against neuroflow itself: small graphs over the op library run in onnxruntime and in onnx's
reference evaluator give neuroflow's outputs (float32 tolerance), with an unknown batch dimension."""
import numpy as np
import pytest

import neuroflow as tf

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
from onnx.reference import ReferenceEvaluator  # noqa: E402

R = np.random.default_rng(7)
F = R.standard_normal((3, 4, 5)).astype(np.float32)       # [batch, 4, 5]
P = (R.random((3, 4, 5)) + 0.5).astype(np.float32)        # positive
IMG = R.standard_normal((2, 7, 7, 3)).astype(np.float32)  # NHWC
I = R.integers(-6, 7, (3, 4)).astype(np.int32)
NZ = np.where(I == 0, 3, I).astype(np.int32)
Z = np.where(R.random((3, 4, 5)) < 0.3, 0, F).astype(np.float32)  # zeros among the divisors


# name -> (fn(*placeholders) -> tensor or list, [input arrays])
CASES = {
    "binary": (lambda a, b: [a + b, a - b, a * b, a / b, tf.maximum(a, b), tf.minimum(a, b), tf.pow(b, a)], [F, P]),
    "compare": (lambda a, b: [a < b, a <= b, a > b, a >= b, tf.equal(a, b), tf.not_equal(a, a * 2),
                              tf.logical_and(a > 0, b > 1), tf.logical_or(a > 0, b > 1), tf.logical_not(a > 0)],
                [F, P]),
    "unary": (lambda a, p: [tf.abs(a), -a, tf.exp(a), tf.log(p), tf.sqrt(p), tf.rsqrt(p), tf.square(a),
                            tf.sigmoid(a), tf.tanh(a), tf.nn.relu(a), tf.nn.relu6(a * 5), tf.nn.elu(a),
                            tf.nn.selu(a), tf.nn.softplus(a), tf.nn.softsign(a), tf.nn.leaky_relu(a, 0.3),
                            tf.log1p(p), tf.sign(a), tf.floor(a * 3), tf.ceil(a * 3), tf.round(a * 3), tf.sin(a),
                            tf.cos(a), tf.reciprocal(p)], [F, P]),
    "int_ops": (lambda i, n: [i // n, i % n, tf.cast(i, tf.float32) * 2.0, i * n + 1, tf.abs(i)], [I, NZ]),
    "float_floordiv": (lambda a, p: [a // p, a % p], [F, P]),
    # Squeezing an unknown batch leaves the rank unknown, so Rank is computed in the model.
    "misc": (lambda a, p: [tf.add_n([a, a * 2, p]), tf.add_n([p]), tf.rank(tf.squeeze(a)),
                           tf.nn.dropout(a, tf.placeholder_with_default(1.0, [])), tf.check_numerics(a, "a"),
                           tf.stop_gradient(p)], [F, P]),
    # Rounded toward zero, not down: -(3i + 1) / i has operands of opposite signs and a remainder.
    "truncate_div": (lambda i, n: [tf.truncatediv(i * 3 + 1, n), tf.truncatediv(-(i * 3 + 1), n),
                                   tf.truncatediv(i * 3 + 1, -n)], [I, NZ]),
    "div_no_nan": (lambda a, z: [tf.div_no_nan(a, z), tf.div_no_nan(a, z * 0), tf.div_no_nan(z, a)], [F, Z]),
    "matmul": (lambda a: [tf.matmul(a[:, 0, :], tf.constant(R.standard_normal((5, 2)), tf.float32)),
                          tf.matmul(a[:, 0, :], tf.constant(R.standard_normal((2, 5)), tf.float32), transpose_b=True),
                          tf.matmul(tf.constant(R.standard_normal((5, 2)), tf.float32), a[:, 0, :], transpose_a=True,
                                    transpose_b=True),
                          tf.matmul(a, tf.transpose(a, [0, 2, 1])), tf.matmul(a, a, adjoint_b=True),
                          tf.tensordot(a, tf.constant(R.standard_normal((5, 2)), tf.float32), axes=1)], [F]),
    "reduce": (lambda a: [tf.reduce_sum(a), tf.reduce_sum(a, 1), tf.reduce_mean(a, [1, 2], keepdims=True),
                          tf.reduce_max(a, -1), tf.reduce_min(a, 0), tf.reduce_prod(a, 2),
                          tf.reduce_all(a > -1, 1), tf.reduce_any(a > 1, [1, 2]), tf.argmax(a, 1),
                          tf.argmin(a, 2, output_type=tf.int32), tf.cumsum(a, 1), tf.cumsum(a, 2, exclusive=True,
                                                                                             reverse=True),
                          tf.nn.l2_loss(a)], [F]),
    "shapes": (lambda a: [tf.reshape(a, [-1, 20]), tf.reshape(a, tf.stack([tf.shape(a)[0], 5, 4])),
                          tf.transpose(a, [2, 0, 1]), tf.expand_dims(a, 1), tf.squeeze(a[:, :1], [1]),
                          tf.shape(a), tf.size(a), tf.rank(a), tf.layers.flatten(a),
                          tf.zeros_like(a), tf.ones_like(a), tf.fill(tf.shape(a)[:2], 2.5),
                          tf.broadcast_to(a[:, :1], tf.shape(a)), tf.tile(a, [1, 2, 1])], [F]),
    "concat_split": (lambda a: [tf.concat([a, a * 2], 1), tf.stack([a, a], axis=-1)] + tf.unstack(a, axis=1)
                     + tf.split(a, 2, axis=1) + tf.split(a, [2, -1], axis=2), [F]),
    "slices": (lambda a: [a[1:], a[:, ::2], a[..., 0], a[:, None, 1], a[-1], a[:, ::-1], a[:, 1:3, -2:],
                          tf.slice(a, [0, 1, 1], [-1, 2, 3]), a[..., tf.newaxis],
                          a[:, tf.shape(a)[1] - 2], a[:tf.shape(a)[0] - 1]], [F]),
    "gather_scatter_nd": (lambda a: [tf.gather_nd(a, [[0, 1], [0, 3]]),
                                     tf.scatter_nd([[1], [3], [1]], a[0, :3], [5, 5]),
                                     tf.sparse_to_dense([[0, 1], [2, 0]], [3, 4], a[0, 0, :2], -1.0),
                                     tf.sparse_to_dense([1, 3], [5], 2.0)], [F]),
    "gather_select": (lambda a: [tf.gather(a, [2, 0], axis=1), tf.gather(a, tf.argmax(a[:, 0, :], 1), axis=2),
                                 tf.where(a > 0, a, -a), tf.where(a[0] > 0), tf.one_hot(tf.argmax(a, 2), 6),
                                 tf.reverse(a, [1, 2])] + list(tf.nn.top_k(a, 2)), [F]),
    "linspace_permutation_top_k": (lambda a: [
        tf.linspace(tf.reduce_min(a), tf.reduce_max(a), 7), tf.linspace(tf.reduce_min(a), 2.0, 1),
        tf.linspace(-1.0, 1.0, tf.shape(a)[0]), tf.invert_permutation(tf.nn.top_k(a[0, 0], 5)[1]),
        tf.nn.in_top_k(a[:, 0], tf.cast(tf.argmin(a[:, 1], 1), tf.int32), 2),
        tf.nn.in_top_k(a[:, 0], tf.cast(tf.argmax(a[:, 1], 1), tf.int64) * 2 - 3, tf.constant(3, tf.int64)),
        tf.nn.in_top_k(tf.where(a[:, 1] > 1.0, a[:, 0] * np.inf, a[:, 0]), tf.argmax(a[:, 0], 1, output_type=tf.int32), 4)],
        [F]),
    "pad_range": (lambda a: [tf.pad(a, [[0, 0], [1, 2], [2, 1]]), tf.pad(a, [[0, 0], [1, 1], [0, 2]],
                                                                          mode="REFLECT"),
                             tf.pad(a, [[0, 0], [1, 0], [0, 1]], constant_values=3.0),
                             tf.range(tf.shape(a)[0]) * 2, tf.range(0.0, 1.0, 0.25)], [F]),
    "softmax_losses": (lambda a: [tf.nn.softmax(a), tf.nn.log_softmax(a, axis=1), tf.nn.softmax(a, axis=0),
                                  tf.nn.softmax_cross_entropy_with_logits_v2(labels=tf.nn.softmax(a * 2),
                                                                             logits=a),
                                  tf.nn.sparse_softmax_cross_entropy_with_logits(
                                      labels=tf.cast(tf.argmax(a[:, 0, :] * 3, 1), tf.int32), logits=a[:, 0, :])],
                       [F]),
    "conv": (lambda x: [tf.nn.conv2d(x, tf.constant(R.standard_normal((3, 3, 3, 4)), tf.float32), [1, 1, 1, 1],
                                     "SAME"),
                        tf.nn.conv2d(x, tf.constant(R.standard_normal((2, 2, 3, 2)), tf.float32), [1, 2, 2, 1],
                                     "VALID"),
                        tf.nn.conv2d(x, tf.constant(R.standard_normal((3, 2, 3, 2)), tf.float32), [1, 2, 1, 1],
                                     "SAME"),
                        tf.nn.conv2d(x, tf.constant(R.standard_normal((3, 3, 3, 2)), tf.float32), [1, 1, 1, 1],
                                     "SAME", dilations=[1, 2, 2, 1]),
                        tf.nn.depthwise_conv2d(x, tf.constant(R.standard_normal((3, 3, 3, 2)), tf.float32),
                                               [1, 1, 1, 1], "SAME"),
                        tf.nn.bias_add(x, tf.constant([1.0, 2.0, 3.0]))], [IMG]),
    "rnn": (lambda x: [tf.nn.dynamic_rnn(tf.nn.rnn_cell.LSTMCell(5), x, dtype=tf.float32)[0],
                       tf.nn.static_rnn(tf.nn.rnn_cell.BasicLSTMCell(3), tf.unstack(x, axis=1), dtype=tf.float32,
                                        scope="static")[0][-1]], [F]),
    "pool": (lambda x: [tf.nn.max_pool(x, [1, 3, 3, 1], [1, 2, 2, 1], "SAME"),
                        tf.nn.max_pool(x, [1, 2, 2, 1], [1, 2, 2, 1], "VALID"),
                        tf.nn.avg_pool(x, [1, 3, 3, 1], [1, 2, 2, 1], "SAME"),
                        tf.nn.avg_pool(x, [1, 2, 3, 1], [1, 1, 2, 1], "VALID")], [IMG]),
    # Half-pixel bicubic 7 -> 14 samples at quarter offsets, where TensorFlow's 1/1024 weight table is exact.
    "resize": (lambda x: [tf.image.resize_bilinear(x, [9, 5]), tf.image.resize_bilinear(x, [4, 11], True),
                          tf.image.resize_nearest_neighbor(x, [3, 10], half_pixel_centers=True),
                          tf.image.resize_bicubic(x, [14, 14], half_pixel_centers=True)], [IMG]),
    # onnx.reference's LRN sums a wrong window at the last channels (onnx 1.23); onnxruntime agrees with us.
    "lrn": (lambda x: [tf.nn.lrn(x, 2, 1.0, 0.1, 0.75), tf.nn.lrn(x, 1, 2.0, 0.5, 0.5)], [IMG], "ort only"),
    "batch_norm": (lambda x: [tf.nn.fused_batch_norm(x, tf.constant([1.0, 2.0, 0.5]), tf.constant([0.1, 0.0, -1.0]),
                                                     mean=tf.constant([0.2, -0.1, 0.0]),
                                                     variance=tf.constant([1.5, 0.5, 2.0]), is_training=False)[0],
                              tf.nn.batch_normalization(x, 0.1, 2.0, 0.5, 1.5, 1e-3),
                              tf.clip_by_value(x, -0.5, 0.5)], [IMG]),
    # If/While with a tf.Print inside are the stateful If/While; IdentityN is what tf.custom_gradient makes.
    "control_flow": (lambda a: [tf.cond(tf.reduce_sum(a) > 0, lambda: a * 2.0, lambda: -a),
                                tf.cond(tf.reduce_sum(a) < 0, lambda: tf.Print(a, [a]), lambda: a + 1.0),
                                tf.while_loop(lambda i, v: i < 3, lambda i, v: (i + 1, v * 0.5 + a), [0, a])[1],
                                tf.while_loop(lambda i, v: i < 2, lambda i, v: (i + 1, tf.Print(v, [i]) - 1.0),
                                              [0, a])[1],
                                tf.custom_gradient(lambda v: (v * 3.0, lambda dy: dy))(a)], [F]),
}

# Cases the ONNX importer cannot read back (ONNX sequences have no importer): export only.
EXPORT_ONLY_CASES = {
    # TensorArray lists as ONNX sequences; onnx's reference SequenceInsert fails on an empty sequence (onnx 1.x).
    "tensor_list": (lambda a: [tf.map_fn(lambda r: tf.reduce_sum(r * r), a),
                               tf.scan(lambda acc, r: acc * 0.5 + r, a),
                               tf.cast(tf.TensorArray(tf.float32, size=0, dynamic_size=True).unstack(a).size(),
                                       tf.float32),
                               tf.TensorArray(tf.float32, size=0, dynamic_size=True).unstack(a).read(0)],
                    [F], "ort only"),
    # Unique and ReverseSequence have no ONNX importer yet. Unique of [batch * 4] ints with repeats, int32 and int64.
    "unique": (lambda i: [tf.unique(tf.reshape(i // 3, [-1])).y, tf.unique(tf.reshape(i // 3, [-1])).idx,
                          tf.unique(tf.reshape(i, [-1]), out_idx=tf.int64).idx], [I]),
    # ReverseSequence has no ONNX importer yet. Lengths 0..4 over [batch, 4, 5], batch-major, time-major, other axes.
    "reverse_sequence": (lambda a: [tf.reverse_sequence(a, tf.range(tf.shape(a)[0]) * 2 % 5, seq_axis=1),
                                    tf.reverse_sequence(a, tf.cast(tf.range(4) % 2, tf.int64), seq_axis=0,
                                                        batch_axis=1),
                                    tf.reverse_sequence(a, tf.range(tf.shape(a)[0]) + 3, seq_axis=2)], [F]),
}
ALL_CASES = {**CASES, **EXPORT_ONLY_CASES}


def _placeholder(array):
    dtype = tf.as_dtype(array.dtype)
    return tf.placeholder(dtype, [None] + list(array.shape[1:]))


@pytest.mark.parametrize("case", sorted(ALL_CASES))
def test_exported_ops_match_neuroflow(case):
    fn, arrays = ALL_CASES[case][:2]
    phs = [_placeholder(a) for a in arrays]
    outs = fn(*phs)
    outs = outs if isinstance(outs, list) else [outs]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        model = tf.onnx.export(sess, phs, outs, input_names=[f"in{i}" for i in range(len(phs))])
        batches = [arrays, [a[:1] for a in arrays]]
        expected = [sess.run(outs, dict(zip(phs, b))) for b in batches]
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    runners = [session] if len(ALL_CASES[case]) > 2 else [session, ReferenceEvaluator(model)]
    for b, want in zip(batches, expected):
        feeds = {f"in{i}": a for i, a in enumerate(b)}
        for runner in runners:
            got = runner.run(None, feeds)
            for k, (g, w) in enumerate(zip(got, want)):
                assert g.dtype == np.asarray(w).dtype, (case, k, g.dtype, np.asarray(w).dtype)
                np.testing.assert_allclose(g, w, rtol=2e-5, atol=2e-5, err_msg=f"{case} output {k}")


def test_mirror_pad_symmetric_and_dynamic_perm_are_reported():
    x = tf.placeholder(tf.float32, [None, 4])
    sym = tf.pad(x, [[0, 0], [1, 1]], mode="SYMMETRIC")
    with tf.Session() as sess:
        with pytest.raises(tf.onnx.ExportError, match="MirrorPad mode SYMMETRIC has no ONNX equivalent"):
            tf.onnx.export(sess, [x], [sym])
        perm = tf.placeholder(tf.int32, [2])
        with pytest.raises(tf.onnx.ExportError, match="input 'perm' must be known when exporting"):
            tf.onnx.export(sess, [x, perm], [tf.transpose(x, perm)])


def test_every_exporter_runs_in_some_case(monkeypatch):
    """Each OpDef's exporter is called by some case above (whose ONNX outputs the test above compares), so none is
    registered without being tried."""
    from neuroflow.onnx import registry
    called = set()
    for opdef, fn in registry.registered_exporters().items():
        monkeypatch.setitem(registry._EXPORTERS, opdef, lambda ctx, op, fn=fn: (called.add(op.opdef), fn(ctx, op)))
    for fn, arrays in (case[:2] for case in ALL_CASES.values()):
        tf.reset_default_graph()
        phs = [_placeholder(a) for a in arrays]
        outs = fn(*phs)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            tf.onnx.export(sess, phs, outs if isinstance(outs, list) else [outs])
    untried = sorted(opdef.type_name for opdef in set(registry.registered_exporters()) - called)
    assert untried == [], f"exporters no case in tests/test_onnx_ops.py calls: {untried}"
