"""`tf.image` colour: dtype conversion with TensorFlow's scaling and saturation rules, colour-space conversions
(grayscale, HSV, YIQ, YUV) and adjustments (brightness, contrast, gamma, hue, saturation, per-image
standardization), all compositions of existing ops, so their gradients come from the ops'."""
from .. import nn
from ..framework import dtypes
from ..framework.apply import convert_to_tensor
from ..framework.graph import name_scope
from ..ops import math_ops
from ..ops.array_ops import identity, shape, stack, unstack
from ..ops.clip_ops import clip_by_value
from ..ops.grad_support_ops import expand_dims, where
from ..ops.linalg_ops import tensordot
from ..ops.manip_ops import tile
from ..ops.reduce_ops import reduce_max, reduce_mean, reduce_min, reduce_prod
from .checks import assert_at_least_3d

__all__ = ["convert_image_dtype", "rgb_to_grayscale", "grayscale_to_rgb", "rgb_to_hsv", "hsv_to_rgb",
           "rgb_to_yiq", "yiq_to_rgb", "rgb_to_yuv", "yuv_to_rgb", "adjust_brightness", "adjust_contrast",
           "adjust_gamma", "adjust_hue", "adjust_saturation", "per_image_standardization"]


def _saturate_cast(value, dtype, name=None):
    """`value` clipped to `dtype`'s range where its own range is wider, then cast (TensorFlow's saturate_cast)."""
    dtype = dtypes.as_dtype(dtype).base_dtype
    if value.dtype.min < dtype.min:
        value = math_ops.maximum(value, convert_to_tensor(dtype.min, dtype=value.dtype, name="min"))
    if value.dtype.max > dtype.max:
        value = math_ops.minimum(value, convert_to_tensor(dtype.max, dtype=value.dtype, name="max"))
    return math_ops.cast(value, dtype, name=name)


def convert_image_dtype(image, dtype, saturate=False, name=None):
    """`image` converted to `dtype`, rescaling values: floats span [0, 1), integers [0, MAX].

    Integer to integer scales by a power of two (floor division going down), float to integer multiplies by
    MAX + 0.5 and truncates, integer to float divides by MAX; `saturate` clips before casts that could overflow.

    Raises:
        AttributeError: `dtype` is neither floating point nor integer.

    Example: `tf.image.convert_image_dtype(uint8_image, tf.float32)` maps 255 to 1.0.
    """
    image = convert_to_tensor(image, name="image")
    dtype = dtypes.as_dtype(dtype)
    if not dtype.is_floating and not dtype.is_integer:
        raise AttributeError("dtype must be either floating point or integer")
    if dtype == image.dtype.base_dtype:
        return identity(image, name=name)
    with name_scope(name, "convert_image", [image]) as scope:
        source = image.dtype.base_dtype
        if source.is_integer and dtype.is_integer:
            if source.max > dtype.max:  # scaling down: divide first, so the maximum lands below out.max + 1
                scaled = math_ops.floordiv(image, (source.max + 1) // (dtype.max + 1))
                return _saturate_cast(scaled, dtype, name=scope) if saturate else math_ops.cast(scaled, dtype,
                                                                                                name=scope)
            cast = _saturate_cast(image, dtype) if saturate else math_ops.cast(image, dtype)
            return math_ops.multiply(cast, (dtype.max + 1) // (source.max + 1), name=scope)
        if source.is_floating and dtype.is_floating:
            return math_ops.cast(image, dtype, name=scope)
        if source.is_integer:
            return math_ops.multiply(math_ops.cast(image, dtype), 1.0 / source.max, name=scope)
        scaled = math_ops.multiply(image, dtype.max + 0.5)  # + 0.5: 1.0 - eps still reaches MAX when truncated
        return _saturate_cast(scaled, dtype, name=scope) if saturate else math_ops.cast(scaled, dtype, name=scope)


def _as_float(image):
    """(float image, original dtype): half and float32 images are used as they are, others become float32."""
    image = convert_to_tensor(image, name="image")
    original = image.dtype.base_dtype
    if original in (dtypes.float16, dtypes.float32):
        return image, original
    return convert_image_dtype(image, dtypes.float32), original


def _three_channels(images):
    """`images`, after the static check of TensorFlow's colour-space shape function: the last dimension is 3."""
    last = images.shape[-1].value if images.shape.ndims else None
    if images.shape.ndims == 0:
        raise ValueError("Shape must be at least rank 1 but is rank 0")
    if last is not None and last != 3:
        raise ValueError(f"Dimension must be 3 but is {last}")
    return images


def _tensordot_last(images, kernel):
    images = convert_to_tensor(images, name="images")
    kernel = convert_to_tensor(kernel, dtype=images.dtype.base_dtype, name="kernel")
    return tensordot(images, kernel, axes=[[images.shape.ndims - 1], [0]])


_RGB_TO_YIQ = [[0.299, 0.59590059, 0.2115], [0.587, -0.27455667, -0.52273617], [0.114, -0.32134392, 0.31119955]]
_YIQ_TO_RGB = [[1, 1, 1], [0.95598634, -0.27201283, -1.10674021], [0.6208248, -0.64720424, 1.70423049]]
_RGB_TO_YUV = [[0.299, -0.14714119, 0.61497538], [0.587, -0.28886916, -0.51496512], [0.114, 0.43601035, -0.10001026]]
_YUV_TO_RGB = [[1, 1, 1], [0, -0.394642334, 2.03206185], [1.13988303, -0.58062185, 0]]


def rgb_to_yiq(images):
    """RGB (last axis of size 3, values in [0, 1]) to YIQ. Example: [[[1., 2., 3.]]] -> [[[1.815, -0.917, 0.0996]]]."""
    return _tensordot_last(images, _RGB_TO_YIQ)


def yiq_to_rgb(images):
    """YIQ to RGB (the inverse of `rgb_to_yiq`)."""
    return _tensordot_last(images, _YIQ_TO_RGB)


def rgb_to_yuv(images):
    """RGB (values in [0, 1]) to YUV."""
    return _tensordot_last(images, _RGB_TO_YUV)


def yuv_to_rgb(images):
    """YUV to RGB (the inverse of `rgb_to_yuv`)."""
    return _tensordot_last(images, _YUV_TO_RGB)


def rgb_to_grayscale(images, name=None):
    """[..., 3] RGB images to [..., 1] grayscale (luma weights 0.2989, 0.587, 0.114), in the input dtype."""
    with name_scope(name, "rgb_to_grayscale", [images]) as scope:
        images = convert_to_tensor(images, name="images")
        original = images.dtype.base_dtype
        flt = convert_image_dtype(images, dtypes.float32)
        gray = expand_dims(tensordot(flt, [0.2989, 0.5870, 0.1140], [-1, -1]), -1)
        return convert_image_dtype(gray, original, name=scope)


def grayscale_to_rgb(images, name=None):
    """[..., 1] grayscale images to [..., 3] RGB by repeating the channel.

    Raises:
        ValueError: the last dimension is known and not 1, or the rank is below 2.
    """
    with name_scope(name, "grayscale_to_rgb", [images]) as scope:
        images = convert_to_tensor(images, name="images")
        rank = images.shape.ndims
        if rank is not None and rank < 2:
            raise ValueError("A grayscale image (shape %s) must be at least two-dimensional." % images.shape)
        if rank is not None and images.shape[-1].value not in (None, 1):
            raise ValueError("Last dimension of a grayscale image should be size 1.")
        if rank is None:
            raise ValueError("grayscale_to_rgb needs an image of known rank")
        return tile(images, [1] * (rank - 1) + [3], name=scope)


def rgb_to_hsv(images, name=None):
    """[..., 3] RGB (floats in [0, 1]) to HSV, hue in [0, 1) (TensorFlow's RGBToHSV rule: hue 0 for grays,
    saturation 0 for black)."""
    with name_scope(name, "rgb_to_hsv", [images]):
        images = _three_channels(convert_to_tensor(images, name="images"))
        r, g, b = unstack(images, num=3, axis=-1)
        value = reduce_max(images, axis=-1)
        span = value - reduce_min(images, axis=-1)
        zero = math_ops.cast(0, images.dtype)
        # Safe denominators: the branch `where` drops must stay finite so that its gradient (zero) stays zero.
        saturation = where(value > zero, span / where(value > zero, value, value + 1), value * 0)
        norm = 1 / (6 * where(span > zero, span, span + 1))
        hue = where(math_ops.equal(r, value), norm * (g - b),
                    where(math_ops.equal(g, value), norm * (b - r) + 2.0 / 6, norm * (r - g) + 4.0 / 6))
        hue = where(span > zero, hue, hue * 0)
        hue = where(hue < zero, hue + 1, hue)
        return stack([hue, saturation, value], axis=-1)


def hsv_to_rgb(images, name=None):
    """[..., 3] HSV (floats in [0, 1]) to RGB, the inverse of `rgb_to_hsv`."""
    with name_scope(name, "hsv_to_rgb", [images]):
        images = _three_channels(convert_to_tensor(images, name="images"))
        h, s, v = unstack(images, num=3, axis=-1)
        dh = h * 6
        dr = clip_by_value(math_ops.abs(dh - 3) - 1, 0, 1)
        dg = clip_by_value(-math_ops.abs(dh - 2) + 2, 0, 1)
        db = clip_by_value(-math_ops.abs(dh - 4) + 2, 0, 1)
        one_minus_s = 1 - s
        return stack([(one_minus_s + s * dr) * v, (one_minus_s + s * dg) * v, (one_minus_s + s * db) * v], axis=-1)


def adjust_brightness(image, delta):
    """`image` + `delta` (in float [0, 1] units for integer images), saturated back to the input dtype."""
    with name_scope(None, "adjust_brightness", [image, delta]) as scope:
        flt, original = _as_float(image)
        adjusted = math_ops.add(flt, math_ops.cast(delta, flt.dtype), name=scope)
        return convert_image_dtype(adjusted, original, saturate=True)


def adjust_contrast(images, contrast_factor):
    """(x - mean) * contrast_factor + mean per image and channel (mean over height and width: the 3rd- and
    2nd-last axes), saturated back to the input dtype."""
    with name_scope(None, "adjust_contrast", [images, contrast_factor]) as scope:
        flt, original = _as_float(images)
        if flt.shape.ndims is not None and flt.shape.ndims < 3:
            raise ValueError(f"Shape must be at least rank 3 but is rank {flt.shape.ndims}")
        mean = reduce_mean(flt, axis=[-3, -2], keepdims=True)
        factor = math_ops.cast(contrast_factor, flt.dtype)
        adjusted = math_ops.add((flt - mean) * factor, mean, name=scope)
        return convert_image_dtype(adjusted, original, saturate=True)


def adjust_gamma(image, gamma=1, gain=1):
    """gain * image ** gamma on float [0, 1] values, converted back to the input dtype.

    Raises:
        ValueError: a negative Python `gamma`.
    """
    with name_scope(None, "adjust_gamma", [image, gamma, gain]):
        flt, original = _as_float(image)
        if not hasattr(gamma, "dtype") and gamma < 0:
            raise ValueError("Gamma should be a non-negative real number.")
        adjusted = gain * flt ** gamma
        return convert_image_dtype(adjusted, original, saturate=True)


def _adjust_hsv(image, change, default_name, args):
    with name_scope(None, default_name, [image] + args):
        flt, original = _as_float(image)
        h, s, v = unstack(rgb_to_hsv(flt), num=3, axis=-1)
        h, s = change(h, s)
        return convert_image_dtype(hsv_to_rgb(stack([h, s, v], axis=-1)), original)


def adjust_hue(image, delta, name=None):
    """RGB `image` with `delta` (in [-1, 1]) added to its hue, which wraps around."""
    def change(h, s):
        shifted = h + math_ops.cast(delta, h.dtype)
        return math_ops.floormod(shifted, math_ops.cast(1, h.dtype)), s
    return _adjust_hsv(image, change, name or "adjust_hue", [delta])


def adjust_saturation(image, saturation_factor, name=None):
    """RGB `image` with its saturation multiplied by `saturation_factor` and clipped to [0, 1]."""
    def change(h, s):
        return h, clip_by_value(s * math_ops.cast(saturation_factor, s.dtype), 0.0, 1.0)
    return _adjust_hsv(image, change, name or "adjust_saturation", [saturation_factor])


def per_image_standardization(image):
    """(image - mean) / max(stddev, 1 / sqrt(num_pixels)) per image over its last three axes, as float32.

    Example: `tf.image.per_image_standardization(tf.ones([2, 2, 1]))` is all zeros (the stddev floor).
    """
    with name_scope(None, "per_image_standardization", [image]) as scope:
        image = assert_at_least_3d(convert_to_tensor(image, name="image"))
        num_pixels = reduce_prod(shape(image)[-3:])
        image = math_ops.cast(image, dtypes.float32)
        mean = reduce_mean(image, axis=[-1, -2, -3], keepdims=True)
        variance = reduce_mean(math_ops.square(image), axis=[-1, -2, -3], keepdims=True) - math_ops.square(mean)
        stddev = math_ops.sqrt(nn.relu(variance))
        floor = math_ops.rsqrt(math_ops.cast(num_pixels, dtypes.float32))  # uniform images: no division by 0
        return math_ops.div(math_ops.subtract(image, mean), math_ops.maximum(stddev, floor), name=scope)

