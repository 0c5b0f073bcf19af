"""Convolution primitives (Conv2D and its backprops, depthwise convolution) with im2col/BLAS kernels.

Kernels work on NHWC arrays (NCHW is transposed in and out). A convolution copies image patches, a few
images at a time, into a small im2col block that stays in cache and multiplies it with the filter in one
BLAS call per block; the input gradient of a stride-1 convolution is the same kernel on the padded output
gradient with the flipped filter, and a strided one scatters patch gradients back one kernel offset at a time.
The window geometry helpers here (TensorFlow's SAME/VALID rule) are shared with pool_ops. In sessions, large
float32 NHWC convolutions run compiled kernels instead (runtime/accel/conv.py, tested equal to these).
"""
import numpy as np

from ..framework import dtypes
from ..framework.apply import apply_op
from ..framework.op_def import InferenceError, OpDef, register
from ..framework.tensor_shape import TensorShape
from ..framework.tensor_util import constant_value_as_shape

__all__ = []

CONV_TYPES = (dtypes.float16, dtypes.float32, dtypes.float64)
# im2col rows per BLAS call: enough rows for BLAS to reach full speed, few enough bytes to stay in cache.
_BLOCK_ROWS = 1024
_BLOCK_BYTES = 8 << 20


# --- geometry (TensorFlow's rule) ------------------------------------------------------------------------------
def window_output(size, k, stride, dilation, padding, pads=None):
    """(output size, padding before, padding after) along one spatial axis.

    SAME: ceil(size / stride) outputs, with the total padding split so any odd pixel goes after (bottom/right);
    VALID: no padding; EXPLICIT: `pads` = (before, after). None stands for an unknown size.
    """
    ek = (k - 1) * dilation + 1
    if padding == "SAME":
        if size is None:
            return None, None, None
        out = -(-size // stride)
        total = max((out - 1) * stride + ek - size, 0)
        return out, total // 2, total - total // 2
    before, after = pads if padding == "EXPLICIT" else (0, 0)
    if size is None:
        return None, before, after
    padded = size + before + after
    if padded < ek:
        raise InferenceError(f"Negative dimension size caused by subtracting {ek} from {padded}")
    return (padded - ek) // stride + 1, before, after


def spatial_attrs(attrs):
    """(channels_last, (stride_h, stride_w), (dilation_h, dilation_w), explicit pads or None) from NHWC/NCHW attrs."""
    last = attrs.get("data_format", "NHWC") == "NHWC"
    h, w = (1, 2) if last else (2, 3)
    strides, dil = attrs["strides"], attrs.get("dilations") or (1, 1, 1, 1)
    pads = None
    if attrs["padding"] == "EXPLICIT":
        e = attrs["explicit_paddings"]
        pads = ((e[2 * h], e[2 * h + 1]), (e[2 * w], e[2 * w + 1]))
    return last, (strides[h], strides[w]), (dil[h], dil[w]), pads


def nhwc_dims(shape, channels_last):
    """A rank-4 static shape as a [N, H, W, C] list (None where unknown)."""
    dims = shape.as_list() if shape.ndims is not None else [None] * 4
    return dims if channels_last else [dims[0], dims[2], dims[3], dims[1]]


def from_nhwc(dims, channels_last):
    return TensorShape(dims if channels_last else [dims[0], dims[3], dims[1], dims[2]])


def check_rank(t, rank=4):
    if t.shape.ndims is not None and t.shape.ndims != rank:
        raise InferenceError(f"Shape must be rank {rank} but is rank {t.shape.ndims}")


def _equal(a, b):
    if a is not None and b is not None and a != b:
        raise InferenceError(f"Dimensions must be equal, but are {a} and {b}")
    return a if a is not None else b


# --- array helpers ---------------------------------------------------------------------------------------------
def to_nhwc(x, channels_last):
    return x if channels_last else x.transpose(0, 2, 3, 1)


def from_nhwc_array(xp, x, channels_last):
    return x if channels_last else xp.ascontiguousarray(x.transpose(0, 3, 1, 2))


def pad_hw(x, top, bottom, left, right, value=0, xp=np):
    """x [N, H, W, C] with rows/columns added (filled with `value`) or, where negative, removed at each side.
    Kernels pass their `xp`; the default serves the compiled NumPy kernels (runtime/accel/conv.py)."""
    if top == 0 and bottom == 0 and left == 0 and right == 0:
        return x
    n, h, w, c = x.shape
    r0, r1 = max(-top, 0), max(h - max(-bottom, 0), max(-top, 0))
    c0, c1 = max(-left, 0), max(w - max(-right, 0), max(-left, 0))
    if top <= 0 and bottom <= 0 and left <= 0 and right <= 0:
        return x[:, r0:r1, c0:c1]
    out = xp.empty((n, max(h + top + bottom, 0), max(w + left + right, 0), c), x.dtype)
    t, lf = max(top, 0), max(left, 0)
    rows, cols = min(r1 - r0, out.shape[1] - t), min(c1 - c0, out.shape[2] - lf)
    out[:, t:t + rows, lf:lf + cols] = x[:, r0:r0 + rows, c0:c0 + cols]
    # Only the border is filled: a full np.full would touch every page twice.
    out[:, :t] = value
    out[:, t + rows:] = value
    out[:, t:t + rows, :lf] = value
    out[:, t:t + rows, lf + cols:] = value
    return out


def windows(xp, padded, kh, kw, ho, wo, sh, sw, dh, dw):
    """A read-only [N, Ho, Wo, kh, kw, C] view of the patches of the `padded` input (no copy)."""
    s0, s1, s2, s3 = padded.strides
    return xp.lib.stride_tricks.as_strided(
        padded, (padded.shape[0], ho, wo, kh, kw, padded.shape[3]), (s0, s1 * sh, s2 * sw, s1 * dh, s2 * dw, s3),
        writeable=False)


def window_slice(p, q, ho, wo, sh, sw, dh=1, dw=1, h0=0):
    """The [.., Ho, Wo, ..] strided slice of a padded array that kernel offset (p, q) sees for every output."""
    r = h0 * sh + p * dh
    c = q * dw
    return slice(r, r + (ho - 1) * sh + 1, sh), slice(c, c + (wo - 1) * sw + 1, sw)


def _blocks(n, ho, row_bytes, wo=1):
    """(n0, n1, h0, h1) output pieces of about _BLOCK_ROWS im2col rows (at most _BLOCK_BYTES): whole images, or
    rows of one image. Big enough for BLAS to run at full speed, small enough to stay in cache."""
    rows_per_image = max(ho * wo, 1)
    per_block = min(max(_BLOCK_ROWS // rows_per_image, 1), max(_BLOCK_BYTES // max(ho * row_bytes, 1), 1))
    if ho * row_bytes <= _BLOCK_BYTES:
        for a in range(0, n, per_block):
            yield a, min(a + per_block, n), 0, ho
    else:
        rows = max(1, _BLOCK_BYTES // max(row_bytes, 1))
        for a in range(n):
            for h in range(0, ho, rows):
                yield a, a + 1, h, min(h + rows, ho)


def _padded_input(x, kh, kw, ho, wo, strides, dilations, pads, value=0, xp=np):
    """`x` padded (pads (top, left) in front) and trimmed to exactly the rows/columns the windows read."""
    (sh, sw), (dh, dw), ((pt, _), (pl, _)) = strides, dilations, pads
    need_h, need_w = (ho - 1) * sh + (kh - 1) * dh + 1, (wo - 1) * sw + (kw - 1) * dw + 1
    return pad_hw(x, pt, need_h - pt - x.shape[1], pl, need_w - pl - x.shape[2], value, xp=xp)


# --- kernels ---------------------------------------------------------------------------------------------------
def _patches(xp, win, block, buf):
    """The im2col matrix [rows, kh*kw*C] of output block (n0, n1, h0, h1), copied from the window view into `buf`.

    With one input channel the patches are laid out offset-major ([kh*kw, rows], returned transposed): each
    kernel offset is then one copy with runs of whole output rows instead of runs of kw values.
    """
    a, b, h0, h1 = block
    _, _, wo, kh, kw, c = win.shape
    rows, k = (b - a) * (h1 - h0) * wo, kh * kw * c
    if c == 1:
        cols = buf[:rows * k].reshape(kh, kw, b - a, h1 - h0, wo)
        xp.copyto(cols, win[a:b, h0:h1, :, :, :, 0].transpose(3, 4, 0, 1, 2))
        return cols.reshape(k, rows).T
    cols = buf[:rows * k].reshape(b - a, h1 - h0, wo, kh, kw, c)
    xp.copyto(cols, win[a:b, h0:h1])
    return cols.reshape(rows, k)


def correlate(xp, padded, wm, kh, kw, ho, wo, strides=(1, 1), dilations=(1, 1)):
    """out[n, i, j] = sum over (p, q, c) of padded[n, i*sh + p*dh, j*sw + q*dw, c] * wm[(p*kw + q)*C + c] on an
    already padded NHWC input, with `wm` the filter as a [kh*kw*C, O] matrix."""
    (sh, sw), (dh, dw) = strides, dilations
    n, c = padded.shape[0], padded.shape[3]
    k, o = wm.shape
    out = xp.empty((n, ho, wo, o), xp.result_type(padded.dtype, wm.dtype))
    if out.size == 0:
        return out
    if k == 0:
        out.fill(0)
        return out
    if kh == kw == 1 and sh == sw == 1 and padded.shape[1] == ho and padded.shape[2] == wo:
        xp.matmul(padded.reshape(-1, c), wm, out=out.reshape(-1, o))
        return out
    win = windows(xp, padded, kh, kw, ho, wo, sh, sw, dh, dw)
    buf = None
    for block in _blocks(n, ho, wo * k * out.itemsize, wo):
        a, b, h0, h1 = block
        rows = (b - a) * (h1 - h0) * wo
        if buf is None:
            buf = xp.empty(rows * k, out.dtype)
        xp.matmul(_patches(xp, win, block, buf), wm, out=out[a:b, h0:h1].reshape(rows, o))
    return out


def conv2d_forward(xp, x, w, strides, dilations, pads, ho, wo):
    kh, kw, c, o = w.shape
    padded = _padded_input(x, kh, kw, ho, wo, strides, dilations, pads, xp=xp)
    return correlate(xp, padded, xp.ascontiguousarray(w).reshape(kh * kw * c, o), kh, kw, ho, wo, strides,
                     dilations)


def conv2d_filter_grad(xp, x, dy, kh, kw, strides, dilations, pads):
    """d(loss)/d(filter) [kh, kw, C, O]: the im2col blocks of `x` times the matching rows of `dy`."""
    n, ho, wo, o = dy.shape
    c = x.shape[3]
    k = kh * kw * c
    dtype = xp.result_type(x.dtype, dy.dtype)
    grad = xp.zeros((k, o), dtype)
    if dy.size == 0 or k == 0:
        return grad.reshape(kh, kw, c, o)
    padded = _padded_input(x, kh, kw, ho, wo, strides, dilations, pads, xp=xp)
    (sh, sw), (dh, dw) = strides, dilations
    win = windows(xp, padded, kh, kw, ho, wo, sh, sw, dh, dw)
    dy = xp.ascontiguousarray(dy)
    buf = part = None
    for block in _blocks(n, ho, wo * k * grad.itemsize, wo):
        a, b, h0, h1 = block
        rows = (b - a) * (h1 - h0) * wo
        if buf is None:
            buf, part = xp.empty(rows * k, dtype), xp.empty((k, o), dtype)
        xp.matmul(_patches(xp, win, block, buf).T, dy[a:b, h0:h1].reshape(rows, o), out=part)
        grad += part
    return grad.reshape(kh, kw, c, o)


def conv2d_input_grad(xp, in_h, in_w, w, dy, strides, dilations, pads):
    """d(loss)/d(input) [N, H, W, C] of a convolution with filter `w` [kh, kw, C, O]."""
    kh, kw, c, o = w.shape
    n, ho, wo, _ = dy.shape
    (sh, sw), (dh, dw), ((pt, _), (pl, _)) = strides, dilations, pads
    ekh, ekw = (kh - 1) * dh + 1, (kw - 1) * dw + 1
    dtype = xp.result_type(w.dtype, dy.dtype)
    if sh == sw == 1:
        # A stride-1 input gradient is a "full" correlation of dy with the flipped, transposed filter.
        top, left = ekh - 1 - pt, ekw - 1 - pl
        dyp = pad_hw(dy, top, in_h + ekh - 1 - ho - top, left, in_w + ekw - 1 - wo - left, xp=xp)
        wf = xp.ascontiguousarray(w[::-1, ::-1].transpose(0, 1, 3, 2)).reshape(kh * kw * o, c)
        return correlate(xp, dyp, wf, kh, kw, in_h, in_w, (1, 1), (dh, dw))
    # Strided: patch gradients (one product per block) added back at each kernel offset (col2im).
    hp, wp = max(pt + in_h, (ho - 1) * sh + ekh), max(pl + in_w, (wo - 1) * sw + ekw)
    dxp = xp.zeros((n, hp, wp, c), dtype)
    if dy.size and c:
        wt = xp.ascontiguousarray(w).reshape(kh * kw * c, o).T
        dy = xp.ascontiguousarray(dy)
        for a, b, h0, h1 in _blocks(n, ho, wo * kh * kw * c * dxp.itemsize, wo):
            rows = (b - a) * (h1 - h0) * wo
            dcols = xp.matmul(dy[a:b, h0:h1].reshape(rows, o), wt).reshape(b - a, h1 - h0, wo, kh, kw, c)
            for p in range(kh):
                for q in range(kw):
                    rs, cs = window_slice(p, q, h1 - h0, wo, sh, sw, dh, dw, h0)
                    dxp[a:b, rs, cs] += dcols[:, :, :, p, q]
    return xp.ascontiguousarray(dxp[:, pt:pt + in_h, pl:pl + in_w])


def depthwise_forward(xp, x, w, strides, dilations, pads, ho, wo):
    kh, kw, c, m = w.shape
    padded = _padded_input(x, kh, kw, ho, wo, strides, dilations, pads, xp=xp)
    win = windows(xp, padded, kh, kw, ho, wo, *strides, *dilations)
    out = xp.zeros((x.shape[0], ho, wo, c, m), xp.result_type(x.dtype, w.dtype))
    tmp = xp.empty_like(out)
    for p in range(kh):
        for q in range(kw):
            out += xp.multiply(win[:, :, :, p, q, :, None], w[p, q], out=tmp)
    return out.reshape(x.shape[0], ho, wo, c * m)


def depthwise_filter_grad(xp, x, dy, kh, kw, strides, dilations, pads):
    n, ho, wo, cm = dy.shape
    c = x.shape[3]
    m = cm // c if c else 0
    padded = _padded_input(x, kh, kw, ho, wo, strides, dilations, pads, xp=xp)
    win = windows(xp, padded, kh, kw, ho, wo, *strides, *dilations)
    dy5 = dy.reshape(n, ho, wo, c, m)
    grad = xp.zeros((kh, kw, c, m), xp.result_type(x.dtype, dy.dtype))
    for p in range(kh):
        for q in range(kw):
            grad[p, q] = xp.einsum("nhwc,nhwcm->cm", win[:, :, :, p, q], dy5)
    return grad


def depthwise_input_grad(xp, in_h, in_w, w, dy, strides, dilations, pads):
    kh, kw, c, m = w.shape
    n, ho, wo, _ = dy.shape
    (sh, sw), (dh, dw), ((pt, _), (pl, _)) = strides, dilations, pads
    hp, wp = max(pt + in_h, (ho - 1) * sh + (kh - 1) * dh + 1), max(pl + in_w, (wo - 1) * sw + (kw - 1) * dw + 1)
    dxp = xp.zeros((n, hp, wp, c), xp.result_type(w.dtype, dy.dtype))
    dy5 = dy.reshape(n, ho, wo, c, m)
    for p in range(kh):
        for q in range(kw):
            rs, cs = window_slice(p, q, ho, wo, sh, sw, dh, dw)
            dxp[:, rs, cs] += xp.einsum("nhwcm,cm->nhwc", dy5, w[p, q])
    return xp.ascontiguousarray(dxp[:, pt:pt + in_h, pl:pl + in_w])


def _geometry(attrs, in_h, in_w, kh, kw):
    """(channels_last, strides, dilations, ((top, bottom), (left, right)), out_h, out_w) for run time (an
    InferenceError, a ValueError, for a window larger than the padded input)."""
    last, strides, dil, pads = spatial_attrs(attrs)
    pads = pads or (None, None)
    ho, pt, pb = window_output(in_h, kh, strides[0], dil[0], attrs["padding"], pads[0])
    wo, pl, pr = window_output(in_w, kw, strides[1], dil[1], attrs["padding"], pads[1])
    return last, strides, dil, ((pt, pb), (pl, pr)), ho, wo


def _out_dim(size, k, stride, dilation, padding, pads):
    if k is None:  # SAME's output size does not depend on the filter
        return window_output(size, 1, stride, 1, "SAME")[0] if padding == "SAME" else None
    return window_output(size, k, stride, dilation, padding, pads)[0]


def _check_out_backprop(kind, dy, ho, wo, depth):
    got = (dy.shape[1], dy.shape[2])
    if got != (ho, wo) or (depth is not None and dy.shape[3] != depth):
        raise ValueError(f"{kind}: Size of out_backprop doesn't match computed: actual = {list(dy.shape[1:])}, "
                         f"computed = {[ho, wo] + ([depth] if depth is not None else [dy.shape[3]])}")


def _sizes(sizes, channels_last, like):
    """input_sizes (4 values in data format order, or 2 spatial ones) as NHWC (batch and depth from `like`)."""
    s = [int(v) for v in sizes.reshape(-1).tolist()]  # host values of a constant or backend array
    if len(s) == 2:
        return like[0], s[0], s[1], like[3]
    return tuple(s) if channels_last else (s[0], s[2], s[3], s[1])


# --- OpDefs ----------------------------------------------------------------------------------------------------
class _ConvBase(OpDef):
    """Shared attrs: strides, padding ("SAME"/"VALID"/"EXPLICIT"), explicit_paddings, data_format, dilations."""

    allowed_dtypes = CONV_TYPES
    depthwise = False

    def _spatial_out(self, x_dims, f_dims, attrs):
        _, strides, dil, pads = spatial_attrs(attrs)
        pads = pads or (None, None)
        return tuple(_out_dim(x_dims[1 + i], f_dims[i], strides[i], dil[i], attrs["padding"], pads[i])
                     for i in range(2))

    def _out_depth(self, x_dims, f_dims):
        if self.depthwise:
            c = _equal(x_dims[3], f_dims[2])
            return c * f_dims[3] if c is not None and f_dims[3] is not None else None
        return f_dims[3]

    def _check_depth(self, in_depth, filter_depth):
        if self.depthwise:
            _equal(in_depth, filter_depth)
        elif in_depth is not None and filter_depth is not None and in_depth != filter_depth:
            if filter_depth == 0 or in_depth % filter_depth:
                raise InferenceError(f"Depth of input ({in_depth}) is not a multiple of input depth of filter "
                                     f"({filter_depth})")
            raise InferenceError(f"Grouped convolutions are not supported: depth of input ({in_depth}) differs from "
                                 f"the input depth of filter ({filter_depth})")

    def explain_failure(self, arrays, attrs, exc):
        if isinstance(exc, ValueError):
            return str(exc)
        return super().explain_failure(arrays, attrs, exc)


class _Forward(_ConvBase):
    """out = conv(input, filter)."""

    input_names = ("input", "filter")
    same_dtype = ("input", "filter")
    backprop_input = backprop_filter = None  # the OpDefs of the two gradients, set below

    def infer(self, inputs, attrs):
        x, f = inputs
        check_rank(x)
        check_rank(f)
        last = attrs.get("data_format", "NHWC") == "NHWC"
        xd, fd = nhwc_dims(x.shape, last), f.shape.as_list() if f.shape.ndims is not None else [None] * 4
        self._check_depth(xd[3], fd[2])
        ho, wo = self._spatial_out(xd, fd, attrs)
        return [(from_nhwc([xd[0], ho, wo, self._out_depth(xd, fd)], last), x.dtype.base_dtype)]

    def forward(self, xp, x, w, **attrs):
        last = attrs.get("data_format", "NHWC") == "NHWC"
        x = to_nhwc(x, last)
        kh, kw = w.shape[0], w.shape[1]
        if x.shape[3] != w.shape[2]:
            raise ValueError(f"input depth must be evenly divisible by filter depth: {x.shape[3]} vs {w.shape[2]}")
        _, strides, dil, pads, ho, wo = _geometry(attrs, x.shape[1], x.shape[2], kh, kw)
        run = depthwise_forward if self.depthwise else conv2d_forward
        return from_nhwc_array(xp, run(xp, x, w, strides, dil, pads, ho, wo), last)

    def grad(self, op, g):
        from .array_ops import shape
        x, w = op.inputs
        return [apply_op(self.backprop_input, [shape(x), w, g], op.attrs, name=self.backprop_input.type_name),
                apply_op(self.backprop_filter, [x, shape(w), g], op.attrs,
                         name=self.backprop_filter.type_name)]


class _BackpropInput(_ConvBase):
    """d(loss)/d(input) of conv(input, filter), given the input's shape (`input_sizes`) and out_backprop."""

    input_names = ("input_sizes", "filter", "out_backprop")
    same_dtype = ("filter", "out_backprop")
    forward_op = backprop_filter = None

    def infer(self, inputs, attrs):
        sizes, f, dy = inputs
        check_rank(f)
        check_rank(dy)
        if sizes.shape.ndims is not None and sizes.shape.ndims != 1:
            raise InferenceError(f"Shape must be rank 1 but is rank {sizes.shape.ndims}")
        n = sizes.shape[0].value if sizes.shape.ndims == 1 else None
        if n is not None and n not in (2, 4):
            raise InferenceError(f"{self.type_name} requires input_sizes to contain 4 values or 2 values, but got: "
                                 f"{n}")
        last = attrs.get("data_format", "NHWC") == "NHWC"
        fd = f.shape.as_list() if f.shape.ndims is not None else [None] * 4
        dyd = nhwc_dims(dy.shape, last)
        known = constant_value_as_shape(sizes)
        if known.ndims == 2:
            xd = [dyd[0], known[0].value, known[1].value, fd[2]]
        elif known.ndims == 4:
            xd = nhwc_dims(known, last)
        else:
            xd = [dyd[0], None, None, fd[2]]
        if self.depthwise:
            _equal(xd[3], fd[2])
            if xd[3] is not None and fd[3] is not None:
                _equal(dyd[3], xd[3] * fd[3])
        else:
            _equal(dyd[3], fd[3])
            xd[3] = _equal(xd[3], fd[2])
        xd[0] = _equal(xd[0], dyd[0])
        return [(from_nhwc(xd, last), f.dtype.base_dtype)]

    def forward(self, xp, sizes, w, dy, **attrs):
        last = attrs.get("data_format", "NHWC") == "NHWC"
        dy = to_nhwc(dy, last)
        n, h, wd, c = _sizes(sizes, last, (dy.shape[0], None, None, w.shape[2]))
        _, strides, dil, pads, ho, wo = _geometry(attrs, h, wd, w.shape[0], w.shape[1])
        depth = w.shape[2] * w.shape[3] if self.depthwise else w.shape[3]
        _check_out_backprop(self.type_name, dy, ho, wo, depth)
        run = depthwise_input_grad if self.depthwise else conv2d_input_grad
        return from_nhwc_array(xp, run(xp, h, wd, w, dy, strides, dil, pads), last)

    def grad(self, op, g):
        from .array_ops import shape
        _, w, dy = op.inputs
        return [None, apply_op(self.backprop_filter, [g, shape(w), dy], op.attrs,
                               name=self.backprop_filter.type_name),
                apply_op(self.forward_op, [g, w], op.attrs, name=self.forward_op.type_name)]


class _BackpropFilter(_ConvBase):
    """d(loss)/d(filter) of conv(input, filter), given the filter's shape (`filter_sizes`) and out_backprop."""

    input_names = ("input", "filter_sizes", "out_backprop")
    same_dtype = ("input", "out_backprop")
    forward_op = backprop_input = None

    def infer(self, inputs, attrs):
        x, sizes, dy = inputs
        check_rank(x)
        check_rank(dy)
        if sizes.shape.ndims is not None and sizes.shape.ndims != 1:
            raise InferenceError(f"Shape must be rank 1 but is rank {sizes.shape.ndims}")
        known = constant_value_as_shape(sizes)
        fd = known.as_list() if known.ndims == 4 else [None] * 4
        last = attrs.get("data_format", "NHWC") == "NHWC"
        xd, dyd = nhwc_dims(x.shape, last), nhwc_dims(dy.shape, last)
        fd[2] = _equal(fd[2], xd[3])
        if not self.depthwise:
            fd[3] = _equal(fd[3], dyd[3])
        return [(TensorShape(fd), x.dtype.base_dtype)]

    def forward(self, xp, x, sizes, dy, **attrs):
        last = attrs.get("data_format", "NHWC") == "NHWC"
        x, dy = to_nhwc(x, last), to_nhwc(dy, last)
        kh, kw, c, o = (int(v) for v in sizes.reshape(-1).tolist())
        _, strides, dil, pads, ho, wo = _geometry(attrs, x.shape[1], x.shape[2], kh, kw)
        _check_out_backprop(self.type_name, dy, ho, wo, c * o if self.depthwise else o)
        run = depthwise_filter_grad if self.depthwise else conv2d_filter_grad
        return run(xp, x, dy, kh, kw, strides, dil, pads)

    def grad(self, op, g):
        from .array_ops import shape
        x, _, dy = op.inputs
        return [apply_op(self.backprop_input, [shape(x), g, dy], op.attrs, name=self.backprop_input.type_name),
                None, apply_op(self.forward_op, [x, g], op.attrs, name=self.forward_op.type_name)]


@register
class Conv2D(_Forward):
    """2-D cross-correlation of an NHWC (or NCHW) input with a [kh, kw, in, out] filter."""

    type_name = "Conv2D"


@register
class Conv2DBackpropInput(_BackpropInput):
    """The gradient of Conv2D with respect to its input (also `tf.nn.conv2d_transpose`)."""

    type_name = "Conv2DBackpropInput"
    shape_arg_inputs = (0,)


@register
class Conv2DBackpropFilter(_BackpropFilter):
    """The gradient of Conv2D with respect to its filter."""

    type_name = "Conv2DBackpropFilter"
    shape_arg_inputs = (1,)


@register
class DepthwiseConv2dNative(_Forward):
    """Each input channel convolved with its own [kh, kw] filters (channel multiplier M): C*M outputs."""

    type_name = "DepthwiseConv2dNative"
    depthwise = True


@register
class DepthwiseConv2dNativeBackpropInput(_BackpropInput):
    """The gradient of DepthwiseConv2dNative with respect to its input."""

    type_name = "DepthwiseConv2dNativeBackpropInput"
    shape_arg_inputs = (0,)
    depthwise = True


@register
class DepthwiseConv2dNativeBackpropFilter(_BackpropFilter):
    """The gradient of DepthwiseConv2dNative with respect to its filter."""

    type_name = "DepthwiseConv2dNativeBackpropFilter"
    shape_arg_inputs = (1,)
    depthwise = True


for _fwd, _bi, _bf in [(Conv2D, Conv2DBackpropInput, Conv2DBackpropFilter),
                       (DepthwiseConv2dNative, DepthwiseConv2dNativeBackpropInput,
                        DepthwiseConv2dNativeBackpropFilter)]:
    type(_fwd).backprop_input, type(_fwd).backprop_filter = _bi, _bf
    type(_bi).forward_op, type(_bi).backprop_filter = _fwd, _bf
    type(_bf).forward_op, type(_bf).backprop_input = _fwd, _bi
