"""Compiled convolution kernels (numba): fast paths for Conv2D, Conv2DBackpropInput (stride 1) and
Conv2DBackpropFilter (float32, NHWC, unit dilation); the general max-pooling kernels and the chunks and threads
that pooling.py (MaxPool, MaxPoolGrad) shares.

A convolution here never builds an im2col matrix. A register tile of R output pixels x 16V output channels is
accumulated in vectors (the LLVM intrinsic `_fma_tile` below: broadcast one input value, multiply-add it into V
vectors of filter values), reading each window straight from the padded input: with unit dilation one window row
(kw pixels x C channels) is one contiguous run, and so are its filter rows. On the 2-core test machine (AVX-512)
the tile runs at ~110 GFLOP/s per core; OpenBLAS runs the same products as an im2col GEMM at ~150 GFLOP/s on both
cores (the 64-wide side is narrow for it). Work is cut into chunks (ranges of output rows, or of filter rows and
images) that this thread and helper threads pull as each gets free; the partition is fixed and each chunk sums in
a fixed order, so results do not depend on the thread count or timing. Caveat: a multi-threaded OpenBLAS call
leaves its worker thread spinning on a core for ~0.1 s, and the helpers then get about one core between them
(measured on the cnn workload: 5.6-6.0 ms per large convolution without a spinning BLAS thread, ~11 ms with one).

Results equal the NumPy kernels of ops/conv_ops.py to float32 rounding: the same products, summed in another order
(fused multiply-adds along window rows). Window rows lying wholly in the zero padding are skipped (4-9% of the
work at 5x5 SAME); that could only differ from the reference where 0 * inf gives NaN, so a filter (or, for the
filter gradient, a result) that is not all finite sends the call to the NumPy kernel. The pooling kernels make
the reference's comparisons in its order: their results are bitwise equal.

The convolution kernel offers `absorb` to the plan compiler (compiler/passes.py): it takes in the BiasAdd and Relu
after it (added to each output row while it is in cache, the same float32 operations as their kernels; with the
max-pool gradient's ReluGrad, pooling.py: cnn workload ~7% of a step, cifar ~20%, benchmarks/conv_variants.py);
and `absorb_reader`: a 2x2 MaxPool of its result, pooled from each pair of output rows in cache (with the bias
gradient summed in the max-pool gradient: cifar ~3%).
"""
import itertools
import os

import numpy as np

from ...ops import conv_ops as cv
from ...ops import nn_ops
from ...ops import pool_ops as pl
from .. import blas_threads
from . import pool_2x2, register_fast_kernel

__all__ = []

MIN_MACS = 1 << 21           # multiply-adds below which BLAS and its call are as fast (and numba is never loaded)
MIN_POOL_ELEMENTS = 1 << 14  # pooling inputs below this size stay with NumPy
LANES = 16                   # float32 lanes per vector (AVX-512; LLVM splits them on narrower machines)
ROWS_V4, ROWS_V2, ROWS_V1 = 6, 12, 16  # tile height R for V channel vectors: R * V accumulators (of 32 registers)
MAX_THREADS = 8              # threads per kernel (this one and helpers)
CHUNKS = 16                  # work pieces per kernel call, whatever the thread count (so that results are too)
_jit = {}
_fma_tile = _vectors = _epilogue = _pool_rows = None  # set by _compiled(); module globals (not closures) so numba caches callers
_wide = []


def wide_vectors():
    """True on CPUs with 512-bit vectors (AVX-512): there the convolution tile's accumulators fit the 32 vector
    registers. Elsewhere convolutions keep the NumPy/BLAS kernels (the pooling kernels run anywhere)."""
    if not _wide:
        import llvmlite.binding
        _wide.append(bool(llvmlite.binding.get_host_cpu_features().get("avx512f")))
    return _wide[0]


def _fma_tile_intrinsic():
    """fma_tile(key, out, ors, a, ars, as1, as2, w, ws1, ws2, l1, l2, init), all int64 (addresses in bytes,
    strides in float32 elements), with (V, R) = divmod(key, 64):

        out[r*ors + :16V] = (0 if init else out[r*ors + :16V])
                            + sum over t2 < l2, t1 < l1 of a[r*ars + t1*as1 + t2*as2] * w[t1*ws1 + t2*ws2 + :16V]

    for r < R. The R*V accumulators live in registers for the whole reduction."""
    from llvmlite import ir
    from numba import types
    from numba.core import cgutils
    from numba.extending import intrinsic

    f32, i64, i32 = ir.FloatType(), ir.IntType(64), ir.IntType(32)
    vec = ir.VectorType(f32, LANES)
    splat_mask = ir.Constant(ir.VectorType(i32, LANES), [0] * LANES)

    def emit(builder, rows, nvec, out, ors, a, ars, as1, as2, w, ws1, ws2, l1, l2, init):
        fma = cgutils.get_or_insert_function(builder.module, ir.FunctionType(vec, [vec, vec, vec]),
                                             f"llvm.fma.v{LANES}f32")
        ptr = f32.as_pointer()
        outp, ap, wp = (builder.inttoptr(v, ptr) for v in (out, a, w))

        def out_vec(r, v):
            at = builder.add(builder.mul(ir.Constant(i64, r), ors), ir.Constant(i64, v * LANES))
            return builder.bitcast(builder.gep(outp, [at]), vec.as_pointer())
        acc = [[cgutils.alloca_once(builder, vec) for _ in range(nvec)] for _ in range(rows)]
        with builder.if_else(builder.icmp_signed("!=", init, ir.Constant(i64, 0))) as (zero, load):
            with zero:
                for r in range(rows):
                    for v in range(nvec):
                        builder.store(ir.Constant(vec, None), acc[r][v])
            with load:
                for r in range(rows):
                    for v in range(nvec):
                        builder.store(builder.load(out_vec(r, v), align=4), acc[r][v])
        with cgutils.for_range(builder, l2) as outer:
            a2 = builder.gep(ap, [builder.mul(outer.index, as2)])
            w2 = builder.gep(wp, [builder.mul(outer.index, ws2)])
            with cgutils.for_range(builder, l1) as inner:
                a1 = builder.gep(a2, [builder.mul(inner.index, as1)])
                w1 = builder.gep(w2, [builder.mul(inner.index, ws1)])
                wv = [builder.load(builder.bitcast(builder.gep(w1, [ir.Constant(i64, v * LANES)]), vec.as_pointer()),
                                   align=4) for v in range(nvec)]
                for r in range(rows):
                    s = builder.load(builder.gep(a1, [builder.mul(ir.Constant(i64, r), ars)]))
                    s = builder.shuffle_vector(builder.insert_element(ir.Constant(vec, None), s, ir.Constant(i32, 0)),
                                               ir.Constant(vec, None), splat_mask)
                    for v in range(nvec):
                        builder.store(builder.call(fma, [s, wv[v], builder.load(acc[r][v])]), acc[r][v])
        for r in range(rows):
            for v in range(nvec):
                builder.store(builder.load(acc[r][v]), out_vec(r, v), align=4)

    @intrinsic
    def fma_tile(typingctx, key, out, ors, a, ars, as1, as2, w, ws1, ws2, l1, l2, init):
        sig = types.void(*([types.int64] * 13))

        def codegen(context, builder, signature, args):
            end = builder.append_basic_block("tile_end")
            switch = builder.switch(args[0], end)
            for nvec, most in ((4, ROWS_V4), (2, ROWS_V2), (1, ROWS_V1)):
                for rows in range(1, most + 1):
                    block = builder.append_basic_block(f"tile_{nvec}x{rows}")
                    switch.add_case(ir.Constant(i64, nvec * 64 + rows), block)
                    builder.position_at_end(block)
                    emit(builder, rows, nvec, *args[1:])
                    builder.branch(end)
            builder.position_at_end(end)
            return context.get_dummy_value()
        return sig, codegen
    return fma_tile


def _compiled():
    """The jitted kernels, compiled (or loaded from numba's on-disk cache) on first use. Each works on one chunk
    of the output (a range of images, or of filter rows), so that chunks can run on several threads."""
    global _fma_tile, _vectors, _epilogue, _pool_rows
    if _jit:
        return _jit
    import numba

    jit = numba.njit(cache=True, nogil=True, error_model="numpy")
    _fma_tile = _fma_tile_intrinsic()

    @jit
    def vectors(left):
        """Channel vectors per tile for `left` remaining channels (a multiple of 16), and that tile's height."""
        if left >= 64:
            return 4, ROWS_V4
        if left >= 32:
            return 2, ROWS_V2
        return 1, ROWS_V1
    _vectors = vectors

    @jit
    def epilogue(rows, bias, relu):
        """rows[j] = relu(rows[j] + bias) in place: the same float32 operations as BiasAdd's and Relu's kernels
        (np.maximum(v, 0): NaN stays, -0 gives +0). One loop per case, with no test inside: they vectorize."""
        wo, o = rows.shape
        zero = np.float32(0)
        if bias.size and relu:
            for j in range(wo):
                for ch in range(o):
                    v = rows[j, ch] + bias[ch]
                    rows[j, ch] = zero if v <= zero else v
        elif bias.size:
            for j in range(wo):
                for ch in range(o):
                    rows[j, ch] = rows[j, ch] + bias[ch]
        elif relu:
            for j in range(wo):
                for ch in range(o):
                    v = rows[j, ch]
                    rows[j, ch] = zero if v <= zero else v
    _epilogue = epilogue

    @jit
    def pool_rows(upper, lower, dest):
        """dest[j] = the maximum of upper[2j:2j+2] and lower[2j:2j+2] (NaN if any is): pool_2x2's max_pool
        comparisons, in its order, so the same bits."""
        for j in range(dest.shape[0]):
            for ch in range(dest.shape[1]):
                a, b = upper[2 * j, ch], upper[2 * j + 1, ch]
                a = b if (b > a) | (b != b) else a
                b = lower[2 * j, ch]
                a = b if (b > a) | (b != b) else a
                b = lower[2 * j + 1, ch]
                dest[j, ch] = b if (b > a) | (b != b) else a
    _pool_rows = pool_rows

    @jit
    def correlate(xp, w, out, sh, sw, front, real, bias, relu, pooled, lo, hi):
        """out[n, i, j] = sum over (p, q, c) of xp[n, i*sh + p, j*sw + q, c] * w[p, q*C + c] for the output rows
        lo <= n*Ho + i < hi, rows of xp outside [front, front + real) being zero padding (skipped). xp: [N, Hp, Wp,
        C] with unit channel and pixel strides; w: [kh, kw*C, O]; out: [N, Ho, Wo, O], O a multiple of 16; all
        float32, w and out contiguous. Epilogue, on each output row while it is in cache: `bias` ([O], or empty
        for none) added, then with `relu` max(., 0) as np.maximum(v, 0) gives it (NaN kept, -0 -> +0); then,
        unless `pooled` ([N, Ho/2, Wo/2, O]) is empty, each odd row and the one above it max-pooled 2x2 into it
        (lo and hi even)."""
        _, ho, wo, o = out.shape
        kh, run = w.shape[0], w.shape[1]
        c = xp.shape[3]
        sx0, sx1 = xp.strides[0] // 4, xp.strides[1] // 4
        xb, wb, ob = xp.ctypes.data, w.ctypes.data, out.ctypes.data
        for row in range(lo, hi):
            n, i = divmod(row, ho)
            p_lo = max(0, front - i * sh)
            taps = min(kh, front + real - i * sh) - p_lo
            if taps <= 0:
                p_lo, taps = 0, 0  # all padding: the tiles store zeros
            o0 = 0
            while o0 < o:
                nvec, most = _vectors(o - o0)
                tiles = (wo + most - 1) // most
                j0 = 0
                for t in range(tiles):
                    rows = (wo - j0) // (tiles - t)
                    _fma_tile(nvec * 64 + rows, ob + 4 * ((row * wo + j0) * o + o0), o,
                              xb + 4 * (n * sx0 + (i * sh + p_lo) * sx1 + j0 * sw * c), sw * c, 1, sx1,
                              wb + 4 * (p_lo * run * o + o0), o, run * o, run, taps, 1)
                    j0 += rows
                o0 += 16 * nvec
            if bias.size or relu:
                _epilogue(out[n, i], bias, relu)
            if pooled.size and i % 2 == 1:
                _pool_rows(out[n, i - 1], out[n, i], pooled[n, i // 2])

    @jit
    def filter_grad(xp, dy, grad, sh, sw, front, real, p, r_lo, r_hi):
        """grad[p, r, o] += sum over (n, i, j) of xp[n, i*sh + p, j*sw + q, c] * dy[n, i, j, o] for filter rows
        r = q*C + c in [r_lo, r_hi) (zero-padding rows skipped); grad: [kh, kw*C, O], O a multiple of 16."""
        n_img, ho, wo, o = dy.shape
        run = grad.shape[1]
        sx0, sx1 = xp.strides[0] // 4, xp.strides[1] // 4
        c = xp.shape[3]
        xb, db, gb = xp.ctypes.data, dy.ctypes.data, grad.ctypes.data
        # output rows i whose input row i*sh + p is real: front <= i*sh + p < front + real
        i_lo = max(0, -((p - front) // sh))
        i_hi = min(ho, -((p - front - real) // sh))
        for n in range(n_img if i_hi > i_lo else 0):
            o0 = 0
            while o0 < o:
                nvec, most = _vectors(o - o0)
                tiles = (r_hi - r_lo + most - 1) // most
                r0 = r_lo
                for t in range(tiles):
                    rows = (r_hi - r0) // (tiles - t)
                    _fma_tile(nvec * 64 + rows, gb + 4 * ((p * run + r0) * o + o0), o,
                              xb + 4 * (n * sx0 + (i_lo * sh + p) * sx1 + r0), 1, sw * c, sh * sx1,
                              db + 4 * ((n * ho + i_lo) * wo * o + o0), o, wo * o, wo, i_hi - i_lo, 0)
                    r0 += rows
                o0 += 16 * nvec

    @jit
    def max_pool(x, out, kh, kw, sh, sw, pt, pl, lo, hi):
        """The maximum of each window's real elements (NaN if any is NaN, as np.maximum), for the output rows
        lo <= n*Ho + i < hi."""
        _, h, wd, c = x.shape
        ho, wo = out.shape[1], out.shape[2]
        for row in range(lo, hi):
            n, i = divmod(row, ho)
            r_lo, r_hi = max(i * sh - pt, 0), min(i * sh - pt + kh, h)
            for j in range(wo):
                c_lo, c_hi = max(j * sw - pl, 0), min(j * sw - pl + kw, wd)
                for ch in range(c):
                    out[n, i, j, ch] = x[n, r_lo, c_lo, ch]
                for r in range(r_lo, r_hi):
                    for s in range(c_lo, c_hi):
                        for ch in range(c):  # a select per lane: vectorizes
                            a, b = out[n, i, j, ch], x[n, r, s, ch]
                            out[n, i, j, ch] = b if (b > a) | (b != b) else a

    @jit
    def max_pool_grad(x, m, g, dx, kh, kw, sh, sw, pt, pl, lowest, relu, lo, hi):
        """Non-overlapping windows (k <= s): dx at each window position = g * (first position, in row-major
        order and counting padding as `lowest`, whose value equals m); positions in no window get 0. For whole
        images lo <= n < hi. With `relu`, each such value is then multiplied by (x > 0), as ReluGrad(dx, x)."""
        _, h, wd, c = x.shape
        ho, wo = m.shape[1], m.shape[2]
        tiled = kh == sh and kw == sw and pt == 0 and pl == 0 and ho * kh == h and wo * kw == wd
        found = np.empty(c, np.bool_)
        for n in range(lo, hi):
            if not tiled:  # windows that tile the image write every element
                dx[n] = 0
            for i in range(ho):
                for j in range(wo):
                    found[:] = False
                    for p in range(kh):
                        r = i * sh - pt + p
                        for q in range(kw):
                            s = j * sw - pl + q
                            if 0 <= r < h and 0 <= s < wd:
                                for ch in range(c):
                                    hit = (x[n, r, s, ch] == m[n, i, j, ch]) > found[ch]  # equal, not found yet
                                    found[ch] |= hit
                                    v = g[n, i, j, ch] * hit
                                    dx[n, r, s, ch] = v * (x[n, r, s, ch] > 0) if relu else v
                            else:
                                for ch in range(c):
                                    found[ch] |= lowest == m[n, i, j, ch]

    _jit.update(correlate=correlate, filter_grad=filter_grad, max_pool=max_pool, max_pool_grad=max_pool_grad)
    return _jit


# --- threads ---------------------------------------------------------------------------------------------------
_helpers = []  # the helper threads' executor, made on first use
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_helpers.clear)  # a forked child has none of the parent's threads


def _threads():
    """Threads for one kernel call: the BLAS pool's parts while the pool is on (so NEUROFLOW_NUM_THREADS and
    ConfigProto's intra_op_parallelism_threads bind the convolutions too), else the usable cores."""
    if blas_threads.threads() > 1:  # the pool is on
        return max(1, min(blas_threads.parts(), MAX_THREADS))
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_THREADS))


def _run_chunks(count, work):
    """work(k) for every k < count, pulled in order by this thread and helper threads as each gets free. Chunks
    write disjoint parts of the result, so the result does not depend on which thread ran which chunk. The kernels
    release the GIL."""
    threads = min(_threads(), count)
    if threads <= 1:
        for k in range(count):
            work(k)
        return
    if not _helpers:
        import concurrent.futures
        _helpers.append(concurrent.futures.ThreadPoolExecutor(_threads() - 1, thread_name_prefix="neuroflow-conv"))
    ticket = itertools.count()

    def loop():
        for k in iter(ticket.__next__, None):  # next() on a count is atomic under the GIL
            if k >= count:
                return
            work(k)
    futures = [_helpers[0].submit(loop) for _ in range(threads - 1)]
    try:
        loop()
    finally:
        for f in futures:
            f.result()


def _chunk_size(n):
    """The length of _ranges' ranges over [0, n) (the last may be shorter): range k starts at k * size."""
    return max(1, -(-n // CHUNKS))


def _ranges(n, work):
    """work(lo, hi) over about CHUNKS ranges covering [0, n)."""
    size = _chunk_size(n)
    _run_chunks(-(-n // size), lambda k: work(k * size, min(n, (k + 1) * size)))


# --- helpers ---------------------------------------------------------------------------------------------------
def _eligible_conv(op):
    a = op.attrs
    return (a.get("data_format", "NHWC") == "NHWC" and tuple(a.get("dilations") or (1, 1, 1, 1)) == (1, 1, 1, 1)
            and op.outputs[0].dtype.base_dtype.name == "float32")


def _unit_inner(a, c):
    """`a` (float32, [N, H, W, C]) with channels and pixels at unit strides and element-aligned strides."""
    s = a.strides
    if s[3] == 4 and s[2] == 4 * c and s[0] % 4 == 0 and s[1] % 4 == 0:
        return a
    return np.ascontiguousarray(a)


def _real_rows(size, top, bottom):
    """(first real row, number of real rows) of `size` rows padded (or, where negative, trimmed) by top/bottom."""
    return max(top, 0), max(size - max(-top, 0) - max(-bottom, 0), 0)


def _f32(*arrays):
    return all(a.dtype == np.float32 and a.ndim == 4 for a in arrays)


_NO_BIAS = np.zeros(0, np.float32)
_NO_POOL = np.zeros((0, 0, 0, 0), np.float32)


def _correlate(xp, wm, out, strides, front, real, bias=_NO_BIAS, relu=False, pooled=_NO_POOL):
    fn = _compiled()["correlate"]
    xp = _unit_inner(xp, xp.shape[3])
    _ranges(out.shape[0] * out.shape[1],
            lambda lo, hi: fn(xp, wm, out, strides[0], strides[1], front, real, bias, relu, pooled, lo, hi))
    return out


# --- convolution ------------------------------------------------------------------------------------------------
@register_fast_kernel(cv.Conv2D)
def _conv2d(op, ctx):
    if not _eligible_conv(op):
        return None
    if wide_vectors():
        blas_threads.configure()  # these kernels run two threads; OpenBLAS's spinning ones would halve them
    attrs, plain = op.attrs, op.opdef.kernel(op, ctx)

    def compiled(x, w, bias=_NO_BIAS, relu=False, pool=None):
        """The convolution (then + bias, then ReLU) on the compiled path, or None where it does not apply. With
        `pool` ((attrs, kernel) of a 2x2 MaxPool reading the result), (result, pooled): pooled in the epilogue
        where the windows tile the result and each chunk of rows holds whole pairs, else by the pool's kernel."""
        if not _f32(x, w) or x.shape[3] != w.shape[2] or w.shape[3] % 16 or \
                x.size * w.size <= MIN_MACS * x.shape[3] or not np.isfinite(w).all() or not wide_vectors():
            return None
        kh, kw, c, o = w.shape
        _, strides, dil, pads, ho, wo = cv._geometry(attrs, x.shape[1], x.shape[2], kh, kw)
        xp = cv._padded_input(x, kh, kw, ho, wo, strides, dil, pads)
        front, real = _real_rows(x.shape[1], pads[0][0], xp.shape[1] - pads[0][0] - x.shape[1])
        out, pooled = np.empty((x.shape[0], ho, wo, o), np.float32), _NO_POOL
        if pool is not None:
            _, k, s, pads, size = pl._geometry(pool[0], ho, wo)
            if pool_2x2.applies(k, s, pads, out.shape, (x.shape[0],) + size) and _chunk_size(x.shape[0] * ho) % 2 == 0:
                pooled = np.empty((x.shape[0],) + size + (o,), np.float32)
        _correlate(xp, np.ascontiguousarray(w).reshape(kh, kw * c, o), out, strides, front, real, bias, relu, pooled)
        if pool is None:
            return out
        return out, pooled if pooled is not _NO_POOL else pool[1](out)

    def conv2d(x, w, pool=None):
        out = compiled(x, w, pool=pool)
        if out is None:
            out = plain(x, w)
            return out if pool is None else (out, pool[1](out))
        return out
    conv2d.absorb = lambda consumer, same: _conv_epilogue(op, ctx, compiled, plain, (), consumer, same)
    conv2d.absorb_reader = pooling.pool_reader(ctx, conv2d)
    return conv2d


def _conv_epilogue(conv_op, ctx, compiled, plain, stages, consumer, same):
    """The fused kernel for the plan compiler's `absorb` (compiler/passes.py): the convolution, then its `stages`
    ((kind, plain kernel) of BiasAdd and Relu steps it absorbed) and now `consumer`, in the tile's epilogue.
    Only a BiasAdd (NHWC, a float32 bias of static shape [filters]) followed by a Relu, or either alone: neither
    can then fail, so errors stay those of the convolution. Where the compiled path does not apply at run time,
    the plain kernels run one after the other."""
    kinds = tuple(kind for kind, _ in stages)
    filters = conv_op.inputs[1].shape
    if consumer.opdef is nn_ops.BiasAdd and not kinds:
        bias = consumer.inputs[1]
        if consumer.get_attr("data_format") != "NHWC" or same != [None] or bias.dtype.base_dtype.name != "float32" \
                or not bias.shape.is_fully_defined() or filters.rank != 4 or filters[3].value is None or \
                tuple(bias.shape.as_list()) != (filters[3].value,):
            return None
        kind = "bias"
    elif consumer.opdef is nn_ops.Relu and "relu" not in kinds:
        kind = "relu"
    else:
        return None
    stages = stages + ((kind, consumer.opdef.kernel(consumer, ctx)),)
    relu = kind == "relu"
    if stages[0][0] == "bias":
        bias_add = stages[0][1]

        def fused(x, w, b, pool=None):
            if b.__class__ is np.ndarray and b.dtype == np.float32 and b.shape == (w.shape[3],):
                out = compiled(x, w, np.ascontiguousarray(b), relu, pool)
                if out is not None:
                    return out
            out = bias_add(plain(x, w), b)
            for _, kernel in stages[1:]:
                out = kernel(out)
            return out if pool is None else (out, pool[1](out))
    else:
        def fused(x, w, pool=None):
            out = compiled(x, w, _NO_BIAS, True, pool)
            if out is None:
                out = stages[0][1](plain(x, w))
                return out if pool is None else (out, pool[1](out))
            return out
    if not relu:
        fused.absorb = lambda consumer, same: _conv_epilogue(conv_op, ctx, compiled, plain, stages, consumer, same)
    fused.absorb_reader = pooling.pool_reader(ctx, fused)
    return fused


@register_fast_kernel(cv.Conv2DBackpropInput)
def _conv2d_input_grad(op, ctx):
    if not _eligible_conv(op) or tuple(op.get_attr("strides")) != (1, 1, 1, 1):
        return None
    attrs, plain = op.attrs, op.opdef.kernel(op, ctx)

    def conv2d_backprop_input(sizes, w, dy):
        if not _f32(w, dy) or w.shape[2] % 16 or dy.shape[3] != w.shape[3] or np.size(sizes) not in (2, 4) or \
                dy.size * w.size <= MIN_MACS * w.shape[3] or not np.isfinite(w).all() or not wide_vectors():
            return plain(sizes, w, dy)
        kh, kw, c, o = w.shape
        n, h, wd, _ = cv._sizes(sizes, True, (dy.shape[0], None, None, c))
        _, _, _, ((pt, _), (pl_, _)), ho, wo = cv._geometry(attrs, h, wd, kh, kw)
        if dy.shape[:3] != (n, ho, wo):
            return plain(sizes, w, dy)  # raises TensorFlow's error
        # A stride-1 input gradient is the "full" correlation of dy with the flipped, transposed filter.
        top, left = kh - 1 - pt, kw - 1 - pl_
        bottom, right = h + kh - 1 - ho - top, wd + kw - 1 - wo - left
        dyp = cv.pad_hw(dy, top, bottom, left, right)
        front, real = _real_rows(ho, top, bottom)
        wf = np.ascontiguousarray(w[::-1, ::-1].transpose(0, 1, 3, 2)).reshape(kh, kw * o, c)
        return _correlate(dyp, wf, np.empty((n, h, wd, c), np.float32), (1, 1), front, real)
    return conv2d_backprop_input


@register_fast_kernel(cv.Conv2DBackpropFilter)
def _conv2d_filter_grad(op, ctx):
    if not _eligible_conv(op):
        return None
    attrs, plain = op.attrs, op.opdef.kernel(op, ctx)

    def conv2d_backprop_filter(x, sizes, dy):
        fs = np.asarray(sizes).reshape(-1)
        if fs.size != 4:
            return plain(x, sizes, dy)
        kh, kw, c, o = (int(v) for v in fs)
        if not _f32(x, dy) or o % 16 or x.shape[3] != c or dy.shape[3] != o or \
                dy.size * kh * kw * c <= MIN_MACS or x.size == 0 or not wide_vectors():
            return plain(x, sizes, dy)
        _, strides, dil, pads, ho, wo = cv._geometry(attrs, x.shape[1], x.shape[2], kh, kw)
        if dy.shape[:3] != (x.shape[0], ho, wo):
            return plain(x, sizes, dy)  # raises TensorFlow's error
        xp = _unit_inner(cv._padded_input(x, kh, kw, ho, wo, strides, dil, pads), c)
        front, real = _real_rows(x.shape[1], pads[0][0], xp.shape[1] - pads[0][0] - x.shape[1])
        fn, dy = _compiled()["filter_grad"], np.ascontiguousarray(dy)
        # Chunks: (kernel row p, a group of filter rows, a part of the images), each summing its images in order
        # into its part's buffer; groups no smaller than a tile, and image parts only when chunks are too few.
        run, want = kw * c, CHUNKS
        groups = max(1, min(-(-want // kh), run // (ROWS_V4 if o % 64 == 0 else ROWS_V2 if o % 32 == 0 else ROWS_V1)))
        parts = min(x.shape[0], -(-want // (kh * groups)))
        rb = [run * g // groups for g in range(groups + 1)]
        nb = [x.shape[0] * t // parts for t in range(parts + 1)]
        grads = np.zeros((parts, kh, run, o), np.float32)
        chunks = [(p, g, t) for p in range(kh) for g in range(groups) for t in range(parts)]

        def work(k):
            p, g, t = chunks[k]
            fn(xp[nb[t]:nb[t + 1]], dy[nb[t]:nb[t + 1]], grads[t], strides[0], strides[1], front, real, p, rb[g],
               rb[g + 1])
        _run_chunks(len(chunks), work)
        grad = grads[0] if parts == 1 else grads.sum(0)  # a fixed partition: the same sums on every run
        if not np.isfinite(grad).all():
            return plain(x, sizes, dy)  # non-finite values: padding's 0 * inf must give NaN, as in the reference
        return grad.reshape(kh, kw, c, o)
    return conv2d_backprop_filter


from . import pooling  # noqa: E402 - registers the pooling kernels, which use this module's kernels and chunks
