"""NonMaxSuppressionV5: non-maximum suppression that also returns the selected scores, with Soft-NMS (Bodla et
al. 2017): with `soft_nms_sigma` > 0 an overlapping box is not dropped but its score decays by
exp(-iou^2 / (2 sigma)), and it competes again with the decayed score (TensorFlow's kernel: each candidate is
compared once with each box selected after its last comparison, newest first)."""
import heapq

import numpy as np

from ..framework import dtypes
from ..framework.apply import apply_op, convert_to_tensor
from ..framework.graph import name_scope
from ..framework.op_def import InferenceError, OpDef, register
from ..framework.tensor_shape import TensorShape
from .image_ops import _check_scores, _threshold
from .op_util import check_rank, invalid_argument

__all__ = ["non_max_suppression_with_scores"]


def _iou_to(xp, boxes):
    """iou(i, js): the float32 IoU of box i with boxes js, as TensorFlow's kernel computes it."""
    boxes = boxes.astype(xp.float32)
    y_min, y_max = xp.minimum(boxes[:, 0], boxes[:, 2]), xp.maximum(boxes[:, 0], boxes[:, 2])
    x_min, x_max = xp.minimum(boxes[:, 1], boxes[:, 3]), xp.maximum(boxes[:, 1], boxes[:, 3])
    area = (y_max - y_min) * (x_max - x_min)

    def iou(i, js):
        inter = (xp.maximum(xp.minimum(y_max[js], y_max[i]) - xp.maximum(y_min[js], y_min[i]), 0) *
                 xp.maximum(xp.minimum(x_max[js], x_max[i]) - xp.maximum(x_min[js], x_min[i]), 0))
        valid = (area[js] > 0) & (area[i] > 0)
        return xp.where(valid, inter / xp.where(valid, area[js] + area[i] - inter, 1), 0)
    return iou


@register
class NonMaxSuppressionV5(OpDef):
    """(selected_indices, selected_scores, valid_outputs) of (Soft-)NMS; attr `pad_to_max_output_size` pads
    the first two to `max_output_size` with zeros."""

    type_name = "NonMaxSuppressionV5"
    input_names = ("boxes", "scores", "max_output_size", "iou_threshold", "score_threshold", "soft_nms_sigma")
    same_dtype = ("boxes", "scores", "iou_threshold", "score_threshold", "soft_nms_sigma")
    allowed_dtypes = (dtypes.float16, dtypes.float32)
    num_outputs = 3
    data_dependent_shape = True

    def infer(self, inputs, attrs):
        boxes, scores, max_size = inputs[:3]
        check_rank(boxes, 2)
        if boxes.shape.ndims == 2 and boxes.shape[1].value not in (None, 4):
            raise InferenceError(f"Dimension must be 4 but is {boxes.shape[1].value}")
        check_rank(scores, 1)
        for t in inputs[2:]:
            check_rank(t, 0)
        from ..framework.tensor_util import constant_value
        size = constant_value(max_size) if attrs["pad_to_max_output_size"] else None
        length = None if size is None else int(size)
        return [(TensorShape([length]), dtypes.int32), (TensorShape([length]), scores.dtype.base_dtype),
                (TensorShape([]), dtypes.int32)]

    def forward(self, xp, boxes, scores, max_output_size, iou_threshold, score_threshold, soft_nms_sigma,
                pad_to_max_output_size):
        if boxes.ndim != 2 or boxes.shape[1] != 4:
            raise invalid_argument(f"boxes must be 2-D with 4 columns: [{','.join(map(str, boxes.shape))}]")
        _check_scores(scores, boxes.shape[0])
        threshold = np.float32(_threshold(iou_threshold, "iou_threshold"))
        sigma = np.float32(float(soft_nms_sigma))
        if sigma < 0:
            raise invalid_argument("soft_nms_sigma must be non-negative")
        limit, floor = int(max_output_size), np.float32(float(score_threshold))
        soft = sigma > 0
        scale = np.float32(-0.5) / sigma if soft else np.float32(0)
        iou = _iou_to(xp, boxes)
        values = scores.astype(xp.float32).tolist()
        # The queue orders by score, then by index (lower first), as TensorFlow's comparator does.
        queue = [(-np.float32(v), i, 0) for i, v in enumerate(values) if np.float32(v) > floor]
        heapq.heapify(queue)
        selected, selected_scores = [], []
        while len(selected) < limit and queue:
            negative, index, begin = heapq.heappop(queue)
            original = score = -negative
            hard = False
            if begin < len(selected):
                similarities = iou(index, xp.asarray(selected[begin:])).astype(xp.float32).tolist()
                for similarity in reversed(similarities):
                    similarity = np.float32(similarity)
                    weight = np.exp(scale * similarity * similarity, dtype=np.float32)
                    score = np.float32(score * (weight if soft or similarity <= threshold else np.float32(0)))
                    if not soft and similarity > threshold:
                        hard = True
                        break
                    if score <= floor:
                        break
            if hard:
                continue
            if score == original:
                selected.append(index)
                selected_scores.append(score)
            elif score > floor:
                heapq.heappush(queue, (-score, index, len(selected)))
        valid = len(selected)
        if pad_to_max_output_size:
            selected += [0] * (limit - valid)
            selected_scores += [0.0] * (limit - valid)
        return (xp.asarray(selected, dtype=xp.int32), xp.asarray(selected_scores, dtype=scores.dtype),
                xp.asarray(valid, dtype=xp.int32))


def non_max_suppression_with_scores(boxes, scores, max_output_size, iou_threshold=0.5,
                                    score_threshold=float("-inf"), soft_nms_sigma=0.0, name=None):
    """(selected_indices, selected_scores): greedy non-maximum suppression as `non_max_suppression`, or with
    `soft_nms_sigma` > 0 Soft-NMS, where overlapping boxes keep a decayed score instead of being dropped.

    Example: `indices, scores = tf.image.non_max_suppression_with_scores(boxes, scores, 10, soft_nms_sigma=0.5)`.
    """
    with name_scope(name, "non_max_suppression_with_scores"):
        scores = convert_to_tensor(scores, name="scores")
        dtype = scores.dtype.base_dtype
        inputs = [boxes, scores, convert_to_tensor(max_output_size, dtypes.int32, name="max_output_size")]
        inputs += [convert_to_tensor(v, dtype, name=n) for v, n in [(iou_threshold, "iou_threshold"),
                                                                  (score_threshold, "score_threshold"),
                                                                  (soft_nms_sigma, "soft_nms_sigma")]]
        indices, selected_scores, _ = apply_op(NonMaxSuppressionV5, inputs, {"pad_to_max_output_size": False},
                                               name="NonMaxSuppressionV5")
        return indices, selected_scores
