"""ONNX exporters of the fused LSTM ops: `BlockLSTM` (a whole sequence) becomes one ONNX LSTM node, its weights
rearranged from TensorFlow's gate order (i, j=c, f, o; one [input + units, 4 units] kernel; forget_bias added at
run time) to ONNX's (i, o, f, c; W, R and B split), when only the outputs h are needed; otherwise, and for
`LSTMBlockCell` (one step), the LSTM equations are written out with elementwise ONNX ops."""
import numpy as np

from ..ops import rnn_ops
from .registry import exporter

__all__ = []

_ONNX_GATES = (0, 3, 2, 1)   # ONNX's i, o, f, c as indices of TensorFlow's i, j(c), f, o blocks


def _cell_attrs(ctx, op):
    return (float(ctx.attr(op, "forget_bias", 1.0)), float(ctx.attr(op, "cell_clip", -1.0)),
            bool(ctx.attr(op, "use_peephole", False)))


def _step(ctx, op, x, c_prev, h_prev, w, b, peep, forget_bias, cell_clip, scalar):
    """One LSTM step from ONNX values x [batch, depth], c_prev, h_prev [batch, units]: the names of (i, cs, f, o,
    ci, co, h). `peep` is (wci, wcf, wco) names or None; `scalar(v)` makes a constant of the data's dtype."""
    z = ctx.node("Add", [ctx.node("MatMul", [ctx.node("Concat", [x, h_prev], axis=1), w]), b])
    zi, zj, zf, zo = ctx.node("Split", [z], 4, axis=1)
    if peep:
        zi = ctx.node("Add", [zi, ctx.node("Mul", [c_prev, peep[0]])])
        zf = ctx.node("Add", [zf, ctx.node("Mul", [c_prev, peep[1]])])
    i = ctx.node("Sigmoid", [zi])
    f = ctx.node("Sigmoid", [ctx.node("Add", [zf, scalar(forget_bias)])])
    ci = ctx.node("Tanh", [zj])
    cs = ctx.node("Add", [ctx.node("Mul", [ci, i]), ctx.node("Mul", [c_prev, f])])
    if cell_clip > 0:
        cs = ctx.node("Clip", [cs, scalar(-cell_clip), scalar(cell_clip)])
    if peep:
        zo = ctx.node("Add", [zo, ctx.node("Mul", [cs, peep[2]])])
    o = ctx.node("Sigmoid", [zo])
    co = ctx.node("Tanh", [cs])
    h = ctx.node("Mul", [co, o])
    return i, cs, f, o, ci, co, h


def _scalar_fn(ctx, op, i):
    dt = ctx.dtype(op, i).as_numpy_dtype
    return lambda v: ctx.const(np.asarray(v, dtype=dt), "scalar")


@exporter(rnn_ops.LSTMBlockCell)
def _lstm_block_cell(ctx, op):
    forget_bias, cell_clip, peephole = _cell_attrs(ctx, op)
    peep = [ctx.input(op, k) for k in (4, 5, 6)] if peephole else None
    outs = _step(ctx, op, ctx.input(op, 0), ctx.input(op, 1), ctx.input(op, 2), ctx.input(op, 3), ctx.input(op, 7),
                 peep, forget_bias, cell_clip, _scalar_fn(ctx, op, 0))
    for k, name in enumerate(outs):
        ctx.node("Identity", [name], [ctx.out(op, k)])


def _onnx_weights(w, b, depth, forget_bias):
    """TensorFlow's kernel [depth + units, 4 units] and bias [4 units] as ONNX LSTM's W [1, 4u, depth],
    R [1, 4u, units] and B [1, 8u]."""
    u = w.shape[1] // 4
    blocks = [slice(k * u, (k + 1) * u) for k in _ONNX_GATES]
    w_x, w_h = w[:depth], w[depth:]
    big_w = np.concatenate([w_x[:, s].T for s in blocks])[None]
    big_r = np.concatenate([w_h[:, s].T for s in blocks])[None]
    bias = b.astype(np.float64, copy=True)
    bias[2 * u:3 * u] += forget_bias
    wb = np.concatenate([bias[s] for s in blocks])
    big_b = np.concatenate([wb, np.zeros_like(wb)])[None]
    dt = w.dtype
    return big_w.astype(dt), big_r.astype(dt), big_b.astype(dt)


@exporter(rnn_ops.BlockLSTM)
def _block_lstm(ctx, op):
    forget_bias, cell_clip, peephole = _cell_attrs(ctx, op)
    x_shape = ctx.shape(op, 1)
    steps = x_shape[0].value if x_shape.ndims == 3 else None
    depth = x_shape[2].value if x_shape.ndims == 3 else None
    seq_len_max = ctx.value(op, 0)   # None: known only at run time (a time dimension of any length)
    w, b = ctx.value(op, 4), ctx.value(op, 8)
    peeps = [ctx.value(op, k) for k in (5, 6, 7)]
    only_h = not any(ctx.used(op, k) for k in range(6))
    full_length = steps is not None and seq_len_max is not None and int(seq_len_max) >= steps
    if (only_h and cell_clip <= 0 and w is not None and b is not None and depth is not None
            and (not peephole or all(p is not None for p in peeps))):
        big_w, big_r, big_b = _onnx_weights(np.asarray(w), np.asarray(b), depth, forget_bias)
        units = big_r.shape[2]
        zero = ctx.int64([0], "axis0")
        inputs = [ctx.input(op, 1), ctx.const(big_w, "W"), ctx.const(big_r, "R"), ctx.const(big_b, "B"), "",
                  ctx.node("Unsqueeze", [ctx.input(op, 3), zero]), ctx.node("Unsqueeze", [ctx.input(op, 2), zero])]
        if peephole:   # ONNX's P is [p_i, p_o, p_f]
            inputs.append(ctx.const(np.concatenate([peeps[0], peeps[2], peeps[1]])[None].astype(big_w.dtype), "P"))
        y = ctx.node("LSTM", inputs, 1, hidden_size=units, direction="forward")
        if full_length:
            ctx.node("Squeeze", [y, ctx.int64([1], "axis1")], [ctx.out(op, 6)])
            return
        # Steps at or after seq_len_max output zeros: the LSTM runs over every step (later steps cannot change
        # earlier ones), and a mask over time zeroes the rest.
        h = ctx.node("Squeeze", [y, ctx.int64([1], "axis1")])
        steps_now = ctx.node("Gather", [ctx.node("Shape", [ctx.input(op, 1)]), ctx.int64(0, "time_axis")], axis=0)
        times = ctx.node("Range", [ctx.int64(0, "start"), steps_now, ctx.int64(1, "delta")])
        live_steps = ctx.node("Less", [times, ctx.as_int64(op, 0)])
        mask = ctx.node("Unsqueeze", [live_steps, ctx.int64([1, 2], "axes12")])
        ctx.node("Where", [mask, h, ctx.const(np.zeros((), big_w.dtype), "zero")], [ctx.out(op, 6)])
        return
    if seq_len_max is None:
        ctx.fail("the number of steps to run (seq_len_max) must be known when exporting, unless only the outputs "
                 "of an LSTM without cell_clip and with constant weights are needed")
    live = int(seq_len_max) if steps is None else min(int(seq_len_max), steps)
    if steps is None:
        ctx.fail("writing the LSTM out step by step needs the number of time steps known when exporting")
    scalar = _scalar_fn(ctx, op, 1)
    peep = [ctx.input(op, k) for k in (5, 6, 7)] if peephole else None
    x, w_name, b_name = ctx.input(op, 1), ctx.input(op, 4), ctx.input(op, 8)
    c, h = ctx.input(op, 2), ctx.input(op, 3)
    per_output = [[] for _ in range(7)]
    zero = ctx.int64([0], "axis0")
    for t in range(live):
        x_t = ctx.node("Gather", [x, ctx.int64(t, "t")], axis=0)
        outs = _step(ctx, op, x_t, c, h, w_name, b_name, peep, forget_bias, cell_clip, scalar)
        c, h = outs[1], outs[6]
        for k, name in enumerate(outs):
            per_output[k].append(ctx.node("Unsqueeze", [name, zero]))
    for k in range(7):
        parts = per_output[k]
        if live < steps:   # steps at or after seq_len_max output zeros
            like = ctx.node("Unsqueeze", [ctx.input(op, 2), zero])
            pad = ctx.node("Mul", [like, scalar(0)])
            parts = parts + [pad] * (steps - live)
        if parts:
            ctx.node("Concat", parts, [ctx.out(op, k)], axis=0)
        else:
            ctx.fail("a sequence of zero steps cannot be exported")
