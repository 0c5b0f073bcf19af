"""Fused LSTM primitives, for speed: `LSTMBlockCell` (one time step: concat, matmul, gates, new cell state and
output in one kernel), `BlockLSTM` (a whole time-major sequence in one kernel) and their gradients
`LSTMBlockCellGrad` / `BlockLSTMGrad`, with TensorFlow's op names, inputs, outputs and attributes (the gradient
ops also stop the gradient where `cell_clip` clipped, as the composed cell's clip_by_value does).

An LSTM step composed of elementary ops is ~14 nodes forward and ~30 backward, each allocating temporaries;
these run the same arithmetic in a few in-place NumPy passes (BlockLSTM also does the input projection and
the weight gradient of all steps as single large matrix products). Each op's meaning is stated once more as a
composed twin of elementary ops (`_cell_composed`), which is also how the ops are differentiated a second
time: a gradient op's gradient is taken through the recomputed twin, so gradients of gradients work.

Equations (TensorFlow's LSTMCell; gates i, j=ci, f, o along the last axis of w and b):
    z = concat([x, h_prev]) @ w + b;  zi, zj, zf, zo = split(z, 4)
    i = sigmoid(zi [+ wci * cs_prev]);  f = sigmoid(zf + forget_bias [+ wcf * cs_prev]);  ci = tanh(zj)
    cs = clip(ci * i + cs_prev * f, cell_clip);  o = sigmoid(zo [+ wco * cs]);  co = tanh(cs);  h = co * o
([...] only with use_peephole; clipping only for cell_clip > 0.)
"""
from ..framework import dtypes
from ..framework.apply import apply_op
from ..framework.constant_op import constant
from ..framework.op_def import InferenceError, OpDef, register
from ..framework.tensor_shape import TensorShape
from ..framework.tensor_util import is_zeros
from .lstm_composed import _block_composed, _cell_composed, _gradients, _preactivation

__all__ = []

_FLOATS = (dtypes.float16, dtypes.float32, dtypes.float64)
_CELL_INPUTS = ("x", "cs_prev", "h_prev", "w", "wci", "wcf", "wco", "b")
_CELL_OUTPUTS = ("i", "cs", "f", "o", "ci", "co", "h")


# --- shape helpers -----------------------------------------------------------------------------------------------
def _dim(t, axis):
    return t.shape[axis].value if t.shape.ndims is not None else None


def _merge(*dims):
    """The one known value among dims (None when none is known); raises when two known ones differ."""
    known = {d for d in dims if d is not None}
    if len(known) > 1:
        raise InferenceError(f"Dimensions must be equal, but are {' and '.join(str(d) for d in sorted(known))}")
    return known.pop() if known else None


def _check_ranks(inputs, ranks):
    for t, r in zip(inputs, ranks):
        if t.shape.ndims is not None and t.shape.ndims != r:
            raise InferenceError(f"Shape must be rank {r} but is rank {t.shape.ndims}")


def _cell_dims(x, cs_prev, h_prev, w, wci, wcf, wco, b, lead):
    """(units) after checking the weights against x [..., depth], cs_prev and h_prev [batch, ...]."""
    w4 = _dim(w, 1)
    if w4 is not None and w4 % 4:
        raise InferenceError(f"w.shape[1] must be a multiple of 4, but is {w4}")
    b4 = _dim(b, 0)
    units = _merge(None if w4 is None else w4 // 4, None if b4 is None else b4 // 4, _dim(cs_prev, 1),
                   _dim(wci, 0), _dim(wcf, 0), _dim(wco, 0))
    rows, depth, h_depth = _dim(w, 0), _dim(x, lead + 1), _dim(h_prev, 1)
    if None not in (rows, depth, h_depth) and rows != depth + h_depth:
        raise InferenceError(f"w.shape[0] must be input_size + h_prev.shape[1] = {depth + h_depth}, but is {rows}")
    return units


def _canonical_lstm_attrs(self, inputs, attrs):
    """The LSTM ops' attributes with TensorFlow's defaults filled in (their `canonicalize_attrs`)."""
    return {"forget_bias": 1.0, "cell_clip": -1.0, "use_peephole": False, **attrs}


# --- the step kernels shared by the cell and the sequence ops -----------------------------------------------------
def _sigmoid_(xp, z):
    """sigmoid(z) in place, as 0.5 * tanh(z / 2) + 0.5: cannot overflow, and several times faster in NumPy
    than the exp/where form (absolute error within an ulp of 1)."""
    z *= 0.5
    xp.tanh(z, out=z)
    z *= 0.5
    z += 0.5
    return z


def _step_forward(xp, z, cs_prev, wci, wcf, wco, forget_bias, cell_clip, use_peephole, cs, co, h):
    """Turns pre-activations z [B, 4U] into the activations (i, ci, f, o) in place and writes cs, co, h."""
    u = z.shape[1] // 4
    zi, zj, zf, zo = z[:, :u], z[:, u:2 * u], z[:, 2 * u:3 * u], z[:, 3 * u:]
    xp.tanh(zj, out=zj)
    zf += forget_bias
    if use_peephole:
        zi += cs_prev * wci
        zf += cs_prev * wcf
        _sigmoid_(xp, zi)
        _sigmoid_(xp, zf)
    else:
        _sigmoid_(xp, zi)
        _sigmoid_(xp, z[:, 2 * u:])  # f and o are adjacent: one pass
    xp.multiply(zj, zi, out=cs)
    cs += cs_prev * zf
    if cell_clip > 0:
        xp.clip(cs, -cell_clip, cell_clip, out=cs)
    if use_peephole:
        zo += cs * wco
        _sigmoid_(xp, zo)
    xp.tanh(cs, out=co)
    xp.multiply(co, zo, out=h)


def _step_backward(xp, dgates, gates, cs, co, cs_prev, dcs, dh, wci, wcf, wco, cell_clip, use_peephole):
    """Writes the pre-activation gradients `dgates` (views di, dci, df, do) of one step from its activations
    `gates` (i, ci, f, o), given dcs (the gradient of cs; consumed in place) and dh (of h); returns the
    gradient of cs_prev. Layout-agnostic: the caller slices the gate blocks."""
    di, dci, df, do = dgates
    i, ci, f, o = gates
    t = dh * o
    xp.multiply(co, co, out=do)
    xp.subtract(1, do, out=do)
    do *= t
    dcs += do                                # + (1 - co^2) * dh * o
    xp.subtract(1, o, out=do)
    do *= o
    xp.multiply(dh, co, out=t)
    do *= t                                  # do = o (1 - o) * dh * co
    if use_peephole:
        dcs += do * wco
    if cell_clip > 0:
        pre = ci * i
        pre += cs_prev * f
        dcs *= xp.abs(pre) <= cell_clip      # as clip_by_value: no gradient where the state was clipped
    xp.multiply(ci, ci, out=dci)
    xp.subtract(1, dci, out=dci)
    dci *= dcs
    dci *= i                                 # dci = (1 - ci^2) * dcs * i
    xp.subtract(1, f, out=df)
    df *= f
    df *= dcs
    df *= cs_prev                            # df = f (1 - f) * dcs * cs_prev
    xp.subtract(1, i, out=di)
    di *= i
    di *= dcs
    di *= ci                                 # di = i (1 - i) * dcs * ci
    dcs *= f
    if use_peephole:
        dcs += di * wci
        dcs += df * wcf
    return dcs


def _split_sizes(x, h_prev):
    """The widths of x and h_prev, for splitting the gradient of concat([x, h_prev], 1)."""
    dx, dh = _dim(x, 1), _dim(h_prev, 1)
    if dx is None and dh is None:
        from . import array_ops
        return array_ops.stack([array_ops.shape(x)[1], array_ops.shape(h_prev)[1]])
    return [-1 if dx is None else dx, -1 if dh is None else dh]


def _split_gates(g, u, axis=-1):
    """The i, ci, f, o blocks of gates laid out along `axis`."""
    lead = (slice(None),) * (axis % g.ndim)
    return tuple(g[lead + (slice(k * u, (k + 1) * u),)] for k in range(4))


# --- one step --------------------------------------------------------------------------------------------------------
@register
class LSTMBlockCell(OpDef):
    """One LSTM time step. Outputs i, cs, f, o, ci, co, h (each [batch, units]); the gate activations are
    outputs because the gradient needs them. `h_prev` may be narrower than `cs_prev` (a projected LSTM) when w
    has input_size + h_prev.shape[1] rows."""

    type_name = "LSTMBlockCell"
    input_names = _CELL_INPUTS
    same_dtype = _CELL_INPUTS
    allowed_dtypes = _FLOATS
    num_outputs = 7

    canonicalize_attrs = _canonical_lstm_attrs

    def infer(self, inputs, attrs):
        _check_ranks(inputs, (2, 2, 2, 2, 1, 1, 1, 1))
        x, cs_prev, h_prev = inputs[:3]
        batch = _merge(_dim(x, 0), _dim(cs_prev, 0), _dim(h_prev, 0))
        units = _cell_dims(*inputs, lead=0)
        return [(TensorShape([batch, units]), x.dtype.base_dtype)] * 7

    def forward(self, xp, x, cs_prev, h_prev, w, wci, wcf, wco, b, forget_bias=1.0, cell_clip=-1.0,
                use_peephole=False):
        z = xp.matmul(xp.concatenate([x, h_prev], 1), w)
        z += b
        u = z.shape[1] // 4
        cs, co, h = (xp.empty((z.shape[0], u), dtype=z.dtype) for _ in range(3))
        _step_forward(xp, z, cs_prev, wci, wcf, wco, forget_bias, cell_clip, use_peephole, cs, co, h)
        i, ci, f, o = _split_gates(z, u)
        return i, cs, f, o, ci, co, h

    def grad(self, op, *grads):
        g_i, g_cs, g_f, g_o, g_ci, g_co, g_h = grads
        if not all(is_zeros(g) for g in (g_i, g_f, g_o, g_ci, g_co)):
            return _gradients(lambda: list(_cell_composed(*op.inputs, **op.attrs)[1]), list(op.inputs), grads)
        x, cs_prev, h_prev, w, wci, wcf, wco, b = op.inputs
        i, cs, f, o, ci, co, _ = op.outputs
        peep = op.get_attr("use_peephole")
        cs_prev_grad, dicfo, wci_grad, wcf_grad, wco_grad = apply_op(
            LSTMBlockCellGrad, [x, cs_prev, h_prev, w, wci, wcf, wco, b, i, cs, f, o, ci, co, g_cs, g_h],
            op.attrs, name="LSTMBlockCellGrad")
        from . import concat_ops, linalg_ops
        from .nn_ops import BiasAddGrad
        xh_grad = linalg_ops.matmul(dicfo, w, transpose_b=True)
        x_grad, h_prev_grad = concat_ops.split(xh_grad, _split_sizes(x, h_prev), axis=1)
        w_grad = linalg_ops.matmul(concat_ops.concat([x, h_prev], 1), dicfo, transpose_a=True)
        b_grad = apply_op(BiasAddGrad, [dicfo], {"data_format": "NHWC"}, name="BiasAddGrad")
        if not peep:
            wci_grad = wcf_grad = wco_grad = None
        return [x_grad, cs_prev_grad, h_prev_grad, w_grad, wci_grad, wcf_grad, wco_grad, b_grad]


@register
class LSTMBlockCellGrad(OpDef):
    """The backward pass of one LSTMBlockCell step from the gradients of its `cs` and `h`: outputs
    cs_prev_grad [batch, units], dicfo [batch, 4 units] (the gradient of z, from which matmuls give the x,
    h_prev, w and b gradients) and wci_grad, wcf_grad, wco_grad [units] (zeros without peepholes). Unlike
    TensorFlow's op it also stops the gradient where `cell_clip` clipped the state, as clip_by_value does."""

    type_name = "LSTMBlockCellGrad"
    input_names = _CELL_INPUTS + _CELL_OUTPUTS[:-1] + ("cs_grad", "h_grad")
    same_dtype = input_names
    allowed_dtypes = _FLOATS
    num_outputs = 5

    canonicalize_attrs = _canonical_lstm_attrs

    def infer(self, inputs, attrs):
        _check_ranks(inputs, (2, 2, 2, 2, 1, 1, 1, 1) + (2,) * 8)
        batch = _merge(*(_dim(t, 0) for t in (inputs[1],) + tuple(inputs[8:])))
        units = _merge(_cell_dims(*inputs[:8], lead=0), *(_dim(t, 1) for t in inputs[8:]))
        dt = inputs[0].dtype.base_dtype
        return [(TensorShape([batch, units]), dt), (TensorShape([batch, units and 4 * units]), dt)] + \
            [(TensorShape([units]), dt)] * 3

    def forward(self, xp, x, cs_prev, h_prev, w, wci, wcf, wco, b, i, cs, f, o, ci, co, cs_grad, h_grad,
                use_peephole=False, cell_clip=-1.0, forget_bias=None):
        batch, u = cs.shape
        dicfo = xp.empty((batch, 4 * u), dtype=cs.dtype)
        dcs = xp.array(cs_grad, dtype=cs.dtype, copy=True)
        cs_prev_grad = _step_backward(xp, _split_gates(dicfo, u), (i, ci, f, o), cs, co, cs_prev, dcs, h_grad,
                                      wci, wcf, wco, cell_clip, use_peephole)
        if use_peephole:
            di, _, df, do = _split_gates(dicfo, u)
            return cs_prev_grad, dicfo, (di * cs_prev).sum(0), (df * cs_prev).sum(0), (do * cs).sum(0)
        return (cs_prev_grad, dicfo) + tuple(xp.zeros(u, dtype=cs.dtype) for _ in range(3))

    def grad(self, op, *grads):
        # Recompute the step from elementary ops and differentiate that twice; the saved activations
        # (inputs i..co) get no gradient, as the recomputation accounts for them.
        x, cs_prev, h_prev, w, wci, wcf, wco, b = op.inputs[:8]
        cs_grad, h_grad = op.inputs[14:16]

        def firsts():
            z = _preactivation(x, h_prev, w, b)

            def cs_and_h():
                _, (_, cs, _, _, _, _, h) = _cell_composed(x, cs_prev, h_prev, w, wci, wcf, wco, b, z=z, **op.attrs)
                return [cs, h]
            return _gradients(cs_and_h, [cs_prev, z, wci, wcf, wco], [cs_grad, h_grad], zero=True,
                              local=op.inputs[:8])
        return _gradients(firsts, list(op.inputs), grads)


class _Scratch:
    """Work arrays one node's kernel reuses from run to run: a fresh large temporary costs page faults on every
    run. An array is taken and given back within one kernel call, so concurrent runs never share one."""

    def __init__(self):
        self._free = {}

    def take(self, xp, shape, dtype):
        stack = self._free.get((shape, dtype))
        return stack.pop() if stack else xp.empty(shape, dtype=dtype)

    def give(self, *arrays):
        if len(self._free) > 8:  # shapes keep changing (varying batch sizes): keep only the recent ones
            self._free.clear()
        for a in arrays:
            self._free.setdefault((a.shape, a.dtype), []).append(a)


def _pooled_kernel(opdef, op, ctx):
    """A kernel calling `opdef.compute(xp, scratch, *arrays, **attrs)` with a scratch pool owned by the node."""
    scratch, xp, attrs, compute = _Scratch(), ctx.xp, op.attrs, opdef.compute
    return lambda *arrays: compute(xp, scratch, *arrays, **attrs)


# --- a whole sequence ------------------------------------------------------------------------------------------------
# Inside the sequence kernels every step is kept feature-major ([4 units, batch] gates, [units, batch] states), so
# each gate is one contiguous block: NumPy's elementwise calls run 2-3x faster on those than on column slices.
# The outputs are [time, batch, units] views of that storage (no copy).
def _t(a):
    """The [time, units, batch] view of a [time, batch, units] array (or [units, batch] of [batch, units])."""
    return a.swapaxes(-1, -2)


@register
class BlockLSTM(OpDef):
    """An LSTM over a time-major sequence x [time, batch, input_size] from state (cs_prev, h_prev): outputs
    i, cs, f, o, ci, co, h, each [time, batch, units]; steps at or after `seq_len_max` output zeros."""

    type_name = "BlockLSTM"
    input_names = ("seq_len_max",) + _CELL_INPUTS
    same_dtype = _CELL_INPUTS
    allowed_dtypes = _FLOATS
    num_outputs = 7

    canonicalize_attrs = _canonical_lstm_attrs

    def infer(self, inputs, attrs):
        _check_ranks(inputs, (0, 3, 2, 2, 2, 1, 1, 1, 1))
        x, cs_prev, h_prev = inputs[1:4]
        batch = _merge(_dim(x, 1), _dim(cs_prev, 0), _dim(h_prev, 0))
        units = _merge(_cell_dims(*inputs[1:], lead=1), _dim(h_prev, 1))
        return [(TensorShape([_dim(x, 0), batch, units]), x.dtype.base_dtype)] * 7

    def forward(self, xp, *arrays, **attrs):
        return self.compute(xp, _Scratch(), *arrays, **attrs)

    def kernel(self, op, ctx):
        return _pooled_kernel(self, op, ctx)

    def compute(self, xp, scratch, seq_len_max, x, cs_prev, h_prev, w, wci, wcf, wco, b, forget_bias=1.0,
                cell_clip=-1.0, use_peephole=False):
        steps, batch, depth = x.shape
        u = w.shape[1] // 4
        dt = x.dtype
        n = max(0, min(int(seq_len_max), steps))
        # sigmoid(z) = 0.5 tanh(z / 2) + 0.5: halving the i, f, o columns of w and b (exact in binary floating
        # point) lets one tanh call cover all four gates of a step.
        scale = xp.full(4 * u, 0.5, dtype=dt)
        scale[u:2 * u] = 1
        shift = b.astype(dt, copy=True)
        shift[2 * u:3 * u] += forget_bias
        shift *= scale
        w_h = xp.ascontiguousarray((w[depth:] * scale).T)                       # [4u, units]
        gates = xp.empty((steps, 4 * u, batch), dtype=dt)
        # The input part of every step at once, written straight into the feature-major layout.
        xp.matmul(xp.ascontiguousarray((w[:depth] * scale).T), _t(x), out=gates)
        gates += shift[:, None]
        cs, co, h = (xp.empty((steps, u, batch), dtype=dt) for _ in range(3))
        half = [(p * 0.5)[:, None] for p in (wci, wcf, wco)]
        rec, tmp = scratch.take(xp, (4 * u, batch), dt), scratch.take(xp, (u, batch), dt)
        c_prev, m_prev = _t(cs_prev), _t(h_prev)
        for t in range(n):
            z = gates[t]
            z += xp.matmul(w_h, m_prev, out=rec)
            zi, zci, zf, zo = z[:u], z[u:2 * u], z[2 * u:3 * u], z[3 * u:]
            if use_peephole:
                zi += half[0] * c_prev
                zf += half[1] * c_prev
                xp.tanh(z[:3 * u], out=z[:3 * u])
                for g in (zi, zf):
                    g *= 0.5
                    g += 0.5
            else:
                xp.tanh(z, out=z)
                for g in (zi, z[2 * u:]):
                    g *= 0.5
                    g += 0.5
            c = cs[t]
            xp.multiply(zci, zi, out=c)
            c += xp.multiply(c_prev, zf, out=tmp)
            if cell_clip > 0:
                xp.clip(c, -cell_clip, cell_clip, out=c)
            if use_peephole:
                zo += half[2] * c
                xp.tanh(zo, out=zo)
                zo *= 0.5
                zo += 0.5
            xp.tanh(c, out=co[t])
            xp.multiply(co[t], zo, out=h[t])
            c_prev, m_prev = c, h[t]
        scratch.give(rec, tmp)
        for a in (gates, cs, co, h):
            a[n:] = 0
        i, ci, f, o = _split_gates(_t(gates), u)
        return i, _t(cs), f, o, ci, _t(co), _t(h)

    def grad(self, op, *grads):
        g_i, g_cs, g_f, g_o, g_ci, g_co, g_h = grads
        if not all(is_zeros(g) for g in (g_i, g_f, g_o, g_ci, g_co)):
            return _gradients(lambda: list(_block_composed(*op.inputs, **op.attrs)[1]), list(op.inputs), grads)
        # Only h usually has a gradient (the final c is rarely used): a scalar zero spares a [time, batch,
        # units] array of zeros.
        dt = op.inputs[1].dtype.base_dtype
        g_cs, g_h = (constant(0, dt) if is_zeros(g) else g for g in (g_cs, g_h))
        outs = list(apply_op(BlockLSTMGrad, list(op.inputs) + list(op.outputs) + [g_cs, g_h], op.attrs,
                             name="BlockLSTMGrad"))
        if not op.get_attr("use_peephole"):
            outs[4:7] = [None] * 3
        return [None] + outs


@register
class BlockLSTMGrad(OpDef):
    """The backward pass of BlockLSTM from the gradients of its `cs` and `h` outputs ([time, batch, units], or a
    scalar 0 for none): x_grad, cs_prev_grad, h_prev_grad, w_grad, wci_grad, wcf_grad, wco_grad (zeros without
    peepholes), b_grad, as TensorFlow's op; unlike it, this one also stops the gradient where `cell_clip`
    clipped the state (as clip_by_value does)."""

    type_name = "BlockLSTMGrad"
    input_names = ("seq_len_max",) + _CELL_INPUTS + _CELL_OUTPUTS + ("cs_grad", "h_grad")
    same_dtype = input_names[1:]
    allowed_dtypes = _FLOATS
    num_outputs = 8

    canonicalize_attrs = _canonical_lstm_attrs

    def infer(self, inputs, attrs):
        _check_ranks(inputs, (0, 3, 2, 2, 2, 1, 1, 1, 1) + (3,) * 7)
        for g in inputs[16:]:
            if g.shape.ndims not in (None, 0, 3):
                raise InferenceError(f"Shape must be rank 3 (or a scalar 0) but is rank {g.shape.ndims}")
        return [(t.shape, t.dtype.base_dtype) for t in inputs[1:9]]

    def forward(self, xp, *arrays, **attrs):
        return self.compute(xp, _Scratch(), *arrays, **attrs)

    def kernel(self, op, ctx):
        return _pooled_kernel(self, op, ctx)

    def compute(self, xp, scratch, seq_len_max, x, cs_prev, h_prev, w, wci, wcf, wco, b, i, cs, f, o, ci, co, h,
                cs_grad, h_grad, use_peephole=False, cell_clip=-1.0, forget_bias=None):
        steps, batch, depth = x.shape
        u = cs_prev.shape[1]
        dt = x.dtype
        n = max(0, min(int(seq_len_max), steps))
        gates_t = [_t(a) for a in (i, ci, f, o)]
        cs_t, co_t = _t(cs), _t(co)
        cs_grad_t = _t(cs_grad) if cs_grad.ndim else None
        h_grad_t = _t(h_grad) if h_grad.ndim else None
        peep = [p[:, None] for p in (wci, wcf, wco)]
        dgates = scratch.take(xp, (steps, 4 * u, batch), dt)
        dgates[n:] = 0
        dcs = xp.zeros((u, batch), dtype=dt)
        dh = xp.zeros((u, batch), dtype=dt)
        w_h = w[depth:]
        for t in range(n - 1, -1, -1):
            if cs_grad_t is not None:
                dcs += cs_grad_t[t]
            if h_grad_t is not None:
                dh += h_grad_t[t]
            c_prev = cs_t[t - 1] if t else _t(cs_prev)
            dcs = _step_backward(xp, _split_gates(dgates[t], u, axis=0), [g[t] for g in gates_t], cs_t[t], co_t[t],
                                 c_prev, dcs, dh, *peep, cell_clip, use_peephole)
            dh = xp.matmul(w_h, dgates[t])
        # The products of all steps at once: x_grad[t] = dz[t]^T w_x^T; w_grad^T = dz @ [x, h[t - 1]] with dz
        # the [4 units, time * batch] gate gradients.
        x_grad = xp.matmul(_t(dgates), w[:depth].T)
        dz = scratch.take(xp, (4 * u, steps, batch), dt)
        dz[...] = dgates.transpose(1, 0, 2)
        dz2 = dz.reshape(4 * u, steps * batch)
        h_before = scratch.take(xp, (u, steps, batch), dt)                     # h[t - 1], feature-major
        h_before[:, 0] = _t(h_prev)
        h_before[:, 1:] = _t(h)[:-1].transpose(1, 0, 2)
        w_grad_t = xp.empty((4 * u, w.shape[0]), dtype=dt)
        w_grad_t[:, :depth] = xp.matmul(dz2, x.reshape(steps * batch, depth))
        xp.matmul(dz2, h_before.reshape(u, steps * batch).T, out=w_grad_t[:, depth:])
        b_grad = dz2.sum(1)
        if use_peephole:
            c_before = xp.concatenate([_t(cs_prev)[None], cs_t[:-1]], 0)
            di, _, df, do = _split_gates(dgates, u, axis=1)
            peep_grads = [(di * c_before).sum((0, 2)), (df * c_before).sum((0, 2)), (do * cs_t).sum((0, 2))]
        else:
            peep_grads = [xp.zeros(u, dtype=dt) for _ in range(3)]
        scratch.give(dgates, dz, h_before)
        return (x_grad, _t(dcs), _t(dh), xp.ascontiguousarray(w_grad_t.T), *peep_grads, b_grad)

    def grad(self, op, *grads):
        # Recompute the sequence from elementary ops and differentiate that twice; the saved activations get
        # no gradient, as the recomputation accounts for them.
        ins = list(op.inputs[1:9])
        cs_grad, h_grad = op.inputs[16:18]
        # A scalar gradient stands for none (see BlockLSTM.grad).
        wanted = [(k, g) for k, g in ((1, cs_grad), (6, h_grad)) if g.shape.ndims != 0]

        def firsts():
            outs = lambda: [_block_composed(op.inputs[0], *ins, **op.attrs)[1][k] for k, _ in wanted]
            return _gradients(outs, ins, [g for _, g in wanted], zero=True)
        return _gradients(firsts, list(op.inputs), grads)


# --- builders for the cells ---------------------------------------------------------------------------------------
def _peephole_inputs(w, peepholes, dt):
    if peepholes is not None:
        return list(peepholes)
    zero = constant(0, dt, shape=[_dim(w, 1) // 4])
    return [zero, zero, zero]


def _attrs(forget_bias, cell_clip, peepholes):
    return {"forget_bias": float(forget_bias), "cell_clip": -1.0 if cell_clip is None else float(cell_clip),
            "use_peephole": peepholes is not None}


def lstm_block_cell(x, cs_prev, h_prev, w, b, forget_bias=1.0, cell_clip=None, peepholes=None, activation=None,
                    name=None):
    """One LSTM step: the outputs (i, cs, f, o, ci, co, h) of a fused LSTMBlockCell node, or, for an
    `activation` other than tanh, of its composition from elementary ops. `peepholes` is (w_i_diag, w_f_diag,
    w_o_diag) or None."""
    dt = x.dtype.base_dtype
    inputs = [x, cs_prev, h_prev, w] + _peephole_inputs(w, peepholes, dt) + [b]
    attrs = _attrs(forget_bias, cell_clip, peepholes)
    if activation is not None:
        return _cell_composed(*inputs, **attrs, activation=activation)[1]
    return apply_op(LSTMBlockCell, inputs, attrs, name=name or "LSTMBlockCell")


def block_lstm(x, cs_prev, h_prev, w, b, forget_bias=1.0, cell_clip=None, peepholes=None, seq_len_max=None,
               name=None):
    """A fused LSTM over all steps of time-major x [time, batch, depth]: the BlockLSTM node's outputs (i, cs, f,
    o, ci, co, h), each [time, batch, units]. The number of steps may be known only at run time; steps at or
    after `seq_len_max` (a scalar; default all of them) are skipped and output zeros."""
    from . import array_ops, math_ops
    dt = x.dtype.base_dtype
    if seq_len_max is not None:
        steps = math_ops.cast(seq_len_max, dtypes.int64, name="seq_len_max")
    elif _dim(x, 0) is not None:
        steps = constant(_dim(x, 0), dtypes.int64, name="seq_len_max")
    else:
        steps = math_ops.cast(array_ops.shape(x)[0], dtypes.int64, name="seq_len_max")
    inputs = [steps, x, cs_prev, h_prev, w] + _peephole_inputs(w, peepholes, dt) + [b]
    return apply_op(BlockLSTM, inputs, _attrs(forget_bias, cell_clip, peepholes), name=name or "BlockLSTM")
