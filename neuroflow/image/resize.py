"""`tf.image.resize_images` (TensorFlow 1.x's, also `tf.image.resize`) over the resize primitives, with
`ResizeMethod`, `preserve_aspect_ratio`, 3-D or 4-D images, the skip when the size is unchanged, and
`resize_image_with_pad`."""
from ..framework import dtypes
from ..framework.apply import convert_to_tensor
from ..framework.graph import name_scope
from ..framework.tensor_util import constant_value_as_shape
from ..ops import math_ops
from ..ops.array_ops import stack
from ..ops.grad_support_ops import expand_dims
from ..ops.manip_ops import squeeze
from ..ops.resize_ops import resize_area, resize_bicubic, resize_bilinear, resize_nearest_neighbor
from .checks import assert_at_least_3d, image_dimensions, is_tensor
from .geometry import pad_to_bounding_box

__all__ = ["ResizeMethod", "resize_images", "resize", "resize_image_with_pad"]


class ResizeMethod:
    """TensorFlow 1.x's resize methods."""
    BILINEAR = 0
    NEAREST_NEIGHBOR = 1
    BICUBIC = 2
    AREA = 3


_BY_NAME = {"bilinear": 0, "nearest": 1, "bicubic": 2, "area": 3}


def _resizer(method, align_corners):
    method = _BY_NAME.get(method, method) if isinstance(method, str) else method
    if method == ResizeMethod.BILINEAR:
        return lambda images, size: resize_bilinear(images, size, align_corners=align_corners)
    if method == ResizeMethod.NEAREST_NEIGHBOR:
        return lambda images, size: resize_nearest_neighbor(images, size, align_corners=align_corners)
    if method == ResizeMethod.BICUBIC:
        return lambda images, size: resize_bicubic(images, size, align_corners=align_corners)
    if method == ResizeMethod.AREA:
        return lambda images, size: resize_area(images, size, align_corners=align_corners)
    raise ValueError("Resize method is not implemented.")


def resize_images(images, size, method=ResizeMethod.BILINEAR, align_corners=False, preserve_aspect_ratio=False,
                  name=None):
    """`images` ([batch, h, w, c] or [h, w, c]) resized to `size` = [new_height, new_width] by `method`.

    Bilinear, bicubic and area give float32; nearest neighbour keeps the dtype. With `preserve_aspect_ratio`
    the result is the largest size that fits in `size` with the input's aspect ratio. When the size is known
    to be unchanged, `images` is returned as it is.

    Raises:
        ValueError: a rank other than 3 or 4, a `size` that is not two int32 values, an unknown method.

    Example: `tf.image.resize_images(image, [224, 224], tf.image.ResizeMethod.NEAREST_NEIGHBOR)`.
    """
    resize_fn = _resizer(method, align_corners)
    with name_scope(name, "resize", [images, size]):
        images = convert_to_tensor(images, name="images")
        if images.shape.ndims is None:
            raise ValueError("'images' contains no shape.")
        is_batch = images.shape.ndims == 4
        if images.shape.ndims == 3:
            images = expand_dims(images, 0)
        elif images.shape.ndims != 4:
            raise ValueError("'images' must have either 3 or 4 dimensions.")
        _, height, width, _ = images.shape.as_list()
        try:
            size = convert_to_tensor(size, dtypes.int32, name="size")
        except (TypeError, ValueError):
            raise ValueError("'size' must be a 1-D int32 Tensor") from None
        if not size.shape.is_compatible_with([2]):
            raise ValueError("'size' must be a 1-D Tensor of 2 elements: new_height, new_width")
        if preserve_aspect_ratio:
            _, current_height, current_width, _ = image_dimensions(images, rank=4)
            scale_h = math_ops.cast(size[0], dtypes.float32) / math_ops.cast(current_height, dtypes.float32)
            scale_w = math_ops.cast(size[1], dtypes.float32) / math_ops.cast(current_width, dtypes.float32)
            scale = math_ops.minimum(scale_h, scale_w)
            new_h = math_ops.cast(math_ops.round(scale * math_ops.cast(current_height, dtypes.float32)), dtypes.int32)
            new_w = math_ops.cast(math_ops.round(scale * math_ops.cast(current_width, dtypes.float32)), dtypes.int32)
            size = convert_to_tensor(stack([new_h, new_w]), dtypes.int32, name="size")
        new_dims = constant_value_as_shape(size)
        new_h, new_w = new_dims.as_list() if new_dims.ndims == 2 else (None, None)
        if None not in (new_h, new_w, height, width) and (height, width) == (new_h, new_w):
            return images if is_batch else squeeze(images, axis=[0])
        resized = resize_fn(images, size)
        resized.set_shape([None, new_h, new_w, None])
        return resized if is_batch else squeeze(resized, axis=[0])


resize = resize_images


def resize_image_with_pad(image, target_height, target_width, method=ResizeMethod.BILINEAR, align_corners=False):
    """`image` resized to fit in [target_height, target_width] keeping its aspect ratio, then zero-padded
    (centred) to exactly that size."""
    with name_scope(None, "resize_image_with_pad", [image]):
        image = convert_to_tensor(image, name="image")
        rank = image.shape.ndims
        is_batch = rank == 4
        if rank == 3 or rank is None:
            image = expand_dims(image, 0)
            if rank is None:
                image.set_shape([None] * 4)
        elif rank != 4:
            raise ValueError("'image' must have either 3 or 4 dimensions.")
        assert_at_least_3d(image)
        if not is_tensor(target_width) and not target_width > 0:
            raise ValueError("target_width must be > 0.")
        if not is_tensor(target_height) and not target_height > 0:
            raise ValueError("target_height must be > 0.")
        _, height, width, _ = image_dimensions(image, rank=4)
        f_height, f_width = math_ops.cast(height, dtypes.float64), math_ops.cast(width, dtypes.float64)
        f_target_h = math_ops.cast(target_height, dtypes.float64)
        f_target_w = math_ops.cast(target_width, dtypes.float64)
        ratio = math_ops.maximum(f_width / f_target_w, f_height / f_target_h)
        resized_h, resized_w = f_height / ratio, f_width / ratio
        size = stack([math_ops.cast(math_ops.floor(resized_h), dtypes.int32),
                      math_ops.cast(math_ops.floor(resized_w), dtypes.int32)])
        pad_h = math_ops.maximum(0, math_ops.cast(math_ops.floor((f_target_h - resized_h) / 2), dtypes.int32))
        pad_w = math_ops.maximum(0, math_ops.cast(math_ops.floor((f_target_w - resized_w) / 2), dtypes.int32))
        resized = resize_images(image, size, method, align_corners=align_corners)
        padded = pad_to_bounding_box(resized, pad_h, pad_w, target_height, target_width)
        return padded if is_batch else squeeze(padded, axis=[0])

