"""The fused LSTM ops' composed twins: LSTMBlockCell and BlockLSTM stated once more with elementary ops (the
cell, the unrolled or while-looped sequence), and the local-gradient helper through which the fused ops'
gradients are differentiated again (ops/rnn_ops.py explains why)."""
from ..framework import dtypes
from ..framework.constant_op import constant

__all__ = []


def _gradients(build_ys, xs, grad_ys, zero=False, local=()):
    """The local gradients of the ys that `build_ys()` computes from xs (weighted by grad_ys; None entries
    skipped) with respect to xs (zeros for an unconnected x when `zero`): the xs (and `local`) are held
    constant, so nothing flows past them: the enclosing gradient computation carries the gradients on from
    the xs, and would count twice what flowed on from here. In graph mode this is tf.gradients; executing
    eagerly, the ys are built on a tape watching only the xs (so an outer tape, differentiating this
    gradient again, records it as well)."""
    from ..framework.context import executing_eagerly
    if executing_eagerly():
        from ..eager.tape import GradientTape
        with GradientTape() as tape:
            tape.watch(list(xs))
            ys = build_ys()
    else:
        ys = build_ys()
    pairs = [(y, g) for y, g in zip(ys, grad_ys) if g is not None and y is not None]
    if not pairs:
        return [None] * len(xs)
    unconnected = "zero" if zero else "none"
    if executing_eagerly():
        return tape.gradient([y for y, _ in pairs], list(xs), output_gradients=[g for _, g in pairs],
                             unconnected_gradients=unconnected)
    from ..autodiff.gradients import gradients
    return gradients([y for y, _ in pairs], xs, grad_ys=[g for _, g in pairs], stop_gradients=list(xs) + list(local),
                     unconnected_gradients=unconnected)


def _preactivation(x, h_prev, w, b):
    """z = [x, h_prev] w + b, the four gates' inputs before their activations."""
    from . import concat_ops, linalg_ops
    return linalg_ops.matmul(concat_ops.concat([x, h_prev], 1), w) + b


def _cell_composed(x, cs_prev, h_prev, w, wci, wcf, wco, b, forget_bias=1.0, cell_clip=-1.0, use_peephole=False,
                   activation=None, z=None, **_):
    """LSTMBlockCell from elementary ops: returns (z, (i, cs, f, o, ci, co, h)). `activation` (default tanh)
    replaces tanh for ci and co: the LSTM cells use this for activations the fused op does not have. A given
    `z` (the pre-activation) is used instead of computing it."""
    from . import clip_ops, concat_ops, math_ops
    tanh = activation or math_ops.tanh
    dt = x.dtype.base_dtype
    z = _preactivation(x, h_prev, w, b) if z is None else z
    zi, zj, zf, zo = concat_ops.split(z, 4, axis=1)
    zf = zf + constant(forget_bias, dt)
    if use_peephole:
        zi = zi + cs_prev * wci
        zf = zf + cs_prev * wcf
    i, f, ci = math_ops.sigmoid(zi), math_ops.sigmoid(zf), tanh(zj)
    cs = ci * i + cs_prev * f
    if cell_clip > 0:
        cs = clip_ops.clip_by_value(cs, constant(-cell_clip, dt), constant(cell_clip, dt))
    o = math_ops.sigmoid(zo + cs * wco if use_peephole else zo)
    co = tanh(cs)
    return z, (i, cs, f, o, ci, co, co * o)


def _block_composed(seq_len_max, x, cs_prev, h_prev, w, wci, wcf, wco, b, **attrs):
    """BlockLSTM from elementary ops: returns (the list of each step's pre-activation z, or None when the number
    of steps is known only at run time, and (i, cs, f, o, ci, co, h)). The cell is unrolled over static time
    steps, or else runs in a while loop over them. Steps at or after seq_len_max are zeroed by a mask."""
    from . import array_ops, index_ops, math_ops
    steps = x.shape[0].value if x.shape.ndims is not None else None
    if steps is None:
        zs, outs = None, _composed_loop(x, cs_prev, h_prev, w, wci, wcf, wco, b, **attrs)
        steps = array_ops.shape(x)[0]
    else:
        zs, per_step, c, h = [], [], cs_prev, h_prev
        for x_t in array_ops.unstack(x, num=steps):
            z, step_outs = _cell_composed(x_t, c, h, w, wci, wcf, wco, b, **attrs)
            zs.append(z)
            per_step.append(step_outs)
            c, h = step_outs[1], step_outs[6]
        outs = [array_ops.stack([s[k] for s in per_step]) for k in range(7)]
    dt = x.dtype.base_dtype
    live = math_ops.cast(math_ops.less(index_ops.range(math_ops.cast(steps, dtypes.int64)), seq_len_max), dt)
    live = array_ops.reshape(live, [-1, 1, 1])
    return zs, tuple(o * live for o in outs)


def _composed_loop(x, cs_prev, h_prev, w, wci, wcf, wco, b, **attrs):
    """The composed cell in a tf.while_loop over all steps of x (their number known only at run time): the
    stacked (i, cs, f, o, ci, co, h), each [time, batch, units]."""
    from . import array_ops
    from .tensor_array_ops import TensorArray
    from .while_ops import while_loop
    dt = x.dtype.base_dtype
    steps = array_ops.shape(x)[0]
    inputs = TensorArray(dt, size=steps, element_shape=x.shape[1:]).unstack(x)

    def body(t, c, h, tas):
        _, outs = _cell_composed(inputs.read(t), c, h, w, wci, wcf, wco, b, **attrs)
        return t + 1, outs[1], outs[6], tuple(ta.write(t, o) for ta, o in zip(tas, outs))
    tas = tuple(TensorArray(dt, size=steps) for _ in range(7))
    _, _, _, tas = while_loop(lambda t, *_: t < steps, body, (constant(0, dtypes.int32), cs_prev, h_prev, tas))
    return [ta.stack() for ta in tas]
