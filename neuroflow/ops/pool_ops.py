"""Pooling primitives (MaxPool, AvgPool and their gradients) with vectorized window kernels.

Windows are strided slices of the padded input, one per kernel offset: a 2x2 pool is four slices, never a
loop over pixels. Max and sum pooling are separable (along the width, then the height), so a kxk window costs
2k slice operations. The max-pool gradient goes to the first maximum of each window in row-major order, and
padding never wins, as in TensorFlow; an average counts only the window's real (unpadded) elements. In sessions,
large NHWC max pools (and their gradients, for windows that do not overlap) run compiled kernels instead
(runtime/accel/conv.py), bitwise equal to these.
"""
import numpy as np

from ..framework import dtypes
from ..framework.apply import apply_op
from ..framework.op_def import InferenceError, OpDef, register
from ..framework.tensor_util import constant_value_as_shape
from . import grad_support_ops as _g
from .conv_ops import (check_rank, from_nhwc, from_nhwc_array, nhwc_dims, pad_hw, to_nhwc, window_output,
                       window_slice)

__all__ = []


def _params(attrs):
    """(channels_last, (kh, kw), (sh, sw)) from 4-element NHWC/NCHW ksize and strides attrs."""
    last = attrs.get("data_format", "NHWC") == "NHWC"
    h, w = (1, 2) if last else (2, 3)
    return last, (attrs["ksize"][h], attrs["ksize"][w]), (attrs["strides"][h], attrs["strides"][w])


def _geometry(attrs, in_h, in_w):
    last, (kh, kw), (sh, sw) = _params(attrs)
    ho, pt, _ = window_output(in_h, kh, sh, 1, attrs["padding"])
    wo, pl, _ = window_output(in_w, kw, sw, 1, attrs["padding"])
    return last, (kh, kw), (sh, sw), (pt, pl), (ho, wo)


def _padded(xp, x, k, s, pads, out, value):
    """`x` padded with `value` in front by `pads` and trimmed/padded behind to exactly what the windows read."""
    need_h, need_w = (out[0] - 1) * s[0] + k[0], (out[1] - 1) * s[1] + k[1]
    return pad_hw(x, pads[0], need_h - pads[0] - x.shape[1], pads[1], need_w - pads[1] - x.shape[2], value, xp=xp)


def _lowest(dtype):
    return -np.inf if dtype.kind in "fc" else np.iinfo(dtype).min


def _reduce_windows(xp, padded, k, s, out, ufunc):
    """ufunc-reduce (maximum or add) every window of the `padded` input: along the height first, whose slices are
    whole rows (long contiguous runs), then along the width of the smaller result."""
    (kh, kw), (sh, sw), (ho, wo) = k, s, out
    t = None
    for p in range(kh):
        v = padded[:, p:p + (ho - 1) * sh + 1:sh]
        t = v if t is None else (ufunc(t, v) if p == 1 else ufunc(t, v, out=t))
    r = None
    for q in range(kw):
        v = t[:, :, q:q + (wo - 1) * sw + 1:sw]
        r = v if r is None else (ufunc(r, v) if q == 1 else ufunc(r, v, out=r))
    return r if r.base is None else xp.array(r)  # a fresh array, never a view of the input


def _first_max_hits(xp, padded, m, k, s, out):
    """Yields (rows, cols, hit) per kernel offset in row-major order, `hit` marking the outputs whose first
    maximum sits at that offset (each output is hit exactly once when its window has a non-NaN maximum)."""
    (kh, kw), (sh, sw), (ho, wo) = k, s, out
    found = None
    last = kh * kw - 1
    for i in range(kh * kw):
        p, q = divmod(i, kw)
        rs, cs = window_slice(p, q, ho, wo, sh, sw)
        hit = xp.equal(padded[:, rs, cs], m)
        if found is None:
            found = hit.copy() if last else hit
        else:
            xp.greater(hit, found, out=hit)  # hit and not yet found
            if i != last:
                found |= hit
        yield rs, cs, hit


def _overlapping(k, s):
    return s[0] < k[0] or s[1] < k[1]


def _counts(xp, in_size, k, s, pad, out, dtype):
    """How many real (unpadded) elements each output's window covers along one axis."""
    start = xp.arange(out) * s - pad
    return (xp.minimum(start + k, in_size) - xp.maximum(start, 0)).astype(dtype)


def _avg_divisor(xp, in_h, in_w, k, s, pads, out, dtype):
    if pads == (0, 0) and (out[0] - 1) * s[0] + k[0] <= in_h and (out[1] - 1) * s[1] + k[1] <= in_w:
        return dtype.type(k[0] * k[1])
    ch = _counts(xp, in_h, k[0], s[0], pads[0], out[0], dtype)
    cw = _counts(xp, in_w, k[1], s[1], pads[1], out[1], dtype)
    return (ch[:, None] * cw[None, :])[:, :, None]


class _Pool(OpDef):
    """Shared attrs: ksize, strides (4 elements in data_format order), padding ("SAME"/"VALID"), data_format."""

    def explain_failure(self, arrays, attrs, exc):
        return str(exc) if isinstance(exc, ValueError) else super().explain_failure(arrays, attrs, exc)

    @staticmethod
    def pooled_shape(shape, attrs):
        last, (kh, kw), (sh, sw) = _params(attrs)
        d = nhwc_dims(shape, last)
        ho = window_output(d[1], kh, sh, 1, attrs["padding"])[0]
        wo = window_output(d[2], kw, sw, 1, attrs["padding"])[0]
        return from_nhwc([d[0], ho, wo, d[3]], last)

    def infer(self, inputs, attrs):
        # The pooling ops' own shape rule; their gradient ops override it.
        check_rank(inputs[0])
        return [(self.pooled_shape(inputs[0].shape, attrs), inputs[0].dtype.base_dtype)]


@register
class MaxPool(_Pool):
    """The maximum of each window."""

    type_name = "MaxPool"
    input_names = ("input",)
    same_dtype = ("input",)
    allowed_dtypes = dtypes.REAL

    def forward(self, xp, x, **attrs):
        last = attrs.get("data_format", "NHWC") == "NHWC"
        x = to_nhwc(x, last)
        _, k, s, pads, out = _geometry(attrs, x.shape[1], x.shape[2])
        m = _reduce_windows(xp, _padded(xp, x, k, s, pads, out, _lowest(x.dtype)), k, s, out, xp.maximum)
        return from_nhwc_array(xp, m, last)

    def grad(self, op, g):
        return [apply_op(MaxPoolGrad, [op.inputs[0], op.outputs[0], g], op.attrs, name="MaxPoolGrad")]


@register
class MaxPoolGrad(_Pool):
    """MaxPool's gradient: each window's output gradient goes to its first maximum."""

    type_name = "MaxPoolGrad"
    input_names = ("orig_input", "orig_output", "grad")
    same_dtype = ("orig_input", "orig_output", "grad")
    allowed_dtypes = dtypes.REAL

    def infer(self, inputs, attrs):
        x, m, g = inputs
        for t in inputs:
            check_rank(t)
        expected = self.pooled_shape(x.shape, attrs)
        for t in (m, g):
            if not t.shape.is_compatible_with(expected):
                raise InferenceError(f"Shapes {t.shape.bracket_str()} and {expected.bracket_str()} are incompatible")
        return [(x.shape, x.dtype.base_dtype)]

    def forward(self, xp, x, m, g, **attrs):
        last = attrs.get("data_format", "NHWC") == "NHWC"
        x, m, g = to_nhwc(x, last), to_nhwc(m, last), to_nhwc(g, last)
        _, k, s, pads, out = _geometry(attrs, x.shape[1], x.shape[2])
        padded = _padded(xp, x, k, s, pads, out, _lowest(x.dtype))
        h, w = x.shape[1:3]
        covered = k == s and pads == (0, 0) and padded.shape[1:3] == (h, w)
        # Disjoint windows that tile the input write every element once: no zero fill, no accumulation.
        shape = (x.shape[0], max(pads[0] + h, padded.shape[1]), max(pads[1] + w, padded.shape[2]), x.shape[3])
        dxp = xp.empty(shape, g.dtype) if covered else xp.zeros(shape, g.dtype)
        add = _overlapping(k, s)
        for rs, cs, hit in _first_max_hits(xp, padded, m, k, s, out):
            if add:
                dxp[:, rs, cs] += g * hit
            else:
                xp.multiply(g, hit, out=dxp[:, rs, cs])
        dx = dxp if dxp.shape == x.shape else xp.ascontiguousarray(dxp[:, pads[0]:pads[0] + h, pads[1]:pads[1] + w])
        return from_nhwc_array(xp, dx, last)

    def grad(self, op, gg):
        x, m, _ = op.inputs
        return [_g.zeros_like(x), _g.zeros_like(m),
                apply_op(MaxPoolGradGrad, [x, m, gg], op.attrs, name="MaxPoolGradGrad")]


@register
class MaxPoolGradGrad(_Pool):
    """MaxPoolGrad's gradient with respect to its `grad`: each window picks the value at its first maximum."""

    type_name = "MaxPoolGradGrad"
    input_names = ("orig_input", "orig_output", "grad")
    same_dtype = ("orig_input", "orig_output", "grad")
    allowed_dtypes = dtypes.REAL

    def infer(self, inputs, attrs):
        x, m, g = inputs
        for t in inputs:
            check_rank(t)
        if not g.shape.is_compatible_with(x.shape):
            raise InferenceError(f"Shapes {g.shape.bracket_str()} and {x.shape.bracket_str()} are incompatible")
        return [(m.shape.merge_with(self.pooled_shape(x.shape, attrs)), x.dtype.base_dtype)]

    def forward(self, xp, x, m, g, **attrs):
        last = attrs.get("data_format", "NHWC") == "NHWC"
        x, m, g = to_nhwc(x, last), to_nhwc(m, last), to_nhwc(g, last)
        _, k, s, pads, out = _geometry(attrs, x.shape[1], x.shape[2])
        padded = _padded(xp, x, k, s, pads, out, _lowest(x.dtype))
        gp = _padded(xp, g, k, s, pads, out, 0)
        result = xp.zeros(m.shape, g.dtype)
        for rs, cs, hit in _first_max_hits(xp, padded, m, k, s, out):
            result += gp[:, rs, cs] * hit
        return from_nhwc_array(xp, result, last)

    def grad(self, op, gg):
        x, m, _ = op.inputs
        return [_g.zeros_like(x), _g.zeros_like(m),
                apply_op(MaxPoolGrad, [x, m, gg], op.attrs, name="MaxPoolGrad")]


@register
class AvgPool(_Pool):
    """The mean of each window's real (unpadded) elements."""

    type_name = "AvgPool"
    input_names = ("value",)
    same_dtype = ("value",)
    allowed_dtypes = dtypes.FLOATING

    def forward(self, xp, x, **attrs):
        last = attrs.get("data_format", "NHWC") == "NHWC"
        x = to_nhwc(x, last)
        _, k, s, pads, out = _geometry(attrs, x.shape[1], x.shape[2])
        total = _reduce_windows(xp, _padded(xp, x, k, s, pads, out, 0), k, s, out, xp.add)
        total /= _avg_divisor(xp, x.shape[1], x.shape[2], k, s, pads, out, x.dtype)
        return from_nhwc_array(xp, total, last)

    def grad(self, op, g):
        from .array_ops import shape
        return [apply_op(AvgPoolGrad, [shape(op.inputs[0]), g], op.attrs, name="AvgPoolGrad")]


@register
class AvgPoolGrad(_Pool):
    """AvgPool's gradient: each output gradient, divided by its window's count, spread over the window."""

    type_name = "AvgPoolGrad"
    input_names = ("orig_input_shape", "grad")
    shape_arg_inputs = (0,)
    same_dtype = ("grad",)
    allowed_dtypes = dtypes.FLOATING

    def infer(self, inputs, attrs):
        sizes, g = inputs
        check_rank(g)
        known = constant_value_as_shape(sizes)
        shape = known if known.ndims == 4 else from_nhwc([None] * 4, True)
        if not g.shape.is_compatible_with(self.pooled_shape(shape, attrs)):
            raise InferenceError(f"Shapes {g.shape.bracket_str()} and "
                                 f"{self.pooled_shape(shape, attrs).bracket_str()} are incompatible")
        return [(shape, g.dtype.base_dtype)]

    def forward(self, xp, sizes, g, **attrs):
        last = attrs.get("data_format", "NHWC") == "NHWC"
        g = to_nhwc(g, last)
        dims = [int(v) for v in sizes.tolist()]  # host values of the shape argument
        n, h, w, c = dims if last else (dims[0], dims[2], dims[3], dims[1])
        _, k, s, pads, out = _geometry(attrs, h, w)
        if g.shape[1:3] != out:
            raise ValueError(f"AvgPoolGrad: out_backprop of shape {list(g.shape)} does not match the pooled input of "
                             f"shape {[n, h, w, c]}")
        gs = g / _avg_divisor(xp, h, w, k, s, pads, out, g.dtype)
        (kh, kw), (sh, sw), (ho, wo) = k, s, out
        hp, wp = max(pads[0] + h, (ho - 1) * sh + kh), max(pads[1] + w, (wo - 1) * sw + kw)
        # Spread along the height, then the width (the adjoint of the separable sum).
        t = xp.zeros((n, hp, wo, c), g.dtype)
        for p in range(kh):
            t[:, p:p + (ho - 1) * sh + 1:sh] += gs
        dxp = xp.zeros((n, hp, wp, c), g.dtype)
        for q in range(kw):
            dxp[:, :, q:q + (wo - 1) * sw + 1:sw] += t
        return from_nhwc_array(xp, xp.ascontiguousarray(dxp[:, pads[0]:pads[0] + h, pads[1]:pads[1] + w]), last)

    def grad(self, op, gg):
        return [None, apply_op(AvgPool, [gg], op.attrs, name="AvgPool")]
