"""ONNX exporters of tf.image's resizes: ResizeBilinear, ResizeNearestNeighbor and ResizeBicubic become ONNX
Resize on NCHW data, whose coordinate transformation modes name TensorFlow's rules: `asymmetric` is TensorFlow's
legacy i * in / out, `align_corners` its align_corners, `half_pixel` its half_pixel_centers (for nearest
neighbour with halves rounded up: TensorFlow's floor((i + 0.5) * in / out)); TensorFlow's bicubic is Keys'
kernel with A = -0.75 (legacy, edge taps repeated) or A = -0.5 with outside taps dropped (half-pixel: ONNX's
exclude_outside).
TensorFlow tabulates the cubic weights at 1/1024 steps, ONNX computes them exactly: bicubic values agree to
about 1e-3 of the value range, the others to float32 rounding. (onnxruntime 1.x runs cubic Resize only when it
enlarges; the ONNX specification, and its reference evaluator, have no such limit.)"""
from ..framework import dtypes
from ..ops import resize_ops as rsz
from .convert_nn import TO_NCHW, TO_NHWC
from .registry import ONNX_TYPES, exporter

__all__ = []


def _coordinate_mode(align_corners, half_pixel):
    if align_corners:
        return "align_corners"
    return "half_pixel" if half_pixel else "asymmetric"


@exporter(rsz.ResizeBilinear, rsz.ResizeNearestNeighbor, rsz.ResizeBicubic)
def _resize(ctx, op):
    align, half = bool(op.get_attr("align_corners")), bool(op.get_attr("half_pixel_centers"))
    if op.opdef is rsz.ResizeNearestNeighbor:
        # Half-pixel: TensorFlow's floor((i + 0.5) * scale) is ONNX's half_pixel coordinate rounded up at .5.
        attrs = {"mode": "nearest", "nearest_mode": "round_prefer_ceil" if align or half else "floor",
                 "coordinate_transformation_mode": _coordinate_mode(align, half)}
        images = ctx.input(op, 0)
    else:
        attrs = {"mode": "linear" if op.opdef is rsz.ResizeBilinear else "cubic",
                 "coordinate_transformation_mode": _coordinate_mode(align, half)}
        if op.opdef is rsz.ResizeBicubic:
            attrs.update(cubic_coeff_a=-0.5 if half else -0.75, exclude_outside=1 if half else 0)
        images = ctx.input(op, 0)
        if ctx.dtype(op, 0) != dtypes.float32:  # TensorFlow interpolates (and outputs) float32
            images = ctx.node("Cast", [images], to=ONNX_TYPES["float32"])
    nchw = ctx.node("Transpose", [images], perm=TO_NCHW)
    batch_and_channels = ctx.node("Slice", [ctx.node("Shape", [nchw]), ctx.int64([0], "start"),
                                            ctx.int64([2], "end")])
    sizes = ctx.node("Concat", [batch_and_channels, ctx.as_int64(op, 1)], axis=0)
    resized = ctx.node("Resize", [nchw, "", "", sizes], **attrs)
    ctx.node("Transpose", [resized], [ctx.out(op)], perm=TO_NHWC)
