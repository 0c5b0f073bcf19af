"""tf.image beyond resizing: values from TensorFlow's documentation examples, dtype conversion rules, colour
conversions against the colorsys module, seeded random augmentations, box selection and drawing, and
TensorFlow's errors for misuse. (Forward values and gradients of the geometric and colour compositions in
float64: the op-table rows in op_table_image.py.)"""
import colorsys

import numpy as np
import pytest

import neuroflow as tf

F32 = np.float32
RNG = np.random.default_rng(11)
# The image of TensorFlow's documentation examples for the adjust_* functions.
DOC_IMAGE = np.array([[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], [[7.0, 8.0, 9.0], [10.0, 11.0, 12.0]]], F32)


def _run(t, feed=None):
    with tf.Session() as sess:
        return sess.run(t, feed)


def test_adjust_functions_give_the_values_in_tensorflows_documentation():
    np.testing.assert_allclose(_run(tf.image.adjust_hue(DOC_IMAGE, 0.2)),
                               [[[2.3999996, 1., 3.], [5.3999996, 4., 6.]], [[8.4, 7., 9.], [11.4, 10., 12.]]],
                               rtol=1e-6)
    np.testing.assert_allclose(_run(tf.image.adjust_saturation(DOC_IMAGE, 0.5)),
                               [[[2., 2.5, 3.], [5., 5.5, 6.]], [[8., 8.5, 9.], [11., 11.5, 12.]]], rtol=1e-6)
    np.testing.assert_allclose(_run(tf.image.adjust_gamma(DOC_IMAGE, 0.2)),
                               [[[1., 1.1486983, 1.2457309], [1.319508, 1.3797297, 1.4309691]],
                                [[1.4757731, 1.5157166, 1.5518456], [1.5848932, 1.6153942, 1.6437519]]], rtol=1e-6)
    np.testing.assert_allclose(_run(tf.image.rgb_to_yiq([[[1.0, 2.0, 3.0]]])),
                               [[[1.815, -0.91724455, 0.09962624]]], rtol=1e-6)


def test_adjust_brightness_and_contrast():
    np.testing.assert_allclose(_run(tf.image.adjust_brightness(DOC_IMAGE, 0.1)), DOC_IMAGE + F32(0.1))
    mean = DOC_IMAGE.mean(axis=(0, 1))
    np.testing.assert_allclose(_run(tf.image.adjust_contrast(DOC_IMAGE, 2.)), (DOC_IMAGE - mean) * 2 + mean,
                               rtol=1e-6)
    # uint8 images are adjusted in [0, 1] floats and saturated back.
    bright = _run(tf.image.adjust_brightness(np.array([[[10], [250]]], np.uint8), 0.1))
    np.testing.assert_array_equal(bright.ravel(), [35, 255])
    assert bright.dtype == np.uint8


@pytest.mark.parametrize("source, target, values, expected", [
    (np.uint8, np.float32, [0, 128, 255], [0, 128 / 255, 1]),
    (np.float32, np.uint8, [0.0, 0.5, 0.999, 1.0], [0, 127, 255, 255]),  # * 255.5, truncated
    (np.uint8, np.int16, [0, 1, 255], [0, 128, 32640]),  # * (32767 + 1) // (255 + 1)
    (np.int32, np.uint8, [0, 2 ** 24, 2 ** 31 - 1], [0, 2, 255]),  # // (2**31 // 256)
    (np.float32, np.float64, [0.25], [0.25]),
])
def test_convert_image_dtype_scales_as_tensorflow(source, target, values, expected):
    got = _run(tf.image.convert_image_dtype(np.array(values, source), tf.as_dtype(target)))
    assert got.dtype == target
    np.testing.assert_allclose(got, np.array(expected, np.float64).astype(target), rtol=1e-6)


def test_convert_image_dtype_saturates_on_request():
    values = np.array([-0.5, 1.5], F32)
    np.testing.assert_array_equal(_run(tf.image.convert_image_dtype(values, tf.uint8, saturate=True)), [0, 255])
    with pytest.raises(AttributeError, match="dtype must be either floating point or integer"):
        tf.image.convert_image_dtype(values, tf.bool)


def test_grayscale_round_trip():
    gray = _run(tf.image.rgb_to_grayscale([[[1.0, 2.0, 3.0]]]))
    np.testing.assert_allclose(gray, [[[0.2989 * 1 + 0.587 * 2 + 0.114 * 3]]], rtol=1e-6)
    rgb = tf.image.grayscale_to_rgb(tf.placeholder(tf.float32, [None, 4, 4, 1]))
    assert rgb.shape.as_list() == [None, 4, 4, 3]
    with pytest.raises(ValueError, match="Last dimension of a grayscale image should be size 1."):
        tf.image.grayscale_to_rgb(tf.zeros([4, 4, 3]))


def test_hsv_conversions_agree_with_colorsys():
    rgb = RNG.random((5, 4, 3)).astype(F32)
    rgb[0, 0] = [0.5, 0.5, 0.5]  # gray: hue 0
    rgb[0, 1] = 0  # black: saturation 0
    hsv = _run(tf.image.rgb_to_hsv(rgb))
    expected = np.array([colorsys.rgb_to_hsv(*p) for p in rgb.reshape(-1, 3)]).reshape(rgb.shape)
    np.testing.assert_allclose(hsv, expected, atol=2e-6)
    np.testing.assert_allclose(_run(tf.image.hsv_to_rgb(hsv)), rgb, atol=2e-6)


def test_yiq_and_yuv_round_trips():
    rgb = RNG.random((3, 2, 3)).astype(F32)
    # TensorFlow's YIQ matrices are inverses of each other only to about 6e-5.
    np.testing.assert_allclose(_run(tf.image.yiq_to_rgb(tf.image.rgb_to_yiq(rgb))), rgb, atol=1e-4)
    np.testing.assert_allclose(_run(tf.image.yuv_to_rgb(tf.image.rgb_to_yuv(rgb))), rgb, atol=1e-4)


def test_per_image_standardization():
    images = RNG.random((2, 3, 4, 2)).astype(F32) * 255
    got = _run(tf.image.per_image_standardization(images))
    axes = (1, 2, 3)
    expected = (images - images.mean(axes, keepdims=True)) / images.std(axes, keepdims=True)
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5)
    # A uniform image: the 1/sqrt(num_pixels) floor keeps it finite (zeros).
    np.testing.assert_array_equal(_run(tf.image.per_image_standardization(np.full((2, 2, 1), 7, np.uint8))), 0)


def test_geometry_errors_are_tensorflows():
    image = tf.zeros([4, 5, 3])
    with pytest.raises(ValueError, match=r"central_fraction must be within \(0, 1\]"):
        tf.image.central_crop(image, 0)
    with pytest.raises(ValueError, match="width must be >= target \\+ offset."):
        tf.image.crop_to_bounding_box(image, 0, 3, 2, 3)
    with pytest.raises(ValueError, match="offset_height must be >= 0"):
        tf.image.pad_to_bounding_box(image, -1, 0, 8, 8)
    with pytest.raises(ValueError, match="must be at least three-dimensional"):
        tf.image.flip_left_right(tf.zeros([4, 5]))
    with pytest.raises(ValueError, match="target_width must be > 0."):
        tf.image.resize_image_with_crop_or_pad(image, 2, 0)


def test_run_time_sizes_are_checked_with_tensorflows_messages():
    image = tf.placeholder(tf.float32, [None, None, 1])
    value = np.zeros((3, 4, 1), F32)
    for build, message in [(lambda: tf.image.crop_to_bounding_box(image, 1, 1, 3, 2), "height must be >= target"),
                           (lambda: tf.image.pad_to_bounding_box(image, 0, 0, 2, 8), "height must be <= target"),
                           (lambda: tf.image.random_crop(image, [5, 1, 1]), "Need value.shape >= size")]:
        with pytest.raises(tf.errors.InvalidArgumentError, match=f"assertion failed: \\[{message}"):
            _run(build(), {image: value})


def test_crops_and_pads_with_run_time_sizes():
    image = tf.placeholder(tf.float32, [None, None, 1])
    value = RNG.random((5, 6, 1)).astype(F32)
    cropped = _run(tf.image.resize_image_with_crop_or_pad(image, 3, 8), {image: value})
    expected = np.pad(value[1:4], [(0, 0), (1, 1), (0, 0)])
    np.testing.assert_array_equal(cropped, expected)
    central = _run(tf.image.central_crop(image, 0.5), {image: value})
    np.testing.assert_array_equal(central, value[1:4, 1:5])  # start int((5 - 2.5) / 2) = 1, int((6 - 3) / 2) = 1


def test_rot90_rotates_counter_clockwise():
    image = np.array([[1, 2], [3, 4]], np.int32)[..., None]
    np.testing.assert_array_equal(_run(tf.image.rot90(image))[..., 0], [[2, 4], [1, 3]])


def test_rot90_with_a_run_time_k():
    batch = RNG.random((2, 2, 3, 1)).astype(F32)
    k = tf.placeholder(tf.int32, [])
    rotated = tf.image.rot90(batch, k)
    assert rotated.shape.as_list() == [2, None, None, 1]
    with tf.Session() as sess:
        for turns in (-1, 0, 1, 2, 3, 5):
            np.testing.assert_array_equal(sess.run(rotated, {k: turns}), np.rot90(batch, turns, axes=(1, 2)))


def test_colour_conversions_need_three_channels():
    with pytest.raises(ValueError, match="Dimension must be 3 but is 4"):
        tf.image.rgb_to_hsv(tf.zeros([2, 2, 4]))
    with pytest.raises(ValueError, match="Dimension must be 3 but is 1"):
        tf.image.adjust_hue(tf.zeros([2, 2, 1]), 0.1)


def test_total_variation_and_image_gradients_by_hand():
    image = np.array([[1, 2], [4, 8]], F32)[None, ..., None]
    assert _run(tf.image.total_variation(image)).tolist() == [3 + 6 + 1 + 4]
    dy, dx = _run(tf.image.image_gradients(image))
    np.testing.assert_array_equal(dy[0, ..., 0], [[3, 6], [0, 0]])
    np.testing.assert_array_equal(dx[0, ..., 0], [[1, 0], [4, 0]])


def test_psnr_of_uint8_images():
    a = RNG.integers(0, 256, (2, 4, 4, 1)).astype(np.uint8)
    b = np.clip(a.astype(int) + RNG.integers(-3, 4, a.shape), 0, 255).astype(np.uint8)
    mse = ((a / 255.0 - b / 255.0) ** 2).mean(axis=(1, 2, 3))
    np.testing.assert_allclose(_run(tf.image.psnr(a, b, max_val=255)), -10 * np.log10(mse), rtol=1e-5)


def _draws(build, runs=1):
    """Values of the augmentation `build()` makes, in two fresh graphs with graph seed 1: one per run."""
    out = []
    for _ in range(2):
        with tf.Graph().as_default():
            tf.set_random_seed(1)
            t = build()
            with tf.Session() as sess:
                out.append([sess.run(t) for _ in range(runs)])
    return out


def test_random_augmentations_repeat_under_the_seed_rule():
    image = RNG.random((4, 5, 3)).astype(F32)
    for build in [lambda: tf.image.random_flip_left_right(image), lambda: tf.image.random_brightness(image, 0.3),
                  lambda: tf.image.random_contrast(image, 0.5, 1.5), lambda: tf.image.random_hue(image, 0.2),
                  lambda: tf.image.random_saturation(image, 0.5, 1.5),
                  lambda: tf.image.random_crop(image, [2, 3, 3], seed=4)]:
        first, second = _draws(build, runs=3)
        for a, b in zip(first, second):
            np.testing.assert_array_equal(a, b)


def test_random_flip_flips_or_keeps_each_image():
    batch = RNG.random((64, 2, 3, 1)).astype(F32)
    (flipped,), _ = _draws(lambda: tf.image.random_flip_up_down(batch))
    was_flipped = [np.array_equal(f, b[::-1]) for f, b in zip(flipped, batch)]
    kept = [np.array_equal(f, b) for f, b in zip(flipped, batch)]
    assert all(w or k for w, k in zip(was_flipped, kept))
    assert 10 < sum(was_flipped) < 54  # a fair coin per image: 64 draws


def test_random_crop_is_a_window_of_the_input():
    image = np.arange(5 * 6).reshape(5, 6, 1).astype(F32)
    crops, _ = _draws(lambda: tf.image.random_crop(image, [2, 3, 1]), runs=20)
    corners = set()
    for crop in crops:
        top, left = np.argwhere(image[..., 0] == crop[0, 0, 0])[0]
        np.testing.assert_array_equal(crop, image[top:top + 2, left:left + 3])
        corners.add((top, left))
    assert len(corners) > 3


def test_random_augmentation_argument_errors():
    image = tf.zeros([2, 2, 3])
    with pytest.raises(ValueError, match="max_delta must be non-negative."):
        tf.image.random_brightness(image, -1)
    with pytest.raises(ValueError, match="upper must be > lower."):
        tf.image.random_contrast(image, 1.0, 0.5)
    with pytest.raises(ValueError, match="lower must be non-negative."):
        tf.image.random_saturation(image, -0.5, 0.5)
    with pytest.raises(ValueError, match="max_delta must be <= 0.5."):
        tf.image.random_hue(image, 0.6)


def test_non_max_suppression_keeps_the_best_of_overlapping_boxes():
    # Three clusters of boxes (the case of TensorFlow's own NMS tests): the best of each survives, by score.
    boxes = np.array([[0, 0, 1, 1], [0, 0.1, 1, 1.1], [0, -0.1, 1, 0.9], [0, 10, 1, 11], [0, 10.1, 1, 11.1],
                      [0, 100, 1, 101]], F32)
    scores = np.array([0.9, 0.75, 0.6, 0.95, 0.5, 0.3], F32)
    selected = tf.image.non_max_suppression(boxes, scores, 3, iou_threshold=0.5)
    assert selected.dtype == tf.int32 and selected.shape.as_list() == [None]
    np.testing.assert_array_equal(_run(selected), [3, 0, 5])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"iou_threshold must be in \[0, 1\]"):
        _run(tf.image.non_max_suppression(boxes, scores, 3, iou_threshold=1.5))


def test_draw_bounding_boxes_outlines_in_the_first_colour():
    images = np.zeros((1, 5, 5, 3), F32)
    out = _run(tf.image.draw_bounding_boxes(images, np.array([[[0.25, 0.25, 0.75, 0.75]]], F32)))
    outline = np.zeros((5, 5), bool)
    outline[1, 1:4] = outline[3, 1:4] = outline[1:4, 1] = outline[1:4, 3] = True
    np.testing.assert_array_equal(out[0][outline], np.tile([1, 1, 0], (outline.sum(), 1)))  # yellow
    assert not out[0][~outline].any()


def _ssim_reference(x, y, max_val, size=11, sigma=1.5, per_channel=False):
    """SSIM by its definition (Wang et al. 2004), window by window: Gaussian-weighted means, variances and
    covariance, (2 mx my + C1)(2 sxy + C2) / ((mx^2 + my^2 + C1)(sx^2 + sy^2 + C2)), averaged; with
    `per_channel`, per image and channel the pair (SSIM, contrast-structure term (2 sxy + C2) / (sx^2 + sy^2 + C2))."""
    c = np.arange(size) - (size - 1) / 2
    w = np.exp(-(c[:, None] ** 2 + c[None, :] ** 2) / (2 * sigma ** 2))
    w /= w.sum()
    c1, c2 = (0.01 * max_val) ** 2, (0.03 * max_val) ** 2
    out, pairs = [], []
    for a, b in zip(x.astype(np.float64), y.astype(np.float64)):
        values, contrast = [], []
        for i in range(a.shape[0] - size + 1):
            for j in range(a.shape[1] - size + 1):
                pa, pb = a[i:i + size, j:j + size], b[i:i + size, j:j + size]
                ma, mb = np.einsum("ij,ijc->c", w, pa), np.einsum("ij,ijc->c", w, pb)
                va = np.einsum("ij,ijc->c", w, (pa - ma) ** 2)
                vb = np.einsum("ij,ijc->c", w, (pb - mb) ** 2)
                cov = np.einsum("ij,ijc->c", w, (pa - ma) * (pb - mb))
                values.append((2 * ma * mb + c1) * (2 * cov + c2) / ((ma ** 2 + mb ** 2 + c1) * (va + vb + c2)))
                contrast.append((2 * cov + c2) / (va + vb + c2))
        out.append(np.mean(values))
        pairs.append((np.mean(values, axis=0), np.mean(contrast, axis=0)))
    return pairs if per_channel else np.array(out)


def _halve(x):
    """An odd last row/column mirrored, then means of 2x2 blocks."""
    x = np.pad(x, [(0, 0), (0, x.shape[1] % 2), (0, x.shape[2] % 2), (0, 0)], mode="symmetric")
    return 0.25 * (x[:, ::2, ::2] + x[:, 1::2, ::2] + x[:, ::2, 1::2] + x[:, 1::2, 1::2])


def test_ssim_multiscale_against_its_definition():
    a = RNG.random((2, 23, 22, 2)).astype(F32)
    b = np.clip(a + RNG.normal(0, 0.15, a.shape), 0, 1).astype(F32)
    weights = (0.5, 0.3, 0.2)
    expected = np.ones((2, 2))
    x, y = a.astype(np.float64), b.astype(np.float64)
    for k, weight in enumerate(weights):
        if k:
            x, y = _halve(x), _halve(y)
        pairs = _ssim_reference(x, y, 1.0, size=5, per_channel=True)
        term = np.array([ssim if k == len(weights) - 1 else cs for ssim, cs in pairs])
        expected *= np.maximum(term, 0) ** weight
    got = tf.image.ssim_multiscale(a, b, 1.0, power_factors=weights, filter_size=5)
    np.testing.assert_allclose(_run(got), expected.mean(-1), rtol=1e-4)


def test_ssim_against_its_definition():
    a = RNG.random((2, 13, 14, 2)).astype(F32)
    b = np.clip(a + RNG.normal(0, 0.2, a.shape), 0, 1).astype(F32)
    np.testing.assert_allclose(_run(tf.image.ssim(a, b, max_val=1.0)), _ssim_reference(a, b, 1.0), rtol=1e-4)
    np.testing.assert_allclose(_run(tf.image.ssim(a, a, max_val=1.0)), [1, 1], rtol=1e-6)
    as_uint8 = (a * 255).astype(np.uint8), (b * 255).astype(np.uint8)
    np.testing.assert_allclose(_run(tf.image.ssim(*as_uint8, max_val=255)),
                               _ssim_reference(as_uint8[0] / 255, as_uint8[1] / 255, 1.0), rtol=1e-4)
    x = tf.constant(a)
    loss = 1 - tf.reduce_mean(tf.image.ssim(x, tf.constant(b), 1.0))  # differentiable, as TensorFlow's
    assert _run(tf.gradients(loss, x)[0]).shape == a.shape


def test_sobel_edges_with_mirrored_borders():
    image = RNG.random((1, 4, 5, 2)).astype(F32)
    edges = tf.image.sobel_edges(image)
    assert edges.shape.as_list() == [1, 4, 5, 2, 2]
    padded = np.pad(image, [(0, 0), (1, 1), (1, 1), (0, 0)], mode="reflect")
    ky = np.array([[-1, -2, -1], [0, 0, 0], [1, 2, 1]])
    expected = np.zeros((1, 4, 5, 2, 2))
    for i in range(4):
        for j in range(5):
            window = padded[0, i:i + 3, j:j + 3]
            expected[0, i, j, :, 0] = np.einsum("ij,ijc->c", ky, window)
            expected[0, i, j, :, 1] = np.einsum("ij,ijc->c", ky.T, window)
    np.testing.assert_allclose(_run(edges), expected, rtol=1e-5, atol=1e-6)


def test_sample_distorted_bounding_box_meets_its_constraints():
    boxes = np.array([[[0.1, 0.2, 0.5, 0.6], [0.6, 0.6, 0.9, 0.95]]], F32)
    begin, size, box = tf.image.sample_distorted_bounding_box([60, 80, 3], boxes, seed=5, min_object_covered=0.5,
                                                              aspect_ratio_range=[0.5, 2.0], area_range=[0.1, 0.6])
    assert begin.shape.as_list() == [3] and box.shape.as_list() == [1, 1, 4]
    with tf.Session() as sess:
        draws = [sess.run([begin, size, box]) for _ in range(40)]
    with tf.Session() as sess:  # a new session restarts the op's seeded sequence
        np.testing.assert_array_equal(sess.run(begin), draws[0][0])
    pixel_boxes = [(int(b[1] * 80), int(b[0] * 60), int(b[3] * 80), int(b[2] * 60)) for b in boxes[0]]
    for (y, x, zero), (h, w, minus_one), ((normalized,),) in draws:
        assert zero == 0 and minus_one == -1 and 0 <= y and y + h <= 60 and 0 <= x and x + w <= 80
        assert 0.1 * 4800 <= h * w <= 0.6 * 4800 + 1e-6
        assert 0.5 - 1 / h <= w / h <= 2.0 + 1 / h  # the sampled ratio, up to rounding the width
        covered = [max(0, min(x + w, x1) - max(x, x0)) * max(0, min(y + h, y1) - max(y, y0)) / ((x1 - x0) * (y1 - y0))
                   for x0, y0, x1, y1 in pixel_boxes]
        assert max(covered) >= 0.5
        np.testing.assert_allclose(normalized, [y / 60, x / 80, (y + h) / 60, (x + w) / 80], rtol=1e-6)
    assert len({tuple(d[0]) for d in draws}) > 5


def test_sample_distorted_bounding_box_without_boxes():
    no_boxes = np.zeros((1, 0, 4), F32)
    begin, size, _ = tf.image.sample_distorted_bounding_box([10, 10, 1], no_boxes, use_image_if_no_bounding_boxes=True,
                                                            min_object_covered=0.0, seed=1)
    y, x, _ = _run(begin)
    assert y >= 0 and x >= 0
    strict = tf.image.sample_distorted_bounding_box([10, 10, 1], no_boxes, seed=1)[0]
    with pytest.raises(tf.errors.InvalidArgumentError, match="No bounding boxes provided as input"):
        _run(strict)
