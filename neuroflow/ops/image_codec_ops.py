"""Image file codecs as host-only primitives on string scalars: EncodePng/DecodePng (zlib from the standard
library, `png_format`), and DecodeJpeg/EncodeJpeg/DecodeGif/DecodeBmp/DecodeImage through Pillow, imported only
when such an op first runs (the `image` extra). Not differentiable, never folded (they read bytes at run time)."""
import io

import numpy as np

from ..framework import dtypes, errors
from ..framework.apply import _is_tensor_like, apply_op, convert_to_tensor
from ..framework.op_def import OpDef, register
from ..framework.tensor_shape import TensorShape
from . import png_format
from .op_util import check_rank, invalid_argument

__all__ = ["encode_png", "decode_png", "decode_jpeg", "encode_jpeg", "decode_gif", "decode_bmp"]

_PILLOW_HINT = ("this image format needs Pillow, which is not installed: pip install 'neuroflow[image]' "
                "(or pip install Pillow). PNG needs nothing extra.")


def _pillow():
    try:
        from PIL import Image
    except ImportError:
        raise errors.UnimplementedError(None, None, _PILLOW_HINT) from None
    return Image


def _bytes_of(contents):
    if getattr(contents, "ndim", 0) != 0:
        raise invalid_argument(f"contents must be scalar, got shape [{','.join(map(str, contents.shape))}]")
    value = contents.item() if hasattr(contents, "item") else contents
    return value.encode("latin-1") if isinstance(value, str) else bytes(value)


def _string_scalar(value):
    return np.array(value, dtype=object)


def _require_string(opdef, t):
    if t.dtype.base_dtype != dtypes.string:
        raise TypeError(f"Input 'contents' of '{opdef.type_name}' Op has type {t.dtype.base_dtype.name} that does "
                        "not match expected type of string.")
    check_rank(t, 0)


class _CodecOp(OpDef):
    foldable = False
    grad = None


@register
class EncodePng(_CodecOp):
    """PNG bytes of a [height, width, channels] uint8 or uint16 image (attr `compression`: zlib level, -1
    default)."""

    type_name = "EncodePng"
    input_names = ("image",)
    same_dtype = ("image",)
    allowed_dtypes = (dtypes.uint8, dtypes.uint16)

    def infer(self, inputs, attrs):
        check_rank(inputs[0], 3)
        return [(TensorShape([]), dtypes.string)]

    def forward(self, xp, image, compression=-1):
        image = np.asarray(image)
        if image.ndim != 3:
            raise invalid_argument(f"image must be 3-dimensional[{','.join(map(str, image.shape))}]")
        if not 1 <= image.shape[2] <= 4:
            raise invalid_argument(f"image must have 1, 2, 3, or 4 channels, got {image.shape[2]}")
        return _string_scalar(png_format.encode(image, compression))


def _decoded_shape(channels):
    return TensorShape([None, None, channels or None])


@register
class DecodePng(_CodecOp):
    """A [height, width, channels] image from PNG bytes (attrs `channels`: 0 keeps the file's; `dtype`:
    uint8 or uint16)."""

    type_name = "DecodePng"
    input_names = ("contents",)

    def infer(self, inputs, attrs):
        _require_string(self, inputs[0])
        return [(_decoded_shape(attrs["channels"]), attrs["dtype"])]

    def forward(self, xp, contents, channels, dtype):
        data = _bytes_of(contents)
        try:
            return xp.asarray(png_format.decode(data, channels, dtype.as_numpy_dtype))
        except png_format.PngError as e:
            raise invalid_argument(str(e)) from None


def _pillow_image(data, what, ratio=1):
    Image = _pillow()
    try:
        image = Image.open(io.BytesIO(data))
        if ratio != 1:  # libjpeg's DCT scaling: chosen before the pixels are decoded
            image.draft(image.mode, (image.size[0] // ratio, image.size[1] // ratio))
        image.load()
    except Exception as e:  # noqa: BLE001 - Pillow raises many kinds for a bad file
        raise invalid_argument(f"Invalid {what} data or crop window, data size {len(data)}: {e}") from None
    return image


def _to_channels(image, channels):
    """An array with `channels` (0: the file's, 1 gray or 3 colour for JPEG) from a Pillow image."""
    if channels == 0:
        channels = 1 if image.mode in ("L", "1", "I;16", "I") else 3
        channels = 4 if image.mode in ("RGBA", "LA", "PA") and image.format != "JPEG" else channels
    mode = {1: "L", 2: "LA", 3: "RGB", 4: "RGBA"}[channels]
    return np.asarray(image.convert(mode)).reshape(image.size[1], image.size[0], channels)


@register
class DecodeJpeg(_CodecOp):
    """A [height, width, channels] uint8 image from JPEG bytes (through Pillow's libjpeg); attr `ratio` (1, 2,
    4, 8) downscales while decoding."""

    type_name = "DecodeJpeg"
    input_names = ("contents",)

    def infer(self, inputs, attrs):
        _require_string(self, inputs[0])
        return [(_decoded_shape(attrs["channels"]), dtypes.uint8)]

    def forward(self, xp, contents, channels, ratio=1, **_options):
        data = _bytes_of(contents)
        if data[:3] != b"\xff\xd8\xff":
            raise invalid_argument(f"Invalid JPEG data or crop window, data size {len(data)}")
        image = _pillow_image(data, "JPEG", ratio)
        return xp.asarray(_to_channels(image, channels))


@register
class EncodeJpeg(_CodecOp):
    """JPEG bytes of a [height, width, channels] uint8 image (1 or 3 channels; attrs as TensorFlow's:
    `quality`, `progressive`, `optimize_size`, `chroma_downsampling`, densities)."""

    type_name = "EncodeJpeg"
    input_names = ("image",)
    same_dtype = ("image",)
    allowed_dtypes = (dtypes.uint8,)

    def infer(self, inputs, attrs):
        check_rank(inputs[0], 3)
        return [(TensorShape([]), dtypes.string)]

    def forward(self, xp, image, quality=95, progressive=False, optimize_size=False, chroma_downsampling=True,
                density_unit="in", x_density=300, y_density=300, format="", **_options):  # noqa: A002
        Image = _pillow()
        image = np.asarray(image)
        if image.ndim != 3:
            raise invalid_argument(f"image must be 3-dimensional[{','.join(map(str, image.shape))}]")
        if image.shape[2] not in (1, 3):
            raise invalid_argument(f"image must have 1 or 3 channels, got {image.shape[2]}")
        mode = "L" if format == "grayscale" or image.shape[2] == 1 else "RGB"
        picture = Image.fromarray(image[..., 0] if image.shape[2] == 1 else image, "L" if image.shape[2] == 1
                                  else "RGB").convert(mode)
        out = io.BytesIO()
        picture.save(out, "JPEG", quality=int(quality), progressive=bool(progressive), optimize=bool(optimize_size),
                     subsampling=2 if chroma_downsampling else 0,
                     dpi=(int(x_density), int(y_density)) if density_unit == "in" else None)
        return _string_scalar(out.getvalue())


def _gif_frames(image):
    frames = []
    for index in range(getattr(image, "n_frames", 1)):
        image.seek(index)
        frames.append(np.asarray(image.convert("RGB")))
    return np.stack(frames)


@register
class DecodeGif(_CodecOp):
    """[num_frames, height, width, 3] uint8 frames of a GIF."""

    type_name = "DecodeGif"
    input_names = ("contents",)

    def infer(self, inputs, attrs):
        _require_string(self, inputs[0])
        return [(TensorShape([None, None, None, 3]), dtypes.uint8)]

    def forward(self, xp, contents):
        image = _pillow_image(_bytes_of(contents), "GIF")
        return xp.asarray(_gif_frames(image))


@register
class DecodeBmp(_CodecOp):
    """A [height, width, channels] uint8 image from BMP bytes."""

    type_name = "DecodeBmp"
    input_names = ("contents",)

    def infer(self, inputs, attrs):
        _require_string(self, inputs[0])
        return [(_decoded_shape(attrs["channels"]), dtypes.uint8)]

    def forward(self, xp, contents, channels=0):
        return xp.asarray(_to_channels(_pillow_image(_bytes_of(contents), "BMP"), channels))


def _format_of(data):
    if png_format.is_png(data):
        return "png"
    if data[:3] == b"\xff\xd8\xff":
        return "jpeg"
    if data[:3] == b"GIF":
        return "gif"
    if data[:2] == b"BM":
        return "bmp"
    return None


@register
class DecodeImage(_CodecOp):
    """An image from PNG, JPEG, GIF or BMP bytes, by their first bytes: [height, width, channels], or
    [frames, height, width, 3] for a GIF when `expand_animations`."""

    type_name = "DecodeImage"
    input_names = ("contents",)

    def infer(self, inputs, attrs):
        _require_string(self, inputs[0])
        if attrs["expand_animations"]:
            return [(TensorShape(None), attrs["dtype"])]
        return [(_decoded_shape(attrs["channels"]), attrs["dtype"])]

    def forward(self, xp, contents, channels, dtype, expand_animations):
        data = _bytes_of(contents)
        kind = _format_of(data)
        if kind is None:
            raise invalid_argument("Unknown image file format. One of JPEG, PNG, GIF, BMP required.")
        if kind == "png":
            return DecodePng.forward(xp, contents, channels, dtype)
        if kind == "gif":
            frames = _gif_frames(_pillow_image(data, "GIF"))
            image = frames if expand_animations else frames[0]
        else:
            image = _to_channels(_pillow_image(data, kind.upper()), channels)
        if channels not in (0, None) and kind == "gif" and channels != 3:
            raise invalid_argument(f"channels must be 0 or 3 for GIF, got {channels}")
        if dtype == dtypes.uint16:
            image = image.astype(np.uint16) * 257
        return xp.asarray(image.astype(dtype.as_numpy_dtype))


def _contents(contents):
    """A tensor as it is (its dtype is checked by the op, with TensorFlow's message); bytes as a string scalar."""
    if _is_tensor_like(contents):
        return contents
    return convert_to_tensor(contents, dtypes.string, name="contents")


def encode_png(image, compression=-1, name=None):
    """PNG bytes (a string scalar) of a [height, width, channels] uint8 or uint16 image.

    Example: `tf.write_file("out.png", tf.image.encode_png(image))`.
    """
    return apply_op(EncodePng, [image], {"compression": int(compression)}, name=name or "EncodePng")


def decode_png(contents, channels=0, dtype=dtypes.uint8, name=None):
    """A [height, width, channels] image (uint8 or uint16) from the bytes of a PNG file.

    Example: `tf.image.decode_png(tf.read_file("in.png"), channels=3)`.
    """
    dtype = dtypes.as_dtype(dtype).base_dtype
    if dtype not in (dtypes.uint8, dtypes.uint16):
        raise TypeError(f"Value for attr 'dtype' of {dtype.name} is not in the list of allowed values: uint8, uint16")
    return apply_op(DecodePng, [_contents(contents)], {"channels": int(channels), "dtype": dtype},
                    name=name or "DecodePng")


def decode_jpeg(contents, channels=0, ratio=1, fancy_upscaling=True, try_recover_truncated=False,
                acceptable_fraction=1, dct_method="", name=None):
    """A [height, width, channels] uint8 image from the bytes of a JPEG file (needs Pillow)."""
    return apply_op(DecodeJpeg, [_contents(contents)],
                    {"channels": int(channels), "ratio": int(ratio), "fancy_upscaling": bool(fancy_upscaling),
                     "try_recover_truncated": bool(try_recover_truncated),
                     "acceptable_fraction": float(acceptable_fraction), "dct_method": str(dct_method)},
                    name=name or "DecodeJpeg")


def encode_jpeg(image, format="", quality=95, progressive=False, optimize_size=False,  # noqa: A002
                chroma_downsampling=True, density_unit="in", x_density=300, y_density=300, xmp_metadata="",
                name=None):
    """JPEG bytes (a string scalar) of a [height, width, 1 or 3] uint8 image (needs Pillow)."""
    return apply_op(EncodeJpeg, [image], {"format": format, "quality": int(quality), "progressive": progressive,
                                          "optimize_size": optimize_size, "chroma_downsampling": chroma_downsampling,
                                          "density_unit": density_unit, "x_density": int(x_density),
                                          "y_density": int(y_density), "xmp_metadata": xmp_metadata},
                    name=name or "EncodeJpeg")


def decode_gif(contents, name=None):
    """[num_frames, height, width, 3] uint8 frames from the bytes of a GIF file (needs Pillow)."""
    return apply_op(DecodeGif, [_contents(contents)], name=name or "DecodeGif")


def decode_bmp(contents, channels=0, name=None):
    """A [height, width, channels] uint8 image from the bytes of a BMP file (needs Pillow)."""
    return apply_op(DecodeBmp, [_contents(contents)], {"channels": int(channels)}, name=name or "DecodeBmp")
