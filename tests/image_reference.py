"""NumPy references for tf.image's primitives, one output pixel at a time, written from TensorFlow's documented
kernel math (image_resizer_state.h, resize_*_op.cc, non_max_suppression_op.cc, draw_bounding_box_op.cc):

- scale = (in - 1) / (out - 1) with align_corners (and out > 1), else in / out, in float32;
- source coordinate of output i: i * scale (legacy), (i + 0.5) * scale - 0.5 (half-pixel centers), or
  (i + 0.5) * scale for nearest neighbour with half-pixel centers, in float32 (TensorFlow's kernels compute
  coordinates in float, and an index is the floor of that float);
- bicubic weights: Keys' cubic convolution kernel W(d) with A = -0.75 (legacy) or -0.5 (half-pixel centers, taps
  outside the image dropped and the rest renormalized), at the fractional offset rounded to 1/1024;
- area: each output pixel averages the input cells its [i * scale, (i + 1) * scale) window overlaps, weighted by
  the overlap (cells past the border read the border pixel).
Values are combined in float64, independently of neuroflow's vectorized float32 kernels.
"""
import math

import numpy as np

F32 = np.float32


def scale(in_size, out_size, align_corners):
    if align_corners and out_size > 1:
        return F32(in_size - 1) / F32(out_size - 1)
    return F32(in_size) / F32(out_size)


def _source(i, s, half_pixel, minus_half=True):
    if not half_pixel:
        return F32(i) * s
    return (F32(i) + F32(0.5)) * s - (F32(0.5) if minus_half else F32(0))


def _weights_1d(method, in_size, out_size, align_corners, half_pixel):
    """The [out, in] float64 matrix of one axis: output i = sum_j m[i, j] * input j."""
    s = scale(in_size, out_size, align_corners)
    m = np.zeros((out_size, in_size))
    for i in range(out_size):
        if method == "bilinear":
            src = float(_source(i, s, half_pixel))
            lo, hi = max(math.floor(src), 0), min(math.ceil(src), in_size - 1)
            frac = src - math.floor(src)
            m[i, lo] += 1 - frac
            m[i, hi] += frac
        elif method == "nearest":
            src = float(_source(i, s, half_pixel, minus_half=False))
            j = math.floor(src + 0.5) if align_corners else math.floor(src)
            m[i, max(min(j, in_size - 1), 0)] = 1
        elif method == "bicubic":
            a = -0.5 if half_pixel else -0.75
            src = float(_source(i, s, half_pixel))
            base = math.floor(src)
            t = np.rint((src - base) * 1024) / 1024
            taps = {base - 1: _cubic(1 + t, a), base: _cubic(t, a), base + 1: _cubic(1 - t, a),
                    base + 2: _cubic(2 - t, a)}
            if half_pixel:
                taps = {j: w for j, w in taps.items() if 0 <= j < in_size}
                total = sum(taps.values())
                taps = {j: w / total for j, w in taps.items()}
            for j, w in taps.items():
                m[i, min(max(j, 0), in_size - 1)] += w
        elif method == "area":
            start, end = float(F32(i) * s), float(F32(i + 1) * s)
            for j in range(math.floor(start), math.ceil(end)):
                m[i, min(max(j, 0), in_size - 1)] += min(j + 1, end) - max(j, start)
            m[i] /= float(s)
    return m


def _cubic(d, a):
    d = abs(d)
    if d <= 1:
        return ((a + 2) * d - (a + 3)) * d * d + 1
    if d < 2:
        return ((a * d - 5 * a) * d + 8 * a) * d - 4 * a
    return 0.0


def resize_matrices(method, in_hw, out_hw, align_corners=False, half_pixel=False):
    return (_weights_1d(method, in_hw[0], out_hw[0], align_corners, half_pixel),
            _weights_1d(method, in_hw[1], out_hw[1], align_corners, half_pixel))


def resize(images, size, method, align_corners=False, half_pixel=False):
    """The resized [batch, h, w, c] images in float64 (cast them to the op's output dtype to compare)."""
    my, mx = resize_matrices(method, images.shape[1:3], size, align_corners, half_pixel)
    return np.einsum("oh,nhwc,pw->nopc", my, images.astype(np.float64), mx)


def resize_adjoint(grads, in_hw, method, align_corners=False, half_pixel=False):
    """The gradient of sum(grads * resize(x)) with respect to x."""
    my, mx = resize_matrices(method, in_hw, grads.shape[1:3], align_corners, half_pixel)
    return np.einsum("oh,nopc,pw->nhwc", my, grads.astype(np.float64), mx)


def iou(a, b):
    ay0, ay1, ax0, ax1 = min(a[0], a[2]), max(a[0], a[2]), min(a[1], a[3]), max(a[1], a[3])
    by0, by1, bx0, bx1 = min(b[0], b[2]), max(b[0], b[2]), min(b[1], b[3]), max(b[1], b[3])
    area_a, area_b = (ay1 - ay0) * (ax1 - ax0), (by1 - by0) * (bx1 - bx0)
    if area_a <= 0 or area_b <= 0:
        return 0.0
    inter = max(0.0, min(ay1, by1) - max(ay0, by0)) * max(0.0, min(ax1, bx1) - max(ax0, bx0))
    return inter / (area_a + area_b - inter)


def non_max_suppression(boxes, scores, max_output_size, iou_threshold=0.5, score_threshold=-np.inf,
                        overlap=None):
    """Greedy selection by decreasing score (ties: lower index first); `overlap(i, k)` defaults to the IoU."""
    overlap = overlap or (lambda i, k: iou(boxes[i], boxes[k]))
    order = sorted(range(len(scores)), key=lambda i: (-float(scores[i]), i))
    kept = []
    for i in order:
        if len(kept) == max_output_size or scores[i] <= score_threshold:
            continue
        if all(overlap(i, k) <= iou_threshold for k in kept):
            kept.append(i)
    return np.array(kept, np.int32)


COLORS = [[1, 1, 0, 1], [0, 0, 1, 1], [1, 0, 0, 1], [0, 1, 0, 1], [0.5, 0, 0.5, 1], [0.5, 0.5, 0, 1],
          [0.5, 0, 0, 1], [0, 0, 0.5, 1], [0, 1, 1, 1], [1, 0, 1, 1]]


def draw_bounding_boxes(images, boxes, colors=COLORS):
    out = images.copy()
    _, h, w, depth = images.shape
    for b in range(images.shape[0]):
        for n, (y0, x0, y1, x1) in enumerate(boxes[b]):
            color = colors[n % len(colors)][:depth]
            top, bottom = int(F32(y0) * F32(h - 1)), int(F32(y1) * F32(h - 1))
            left, right = int(F32(x0) * F32(w - 1)), int(F32(x1) * F32(w - 1))
            if top > bottom or left > right or top >= h or bottom < 0 or left >= w or right < 0:
                continue
            for c in range(max(left, 0), min(right, w - 1) + 1):
                for r in (top, bottom):
                    if 0 <= r < h:
                        out[b, r, c] = color
            for r in range(max(top, 0), min(bottom, h - 1) + 1):
                for c in (left, right):
                    if 0 <= c < w:
                        out[b, r, c] = color
    return out


def crop_and_resize(image, boxes, box_ind, crop_size, method="bilinear", extrapolation_value=0.0):
    """TensorFlow's CropAndResize kernel, one sample at a time: sampling positions in float32 as the kernel
    computes them (float boxes), values combined in float64. Float64 boxes keep float64 positions (for
    central differences)."""
    _, h, w, depth = image.shape
    ch, cw = crop_size
    out = np.empty((len(boxes), ch, cw, depth))

    def position(low, high, k, size, extent):
        t = type(low)
        if size > 1:
            return low * t(extent - 1) + t(k) * ((high - low) * t(extent - 1) / t(size - 1))
        return t(0.5 * float(low + high) * (extent - 1))
    for n, ((y1, x1, y2, x2), b) in enumerate(zip(boxes, box_ind)):
        for i in range(ch):
            in_y = float(position(y1, y2, i, ch, h))
            for j in range(cw):
                in_x = float(position(x1, x2, j, cw, w))
                if not (0 <= in_y <= h - 1 and 0 <= in_x <= w - 1):
                    out[n, i, j] = extrapolation_value
                elif method == "nearest":
                    out[n, i, j] = image[b, math.floor(in_y + 0.5), math.floor(in_x + 0.5)]
                else:
                    top, left = math.floor(in_y), math.floor(in_x)
                    bottom, right = math.ceil(in_y), math.ceil(in_x)
                    fy, fx = in_y - top, in_x - left
                    upper = image[b, top, left] * (1 - fx) + image[b, top, right] * fx
                    lower = image[b, bottom, left] * (1 - fx) + image[b, bottom, right] * fx
                    out[n, i, j] = upper * (1 - fy) + lower * fy
    return out


def extract_patches(images, ksizes, strides, rates, padding):
    """Patches by the definition: window (r, c) starts at (r * stride - pad_top, c * stride - pad_left) and
    reads every rate-th pixel (zeros outside); SAME pads as a convolution does: out = ceil(in / stride), total
    padding max((out - 1) * stride + effective_k - in, 0), the smaller half on top/left."""
    n, h, w, d = images.shape
    dims = []
    for size, k, s, r in ((h, ksizes[1], strides[1], rates[1]), (w, ksizes[2], strides[2], rates[2])):
        ek = (k - 1) * r + 1
        if padding == "VALID":
            dims.append(((size - ek) // s + 1, 0))
        else:
            out = -(-size // s)
            dims.append((out, max((out - 1) * s + ek - size, 0) // 2))
    (oh, top), (ow, left) = dims
    out = np.zeros((n, oh, ow, ksizes[1] * ksizes[2] * d), images.dtype)
    for i in range(oh):
        for j in range(ow):
            k = 0
            for a in range(ksizes[1]):
                for b in range(ksizes[2]):
                    y, x = i * strides[1] - top + a * rates[1], j * strides[2] - left + b * rates[2]
                    if 0 <= y < h and 0 <= x < w:
                        out[:, i, j, k * d:(k + 1) * d] = images[:, y, x]
                    k += 1
    return out


def soft_non_max_suppression(boxes, scores, max_output_size, iou_threshold, score_threshold, sigma):
    """Soft-NMS as Bodla et al. describe it (Gaussian decay exp(-iou^2 / (2 sigma)) of every remaining score after
    each selection; a box is dropped when its score falls to score_threshold), or, with sigma 0, hard NMS (boxes
    overlapping a selected one by more than iou_threshold dropped). Returns (indices, scores)."""
    remaining = {i: float(s) for i, s in enumerate(scores) if s > score_threshold}
    kept, kept_scores = [], []
    while remaining and len(kept) < max_output_size:
        best = min(remaining, key=lambda i: (-remaining[i], i))
        kept.append(best)
        kept_scores.append(remaining.pop(best))
        for i in list(remaining):
            overlap = iou(boxes[i], boxes[best])
            if sigma > 0:
                remaining[i] *= math.exp(-0.5 * overlap * overlap / sigma)
            elif overlap > iou_threshold:
                remaining[i] = -np.inf
            if remaining[i] <= score_threshold:
                del remaining[i]
    return np.array(kept, np.int32), np.array(kept_scores, np.float32)


def combined_non_max_suppression(boxes, scores, per_class, total, iou_threshold, score_threshold,
                                 pad_per_class=False, clip_boxes=True):
    """Per image and class NMS (non_max_suppression above), then all classes' survivors by decreasing score (ties:
    lower class, then lower box index), the first `total` (or min(total, per_class * classes) with
    pad_per_class) kept, zero-padded; boxes clipped to [0, 1]."""
    batch, _, q, _ = boxes.shape
    classes = scores.shape[2]
    size = min(total, per_class * classes) if pad_per_class else total
    out = (np.zeros((batch, size, 4), np.float32), np.zeros((batch, size), np.float32),
           np.zeros((batch, size), np.float32), np.zeros(batch, np.int32))
    for b in range(batch):
        found = []
        for c in range(classes):
            class_boxes = boxes[b, :, c if q > 1 else 0]
            kept = non_max_suppression(class_boxes, scores[b, :, c], per_class, iou_threshold, score_threshold)
            found += [(float(scores[b, i, c]), c, i) for i in kept]
        found = sorted(found, key=lambda f: (-f[0], f[1], f[2]))[:size]
        for k, (score, c, i) in enumerate(found):
            box = boxes[b, i, c if q > 1 else 0]
            out[0][b, k] = np.clip(box, 0, 1) if clip_boxes else box
            out[1][b, k], out[2][b, k] = score, c
        out[3][b] = len(found)
    return out
