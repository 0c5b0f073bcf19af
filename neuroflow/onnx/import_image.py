"""The ONNX importer of Resize (4-D NCHW data, as neuroflow's exporter writes it): the coordinate transformation,
nearest and cubic modes that name TensorFlow's resize rules (legacy `asymmetric`, `align_corners`,
`half_pixel`) become tf.image's bilinear, nearest-neighbour and bicubic resizes; other modes are refused by
name."""
import numpy as np

from .import_ops import _tf, importer

__all__ = []

# (mode, coordinate_transformation_mode, nearest_mode or cubic (a, exclude_outside)) -> (method, align, half)
_RULES = {
    ("linear", "asymmetric", None): ("bilinear", False, False),
    ("linear", "align_corners", None): ("bilinear", True, False),
    ("linear", "half_pixel", None): ("bilinear", False, True),
    ("nearest", "asymmetric", "floor"): ("nearest", False, False),
    ("nearest", "align_corners", "round_prefer_ceil"): ("nearest", True, False),
    ("nearest", "half_pixel", "round_prefer_ceil"): ("nearest", False, True),
    ("cubic", "asymmetric", (-0.75, 0)): ("bicubic", False, False),
    ("cubic", "align_corners", (-0.75, 0)): ("bicubic", True, False),
    ("cubic", "half_pixel", (-0.5, 1)): ("bicubic", False, True),
}


def _rule(ctx, attrs):
    mode = attrs.get("mode", b"nearest")
    mode = mode.decode() if isinstance(mode, bytes) else mode
    coords = attrs.get("coordinate_transformation_mode", b"half_pixel")
    coords = coords.decode() if isinstance(coords, bytes) else coords
    if mode == "nearest":
        detail = attrs.get("nearest_mode", b"round_prefer_floor")
        detail = detail.decode() if isinstance(detail, bytes) else detail
    elif mode == "cubic":
        detail = (float(attrs.get("cubic_coeff_a", -0.75)), int(attrs.get("exclude_outside", 0)))
    else:
        detail = None
    rule = _RULES.get((mode, coords, detail))
    if rule is None:
        ctx.fail(f"mode={mode!r}, coordinate_transformation_mode={coords!r}" +
                 (f", {detail!r}" if detail is not None else "") + " is none of TensorFlow's resize rules")
    return rule


@importer("Resize")
def _resize(ctx, node, attrs):
    tf = _tf()
    method, align, half = _rule(ctx, attrs)
    x = ctx.input(node, 0)
    if x.shape.ndims not in (None, 4):
        ctx.fail("only 4-D (NCHW) images can be imported")
    nchw_shape = tf.shape(x)
    if ctx.input(node, 3) is not None:
        size = tf.cast(tf.slice(ctx.input(node, 3), [2], [2]), tf.int32)
    else:
        scales = ctx.require_value(node, 2, "scales")
        if len(scales) != 4 or scales[0] != 1 or scales[1] != 1:
            ctx.fail(f"scales {list(scales)} resize the batch or channel axis")
        spatial = tf.cast(tf.slice(nchw_shape, [2], [2]), tf.float32)
        size = tf.cast(tf.floor(spatial * np.asarray(scales[2:], np.float32)), tf.int32)
    nhwc = tf.transpose(x, [0, 2, 3, 1])
    fn = {"bilinear": tf.image.resize_bilinear, "nearest": tf.image.resize_nearest_neighbor,
          "bicubic": tf.image.resize_bicubic}[method]
    y = fn(nhwc, size, align_corners=align, half_pixel_centers=half)
    if y.dtype != x.dtype:   # ONNX's Resize keeps the data's dtype; TensorFlow's interpolations give float32
        y = tf.cast(y, x.dtype)
    return tf.transpose(y, [0, 3, 1, 2])
