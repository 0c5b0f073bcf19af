"""Turning arrays into what summaries carry: PNG images, WAV audio, TensorFlow's histogram buckets and
TensorProtos — NumPy and the standard library only (no image or audio packages)."""
import struct
import zlib

import numpy as np

from ..framework import dtypes as _dtypes
from ._proto import protos

__all__ = ["encode_png", "encode_wav", "normalize_image", "histogram_proto", "tensor_proto", "shape_proto",
           "DEFAULT_BUCKET_LIMITS"]


def _default_bucket_limits():
    # TensorFlow's default histogram buckets: +-1e-12 growing by 10% up to 1e20, zero, and +-DBL_MAX at the ends.
    positive = []
    v = 1.0e-12
    while v < 1.0e20:
        positive.append(v)
        v *= 1.1
    positive.append(np.finfo(np.float64).max)
    negative = [-x for x in reversed(positive)]
    return np.array(negative + [0.0] + positive, dtype=np.float64)


DEFAULT_BUCKET_LIMITS = _default_bucket_limits()


def histogram_proto(values):
    """A `HistogramProto` of `values` (finite numbers) with TensorFlow's default buckets; runs of empty buckets
    are merged into one, as TensorFlow encodes them."""
    hp = protos().summary_pb2.HistogramProto
    v = np.asarray(values, dtype=np.float64).ravel()
    limits = DEFAULT_BUCKET_LIMITS
    if v.size == 0:
        proto = hp(min=limits[-1], max=-limits[-1], num=0, sum=0.0, sum_squares=0.0)
    else:
        proto = hp(min=float(v.min()), max=float(v.max()), num=float(v.size), sum=float(v.sum()),
                   sum_squares=float(np.dot(v, v)))
    # Bucket i holds limits[i-1] <= x < limits[i]: the index of the first limit above x.
    index = np.minimum(np.searchsorted(limits, v, side="right"), limits.size - 1)
    counts = np.bincount(index, minlength=limits.size)
    nonzero = counts > 0
    # Each emitted bucket ends at a nonzero bucket, or at the last bucket of a run of empty ones.
    run_end = ~nonzero & np.append(nonzero[1:], True)
    keep = nonzero | run_end
    proto.bucket_limit.extend(limits[keep].tolist())
    proto.bucket.extend(counts[keep].astype(np.float64).tolist())
    return proto


def normalize_image(image, bad_color):
    """One [height, width, channels] image as uint8 the way TensorFlow's ImageSummary does it: uint8 kept;
    floats scaled so the largest is 255 when none is negative, else centred on 128 and scaled by the largest
    magnitude; pixels with a non-finite channel painted `bad_color`."""
    if image.dtype == np.uint8:
        return image
    x = image.astype(np.float32)
    finite = np.isfinite(x).all(axis=-1)
    good = x[finite]
    lo = float(good.min()) if good.size else np.inf
    hi = float(good.max()) if good.size else -np.inf
    if lo < 0:
        top = max(abs(lo), abs(hi))
        scale, offset = (0.0 if top < 1e-6 else 127.0 / top), 128.0
    else:
        scale, offset = (0.0 if hi < 1e-6 else 255.0 / hi), 0.0
    with np.errstate(invalid="ignore"):
        out = np.where(finite[..., None], x * scale + offset, 0).astype(np.uint8)
    if not finite.all():
        out[~finite] = np.asarray(bad_color, np.uint8)[:out.shape[-1]]
    return out


def encode_png(image):
    """PNG bytes of a uint8 [height, width, channels] image (1 gray, 2 gray+alpha, 3 RGB, 4 RGBA)."""
    h, w, c = image.shape
    color_type = {1: 0, 2: 4, 3: 2, 4: 6}[c]
    rows = np.zeros((h, 1 + w * c), np.uint8)  # each scanline: filter type 0, then the raw pixels
    rows[:, 1:] = np.ascontiguousarray(image).reshape(h, w * c)

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", w, h, 8, color_type, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows.tobytes(), 6))
            + chunk(b"IEND", b""))


def encode_wav(samples, sample_rate):
    """16-bit PCM WAV bytes of float [frames, channels] samples in [-1, 1] (clipped)."""
    frames, channels = samples.shape
    pcm = np.rint(np.clip(samples, -1.0, 1.0) * 32767.0).astype("<i2")
    data = pcm.tobytes()
    rate = int(round(sample_rate))
    fmt = struct.pack("<HHIIHH", 1, channels, rate, rate * channels * 2, channels * 2, 16)
    return (b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt
            + b"data" + struct.pack("<I", len(data)) + data)


def shape_proto(shape):
    """A `TensorShapeProto` of a TensorShape, tuple or list (None dims become -1; unknown rank flagged)."""
    tsp = protos().tensor_shape_pb2.TensorShapeProto
    dims = getattr(shape, "dims", shape) if not isinstance(shape, (tuple, list)) else shape
    if dims is None:
        return tsp(unknown_rank=True)
    sizes = []
    for d in dims:
        d = getattr(d, "value", d)
        sizes.append(-1 if d is None else int(d))
    return tsp(dim=[tsp.Dim(size=s) for s in sizes])


def tensor_proto(array, dtype=None):
    """A `TensorProto` holding `array`: strings as `string_val`, numbers as raw little-endian `tensor_content`."""
    tp = protos().tensor_pb2.TensorProto
    array = np.asarray(array)
    if dtype is None:
        dtype = _dtypes.string if array.dtype.kind in "OSU" else _dtypes.as_dtype(array.dtype)
    proto = tp(dtype=dtype.base_dtype.as_datatype_enum, tensor_shape=shape_proto(array.shape))
    if dtype.base_dtype == _dtypes.string:
        proto.string_val.extend(v if isinstance(v, bytes) else str(v).encode("utf-8") for v in array.ravel())
    else:
        np_type = np.dtype(dtype.base_dtype.as_numpy_dtype).newbyteorder("<")
        proto.tensor_content = np.ascontiguousarray(array, dtype=np_type).tobytes()
    return proto
