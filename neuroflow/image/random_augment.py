"""`tf.image`'s seeded random augmentations (flips, brightness, contrast, hue, saturation, crops): each draws
from `tf.random_uniform` with the op seed it is given, so TensorFlow's seed rule (graph seed + op seed) makes
them repeatable, and applies the matching deterministic adjustment."""
from ..framework import dtypes
from ..framework.apply import convert_to_tensor
from ..framework.graph import name_scope
from ..ops import math_ops
from ..ops.array_ops import identity, reshape, shape
from ..ops.control_flow_ops import control_dependencies
from ..ops.grad_support_ops import where
from ..ops.manip_ops import reverse, slice as slice_
from ..ops.logging_ops import Assert
from ..ops.random_ops import random_uniform
from ..ops.reduce_ops import reduce_all
from .checks import assert_at_least_3d
from .color import adjust_brightness, adjust_contrast, adjust_hue, adjust_saturation

__all__ = ["random_flip_left_right", "random_flip_up_down", "random_brightness", "random_contrast", "random_hue",
           "random_saturation", "random_crop"]


def _random_flip(image, axis, seed, scope_name):
    with name_scope(None, scope_name, [image]) as scope:
        image = assert_at_least_3d(convert_to_tensor(image, name="image"))
        rank = image.shape.ndims
        if rank is None or rank == 3:
            mirror = math_ops.less(random_uniform([], 0, 1.0, seed=seed), 0.5)
            flipped = where(mirror, reverse(image, [axis]), image, name=scope)
            flipped.set_shape(image.shape)
            return flipped
        if rank == 4:  # one draw per image of the batch
            batch = shape(image)[0]
            draws = random_uniform([batch], 0, 1.0, seed=seed)
            flips = math_ops.cast(math_ops.round(reshape(draws, [batch, 1, 1, 1])), image.dtype)
            return flips * reverse(image, [axis + 1]) + (1 - flips) * image
        raise ValueError("'image' must have either 3 or 4 dimensions.")


def random_flip_left_right(image, seed=None):
    """`image` mirrored horizontally with probability 1/2 (each image of a batch on its own draw)."""
    return _random_flip(image, 1, seed, "random_flip_left_right")


def random_flip_up_down(image, seed=None):
    """`image` mirrored vertically with probability 1/2 (each image of a batch on its own draw)."""
    return _random_flip(image, 0, seed, "random_flip_up_down")


def random_brightness(image, max_delta, seed=None):
    """`adjust_brightness` by a delta drawn uniformly from [-max_delta, max_delta).

    Raises:
        ValueError: a negative `max_delta`.
    """
    if max_delta < 0:
        raise ValueError("max_delta must be non-negative.")
    return adjust_brightness(image, random_uniform([], -max_delta, max_delta, seed=seed))


def _check_range(lower, upper):
    if upper <= lower:
        raise ValueError("upper must be > lower.")
    if lower < 0:
        raise ValueError("lower must be non-negative.")


def random_contrast(image, lower, upper, seed=None):
    """`adjust_contrast` by a factor drawn uniformly from [lower, upper).

    Raises:
        ValueError: upper <= lower, or lower < 0.
    """
    _check_range(lower, upper)
    return adjust_contrast(image, random_uniform([], lower, upper, seed=seed))


def random_saturation(image, lower, upper, seed=None):
    """`adjust_saturation` by a factor drawn uniformly from [lower, upper).

    Raises:
        ValueError: upper <= lower, or lower < 0.
    """
    _check_range(lower, upper)
    return adjust_saturation(image, random_uniform([], lower, upper, seed=seed))


def random_hue(image, max_delta, seed=None):
    """`adjust_hue` by a delta drawn uniformly from [-max_delta, max_delta) (max_delta in [0, 0.5]).

    Raises:
        ValueError: `max_delta` outside [0, 0.5].
    """
    if max_delta > 0.5:
        raise ValueError("max_delta must be <= 0.5.")
    if max_delta < 0:
        raise ValueError("max_delta must be non-negative.")
    return adjust_hue(image, random_uniform([], -max_delta, max_delta, seed=seed))


def random_crop(value, size, seed=None, name=None):
    """A `size`-shaped slice of `value` at a uniformly drawn offset (every dimension may be cropped).

    Example: `tf.image.random_crop(image, [24, 24, 3], seed=1)`.
    """
    with name_scope(name, "random_crop", [value, size]) as scope:
        value = convert_to_tensor(value, name="value")
        size = convert_to_tensor(size, dtype=dtypes.int32, name="size")
        value_shape = shape(value)
        check = Assert(reduce_all(value_shape >= size), ["Need value.shape >= size, got ", value_shape, size],
                       summarize=1000)
        with control_dependencies([check]):
            value_shape = identity(value_shape)
        limit = value_shape - size + 1
        offset = math_ops.floormod(random_uniform(shape(value_shape), dtype=size.dtype.base_dtype,
                                                  maxval=size.dtype.base_dtype.max, seed=seed), limit)
        return slice_(value, offset, size, name=scope)
