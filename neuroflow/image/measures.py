"""`tf.image` measures over images: total variation, finite-difference image gradients and PSNR, as
compositions of slicing and reductions."""
import numpy as np

from ..framework import dtypes
from ..framework.apply import convert_to_tensor
from ..framework.graph import name_scope
from ..ops import math_ops
from ..ops.pad_ops import pad
from ..ops.reduce_ops import reduce_mean, reduce_sum

__all__ = ["total_variation", "image_gradients", "psnr"]


def total_variation(images, name=None):
    """The sum of absolute differences of neighbouring pixels (vertical and horizontal), per image for a
    [batch, h, w, c] batch, a scalar for one [h, w, c] image.

    Raises:
        ValueError: a rank other than 3 or 4.
    """
    with name_scope(name, "total_variation"):
        images = convert_to_tensor(images, name="images")
        rank = images.shape.ndims
        if rank == 3:
            dy, dx, axis = images[1:, :, :] - images[:-1, :, :], images[:, 1:, :] - images[:, :-1, :], None
        elif rank == 4:
            dy, dx = images[:, 1:, :, :] - images[:, :-1, :, :], images[:, :, 1:, :] - images[:, :, :-1, :]
            axis = [1, 2, 3]
        else:
            raise ValueError("'images' must be either 3 or 4-dimensional.")
        return reduce_sum(math_ops.abs(dy), axis=axis) + reduce_sum(math_ops.abs(dx), axis=axis)


def image_gradients(image):
    """(dy, dx): I(y+1, x) - I(y, x) and I(y, x+1) - I(y, x) of a [batch, h, w, d] batch, zero on the last
    row (dy) and column (dx), each of the input's shape.

    Raises:
        ValueError: the input is not 4-D.
    """
    image = convert_to_tensor(image, name="image")
    if image.shape.ndims != 4:
        raise ValueError(f"image_gradients expects a 4D tensor [batch_size, h, w, d], not {image.shape}.")
    dy = pad(image[:, 1:, :, :] - image[:, :-1, :, :], [[0, 0], [0, 1], [0, 0], [0, 0]])
    dx = pad(image[:, :, 1:, :] - image[:, :, :-1, :], [[0, 0], [0, 0], [0, 1], [0, 0]])
    dy.set_shape(image.shape)
    dx.set_shape(image.shape)
    return dy, dx


def psnr(a, b, max_val, name=None):
    """Peak signal-to-noise ratio of `a` against `b` per image (over the last three axes), in float32 units of
    `max_val` (the dynamic range: 255 for uint8, 1.0 for float images)."""
    from .color import convert_image_dtype
    with name_scope(name, "PSNR", [a, b]):
        a, b = convert_to_tensor(a, name="a"), convert_to_tensor(b, name="b")
        max_val = convert_image_dtype(math_ops.cast(max_val, a.dtype.base_dtype), dtypes.float32)
        a, b = convert_image_dtype(a, dtypes.float32), convert_image_dtype(b, dtypes.float32)
        mse = reduce_mean(math_ops.squared_difference(a, b), [-3, -2, -1])
        return math_ops.subtract(20 * math_ops.log(max_val) / math_ops.log(10.0),
                                 np.float32(10 / np.log(10)) * math_ops.log(mse), name="psnr")
