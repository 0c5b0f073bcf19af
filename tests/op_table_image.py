"""Op-table rows for tf.image: the resize primitives and their gradient ops (against the pixel-by-pixel
references in image_reference.py), non-max suppression, box drawing, and the geometric and colour compositions
that run in the input's dtype (so float64 central differences check their gradients).

Bilinear, bicubic and area resizes output float32 whatever the input (TensorFlow's definition), so their rows
declare grad=False: test_image_resize.py checks their gradients against the references' adjoints instead.
The codecs read and write bytes: tests/test_image_codecs.py covers them.
"""
import numpy as np

import neuroflow as tf
from image_reference import (combined_non_max_suppression, draw_bounding_boxes, extract_patches, non_max_suppression,
                             resize, resize_adjoint, soft_non_max_suppression)
from op_table_base import Row, _noncontiguous, _values

F32, F64 = np.float32, np.float64
_MODES = [("legacy", False, False), ("align_corners", True, False), ("half_pixel", False, True)]
_SIZES = [(5, 7), (2, 3), (1, 1)]


def _images(dtype=F32):
    return [(_values((2, 3, 4, 2), (0, 1), dtype),), (_values((1, 4, 3, 1), (0, 1), dtype),),
            (_noncontiguous((1, 5, 2, 3), (0, 1), dtype),)]


def _resize_rows():
    rows = []
    raw = {"bilinear": tf.image.resize_bilinear, "nearest": tf.image.resize_nearest_neighbor,
           "bicubic": tf.image.resize_bicubic}
    for method, fn in raw.items():
        for mode, align, half in _MODES:
            for size in _SIZES:
                def build(x, fn=fn, size=size, align=align, half=half):
                    return fn(x, size, align_corners=align, half_pixel_centers=half)

                def ref(x, method=method, size=size, align=align, half=half):
                    out = resize(x, size, method, align, half)
                    return out.astype(x.dtype) if method == "nearest" else out.astype(F32)
                samples = _images(F64 if method == "nearest" else F32)
                if method != "nearest":
                    samples += [(_values((1, 3, 2, 2), (0, 255), np.uint8),)]
                rows.append(Row(f"resize_{method}_{mode}_{size[0]}x{size[1]}", build, ref, samples,
                                grad=method == "nearest", rtol=1e-5, atol=1e-5))
    for align in (False, True):
        for size in _SIZES + [(2, 2)]:
            rows.append(Row(f"resize_area_{align}_{size[0]}x{size[1]}",
                            lambda x, size=size, align=align: tf.image.resize_area(x, size, align_corners=align),
                            lambda x, size=size, align=align: resize(x, size, "area", align).astype(F32),
                            _images() + [(_values((1, 4, 4, 1), (0, 255), np.uint8),)], grad=False, rtol=1e-5,
                            atol=1e-5))
    return rows


def _grad_rows():
    rows = []
    for method, fn in [("bilinear", tf.image.resize_bilinear), ("bicubic", tf.image.resize_bicubic),
                       ("nearest", tf.image.resize_nearest_neighbor)]:
        for mode, align, half in _MODES:
            def build(g, x, fn=fn, align=align, half=half):
                y = fn(x, [5, 3], align_corners=align,
                       half_pixel_centers=half)
                return tf.gradients(y, x, grad_ys=g)[0]

            def ref(g, x, method=method, align=align, half=half):
                return resize_adjoint(g, x.shape[1:3], method, align, half).astype(x.dtype)
            dtype = F64 if method == "nearest" else F32
            samples = [(_values((2, 5, 3, 2), (-1, 1), dtype), _values((2, 3, 4, 2), (0, 1), dtype)),
                       (_values((1, 5, 3, 1), (-1, 1), dtype), _values((1, 7, 2, 1), (0, 1), dtype))]
            rows.append(Row(f"resize_{method}_grad_{mode}", build, ref, samples, grad=method == "nearest",
                            graph_only=True, rtol=1e-5, atol=1e-5))
    return rows


def _nms_rows():
    boxes = np.array([[0, 0, 1, 1], [0, 0.1, 1, 1.1], [0, -0.1, 1, 0.9], [0, 10, 1, 11], [0, 10.1, 1, 11.1],
                      [0, 100, 1, 101]], F32)
    scores = np.array([0.9, 0.75, 0.6, 0.95, 0.5, 0.3], F32)
    flipped = boxes[:, [2, 3, 0, 1]]  # corners given the other way round
    rng = np.random.default_rng(3)
    corners = rng.uniform(0, 1, (12, 2, 2)).astype(F32)
    random_boxes = np.concatenate([corners[:, 0], corners[:, 0] + rng.uniform(0, 0.5, (12, 2)).astype(F32)], 1)
    ties = np.array([0.5] * 6, F32)
    samples = [(boxes, scores), (flipped, scores), (random_boxes, rng.random(12).astype(F32)), (boxes, ties),
               (np.zeros((0, 4), F32), np.zeros((0,), F32))]
    rows = []
    for max_size, threshold, floor in [(3, 0.5, -np.inf), (10, 0.3, 0.55), (0, 0.5, -np.inf)]:
        rows.append(Row(f"non_max_suppression_{max_size}_{threshold}",
                        lambda b, s, m=max_size, t=threshold, f=floor: tf.image.non_max_suppression(b, s, m, t, f),
                        lambda b, s, m=max_size, t=threshold, f=floor: non_max_suppression(b, s, m, t, f),
                        samples, grad=False, data_dependent_shape=True, foldable=False))
    overlap_samples = [(rng.random((7, 7)).astype(F32), rng.random(7).astype(F32)),
                       (np.zeros((0, 0), F32), np.zeros((0,), F32))]
    rows.append(Row("non_max_suppression_overlaps",
                    lambda o, s: tf.image.non_max_suppression_overlaps(o, s, 5, 0.6, 0.1),
                    lambda o, s: non_max_suppression(None, s, 5, 0.6, 0.1, overlap=lambda i, k: o[i, k]),
                    overlap_samples, grad=False, data_dependent_shape=True, foldable=False))

    def padded(b, s):
        indices, valid = tf.image.non_max_suppression_padded(b, s, 8, 0.5, pad_to_max_output_size=True)
        return tf.concat([indices, [valid]], 0)

    def padded_ref(b, s):
        kept = non_max_suppression(b, s, 8, 0.5)
        return np.concatenate([kept, np.zeros(8 - len(kept), np.int32), [len(kept)]]).astype(np.int32)
    rows.append(Row("non_max_suppression_padded", padded, padded_ref, samples[:3], grad=False, foldable=False))
    for sigma, floor in [(0.0, -np.inf), (0.5, 0.0), (0.2, 0.3)]:
        def soft(b, s, sigma=sigma, floor=floor):
            indices, kept = tf.image.non_max_suppression_with_scores(b, s, 6, 0.5, floor, sigma)
            return tf.concat([tf.cast(indices, tf.float32), kept], 0)

        def soft_ref(b, s, sigma=sigma, floor=floor):
            return np.concatenate(soft_non_max_suppression(b, s, 6, 0.5, floor, sigma)).astype(F32)
        rows.append(Row(f"non_max_suppression_with_scores_{sigma}", soft, soft_ref, samples[:3] + samples[4:],
                        grad=False, data_dependent_shape=True, foldable=False, rtol=1e-5, atol=1e-6))
    return rows


def _combined_nms_rows():
    rng = np.random.default_rng(4)
    corners = rng.uniform(-0.1, 0.9, (2, 7, 3, 2)).astype(F32)
    boxes = np.concatenate([corners, corners + rng.uniform(0.05, 0.4, (2, 7, 3, 2)).astype(F32)], -1)
    scores = rng.random((2, 7, 3)).astype(F32)
    samples = [(boxes, scores), (boxes[:, :, :1], scores), (boxes[:, :, :1] * 0.5, scores[:, :, :2])]
    rows = []
    for pad_per_class, clip in [(False, True), (True, False)]:
        def build(b, s, pad=pad_per_class, clip=clip):
            out = tf.image.combined_non_max_suppression(b, s, 2, 5, 0.4, 0.1, pad_per_class=pad, clip_boxes=clip)
            return tf.concat([tf.reshape(out[0], [-1]), tf.reshape(out[1], [-1]), tf.reshape(out[2], [-1]),
                              tf.cast(out[3], tf.float32)], 0)

        def ref(b, s, pad=pad_per_class, clip=clip):
            out = combined_non_max_suppression(b, s, 2, 5, 0.4, 0.1, pad, clip)
            return np.concatenate([o.reshape(-1).astype(F32) for o in out])
        rows.append(Row(f"combined_non_max_suppression_{pad_per_class}_{clip}", build, ref, samples, grad=False))
    return rows


def _draw_rows():
    boxes = np.array([[[0.1, 0.2, 0.6, 0.9], [-0.5, -0.5, 0.4, 0.4], [0.3, 0.3, 1.5, 1.2], [0.9, 0.9, 0.2, 0.2],
                       [2, 2, 3, 3], [0, 0, 1, 1]] + [[0.5, 0.5, 0.5, 0.5]] * 6,
                      [[0.2, 0.1, 0.3, 0.8]] * 12], F32)
    samples = [(_values((2, 6, 7, depth), (0, 1), F32), boxes) for depth in (1, 3, 4)]
    colors = np.array([[0.2, 0.4, 0.6, 0.8], [1, 0, 0.5, 1], [0.3, 0.3, 0.3, 0.3]], F32)
    return [Row("draw_bounding_boxes", tf.image.draw_bounding_boxes, draw_bounding_boxes, samples, grad=False),
            Row("draw_bounding_boxes_colors", lambda i, b: tf.image.draw_bounding_boxes(i, b, colors=colors),
                lambda i, b: draw_bounding_boxes(i, b, colors.tolist()), samples, grad=False)]


def _composition_rows():
    """Compositions computed in the input's dtype: forward against NumPy, gradients by central differences."""
    image3 = [(_values((3, 4, 2), (0, 1), F64),), (_noncontiguous((2, 5, 3), (0, 1), F64),)]
    image4 = [(_values((2, 3, 4, 2), (0, 1), F64),)]
    both = image3 + image4

    def hw(x):
        return (0, 1) if x.ndim == 3 else (1, 2)
    rows = [
        Row("flip_left_right", tf.image.flip_left_right, lambda x: np.flip(x, hw(x)[1]), both),
        Row("flip_up_down", tf.image.flip_up_down, lambda x: np.flip(x, hw(x)[0]), both),
        Row("transpose_image", tf.image.transpose_image, lambda x: np.swapaxes(x, *hw(x)), both),
        Row("central_crop", lambda x: tf.image.central_crop(x, 0.5),
            lambda x: x[..., int((x.shape[-3] - x.shape[-3] * 0.5) / 2):x.shape[-3] -
                        int((x.shape[-3] - x.shape[-3] * 0.5) / 2),
                        int((x.shape[-2] - x.shape[-2] * 0.5) / 2):x.shape[-2] -
                        int((x.shape[-2] - x.shape[-2] * 0.5) / 2), :], [(_values((5, 6, 2), (0, 1), F64),)]),
        Row("crop_to_bounding_box", lambda x: tf.image.crop_to_bounding_box(x, 1, 2, 2, 2),
            lambda x: x[..., 1:3, 2:4, :], [(_values((3, 4, 2), (0, 1), F64),), (_values((2, 4, 5, 1), (0, 1),
                                                                                          F64),)]),
        Row("pad_to_bounding_box", lambda x: tf.image.pad_to_bounding_box(x, 1, 2, 6, 7),
            lambda x: np.pad(x, [(0, 0)] * (x.ndim - 3) + [(1, 6 - 1 - x.shape[-3]), (2, 7 - 2 - x.shape[-2]),
                                                             (0, 0)]), both),
        Row("resize_image_with_crop_or_pad", lambda x: tf.image.resize_image_with_crop_or_pad(x, 2, 7),
            _crop_or_pad_2x7, [(_values((5, 4, 2), (0, 1), F64),), (_values((2, 4, 3, 1), (0, 1), F64),)]),
        Row("total_variation", tf.image.total_variation, _total_variation, both),
        Row("image_gradients_dy", lambda x: tf.image.image_gradients(x)[0],
            lambda x: np.pad(np.diff(x, axis=1), [(0, 0), (0, 1), (0, 0), (0, 0)]), image4),
        Row("image_gradients_dx", lambda x: tf.image.image_gradients(x)[1],
            lambda x: np.pad(np.diff(x, axis=2), [(0, 0), (0, 0), (0, 1), (0, 0)]), image4),
        Row("rgb_to_yiq", tf.image.rgb_to_yiq, lambda x: x @ np.array(
            [[0.299, 0.59590059, 0.2115], [0.587, -0.27455667, -0.52273617], [0.114, -0.32134392, 0.31119955]]),
            [(_values((2, 4, 3), (0, 1), F64),)]),
        Row("rgb_to_yuv", tf.image.rgb_to_yuv, lambda x: x @ np.array(
            [[0.299, -0.14714119, 0.61497538], [0.587, -0.28886916, -0.51496512], [0.114, 0.43601035, -0.10001026]]),
            [(_values((2, 4, 3), (0, 1), F64),)]),
        Row("adjust_contrast_f64", lambda x: tf.image.adjust_contrast(tf.cast(x, tf.float32), 1.7),
            lambda x: _contrast(x.astype(F32), 1.7), image3, grad=False, rtol=1e-5),
        # rgb_to_hsv's hue has kinks where the largest channel changes: its check samples stay away from them.
        Row("rgb_to_hsv", tf.image.rgb_to_hsv, _rgb_to_hsv, [(np.array([[[0.2, 0.5, 0.9], [0.8, 0.3, 0.1]],
                                                                         [[0.1, 0.7, 0.4], [0.9, 0.2, 0.6]]]),)]),
        Row("rgb_to_hsv_grays_and_black", tf.image.rgb_to_hsv, _rgb_to_hsv,
            [(np.array([[[0.5, 0.5, 0.5], [0.0, 0.0, 0.0]], [[0.3, 0.3, 0.9], [1.0, 0.0, 0.0]]]),)], grad=False),
        Row("hsv_to_rgb", tf.image.hsv_to_rgb, _hsv_to_rgb, [(np.array([[[0.1, 0.5, 0.9], [0.45, 0.3, 0.6]],
                                                                         [[0.8, 0.7, 0.4], [0.6, 0.0, 0.5]]]),)]),
    ]
    for k in (1, 2, 3, -1):
        rows.append(Row(f"rot90_{k}", lambda x, k=k: tf.image.rot90(x, k),
                        lambda x, k=k: np.rot90(x, k, axes=hw(x)), both))
    return rows


def _crop_or_pad_2x7(x):
    h, w = x.shape[-3:-1]
    top = (h - 2) // 2
    cropped = x[..., top:top + 2, :, :]
    left = (7 - w) // 2
    return np.pad(cropped, [(0, 0)] * (x.ndim - 3) + [(0, 0), (left, 7 - w - left), (0, 0)])


def _total_variation(x):
    axis = None if x.ndim == 3 else (1, 2, 3)
    h_axis = x.ndim - 3
    return np.abs(np.diff(x, axis=h_axis)).sum(axis) + np.abs(np.diff(x, axis=h_axis + 1)).sum(axis)


def _contrast(x, factor):
    mean = x.mean(axis=(-3, -2), keepdims=True)
    return ((x - mean) * factor + mean).astype(x.dtype)


def _rgb_to_hsv(x):
    """HSV by the textbook definition: hue in sixths of a turn from the largest channel."""
    out = np.zeros_like(x)
    for idx in np.ndindex(x.shape[:-1]):
        r, g, b = x[idx]
        v, m = max(r, g, b), min(r, g, b)
        c = v - m
        if c == 0:
            h = 0.0
        elif v == r:
            h = ((g - b) / c) % 6
        elif v == g:
            h = (b - r) / c + 2
        else:
            h = (r - g) / c + 4
        out[idx] = [h / 6 % 1.0, c / v if v > 0 else 0.0, v]
    return out


def _hsv_to_rgb(x):
    import colorsys
    out = np.zeros_like(x)
    for idx in np.ndindex(x.shape[:-1]):
        out[idx] = colorsys.hsv_to_rgb(*x[idx])
    return out


def _distorted_box_rows():
    """The one crop an area range of exactly 1 and the image's own aspect ratio allow: the whole image (the
    random sampling itself: test_image.py)."""
    def build(image_size, boxes):
        begin, size, box = tf.image.sample_distorted_bounding_box(image_size, boxes, seed=1, area_range=[1.0, 1.0],
                                                                  aspect_ratio_range=[1.5, 1.5])
        return tf.concat([tf.cast(begin, tf.float32), tf.cast(size, tf.float32), tf.reshape(box, [4])], 0)

    def ref(image_size, boxes):
        return np.array([0, 0, 0, image_size[0], image_size[1], -1, 0, 0, 1, 1], F32)
    samples = [(np.array([4, 6, 3], np.int32), np.array([[[0.1, 0.2, 0.9, 0.8]]], F32)),
               (np.array([10, 15, 1], np.int64), np.array([[[0, 0, 1, 1], [0.5, 0.5, 0.6, 0.6]]], F32))]
    return [Row("sample_distorted_bounding_box_whole_image", build, ref, samples, grad=False, foldable=False)]


def _patch_rows():
    rows = []
    images = [(_values((2, 5, 6, 2), (-1, 1), F64),), (_noncontiguous((1, 4, 4, 3), (-1, 1), F64),)]
    for k, s, r, padding in [((2, 2), (1, 1), (1, 1), "VALID"), ((3, 2), (2, 3), (1, 1), "SAME"),
                             ((2, 2), (1, 1), (2, 2), "VALID"), ((3, 3), (2, 2), (1, 2), "SAME")]:
        ksizes, strides, rates = [1, *k, 1], [1, *s, 1], [1, *r, 1]
        rows.append(Row(f"extract_image_patches_{k}_{s}_{r}_{padding}",
                        lambda x, a=ksizes, b=strides, c=rates, p=padding: tf.image.extract_image_patches(x, a, b, c,
                                                                                                          p),
                        lambda x, a=ksizes, b=strides, c=rates, p=padding: extract_patches(x, a, b, c, p), images))
    rows.append(Row("extract_image_patches_int", lambda x: tf.image.extract_image_patches(
        x, [1, 2, 3, 1], [1, 1, 2, 1], [1, 1, 1, 1], "SAME"),
        lambda x: extract_patches(x, [1, 2, 3, 1], [1, 1, 2, 1], [1, 1, 1, 1], "SAME"),
        [(_values((1, 4, 5, 2), (-100, 100), np.int32),)], grad=False))
    return rows


ROWS = (_resize_rows() + _grad_rows() + _nms_rows() + _combined_nms_rows() + _draw_rows() + _composition_rows() +
        _distorted_box_rows() + _patch_rows())

# The codecs read and write file bytes: tests/test_image_codecs.py.
COVERED_ELSEWHERE = {"EncodePng", "DecodePng", "DecodeJpeg", "EncodeJpeg", "DecodeGif", "DecodeBmp", "DecodeImage",
                     "DecodeAndCropJpeg", "ExtractJpegShape", "EncodeJpegVariableQuality"}
