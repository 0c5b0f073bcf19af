"""`tf.image.decode_image`: one decoder for PNG, JPEG, GIF and BMP bytes, with TensorFlow's dtype rescaling;
the format-specific codecs are the primitives in ops/image_codec_ops.py."""
from ..framework import dtypes
from ..framework.apply import apply_op
from ..ops.image_codec_ops import DecodeImage, _contents
from .color import convert_image_dtype

__all__ = ["decode_image", "is_jpeg"]


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
