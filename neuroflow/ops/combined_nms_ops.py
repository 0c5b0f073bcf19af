"""CombinedNonMaxSuppression: non-maximum suppression per image and class of a detector's outputs, the
survivors of all classes ranked by score and cut to `max_total_size` (TensorFlow's rule, as the object
detection models' exported graphs use it): boxes, scores and classes padded with zeros, and the count."""
from ..framework import dtypes
from ..framework.apply import apply_op, convert_to_tensor
from ..framework.graph import name_scope
from ..framework.op_def import InferenceError, OpDef, register
from ..framework.tensor_shape import TensorShape
from ..framework.tensor_util import constant_value
from .image_ops import _greedy, _threshold
from .op_util import check_rank, invalid_argument
from .soft_nms_ops import _iou_to

__all__ = ["combined_non_max_suppression"]


@register
class CombinedNonMaxSuppression(OpDef):
    """(nmsed_boxes [batch, D, 4], nmsed_scores [batch, D], nmsed_classes [batch, D], valid_detections [batch])
    from `boxes` [batch, num_boxes, q, 4] (q = 1: shared by the classes, or one per class) and `scores`
    [batch, num_boxes, num_classes]; D = max_total_size, or min(max_total_size, per-class size * num_classes)
    with `pad_per_class`."""

    type_name = "CombinedNonMaxSuppression"
    input_names = ("boxes", "scores", "max_output_size_per_class", "max_total_size", "iou_threshold",
                   "score_threshold")
    num_outputs = 4
    data_dependent_shape = False
    shape_arg_inputs = (2, 3)

    def infer(self, inputs, attrs):
        boxes, scores, per_class, total, iou, floor = inputs
        for t, name in ((boxes, "boxes"), (scores, "scores"), (iou, "iou_threshold"), (floor, "score_threshold")):
            if t.dtype.base_dtype != dtypes.float32:
                raise TypeError(f"Input '{name}' of 'CombinedNonMaxSuppression' Op has type "
                                f"{t.dtype.base_dtype.name} that does not match expected type of float32.")
        check_rank(boxes, 4)
        check_rank(scores, 3)
        for t in (per_class, total, iou, floor):
            check_rank(t, 0)
        if boxes.shape.ndims == 4 and boxes.shape[3].value not in (None, 4):
            raise InferenceError(f"Dimension must be 4 but is {boxes.shape[3].value}")
        batch = boxes.shape[0].value if boxes.shape.ndims == 4 else None
        per, tot = constant_value(per_class), constant_value(total)
        classes = scores.shape[2].value if scores.shape.ndims == 3 else None
        if tot is None:
            size = None
        elif attrs["pad_per_class"]:
            size = None if per is None or classes is None else min(int(tot), int(per) * classes)
        else:
            size = int(tot)
        return [(TensorShape([batch, size, 4]), dtypes.float32), (TensorShape([batch, size]), dtypes.float32),
                (TensorShape([batch, size]), dtypes.float32), (TensorShape([batch]), dtypes.int32)]

    def forward(self, xp, boxes, scores, max_output_size_per_class, max_total_size, iou_threshold,
                score_threshold, pad_per_class, clip_boxes):
        if boxes.ndim != 4 or boxes.shape[3] != 4 or scores.ndim != 3 or scores.shape[:2] != boxes.shape[:2]:
            raise invalid_argument("boxes must be [batch, num_boxes, q, 4] and scores [batch, num_boxes, "
                                   "num_classes] with the same batch and num_boxes")
        batch, _, q, _ = boxes.shape
        classes = scores.shape[2]
        if q not in (1, classes):
            raise invalid_argument(f"third dimension of boxes must be either 1 or {classes}")
        per_class, total = int(max_output_size_per_class), int(max_total_size)
        if per_class <= 0 or total <= 0:
            raise invalid_argument("max_output_size_per_class and max_total_size must be > 0")
        threshold, floor = _threshold(iou_threshold, "iou_threshold"), float(score_threshold)
        size = min(total, per_class * classes) if pad_per_class else total
        out_boxes = xp.zeros((batch, size, 4), dtype=xp.float32)
        out_scores = xp.zeros((batch, size), dtype=xp.float32)
        out_classes = xp.zeros((batch, size), dtype=xp.float32)
        valid = []
        for b in range(batch):
            found = []  # (score, box index, class)
            for c in range(classes):
                class_boxes = boxes[b, :, c if q > 1 else 0].astype(xp.float32)
                class_scores = scores[b, :, c]
                kept = _greedy(xp, class_scores, _iou_to(xp, class_boxes), per_class, threshold, floor).tolist()
                found += [(float(class_scores[i]), i, c) for i in kept]
            found.sort(key=lambda f: (-f[0], f[2], f[1]))  # by score (TensorFlow leaves ties unordered)
            found = found[:size]
            for k, (score, i, c) in enumerate(found):
                box = boxes[b, i, c if q > 1 else 0].astype(xp.float32)
                out_boxes[b, k] = xp.clip(box, 0, 1) if clip_boxes else box
                out_scores[b, k] = score
                out_classes[b, k] = c
            valid.append(len(found))
        return out_boxes, out_scores, out_classes, xp.asarray(valid, dtype=xp.int32)


def combined_non_max_suppression(boxes, scores, max_output_size_per_class, max_total_size, iou_threshold=0.5,
                                 score_threshold=float("-inf"), pad_per_class=False, clip_boxes=True, name=None):
    """Per image and class non-maximum suppression, then the best `max_total_size` detections of all classes:
    (nmsed_boxes, nmsed_scores, nmsed_classes, valid_detections), padded with zeros.

    Example:
        >>> boxes, scores, classes, count = tf.image.combined_non_max_suppression(
        ...     boxes[:, :, None, :], class_scores, max_output_size_per_class=10, max_total_size=20)
    """
    with name_scope(name, "combined_non_max_suppression"):
        inputs = [boxes, scores, convert_to_tensor(max_output_size_per_class, dtypes.int32,
                                                   name="max_output_size_per_class"),
                  convert_to_tensor(max_total_size, dtypes.int32, name="max_total_size"),
                  convert_to_tensor(iou_threshold, dtypes.float32, name="iou_threshold"),
                  convert_to_tensor(score_threshold, dtypes.float32, name="score_threshold")]
        return tuple(apply_op(CombinedNonMaxSuppression, inputs,
                              {"pad_per_class": bool(pad_per_class), "clip_boxes": bool(clip_boxes)},
                              name="CombinedNonMaxSuppression"))
