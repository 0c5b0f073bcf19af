"""tf.image resizing: values TensorFlow printed, gradients of the float32 resizes against the adjoint of the
pixel-by-pixel references (image_reference.py), and resize_images' TensorFlow 1.x behaviour and errors.
(Forward values of every method and mode against the references: the op-table rows in op_table_image.py.)"""
import numpy as np
import pytest

import neuroflow as tf
from image_reference import crop_and_resize, resize, resize_adjoint

F32 = np.float32
RNG = np.random.default_rng(7)


def _run(t, feed=None):
    with tf.Session() as sess:
        return sess.run(t, feed)


def test_bicubic_matches_values_printed_by_tensorflow():
    # tf.image.resize_bicubic of arange(9) as [1, 3, 3, 1] to [6, 6], as TensorFlow 1.x printed it (quoted in the
    # README of github.com/iwyoo/bicubic_interp-tensorflow).
    expected = np.array([[0., 0.40625, 1., 1.59375, 2., 2.09375],
                         [1.21875, 1.625, 2.21875, 2.8125, 3.21875, 3.3125],
                         [3., 3.40625, 4., 4.59375, 5., 5.09375],
                         [4.78125, 5.1875, 5.78125, 6.375, 6.78125, 6.875],
                         [6., 6.40625, 7., 7.59375, 8., 8.09375],
                         [6.28125, 6.6875, 7.28125, 7.875, 8.28125, 8.375]])
    image = np.arange(9, dtype=F32).reshape(1, 3, 3, 1)
    got = _run(tf.image.resize_bicubic(image, [6, 6]))
    np.testing.assert_array_equal(got[0, :, :, 0], expected.astype(F32))


def test_bilinear_legacy_and_align_corners_by_hand():
    image = np.array([0, 10, 20], F32).reshape(1, 1, 3, 1)
    legacy = _run(tf.image.resize_bilinear(image, [1, 6]))  # source x = i / 2: 0, .5, 1, 1.5, 2, 2.5 (edge held)
    np.testing.assert_array_equal(legacy.ravel(), [0, 5, 10, 15, 20, 20])
    aligned = _run(tf.image.resize_bilinear(image, [1, 5], align_corners=True))  # corners meet: x = i / 2
    np.testing.assert_array_equal(aligned.ravel(), [0, 5, 10, 15, 20])
    half = _run(tf.image.resize_bilinear(image, [1, 6], half_pixel_centers=True))  # x = (i + .5) / 2 - .5
    np.testing.assert_allclose(half.ravel(), [0, 2.5, 7.5, 12.5, 17.5, 20])


def test_nearest_neighbor_by_hand_and_keeps_dtype():
    image = np.array([1, 2, 3], np.uint8).reshape(1, 1, 3, 1)
    np.testing.assert_array_equal(_run(tf.image.resize_nearest_neighbor(image, [1, 6])).ravel(), [1, 1, 2, 2, 3, 3])
    # align_corners rounds x = i * 2 / 4 half away from zero: 0, .5 -> 1, 1, 1.5 -> 2, 2
    aligned = _run(tf.image.resize_nearest_neighbor(image, [1, 5], align_corners=True))
    np.testing.assert_array_equal(aligned.ravel(), [1, 2, 2, 3, 3])
    assert aligned.dtype == np.uint8
    down = _run(tf.image.resize_nearest_neighbor(image, [1, 2], half_pixel_centers=True))  # x = (i + .5) * 1.5
    np.testing.assert_array_equal(down.ravel(), [1, 3])


def test_area_averages_covered_pixels():
    image = np.arange(16, dtype=np.uint8).reshape(1, 4, 4, 1)
    got = _run(tf.image.resize_area(image, [2, 2]))
    np.testing.assert_allclose(got[0, :, :, 0], [[2.5, 4.5], [10.5, 12.5]])
    assert got.dtype == np.float32


@pytest.mark.parametrize("method", ["bilinear", "bicubic"])
@pytest.mark.parametrize("align, half", [(False, False), (True, False), (False, True)])
@pytest.mark.parametrize("size", [(5, 7), (2, 3), (1, 1)])
def test_float32_resize_gradients_are_the_references_adjoint(method, align, half, size):
    fn = {"bilinear": tf.image.resize_bilinear, "bicubic": tf.image.resize_bicubic}[method]
    x = RNG.random((2, 4, 3, 2)).astype(F32)
    g = RNG.standard_normal((2,) + size + (2,)).astype(F32)
    images = tf.placeholder(tf.float32, [None, None, None, 2])
    loss = tf.reduce_sum(fn(images, size, align_corners=align, half_pixel_centers=half) * g)
    grad = _run(tf.gradients(loss, images)[0], {images: x})
    np.testing.assert_allclose(grad, resize_adjoint(g, (4, 3), method, align, half), rtol=1e-5, atol=1e-5)


def test_resize_gradient_of_gradient_is_the_forward_resize():
    x = tf.constant(RNG.random((1, 3, 4, 1)).astype(F32))
    g = tf.placeholder(tf.float32, [1, 5, 2, 1])
    dx = tf.gradients(tf.image.resize_bilinear(x, [5, 2]), x, grad_ys=g)[0]
    w = RNG.standard_normal((1, 3, 4, 1)).astype(F32)
    dg = tf.gradients(tf.reduce_sum(dx * w), g)[0]
    np.testing.assert_allclose(_run(dg, {g: np.zeros((1, 5, 2, 1), F32)}),
                               resize(w, (5, 2), "bilinear"), rtol=1e-5, atol=1e-6)


def test_integer_images_get_no_gradient_and_area_is_not_differentiable():
    ints = tf.placeholder(tf.uint8, [1, 3, 3, 1])
    assert tf.gradients(tf.image.resize_bilinear(ints, [5, 5]), ints) == [None]
    floats = tf.placeholder(tf.float32, [1, 3, 3, 1])
    assert tf.gradients(tf.image.resize_area(floats, [2, 2]), floats) == [None]


def test_static_shapes():
    images = tf.placeholder(tf.float32, [None, 8, 8, 3])
    assert tf.image.resize_bilinear(images, [4, 5]).shape.as_list() == [None, 4, 5, 3]
    size = tf.placeholder(tf.int32, [2])
    assert tf.image.resize_nearest_neighbor(images, size).shape.as_list() == [None, None, None, 3]
    with pytest.raises(ValueError, match="must be rank 4"):
        tf.image.resize_bilinear(tf.placeholder(tf.float32, [8, 8, 3]), [4, 4])


def test_run_time_errors_speak_tensorflows_words():
    images = tf.placeholder(tf.float32, [1, 2, 2, 1])
    both = tf.image.resize_bilinear(images, [3, 3], align_corners=True, half_pixel_centers=True)
    with pytest.raises(tf.errors.InvalidArgumentError, match="If half_pixel_centers is True, align_corners must be"):
        _run(both, {images: np.zeros((1, 2, 2, 1), F32)})
    size = tf.placeholder(tf.int32, [2])
    with pytest.raises(tf.errors.InvalidArgumentError, match="output dimensions must be positive"):
        _run(tf.image.resize_bilinear(images, size), {images: np.zeros((1, 2, 2, 1), F32), size: [0, 3]})


@pytest.mark.parametrize("method, name", [(tf.image.ResizeMethod.BILINEAR, "bilinear"),
                                          (tf.image.ResizeMethod.NEAREST_NEIGHBOR, "nearest"),
                                          (tf.image.ResizeMethod.BICUBIC, "bicubic"),
                                          (tf.image.ResizeMethod.AREA, "area")])
def test_resize_images_methods_on_3d_and_4d_images(method, name):
    batch = RNG.random((2, 4, 6, 3)).astype(F32)
    got = _run(tf.image.resize_images(batch, [3, 8], method=method))
    np.testing.assert_allclose(got, resize(batch, (3, 8), name), rtol=1e-5, atol=1e-5)
    single = tf.image.resize_images(batch[0], [3, 8], method=method, align_corners=True)
    assert single.shape.as_list() == [3, 8, 3]
    np.testing.assert_allclose(_run(single), resize(batch[:1], (3, 8), name, align_corners=True)[0], rtol=1e-5,
                               atol=1e-5)


def test_resize_images_dtypes_and_the_same_size_shortcut():
    image = tf.placeholder(tf.uint8, [4, 4, 1])
    assert tf.image.resize_images(image, [8, 8]).dtype == tf.float32
    assert tf.image.resize_images(image, [8, 8], tf.image.ResizeMethod.NEAREST_NEIGHBOR).dtype == tf.uint8
    same = tf.image.resize_images(image, [4, 4])
    assert same.dtype == tf.uint8 and same.op.type != "ResizeBilinear"  # returned unresized, as in TensorFlow
    assert tf.image.resize is tf.image.resize_images


def test_resize_images_preserve_aspect_ratio():
    image = tf.placeholder(tf.float32, [1, 10, 20, 3])
    out = tf.image.resize_images(image, [10, 10], preserve_aspect_ratio=True)
    assert _run(out, {image: np.zeros((1, 10, 20, 3), F32)}).shape == (1, 5, 10, 3)


def test_resize_images_errors():
    with pytest.raises(ValueError, match="'images' must have either 3 or 4 dimensions."):
        tf.image.resize_images(tf.zeros([2, 2]), [3, 3])
    with pytest.raises(ValueError, match="'images' contains no shape."):
        tf.image.resize_images(tf.placeholder(tf.float32), [3, 3])
    with pytest.raises(ValueError, match="'size' must be a 1-D Tensor of 2 elements"):
        tf.image.resize_images(tf.zeros([2, 2, 1]), [3, 3, 3])
    with pytest.raises(ValueError, match="Resize method is not implemented."):
        tf.image.resize_images(tf.zeros([2, 2, 1]), [3, 3], method=7)


def test_resize_image_with_pad_keeps_the_aspect_ratio_and_centres():
    image = np.ones((2, 4, 1), F32)
    got = _run(tf.image.resize_image_with_pad(image, 4, 4))
    expected = np.zeros((4, 4, 1), F32)
    expected[1:3] = 1  # resized to [2, 4], one zero row above and below
    np.testing.assert_allclose(got, expected)


def test_eager_resize_matches_graph():
    image = RNG.random((1, 3, 5, 2)).astype(F32)
    graph_value = _run(tf.image.resize_bicubic(image, [4, 4], half_pixel_centers=True))
    with tf.eager_mode():
        eager_value = tf.image.resize_bicubic(image, [4, 4], half_pixel_centers=True).numpy()
    np.testing.assert_array_equal(eager_value, graph_value)


_BOXES = np.array([[0, 0, 1, 1], [0.25, 0.2, 0.75, 0.9], [-0.5, 0.1, 0.5, 1.2], [0.9, 0.8, 0.1, 0.15],
                   [0.3, 0.4, 0.3, 0.6]], F32)


@pytest.mark.parametrize("method", ["bilinear", "nearest"])
@pytest.mark.parametrize("crop_size", [(3, 4), (1, 1), (1, 5)])
def test_crop_and_resize_matches_the_kernel_rule(method, crop_size):
    image = RNG.random((2, 4, 5, 3)).astype(F32)
    box_ind = np.array([0, 1, 0, 1, 1], np.int32)
    crops = tf.image.crop_and_resize(image, _BOXES, box_ind, crop_size, method=method, extrapolation_value=-1.0)
    assert crops.shape.as_list() == [5, *crop_size, 3] and crops.dtype == tf.float32
    expected = crop_and_resize(image, _BOXES, box_ind, crop_size, method, -1.0)
    np.testing.assert_allclose(_run(crops), expected, rtol=1e-5, atol=1e-5)


def test_crop_and_resize_gradients_for_image_and_boxes():
    image = RNG.random((2, 4, 5, 2)).astype(F32)
    boxes = np.array([[0.1, 0.15, 0.8, 0.9], [0.35, 0.05, 0.65, 0.55], [0.9, 0.7, 0.2, 0.3]], F32)
    box_ind = np.array([0, 1, 1], np.int32)
    weights = RNG.standard_normal((3, 3, 4, 2))
    image_t, boxes_t = tf.placeholder(tf.float32, image.shape), tf.placeholder(tf.float32, boxes.shape)
    loss = tf.reduce_sum(tf.image.crop_and_resize(image_t, boxes_t, box_ind, [3, 4]) * weights.astype(F32))
    d_image, d_boxes = _run(tf.gradients(loss, [image_t, boxes_t]), {image_t: image, boxes_t: boxes})

    def reference_loss(img, bxs):
        return float(np.sum(crop_and_resize(img, bxs, box_ind, (3, 4)) * weights))
    eps = 1e-4
    numeric_boxes = np.zeros(boxes.shape)
    for idx in np.ndindex(boxes.shape):
        plus, minus = boxes.astype(np.float64), boxes.astype(np.float64)
        plus[idx] += eps
        minus[idx] -= eps
        numeric_boxes[idx] = (reference_loss(image, plus) - reference_loss(image, minus)) / (2 * eps)
    np.testing.assert_allclose(d_boxes, numeric_boxes, rtol=1e-3, atol=1e-3)
    numeric_image = np.zeros(image.shape)  # the crops are linear in the image: one basis image at a time
    for idx in np.ndindex(image.shape):
        basis = np.zeros(image.shape)
        basis[idx] = 1
        numeric_image[idx] = reference_loss(basis, boxes)
    np.testing.assert_allclose(d_image, numeric_image, rtol=1e-5, atol=1e-5)


def test_a_saved_graph_with_image_ops_imports_in_a_fresh_process(tmp_path):
    """tf.image loads lazily: importing a GraphDef that uses its ops must load it (as for tf.summary's)."""
    import subprocess
    import sys
    with tf.Graph().as_default() as graph:
        images = tf.placeholder(tf.float32, [1, 2, 2, 1], name="images")
        tf.image.resize_bilinear(images, [4, 4], name="resized")
    path = tmp_path / "graph.pb"
    path.write_bytes(graph.as_graph_def().SerializeToString())
    script = ("import numpy as np, sys, neuroflow as tf\n"
              "graph_def = tf.GraphDef()\n"
              f"graph_def.ParseFromString(open({str(path)!r}, 'rb').read())\n"
              "assert 'neuroflow.image' not in sys.modules\n"
              "tf.import_graph_def(graph_def, name='')\n"
              "with tf.Session() as sess:\n"
              "    print(sess.run('resized:0', {'images:0': np.ones((1, 2, 2, 1), np.float32)}).sum())\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert float(result.stdout) == 16.0
