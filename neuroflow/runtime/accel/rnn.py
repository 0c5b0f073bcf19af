"""Compiled fast paths for the fused LSTM sequence ops `BlockLSTM` and `BlockLSTMGrad` (ops/rnn_ops.py).

The NumPy kernels make ~15 elementwise NumPy calls per time step forward and ~25 backward; these kernels leave
the matrix products to NumPy's BLAS (two OpenBLAS threads) and do each step's elementwise work in a few numba
passes:

    forward, per step:  z = w_ext^T [x[t]; h[t-1]; 1] (BLAS: input projection, recurrence and bias in one
                        product)  ->  tanh of the gates (NumPy)  ->  i, f, o, cs, clip (numba)  ->  co = tanh(cs)
                        (NumPy)  ->  h = co * o, written straight into the next step's product operand (numba)
    backward, per step: the incoming h/cs gradients and every gate gradient in one pass (numba; without
                        peepholes and clip, two: the gradients added, then the gate gradients in a loop LLVM
                        vectorizes, which it does not in the general kernel)  ->  dh = w_h dz (BLAS)
    backward, once:     x_grad = dz^T w_x^T and [w_grad; b_grad] = [x; h[t-1]; 1] dz^T (BLAS, all steps at once;
                        the ones row sums b_grad); before the loop, the incoming output gradients copied
                        feature-major, their all-zero steps only zero-filled (a classifier on the last output
                        sends zeros for every other step: 529 -> 110 us for the lstm workload's h gradient,
                        its training step ~0.4-0.6 ms faster, min of 40 alternating steps; dense: unchanged)

Measured on the shared lstm workload (2 cores, batch 64, 28 steps, 128 units): forward 3.3 -> 2.7 ms, backward 6.1
-> 4.6 ms; the vectorized plain step then took the 28 gate-gradient passes from ~540 to ~260 us alone and the
backward in the training step from ~5.6-6.2 to ~4.7-4.9 ms (lstm, 16 alternating runs old/new: medians 107 -> 117
steps/s, 15 of 16 pairs faster, median pair gain +9%). The tanh stays NumPy's: it is vectorized (~0.4 ns an
element), where numba's is a scalar libm call ~20x slower; a fused pass with a rational tanh approximation measured
only ~6 us a step faster, for a few ulp of error.

Tried and dropped: splitting each step over two threads (each its half of the units: its rows of the product
with OpenBLAS on one thread, its elementwise passes, a spin barrier on atomic step counters). Python-level
threads gain nothing on ~5-50 us calls (GIL hand-offs; two threads' 28 tanh calls of 6 us took 230-370 us
against 172 us for one); whole-loop nogil numba kernels (CBLAS ?gemm and libmvec's vector tanh called by
address) ran the forward's steps in ~2.3 ms alone, but in the training step both kernels came out slower
(forward ~3.3 against ~2.75 ms, backward ~6.3 against ~5.7 ms): the product is near one core's peak either way
(a half on one thread ~53 us, the whole on OpenBLAS's two ~55-60 us), so only the elementwise passes could
gain, and the per-step barriers and the second thread's hiccups cost more.

Layout: as the NumPy kernels, feature-major ([4 units, batch] gates per step, [units, batch] states; the
recurrent products run ~15% faster that way round than batch-major), and the outputs are the same kinds of
views (i, ci, f, o of one [time, 4 units, batch] array; h of the stacked [x; h; 1] operand), so either backward
kernel reads either forward's outputs. The backward keeps its gate gradients as one [4 units, time, batch]
array, so its all-steps products need no transposing copy.

Numerics: the elementwise arithmetic is the NumPy kernels', op for op, in the arrays' dtype (float32 stays
float32). The products sum in another order than the NumPy kernels' (the pre-activation is one product over
[x; h; 1] instead of (x w_x + b) + h w_h; b_grad is a BLAS dot instead of a pairwise sum), so results agree to
rounding, not bitwise (tests/test_accel_rnn.py). numba runs single-threaded on purpose, as for the optimizer
kernels: OpenBLAS's workers spin between products and would fight numba threads for the two cores.
"""
import weakref

import numpy as np

from ...ops import rnn_ops
from . import register_fast_kernel

__all__ = []

# Below this many units the NumPy kernels are cheap enough (and small programs never import numba).
MIN_UNITS = 32
_JIT_OPTIONS = {"cache": True, "error_model": "numpy", "nogil": True}
_jit = {}


def _compiled():
    """The jitted step functions, compiled (or loaded from numba's on-disk cache) on first use; nogil, so other
    Python threads (another session's runs) go on meanwhile.

    Scalars come in the arrays' dtype (a Python float would promote float32 arithmetic to float64). Every
    inner loop runs over one contiguous row (a batch) of a C-contiguous array taken as a 1-D view: indexing the
    2-D arrays directly kept LLVM from vectorizing (3.0 us against 10.4 us for the cell pass at 512 x 64)."""
    if not _jit:
        import numba

        @numba.njit(**_JIT_OPTIONS)
        def peephole_in(z, c_prev, hwci, hwcf):
            """The i and f peepholes: z_i += hwci * c_prev, z_f += hwcf * c_prev (hwci, hwcf: halved weights)."""
            u = z.shape[0] // 4
            for k in range(u):
                zi, zf, cp, wi, wf = z[k], z[2 * u + k], c_prev[k], hwci[k], hwcf[k]
                for b in range(zi.size):
                    zi[b] += wi * cp[b]
                    zf[b] += wf * cp[b]

        @numba.njit(**_JIT_OPTIONS)
        def cell(z, c_prev, c, half, clip, peephole, hwco):
            """From tanh'd gates z: i, f (and o without peepholes) = half * t + half in place; the cell state c
            (clipped when clip > 0); with peepholes, z_o += hwco * c (its tanh comes after)."""
            u = z.shape[0] // 4
            for k in range(u):
                zi, zj, zf, zo = z[k], z[u + k], z[2 * u + k], z[3 * u + k]
                cp, ck = c_prev[k], c[k]
                for b in range(ck.size):
                    i = zi[b] * half + half
                    f = zf[b] * half + half
                    zi[b] = i
                    zf[b] = f
                    v = zj[b] * i
                    v += cp[b] * f
                    ck[b] = v
                if clip > 0:
                    for b in range(ck.size):
                        if ck[b] < -clip:
                            ck[b] = -clip
                        elif ck[b] > clip:
                            ck[b] = clip
                if peephole:
                    wo = hwco[k]
                    for b in range(ck.size):
                        zo[b] += wo * ck[b]
                else:
                    for b in range(ck.size):
                        zo[b] = zo[b] * half + half

        @numba.njit(**_JIT_OPTIONS)
        def output(z, co, xh, row, col, half, peephole):
            """h = co * o into xh[row:row + units, col] (finishing o = half * t + half first with peepholes)."""
            u = z.shape[0] // 4
            for k in range(u):
                zo, ck, hk = z[3 * u + k], co[k], xh[row + k, col]
                if peephole:
                    for b in range(hk.size):
                        zo[b] = zo[b] * half + half
                for b in range(hk.size):
                    hk[b] = ck[b] * zo[b]

        @numba.njit(**_JIT_OPTIONS)
        def step_back(g, co, c_prev, dcs, dh, gcs, gh, one, clip, peephole, wci, wcf, wco, dz, t):
            """One step backward, rnn_ops._step_backward's arithmetic op for op: from the gates g (i, ci, f, o
            blocks of [4 units, batch]), dcs (updated in place to the gradient of c_prev) and dh, plus this step's
            output gradients gcs[:, t] and gh[:, t] ([units, time, batch]; empty for none), writes the gate
            gradients dz[:, t] (di, dci, df, do) of dz [4 units, time, batch]."""
            u = g.shape[0] // 4
            for k in range(u):
                gi, gj, gf, go = g[k], g[u + k], g[2 * u + k], g[3 * u + k]
                di_, dj_, df_, do_ = dz[k, t], dz[u + k, t], dz[2 * u + k, t], dz[3 * u + k, t]
                cok, cpk, dck, dhk = co[k], c_prev[k], dcs[k], dh[k]
                wi, wf, wo = wci[k], wcf[k], wco[k]
                if gcs.size:
                    gck = gcs[k, t]
                    for b in range(dck.size):
                        dck[b] += gck[b]
                if gh.size:
                    ghk = gh[k, t]
                    for b in range(dhk.size):
                        dhk[b] += ghk[b]
                for b in range(dck.size):
                    d, o, co_ = dhk[b], go[b], cok[b]
                    dc = dck[b] + (one - co_ * co_) * (d * o)
                    do = ((one - o) * o) * (d * co_)
                    if peephole:
                        dc += do * wo
                    i, ci, f, cp = gi[b], gj[b], gf[b], cpk[b]
                    if clip > 0:
                        pre = ci * i
                        pre += cp * f
                        dc *= one if abs(pre) <= clip else one - one
                    dci = ((one - ci * ci) * dc) * i
                    df = (((one - f) * f) * dc) * cp
                    di = (((one - i) * i) * dc) * ci
                    dc *= f
                    if peephole:
                        dc += di * wi
                        dc += df * wf
                    dck[b] = dc
                    di_[b] = di
                    dj_[b] = dci
                    df_[b] = df
                    do_[b] = do

        @numba.njit(**_JIT_OPTIONS)
        def add_grads(dcs, dh, gcs, gh, t):
            """step_back's first part on its own: dcs += gcs[:, t] and dh += gh[:, t] (empty: none)."""
            if gcs.size:
                for k in range(dcs.shape[0]):
                    gck, dck = gcs[k, t], dcs[k]
                    for b in range(dck.size):
                        dck[b] += gck[b]
            if gh.size:
                for k in range(dh.shape[0]):
                    ghk, dhk = gh[k, t], dh[k]
                    for b in range(dhk.size):
                        dhk[b] += ghk[b]

        @numba.njit(**_JIT_OPTIONS)
        def step_back_plain(g, co, c_prev, dcs, dh, one, dz, t):
            """step_back's gate gradients without peepholes and clip, the output gradients already added
            (add_grads): the same arithmetic, in a loop LLVM vectorizes; the general kernel's (with its flag
            branches and output-gradient rows in the same function) it does not, 2.1x slower (550 against 260 us
            for the 28 steps of 128 units x 64)."""
            u = g.shape[0] // 4
            for k in range(u):
                gi, gj, gf, go = g[k], g[u + k], g[2 * u + k], g[3 * u + k]
                di_, dj_, df_, do_ = dz[k, t], dz[u + k, t], dz[2 * u + k, t], dz[3 * u + k, t]
                cok, cpk, dck, dhk = co[k], c_prev[k], dcs[k], dh[k]
                for b in range(dck.size):
                    d, o, co_ = dhk[b], go[b], cok[b]
                    dc = dck[b] + (one - co_ * co_) * (d * o)
                    do = ((one - o) * o) * (d * co_)
                    i, ci, f, cp = gi[b], gj[b], gf[b], cpk[b]
                    dci = ((one - ci * ci) * dc) * i
                    df = (((one - f) * f) * dc) * cp
                    di = (((one - i) * i) * dc) * ci
                    dc *= f
                    dck[b] = dc
                    di_[b] = di
                    dj_[b] = dci
                    df_[b] = df
                    do_[b] = do

        @numba.njit(**_JIT_OPTIONS)
        def to_feature_major(src, dst, row, col):
            """dst[row + d, col + t, b] = src[t, b, d]: a [time, batch, depth] array (any strides) into a
            C-contiguous feature-major one (NumPy's transposing copies are several times slower). Writes run
            along contiguous rows; the strided reads of one step stay in L1."""
            for t in range(src.shape[0]):
                for d in range(src.shape[2]):
                    out = dst[row + d, col + t]
                    for b in range(out.size):
                        out[b] = src[t, b, d]

        @numba.njit(**_JIT_OPTIONS)
        def to_feature_major_skipping_zeros(src, bits, dst, row, col):
            """As to_feature_major, but a step whose values are all +0.0 (checked on `bits`, src's values as
            unsigned integers: -0.0 and NaN count as values) is written as zeros without the transposing copy.
            The gradient reaching an LSTM whose last output alone is used is zero at every other step."""
            for t in range(src.shape[0]):
                zero = True
                for b in range(src.shape[1]):
                    for d in range(src.shape[2]):
                        if bits[t, b, d] != 0:
                            zero = False
                            break
                    if not zero:
                        break
                for d in range(src.shape[2]):
                    out = dst[row + d, col + t]
                    if zero:
                        out[:] = 0
                    else:
                        for b in range(out.size):
                            out[b] = src[t, b, d]

        _jit.update(peephole_in=peephole_in, cell=cell, output=output, step_back=step_back,
                    to_feature_major=to_feature_major, add_grads=add_grads, step_back_plain=step_back_plain,
                    to_feature_major_skipping_zeros=to_feature_major_skipping_zeros)
    return _jit


def _eligible(op):
    """float32/float64 BlockLSTM(Grad) nodes with at least MIN_UNITS (statically known) units."""
    cs_prev = op.inputs[2].shape
    units = cs_prev[1].value if cs_prev.ndims == 2 else None
    return op.inputs[1].dtype.base_dtype.name in ("float32", "float64") and units is not None and \
        units >= MIN_UNITS


def _t(a):
    return a.swapaxes(-1, -2)


def _fm(a):
    """The C-contiguous feature-major ([..., units, batch]) storage of a batch-major output a (a view of it when
    a came from either forward kernel, else a copy)."""
    return np.ascontiguousarray(_t(a))


# --- forward -------------------------------------------------------------------------------------------------------
def _forward(fns, scratch, n, x, cs_prev, h_prev, w, wci, wcf, wco, b, forget_bias, cell_clip, use_peephole):
    steps, batch, depth = x.shape
    u = w.shape[1] // 4
    width = depth + u + 1
    dt = x.dtype
    # As the NumPy kernel: sigmoid(z) = 0.5 tanh(z / 2) + 0.5, with the i, f, o columns of w and b halved
    # (exact), so one tanh call covers all four gates.
    scale = np.full(4 * u, 0.5, dtype=dt)
    scale[u:2 * u] = 1
    w_ext = np.empty((width, 4 * u), dtype=dt)                 # [w; b + forget_bias], scaled
    np.multiply(w, scale, out=w_ext[:-1])
    w_ext[-1] = b
    w_ext[-1, 2 * u:3 * u] += forget_bias
    w_ext[-1] *= scale
    # xh[:, t] = [x[t]; h[t - 1]; 1] feature-major: each step's pre-activations are one product
    # w_ext^T xh[:, t], bias included; the h outputs are views of it (the gradient reuses it whole).
    xh = np.empty((width, steps + 1, batch), dtype=dt)
    to_fm = fns["to_feature_major"]
    to_fm(x, xh, 0, 0)
    xh[:depth, steps] = 0
    to_fm(h_prev[None], xh, depth, 0)
    xh[-1] = 1
    gates = np.empty((steps, 4 * u, batch), dtype=dt)
    cs, co = np.empty((steps, u, batch), dtype=dt), np.empty((steps, u, batch), dtype=dt)
    hw = [p * dt.type(0.5) for p in (wci, wcf, wco)]
    half, clip, peep = dt.type(0.5), dt.type(cell_clip), bool(use_peephole)
    peephole_in, cell, output = fns["peephole_in"], fns["cell"], fns["output"]
    w_t = w_ext.T                                     # a transposed view: BLAS takes it as is (no copy)
    c_prev = np.ascontiguousarray(_t(cs_prev))
    for t in range(n):
        z = gates[t]
        np.matmul(w_t, xh[:, t], out=z)
        if peep:
            peephole_in(z, c_prev, hw[0], hw[1])
            np.tanh(z[:3 * u], out=z[:3 * u])
        else:
            np.tanh(z, out=z)
        c = cs[t]
        cell(z, c_prev, c, half, clip, peep, hw[2])
        if peep:
            np.tanh(z[3 * u:], out=z[3 * u:])
        np.tanh(c, out=co[t])
        output(z, co[t], xh, depth, t + 1, half, peep)
        c_prev = c
    for a in (gates, cs, co):
        a[n:] = 0
    xh[depth:depth + u, n + 1:] = 0
    _remember_stacked(xh, x, h_prev)
    i, ci, f, o = rnn_ops._split_gates(_t(gates), u)
    return i, _t(cs), f, o, ci, _t(co), xh[depth:depth + u, 1:].transpose(1, 2, 0)


@register_fast_kernel(rnn_ops.BlockLSTM)
def _block_lstm(op, ctx):
    if not _eligible(op):
        return None
    fns = _compiled()
    attrs = op.attrs
    scratch = rnn_ops._Scratch()
    plain = rnn_ops.BlockLSTM.compute

    def kernel(seq_len_max, x, cs_prev, h_prev, w, wci, wcf, wco, b):
        n = max(0, min(int(seq_len_max), x.shape[0]))
        if n == 0 or x.shape[1] == 0:
            return plain(np, scratch, seq_len_max, x, cs_prev, h_prev, w, wci, wcf, wco, b, **attrs)
        return _forward(fns, scratch, n, x, cs_prev, h_prev, w, wci, wcf, wco, b, **attrs)
    return kernel


# --- backward ------------------------------------------------------------------------------------------------------
def _is_view(a, base, offset, strides):
    """Whether a is the view of base at element offset `offset` with these strides."""
    return (a.strides == strides and
            a.__array_interface__["data"][0] == base.__array_interface__["data"][0] + offset * base.itemsize)


def _gates(i, ci, f, o):
    """The [time, 4 units, batch] array whose blocks the batch-major views i, ci, f, o are (as both forward
    kernels return them), or a joined copy when they are not views of one."""
    g, u = i.base, i.shape[-1]
    if (isinstance(g, np.ndarray) and g.dtype == i.dtype and g.flags.c_contiguous
            and g.shape == (i.shape[0], 4 * u, i.shape[1])):
        strides = _t(g).strides
        if all(_is_view(a, g, k * u * i.shape[1], strides) for k, a in enumerate((i, ci, f, o))):
            return g
    return np.concatenate([_t(a) for a in (i, ci, f, o)], axis=1)


# The stacked operands the fast forward built, by id: (the array, the x and h_prev it was built from), all weak.
_stacked = {}


def _remember_stacked(xh, x, h_prev):
    key = id(xh)
    _stacked[key] = (weakref.ref(xh, lambda _, key=key: _stacked.pop(key, None)), weakref.ref(x),
                     weakref.ref(h_prev))


def _stacked_inputs(fns, scratch, x, h_prev, h):
    """[x[t]; h[t - 1]; 1] for every step t, feature-major, as a [depth + units + 1, >= time, batch] array: the
    fast forward's own (h is a view of it), its x and h_prev rows rewritten unless they came from these very x
    and h_prev arrays (a hand-built BlockLSTMGrad may pair outputs with other inputs); else built into scratch
    (given back by the caller)."""
    steps, batch, depth = x.shape
    u = h.shape[-1]
    width = depth + u + 1
    to_fm = fns["to_feature_major"]
    base = h.base
    if (isinstance(base, np.ndarray) and base.dtype == h.dtype and base.flags.c_contiguous
            and base.shape == (width, steps + 1, batch)
            and _is_view(h, base, depth * (steps + 1) * batch + batch,
                         base[depth:depth + u, 1:].transpose(1, 2, 0).strides)):
        refs = _stacked.get(id(base))
        if refs is None or refs[0]() is not base or refs[1]() is not x or refs[2]() is not h_prev:
            to_fm(x, base, 0, 0)
            to_fm(h_prev[None], base, depth, 0)
            _remember_stacked(base, x, h_prev)
        return base, False
    xh = scratch.take(np, (width, steps, batch), h.dtype)
    to_fm(x, xh, 0, 0)
    to_fm(h_prev[None], xh, depth, 0)
    to_fm(h[:-1], xh, depth, 1)
    xh[-1] = 1
    return xh, True


_BITS = {np.dtype(np.float32): np.uint32, np.dtype(np.float64): np.uint64}


def _gradient_to_feature_major(fns, grad, dst):
    """dst[:, t] = grad[t]^T: an incoming output gradient, feature-major, its all-zero steps only zero-filled
    (the same values as `to_feature_major`, bit for bit: tests/test_accel_rnn.py)."""
    fns["to_feature_major_skipping_zeros"](grad, grad.view(_BITS[grad.dtype]), dst, 0, 0)


def _backward(fns, scratch, n, x, cs_prev, h_prev, w, wci, wcf, wco, i, cs, f, o, ci, co, h, cs_grad, h_grad,
              use_peephole, cell_clip, dropped=frozenset()):
    """BlockLSTMGrad's outputs; those whose index is in `dropped` (only 0, x_grad, and 2, h_prev_grad, are
    skipped; see `drop_outputs`) come back as None."""
    steps, batch, depth = x.shape
    u = cs_prev.shape[1]
    dt = x.dtype
    g, cs_f, co_f = _gates(i, ci, f, o), _fm(cs), _fm(co)
    c0 = np.ascontiguousarray(_t(cs_prev))
    dz = scratch.take(np, (4 * u, steps, batch), dt)       # the gate gradients of all steps, feature-major
    dz[:, n:] = 0
    dcs, dh = scratch.take(np, (u, batch), dt), scratch.take(np, (u, batch), dt)
    dcs[...] = 0
    dh[...] = 0
    w_h = w[depth:]
    one, clip, peep = dt.type(1), dt.type(cell_clip), bool(use_peephole)
    # The output gradients arrive batch-major: one feature-major copy up front reads them sequentially (adding
    # each step's transposed block in the loop ran ~4x slower, cache-cold in a training step).
    grads = []
    for gr in (cs_grad, h_grad):
        grads.append(scratch.take(np, (u, steps, batch), dt) if gr.ndim else dz[:0])
        if gr.ndim:
            _gradient_to_feature_major(fns, gr[:n], grads[-1])
    step_back = fns["step_back"]
    plain = not peep and not clip > 0
    add_grads, step_back_plain = fns["add_grads"], fns["step_back_plain"]
    for t in range(n - 1, -1, -1):
        if plain:
            add_grads(dcs, dh, grads[0], grads[1], t)
            step_back_plain(g[t], co_f[t], cs_f[t - 1] if t else c0, dcs, dh, one, dz, t)
        else:
            step_back(g[t], co_f[t], cs_f[t - 1] if t else c0, dcs, dh, grads[0], grads[1], one, clip, peep, wci,
                      wcf, wco, dz, t)
        if t or 2 not in dropped:
            np.matmul(w_h, dz[:, t], out=dh)
    # The products of all steps at once on dz2 = dz as [4 units, time * batch]: x_grad = dz2^T w_x^T, and
    # [w_grad; b_grad] = xh dz2^T with xh the stacked inputs [x[t]; h[t - 1]; 1] (a ones row sums b_grad).
    dz2 = dz.reshape(4 * u, steps * batch)
    x_grad = None if 0 in dropped else np.matmul(dz2.T, w[:depth].T).reshape(steps, batch, depth)
    xh, owned = _stacked_inputs(fns, scratch, x, h_prev, h)
    xh2 = np.lib.stride_tricks.as_strided(xh, (xh.shape[0], steps * batch), (xh.strides[0], xh.strides[2]))
    wb_grad = np.matmul(xh2, dz2.T)
    if owned:
        scratch.give(xh)
    if peep:
        c_before = np.concatenate([c0[None], cs_f[:-1]], 0).transpose(1, 0, 2)      # [units, time, batch]
        peep_grads = [(dz[:u] * c_before).sum((1, 2)), (dz[2 * u:3 * u] * c_before).sum((1, 2)),
                      (dz[3 * u:] * cs_f.transpose(1, 0, 2)).sum((1, 2))]
    else:
        peep_grads = [np.zeros(u, dtype=dt) for _ in range(3)]
    cs_prev_grad = np.ascontiguousarray(_t(dcs))
    h_prev_grad = None if 2 in dropped else np.ascontiguousarray(_t(dh))
    scratch.give(dz, dcs, dh, *(a for a in grads if a.size))
    return (x_grad, cs_prev_grad, h_prev_grad, wb_grad[:-1], *peep_grads, wb_grad[-1].copy())


@register_fast_kernel(rnn_ops.BlockLSTMGrad)
def _block_lstm_grad(op, ctx, dropped=frozenset()):
    """The fast BlockLSTMGrad kernel. Its `drop_outputs(indices)` gives a variant that does not compute the
    outputs at those indices (returning None for them) where that saves work: x_grad (index 0: the input
    gradient product, ~6% of an LSTM training step when, as for a placeholder input, nothing uses it) and
    h_prev_grad (2: the last recurrent product). For a plan compiler that knows which outputs nothing reads."""
    if not _eligible(op):
        return None
    fns = _compiled()
    attrs = op.attrs
    scratch = rnn_ops._Scratch()
    plain = rnn_ops.BlockLSTMGrad.compute
    dropped = frozenset(dropped) & {0, 2}

    def kernel(seq_len_max, x, cs_prev, h_prev, w, wci, wcf, wco, b, i, cs, f, o, ci, co, h, cs_grad, h_grad):
        n = max(0, min(int(seq_len_max), x.shape[0]))
        if n == 0 or x.shape[1] == 0:
            outs = list(plain(np, scratch, seq_len_max, x, cs_prev, h_prev, w, wci, wcf, wco, b, i, cs, f, o, ci,
                              co, h, cs_grad, h_grad, **attrs))
            return tuple(None if k in dropped else a for k, a in enumerate(outs))
        return _backward(fns, scratch, n, x, cs_prev, h_prev, w, wci, wcf, wco, i, cs, f, o, ci, co, h, cs_grad,
                         h_grad, attrs["use_peephole"], attrs["cell_clip"], dropped)

    kernel.drop_outputs = lambda indices: _block_lstm_grad(op, ctx, dropped | set(indices))
    return kernel
