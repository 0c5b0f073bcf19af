"""Compiled float32 matrix products (MatMul) for plans that run on the BLAS pool of runtime/blas_threads.py, i.e.
programs with compiled convolutions, where OpenBLAS is set to one thread. There a product is split over the pool
and each part is one single-threaded OpenBLAS call, which runs the narrow products of a convnet's dense layers at
about half the core's peak (64 x 3136 @ 3136 x 1024, the cnn workload's, and both of its gradients). Here they
run on the convolution's register tile (accel/conv.py `_fma_tile`: R rows x 16V columns in vector registers),
with the reduction cut into blocks of `K_BLOCK` so that the block of the right operand a tile streams stays in
L2. Measured on the 2-core test machine (AVX-512), interleaved with the pool's products on a loaded machine:
forward 2.2-4.0 ms against 2.8-5.4, filter gradient 2.3-4.1 against 2.9-5.1, input gradient 2.5-4.3 against
3.7-6.1 (minima of 20 runs, in 4 runs of the script).

Each output element is one fused multiply-add chain over k in order (a tile's accumulators go to memory and back
between blocks, exactly), so results do not depend on the split or the thread count; they equal the BLAS product
to float32 rounding (another summation order). Every product is computed, so infinities and NaNs propagate as in
BLAS. Elsewhere (no pool, other dtypes, small products, no 16-wide side) the plain kernel runs.
"""
import numpy as np

from .. import blas_threads
from ...ops import linalg_ops
from . import conv, register_fast_kernel

__all__ = []

MIN_MACS = 1 << 22  # smaller products stay with BLAS (a call through the pool costs tens of microseconds)
K_BLOCK = 256       # reduction steps per tile visit: 256 x 64 floats of the right operand (64 KiB) stay in L2
_jit = {}
_fma_tile = _vectors = None  # set by _compiled(); module globals so that numba can cache the caller


def _compiled():
    global _fma_tile, _vectors
    if _jit:
        return _jit
    import numba
    conv._compiled()
    _fma_tile, _vectors = conv._fma_tile, conv._vectors

    @numba.njit(cache=True, nogil=True, error_model="numpy")
    def product(a_address, am, ak, b, out, m_lo, m_hi, n_lo, n_hi):
        """out[m, n] = sum over k of A[m, k] * b[k, n] for m_lo <= m < m_hi, n_lo <= n < n_hi, where A's element
        (m, k) is the float32 at a_address + 4 * (m * am + k * ak); b: [K, N] with unit column stride, N and the
        column range multiples of 16; out: [M, N] with unit column stride."""
        k_total, n_total = b.shape
        bs, os_ = b.strides[0] // 4, out.strides[0] // 4
        bb, ob = b.ctypes.data, out.ctypes.data
        o0 = n_lo
        while o0 < n_hi:
            nvec, most = _vectors(n_hi - o0)
            tiles = (m_hi - m_lo + most - 1) // most
            k0 = 0
            while k0 < k_total:
                k1 = min(k_total, k0 + K_BLOCK)
                r0 = m_lo
                for t in range(tiles):
                    rows = (m_hi - r0) // (tiles - t)
                    _fma_tile(nvec * 64 + rows, ob + 4 * (r0 * os_ + o0), os_, a_address + 4 * (r0 * am + k0 * ak),
                              am, ak, 0, bb + 4 * (k0 * bs + o0), bs, 0, k1 - k0, 1, 1 if k0 == 0 else 0)
                    r0 += rows
                k0 = k1
            o0 += 16 * nvec
    _jit["product"] = product
    return _jit


def _unit_columns(m):
    """Whether the 2-D float32 `m` has unit column stride and element-aligned rows (what the tile reads)."""
    return m.strides[1] == 4 and m.strides[0] % 4 == 0


def _element_strides(m):
    s0, s1 = m.strides
    return (s0 // 4, s1 // 4) if s0 % 4 == 0 and s1 % 4 == 0 else None


def _product(a, b):
    """a @ b on the tile: a [M, K] with element strides, b [K, N] with unit column stride, N % 16 == 0."""
    fn = _compiled()["product"]
    m, n = a.shape[0], b.shape[1]
    out = np.empty((m, n), np.float32)
    am, ak = _element_strides(a)
    address = a.ctypes.data
    blocks = n // 64 + (n % 64 > 0)
    if blocks >= 2 * conv._threads() or m < 32:  # column blocks of 64 (whole tiles), or ranges of rows
        size = -(-blocks // min(blocks, conv.CHUNKS))
        count = -(-blocks // size)
        conv._run_chunks(count, lambda k: fn(address, am, ak, b, out, 0, m, k * size * 64,
                                             min(n, (k + 1) * size * 64)))
    else:
        count = min(conv.CHUNKS, m // 16)
        bounds = [m * i // count for i in range(count + 1)]
        conv._run_chunks(count, lambda k: fn(address, am, ak, b, out, bounds[k], bounds[k + 1], 0, n))
    return out


@register_fast_kernel(linalg_ops.MatMul)
def _matmul(op, ctx):
    if blas_threads.threads() <= 1 or op.outputs[0].dtype.base_dtype.name != "float32" or not conv.wide_vectors():
        return None  # bound only in plans compiled while the pool is on (it never turns off in this process)
    plain = op.opdef.kernel(op, ctx)
    transpose_a, transpose_b = op.attrs.get("transpose_a", False), op.attrs.get("transpose_b", False)

    def matmul(a, b):
        if not (a.__class__ is np.ndarray and b.__class__ is np.ndarray and a.dtype == np.float32 and
                b.dtype == np.float32 and a.ndim == 2 and b.ndim == 2):
            return plain(a, b)
        left, right = (a.T if transpose_a else a), (b.T if transpose_b else b)
        (m, k), (k2, n) = left.shape, right.shape
        if k != k2 or m * n * k < MIN_MACS or _element_strides(left) is None or _element_strides(right) is None:
            return plain(a, b)  # also raises TensorFlow's error
        # out = left @ right with right's rows read whole, or out.T = right.T @ left.T with left.T's: the one
        # whose 16-wide side exists and needs the smaller copy.
        direct = n % 16 == 0
        transposed = m % 16 == 0
        if direct and transposed:
            direct = (0 if _unit_columns(right) else k * n) <= (0 if _unit_columns(left.T) else m * k) + m * n
        if direct:
            return _product(left, right if _unit_columns(right) else np.ascontiguousarray(right))
        if transposed:
            return np.ascontiguousarray(_product(right.T, left.T if _unit_columns(left.T)
                                                 else np.ascontiguousarray(left.T)).T)
        return plain(a, b)
    return matmul
