"""Makes tests/data/tf_resize_reference.npz with TensorFlow (the anchors environment of benchmarks/setup_anchors.sh):
resize outputs for a fixed input, every v1 method and corner/pixel rule. Not run by the tests; they read the file.

    ANCHOR_PYTHON tests/data/make_tf_resize_reference.py tests/data/tf_resize_reference.npz
"""
import sys
import numpy as np
import tensorflow.compat.v1 as tf
tf.disable_eager_execution()
rng = np.random.default_rng(1234)
img = rng.uniform(-1, 1, (2, 5, 7, 3)).astype(np.float32)
out = {"input": img}
cases = []
for size in ((9, 4), (3, 11), (10, 14), (2, 3)):
    for method in ("bilinear", "nearest", "bicubic", "area"):
        for align, half in ((False, False), (True, False), (False, True)):
            if method == "area" and (align or half):
                continue
            if half and align:
                continue
            cases.append((size, method, align, half))
with tf.Session() as sess:
    x = tf.constant(img)
    for size, method, align, half in cases:
        if method == "bilinear":
            y = tf.image.resize_bilinear(x, size, align_corners=align, half_pixel_centers=half)
        elif method == "nearest":
            y = tf.image.resize_nearest_neighbor(x, size, align_corners=align, half_pixel_centers=half)
        elif method == "bicubic":
            y = tf.image.resize_bicubic(x, size, align_corners=align, half_pixel_centers=half)
        else:
            y = tf.image.resize_area(x, size, align_corners=align)
        out[f"{method}_{size[0]}x{size[1]}_align{int(align)}_half{int(half)}"] = sess.run(y)
np.savez_compressed(sys.argv[1], **out)
print(len(out) - 1, "cases,", tf.__version__)
