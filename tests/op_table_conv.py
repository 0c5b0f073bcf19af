"""Op-table rows for convolution and pooling.

The references below are written from the definitions (one output pixel and one kernel offset at a time, with
TensorFlow's documented SAME rule: out = ceil(in / stride), total padding max((out - 1) * stride + k_eff - in, 0),
the odd pixel at the bottom/right), independent of neuroflow's im2col kernels; inputs are tiny.
"""
import numpy as np

import neuroflow as tf
from op_table_base import Row, _noncontiguous, _values

F64 = np.float64


def _axis(size, k, stride, dilation, padding, explicit=None):
    """(output size, padding before) along one axis."""
    ek = (k - 1) * dilation + 1
    if explicit is not None:
        return (size + explicit[0] + explicit[1] - ek) // stride + 1, explicit[0]
    if padding == "VALID":
        return (size - ek) // stride + 1, 0
    out = -(-size // stride)
    return out, max((out - 1) * stride + ek - size, 0) // 2


def _taps(in_hw, k_hw, strides, dilations, padding, explicit=None):
    """Yields (i, j, p, q, r, c): output pixel (i, j) reads input (r, c) (inside the image) at offset (p, q)."""
    (h, w), (kh, kw), (sh, sw), (dh, dw) = in_hw, k_hw, strides, dilations
    ho, pt = _axis(h, kh, sh, dh, padding, explicit and explicit[0])
    wo, pl = _axis(w, kw, sw, dw, padding, explicit and explicit[1])
    for i in range(ho):
        for j in range(wo):
            for p in range(kh):
                for q in range(kw):
                    r, c = i * sh + p * dh - pt, j * sw + q * dw - pl
                    if 0 <= r < h and 0 <= c < w:
                        yield i, j, p, q, r, c


def _out_hw(in_hw, k_hw, strides, dilations, padding, explicit=None):
    return (_axis(in_hw[0], k_hw[0], strides[0], dilations[0], padding, explicit and explicit[0])[0],
            _axis(in_hw[1], k_hw[1], strides[1], dilations[1], padding, explicit and explicit[1])[0])


def ref_conv(x, w, strides=(1, 1), padding="VALID", dilations=(1, 1), explicit=None):
    ho, wo = _out_hw(x.shape[1:3], w.shape[:2], strides, dilations, padding, explicit)
    out = np.zeros((x.shape[0], ho, wo, w.shape[3]), x.dtype)
    for i, j, p, q, r, c in _taps(x.shape[1:3], w.shape[:2], strides, dilations, padding, explicit):
        out[:, i, j] += x[:, r, c] @ w[p, q]
    return out


def ref_conv_input_grad(in_shape, w, dy, strides=(1, 1), padding="VALID", dilations=(1, 1), explicit=None):
    dx = np.zeros(in_shape, dy.dtype)
    for i, j, p, q, r, c in _taps(in_shape[1:3], w.shape[:2], strides, dilations, padding, explicit):
        dx[:, r, c] += dy[:, i, j] @ w[p, q].T
    return dx


def ref_conv_filter_grad(x, w_shape, dy, strides=(1, 1), padding="VALID", dilations=(1, 1), explicit=None):
    dw = np.zeros(w_shape, dy.dtype)
    for i, j, p, q, r, c in _taps(x.shape[1:3], w_shape[:2], strides, dilations, padding, explicit):
        dw[p, q] += x[:, r, c].T @ dy[:, i, j]
    return dw


def ref_depthwise(x, w, strides=(1, 1), padding="VALID", dilations=(1, 1)):
    ho, wo = _out_hw(x.shape[1:3], w.shape[:2], strides, dilations, padding)
    n, c, m = x.shape[0], w.shape[2], w.shape[3]
    out = np.zeros((n, ho, wo, c, m), x.dtype)
    for i, j, p, q, r, cc in _taps(x.shape[1:3], w.shape[:2], strides, dilations, padding):
        out[:, i, j] += x[:, r, cc, :, None] * w[p, q]
    return out.reshape(n, ho, wo, c * m)


def ref_depthwise_input_grad(in_shape, w, dy, strides=(1, 1), padding="VALID"):
    dx = np.zeros(in_shape, dy.dtype)
    c, m = w.shape[2], w.shape[3]
    dy5 = dy.reshape(dy.shape[:3] + (c, m))
    for i, j, p, q, r, cc in _taps(in_shape[1:3], w.shape[:2], strides, (1, 1), padding):
        dx[:, r, cc] += (dy5[:, i, j] * w[p, q]).sum(-1)
    return dx


def ref_depthwise_filter_grad(x, w_shape, dy, strides=(1, 1), padding="VALID"):
    dw = np.zeros(w_shape, dy.dtype)
    dy5 = dy.reshape(dy.shape[:3] + tuple(w_shape[2:]))
    for i, j, p, q, r, cc in _taps(x.shape[1:3], w_shape[:2], strides, (1, 1), padding):
        dw[p, q] += (x[:, r, cc, :, None] * dy5[:, i, j]).sum(0)
    return dw


def _pool_windows(x, k, s, padding):
    """{(i, j): [(r, c), ...]} of real positions in row-major order."""
    wins = {}
    for i, j, p, q, r, c in _taps(x.shape[1:3], k, s, (1, 1), padding):
        wins.setdefault((i, j), []).append((r, c))
    return wins, _out_hw(x.shape[1:3], k, s, (1, 1), padding)


def ref_max_pool(x, k, s, padding):
    wins, (ho, wo) = _pool_windows(x, k, s, padding)
    out = np.empty((x.shape[0], ho, wo, x.shape[3]), x.dtype)
    for (i, j), pos in wins.items():
        out[:, i, j] = np.max(np.stack([x[:, r, c] for r, c in pos]), axis=0)
    return out


def _first_max(x, pos):
    """Per (batch, channel): the index into `pos` of the first maximum."""
    vals = np.stack([x[:, r, c] for r, c in pos])  # [K, N, C]
    return np.argmax(vals, axis=0)


def ref_max_pool_grad(x, g, k, s, padding):
    wins, _ = _pool_windows(x, k, s, padding)
    dx = np.zeros_like(x)
    for (i, j), pos in wins.items():
        first = _first_max(x, pos)
        for n in range(x.shape[0]):
            for ch in range(x.shape[3]):
                r, c = pos[first[n, ch]]
                dx[n, r, c, ch] += g[n, i, j, ch]
    return dx


def ref_max_pool_grad_grad(x, h, k, s, padding):
    wins, (ho, wo) = _pool_windows(x, k, s, padding)
    out = np.zeros((x.shape[0], ho, wo, x.shape[3]), x.dtype)
    for (i, j), pos in wins.items():
        first = _first_max(x, pos)
        for n in range(x.shape[0]):
            for ch in range(x.shape[3]):
                r, c = pos[first[n, ch]]
                out[n, i, j, ch] = h[n, r, c, ch]
    return out


def ref_avg_pool(x, k, s, padding):
    wins, (ho, wo) = _pool_windows(x, k, s, padding)
    out = np.empty((x.shape[0], ho, wo, x.shape[3]), x.dtype)
    for (i, j), pos in wins.items():
        out[:, i, j] = np.mean(np.stack([x[:, r, c] for r, c in pos]), axis=0)
    return out


def ref_avg_pool_grad(x, g, k, s, padding):
    wins, _ = _pool_windows(x, k, s, padding)
    dx = np.zeros_like(x)
    for (i, j), pos in wins.items():
        for r, c in pos:
            dx[:, r, c] += g[:, i, j] / len(pos)
    return dx


def _nchw(a):
    return np.ascontiguousarray(a.transpose(0, 3, 1, 2))


def _nhwc(a):
    return np.ascontiguousarray(a.transpose(0, 2, 3, 1))


def _v(*shape, dtype=F64):
    return _values(shape, (-1, 1), dtype)


def _conv_rows():
    rows = []
    # (name, x shape, filter shape, strides, padding, dilations, explicit pads)
    cases = [
        ("valid", (2, 5, 5, 3), (3, 3, 3, 4), (1, 1), "VALID", (1, 1), None),
        ("same_s2_odd", (1, 6, 7, 2), (3, 3, 2, 3), (2, 2), "SAME", (1, 1), None),
        ("same_k4_k2", (3, 5, 4, 2), (4, 2, 2, 3), (1, 1), "SAME", (1, 1), None),
        ("same_s2_k2", (2, 5, 5, 1), (2, 2, 1, 2), (2, 2), "SAME", (1, 1), None),
        ("dilated_same", (2, 7, 6, 2), (3, 2, 2, 2), (1, 1), "SAME", (2, 3), None),
        ("dilated_strided", (1, 9, 8, 2), (2, 3, 2, 3), (2, 3), "VALID", (2, 2), None),
        ("explicit", (2, 4, 5, 2), (3, 2, 2, 2), (2, 1), "EXPLICIT", (1, 1), ((1, 2), (0, 1))),
        ("explicit_wide_s1", (1, 4, 4, 2), (2, 2, 2, 2), (1, 1), "EXPLICIT", (1, 1), ((3, 1), (0, 2))),
        ("one_by_one", (2, 4, 4, 3), (1, 1, 3, 5), (1, 1), "VALID", (1, 1), None),
        ("one_by_one_s2", (2, 5, 5, 3), (1, 1, 3, 2), (2, 2), "SAME", (1, 1), None),
        ("kernel_as_input", (1, 3, 3, 2), (3, 3, 2, 2), (1, 1), "VALID", (1, 1), None),
    ]
    for name, xs, ws, st, pad, dil, exp in cases:
        padding = pad if exp is None else [[0, 0], list(exp[0]), list(exp[1]), [0, 0]]

        def fn(x, w, st=st, padding=padding, dil=dil):
            return tf.nn.conv2d(x, w, strides=[1, st[0], st[1], 1], padding=padding, dilations=[1, dil[0], dil[1], 1])

        def ref(x, w, st=st, pad=pad, dil=dil, exp=exp):
            return ref_conv(x, w, st, pad, dil, exp)
        samples = [(_v(*xs), _v(*ws))]
        if name == "valid":
            samples += [(_noncontiguous(xs, (-1, 1), F64), _v(*ws)), (_v(*xs, dtype=np.float32),
                                                                      _v(*ws, dtype=np.float32))]
        rows.append(Row(f"conv2d_{name}", fn, ref, samples, rtol=1e-5, atol=1e-6))

        # Both gradients as ops of their own: their rows check them against the references, and (through the
        # gradient check) their own gradients, i.e. second order.
        ho, wo = _out_hw(xs[1:3], ws[:2], st, dil, pad, exp)
        dys = (xs[0], ho, wo, ws[3])

        def bi_fn(w, dy, xs=xs, st=st, padding=padding, dil=dil):
            return tf.nn.conv2d_backprop_input(list(xs), w, dy, [1, st[0], st[1], 1], padding,
                                               dilations=[1, dil[0], dil[1], 1])

        def bi_ref(w, dy, xs=xs, st=st, pad=pad, dil=dil, exp=exp):
            return ref_conv_input_grad(xs, w, dy, st, pad, dil, exp)

        def bf_fn(x, dy, ws=ws, st=st, padding=padding, dil=dil):
            return tf.nn.conv2d_backprop_filter(x, list(ws), dy, [1, st[0], st[1], 1], padding,
                                                dilations=[1, dil[0], dil[1], 1])

        def bf_ref(x, dy, ws=ws, st=st, pad=pad, dil=dil, exp=exp):
            return ref_conv_filter_grad(x, ws, dy, st, pad, dil, exp)
        if name not in ("one_by_one", "kernel_as_input"):
            rows.append(Row(f"conv2d_backprop_input_{name}", bi_fn, bi_ref, [(_v(*ws), _v(*dys))], rtol=1e-5,
                            atol=1e-6))
            rows.append(Row(f"conv2d_backprop_filter_{name}", bf_fn, bf_ref, [(_v(*xs), _v(*dys))], rtol=1e-5,
                            atol=1e-6))
    rows.append(Row("conv2d_nchw", lambda x, w: tf.nn.conv2d(x, w, [1, 1, 2, 2], "SAME", data_format="NCHW"),
                    lambda x, w: _nchw(ref_conv(_nhwc(x), w, (2, 2), "SAME")),
                    [(_v(2, 3, 5, 6), _v(3, 3, 3, 2))], rtol=1e-5, atol=1e-6))
    rows.append(Row("conv2d_float32_blocks", lambda x, w: tf.nn.conv2d(x, w, 1, "SAME"),
                    lambda x, w: ref_conv(x.astype(F64), w.astype(F64), (1, 1), "SAME").astype(np.float32),
                    [(_v(3, 9, 8, 4, dtype=np.float32), _v(5, 5, 4, 6, dtype=np.float32))], rtol=1e-4, atol=1e-5))
    for name, xs, ws, out, st, pad in [("same_s2", (2, 3, 4, 3), (3, 3, 2, 3), (2, 6, 8, 2), 2, "SAME"),
                                       ("valid_s2", (1, 3, 3, 2), (3, 3, 1, 2), (1, 7, 7, 1), 2, "VALID"),
                                       ("same_s1", (2, 4, 4, 2), (3, 3, 3, 2), (2, 4, 4, 3), 1, "SAME")]:
        rows.append(Row(f"conv2d_transpose_{name}",
                        lambda x, w, out=out, st=st, pad=pad: tf.nn.conv2d_transpose(x, w, out, [1, st, st, 1], pad),
                        lambda x, w, out=out, st=st, pad=pad: ref_conv_input_grad(out, w, x, (st, st), pad),
                        [(_v(*xs), _v(*ws))], rtol=1e-5, atol=1e-6))
    return rows


def _depthwise_rows():
    rows = []
    for name, xs, ws, st, pad, dil in [("same", (2, 5, 5, 3), (3, 3, 3, 2), 1, "SAME", 1),
                                       ("valid_s2", (1, 6, 7, 2), (2, 3, 2, 1), 2, "VALID", 1),
                                       ("rate2", (2, 6, 6, 2), (3, 3, 2, 2), 1, "SAME", 2)]:
        rows.append(Row(f"depthwise_conv2d_{name}",
                        lambda x, w, st=st, pad=pad, dil=dil: tf.nn.depthwise_conv2d(x, w, [1, st, st, 1], pad,
                                                                                     rate=[dil, dil]),
                        lambda x, w, st=st, pad=pad, dil=dil: ref_depthwise(x, w, (st, st), pad, (dil, dil)),
                        [(_v(*xs), _v(*ws))], rtol=1e-5, atol=1e-6))
        if dil != 1:
            continue
        ho, wo = _out_hw(xs[1:3], ws[:2], (st, st), (1, 1), pad)
        dys = (xs[0], ho, wo, ws[2] * ws[3])
        rows.append(Row(f"depthwise_backprop_input_{name}",
                        lambda w, dy, xs=xs, st=st, pad=pad: tf.nn.depthwise_conv2d_native_backprop_input(
                            list(xs), w, dy, [1, st, st, 1], pad),
                        lambda w, dy, xs=xs, st=st, pad=pad: ref_depthwise_input_grad(xs, w, dy, (st, st), pad),
                        [(_v(*ws), _v(*dys))], rtol=1e-5, atol=1e-6))
        rows.append(Row(f"depthwise_backprop_filter_{name}",
                        lambda x, dy, ws=ws, st=st, pad=pad: tf.nn.depthwise_conv2d_native_backprop_filter(
                            x, list(ws), dy, [1, st, st, 1], pad),
                        lambda x, dy, ws=ws, st=st, pad=pad: ref_depthwise_filter_grad(x, ws, dy, (st, st), pad),
                        [(_v(*xs), _v(*dys))], rtol=1e-5, atol=1e-6))
    rows.append(Row("depthwise_conv2d_native_float32",
                    lambda x, w: tf.nn.depthwise_conv2d_native(x, w, [1, 1, 1, 1], "VALID"),
                    lambda x, w: ref_depthwise(x, w), [(_v(1, 4, 4, 2, dtype=np.float32),
                                                        _v(2, 2, 2, 3, dtype=np.float32))], rtol=1e-5, atol=1e-6))
    rows.append(Row("separable_conv2d", lambda x, d, p: tf.nn.separable_conv2d(x, d, p, [1, 1, 1, 1], "SAME"),
                    lambda x, d, p: ref_conv(ref_depthwise(x, d, padding="SAME"), p),
                    [(_v(2, 4, 5, 2), _v(3, 3, 2, 2), _v(1, 1, 4, 3))], rtol=1e-5, atol=1e-6))
    return rows


def _conv1d_rows():
    def ref1d(x, w, stride, pad, dil=1):
        return ref_conv(x[:, None], w[None], (1, stride), pad, (1, dil))[:, 0]
    rows = [
        Row("conv1d_same", lambda x, w: tf.nn.conv1d(x, w, 1, "SAME"), lambda x, w: ref1d(x, w, 1, "SAME"),
            [(_v(2, 7, 3), _v(3, 3, 4)), (_v(1, 4, 2, dtype=np.float32), _v(2, 2, 3, dtype=np.float32))],
            rtol=1e-5, atol=1e-6),
        Row("conv1d_valid_s2_dilated", lambda x, w: tf.nn.conv1d(x, w, 2, "VALID", dilations=2),
            lambda x, w: ref1d(x, w, 2, "VALID", 2), [(_v(3, 9, 2), _v(3, 2, 2))], rtol=1e-5, atol=1e-6),
        Row("conv1d_ncw", lambda x, w: tf.nn.conv1d(x, w, 1, "VALID", data_format="NCW"),
            lambda x, w: ref1d(x.transpose(0, 2, 1), w, 1, "VALID").transpose(0, 2, 1),
            [(_v(2, 3, 6), _v(2, 3, 2))], rtol=1e-5, atol=1e-6),
        Row("conv1d_transpose", lambda x, w: tf.nn.conv1d_transpose(x, w, [2, 8, 3], 2, "SAME"),
            lambda x, w: ref_conv_input_grad((2, 1, 8, 3), w[None], x[:, None], (1, 2), "SAME")[:, 0],
            [(_v(2, 4, 2), _v(3, 3, 2))], rtol=1e-5, atol=1e-6),
        Row("atrous_conv2d", lambda x, w: tf.nn.atrous_conv2d(x, w, 2, "SAME"),
            lambda x, w: ref_conv(x, w, (1, 1), "SAME", (2, 2)), [(_v(1, 6, 5, 2), _v(2, 2, 2, 3))], rtol=1e-5,
            atol=1e-6),
        Row("convolution_2d", lambda x, w: tf.nn.convolution(x, w, "VALID", strides=[2, 1]),
            lambda x, w: ref_conv(x, w, (2, 1), "VALID"), [(_v(1, 5, 4, 2), _v(2, 2, 2, 2))], rtol=1e-5, atol=1e-6),
    ]
    return rows


def _pool_rows():
    rows = []
    cases = [("2x2_s2_tiling", (2, 4, 6, 3), (2, 2), (2, 2), "VALID"),
             ("2x2_s2_odd", (1, 5, 5, 2), (2, 2), (2, 2), "VALID"),
             ("2x2_s2_same_odd", (3, 5, 3, 1), (2, 2), (2, 2), "SAME"),
             ("3x3_s2_same", (2, 6, 5, 2), (3, 3), (2, 2), "SAME"),
             ("3x3_s1_same", (1, 4, 4, 2), (3, 3), (1, 1), "SAME"),
             ("2x3_s1x2_valid", (2, 5, 7, 1), (2, 3), (1, 2), "VALID")]
    for name, xs, k, s, pad in cases:
        def mx(x, k=k, s=s, pad=pad):
            return tf.nn.max_pool(x, [1, k[0], k[1], 1], [1, s[0], s[1], 1], pad)

        def av(x, k=k, s=s, pad=pad):
            return tf.nn.avg_pool(x, list(k), list(s), pad)
        samples = [(_v(*xs),)]
        if name == "2x2_s2_tiling":
            samples += [(_noncontiguous(xs, (-1, 1), F64),), (_v(*xs, dtype=np.float32),)]
        rows.append(Row(f"max_pool_{name}", mx, lambda x, k=k, s=s, pad=pad: ref_max_pool(x, k, s, pad), samples))
        rows.append(Row(f"avg_pool_{name}", av, lambda x, k=k, s=s, pad=pad: ref_avg_pool(x, k, s, pad), samples,
                        rtol=1e-6 if name != "2x2_s2_tiling" else 1e-5))
        ho, wo = _out_hw(xs[1:3], k, s, (1, 1), pad)
        gs = (xs[0], ho, wo, xs[3])
        rows.append(Row(f"max_pool_grad_{name}",
                        lambda x, g, mx=mx: tf.gradients(mx(x), x, grad_ys=g)[0],
                        lambda x, g, k=k, s=s, pad=pad: ref_max_pool_grad(x, g, k, s, pad), [(_v(*xs), _v(*gs))],
                        graph_only=True))
        rows.append(Row(f"max_pool_grad_grad_{name}",
                        lambda x, g, h, mx=mx: tf.gradients(tf.gradients(mx(x), x, grad_ys=g)[0], g, grad_ys=h)[0],
                        lambda x, g, h, k=k, s=s, pad=pad: ref_max_pool_grad_grad(x, h, k, s, pad),
                        [(_v(*xs), _v(*gs), _v(*xs))], graph_only=True))
        rows.append(Row(f"avg_pool_grad_{name}", lambda x, g, av=av: tf.gradients(av(x), x, grad_ys=g)[0],
                        lambda x, g, k=k, s=s, pad=pad: ref_avg_pool_grad(x, g, k, s, pad), [(_v(*xs), _v(*gs))],
                        graph_only=True))
    # Ties (ReLU zeros, repeated values): the gradient goes to the first maximum in row-major order. Central
    # differences are meaningless at a tie, so no gradient check here.
    ties = np.array([[0, 0, 1, 1, 0], [0, 0, 1, 0, 2], [2, 2, 0, 0, 2], [2, 1, 0, 0, 0], [0, 0, 3, 3, 3]], F64)
    tie_x = np.stack([ties, ties.T])[:, :, :, None].repeat(2, axis=3)
    for name, k, s, pad in [("2x2_s2", (2, 2), (2, 2), "VALID"), ("3x3_s1_same", (3, 3), (1, 1), "SAME"),
                            ("3x3_s2_same", (3, 3), (2, 2), "SAME")]:
        ho, wo = _out_hw((5, 5), k, s, (1, 1), pad)
        g = _v(2, ho, wo, 2)
        rows.append(Row(f"max_pool_grad_ties_{name}",
                        lambda x, g, k=k, s=s, pad=pad: tf.gradients(tf.nn.max_pool(x, k, s, pad), x,
                                                                     grad_ys=g)[0],
                        lambda x, g, k=k, s=s, pad=pad: ref_max_pool_grad(x, g, k, s, pad),
                        [(tie_x, g), (tie_x.astype(np.float32), g.astype(np.float32))], grad=False, graph_only=True,
                        atol=1e-6))  # overlapping windows: float32 sums of up to 9 gradients, in another order
    rows.append(Row("max_pool_int32", lambda x: tf.nn.max_pool(x, 2, 2, "SAME"),
                    lambda x: ref_max_pool(x, (2, 2), (2, 2), "SAME"),
                    [(_values((2, 5, 3, 2), (-50, 50), np.int32),)], grad=False))
    rows.append(Row("max_pool_nchw", lambda x: tf.nn.max_pool(x, [1, 1, 3, 3], [1, 1, 2, 2], "SAME", "NCHW"),
                    lambda x: _nchw(ref_max_pool(_nhwc(x), (3, 3), (2, 2), "SAME")), [(_v(2, 3, 5, 4),)]))
    rows.append(Row("avg_pool_nchw", lambda x: tf.nn.avg_pool(x, [1, 1, 3, 3], [1, 1, 2, 2], "SAME", "NCHW"),
                    lambda x: _nchw(ref_avg_pool(_nhwc(x), (3, 3), (2, 2), "SAME")), [(_v(2, 3, 5, 4),)]))
    rows.append(Row("max_pool1d", lambda x: tf.nn.max_pool1d(x, 3, 2, "SAME"),
                    lambda x: ref_max_pool(x[:, None], (1, 3), (1, 2), "SAME")[:, 0], [(_v(2, 7, 3),)]))
    rows.append(Row("avg_pool1d", lambda x: tf.nn.avg_pool1d(x, 2, 2, "VALID"),
                    lambda x: ref_avg_pool(x[:, None], (1, 2), (1, 2), "VALID")[:, 0], [(_v(2, 7, 3),)]))
    rows.append(Row("pool_avg", lambda x: tf.nn.pool(x, [2, 2], "AVG", "SAME", strides=[2, 2]),
                    lambda x: ref_avg_pool(x, (2, 2), (2, 2), "SAME"), [(_v(1, 5, 5, 2),)]))
    # Large enough for the compiled max-pool kernels (runtime/accel/conv.py), against the same references.
    # The larger gradient is past build-time folding's size limit.
    for name, xs, pad, grad_foldable in [("2x2_s2_compiled", (4, 28, 28, 32), "VALID", False),
                                         ("2x2_s2_same_odd_compiled", (3, 29, 27, 16), "SAME", True)]:
        ho, wo = _out_hw(xs[1:3], (2, 2), (2, 2), (1, 1), pad)
        gs = (xs[0], ho, wo, xs[3])
        samples = [(_v(*xs, dtype=np.float32), _v(*gs, dtype=np.float32)), (_v(*xs), _v(*gs))]
        rows.append(Row(f"max_pool_{name}", lambda x, g, pad=pad: tf.nn.max_pool(x, 2, 2, pad),
                        lambda x, g, pad=pad: ref_max_pool(x, (2, 2), (2, 2), pad), samples, grad=False))
        rows.append(Row(f"max_pool_grad_{name}",
                        lambda x, g, pad=pad: tf.gradients(tf.nn.max_pool(x, 2, 2, pad), x, grad_ys=g)[0],
                        lambda x, g, pad=pad: ref_max_pool_grad(x, g, (2, 2), (2, 2), pad), samples, grad=False,
                        graph_only=True, foldable=grad_foldable))
    return rows


ROWS = _conv_rows() + _depthwise_rows() + _conv1d_rows() + _pool_rows()
COVERED_ELSEWHERE = set()
