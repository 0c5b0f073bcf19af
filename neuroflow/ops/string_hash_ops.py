"""String hashing into buckets: TensorFlow's StringToHashBucketFast (farmhash's Fingerprint64 of each string, modulo
the bucket count), written here in plain Python from the published algorithm so that bucket ids equal TensorFlow's
(stored TensorFlow 2.21 values: tests/data/feature_column/). `tf.strings.to_hash_bucket_fast`, and the hashing of
`tf.feature_column.categorical_column_with_hash_bucket`."""
import functools

from ..framework import dtypes
from ..framework.apply import apply_op, convert_to_tensor
from ..framework.op_def import OpDef, register

__all__ = ["fingerprint64", "fingerprint_cat64", "string_to_hash_bucket_fast"]

_MASK = (1 << 64) - 1
_K0 = 0xC3A5C85C97CB3127
_K1 = 0xB492B66FBE98F273
_K2 = 0x9AE16A3B2F90404F
_KMUL = 0x9DDFEA08EB382D69


def _u64(s, i):
    return int.from_bytes(s[i:i + 8], "little")


def _u32(s, i):
    return int.from_bytes(s[i:i + 4], "little")


def _rot(v, shift):
    return v if shift == 0 else ((v >> shift) | (v << (64 - shift))) & _MASK


def _shift_mix(v):
    return v ^ (v >> 47)


def _hash16(u, v, mul=_KMUL):
    a = ((u ^ v) * mul) & _MASK
    a ^= a >> 47
    b = ((v ^ a) * mul) & _MASK
    b ^= b >> 47
    return (b * mul) & _MASK


def _len0to16(s):
    n = len(s)
    if n >= 8:
        mul = _K2 + n * 2
        a = (_u64(s, 0) + _K2) & _MASK
        b = _u64(s, n - 8)
        c = (_rot(b, 37) * mul + a) & _MASK
        d = ((_rot(a, 25) + b) * mul) & _MASK
        return _hash16(c, d, mul)
    if n >= 4:
        mul = _K2 + n * 2
        return _hash16(n + (_u32(s, 0) << 3), _u32(s, n - 4), mul)
    if n > 0:
        y = (s[0] + (s[n >> 1] << 8)) & 0xFFFFFFFF
        z = (n + (s[n - 1] << 2)) & 0xFFFFFFFF
        return (_shift_mix(((y * _K2) ^ (z * _K0)) & _MASK) * _K2) & _MASK
    return _K2


def _len17to32(s):
    n = len(s)
    mul = _K2 + n * 2
    a = (_u64(s, 0) * _K1) & _MASK
    b = _u64(s, 8)
    c = (_u64(s, n - 8) * mul) & _MASK
    d = (_u64(s, n - 16) * _K2) & _MASK
    return _hash16((_rot((a + b) & _MASK, 43) + _rot(c, 30) + d) & _MASK,
                   (a + _rot((b + _K2) & _MASK, 18) + c) & _MASK, mul)


def _len33to64(s):
    n = len(s)
    mul = _K2 + n * 2
    a = (_u64(s, 0) * _K2) & _MASK
    b = _u64(s, 8)
    c = (_u64(s, n - 8) * mul) & _MASK
    d = (_u64(s, n - 16) * _K2) & _MASK
    y = (_rot((a + b) & _MASK, 43) + _rot(c, 30) + d) & _MASK
    z = _hash16(y, (a + _rot((b + _K2) & _MASK, 18) + c) & _MASK, mul)
    e = (_u64(s, 16) * mul) & _MASK
    f = _u64(s, 24)
    g = ((y + _u64(s, n - 32)) * mul) & _MASK
    h = ((z + _u64(s, n - 24)) * mul) & _MASK
    return _hash16((_rot((e + f) & _MASK, 43) + _rot(g, 30) + h) & _MASK,
                   (e + _rot((f + a) & _MASK, 18) + g) & _MASK, mul)


def _weak32(s, i, a, b):
    w, x, y, z = _u64(s, i), _u64(s, i + 8), _u64(s, i + 16), _u64(s, i + 24)
    a = (a + w) & _MASK
    b = _rot((b + a + z) & _MASK, 21)
    c = a
    a = (a + x + y) & _MASK
    b = (b + _rot(a, 44)) & _MASK
    return (a + z) & _MASK, (b + c) & _MASK


def fingerprint64(data):
    """farmhash's Fingerprint64 (its `na` Hash64) of `data` (bytes, or str taken as UTF-8): an int in [0, 2**64)."""
    return _fingerprint(data.encode("utf-8") if isinstance(data, str) else bytes(data))


@functools.lru_cache(maxsize=1 << 16)  # feature values repeat (words, categories): hash each once, in Python
def _fingerprint(s):
    n = len(s)
    if n <= 16:
        return _len0to16(s)
    if n <= 32:
        return _len17to32(s)
    if n <= 64:
        return _len33to64(s)
    seed = 81
    y = (seed * _K1 + 113) & _MASK
    z = (_shift_mix((y * _K2 + 113) & _MASK) * _K2) & _MASK
    v0 = v1 = w0 = w1 = 0
    x = (seed * _K2 + _u64(s, 0)) & _MASK
    end = ((n - 1) // 64) * 64
    last64 = end + ((n - 1) & 63) - 63
    pos = 0
    while True:
        x = (_rot((x + y + v0 + _u64(s, pos + 8)) & _MASK, 37) * _K1) & _MASK
        y = (_rot((y + v1 + _u64(s, pos + 48)) & _MASK, 42) * _K1) & _MASK
        x ^= w1
        y = (y + v0 + _u64(s, pos + 40)) & _MASK
        z = (_rot((z + w0) & _MASK, 33) * _K1) & _MASK
        v0, v1 = _weak32(s, pos, (v1 * _K1) & _MASK, (x + w0) & _MASK)
        w0, w1 = _weak32(s, pos + 32, (z + w1) & _MASK, (y + _u64(s, pos + 16)) & _MASK)
        z, x = x, z
        pos += 64
        if pos == end:
            break
    mul = _K1 + ((z & 0xFF) << 1)
    pos = last64
    w0 = (w0 + ((n - 1) & 63)) & _MASK
    v0 = (v0 + w0) & _MASK
    w0 = (w0 + v0) & _MASK
    x = (_rot((x + y + v0 + _u64(s, pos + 8)) & _MASK, 37) * mul) & _MASK
    y = (_rot((y + v1 + _u64(s, pos + 48)) & _MASK, 42) * mul) & _MASK
    x ^= (w1 * 9) & _MASK
    y = (y + v0 * 9 + _u64(s, pos + 40)) & _MASK
    z = (_rot((z + w0) & _MASK, 33) * mul) & _MASK
    v0, v1 = _weak32(s, pos, (v1 * mul) & _MASK, (x + w0) & _MASK)
    w0, w1 = _weak32(s, pos + 32, (z + w1) & _MASK, (y + _u64(s, pos + 16)) & _MASK)
    z, x = x, z
    return _hash16((_hash16(v0, w0, mul) + _shift_mix(y) * _K0 + z) & _MASK,
                   (_hash16(v1, w1, mul) + x) & _MASK, mul)


def fingerprint_cat64(fp1, fp2):
    """TensorFlow's FingerprintCat64: two 64-bit fingerprints combined into one (feature crosses chain it)."""
    mul = 0xC6A4A7935BD1E995
    result = fp1 ^ mul
    result ^= (_shift_mix((fp2 * mul) & _MASK) * mul) & _MASK
    result = (result * mul) & _MASK
    result = (_shift_mix(result) * mul) & _MASK
    return _shift_mix(result)


@register
class StringToHashBucketFast(OpDef):
    """Each string's Fingerprint64 modulo attr num_buckets, as int64 (same shape)."""

    type_name = "StringToHashBucketFast"
    input_names = ("input",)
    allowed_dtypes = None
    grad = None

    def infer(self, inputs, attrs):
        if inputs[0].dtype.base_dtype is not dtypes.string:
            raise TypeError(f"Input 'input' of 'StringToHashBucketFast' Op has type {inputs[0].dtype.base_dtype.name} "
                            "that does not match expected type of string.")
        if int(attrs["num_buckets"]) < 1:
            raise ValueError(f"Value for attr 'num_buckets' of {attrs['num_buckets']} must be at least minimum 1")
        return [(inputs[0].shape, dtypes.int64)]

    def forward(self, xp, strings, num_buckets):
        # Strings live on the host as an object array of bytes: the loop is the kernel.
        flat = [fingerprint64(s) % num_buckets for s in xp.asarray(strings).reshape(-1).tolist()]
        return xp.asarray(flat, dtype=xp.int64).reshape(xp.shape(strings))


def string_to_hash_bucket_fast(input, num_buckets, name=None):  # noqa: A002 - TensorFlow's argument name
    """Hashes each string of `input` into one of `num_buckets` buckets (int64), as TensorFlow does: farmhash
    Fingerprint64 modulo num_buckets.

    Example: `tf.strings.to_hash_bucket_fast(["a", "b"], 10)` is two ids in [0, 10)."""
    strings = convert_to_tensor(input, dtype=dtypes.string, name="input")
    return apply_op(StringToHashBucketFast, [strings], {"num_buckets": int(num_buckets)},
                    name=name or "StringToHashBucketFast")
