"""JPEG helpers of TensorFlow's input pipelines, host-only like the other codecs (through Pillow):
DecodeAndCropJpeg (decode only a window, e.g. one from sample_distorted_bounding_box), ExtractJpegShape
(the image's [height, width, channels] from the file header, without decoding the pixels) and
EncodeJpegVariableQuality (the quality a run-time tensor, for JPEG-quality augmentation)."""
import numpy as np

from ..framework import dtypes
from ..framework.apply import apply_op
from ..framework.tensor_shape import TensorShape
from ..framework.op_def import register
from .image_codec_ops import (EncodeJpeg, _CodecOp, _bytes_of, _contents, _decoded_shape, _pillow, _pillow_image,
                              _require_string, _to_channels)
from .op_util import check_rank, invalid_argument

__all__ = ["decode_and_crop_jpeg", "extract_jpeg_shape", "encode_jpeg_variable_quality"]


def _require_jpeg(data):
    if data[:3] != b"\xff\xd8\xff":
        raise invalid_argument(f"Invalid JPEG data or crop window, data size {len(data)}")


@register
class DecodeAndCropJpeg(_CodecOp):
    """The [crop_height, crop_width, channels] window at (crop_y, crop_x) of a JPEG image (`crop_window` =
    [crop_y, crop_x, crop_height, crop_width])."""

    type_name = "DecodeAndCropJpeg"
    input_names = ("contents", "crop_window")

    def infer(self, inputs, attrs):
        _require_string(self, inputs[0])
        check_rank(inputs[1], 1)
        return [(_decoded_shape(attrs["channels"]), dtypes.uint8)]

    def forward(self, xp, contents, crop_window, channels, ratio=1, **_options):
        data = _bytes_of(contents)
        _require_jpeg(data)
        if np.shape(crop_window) != (4,):
            raise invalid_argument(f"crop_window must be shape [4], got [{','.join(map(str, np.shape(crop_window)))}]")
        y, x, height, width = (int(v) for v in crop_window.tolist())
        image = _pillow_image(data, "JPEG", ratio)
        full_w, full_h = image.size
        if y < 0 or x < 0 or height <= 0 or width <= 0 or y + height > full_h or x + width > full_w:
            raise invalid_argument(f"Invalid JPEG data or crop window, data size {len(data)}")
        return xp.asarray(_to_channels(image.crop((x, y, x + width, y + height)), channels))


@register
class ExtractJpegShape(_CodecOp):
    """[height, width, channels] of a JPEG image, read from its header."""

    type_name = "ExtractJpegShape"
    input_names = ("contents",)

    def infer(self, inputs, attrs):
        _require_string(self, inputs[0])
        return [(TensorShape([3]), attrs["output_type"])]

    def forward(self, xp, contents, output_type):
        data = _bytes_of(contents)
        _require_jpeg(data)
        import io
        try:
            image = _pillow().open(io.BytesIO(data))  # reads the header only
        except Exception as e:  # noqa: BLE001 - Pillow raises many kinds for a bad file
            raise invalid_argument(f"Invalid JPEG data, size {len(data)}: {e}") from None
        channels = 1 if image.mode in ("L", "1") else 3
        return xp.asarray([image.size[1], image.size[0], channels], dtype=output_type.as_numpy_dtype)


def decode_and_crop_jpeg(contents, crop_window, channels=0, ratio=1, fancy_upscaling=True,
                         try_recover_truncated=False, acceptable_fraction=1, dct_method="", name=None):
    """The `crop_window` = [crop_y, crop_x, crop_height, crop_width] part of a JPEG image (needs Pillow).

    Example: `tf.image.decode_and_crop_jpeg(data, tf.stack([y, x, h, w]), channels=3)`.
    """
    return apply_op(DecodeAndCropJpeg, [_contents(contents), crop_window],
                    {"channels": int(channels), "ratio": int(ratio), "fancy_upscaling": bool(fancy_upscaling),
                     "try_recover_truncated": bool(try_recover_truncated),
                     "acceptable_fraction": float(acceptable_fraction), "dct_method": str(dct_method)},
                    name=name or "DecodeAndCropJpeg")


def extract_jpeg_shape(contents, output_type=dtypes.int32, name=None):
    """[height, width, channels] of a JPEG image from its header (needs Pillow)."""
    output_type = dtypes.as_dtype(output_type).base_dtype
    if output_type not in (dtypes.int32, dtypes.int64):
        raise TypeError(f"Value for attr 'output_type' of {output_type.name} is not in the list of allowed values: "
                        "int32, int64")
    return apply_op(ExtractJpegShape, [_contents(contents)], {"output_type": output_type},
                    name=name or "ExtractJpegShape")


@register
class EncodeJpegVariableQuality(_CodecOp):
    """JPEG bytes of a [height, width, 1 or 3] uint8 image at `quality` (an int32 scalar input, 0 to 100)."""

    type_name = "EncodeJpegVariableQuality"
    input_names = ("images", "quality")
    same_dtype = ("images",)
    allowed_dtypes = (dtypes.uint8,)

    def infer(self, inputs, attrs):
        check_rank(inputs[0], 3)
        check_rank(inputs[1], 0)
        if inputs[1].dtype.base_dtype != dtypes.int32:
            raise TypeError(f"Input 'quality' of 'EncodeJpegVariableQuality' Op has type "
                            f"{inputs[1].dtype.base_dtype.name} that does not match expected type of int32.")
        return [(TensorShape([]), dtypes.string)]

    def forward(self, xp, images, quality):
        quality = int(quality)
        if not 0 <= quality <= 100:
            raise invalid_argument(f"quality must be in [0,100], got {quality}")
        return EncodeJpeg.forward(xp, images, quality=quality)


def encode_jpeg_variable_quality(images, quality, name=None):
    """JPEG bytes of a uint8 image at a `quality` known only at run time (needs Pillow)."""
    return apply_op(EncodeJpegVariableQuality, [images, quality], name=name or "EncodeJpegVariableQuality")
