"""ONNX export of tf.image's resizes: every mode of ResizeBilinear, ResizeNearestNeighbor and ResizeBicubic run
in onnxruntime and in onnx's reference evaluator gives neuroflow's values, with an unknown batch dimension;
ResizeArea says why it cannot be exported."""
import numpy as np
import pytest

import neuroflow as tf

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
from onnx.reference import ReferenceEvaluator  # noqa: E402

X = np.random.default_rng(3).random((2, 5, 6, 3)).astype(np.float32)
MODES = [(False, False), (True, False), (False, True)]
SIZES = [(9, 4), (1, 1), (2, 3), (10, 12)]


def _export(fn, image, size, align, half):
    with tf.Graph().as_default():
        images = tf.placeholder(tf.as_dtype(image.dtype), [None, 5, 6, 3])
        resized = fn(images, size, align_corners=align, half_pixel_centers=half)
        with tf.Session() as sess:
            expected = sess.run(resized, {images: image})
            model = tf.onnx.export(sess, [images], [resized], input_names=["images"])
    return model, expected


@pytest.mark.parametrize("fn", [tf.image.resize_bilinear, tf.image.resize_nearest_neighbor],
                         ids=["bilinear", "nearest"])
@pytest.mark.parametrize("align, half", MODES, ids=["legacy", "align_corners", "half_pixel"])
@pytest.mark.parametrize("size", SIZES, ids=str)
def test_bilinear_and_nearest_exports_agree(fn, align, half, size):
    model, expected = _export(fn, X, size, align, half)
    session = ort.InferenceSession(model.SerializeToString())
    for runner in (session, ReferenceEvaluator(model)):
        got = runner.run(None, {"images": X})[0]
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("align, half", MODES, ids=["legacy", "align_corners", "half_pixel"])
@pytest.mark.parametrize("size", SIZES, ids=str)
def test_bicubic_export_agrees_to_tensorflows_weight_table(align, half, size):
    model, expected = _export(tf.image.resize_bicubic, X, size, align, half)
    runners = [ReferenceEvaluator(model)]
    if size[0] >= 5 and size[1] >= 6:  # onnxruntime runs cubic Resize only when it enlarges
        runners.append(ort.InferenceSession(model.SerializeToString()))
    for runner in runners:
        np.testing.assert_allclose(runner.run(None, {"images": X})[0], expected, atol=1e-3)


def test_integer_images_export():
    image = (X * 255).astype(np.uint8)
    for fn in (tf.image.resize_bilinear, tf.image.resize_nearest_neighbor):
        model, expected = _export(fn, image, (7, 8), False, True)
        got = ort.InferenceSession(model.SerializeToString()).run(None, {"images": image})[0]
        assert got.dtype == expected.dtype
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-4)


def test_area_resize_says_why_it_cannot_be_exported():
    with tf.Graph().as_default():
        images = tf.placeholder(tf.float32, [None, 4, 4, 1])
        resized = tf.image.resize_area(images, [2, 2])
        with tf.Session() as sess:
            with pytest.raises(tf.onnx.ExportError, match="no area-averaging mode"):
                tf.onnx.export(sess, [images], [resized])
