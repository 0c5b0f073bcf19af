"""`tf.image` geometry: flips, rot90, transpose, crops and pads of [height, width, channels] images and
[batch, height, width, channels] batches, as compositions of reverse/transpose/slice/pad (gradients for free),
with TensorFlow's static checks and messages."""
import numpy as np

from ..framework.apply import convert_to_tensor
from ..framework.graph import name_scope
from ..framework.tensor_util import constant_value
from ..ops import math_ops
from ..ops.array_ops import identity, reshape, stack
from ..ops.control_flow_ops import case, control_dependencies
from ..ops.logging_ops import Assert
from ..ops.grad_support_ops import expand_dims
from ..ops.manip_ops import reverse, slice as slice_, squeeze, transpose
from ..ops.pad_ops import pad
from .checks import assert_at_least_3d, image_dimensions, is_tensor

__all__ = ["flip_left_right", "flip_up_down", "transpose_image", "rot90", "central_crop", "crop_to_bounding_box",
           "pad_to_bounding_box", "resize_image_with_crop_or_pad"]

_RANK_MESSAGE = "'image' must have either 3 or 4 dimensions."


def _flip(image, axis, scope_name):
    with name_scope(None, scope_name, [image]):
        image = assert_at_least_3d(convert_to_tensor(image, name="image"))
        rank = image.shape.ndims
        if rank is None or rank == 3:
            return reverse(image, [axis])
        if rank == 4:
            return reverse(image, [axis + 1])
        raise ValueError(_RANK_MESSAGE)


def flip_left_right(image):
    """`image` mirrored horizontally (the width axis). Example: [[[1], [2]]] -> [[[2], [1]]]."""
    return _flip(image, 1, "flip_left_right")


def flip_up_down(image):
    """`image` mirrored vertically (the height axis)."""
    return _flip(image, 0, "flip_up_down")


def transpose_image(image):
    """`image` with height and width swapped."""
    with name_scope(None, "transpose_image", [image]):
        image = assert_at_least_3d(convert_to_tensor(image, name="image"))
        rank = image.shape.ndims
        if rank is None or rank == 3:
            return transpose(image, [1, 0, 2], name="transpose_image")
        if rank == 4:
            return transpose(image, [0, 2, 1, 3], name="transpose_image")
        raise ValueError(_RANK_MESSAGE)


def rot90(image, k=1, name=None):
    """`image` rotated counter-clockwise by `k` quarter turns. A `k` known while building gives the rotated
    static shape; a run-time `k` picks the rotation with tf.case (height and width then unknown, as in
    TensorFlow).

    Example: [[[1], [2]], [[3], [4]]] rotated once is [[[2], [4]], [[1], [3]]].
    """
    with name_scope(name, "rot90", [image, k]) as scope:
        image = assert_at_least_3d(convert_to_tensor(image, name="image"))
        rank = image.shape.ndims
        if rank not in (None, 3, 4):
            raise ValueError(f"'image' (shape {image.shape}) must have either 3 or 4 dimensions.")
        h, perm = (1, [0, 2, 1, 3]) if rank == 4 else (0, [1, 0, 2])
        rotations = [lambda: image, lambda: transpose(reverse(image, [h + 1]), perm),
                     lambda: reverse(image, [h, h + 1]), lambda: reverse(transpose(image, perm), [h + 1])]
        turns = constant_value(convert_to_tensor(k)) if is_tensor(k) else np.asarray(k)
        if turns is not None:
            return identity(rotations[int(turns) % 4](), name=scope)
        k = math_ops.floormod(convert_to_tensor(k, dtype="int32", name="k"), 4)
        rotated = case([(math_ops.equal(k, turn), rotations[turn]) for turn in (1, 2, 3)],
                       default=rotations[0], exclusive=True, name=scope)
        static = image.shape.as_list() if rank is not None else [None] * 3
        rotated.set_shape(static[:h] + [None, None] + static[h + 2:])
        return rotated


def _check(condition, message):
    """TensorFlow's `_assert`: a Python condition that is False raises ValueError now; a tensor condition
    becomes an Assert op (InvalidArgumentError "assertion failed: [message]" at run time)."""
    if is_tensor(condition):
        return [Assert(condition, [message])]
    if not condition:
        raise ValueError(message)
    return []


def _after(checks, image):
    """`image`, computed only after the run-time `checks` pass."""
    if not checks:
        return image
    with control_dependencies(checks):
        return identity(image)


def _as_batch(image):
    image = convert_to_tensor(image, name="image")
    rank = image.shape.ndims
    if rank == 3 or rank is None:
        batched = expand_dims(image, 0)
        if rank is None:
            batched.set_shape([None] * 4)
        return batched, False
    if rank != 4:
        raise ValueError(_RANK_MESSAGE)
    return image, True


def _unbatch(image, is_batch):
    return image if is_batch else squeeze(image, axis=[0])


def crop_to_bounding_box(image, offset_height, offset_width, target_height, target_width):
    """The [target_height, target_width] window of `image` whose top-left corner is (offset_height,
    offset_width).

    Raises:
        ValueError: the window is not inside the image (when the sizes are known while building).
    """
    with name_scope(None, "crop_to_bounding_box", [image]):
        image, is_batch = _as_batch(image)
        assert_at_least_3d(image)
        batch, height, width, depth = image_dimensions(image, rank=4)
        checks = _check(offset_width >= 0, "offset_width must be >= 0.")
        checks += _check(offset_height >= 0, "offset_height must be >= 0.")
        checks += _check(target_width > 0, "target_width must be > 0.")
        checks += _check(target_height > 0, "target_height must be > 0.")
        checks += _check(width >= (target_width + offset_width), "width must be >= target + offset.")
        checks += _check(height >= (target_height + offset_height), "height must be >= target + offset.")
        image = _after(checks, image)
        cropped = slice_(image, stack([0, offset_height, offset_width, 0]),
                         stack([-1, target_height, target_width, -1]))
        cropped.set_shape([None if is_tensor(d) else d for d in (batch, target_height, target_width, depth)])
        return _unbatch(cropped, is_batch)


def pad_to_bounding_box(image, offset_height, offset_width, target_height, target_width):
    """`image` placed at (offset_height, offset_width) in a zero [target_height, target_width] image.

    Raises:
        ValueError: the image does not fit (when the sizes are known while building).
    """
    with name_scope(None, "pad_to_bounding_box", [image]):
        image, is_batch = _as_batch(image)
        assert_at_least_3d(image)
        batch, height, width, depth = image_dimensions(image, rank=4)
        after_width = target_width - offset_width - width
        after_height = target_height - offset_height - height
        checks = _check(offset_height >= 0, "offset_height must be >= 0")
        checks += _check(offset_width >= 0, "offset_width must be >= 0")
        checks += _check(after_width >= 0, "width must be <= target - offset")
        checks += _check(after_height >= 0, "height must be <= target - offset")
        image = _after(checks, image)
        paddings = reshape(stack([0, 0, offset_height, after_height, offset_width, after_width, 0, 0]), [4, 2])
        padded = pad(image, paddings)
        padded.set_shape([None if is_tensor(d) else d for d in (batch, target_height, target_width, depth)])
        return _unbatch(padded, is_batch)


def _max(x, y):
    return math_ops.maximum(x, y) if is_tensor(x) or is_tensor(y) else max(x, y)


def _min(x, y):
    return math_ops.minimum(x, y) if is_tensor(x) or is_tensor(y) else min(x, y)


def resize_image_with_crop_or_pad(image, target_height, target_width):
    """`image` centrally cropped and/or zero-padded to [target_height, target_width] (odd leftovers go to the
    bottom and right).

    Example: a [4, 4, 1] image to (2, 6) keeps rows 1-2 and adds one zero column on each side.
    """
    with name_scope(None, "resize_image_with_crop_or_pad", [image]):
        image, is_batch = _as_batch(image)
        assert_at_least_3d(image)
        checks = _check(target_width > 0, "target_width must be > 0.")
        checks += _check(target_height > 0, "target_height must be > 0.")
        image = _after(checks, image)
        _, height, width, _ = image_dimensions(image, rank=4)
        width_diff = target_width - width
        height_diff = target_height - height
        crop_w, pad_w = _max(-width_diff // 2, 0), _max(width_diff // 2, 0)
        crop_h, pad_h = _max(-height_diff // 2, 0), _max(height_diff // 2, 0)
        cropped = crop_to_bounding_box(image, crop_h, crop_w, _min(target_height, height), _min(target_width, width))
        resized = pad_to_bounding_box(cropped, pad_h, pad_w, target_height, target_width)
        return _unbatch(resized, is_batch)


def central_crop(image, central_fraction):
    """The central `central_fraction` (in (0, 1]) of `image` along height and width.

    Raises:
        ValueError: `central_fraction` outside (0, 1], or an image of rank other than 3 or 4.

    Example: `tf.image.central_crop(image, 0.5)` keeps the middle half of each side.
    """
    with name_scope(None, "central_crop", [image]):
        image = convert_to_tensor(image, name="image")
        if central_fraction <= 0.0 or central_fraction > 1.0:
            raise ValueError("central_fraction must be within (0, 1]")
        if central_fraction == 1.0:
            return image
        assert_at_least_3d(image)
        rank = image.shape.ndims
        if rank != 3 and rank != 4:
            raise ValueError(f"`image` should either be a Tensor with rank = 3 or rank = 4. Had rank = {rank}.")
        dims = image_dimensions(image, rank)
        h_axis = rank - 3

        def start_of(size):
            if is_tensor(size):
                size_f = math_ops.cast(size, "float64")
                return math_ops.cast((size_f - size_f * central_fraction) / 2, "int32")
            return int((size - size * central_fraction) / 2)
        h_start, w_start = start_of(dims[h_axis]), start_of(dims[h_axis + 1])
        h_size, w_size = dims[h_axis] - h_start * 2, dims[h_axis + 1] - w_start * 2
        begin = ([0] if rank == 4 else []) + [h_start, w_start, 0]
        size = ([-1] if rank == 4 else []) + [h_size, w_size, -1]
        cropped = slice_(image, stack(begin), stack(size))
        static = [None if is_tensor(d) else d for d in dims]
        static[h_axis] = None if is_tensor(h_size) else h_size
        static[h_axis + 1] = None if is_tensor(w_size) else w_size
        cropped.set_shape(static)
        return cropped
