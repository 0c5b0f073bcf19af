"""Compiled max pooling and its gradient for the most common windows: 2x2 at stride 2 with no padding, tiling the
input (NHWC, float). runtime/accel/conv.py calls them where they apply and its general kernels elsewhere.

The general kernels keep per-channel state across a window's positions in memory (the running maximum; the
"found" flags of the gradient), loading and storing it at every position. Here MaxPool reads each channel's window
as four loads and three selects into one store, and MaxPoolGrad writes dx row by row, each element comparing the
window's earlier positions with the maximum itself (measured single-threaded, minima of 40 runs on a loaded
machine, 64 x 28 x 28 x 32 float32: MaxPoolGrad with the ReLU mask 0.71-0.76 -> 0.33-0.35 ms; MaxPool on two
threads ~0.42-0.55 -> ~0.17-0.30 ms). The same comparisons as the general kernels, so results are bitwise theirs.
"""
import numpy as np

__all__ = ["applies", "kernels"]

_jit = {}


def applies(k, s, pads, in_shape, out_shape):
    """Whether 2x2 windows at stride 2 with no padding tile the whole [N, H, W, C] input."""
    return (tuple(k) == (2, 2) and tuple(s) == (2, 2) and tuple(pads) == (0, 0) and
            in_shape[1] == 2 * out_shape[1] and in_shape[2] == 2 * out_shape[2])


def kernels():
    """{"max_pool": kernel, "max_pool_grad": kernel}, compiled (or loaded from numba's cache) on first use."""
    if _jit:
        return _jit
    import numba

    jit = numba.njit(cache=True, nogil=True, error_model="numpy")

    @jit
    def max_pool(x, out, lo, hi):
        """out[n, i, j] = the maximum of x[n, 2i:2i+2, 2j:2j+2] (NaN if any is), for rows lo <= n*Ho + i < hi."""
        ho, wo, c = out.shape[1], out.shape[2], out.shape[3]
        for row in range(lo, hi):
            n, i = divmod(row, ho)
            for j in range(wo):
                for ch in range(c):
                    a = x[n, 2 * i, 2 * j, ch]
                    b = x[n, 2 * i, 2 * j + 1, ch]
                    a = b if (b > a) | (b != b) else a
                    b = x[n, 2 * i + 1, 2 * j, ch]
                    a = b if (b > a) | (b != b) else a
                    b = x[n, 2 * i + 1, 2 * j + 1, ch]
                    out[n, i, j, ch] = b if (b > a) | (b != b) else a

    @jit
    def max_pool_grad(x, m, g, dx, one, relu, sums, lo, hi):
        """dx = g at the first position (row-major) of each window whose value equals its maximum m, else g * 0;
        with `relu`, then times (x > 0), as ReluGrad(dx, x). For images lo <= n < hi; `one`: 1 in x's dtype.
        Written one dx row at a time: each element checks the window's earlier positions itself. Unless `sums`
        (float64 [C]) is empty, the dx values are summed per channel into it (BiasAddGrad of dx while it is in
        registers: a second pass would read dx from memory again): each column's in x's dtype (no chain of adds
        along a row), then the columns in order."""
        ho, wo, c = m.shape[1], m.shape[2], m.shape[3]
        zero = one - one
        total = sums.size > 0
        cols = np.zeros((2 * wo if total else 0, c), x.dtype)  # the sums of each dx column's channels
        for n in range(lo, hi):
            for i in range(ho):
                top, gi, first = m[n, i], g[n, i], x[n, 2 * i]
                for p in range(2):
                    row, out = x[n, 2 * i + p], dx[n, 2 * i + p]
                    for j in range(wo):
                        for q in range(2):
                            for ch in range(c):
                                peak = top[j, ch]
                                if p == 0:  # earlier: (0, 0) when q == 1
                                    before = (q == 1) & (first[2 * j, ch] == peak)
                                else:       # earlier: (0, 0), (0, 1), and (1, 0) when q == 1
                                    before = ((first[2 * j, ch] == peak) | (first[2 * j + 1, ch] == peak) |
                                              ((q == 1) & (row[2 * j, ch] == peak)))
                                value = row[2 * j + q, ch]
                                v = gi[j, ch] * (one if (value == peak) > before else zero)
                                if relu:
                                    v = v * (one if value > 0 else zero)
                                out[2 * j + q, ch] = v
                                if total:
                                    cols[2 * j + q, ch] += v
        if total:  # each column's sums (in cache, no chain of adds within a row), then the columns in order
            for j in range(2 * wo):
                for ch in range(c):
                    sums[ch] += cols[j, ch]

    _jit.update(max_pool=max_pool, max_pool_grad=max_pool_grad)
    return _jit
