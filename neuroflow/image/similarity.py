"""`tf.image.ssim`, `ssim_multiscale` and `sobel_edges`: structural similarity with TensorFlow's 11x11 Gaussian window
(sigma 1.5, k1 0.01, k2 0.03, VALID windows, MATLAB's compensation 1) and Sobel edge maps, as compositions of
depthwise convolutions and elementwise ops (so both are differentiable)."""
import numpy as np

from .. import nn
from ..framework import dtypes
from ..framework.apply import convert_to_tensor
from ..framework.constant_op import constant
from ..framework.graph import name_scope
from ..ops import math_ops
from ..ops.array_ops import reshape, shape, stack
from ..ops.concat_ops import concat
from ..ops.manip_ops import tile
from ..ops.pad_ops import pad
from ..ops.reduce_ops import reduce_mean, reduce_prod
from .color import convert_image_dtype

__all__ = ["ssim", "ssim_multiscale", "sobel_edges"]


def _gaussian_window(size, sigma):
    """MATLAB's fspecial('gaussian'): exp(-(x^2 + y^2) / (2 sigma^2)) normalized to sum 1, [size, size, 1, 1]."""
    coords = np.arange(size, dtype=np.float64) - (size - 1) / 2.0
    g = -0.5 * coords ** 2 / sigma ** 2
    g = g[None, :] + g[:, None]
    g = np.exp(g - g.max())
    return (g / g.sum()).astype(np.float32).reshape(size, size, 1, 1)


def _ssim_per_channel(img1, img2, max_val, filter_size, filter_sigma, k1, k2):
    window = tile(constant(_gaussian_window(filter_size, filter_sigma)), [1, 1, shape(img1)[-1], 1])

    def local_mean(x):  # a weighted mean over each VALID window, per channel, for any leading dimensions
        x_shape = shape(x)
        y = nn.depthwise_conv2d(reshape(x, concat([[-1], x_shape[-3:]], 0)), window, [1, 1, 1, 1], "VALID")
        return reshape(y, concat([x_shape[:-3], shape(y)[1:]], 0))
    c1, c2 = (k1 * max_val) ** 2, (k2 * max_val) ** 2
    mean1, mean2 = local_mean(img1), local_mean(img2)
    num0 = mean1 * mean2 * 2.0
    den0 = math_ops.square(mean1) + math_ops.square(mean2)
    luminance = (num0 + c1) / (den0 + c1)
    num1 = local_mean(img1 * img2) * 2.0
    den1 = local_mean(math_ops.square(img1) + math_ops.square(img2))
    contrast_structure = (num1 - num0 + c2) / (den1 - den0 + c2)
    return reduce_mean(luminance * contrast_structure, [-3, -2]), reduce_mean(contrast_structure, [-3, -2])


def ssim(img1, img2, max_val, filter_size=11, filter_sigma=1.5, k1=0.01, k2=0.03):
    """The structural similarity of two image batches ([..., h, w, c], h and w at least `filter_size`), one
    value per image (averaged over channels), in float32; `max_val` is the dynamic range (255 for uint8).

    Example: `tf.image.ssim(a, a, max_val=1.0)` is 1.
    """
    with name_scope(None, "SSIM", [img1, img2]):
        img1, img2 = convert_to_tensor(img1, name="img1"), convert_to_tensor(img2, name="img2")
        shape1, shape2 = img1.shape, img2.shape
        if shape1.ndims is not None and shape1.ndims < 3 or shape2.ndims is not None and shape2.ndims < 3:
            raise ValueError(f"Shape must be at least rank 3 but is rank {min(shape1.ndims or 3, shape2.ndims or 3)}")
        if shape1.ndims and shape2.ndims and not shape1[-3:].is_compatible_with(shape2[-3:]):
            raise ValueError(f"Shapes {shape1[-3:]} and {shape2[-3:]} are incompatible")
        max_val = convert_image_dtype(math_ops.cast(max_val, img1.dtype.base_dtype), dtypes.float32)
        img1 = convert_image_dtype(img1, dtypes.float32)
        img2 = convert_image_dtype(img2, dtypes.float32)
        return reduce_mean(_ssim_per_channel(img1, img2, max_val, filter_size, filter_sigma, k1, k2)[0], [-1])


_MSSSIM_WEIGHTS = (0.0448, 0.2856, 0.3001, 0.2363, 0.1333)


def ssim_multiscale(img1, img2, max_val, power_factors=_MSSSIM_WEIGHTS, filter_size=11, filter_sigma=1.5, k1=0.01,
                    k2=0.03):
    """Multi-scale SSIM: the contrast-structure terms of `len(power_factors)` scales (each half the size of the
    one before, by 2x2 average pooling after mirroring an odd row or column) and the last scale's SSIM, combined
    as a product of powers, averaged over channels. Images need at least filter_size * 2**(scales - 1) pixels
    per side (176 for the default five scales).

    Example: `tf.image.ssim_multiscale(a, b, max_val=255)`.
    """
    with name_scope(None, "MS-SSIM", [img1, img2]):
        img1, img2 = convert_to_tensor(img1, name="img1"), convert_to_tensor(img2, name="img2")
        max_val = convert_image_dtype(math_ops.cast(max_val, img1.dtype.base_dtype), dtypes.float32)
        images = [convert_image_dtype(img1, dtypes.float32), convert_image_dtype(img2, dtypes.float32)]
        heads = [shape(x)[:-3] for x in images]
        contrast_terms = []
        for scale in range(len(power_factors)):
            with name_scope(None, f"Scale{scale}", images):
                if scale > 0:
                    images = [_halve(x, head) for x, head in zip(images, heads)]
                ssim_per_channel, contrast = _ssim_per_channel(*images, max_val, filter_size, filter_sigma, k1, k2)
                contrast_terms.append(nn.relu(contrast))
        # The last scale contributes its full SSIM (luminance included); the others their contrast-structure.
        terms = stack(contrast_terms[:-1] + [nn.relu(ssim_per_channel)], axis=-1)
        weights = constant(np.asarray(power_factors, np.float32))
        return reduce_mean(reduce_prod(math_ops.pow(terms, weights), [-1]), [-1])


def _halve(x, head):
    """[..., h, w, c] -> [..., ceil(h / 2), ceil(w / 2), c]: an odd last row/column mirrored, then 2x2 means."""
    tail = shape(x)[-3:]
    flat = reshape(x, concat([[-1], tail], 0))
    remainder = tail[:2] % 2
    padded = pad(flat, stack([[0, 0], stack([0, remainder[0]]), stack([0, remainder[1]]), [0, 0]]),
                 mode="SYMMETRIC")
    pooled = nn.avg_pool(padded, [1, 2, 2, 1], [1, 2, 2, 1], "VALID")
    return reshape(pooled, concat([head, shape(pooled)[1:]], 0))


_SOBEL = np.array([[[-1, -2, -1], [0, 0, 0], [1, 2, 1]], [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]], np.float64)


def sobel_edges(image):
    """[batch, h, w, d, 2] Sobel responses (dy, dx) of a [batch, h, w, d] image, its borders mirrored.

    Example: `dy, dx = tf.unstack(tf.image.sobel_edges(images), axis=-1)`.
    """
    image = convert_to_tensor(image, name="image")
    image_shape = shape(image)
    kernels = constant(np.expand_dims(np.transpose(_SOBEL, (1, 2, 0)), -2), dtype=image.dtype.base_dtype)
    kernels = tile(kernels, [1, 1, image_shape[-1], 1], name="sobel_filters")
    padded = pad(image, [[0, 0], [1, 1], [1, 1], [0, 0]], mode="REFLECT")
    output = nn.depthwise_conv2d(padded, kernels, [1, 1, 1, 1], "VALID")
    output = reshape(output, concat([image_shape, [2]], 0))
    output.set_shape(image.shape.concatenate([2]))
    return output
