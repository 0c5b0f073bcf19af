"""`tf.image.decode_image` (one decoder for PNG, JPEG, GIF and BMP bytes, with TensorFlow's dtype rescaling),
`is_jpeg`, and the JPEG-quality adjustments (a JPEG round trip); the format-specific codecs are the primitives
in ops/image_codec_ops.py and ops/jpeg_ops.py."""
from ..framework import dtypes
from ..framework.apply import apply_op, convert_to_tensor
from ..ops.image_codec_ops import DecodeImage, _contents
from .color import convert_image_dtype

__all__ = ["decode_image", "is_jpeg", "adjust_jpeg_quality", "random_jpeg_quality"]


def decode_image(contents, channels=None, dtype=dtypes.uint8, name=None, expand_animations=True):
    """An image from PNG, JPEG, GIF or BMP bytes, the format told by the first bytes (JPEG, GIF and BMP need
    Pillow): [height, width, channels], or [frames, height, width, 3] for a GIF when `expand_animations`.
    A float `dtype` rescales as `convert_image_dtype` does.

    Example: `tf.image.decode_image(tf.read_file(path), channels=3, expand_animations=False)`.
    """
    dtype = dtypes.as_dtype(dtype).base_dtype
    integer = dtype if dtype in (dtypes.uint8, dtypes.uint16) else dtypes.uint8
    decoded = apply_op(DecodeImage, [_contents(contents)],
                       {"channels": int(channels or 0), "dtype": integer,
                        "expand_animations": bool(expand_animations)}, name=name or "decode_image")
    return decoded if dtype == integer else convert_image_dtype(decoded, dtype)


def is_jpeg(contents, name=None):
    """A bool scalar: whether the bytes `contents` start as a JPEG file does (0xFF 0xD8 0xFF).

    Example: `tf.cond(tf.image.is_jpeg(data), decode_jpeg_fn, decode_png_fn)`.
    """
    from ..framework.graph import name_scope
    from ..ops.math_ops import equal
    from ..ops.string_ops import substr
    with name_scope(name, "is_jpeg"):
        return equal(substr(contents, 0, 3), b"\xff\xd8\xff", name=name)


def adjust_jpeg_quality(image, jpeg_quality, name=None):
    """`image` after a JPEG round trip at `jpeg_quality` (0 to 100), in its own dtype (needs Pillow).

    Example: `tf.image.adjust_jpeg_quality(image, 30)` shows JPEG's blocks and ringing.
    """
    from ..framework.graph import name_scope
    from ..ops.image_codec_ops import decode_jpeg
    from ..ops.jpeg_ops import encode_jpeg_variable_quality
    with name_scope(name, "adjust_jpeg_quality", [image]):
        image = convert_to_tensor(image, name="image")
        original = image.dtype.base_dtype
        quality = convert_to_tensor(jpeg_quality, dtypes.int32, name="jpeg_quality")
        encoded = encode_jpeg_variable_quality(convert_image_dtype(image, dtypes.uint8), quality)
        return convert_image_dtype(decode_jpeg(encoded), original)


def random_jpeg_quality(image, min_jpeg_quality, max_jpeg_quality, seed=None):
    """`adjust_jpeg_quality` at a quality drawn uniformly from [min_jpeg_quality, max_jpeg_quality).

    Raises:
        ValueError: a bound outside [0, 100], or min_jpeg_quality >= max_jpeg_quality.
    """
    from ..ops.random_ops import random_uniform
    if not all(0 <= q <= 100 for q in (min_jpeg_quality, max_jpeg_quality)):
        raise ValueError("jpeg encoding range must be between 0 and 100.")
    if min_jpeg_quality >= max_jpeg_quality:
        raise ValueError("`min_jpeg_quality` must be less than `max_jpeg_quality`.")
    quality = random_uniform([], min_jpeg_quality, max_jpeg_quality, seed=seed, dtype=dtypes.int32)
    return adjust_jpeg_quality(image, quality)
