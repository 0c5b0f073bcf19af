"""Op-table rows for the fused LSTM ops (LSTMBlockCell, BlockLSTM and their gradient ops) against NumPy
implementations of TensorFlow's LSTM equations and of their backward pass, written here. The gradient-op rows
are first-order gradients, so the op table's gradient check of them is a second-order check."""
import numpy as np

import neuroflow as tf
from neuroflow.framework.apply import apply_op
from neuroflow.ops import rnn_ops
from op_table_base import Row, _values


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def _forward_parts(x, c_prev, h_prev, w, b, wci, wcf, wco, forget_bias, cell_clip, activation=np.tanh):
    z = np.concatenate([x, h_prev], 1) @ w + b
    zi, zj, zf, zo = np.split(z, 4, axis=1)
    i = _sigmoid(zi + wci * c_prev)
    f = _sigmoid(zf + forget_bias + wcf * c_prev)
    ci = activation(zj)
    pre = ci * i + c_prev * f
    cs = pre if cell_clip is None else np.clip(pre, -cell_clip, cell_clip)
    o = _sigmoid(zo + wco * cs)
    co = activation(cs)
    return i, cs, f, o, ci, co, co * o, pre


def lstm_step_ref(x, c_prev, h_prev, w, b, forget_bias=1.0, peepholes=None, cell_clip=None, activation=np.tanh):
    """One TF LSTMCell step (before any projection): returns (c, h)."""
    wci, wcf, wco = peepholes if peepholes is not None else (0, 0, 0)
    parts = _forward_parts(x, c_prev, h_prev, w, b, wci, wcf, wco, forget_bias, cell_clip, activation)
    return parts[1], parts[6]


def _step_backward_ref(x, c_prev, h_prev, w, wci, wcf, wco, parts, gc, gh, cell_clip):
    """Backpropagation through one step by hand: (dx, dc_prev, dh_prev, dw, db, dwci, dwcf, dwco)."""
    i, cs, f, o, ci, co, _, pre = parts
    do = gh * co * o * (1 - o)
    dcs = gc + gh * o * (1 - co ** 2) + do * wco
    if cell_clip is not None:
        dcs = dcs * (np.abs(pre) <= cell_clip)
    di = dcs * ci * i * (1 - i)
    dci = dcs * i * (1 - ci ** 2)
    df = dcs * c_prev * f * (1 - f)
    dz = np.concatenate([di, dci, df, do], 1)
    xh = np.concatenate([x, h_prev], 1)
    dxh = dz @ w.T
    depth = x.shape[1]
    return (dxh[:, :depth], dcs * f + di * wci + df * wcf, dxh[:, depth:], xh.T @ dz, dz.sum(0),
            (di * c_prev).sum(0), (df * c_prev).sum(0), (do * cs).sum(0))


# --- the rows: the fused ops applied directly (peepholes passed explicitly), all outputs joined in one -----------
_ATTRS = {"forget_bias": 0.7, "cell_clip": 0.6, "use_peephole": True}
_PLAIN = {"forget_bias": 1.0, "cell_clip": -1.0, "use_peephole": False}


def _clip(attrs):
    return attrs["cell_clip"] if attrs["cell_clip"] > 0 else None


def _ignoring_unused_peepholes(ref, attrs):
    """Without use_peephole the op ignores its wci, wcf, wco inputs: the reference uses zeros."""
    def wrapped(*a):
        if not attrs["use_peephole"]:
            a = a[:5] + tuple(np.zeros_like(p) for p in a[5:])
        return ref(*a)
    return wrapped


def _cell_outputs(attrs, x, c, h, w, b, wci, wcf, wco):
    return apply_op(rnn_ops.LSTMBlockCell, [x, c, h, w, wci, wcf, wco, b], dict(attrs), name="LSTMBlockCell")


def _cell_fn(attrs):
    return lambda *a: tf.concat(list(_cell_outputs(attrs, *a)), 1)


def _cell_ref(attrs):
    def ref(x, c, h, w, b, wci, wcf, wco):
        return np.concatenate(_forward_parts(x, c, h, w, b, wci, wcf, wco, attrs["forget_bias"], _clip(attrs))[:7], 1)
    return ref


def _flat_concat(tensors):
    return tf.concat([tf.reshape(t, [-1]) for t in tensors], 0)


def _cell_grad_fn(attrs):
    def fn(*a):
        outs = _cell_outputs(attrs, *a)
        loss = tf.reduce_sum(tf.sin(outs[6])) + tf.reduce_sum(tf.cos(outs[1]))
        return _flat_concat(tf.gradients(loss, list(a[:5]) + (list(a[5:]) if attrs["use_peephole"] else [])))
    return fn


def _cell_grad_ref(attrs):
    def ref(x, c, h, w, b, wci, wcf, wco):
        parts = _forward_parts(x, c, h, w, b, wci, wcf, wco, attrs["forget_bias"], _clip(attrs))
        grads = _step_backward_ref(x, c, h, w, wci, wcf, wco, parts, -np.sin(parts[1]), np.cos(parts[6]),
                                   _clip(attrs))
        order = [grads[k] for k in (0, 1, 2, 3, 4)] + (list(grads[5:]) if attrs["use_peephole"] else [])
        return np.concatenate([g.reshape(-1) for g in order])
    return ref


def _block_outputs(attrs, steps, depth, x, c, h, w, b, wci, wcf, wco):
    x = tf.reshape(x, [steps, -1, depth])  # the composed twin (second order) unrolls a static number of steps
    n = tf.cast(tf.shape(x)[0], tf.int64)
    return apply_op(rnn_ops.BlockLSTM, [n, x, c, h, w, wci, wcf, wco, b], dict(attrs), name="BlockLSTM")


def _block_fn(attrs, steps, depth):
    return lambda *a: tf.concat(list(_block_outputs(attrs, steps, depth, *a)), 2)


def _block_forward_ref(attrs, x, c, h, w, b, wci, wcf, wco):
    steps_parts = []
    for x_t in x:
        parts = _forward_parts(x_t, c, h, w, b, wci, wcf, wco, attrs["forget_bias"], _clip(attrs))
        steps_parts.append(parts)
        c, h = parts[1], parts[6]
    return steps_parts


def _block_ref(attrs):
    def ref(x, c, h, w, b, wci, wcf, wco):
        steps_parts = _block_forward_ref(attrs, x, c, h, w, b, wci, wcf, wco)
        return np.stack([np.concatenate(p[:7], 1) for p in steps_parts])
    return ref


def _block_grad_fn(attrs, steps, depth):
    def fn(*a):
        outs = _block_outputs(attrs, steps, depth, *a)
        loss = tf.reduce_sum(tf.sin(outs[6])) + tf.reduce_sum(tf.cos(outs[1]))
        return _flat_concat(tf.gradients(loss, list(a[:5]) + (list(a[5:]) if attrs["use_peephole"] else [])))
    return fn


def _block_grad_ref(attrs):
    def ref(x, c0, h0, w, b, wci, wcf, wco):
        steps_parts = _block_forward_ref(attrs, x, c0, h0, w, b, wci, wcf, wco)
        dc, dh = np.zeros_like(c0), np.zeros_like(h0)
        dx, total = np.zeros_like(x), None
        for t in range(len(x) - 1, -1, -1):
            parts = steps_parts[t]
            c_prev = steps_parts[t - 1][1] if t else c0
            h_prev = steps_parts[t - 1][6] if t else h0
            g = _step_backward_ref(x[t], c_prev, h_prev, w, wci, wcf, wco, parts, dc - np.sin(parts[1]),
                                   dh + np.cos(parts[6]), _clip(attrs))
            dx[t], dc, dh = g[0], g[1], g[2]
            total = list(g[3:]) if total is None else [a + b for a, b in zip(total, g[3:])]
        order = [dx, dc, dh, total[0], total[1]] + (total[2:] if attrs["use_peephole"] else [])
        return np.concatenate([g.reshape(-1) for g in order])
    return ref


def _cell_sample(dtype, batch=2, depth=3, units=2, scale=0.8):
    return (_values((batch, depth), (-1, 1), dtype), _values((batch, units), (-1, 1), dtype),
            _values((batch, units), (-1, 1), dtype), _values((depth + units, 4 * units), (-scale, scale), dtype),
            _values((4 * units,), (-0.5, 0.5), dtype)) + tuple(_values((units,), (-1, 1), dtype) for _ in range(3))


def _block_sample(dtype, steps=3, batch=2, depth=3, units=2):
    cell = _cell_sample(dtype, batch, depth, units)
    return (_values((steps, batch, depth), (-1, 1), dtype),) + cell[1:]


def _rows():
    rows = []
    for tag, attrs in (("", _PLAIN), ("_peephole_clip", _ATTRS)):
        for name, fn, ref, samples, tol in [
                ("lstm_block_cell", _cell_fn(attrs), _cell_ref(attrs),
                 [_cell_sample(np.float64), _cell_sample(np.float32)], (1e-5, 1e-6)),
                ("lstm_block_cell_grad", _cell_grad_fn(attrs), _cell_grad_ref(attrs), [_cell_sample(np.float64)],
                 (1e-6, 1e-9)),
                ("block_lstm", _block_fn(attrs, 3, 3), _block_ref(attrs),
                 [_block_sample(np.float64), _block_sample(np.float32)], (1e-5, 1e-6)),
                ("block_lstm_grad", _block_grad_fn(attrs, 3, 3), _block_grad_ref(attrs), [_block_sample(np.float64)],
                 (1e-6, 1e-9))]:
            rows.append(Row(name + tag, fn, _ignoring_unused_peepholes(ref, attrs), samples, rtol=tol[0],
                            atol=tol[1], graph_only=name.endswith("_grad")))
    return rows


ROWS = _rows()
COVERED_ELSEWHERE = set()
