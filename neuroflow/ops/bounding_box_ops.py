"""SampleDistortedBoundingBoxV2: a random crop window of an image that covers enough of one of the given
object boxes, with TensorFlow's sampling procedure (aspect ratio uniform in a range, height uniform among the
sizes whose area fits the area range, position uniform, up to `max_attempts` tries, else the whole image).
It draws from the session's generator for the op, seeded by the op's own `seed`/`seed2` as TensorFlow 1.x's
function passes them (the graph seed plays no part; unseeded, each session differs), not by TensorFlow's Philox
stream, so the crops are TensorFlow's in distribution, not draw for draw."""
import math

import numpy as np

from ..framework import dtypes
from ..framework.apply import apply_op, convert_to_tensor
from ..framework.op_def import InferenceError, OpDef, register
from ..framework.tensor_shape import TensorShape
from .op_util import check_rank, invalid_argument

__all__ = ["sample_distorted_bounding_box"]

_SIZE_DTYPES = (dtypes.uint8, dtypes.int8, dtypes.int16, dtypes.int32, dtypes.int64)


def _lrint(x):
    """C's lrintf: to the nearest integer, halves to even."""
    return int(round(x))


def _pixel(fraction, size):
    """TensorFlow's int32(float32 box coordinate * size): the product rounded to float32, then truncated."""
    return int(np.float32(fraction) * np.float32(size))


def _random_crop(uniform, integer, width, height, min_area, max_area, aspect_ratio):
    """(x, y, w, h) of a crop with `aspect_ratio` whose area is in [min_area, max_area], or None."""
    crop_h = _lrint(math.sqrt(min_area / aspect_ratio))
    max_h = _lrint(math.sqrt(max_area / aspect_ratio))
    if _lrint(max_h * aspect_ratio) > width:  # the largest height whose rounded width still fits
        max_h = int((width + 0.5 - 1e-7) / aspect_ratio)
        if _lrint(max_h * aspect_ratio) > width:
            max_h -= 1
    max_h = min(max_h, height)
    crop_h = min(crop_h, max_h)
    if crop_h < max_h:
        crop_h += integer(max_h - crop_h + 1)
    crop_w = _lrint(crop_h * aspect_ratio)
    area = crop_w * crop_h
    if area < min_area:  # rounding left it a little small: one row more
        crop_h += 1
        crop_w = _lrint(crop_h * aspect_ratio)
        area = crop_w * crop_h
    if area > max_area:  # or a little large: one row less
        crop_h -= 1
        crop_w = _lrint(crop_h * aspect_ratio)
        area = crop_w * crop_h
    if area < min_area or area > max_area or crop_w > width or crop_h > height or crop_w <= 0 or crop_h <= 0:
        return None
    y = integer(height - crop_h) if crop_h < height else 0
    x = integer(width - crop_w) if crop_w < width else 0
    return x, y, crop_w, crop_h


def _covers_an_object(crop, min_covered, boxes):
    x, y, w, h = crop
    if w * h < 1:
        return False
    for x0, y0, x1, y1 in boxes:
        area = (x1 - x0) * (y1 - y0)
        if area < 1:
            continue
        overlap = max(0, min(x + w, x1) - max(x, x0)) * max(0, min(y + h, y1) - max(y, y0))
        if overlap / area >= min_covered:
            return True
    return False


@register
class SampleDistortedBoundingBoxV2(OpDef):
    """(begin, size, bboxes): a crop of an image of `image_size` [height, width, channels] for tf.slice, and
    its box [[[y_min, x_min, y_max, x_max]]] in normalized coordinates."""

    type_name = "SampleDistortedBoundingBoxV2"
    input_names = ("image_size", "bounding_boxes", "min_object_covered")
    num_outputs = 3
    stateful = True
    foldable = False

    def infer(self, inputs, attrs):
        size, boxes, covered = inputs
        if size.dtype.base_dtype not in _SIZE_DTYPES:
            raise TypeError(f"Value passed to parameter 'image_size' has DataType {size.dtype.base_dtype.name} not "
                            "in list of allowed values: uint8, int8, int16, int32, int64")
        check_rank(size, 1)
        if size.shape.ndims == 1 and size.shape[0].value not in (None, 3):
            raise InferenceError(f"Dimension must be 3 but is {size.shape[0].value}")
        check_rank(boxes, 3)
        check_rank(covered, 0)
        dtype = size.dtype.base_dtype
        return [(TensorShape([3]), dtype), (TensorShape([3]), dtype), (TensorShape([1, 1, 4]), dtypes.float32)]

    def kernel(self, op, ctx):
        gen = ctx.random_generator(op)
        attrs = op.attrs
        return lambda *arrays: self._sample(ctx.xp, gen, *arrays, **attrs)

    def forward(self, xp, *arrays, **attrs):
        seed, seed2 = attrs["seed"], attrs["seed2"]
        gen = xp.random.default_rng(None if (seed, seed2) == (0, 0) else [seed, seed2])
        return self._sample(xp, gen, *arrays, **attrs)

    def _sample(self, xp, gen, image_size, bounding_boxes, min_object_covered, seed, seed2, aspect_ratio_range,
                area_range, max_attempts, use_image_if_no_bounding_boxes):
        if image_size.ndim != 1 or image_size.shape[0] != 3:
            raise invalid_argument(f"image_size must be 1-dimensional with 3 elements, got shape "
                                   f"[{','.join(map(str, image_size.shape))}]")
        height, width, _ = (int(v) for v in image_size.tolist())
        if bounding_boxes.ndim != 3 or bounding_boxes.shape[2] != 4:
            raise invalid_argument("input boxes must be 3-dimensional [batch, num_boxes, coords]")
        covered = float(min_object_covered)
        if covered < 0:
            raise invalid_argument(f"min_object_covered must be non-negative: {covered}")
        boxes = [(_pixel(b[1], width), _pixel(b[0], height), _pixel(b[3], width), _pixel(b[2], height))
                 for b in bounding_boxes.reshape(-1, 4).tolist()]
        for b in bounding_boxes.reshape(-1, 4).tolist():
            if any(not 0 <= v <= 1 for v in b) or b[0] > b[2] or b[1] > b[3]:
                raise invalid_argument(f"Bounding box ({', '.join(f'{v:g}' for v in b)}) must be normalized to "
                                       "[0, 1] with min <= max")
        if not boxes:
            if not use_image_if_no_bounding_boxes:
                raise invalid_argument("No bounding boxes provided as input. One must enable "
                                       "use_image_if_no_bounding_boxes if you wish to not provide any bounding boxes.")
            boxes = [(0, 0, width, height)]
        low, high = aspect_ratio_range
        min_area, max_area = area_range[0] * width * height, area_range[1] * width * height

        def uniform():
            return float(gen.random())

        def integer(n):
            return int(gen.integers(n))
        crop = None
        for _ in range(max_attempts):
            candidate = _random_crop(uniform, integer, width, height, min_area, max_area,
                                     uniform() * (high - low) + low)
            if candidate is not None and _covers_an_object(candidate, covered, boxes):
                crop = candidate
                break
        x, y, w, h = crop or (0, 0, width, height)
        dtype = image_size.dtype
        box = [[[y / height, x / width, (y + h) / height, (x + w) / width]]]
        return (xp.asarray([y, x, 0], dtype=dtype), xp.asarray([h, w, -1], dtype=dtype),
                xp.asarray(box, dtype=xp.float32))


def sample_distorted_bounding_box(image_size, bounding_boxes, seed=None, seed2=None, min_object_covered=0.1,
                                  aspect_ratio_range=None, area_range=None, max_attempts=None,
                                  use_image_if_no_bounding_boxes=None, name=None):
    """(begin, size, bboxes): a random crop of an image of `image_size` ([height, width, channels]) covering
    at least `min_object_covered` of one of `bounding_boxes` ([batch, N, 4] normalized [y_min, x_min, y_max,
    x_max]); feed begin and size to tf.slice, bboxes to tf.image.draw_bounding_boxes.

    Example:
        >>> begin, size, _ = tf.image.sample_distorted_bounding_box(tf.shape(image), boxes, area_range=[0.3, 1])
        >>> crop = tf.slice(image, begin, size)
    """
    attrs = {"seed": int(seed or 0), "seed2": int(seed2 or 0),
             "aspect_ratio_range": [float(v) for v in (aspect_ratio_range or (0.75, 1.33))],
             "area_range": [float(v) for v in (area_range or (0.05, 1.0))],
             "max_attempts": int(100 if max_attempts is None else max_attempts),
             "use_image_if_no_bounding_boxes": bool(use_image_if_no_bounding_boxes)}
    if attrs["max_attempts"] <= 0:
        raise ValueError(f"Max attempts must be > 0, got {attrs['max_attempts']}")
    covered = convert_to_tensor(min_object_covered, dtypes.float32, name="min_object_covered")
    return tuple(apply_op(SampleDistortedBoundingBoxV2, [image_size, bounding_boxes, covered], attrs,
                          name=name or "SampleDistortedBoundingBoxV2"))

