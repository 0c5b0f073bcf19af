"""`tf.image.crop_and_resize`: boxes cut from a batch of images and resampled to one size (bilinear or
nearest), with TensorFlow's sampling and extrapolation rules, composed of gather_nd and elementwise ops, so the
gradients with respect to the image and the boxes come from those ops."""
from ..framework import dtypes
from ..framework.apply import convert_to_tensor
from ..framework.graph import name_scope
from ..ops import math_ops
from ..ops.array_ops import shape, stack
from ..ops.clip_ops import clip_by_value
from ..ops.grad_support_ops import broadcast_to, where
from ..ops.index_ops import range as range_
from ..ops.nd_index_ops import gather_nd
from ..ops.op_util import static_ints

__all__ = ["crop_and_resize"]


def _positions(low, high, size, extent):
    """[boxes, size] float32 sampling positions along one axis (TensorFlow's CropAndResize rule): from
    low * (extent - 1) in steps of (high - low) * (extent - 1) / (size - 1); one sample takes the centre."""
    last = math_ops.cast(extent - 1, dtypes.float32)
    if size > 1:
        step = (high - low) * last / float(size - 1)
        return low[:, None] * last + math_ops.cast(range_(size), dtypes.float32)[None, :] * step[:, None]
    return (0.5 * (low + high) * last)[:, None]


def crop_and_resize(image, boxes, box_ind=None, crop_size=None, method="bilinear", extrapolation_value=0,
                    name=None, box_indices=None):
    """[num_boxes, crop_height, crop_width, depth] float32 crops of `image` ([batch, h, w, depth]).

    Args:
        boxes: [num_boxes, 4] float [y1, x1, y2, x2] in normalized coordinates (y1 > y2 flips the crop; values
            outside [0, 1] extrapolate).
        box_ind: [num_boxes] int32, the image each box is cut from (`box_indices` is the same argument).
        crop_size: [crop_height, crop_width], known when the graph is built.
        method: "bilinear" or "nearest".
        extrapolation_value: the value of samples that fall outside the image.

    Example: `tf.image.crop_and_resize(features, rois, tf.zeros([n], tf.int32), [7, 7])`.
    """
    if box_ind is None:
        box_ind = box_indices
    if method not in ("bilinear", "nearest"):
        raise ValueError("method must be 'bilinear' or 'nearest'")
    crop_h, crop_w = static_ints(crop_size, "crop_size")
    if crop_h <= 0 or crop_w <= 0:
        raise ValueError("crop dimensions must be positive")
    with name_scope(name, "CropAndResize", [image, boxes, box_ind]):
        image = math_ops.cast(convert_to_tensor(image, name="image"), dtypes.float32)
        boxes = convert_to_tensor(boxes, dtypes.float32, name="boxes")
        box_ind = convert_to_tensor(box_ind, dtypes.int32, name="box_ind")
        height, width = shape(image)[1], shape(image)[2]
        ys = _positions(boxes[:, 0], boxes[:, 2], crop_h, height)
        xs = _positions(boxes[:, 1], boxes[:, 3], crop_w, width)
        last_row = math_ops.cast(height - 1, dtypes.float32)
        last_column = math_ops.cast(width - 1, dtypes.float32)
        inside = ((ys >= 0) & (ys <= last_row))[:, :, None] & ((xs >= 0) & (xs <= last_column))[:, None, :]
        grid = stack([shape(boxes)[0], crop_h, crop_w])

        def sample(y_index, x_index):
            """[boxes, crop_h, crop_w, depth] pixels at the (clipped) integer positions."""
            y_index = math_ops.cast(clip_by_value(y_index, 0.0, last_row), dtypes.int32)
            x_index = math_ops.cast(clip_by_value(x_index, 0.0, last_column), dtypes.int32)
            indices = stack([broadcast_to(box_ind[:, None, None], grid), broadcast_to(y_index[:, :, None], grid),
                             broadcast_to(x_index[:, None, :], grid)], axis=-1)
            return gather_nd(image, indices)

        if method == "nearest":  # roundf: halves away from zero (positions inside the image are >= 0)
            crops = sample(math_ops.floor(ys + 0.5), math_ops.floor(xs + 0.5))
        else:
            top, left = math_ops.floor(ys), math_ops.floor(xs)
            y_lerp, x_lerp = (ys - top)[:, :, None, None], (xs - left)[:, None, :, None]
            bottom, right = math_ops.ceil(ys), math_ops.ceil(xs)
            top_left, top_right = sample(top, left), sample(top, right)
            bottom_left, bottom_right = sample(bottom, left), sample(bottom, right)
            upper = top_left + (top_right - top_left) * x_lerp
            lower = bottom_left + (bottom_right - bottom_left) * x_lerp
            crops = upper + (lower - upper) * y_lerp
        outside = math_ops.cast(extrapolation_value, dtypes.float32)
        result = where(inside[:, :, :, None], crops, outside + 0 * crops)
        depth = image.shape[3].value if image.shape.ndims == 4 else None
        num_boxes = boxes.shape[0].value if boxes.shape.ndims == 2 else None
        result.set_shape([num_boxes, crop_h, crop_w, depth])
        return result

