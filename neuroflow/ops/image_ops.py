"""Box primitives of `tf.image`: NonMaxSuppressionV3 (greedy selection by score with an IoU threshold) and
DrawBoundingBoxes (box outlines drawn onto images), with TensorFlow's kernels' rules; neither is differentiable."""
import numpy as np

from ..framework import dtypes
from ..framework.apply import apply_op
from ..framework.graph import name_scope
from ..framework.op_def import InferenceError, OpDef, register
from ..framework.tensor_shape import TensorShape
from .op_util import check_rank, invalid_argument

__all__ = ["non_max_suppression", "non_max_suppression_padded", "non_max_suppression_overlaps",
           "draw_bounding_boxes"]


@register
class NonMaxSuppressionV3(OpDef):
    """Indices (int32, by decreasing score) of the boxes kept by greedy non-maximum suppression: a box is
    dropped when its IoU with a kept box exceeds `iou_threshold`, or its score is not above `score_threshold`."""

    type_name = "NonMaxSuppressionV3"
    input_names = ("boxes", "scores", "max_output_size", "iou_threshold", "score_threshold")
    same_dtype = ("boxes", "scores")
    allowed_dtypes = (dtypes.float16, dtypes.float32)
    data_dependent_shape = True

    def infer(self, inputs, attrs):
        boxes, scores, max_size, iou, score = inputs
        check_rank(boxes, 2)
        if boxes.shape.ndims == 2 and boxes.shape[1].value not in (None, 4):
            raise InferenceError(f"Dimension must be 4 but is {boxes.shape[1].value}")
        check_rank(scores, 1)
        for t in (max_size, iou, score):
            check_rank(t, 0)
        return [(TensorShape([None]), dtypes.int32)]

    def forward(self, xp, boxes, scores, max_output_size, iou_threshold, score_threshold):
        if boxes.ndim != 2 or boxes.shape[1] != 4:
            raise invalid_argument(f"boxes must be 2-D with 4 columns: [{','.join(map(str, boxes.shape))}]")
        _check_scores(scores, boxes.shape[0])
        boxes = boxes.astype(xp.float32)
        y_min, y_max = xp.minimum(boxes[:, 0], boxes[:, 2]), xp.maximum(boxes[:, 0], boxes[:, 2])
        x_min, x_max = xp.minimum(boxes[:, 1], boxes[:, 3]), xp.maximum(boxes[:, 1], boxes[:, 3])
        area = (y_max - y_min) * (x_max - x_min)

        def iou(i, kept):
            inter = (xp.maximum(xp.minimum(y_max[kept], y_max[i]) - xp.maximum(y_min[kept], y_min[i]), 0) *
                     xp.maximum(xp.minimum(x_max[kept], x_max[i]) - xp.maximum(x_min[kept], x_min[i]), 0))
            valid = (area[kept] > 0) & (area[i] > 0)
            return xp.where(valid, inter / xp.where(valid, area[kept] + area[i] - inter, 1), 0)
        return _greedy(xp, scores, iou, max_output_size, _threshold(iou_threshold, "iou_threshold"), score_threshold)


def _check_scores(scores, count):
    if scores.ndim != 1 or scores.shape[0] != count:
        raise invalid_argument("scores has incompatible shape")


def _threshold(value, what):
    value = float(value)
    if not 0 <= value <= 1:
        raise invalid_argument(f"{what} must be in [0, 1]")
    return value


def _greedy(xp, scores, overlap, max_output_size, threshold, score_threshold):
    """TensorFlow's selection: candidates by decreasing score (ties by index) above `score_threshold`, each kept
    unless `overlap(candidate, kept indices)` exceeds `threshold` for some kept one, at most max_output_size."""
    limit, floor = int(max_output_size), float(score_threshold)
    order = xp.argsort(-scores.astype(xp.float64), kind="stable")
    kept = []
    for i in (i for i in order.tolist() if float(scores[i]) > floor):
        if len(kept) >= limit:
            break
        if not kept or not bool((overlap(i, xp.asarray(kept)) > threshold).any()):
            kept.append(i)
    return xp.asarray(kept, dtype=xp.int32)


@register
class NonMaxSuppressionWithOverlaps(OpDef):
    """NonMaxSuppressionV3 with the overlap of boxes i and j given as `overlaps[i, j]` instead of their IoU."""

    type_name = "NonMaxSuppressionWithOverlaps"
    input_names = ("overlaps", "scores", "max_output_size", "overlap_threshold", "score_threshold")
    data_dependent_shape = True

    def infer(self, inputs, attrs):
        overlaps, scores, max_size, threshold, score = inputs
        for t in (overlaps, scores, threshold, score):
            if t.dtype.base_dtype != dtypes.float32:
                raise TypeError(f"Input of 'NonMaxSuppressionWithOverlaps' Op has type {t.dtype.base_dtype.name} "
                                "that does not match expected type of float32.")
        check_rank(overlaps, 2)
        check_rank(scores, 1)
        for t in (max_size, threshold, score):
            check_rank(t, 0)
        return [(TensorShape([None]), dtypes.int32)]

    def forward(self, xp, overlaps, scores, max_output_size, overlap_threshold, score_threshold):
        if overlaps.ndim != 2 or overlaps.shape[0] != overlaps.shape[1]:
            raise invalid_argument(f"overlaps must be square, got [{','.join(map(str, overlaps.shape))}]")
        _check_scores(scores, overlaps.shape[0])
        return _greedy(xp, scores, lambda i, kept: overlaps[i, kept], max_output_size, float(overlap_threshold),
                       score_threshold)


def non_max_suppression(boxes, scores, max_output_size, iou_threshold=0.5, score_threshold=float("-inf"),
                        name=None):
    """Indices of at most `max_output_size` boxes ([num_boxes, 4] as [y1, x1, y2, x2], any corner order)
    chosen greedily by decreasing `scores`, skipping boxes whose IoU with a chosen one exceeds
    `iou_threshold` and boxes whose score is not above `score_threshold`.

    Example: `tf.gather(boxes, tf.image.non_max_suppression(boxes, scores, 10))`.
    """
    from ..framework.apply import convert_to_tensor
    with name_scope(name, "non_max_suppression"):
        iou = convert_to_tensor(iou_threshold, dtypes.float32, name="iou_threshold")
        floor = convert_to_tensor(score_threshold, dtypes.float32, name="score_threshold")
        max_size = convert_to_tensor(max_output_size, dtypes.int32, name="max_output_size")
        return apply_op(NonMaxSuppressionV3, [boxes, scores, max_size, iou, floor], name="NonMaxSuppressionV3")


def non_max_suppression_padded(boxes, scores, max_output_size, iou_threshold=0.5, score_threshold=float("-inf"),
                               pad_to_max_output_size=False, name=None):
    """(selected_indices, valid_outputs): `non_max_suppression`'s indices, padded with zeros to
    `max_output_size` when `pad_to_max_output_size`, and how many of them are real (an int32 scalar)."""
    from ..framework.apply import convert_to_tensor
    from .array_ops import reshape, stack
    from .grad_support_ops import size
    from .pad_ops import pad
    with name_scope(name, "non_max_suppression_padded"):
        selected = non_max_suppression(boxes, scores, max_output_size, iou_threshold, score_threshold)
        valid = size(selected, out_type=dtypes.int32)
        if not pad_to_max_output_size:
            return selected, valid
        max_size = convert_to_tensor(max_output_size, dtypes.int32, name="max_output_size")
        padded = pad(selected, reshape(stack([0, max_size - valid]), [1, 2]))
        # A reshape to the known length states it in the graph itself (set_shape would bypass shape inference).
        return reshape(padded, [max_output_size] if isinstance(max_output_size, int) else [-1]), valid


def non_max_suppression_overlaps(overlaps, scores, max_output_size, overlap_threshold=0.5,
                                 score_threshold=float("-inf"), name=None):
    """`non_max_suppression` with the pairwise overlaps given ([num_boxes, num_boxes]) instead of boxes."""
    from ..framework.apply import convert_to_tensor
    with name_scope(name, "non_max_suppression_overlaps"):
        threshold = convert_to_tensor(overlap_threshold, dtypes.float32, name="overlap_threshold")
        floor = convert_to_tensor(score_threshold, dtypes.float32, name="score_threshold")
        max_size = convert_to_tensor(max_output_size, dtypes.int32, name="max_output_size")
        return apply_op(NonMaxSuppressionWithOverlaps, [overlaps, scores, max_size, threshold, floor],
                        name="NonMaxSuppressionWithOverlaps")


_DEFAULT_COLORS = [[1, 1, 0, 1], [0, 0, 1, 1], [1, 0, 0, 1], [0, 1, 0, 1], [0.5, 0, 0.5, 1], [0.5, 0.5, 0, 1],
                   [0.5, 0, 0, 1], [0, 0, 0.5, 1], [0, 1, 1, 1], [1, 0, 1, 1]]


def _box_pixel(fraction, size):
    """TensorFlow's float32 product truncated towards zero (C++'s float -> int64 conversion)."""
    return int(np.float32(fraction) * np.float32(size - 1))


@register
class DrawBoundingBoxes(OpDef):
    """`images` ([batch, h, w, depth], depth 1, 3 or 4) with the one-pixel outlines of `boxes` ([batch, n, 4]
    of [y_min, x_min, y_max, x_max] in [0, 1]) drawn in the colours of TensorFlow's table, cycling per box."""

    type_name = "DrawBoundingBoxes"
    input_names = ("images", "boxes")
    allowed_dtypes = (dtypes.float16, dtypes.float32)
    same_dtype = ("images",)

    def infer(self, inputs, attrs):
        images, boxes = inputs
        check_rank(images, 4)
        check_rank(boxes, 3)
        if boxes.dtype.base_dtype != dtypes.float32:
            raise TypeError(f"Input 'boxes' of 'DrawBoundingBoxes' Op has type {boxes.dtype.base_dtype.name} that "
                            "does not match expected type of float32.")
        return [(images.shape, images.dtype.base_dtype)]

    def forward(self, xp, images, boxes):
        return _draw(xp, images, boxes, _DEFAULT_COLORS)


def _draw(xp, images, boxes, colors):
    """TensorFlow's DrawBoundingBoxes kernel: box n of each image in colors[n % len(colors)]."""
    if images.ndim != 4:
        raise invalid_argument("The rank of the images should be 4")
    batch, height, width, depth = images.shape
    if depth not in (1, 3, 4):
        raise invalid_argument("Channel depth should be either 1 (GRY), 3 (RGB), or 4 (RGBA)")
    if boxes.ndim != 3 or boxes.shape[0] != batch or boxes.shape[2] != 4:
        raise invalid_argument("boxes must be [batch, num_boxes, 4]")
    canvas = xp.array(images, copy=True)
    for b, image_boxes in enumerate(boxes.tolist()):
        for n, (y0, x0, y1, x1) in enumerate(image_boxes):
            color = xp.asarray(colors[n % len(colors)][:depth], dtype=images.dtype)
            top, bottom = _box_pixel(y0, height), _box_pixel(y1, height)
            left, right = _box_pixel(x0, width), _box_pixel(x1, width)
            if top > bottom or left > right:
                continue  # inverted: TensorFlow logs a warning and skips it
            if top >= height or bottom < 0 or left >= width or right < 0:
                continue  # completely outside the image
            rows = slice(max(top, 0), min(bottom, height - 1) + 1)
            cols = slice(max(left, 0), min(right, width - 1) + 1)
            if top >= 0:
                canvas[b, top, cols] = color
            if bottom < height:
                canvas[b, bottom, cols] = color
            if left >= 0:
                canvas[b, rows, left] = color
            if right < width:
                canvas[b, rows, right] = color
    return canvas


@register
class DrawBoundingBoxesV2(OpDef):
    """DrawBoundingBoxes with the colour table given: `colors` [num_colors, channels >= depth] (float32)."""

    type_name = "DrawBoundingBoxesV2"
    input_names = ("images", "boxes", "colors")
    allowed_dtypes = (dtypes.float16, dtypes.float32)
    same_dtype = ("images",)

    def infer(self, inputs, attrs):
        check_rank(inputs[2], 2)
        return DrawBoundingBoxes.infer(inputs[:2], attrs)

    def forward(self, xp, images, boxes, colors):
        if colors.ndim != 2:
            raise invalid_argument("colors must be a 2-D matrix" + f"[{','.join(map(str, colors.shape))}]")
        if images.ndim == 4 and colors.shape[1] < images.shape[3]:
            raise invalid_argument("colors must have equal or more channels than the image provided: "
                                   f"[{','.join(map(str, colors.shape))}]")
        table = colors.tolist() or _DEFAULT_COLORS  # an empty table: TensorFlow's default colours
        return _draw(xp, images, boxes, table)


def draw_bounding_boxes(images, boxes, name=None, colors=None):
    """`images` with the outlines of `boxes` drawn on them (see DrawBoundingBoxes), in `colors` ([num_colors,
    channels] RGBA rows, cycling per box) or TensorFlow's default table.

    Example: `tf.image.draw_bounding_boxes(images, [[[0.1, 0.2, 0.5, 0.9]]], colors=[[1.0, 0.0, 0.0, 1.0]])`.
    """
    if colors is None:
        return apply_op(DrawBoundingBoxes, [images, boxes], name=name or "DrawBoundingBoxes")
    from ..framework.apply import convert_to_tensor
    colors = convert_to_tensor(colors, dtypes.float32, name="colors")
    return apply_op(DrawBoundingBoxesV2, [images, boxes, colors], name=name or "DrawBoundingBoxesV2")
