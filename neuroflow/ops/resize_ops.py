"""Image resizing primitives with TensorFlow's exact sampling: ResizeBilinear, ResizeNearestNeighbor,
ResizeBicubic, ResizeArea (attrs `align_corners`, `half_pixel_centers`) and the gradient ops
ResizeBilinearGrad, ResizeNearestNeighborGrad, ResizeBicubicGrad.

Each method is separable: along one axis, output position i reads a few input positions with weights (its
"taps"), computed in float32 from the scale rule of TensorFlow's kernels (image_resizer_state.h):
scale = (in - 1) / (out - 1) with align_corners (out > 1), in / out otherwise; the source coordinate of i is
i * scale (legacy) or (i + 0.5) * scale - 0.5 (half-pixel centers; nearest neighbour omits the - 0.5).
The forward kernels gather and combine in TensorFlow's order (bilinear: x then y lerps; bicubic: y then x),
so float32 results agree with TensorFlow's. The gradient of every method is the transposed linear map, applied
as two small dense [out, in] matrices built from the same taps.
"""
import numpy as np

from ..framework import dtypes
from ..framework.apply import apply_op
from ..framework.op_def import InferenceError, OpDef, register
from ..framework.tensor_shape import TensorShape
from ..framework.tensor_util import constant_value_as_shape
from .op_util import check_rank, invalid_argument

__all__ = ["resize_bilinear", "resize_nearest_neighbor", "resize_bicubic", "resize_area"]

_IMAGE_DTYPES = (dtypes.int8, dtypes.uint8, dtypes.int16, dtypes.uint16, dtypes.int32, dtypes.int64,
                 dtypes.float16, dtypes.float32, dtypes.float64)
_GRAD_DTYPES = (dtypes.float16, dtypes.float32, dtypes.float64)
_F32 = np.float32
_CUBIC_TABLE_SIZE = 1024


def _scale(in_size, out_size, align_corners):
    """TensorFlow's CalculateResizeScale, in float32."""
    if align_corners and out_size > 1:
        return _F32(in_size - 1) / _F32(out_size - 1)
    return _F32(in_size) / _F32(out_size)


def _source(xp, out_size, scale, half_pixel, minus_half=True):
    """The float32 source coordinate of each output position."""
    i = xp.arange(out_size, dtype=_F32)
    if not half_pixel:
        return i * scale
    pos = (i + _F32(0.5)) * scale
    return pos - _F32(0.5) if minus_half else pos


def _bilinear_taps(xp, in_size, out_size, align_corners, half_pixel):
    """(lower, upper, lerp) per output position (TensorFlow's compute_interpolation_weights)."""
    src = _source(xp, out_size, _scale(in_size, out_size, align_corners), half_pixel)
    floor = xp.floor(src)
    lower = xp.maximum(floor.astype(xp.int64), 0)
    upper = xp.minimum(xp.ceil(src).astype(xp.int64), in_size - 1)
    return lower, upper, (src - floor).astype(_F32)


def _nearest_index(xp, in_size, out_size, align_corners, half_pixel):
    src = _source(xp, out_size, _scale(in_size, out_size, align_corners), half_pixel, minus_half=False)
    floor = xp.floor(src)
    if align_corners:  # roundf: halves away from zero (the coordinates are >= 0 here)
        floor = xp.where(src - floor >= _F32(0.5), floor + 1, floor)
    index = xp.minimum(floor.astype(xp.int64), in_size - 1)
    return xp.maximum(index, 0) if half_pixel else index


def _cubic_table(xp, keys):
    """TensorFlow's coefficient table: weights of the two near and two far taps at 1/1024 steps of the
    fractional position (A = -0.5 for Keys' kernel with half-pixel centers, -0.75 for the legacy one)."""
    a = -0.5 if keys else -0.75
    x = (xp.arange(_CUBIC_TABLE_SIZE + 1, dtype=xp.float64) / _CUBIC_TABLE_SIZE).astype(_F32).astype(xp.float64)
    near = ((a + 2) * x - (a + 3)) * x * x + 1
    x = (x + 1.0).astype(_F32).astype(xp.float64)
    far = ((a * x - 5 * a) * x + 8 * a) * x - 4 * a
    return near.astype(_F32), far.astype(_F32)


def _bicubic_taps(xp, in_size, out_size, align_corners, half_pixel):
    """([out, 4] indices, [out, 4] float32 weights) as TensorFlow's GetWeightsAndIndices."""
    src = _source(xp, out_size, _scale(in_size, out_size, align_corners), half_pixel)
    base = xp.floor(src)
    offset = xp.rint((src - base) * _F32(_CUBIC_TABLE_SIZE)).astype(xp.int64)  # lrintf: halves to even
    base = base.astype(xp.int64)
    near, far = _cubic_table(xp, half_pixel)
    weights = xp.stack([far[offset], near[offset], near[_CUBIC_TABLE_SIZE - offset],
                        far[_CUBIC_TABLE_SIZE - offset]], axis=1)
    wanted = base[:, None] + xp.arange(-1, 3)[None, :]
    index = xp.clip(wanted, 0, in_size - 1)
    if half_pixel:  # Keys: taps outside the image get no weight, the rest are renormalized to sum to 1
        weights = xp.where(index == wanted, weights, _F32(0))
        total = weights[:, 0] + weights[:, 1] + weights[:, 2] + weights[:, 3]
        usable = xp.abs(total) >= _F32(1000) * np.finfo(_F32).tiny
        weights = xp.where(usable[:, None], weights * xp.reciprocal(xp.where(usable, total, _F32(1)))[:, None],
                           weights)
    return index, weights.astype(_F32)


def _area_taps(xp, in_size, out_size, align_corners):
    """([out, k] indices, [out, k] float32 coverage) of the input cells each output cell overlaps."""
    scale = _scale(in_size, out_size, align_corners)
    start = xp.arange(out_size, dtype=_F32) * scale
    end = (xp.arange(out_size, dtype=_F32) + _F32(1)) * scale
    first = xp.floor(start).astype(xp.int64)
    last = xp.ceil(end).astype(xp.int64)
    width = int((last - first).max()) if out_size else 1
    cell = first[:, None] + xp.arange(width)[None, :]
    cell_f = cell.astype(_F32)
    s, e = start[:, None], end[:, None]
    coverage = xp.where(cell_f < s, xp.where(cell_f + 1 > e, scale, cell_f + 1 - s),
                        xp.where(cell_f + 1 > e, e - cell_f, _F32(1)))
    coverage = xp.where(cell < last[:, None], coverage, _F32(0))
    return xp.clip(cell, 0, in_size - 1), coverage.astype(_F32), scale


def _combine(xp, x, index, weights, axis):
    """sum_k weights[:, k] * x.take(index[:, k], axis), accumulated left to right as TensorFlow's loops do."""
    shape = [1] * x.ndim
    shape[axis] = -1
    out = None
    for k in range(index.shape[1]):
        term = xp.take(x, index[:, k], axis=axis) * weights[:, k].reshape(shape)
        out = term if out is None else out + term
    return out


def _matrix(xp, in_size, index, weights):
    """The dense [out, in] matrix of one axis's taps (repeated indices add up)."""
    m = xp.zeros((index.shape[0], in_size), dtype=_F32)
    rows = xp.repeat(xp.arange(index.shape[0])[:, None], index.shape[1], axis=1)
    xp.add.at(m, (rows.reshape(-1), index.reshape(-1)), weights.reshape(-1))
    return m


def _apply_transposed(xp, g, my, mx):
    """The adjoint of resizing by matrices (my, mx): [N, out_h, out_w, C] -> [N, in_h, in_w, C]."""
    t = xp.tensordot(my, g.astype(_F32), axes=([0], [1]))  # [in_h, N, out_w, C]
    t = xp.tensordot(mx, t, axes=([0], [2]))  # [in_w, in_h, N, C]
    return xp.ascontiguousarray(xp.transpose(t, (2, 1, 0, 3)))


def _check_image(x, what="input"):
    if x.ndim != 4:
        raise invalid_argument(f"{what} must be 4-dimensional[{','.join(map(str, x.shape))}]")


def _check_resize(x, size, align_corners, half_pixel_centers):
    """TensorFlow's ImageResizerState checks; returns (out_h, out_w)."""
    if half_pixel_centers and align_corners:
        raise invalid_argument("If half_pixel_centers is True, align_corners must be False.")
    _check_image(x)
    if x.shape[3] <= 0:
        raise invalid_argument("image must have at least one channel")
    if x.shape[1] <= 0 or x.shape[2] <= 0:
        raise invalid_argument("input image must be of non-zero size")
    if size.ndim != 1:
        raise invalid_argument(f"shape_t must be 1-dimensional[{','.join(map(str, size.shape))}]")
    if size.shape[0] != 2:
        raise invalid_argument(f"shape_t must have two elements[{size.shape[0]}]")
    out_h, out_w = (int(v) for v in size.tolist())
    if out_h <= 0 or out_w <= 0:
        raise invalid_argument("output dimensions must be positive")
    return out_h, out_w


def _resize_infer(inputs, attrs, out_dtype=None):
    images, size = inputs
    check_rank(images, 4)
    check_rank(size, 1)
    if size.shape.ndims == 1 and size.shape[0].value not in (None, 2):
        raise InferenceError(f"Dimension must be 2 but is {size.shape[0].value}")
    if size.dtype.base_dtype != dtypes.int32:
        raise TypeError(f"Value passed to parameter 'size' has DataType {size.dtype.base_dtype.name} not in list of "
                        "allowed values: int32")
    hw = constant_value_as_shape(size)
    hw = hw.as_list() if hw.ndims == 2 else [None, None]
    batch, channels = (images.shape[0].value, images.shape[3].value) if images.shape.ndims == 4 else (None, None)
    return [(TensorShape([batch] + hw + [channels]), out_dtype or images.dtype.base_dtype)]


def _size_of(t, axes=(1, 2)):
    """A 1-D int32 tensor of `t`'s sizes along `axes` (a constant when they are known)."""
    from ..framework.constant_op import constant
    from .array_ops import shape
    dims = [t.shape[a].value for a in axes] if t.shape.ndims is not None else [None]
    if None not in dims:
        return constant(dims, dtypes.int32)
    return shape(t)[axes[0]:axes[-1] + 1]


class _Resize(OpDef):
    """[batch, height, width, channels] images resized to `size` = [new_height, new_width]."""

    input_names = ("images", "size")
    same_dtype = ("images",)
    allowed_dtypes = _IMAGE_DTYPES
    shape_arg_inputs = (1,)
    grad_opdef = None

    def canonicalize_attrs(self, inputs, attrs):
        return {"align_corners": bool(attrs.get("align_corners", False)),
                "half_pixel_centers": bool(attrs.get("half_pixel_centers", False))}

    def infer(self, inputs, attrs):
        return _resize_infer(inputs, attrs, dtypes.float32)

    def grad(self, op, g):
        if op.inputs[0].dtype.base_dtype not in _GRAD_DTYPES:
            return [None, None]
        return [apply_op(self.grad_opdef, [g, op.inputs[0]], op.attrs, name=self.grad_opdef.type_name), None]


@register
class ResizeBilinear(_Resize):
    type_name = "ResizeBilinear"

    def forward(self, xp, images, size, align_corners, half_pixel_centers):
        out_h, out_w = _check_resize(images, size, align_corners, half_pixel_centers)
        y0, y1, ylerp = _bilinear_taps(xp, images.shape[1], out_h, align_corners, half_pixel_centers)
        x0, x1, xlerp = _bilinear_taps(xp, images.shape[2], out_w, align_corners, half_pixel_centers)
        x = images.astype(_F32)
        top_rows, bottom_rows = xp.take(x, y0, axis=1), xp.take(x, y1, axis=1)
        xlerp = xlerp[:, None]
        top_left, top_right = xp.take(top_rows, x0, axis=2), xp.take(top_rows, x1, axis=2)
        bottom_left, bottom_right = xp.take(bottom_rows, x0, axis=2), xp.take(bottom_rows, x1, axis=2)
        top = top_left + (top_right - top_left) * xlerp
        bottom = bottom_left + (bottom_right - bottom_left) * xlerp
        return top + (bottom - top) * ylerp[:, None, None]


@register
class ResizeBicubic(_Resize):
    type_name = "ResizeBicubic"

    def forward(self, xp, images, size, align_corners, half_pixel_centers):
        out_h, out_w = _check_resize(images, size, align_corners, half_pixel_centers)
        iy, wy = _bicubic_taps(xp, images.shape[1], out_h, align_corners, half_pixel_centers)
        ix, wx = _bicubic_taps(xp, images.shape[2], out_w, align_corners, half_pixel_centers)
        rows = _combine(xp, images.astype(_F32), iy, wy, axis=1)
        return _combine(xp, rows, ix, wx, axis=2)


@register
class ResizeArea(_Resize):
    type_name = "ResizeArea"
    grad = None  # TensorFlow registers no gradient for ResizeArea

    def canonicalize_attrs(self, inputs, attrs):
        return {"align_corners": bool(attrs.get("align_corners", False))}

    def forward(self, xp, images, size, align_corners):
        out_h, out_w = _check_resize(images, size, align_corners, False)
        iy, wy, sy = _area_taps(xp, images.shape[1], out_h, align_corners)
        ix, wx, sx = _area_taps(xp, images.shape[2], out_w, align_corners)
        columns = _combine(xp, images.astype(_F32), ix, wx, axis=2)
        total = _combine(xp, columns, iy, wy, axis=1)
        return total * _F32(1.0 / float(sy * sx))


@register
class ResizeNearestNeighbor(_Resize):
    type_name = "ResizeNearestNeighbor"

    def infer(self, inputs, attrs):
        return _resize_infer(inputs, attrs)

    def forward(self, xp, images, size, align_corners, half_pixel_centers):
        out_h, out_w = _check_resize(images, size, align_corners, half_pixel_centers)
        iy = _nearest_index(xp, images.shape[1], out_h, align_corners, half_pixel_centers)
        ix = _nearest_index(xp, images.shape[2], out_w, align_corners, half_pixel_centers)
        return xp.take(xp.take(images, iy, axis=1), ix, axis=2)

    def grad(self, op, g):
        return [apply_op(ResizeNearestNeighborGrad, [g, _size_of(op.inputs[0])], op.attrs,
                         name="ResizeNearestNeighborGrad"), None]


def _grad_infer(grads, original_shape_dims, dtype):
    check_rank(grads, 4)
    batch, channels = (grads.shape[0].value, grads.shape[3].value) if grads.shape.ndims == 4 else (None, None)
    return [(TensorShape([batch] + original_shape_dims + [channels]), dtype)]


class _ResizeGrad(OpDef):
    """The gradient of a resize: `grads` ([batch, new_h, new_w, channels], float32) spread back onto the
    pixels of `original_image` that each output read, with the same weights."""

    input_names = ("grads", "original_image")
    forward_opdef = None
    taps = None

    def canonicalize_attrs(self, inputs, attrs):
        return {"align_corners": bool(attrs.get("align_corners", False)),
                "half_pixel_centers": bool(attrs.get("half_pixel_centers", False))}

    def infer(self, inputs, attrs):
        grads, original = inputs
        if grads.dtype.base_dtype != dtypes.float32:
            raise TypeError(f"Input 'grads' of '{self.type_name}' Op has type {grads.dtype.base_dtype.name} that "
                            "does not match expected type of float32.")
        if original.dtype.base_dtype not in _GRAD_DTYPES:
            raise TypeError(f"Value passed to parameter 'original_image' has DataType "
                            f"{original.dtype.base_dtype.name} not in list of allowed values: half, float32, float64")
        check_rank(original, 4)
        hw = original.shape.as_list()[1:3] if original.shape.ndims == 4 else [None, None]
        return _grad_infer(grads, hw, original.dtype.base_dtype)

    def forward(self, xp, grads, original, align_corners, half_pixel_centers):
        if half_pixel_centers and align_corners:
            raise invalid_argument("If half_pixel_centers is True, align_corners must be False.")
        _check_image(grads, "input_grad")
        _check_image(original, "original_image")
        (_, out_h, out_w, _), (_, in_h, in_w, _) = grads.shape, original.shape
        if out_h <= 0 or out_w <= 0:
            raise invalid_argument("resized dimensions must be positive")
        if in_h <= 0 or in_w <= 0:
            raise invalid_argument("original dimensions must be positive")
        my = _matrix(xp, in_h, *self.taps(xp, in_h, out_h, align_corners, half_pixel_centers))
        mx = _matrix(xp, in_w, *self.taps(xp, in_w, out_w, align_corners, half_pixel_centers))
        return _apply_transposed(xp, grads, my, mx).astype(original.dtype)

    def grad(self, op, g):
        # Linear in `grads`: its gradient is the forward resize of `g` to the size of `grads`.
        return [apply_op(self.forward_opdef, [g, _size_of(op.inputs[0])], op.attrs,
                         name=self.forward_opdef.type_name), None]


def _bilinear_pairs(xp, in_size, out_size, align_corners, half_pixel):
    lower, upper, lerp = _bilinear_taps(xp, in_size, out_size, align_corners, half_pixel)
    return xp.stack([lower, upper], axis=1), xp.stack([1 - lerp, lerp], axis=1)


@register
class ResizeBilinearGrad(_ResizeGrad):
    type_name = "ResizeBilinearGrad"
    forward_opdef = ResizeBilinear
    taps = staticmethod(_bilinear_pairs)


@register
class ResizeBicubicGrad(_ResizeGrad):
    type_name = "ResizeBicubicGrad"
    forward_opdef = ResizeBicubic
    taps = staticmethod(_bicubic_taps)


ResizeBilinear.grad_opdef = ResizeBilinearGrad
ResizeBicubic.grad_opdef = ResizeBicubicGrad


def _nearest_taps(xp, in_size, out_size, align_corners, half_pixel):
    index = _nearest_index(xp, in_size, out_size, align_corners, half_pixel)
    return index[:, None], xp.ones((out_size, 1), dtype=_F32)


@register
class ResizeNearestNeighborGrad(OpDef):
    """The gradient of ResizeNearestNeighbor: each output's gradient added onto the input pixel it copied;
    `size` = [height, width] of the original images."""

    type_name = "ResizeNearestNeighborGrad"
    input_names = ("grads", "size")
    same_dtype = ("grads",)
    allowed_dtypes = (dtypes.int8, dtypes.uint8, dtypes.int16, dtypes.int32, dtypes.float16, dtypes.float32,
                      dtypes.float64)
    shape_arg_inputs = (1,)

    def canonicalize_attrs(self, inputs, attrs):
        return {"align_corners": bool(attrs.get("align_corners", False)),
                "half_pixel_centers": bool(attrs.get("half_pixel_centers", False))}

    def infer(self, inputs, attrs):
        return _resize_infer(inputs, attrs)

    def forward(self, xp, grads, size, align_corners, half_pixel_centers):
        _check_image(grads)
        if size.ndim != 1 or size.shape[0] != 2:
            raise invalid_argument(f"shape_t must be 1-dimensional with two elements[{','.join(map(str, size.shape))}]")
        in_h, in_w = (int(v) for v in size.tolist())
        out_h, out_w = grads.shape[1:3]
        my = _matrix(xp, in_h, *_nearest_taps(xp, in_h, out_h, align_corners, half_pixel_centers))
        mx = _matrix(xp, in_w, *_nearest_taps(xp, in_w, out_w, align_corners, half_pixel_centers))
        # The matrices hold only 0/1: summing in the gradient's own dtype keeps float64 exact for its checks.
        t = xp.tensordot(my.astype(grads.dtype), grads, axes=([0], [1]))
        t = xp.tensordot(mx.astype(grads.dtype), t, axes=([0], [2]))
        return xp.ascontiguousarray(xp.transpose(t, (2, 1, 0, 3)))

    def grad(self, op, g):
        return [apply_op(ResizeNearestNeighbor, [g, _size_of(op.inputs[0])], op.attrs,
                         name="ResizeNearestNeighbor"), None]


def _resize_fn(opdef, default_name):
    def resize(images, size, align_corners=False, half_pixel_centers=False, name=None):
        return apply_op(opdef, [images, size], {"align_corners": align_corners,
                                                "half_pixel_centers": half_pixel_centers}, name=name or default_name)
    return resize


resize_bilinear = _resize_fn(ResizeBilinear, "ResizeBilinear")
resize_bilinear.__doc__ = """Resizes [batch, h, w, c] `images` to `size` by bilinear interpolation (float32 out).

    Example: `tf.image.resize_bilinear(images, [64, 64], align_corners=True)`."""
resize_nearest_neighbor = _resize_fn(ResizeNearestNeighbor, "ResizeNearestNeighbor")
resize_nearest_neighbor.__doc__ = """Resizes [batch, h, w, c] `images` to `size` by copying the nearest pixel
    (the dtype is kept). Example: `tf.image.resize_nearest_neighbor(images, [2 * h, 2 * w])`."""
resize_bicubic = _resize_fn(ResizeBicubic, "ResizeBicubic")
resize_bicubic.__doc__ = """Resizes [batch, h, w, c] `images` to `size` by bicubic interpolation (float32 out;
    Keys' kernel with half-pixel centers, TensorFlow's legacy A = -0.75 kernel otherwise)."""


def resize_area(images, size, align_corners=False, name=None):
    """Resizes [batch, h, w, c] `images` to `size` by averaging the input area each output pixel covers
    (float32 out; not differentiable, as in TensorFlow). Example: `tf.image.resize_area(images, [8, 8])`."""
    return apply_op(ResizeArea, [images, size], {"align_corners": align_corners}, name=name or "ResizeArea")
