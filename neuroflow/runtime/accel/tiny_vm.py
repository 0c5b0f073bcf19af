"""The tiny-tensor VM: one numba kernel, compiled once (and kept in numba's on-disk cache), that runs a whole tiny
plan's instruction list (made by runtime/compiler/tiny_plan.py, which also defines the instruction layout and the
opcodes) over one small float32 or float64 arena, so a warm run of a graph like the lecture's is one compiled call
instead of a kernel call per op.

Every instruction does IEEE arithmetic in the arena's dtype, one rounding per NumPy operation and in NumPy's order
(sums in NumPy's pairwise order), so results are bit-for-bit those of the plain plan; no instruction can fail.
This module imports numba: only tiny_plan's tier-up imports it.
"""
import numba
import numpy as np

__all__ = ["run"]

# error_model="numpy": a float division by zero gives inf/nan as in NumPy (TensorFlow is silent too). No fastmath:
# every operation rounds as NumPy's does (no contraction into fused multiply-adds). Module-level functions, so that
# numba's disk cache serves every later process.
_jit = numba.njit(cache=True, error_model="numpy")


@_jit
def pairwise(a, lo, n):
    # NumPy's pairwise_sum for 1 <= n <= 128. Below 8 elements a running sum (NumPy starts it from -0.0, and
    # -0.0 + x is x, bit for bit); else 8 accumulators combined as ((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7)), then
    # the rest one by one.
    if n < 8:
        res = a[lo]
        for i in range(lo + 1, lo + n):
            res += a[i]
        return res
    r0, r1, r2, r3 = a[lo], a[lo + 1], a[lo + 2], a[lo + 3]
    r4, r5, r6, r7 = a[lo + 4], a[lo + 5], a[lo + 6], a[lo + 7]
    i = lo + 8
    end = lo + n - n % 8
    while i < end:
        r0 += a[i]
        r1 += a[i + 1]
        r2 += a[i + 2]
        r3 += a[i + 3]
        r4 += a[i + 4]
        r5 += a[i + 5]
        r6 += a[i + 6]
        r7 += a[i + 7]
        i += 8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < lo + n:
        res += a[i]
        i += 1
    return res


@_jit
def run(code, arena, inputs):
    """Runs `code` over `arena`; returns 0, or 1 when an input's size is not what the code expects (then
    nothing was written).

    `code`: int64 [n_inputs, (offset in, size, offset out, write back) per input, instructions...]; `inputs`: a
    tuple of 1-d arrays (feeds and variable storage) copied into the arena first, the written-back ones copied
    out of it last (from where their last value is: an Assign gives a variable a new place).
    """
    count = code[0]
    for k in range(count):  # every size first: a mismatch must leave everything untouched
        if inputs[k].size != code[2 + 4 * k]:
            return 1
    for k in range(count):
        src, off = inputs[k], code[1 + 4 * k]
        for i in range(src.size):
            arena[off + i] = src[i]
    pc = 1 + 4 * count
    while pc < code.size:
        op, n, o0, o1, o2, o3, o4 = (code[pc], code[pc + 1], code[pc + 2], code[pc + 3], code[pc + 4],
                                     code[pc + 5], code[pc + 6])
        s1, s2, s3, s4 = code[pc + 7], code[pc + 8], code[pc + 9], code[pc + 10]
        pc += 11
        if op == 1:  # the opcodes are compiler/tiny_plan.py's OPCODES
            for i in range(n):
                arena[o0 + i] = arena[o1 + i * s1] + arena[o2 + i * s2]
        elif op == 2:
            for i in range(n):
                arena[o0 + i] = arena[o1 + i * s1] - arena[o2 + i * s2]
        elif op == 3:
            for i in range(n):
                arena[o0 + i] = arena[o1 + i * s1] * arena[o2 + i * s2]
        elif op == 4:
            for i in range(n):
                arena[o0 + i] = arena[o1 + i * s1] / arena[o2 + i * s2]
        elif op == 5:
            for i in range(n):
                arena[o0 + i] = -arena[o1 + i * s1]
        elif op == 6:
            for i in range(n):
                x = arena[o1 + i * s1]
                arena[o0 + i] = x * x
        elif op == 12:
            for i in range(n):
                arena[o0 + i] = np.sqrt(arena[o1 + i * s1])
        elif op == 13:
            for i in range(n):
                arena[o0 + i] = arena[o1 + i * s1]
        elif op == 7 or op == 8:  # n rows of o2 elements from o1; Mean divides by the count held at o3
            for r in range(n):
                total = pairwise(arena, o1 + r * o2, o2)
                arena[o0 + r] = total / arena[o3] if op == 8 else total
        elif op == 9:  # var -= delta * alpha
            for i in range(n):
                arena[o0 + i] = arena[o0 + i] - arena[o2 + i * s2] * arena[o1 + i * s1]
        elif op == 10 or op == 11:  # accum = accum * momentum + grad; var -= accum * lr (or Nesterov's)
            for i in range(n):
                lr, mom, g = arena[o2 + i * s2], arena[o3 + i * s3], arena[o4 + i * s4]
                a = arena[o1 + i] * mom
                a = a + g
                arena[o1 + i] = a
                if op == 10:
                    arena[o0 + i] = arena[o0 + i] - a * lr
                else:
                    arena[o0 + i] = arena[o0 + i] - (g * lr + a * mom * lr)
    for k in range(count):
        if code[4 + 4 * k]:
            dst, off = inputs[k], code[3 + 4 * k]
            for i in range(dst.size):
                dst[i] = arena[off + i]
    return 0

