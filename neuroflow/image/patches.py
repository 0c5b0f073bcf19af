"""`tf.image.extract_image_patches` (also `tf.extract_image_patches`, and TensorFlow 2's `extract_patches`):
the [kh, kw] patches of an image batch laid out along the depth, as a depthwise convolution with one-hot
filters (every value copied exactly; the gradient, a sum over overlapping patches, comes from the convolution)."""
import numpy as np

from .. import nn
from ..framework import dtypes
from ..framework.apply import convert_to_tensor
from ..framework.constant_op import constant
from ..framework.graph import name_scope
from ..ops import math_ops
from ..ops.array_ops import reshape, shape, stack
from ..ops.manip_ops import tile, transpose

__all__ = ["extract_image_patches", "extract_patches"]


def _four(values, what):
    values = [int(v) for v in values]
    if len(values) != 4:
        raise ValueError(f"ExtractImagePatches requires the {what} attribute to contain 4 values, but got: "
                         f"{len(values)}")
    return values


def extract_image_patches(images, ksizes=None, strides=None, rates=None, padding=None, name=None, sizes=None):
    """[batch, out_rows, out_cols, ksize_rows * ksize_cols * depth] patches of [batch, rows, cols, depth]
    `images`, each patch flattened row by row ([row, column, channel] order), windows placed as a convolution's
    (`strides`, dilation `rates`, "SAME" or "VALID" `padding`, zeros outside).

    Example: `tf.image.extract_image_patches(x, [1, 3, 3, 1], [1, 1, 1, 1], [1, 1, 1, 1], "SAME")`.
    """
    ksizes = _four(sizes if ksizes is None else ksizes, "ksizes")
    strides, rates = _four(strides, "stride"), _four(rates, "rates")
    if str(padding).upper() not in ("SAME", "VALID"):
        raise ValueError(f"padding must be 'SAME' or 'VALID', got {padding!r}")
    with name_scope(name, "ExtractImagePatches", [images]):
        images = convert_to_tensor(images, name="images")
        if images.shape.ndims is not None and images.shape.ndims != 4:
            raise ValueError(f"Shape must be rank 4 but is rank {images.shape.ndims}")
        static_depth = images.shape[3].value if images.shape.ndims == 4 else None
        depth = shape(images)[3] if static_depth is None else static_depth
        kh, kw = ksizes[1], ksizes[2]
        dtype = images.dtype.base_dtype
        work = images if dtype.is_floating else math_ops.cast(images, dtypes.float64)  # exact for integers
        one_hot = np.eye(kh * kw).reshape(kh, kw, 1, kh * kw)  # offset (i, j) -> output i * kw + j, per channel
        window = tile(constant(one_hot, dtype=work.dtype.base_dtype), stack([1, 1, depth, 1]))
        copied = nn.depthwise_conv2d(work, window, [1, strides[1], strides[2], 1], str(padding).upper(),
                                     rate=[rates[1], rates[2]])
        # Depthwise output channel c * (kh * kw) + k; TensorFlow's order is k * depth + c.
        grid = shape(copied)
        by_offset = transpose(reshape(copied, stack([grid[0], grid[1], grid[2], depth, kh * kw])), [0, 1, 2, 4, 3])
        patches = reshape(by_offset, stack([grid[0], grid[1], grid[2], kh * kw * depth]))
        patches.set_shape(copied.shape[:3].concatenate([None if static_depth is None else kh * kw * static_depth]))
        return patches if dtype.is_floating else math_ops.cast(patches, dtype)


def extract_patches(images, sizes, strides, rates, padding, name=None):
    """TensorFlow 2's name for `extract_image_patches` (`sizes` for `ksizes`)."""
    return extract_image_patches(images, sizes, strides, rates, padding, name)
