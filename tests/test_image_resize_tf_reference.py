"""tf.image's resizes against TensorFlow's own outputs (TensorFlow 2.21's v1 kernels, stored as test data by
tests/data/make_tf_resize_reference.py): every v1 method, with and without align_corners and half_pixel_centers."""
import pathlib

import numpy as np
import pytest

import neuroflow as tf

REFERENCE = np.load(pathlib.Path(__file__).parent / "data" / "tf_resize_reference.npz")
CASES = sorted(k for k in REFERENCE.files if k != "input")


@pytest.mark.parametrize("case", CASES)
def test_resize_matches_tensorflows_output(case):
    method, size, align, half = case.split("_")
    height, width = (int(v) for v in size.split("x"))
    align, half = align == "align1", half == "half1"
    fn = {"bilinear": tf.image.resize_bilinear, "nearest": tf.image.resize_nearest_neighbor,
          "bicubic": tf.image.resize_bicubic}.get(method)
    x = tf.constant(REFERENCE["input"])
    y = tf.image.resize_area(x, [height, width], align_corners=align) if method == "area" else \
        fn(x, [height, width], align_corners=align, half_pixel_centers=half)
    with tf.Session() as sess:
        got = sess.run(y)
    want = REFERENCE[case]
    assert got.dtype == want.dtype and got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)
